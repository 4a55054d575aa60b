// Makes an e-mail's HTML safe to show in the consoles (in a sandboxed frame), with gumbo (a
// maintained HTML5 parser) and an allow-list: only listed elements and attributes survive; no
// script, style sheets that can load anything, forms, frames, objects or event handlers; URLs
// only http(s)/mailto/tel, and cid: for inline images; remote images are not loaded unless
// asked (their address is kept in data-og-remote-src so a console can offer to load them).
// Linear in the input: an HTML mail with thousands of links is sanitised in milliseconds.
#pragma once

#include <string>
#include <string_view>

namespace omnigate::email {

struct SanitizeOptions {
  bool load_remote_images = false;  // keep http(s) <img src> (default: moved to data-og-remote-src)
};

struct SanitizedHtml {
  std::string html;            // a UTF-8 fragment: the body's content, no <html>/<head>
  int removed_elements = 0;    // elements dropped (with their content for script/style/...)
  int removed_attributes = 0;  // attributes dropped or neutralised
  int blocked_images = 0;      // remote images not loaded
};

// `html` must be UTF-8 (the reader converts the part's charset first).
SanitizedHtml sanitize_html(std::string_view html, const SanitizeOptions& options = {});

// The readable text of an HTML document: block elements become line breaks, links keep their
// address ("text <url>") where it differs from the text, lists get "- ", scripts and styles
// are dropped, entities decoded, whitespace collapsed as a browser would. UTF-8 in and out.
std::string html_to_text(std::string_view html);

}  // namespace omnigate::email
