#include "store/customer_text.hpp"

#include "omnigate/utf8.hpp"

namespace omnigate::store {

void append_form_field(std::string& form, std::string_view name, std::string_view value) {
  constexpr char kHex[] = "0123456789ABCDEF";
  if (!form.empty()) form += '&';
  form += name;
  form += '=';
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      form += ch;
    } else {
      form += '%';
      form += kHex[c >> 4];
      form += kHex[c & 0xF];
    }
  }
}

TextRepair repair_text(std::initializer_list<TextField> fields) {
  TextRepair out;
  for (const auto& f : fields) {
    if (utf8::is_valid(*f.text)) continue;
    out.changed.push_back(f.name);
    append_form_field(out.originals, f.name, *f.text);
    *f.text = utf8::repaired(*f.text);
  }
  return out;
}

}  // namespace omnigate::store
