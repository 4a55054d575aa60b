#include "input_limits.hpp"

#include <cstring>

namespace omnigate::email {
namespace {

// The length of the header block including the empty line that ends it (the whole message
// when it has no body).
std::size_t header_block_size(std::string_view raw) {
  for (std::size_t at = raw.find('\n'); at != std::string_view::npos; at = raw.find('\n', at + 1)) {
    if (at + 1 < raw.size() && raw[at + 1] == '\n') return at + 2;
    if (at + 2 < raw.size() && raw[at + 1] == '\r' && raw[at + 2] == '\n') return at + 3;
  }
  return raw.size();
}

// Where the line that makes `max_lines` + 1 lines starting with "--" begins: every MIME part
// but the first of a multipart needs such a boundary line, so a message with more of them than
// this cannot be within the part limit (or is mostly dashes). npos when there are not that many.
std::size_t boundary_line_cut(std::string_view raw, std::size_t max_lines) {
  std::size_t lines = 0;
  const char* begin = raw.data();
  const char* end = begin + raw.size();
  for (const char* at = begin; at < end;) {
    const void* found = memmem(at, static_cast<std::size_t>(end - at), "\n--", 3);
    if (found == nullptr) return std::string_view::npos;
    const char* line = static_cast<const char*>(found) + 1;
    if (++lines > max_lines) return static_cast<std::size_t>(line - begin);
    at = line + 2;
  }
  return std::string_view::npos;
}

}  // namespace

InputPlan plan_input(std::string_view raw, const ReadLimits& limits) {
  InputPlan plan{raw, false, {}};
  const std::size_t header_size = header_block_size(raw);
  if (header_size > limits.max_header_bytes) {
    const std::size_t last_line = limits.max_header_bytes == 0
                                      ? std::string_view::npos
                                      : raw.rfind('\n', limits.max_header_bytes - 1);
    plan.bytes = raw.substr(
        0, last_line == std::string_view::npos ? limits.max_header_bytes : last_line + 1);
    plan.headers_only = true;
    plan.problem = "header block larger than " + std::to_string(limits.max_header_bytes) +
                   " bytes: only its first " + std::to_string(plan.bytes.size()) +
                   " bytes were read";
    return plan;
  }
  if (raw.size() > limits.max_message_bytes) {
    plan.bytes = raw.substr(0, header_size);
    plan.headers_only = true;
    plan.problem = "message of " + std::to_string(raw.size()) + " bytes larger than " +
                   std::to_string(limits.max_message_bytes) + " bytes: only its headers were read";
    return plan;
  }
  const std::size_t max_lines =
      4 * static_cast<std::size_t>(limits.max_parts > 0 ? limits.max_parts : 0) + 16;
  if (const std::size_t cut = boundary_line_cut(raw, max_lines); cut != std::string_view::npos) {
    plan.bytes = raw.substr(0, cut);
    plan.problem = "more than " + std::to_string(max_lines) + " MIME boundary lines (limit of " +
                   std::to_string(limits.max_parts) + " parts): the rest was not read";
  }
  return plan;
}

}  // namespace omnigate::email
