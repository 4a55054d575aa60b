#include "store/attachment_files.hpp"

#include <openssl/evp.h>

#include <fcntl.h>
#include <sys/stat.h>
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

std::string hex_of(const unsigned char* digest, unsigned int len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

std::string shard_of(const std::string& final_path) {
  const std::string shard = fs::path(final_path).parent_path().string();
  std::error_code ec;
  fs::create_directories(shard, ec);
  if (ec)
    throw std::runtime_error("attachment store: cannot create " + shard + ": " + ec.message());
  return shard;
}

// Moves a complete, fsynced temporary file to its content name and makes the entry durable.
void commit_temp(const std::string& temp, const std::string& final_path) {
  const std::string shard = shard_of(final_path);
  if (::rename(temp.c_str(), final_path.c_str()) != 0) {
    ::unlink(temp.c_str());
    fail_errno("rename", final_path);
  }
  // The rename is durable only once the directory entry is.
  fsync_path(shard, O_RDONLY | O_DIRECTORY);
}

}  // namespace

struct AttachmentWriter::Digest {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Digest() { EVP_MD_CTX_free(ctx); }
};

AttachmentWriter::AttachmentWriter(const std::string& dir)
    : dir_(dir), digest_(std::make_unique<Digest>()) {
  if (digest_->ctx == nullptr || EVP_DigestInit_ex(digest_->ctx, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("attachment store: SHA-256 failed");
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw std::runtime_error("attachment store: cannot create " + dir_ + ": " + ec.message());
  // Beside the shards, on the same file system, so that finish() is a rename.
  temp_ = (fs::path(dir_) / ".tmp-blob-XXXXXX").string();
  fd_ = ::mkstemp(temp_.data());
  if (fd_ < 0) fail_errno("create", temp_);
}

AttachmentWriter::~AttachmentWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_.c_str());
  }
}

void AttachmentWriter::write(std::string_view chunk) {
  if (fd_ < 0) throw std::runtime_error("attachment store: writer already finished");
  if (EVP_DigestUpdate(digest_->ctx, chunk.data(), chunk.size()) != 1)
    throw std::runtime_error("attachment store: SHA-256 failed");
  std::size_t written = 0;
  while (written < chunk.size()) {
    const ssize_t n = ::write(fd_, chunk.data() + written, chunk.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("write", temp_);
    written += static_cast<std::size_t>(n);
  }
  size_ += chunk.size();
}

std::string AttachmentWriter::finish() {
  if (fd_ < 0) throw std::runtime_error("attachment store: writer already finished");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(digest_->ctx, digest, &len) != 1)
    throw std::runtime_error("attachment store: SHA-256 failed");
  const std::string sha = hex_of(digest, len);
  const int fd = fd_;
  fd_ = -1;
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(temp_.c_str());
    fail_errno("fsync", temp_);
  }
  const std::string final_path = AttachmentFiles(dir_).path_of(sha);
  if (fs::exists(final_path)) {
    ::unlink(temp_.c_str());  // same name, same content: already durable
    return sha;
  }
  commit_temp(temp_, final_path);
  return sha;
}

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
  return hex_of(digest, len);
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
  const std::string shard = shard_of(final_path);

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
  commit_temp(temp, final_path);
  return sha;
}

std::optional<std::uint64_t> AttachmentFiles::size_of(const std::string& sha) const {
  if (!is_sha256_hex(sha)) return std::nullopt;
  std::error_code ec;
  const auto size = fs::file_size(path_of(sha), ec);
  if (ec) return std::nullopt;
  return static_cast<std::uint64_t>(size);
}

std::optional<std::size_t> AttachmentFiles::read(const std::string& sha, std::uint64_t offset,
                                                 void* buffer, std::size_t capacity,
                                                 std::uint64_t& total) const {
  if (!is_sha256_hex(sha)) return std::nullopt;  // never a path outside the store
  const std::string path = path_of(sha);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    fail_errno("open", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    fail_errno("stat", path);
  }
  total = static_cast<std::uint64_t>(st.st_size);
  std::size_t got = 0;
  while (got < capacity && offset + got < total) {
    const ssize_t n = ::pread(fd, static_cast<char*>(buffer) + got, capacity - got,
                              static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      fail_errno("read", path);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return got;
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
