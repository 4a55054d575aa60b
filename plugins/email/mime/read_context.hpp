// What the steps of read_email() share: the result being filled, the caller's options, and
// GMime's parser options (fallback charsets for undeclared 8-bit text).
#pragma once

#include "email_reader.hpp"
#include "parsed_email.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <string>
#include <utility>

namespace omnigate::email {

struct ReadContext {
  static constexpr std::size_t kMaxProblems = 32;  // a hostile mail cannot grow the list

  ParsedEmail& out;
  const ReadOptions& options;
  GMimeParserOptions* parser_options;
  // how the message ends its lines, kept when an attached mail is written back out
  GMimeNewLineFormat newline_format = GMIME_NEWLINE_FORMAT_UNIX;

  // Every problem makes the message malformed (the caller keeps the raw bytes and flags it);
  // the same problem met again (a thousand bad parts) is listed once.
  void problem(std::string text) {
    out.malformed = true;
    if (out.problems.size() >= kMaxProblems) return;
    if (std::find(out.problems.begin(), out.problems.end(), text) == out.problems.end())
      out.problems.push_back(std::move(text));
  }
};

}  // namespace omnigate::email
