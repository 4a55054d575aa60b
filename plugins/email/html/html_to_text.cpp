#include <algorithm>
#include <vector>

#include "gumbo_document.hpp"
#include "html_element_policy.hpp"
#include "html_sanitizer.hpp"
#include "safe_url.hpp"

namespace omnigate::email {

namespace {

bool is_collapsible_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_collapsible_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_collapsible_space(s.back())) s.remove_suffix(1);
  return s;
}

// Lays out text line by line the way a browser would show it, with "> " for each enclosing
// <blockquote> and "- " for list items. Breaks and spaces are kept pending and only written
// before the next visible character, so empty elements leave no blank lines behind.
class TextLayout {
 public:
  void request_break(int newlines) { pending_newlines_ = std::max(pending_newlines_, newlines); }
  void request_space() { pending_space_ = true; }
  void request_bullet() { pending_bullet_ = true; }

  void line_break() {
    trim_trailing_spaces();
    out_ += '\n';
    ++newlines_at_end_;
    at_line_start_ = true;
    pending_space_ = false;
  }

  // Text outside <pre>: whitespace runs collapse to one space; U+00A0 stays a space.
  void collapsed_text(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (is_collapsible_space(c)) {
        pending_space_ = true;
      } else if (c == '\xC2' && i + 1 < text.size() && text[i + 1] == '\xA0') {
        begin_visible();
        out_ += ' ';
        ++i;
      } else {
        begin_visible();
        out_ += c;
      }
    }
  }

  void preformatted_text(std::string_view text) {
    for (char c : text) {
      if (c == '\n') {
        line_break();
      } else if (c != '\r') {
        begin_visible();
        out_ += c;
      }
    }
  }

  void enter_quote() { ++quote_depth_; }
  void leave_quote() { --quote_depth_; }
  void enter_list() { ++list_depth_; }
  void leave_list() { --list_depth_; }
  bool in_list() const { return list_depth_ > 0; }

  std::size_t size() const { return out_.size(); }
  std::string_view since(std::size_t offset) const { return std::string_view(out_).substr(offset); }

  std::string finish() {
    const std::size_t begin = out_.find_first_not_of('\n');
    if (begin == std::string::npos) return {};
    std::size_t end = out_.size();
    while (end > begin && is_collapsible_space(out_[end - 1])) --end;
    return out_.substr(begin, end - begin);
  }

 private:
  void trim_trailing_spaces() {
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
  }

  void begin_visible() {
    if (!out_.empty() && pending_newlines_ > newlines_at_end_) {
      trim_trailing_spaces();
      out_.append(static_cast<std::size_t>(pending_newlines_ - newlines_at_end_), '\n');
      at_line_start_ = true;
    }
    pending_newlines_ = 0;
    if (at_line_start_) {
      for (int i = 0; i < quote_depth_; ++i) out_ += "> ";
      if (pending_bullet_) {
        for (int i = 1; i < list_depth_; ++i) out_ += "  ";
        out_ += "- ";
        pending_bullet_ = false;
      }
      at_line_start_ = false;
    } else if (pending_space_) {
      out_ += ' ';
    }
    pending_space_ = false;
    newlines_at_end_ = 0;
  }

  std::string out_;
  int pending_newlines_ = 0;
  int newlines_at_end_ = 0;
  bool pending_space_ = false;
  bool pending_bullet_ = false;
  bool at_line_start_ = true;
  int quote_depth_ = 0;
  int list_depth_ = 0;
};

int newlines_for(TextBreak kind) {
  switch (kind) {
    case TextBreak::kParagraph:
      return 2;
    case TextBreak::kLine:
      return 1;
    case TextBreak::kCell:
    case TextBreak::kInline:
      return 0;
  }
  return 0;
}

struct OpenLink {
  std::string url;
  std::size_t text_start;
};

