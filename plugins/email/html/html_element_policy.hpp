// Which HTML elements and attributes an e-mail may keep (the sanitiser's allow-list), and how
// elements lay out as text. Shared by the sanitiser and html_to_text so both drop the same
// hidden content (scripts, styles, the head, form controls, embedded objects).
#pragma once

#include <gumbo.h>

#include <string_view>

namespace omnigate::email {

enum class ElementRule {
  kKeep,             // allowed: the element is written with its allowed attributes
  kUnwrap,           // not allowed, harmless content: the tag goes, the children stay
  kDropWithContent,  // not allowed, content hidden or active: the element and its subtree go
  kTransparent,      // <html>, <body>: the fragment's frame, neither written nor counted
};

ElementRule element_rule(const GumboElement& element);

// Elements without content or end tag (<br>, <img>, ...).
bool is_void_element(GumboTag tag);

// Plain attributes (not URLs, not style) an allowed element may keep; the value is only escaped.
bool is_allowed_plain_attribute(GumboTag tag, std::string_view name);

// How an element separates its text from the surrounding text in html_to_text.
enum class TextBreak {
  kInline,     // no break
  kCell,       // a space between table cells
  kLine,       // starts and ends on its own line
  kParagraph,  // separated by a blank line
};

TextBreak text_break(GumboTag tag);

}  // namespace omnigate::email
