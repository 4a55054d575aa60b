#include "authentication_results.hpp"
#include "ascii_text.hpp"

#include "charset_conversion.hpp"
#include "gmime_handles.hpp"

#include <string>
#include <string_view>

namespace omnigate::email {
namespace {

// The result word of `method` ("spf", ...) in a lower-cased Authentication-Results value:
// "spf=pass" where "spf" starts a resinfo (after ';' or white space), not "smtp.spf=...".
std::string method_result(std::string_view lowered, std::string_view method) {
  for (std::size_t at = lowered.find(method); at != std::string_view::npos;
       at = lowered.find(method, at + 1)) {
    const char before = at == 0 ? ';' : lowered[at - 1];
    std::size_t i = at + method.size();
    if (before != ';' && before != ' ' && before != '\t' && before != '\n') continue;
    while (i < lowered.size() && (lowered[i] == ' ' || lowered[i] == '\t')) ++i;
    if (i >= lowered.size() || lowered[i] != '=') continue;
    ++i;
    while (i < lowered.size() && (lowered[i] == ' ' || lowered[i] == '\t')) ++i;
    const std::size_t word = i;
    while (i < lowered.size() && g_ascii_isalpha(lowered[i])) ++i;
    if (i > word) return std::string(lowered.substr(word, i - word));
  }
  return {};
}

}  // namespace

AuthenticationResults read_authentication_results(GMimeObject* message) {
  AuthenticationResults results;
  GMimeHeaderList* headers = g_mime_object_get_header_list(message);
  const int count = g_mime_header_list_get_count(headers);
  for (int i = 0; i < count; ++i) {
    GMimeHeader* header = g_mime_header_list_get_header_at(headers, i);
    if (g_ascii_strcasecmp(g_mime_header_get_name(header), "Authentication-Results") != 0) continue;
    const std::string unfolded =
        take_gstring(g_mime_utils_header_unfold(g_mime_header_get_raw_value(header)));
    const std::string_view value = trim_space(unfolded);
    if (!results.raw.empty()) results.raw += '\n';
    results.raw += value;
    std::string lowered(value);
    for (char& c : lowered) c = g_ascii_tolower(c);
    if (results.spf.empty()) results.spf = method_result(lowered, "spf");
    if (results.dkim.empty()) results.dkim = method_result(lowered, "dkim");
    if (results.dmarc.empty()) results.dmarc = method_result(lowered, "dmarc");
  }
  make_valid_utf8(results.raw);  // verdict words are ASCII; the raw text is kept for display
  return results;
}

}  // namespace omnigate::email
