// Content-addressed attachment files: the bytes live at <dir>/<sha256[0:2]>/<sha256>, written
// through a temporary file, fsync and rename so a crash never leaves a torn file under a final
// name. The sender's filename is metadata only and never part of a path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace omnigate::store {

// Writes one file of unknown length into the store chunk by chunk: the bytes go to a temporary
// file beside the shards while SHA-256 is computed as they pass, and finish() makes it durable
// under its content name. Dropped (temporary file removed) unless finished. One thread at a time.
class AttachmentWriter {
 public:
  // Throws std::runtime_error when the temporary file cannot be created.
  explicit AttachmentWriter(const std::string& dir);
  ~AttachmentWriter();  // removes the temporary file unless finish() succeeded
  AttachmentWriter(const AttachmentWriter&) = delete;
  AttachmentWriter& operator=(const AttachmentWriter&) = delete;

  void write(std::string_view chunk);  // throws std::runtime_error on an I/O error
  // fsync, rename to <dir>/<sha[0:2]>/<sha>, fsync the shard; returns the sha256 hex.
  std::string finish();
  std::uint64_t size() const { return size_; }

 private:
  struct Digest;
  std::string dir_;
  std::string temp_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::unique_ptr<Digest> digest_;
};

class AttachmentFiles {
 public:
  explicit AttachmentFiles(std::string dir);
  // Stores the bytes durably (idempotent for equal content); returns the lower-case sha256 hex.
  std::string put(const std::string& bytes) const;
  // The bytes of a stored file; throws std::runtime_error if it is missing.
  std::string get(const std::string& sha256_hex) const;
  std::string path_of(const std::string& sha256_hex) const;
  // The size of a stored file; nullopt when `sha256_hex` is malformed or not stored.
  std::optional<std::uint64_t> size_of(const std::string& sha256_hex) const;
  // Up to `capacity` bytes from `offset` (0 at or past the end); nullopt as size_of. `total`
  // gets the file's size.
  std::optional<std::size_t> read(const std::string& sha256_hex, std::uint64_t offset, void* buffer,
                                  std::size_t capacity, std::uint64_t& total) const;

 private:
  std::string dir_;
};

std::string sha256_hex(const std::string& bytes);
// True for 64 lower-case hex digits (the form sha256_hex returns).
bool is_sha256_hex(const std::string& s);

}  // namespace omnigate::store