class TextExtractor {
 public:
  Descend enter(const GumboNode* node) {
    switch (node->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_WHITESPACE:
      case GUMBO_NODE_CDATA:
        if (preformatted_depth_ > 0) {
          layout_.preformatted_text(node->v.text.text);
        } else {
          layout_.collapsed_text(node->v.text.text);
        }
        return Descend::kNo;
      case GUMBO_NODE_ELEMENT:
        return enter_element(node->v.element);
      case GUMBO_NODE_DOCUMENT:
        return Descend::kYes;
      case GUMBO_NODE_COMMENT:
      case GUMBO_NODE_TEMPLATE:
        return Descend::kNo;
    }
    return Descend::kNo;
  }

  void leave(const GumboNode* node) {
    if (node->type != GUMBO_NODE_ELEMENT) return;
    const GumboElement& element = node->v.element;
    switch (element.tag) {
      case GUMBO_TAG_BLOCKQUOTE:
        layout_.leave_quote();
        break;
      case GUMBO_TAG_UL:
      case GUMBO_TAG_OL:
        layout_.leave_list();
        break;
      case GUMBO_TAG_PRE:
        --preformatted_depth_;
        break;
      case GUMBO_TAG_A:
        leave_link();
        break;
      default:
        break;
    }
    separate(element.tag);
  }

  std::string finish() { return layout_.finish(); }

 private:
  Descend enter_element(const GumboElement& element) {
    if (element_rule(element) == ElementRule::kDropWithContent) return Descend::kNo;
    separate(element.tag);
    switch (element.tag) {
      case GUMBO_TAG_BR:
        layout_.line_break();
        break;
      case GUMBO_TAG_BLOCKQUOTE:
        layout_.enter_quote();
        break;
      case GUMBO_TAG_UL:
      case GUMBO_TAG_OL:
        layout_.enter_list();
        break;
      case GUMBO_TAG_LI:
        layout_.request_bullet();
        break;
      case GUMBO_TAG_PRE:
        ++preformatted_depth_;
        break;
      case GUMBO_TAG_A:
        enter_link(element);
        break;
      case GUMBO_TAG_IMG: {
        const GumboAttribute* alt = gumbo_get_attribute(&element.attributes, "alt");
        if (alt != nullptr) layout_.collapsed_text(alt->value);
        break;
      }
      default:
        break;
    }
    return Descend::kYes;
  }

  // The break or space around an element, on both sides of it.
  void separate(GumboTag tag) {
    const TextBreak kind = text_break(tag);
    if (kind == TextBreak::kCell) layout_.request_space();
    // A list inside a list item continues the outer list: no blank line around it.
    const bool nested_list = (tag == GUMBO_TAG_UL || tag == GUMBO_TAG_OL) && layout_.in_list();
    layout_.request_break(nested_list ? 1 : newlines_for(kind));
  }

  void enter_link(const GumboElement& element) {
    const GumboAttribute* href = gumbo_get_attribute(&element.attributes, "href");
    std::string url = href == nullptr ? std::string{} : normalize_url(href->value);
    if (!is_allowed_link_scheme(url_scheme(url))) url.clear();
    links_.push_back({std::move(url), layout_.size()});
  }

  // "text <url>", unless the text already says where the link goes.
  void leave_link() {
    if (links_.empty()) return;
    const OpenLink link = std::move(links_.back());
    links_.pop_back();
    if (link.url.empty()) return;
    const std::string_view text = trim(layout_.since(link.text_start));
    const std::string_view url = link.url;
    const bool mailto_of_text = url.starts_with("mailto:") && url.substr(7) == text;
    if (text == url || mailto_of_text) return;
    layout_.request_space();
    layout_.collapsed_text("<");
    layout_.collapsed_text(url);
    layout_.collapsed_text(">");
  }

  TextLayout layout_;
  std::vector<OpenLink> links_;
  int preformatted_depth_ = 0;
};

}  // namespace

std::string html_to_text(std::string_view html) {
  const GumboDocument document(html);
  TextExtractor extractor;
  walk_tree(document.root(), extractor);
  return extractor.finish();
}

}  // namespace omnigate::email
