#include "header_decoding.hpp"
#include "ascii_text.hpp"

#include "charset_conversion.hpp"
#include "gmime_handles.hpp"

#include <optional>
#include <string_view>

namespace omnigate::email {
namespace {

// `raw` with superset charsets, as a C string GMime can read.
const char* superset_value(const char* raw, std::optional<std::string>& storage) {
  storage = with_superset_charsets(raw);
  return storage ? storage->c_str() : raw;
}

void keep_valid(std::string& text, const char* what, ReadContext& context) {
  if (make_valid_utf8(text))
    context.problem(std::string("invalid characters in ") + what + " replaced");
}

void lower_case_domain(std::string& address) {
  const std::size_t at = address.rfind('@');
  if (at == std::string::npos) return;
  for (std::size_t i = at + 1; i < address.size(); ++i) address[i] = g_ascii_tolower(address[i]);
}

void append_mailboxes(InternetAddressList* list, std::vector<MailAddress>& out,
                      ReadContext& context) {
  const int count = internet_address_list_length(list);
  for (int i = 0; i < count; ++i) {
    InternetAddress* address = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(address)) {
      append_mailboxes(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)), out,
                       context);
      continue;
    }
    if (!INTERNET_ADDRESS_IS_MAILBOX(address)) continue;
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
    if (addr == nullptr || *addr == '\0') continue;
    MailAddress mailbox;
    const char* name = internet_address_get_name(address);
    mailbox.name = std::string(trim_space(name != nullptr ? name : ""));
    mailbox.address = addr;
    keep_valid(mailbox.name, "an address's display name", context);
    keep_valid(mailbox.address, "an address", context);
    lower_case_domain(mailbox.address);
    out.push_back(std::move(mailbox));
  }
}

enum class FilenameHeader { disposition, content_type };

// GMime has read the parameters already, with the charsets as declared: a header that names a
// charset with a superset is read again with the superset.
std::string filename_parameter(GMimeObject* part, FilenameHeader which, ReadContext& context) {
  const bool disposition = which == FilenameHeader::disposition;
  const char* raw = raw_header(part, disposition ? "Content-Disposition" : "Content-Type");
  if (raw == nullptr) return {};
  const char* name = nullptr;
  const std::optional<std::string> rewritten = with_superset_charsets(raw);
  if (!rewritten) {
    GMimeContentDisposition* parsed = g_mime_object_get_content_disposition(part);
    name = !disposition        ? g_mime_object_get_content_type_parameter(part, "name")
           : parsed != nullptr ? g_mime_content_disposition_get_parameter(parsed, "filename")
                               : nullptr;
    return name != nullptr ? name : "";
  }
  if (disposition) {
    GObjectPtr<GMimeContentDisposition> parsed(
        g_mime_content_disposition_parse(context.parser_options, rewritten->c_str()));
    if (parsed) name = g_mime_content_disposition_get_parameter(parsed.get(), "filename");
    return name != nullptr ? name : "";
  }
  GObjectPtr<GMimeContentType> parsed(
      g_mime_content_type_parse(context.parser_options, rewritten->c_str()));
  if (parsed) name = g_mime_content_type_get_parameter(parsed.get(), "name");
  return name != nullptr ? name : "";
}

}  // namespace

const char* raw_header(GMimeObject* object, const char* name) {
  GMimeHeader* header = g_mime_header_list_get_header(g_mime_object_get_header_list(object), name);
  return header != nullptr ? g_mime_header_get_raw_value(header) : nullptr;
}

std::string decode_text_header(const char* raw, ReadContext& context) {
  if (raw == nullptr) return {};
  std::optional<std::string> storage;
  const std::string unfolded =
      take_gstring(g_mime_utils_header_unfold(superset_value(raw, storage)));
  std::string decoded =
      take_gstring(g_mime_utils_header_decode_text(context.parser_options, unfolded.c_str()));
  keep_valid(decoded, "a header", context);
  return std::string(trim_space(decoded));
}

std::vector<MailAddress> decode_address_list(const char* raw, ReadContext& context) {
  std::vector<MailAddress> out;
  if (raw == nullptr) return out;
  std::optional<std::string> storage;
  GObjectPtr<InternetAddressList> list(
      internet_address_list_parse(context.parser_options, superset_value(raw, storage)));
  if (list) append_mailboxes(list.get(), out, context);
  return out;
}

std::string decode_part_filename(GMimeObject* part, ReadContext& context) {
  std::string filename = filename_parameter(part, FilenameHeader::disposition, context);
  if (filename.empty()) filename = filename_parameter(part, FilenameHeader::content_type, context);
  keep_valid(filename, "a file name", context);
  return std::string(trim_space(filename));
}

}  // namespace omnigate::email
