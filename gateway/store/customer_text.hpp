// Text that customers and providers send, made storable. The columns are TEXT: a value that is
// not UTF-8 reads back in omnigate (the JSON writers show U+FFFD) but fails every other reader of
// the database (backups, exports, Python's sqlite3). So the store writes the repaired text and
// keeps the original bytes as the message's audit copy (`raw`), flagging the message malformed.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::store {

struct TextField {
  std::string_view name;  // as the record names it, e.g. "body_text"
  std::string* text;
};

struct TextRepair {
  std::vector<std::string_view> changed;  // names of the fields that were not UTF-8
  // Their original bytes, form-encoded ("body_text=%FF%FEhi&subject=%E9t%E9"): ASCII, so it fits
  // a TEXT column, and lossless. Empty when every field was valid.
  std::string originals;
};

// Repairs each field in place (U+FFFD per maximal invalid subpart, omnigate/utf8.hpp).
TextRepair repair_text(std::initializer_list<TextField> fields);

// Appends `name=<value percent-encoded>` to a form-encoded list (with '&' when not empty).
void append_form_field(std::string& form, std::string_view name, std::string_view value);

}  // namespace omnigate::store
