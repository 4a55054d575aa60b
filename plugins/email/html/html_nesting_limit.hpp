// Bounds how deep a document can nest before gumbo parses it.
//
// gumbo follows the HTML5 tree-construction algorithm literally: every start tag checks "has an
// element in scope" by walking the stack of open elements, and text re-opens every formatting
// element (<b>, <font>, ...) left open. A hostile message with 200,000 nested <div>s (1 MB) or
// thousands of unclosed <font>s thus costs minutes of CPU. Browsers cap the tree depth (Blink at
// 512); this does the same in front of gumbo: a cheap scan estimates the depth, and start tags
// beyond the limit are cut out of the input (their content stays, as for unknown elements).
// Safety never depends on the scan: whatever it leaves, the sanitiser's allow-list still judges
// what gumbo makes of it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace omnigate::email {

// Deeper than any real message's layout (newsletters reach 40-60), small enough that gumbo's
// per-tag walks over the open elements stay cheap.
inline constexpr int kMaxHtmlNesting = 256;

// `html` without the start tags that would nest deeper than `max_depth` elements or keep more
// than `max_depth` formatting elements open; nullopt if there are none (the usual case).
std::optional<std::string> limit_html_nesting(std::string_view html,
                                              int max_depth = kMaxHtmlNesting);

}  // namespace omnigate::email
