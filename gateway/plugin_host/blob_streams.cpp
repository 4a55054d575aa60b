#include "plugin_host/blob_streams.hpp"

#include "plugin_host/abi_struct.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace omnigate::plugin_host {
namespace {

constexpr std::string_view kRefPrefix = "sha256:";

}  // namespace

std::optional<std::string> blob_sha256_of_ref(std::string_view ref) {
  if (ref.substr(0, kRefPrefix.size()) != kRefPrefix) return std::nullopt;
  std::string hex(ref.substr(kRefPrefix.size()));
  if (!store::is_sha256_hex(hex)) return std::nullopt;
  return hex;
}

std::string blob_ref_of_sha256(const std::string& sha256_hex) {
  return std::string(kRefPrefix) + sha256_hex;
}

BlobStreams::BlobStreams(std::string dir, std::uint64_t max_blob_bytes)
    : dir_(std::move(dir)), max_blob_bytes_(max_blob_bytes) {}

std::shared_ptr<BlobStreams::Writer> BlobStreams::find(std::uint64_t writer_id) const {
  std::lock_guard lock(mu_);
  const auto it = writers_.find(writer_id);
  return it == writers_.end() ? nullptr : it->second;
}

void BlobStreams::erase(std::uint64_t writer_id) {
  std::shared_ptr<Writer> dropped;  // its temporary file goes outside mu_
  std::lock_guard lock(mu_);
  if (auto it = writers_.find(writer_id); it != writers_.end()) {
    dropped = std::move(it->second);
    writers_.erase(it);
  }
}

og_status BlobStreams::begin(std::uint64_t& writer_id, std::string& error) {
  if (dir_.empty()) {
    error = "this gateway has no attachment store";
    return OG_PERMANENT;
  }
  auto writer = std::make_shared<Writer>();
  try {
    writer->file = std::make_unique<store::AttachmentWriter>(dir_);
  } catch (const std::exception& e) {
    error = e.what();
    return OG_RETRY;
  }
  std::lock_guard lock(mu_);
  writer_id = next_id_++;
  writers_.emplace(writer_id, std::move(writer));
  return OG_OK;
}

og_status BlobStreams::write(std::uint64_t writer_id, std::string_view chunk, std::string& error) {
  const auto writer = find(writer_id);
  if (!writer) {
    error = "no open blob writer " + std::to_string(writer_id);
    return OG_PERMANENT;
  }
  {
    std::lock_guard lock(writer->mu);
    if (writer->file->size() + chunk.size() <= max_blob_bytes_) {
      try {
        writer->file->write(chunk);
        return OG_OK;
      } catch (const std::exception& e) {
        error = e.what();
      }
    } else {
      error = "blob larger than this instance's limit of " + std::to_string(max_blob_bytes_) +
              " bytes (max_blob_bytes)";
    }
  }
  erase(writer_id);  // a torn or oversize blob is never finished
  return OG_PERMANENT;
}

og_status BlobStreams::finish(std::uint64_t writer_id, std::string& ref, std::uint64_t& size,
                              std::string& error) {
  const auto writer = find(writer_id);
  if (!writer) {
    error = "no open blob writer " + std::to_string(writer_id);
    return OG_PERMANENT;
  }
  og_status status = OG_OK;
  {
    std::lock_guard lock(writer->mu);
    try {
      size = writer->file->size();
      ref = blob_ref_of_sha256(writer->file->finish());
    } catch (const std::exception& e) {
      error = e.what();
      status = OG_RETRY;
    }
  }
  erase(writer_id);
  return status;
}

void BlobStreams::abort(std::uint64_t writer_id) {
  erase(writer_id);
}

og_status BlobStreams::read(std::string_view ref, std::uint64_t offset, void* buffer,
                            std::size_t capacity, std::size_t& got, std::uint64_t& total,
                            std::string& error) const {
  const auto sha = blob_sha256_of_ref(ref);
  if (!sha || dir_.empty()) {
    error = "not a stored blob reference";
    return OG_NOT_FOUND;
  }
  if (buffer == nullptr && capacity != 0) {
    error = "buffer is NULL";
    return OG_PERMANENT;
  }
  const auto n = store::AttachmentFiles(dir_).read(*sha, offset, buffer, capacity, total);
  if (!n) {
    error = "no stored blob " + std::string(ref);
    return OG_NOT_FOUND;
  }
  got = *n;
  return OG_OK;
}

std::optional<std::uint64_t> BlobStreams::stored_size(const std::string& sha256_hex) const {
  if (dir_.empty()) return std::nullopt;
  return store::AttachmentFiles(dir_).size_of(sha256_hex);
}

void BlobStreams::drop_all() {
  std::map<std::uint64_t, std::shared_ptr<Writer>> dropped;
  {
    std::lock_guard lock(mu_);
    dropped.swap(writers_);
  }
  // A writer still used by a plugin thread is removed once that call lets go of it.
}

}  // namespace omnigate::plugin_host
