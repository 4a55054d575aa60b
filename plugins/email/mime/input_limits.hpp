// How much of a raw message is given to GMime under ReadLimits. GMime builds every part it
// finds in memory before anything can count them, so what could blow up (a huge message, a
// huge header block, a hundred thousand tiny parts) is cut here, from the raw bytes, before
// parsing; the limits on parts and depth themselves are applied while walking the parts.
#pragma once

#include "email_reader.hpp"

#include <string>
#include <string_view>

namespace omnigate::email {

struct InputPlan {
  std::string_view bytes;     // the prefix of the raw message to parse
  bool headers_only = false;  // only the header block is read
  std::string problem;        // why less than the whole message is read; empty if it all is
};

InputPlan plan_input(std::string_view raw, const ReadLimits& limits);

}  // namespace omnigate::email
