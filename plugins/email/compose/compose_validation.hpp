// The checks that make header injection impossible in outgoing mail: every field that ends up
// in a header is refused (ComposeError naming the field) if it holds a CR, LF or NUL, and
// addresses, ids, header names and content types must have their plain shape. GMime encodes
// what passes; nothing here rewrites a value.
#pragma once

#include "email_composer.hpp"

namespace omnigate::email {

// Throws ComposeError for the first field of `input` that may not go into a header as it is.
void validate_compose_input(const ComposeInput& input);

}  // namespace omnigate::email
