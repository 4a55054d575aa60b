// A leaf part's content with its Content-Transfer-Encoding (base64, quoted-printable,
// uuencode) undone, decoded straight from the message's bytes into the result.
#pragma once

#include <gmime/gmime.h>

#include <string>

namespace omnigate::email {

struct DecodedContent {
  std::string bytes;
  bool broken_base64 = false;  // characters outside the alphabet or a truncated last group
};

DecodedContent decode_part_content(GMimePart* part);

}  // namespace omnigate::email
