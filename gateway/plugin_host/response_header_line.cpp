#include "plugin_host/response_header_line.hpp"

#include <string>

namespace omnigate::plugin_host {

void add_response_header_line(std::string_view line, http::HeaderList& headers) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    headers.clear();
    return;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
}

}  // namespace omnigate::plugin_host
