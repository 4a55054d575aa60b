// Streaming blobs (og_host_api.blob_begin/write/finish/abort/read): a plugin writes a large
// attachment or recording chunk by chunk into the content-addressed attachment store
// (store/attachment_files.hpp) and attaches it by reference ("sha256:<hex>"); it reads any
// stored blob — an agent's outbound attachment — in chunks the same way. One BlobStreams per
// instance holds that instance's open writers and its size limit.
#pragma once

#include "store/attachment_files.hpp"

#include <omnigate/plugin_abi.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace omnigate::plugin_host {

// The sha256 hex of a blob reference "sha256:<64 lower-case hex>"; nullopt for anything else,
// so that a reference can never name a path outside the store.
std::optional<std::string> blob_sha256_of_ref(std::string_view ref);
std::string blob_ref_of_sha256(const std::string& sha256_hex);

class BlobStreams {
 public:
  // `dir`: the attachment store ("" = none: every call is refused). `max_blob_bytes`: the
  // largest blob one writer may produce.
  BlobStreams(std::string dir, std::uint64_t max_blob_bytes);
  BlobStreams(const BlobStreams&) = delete;
  BlobStreams& operator=(const BlobStreams&) = delete;

  og_status begin(std::uint64_t& writer_id, std::string& error);
  // Past the limit the writer is dropped and OG_PERMANENT returned.
  og_status write(std::uint64_t writer_id, std::string_view chunk, std::string& error);
  og_status finish(std::uint64_t writer_id, std::string& ref, std::uint64_t& size,
                   std::string& error);
  void abort(std::uint64_t writer_id);
  // OG_NOT_FOUND for a malformed or unknown reference.
  og_status read(std::string_view ref, std::uint64_t offset, void* buffer, std::size_t capacity,
                 std::size_t& got, std::uint64_t& total, std::string& error) const;
  // The size of the stored blob `sha256_hex`, nullopt when it is not stored.
  std::optional<std::uint64_t> stored_size(const std::string& sha256_hex) const;
  // Drops every writer not finished (their temporary files are removed).
  void drop_all();

 private:
  struct Writer {
    std::mutex mu;  // one thread at a time per writer; held while it writes
    std::unique_ptr<store::AttachmentWriter> file;
  };
  std::shared_ptr<Writer> find(std::uint64_t writer_id) const;
  void erase(std::uint64_t writer_id);

  const std::string dir_;
  const std::uint64_t max_blob_bytes_;
  mutable std::mutex mu_;  // guards the members below
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, std::shared_ptr<Writer>> writers_;
};

// Fills the blob functions into the host table (host_api.cpp make_table;
// blob_host_functions.cpp).
void install_blob_functions(og_host_api& api);

}  // namespace omnigate::plugin_host
