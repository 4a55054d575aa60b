#include "store/attachment_files.hpp"

#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace omnigate::store {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void fail_errno(const std::string& what, const std::string& path) {
  throw std::runtime_error("attachment store: " + what + " " + path + ": " + std::strerror(errno));
}

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) fail_errno("open", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail_errno("fsync", path);
}

}  // namespace

bool is_sha256_hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("attachment store: SHA-256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

AttachmentFiles::AttachmentFiles(std::string dir) : dir_(std::move(dir)) {}

std::string AttachmentFiles::path_of(const std::string& sha) const {
  if (!is_sha256_hex(sha)) throw std::runtime_error("attachment store: bad digest '" + sha + "'");
  return (fs::path(dir_) / sha.substr(0, 2) / sha).string();
}

std::string AttachmentFiles::put(const std::string& bytes) const {
  const std::string sha = sha256_hex(bytes);
  const std::string final_path = path_of(sha);
  if (fs::exists(final_path)) return sha;  // same name, same content: already durable
  const std::string shard = fs::path(final_path).parent_path().string();
  std::error_code ec;
  fs::create_directories(shard, ec);
  if (ec)
    throw std::runtime_error("attachment store: cannot create " + shard + ": " + ec.message());

  std::string temp = shard + "/.tmp-" + sha + "-XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) fail_errno("create", temp);
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      ::unlink(temp.c_str());
      fail_errno("write", temp);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(temp.c_str());
    fail_errno("fsync", temp);
  }
  if (::rename(temp.c_str(), final_path.c_str()) != 0) {
    ::unlink(temp.c_str());
    fail_errno("rename", final_path);
  }
  // The rename is durable only once the directory entry is.
  fsync_path(shard, O_RDONLY | O_DIRECTORY);
  return sha;
}

std::string AttachmentFiles::get(const std::string& sha) const {
  const std::string path = path_of(sha);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("attachment store: missing file " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace omnigate::store
