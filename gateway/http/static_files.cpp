#include "http/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

namespace omnigate::http {
namespace fs = std::filesystem;
namespace {

Response not_found() {
  Response r;
  r.status = 404;
  r.body = R"({"error":"not_found","message":"no such file"})";
  return r;
}

bool has_dot_dot_segment(const std::string& path) {
  std::size_t pos = 0;
  while (pos <= path.size()) {
    const auto slash = path.find_first_of("/\\", pos);
    const auto end = slash == std::string::npos ? path.size() : slash;
    if (path.compare(pos, end - pos, "..") == 0 && end - pos == 2) return true;
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return false;
}

// True if `p` is `root` or below it (both canonical).
bool is_within(const fs::path& root, const fs::path& p) {
  auto r = root.begin();
  auto q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

}  // namespace

std::string content_type_for(const std::string& filename) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
  };
  const std::string ext = fs::path(filename).extension().string();
  for (const auto& [e, type] : kTypes) {
    if (ext == e) return type;
  }
  return "application/octet-stream";
}

Handler static_file_handler(const std::string& root_dir, HeaderList extra_headers) {
  std::error_code ec;
  const fs::path root = fs::canonical(root_dir, ec);
  return [root, missing_root = static_cast<bool>(ec), extra_headers = std::move(extra_headers)](
             const Request& req, Reply reply) {
    auto it = req.params.find("*");
    const std::string rel = it == req.params.end() ? std::string{} : it->second;
    if (missing_root || rel.find('\0') != std::string::npos || has_dot_dot_segment(rel)) {
      return reply(not_found());
    }
    fs::path file = root / rel;
    std::error_code err;
    if (fs::is_directory(file, err)) file /= "index.html";
    const fs::path resolved = fs::canonical(file, err);
    if (err || !is_within(root, resolved) || !fs::is_regular_file(resolved, err)) {
      return reply(not_found());
    }
    std::ifstream in(resolved, std::ios::binary);
    if (!in) return reply(not_found());
    Response r;
    r.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    r.content_type = content_type_for(resolved.filename().string());
    r.headers.emplace_back("Cache-Control", "no-cache");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.insert(r.headers.end(), extra_headers.begin(), extra_headers.end());
    reply(std::move(r));
  };
}

void serve_static(Router& router, const std::string& web_dir) {
  router.add("GET", "/*", AccessRule::for_anyone(), static_file_handler(web_dir));
}

}  // namespace omnigate::http
