// Content-addressed attachment files: the bytes live at <dir>/<sha256[0:2]>/<sha256>, written
// through a temporary file, fsync and rename so a crash never leaves a torn file under a final
// name. The sender's filename is metadata only and never part of a path.
#pragma once

#include <string>

namespace omnigate::store {

class AttachmentFiles {
 public:
  explicit AttachmentFiles(std::string dir);
  // Stores the bytes durably (idempotent for equal content); returns the lower-case sha256 hex.
  std::string put(const std::string& bytes) const;
  // The bytes of a stored file; throws std::runtime_error if it is missing.
  std::string get(const std::string& sha256_hex) const;
  std::string path_of(const std::string& sha256_hex) const;

 private:
  std::string dir_;
};

std::string sha256_hex(const std::string& bytes);
// True for 64 lower-case hex digits (the form sha256_hex returns).
bool is_sha256_hex(const std::string& s);

}  // namespace omnigate::store
