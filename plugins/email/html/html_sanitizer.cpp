#include "html_sanitizer.hpp"

#include <omnigate/html_escape.hpp>
#include "css_style_filter.hpp"
#include "gumbo_document.hpp"
#include "html_element_policy.hpp"
#include "safe_url.hpp"

namespace omnigate::email {

namespace {

void append_attribute(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  append_html_escaped(out, value);
  out += '"';
}

const GumboNode* first_child(const GumboElement& element) {
  return element.children.length == 0 ? nullptr
                                      : static_cast<const GumboNode*>(element.children.data[0]);
}

// Writes the allowed part of the tree as an HTML fragment.
class Sanitizer {
 public:
  Sanitizer(const SanitizeOptions& options, SanitizedHtml& result, std::size_t input_size)
      : options_(options), result_(result) {
    result_.html.reserve(input_size);
  }

  Descend enter(const GumboNode* node) {
    switch (node->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_WHITESPACE:
      case GUMBO_NODE_CDATA:
        append_html_escaped(result_.html, node->v.text.text);
        return Descend::kNo;
      case GUMBO_NODE_ELEMENT:
        return enter_element(node->v.element);
      case GUMBO_NODE_TEMPLATE:
        ++result_.removed_elements;
        return Descend::kNo;
      case GUMBO_NODE_DOCUMENT:
        return Descend::kYes;
      case GUMBO_NODE_COMMENT:
        return Descend::kNo;
    }
    return Descend::kNo;
  }

  void leave(const GumboNode* node) {
    if (node->type != GUMBO_NODE_ELEMENT) return;
    const GumboElement& element = node->v.element;
    if (element_rule(element) != ElementRule::kKeep || is_void_element(element.tag)) return;
    result_.html += "</";
    result_.html += gumbo_normalized_tagname(element.tag);
    result_.html += '>';
  }

 private:
  Descend enter_element(const GumboElement& element) {
    switch (element_rule(element)) {
      case ElementRule::kTransparent:
        return Descend::kYes;
      case ElementRule::kUnwrap:
        ++result_.removed_elements;
        return Descend::kYes;
      case ElementRule::kDropWithContent:
        // The parser creates <head> for every document; what the author wrote is inside it.
        if (element.tag == GUMBO_TAG_HEAD) {
          for (unsigned i = 0; i < element.children.length; ++i) {
            const auto* child = static_cast<const GumboNode*>(element.children.data[i]);
            if (child->type == GUMBO_NODE_ELEMENT || child->type == GUMBO_NODE_TEMPLATE) {
              ++result_.removed_elements;
            }
          }
        } else {
          ++result_.removed_elements;
        }
        return Descend::kNo;
      case ElementRule::kKeep:
        break;
    }
    std::string& out = result_.html;
    out += '<';
    out += gumbo_normalized_tagname(element.tag);
    const bool has_link = write_attributes(element);
    if (has_link) {
      append_attribute(out, "rel", "noopener noreferrer nofollow");
      append_attribute(out, "target", "_blank");
    }
    out += '>';
    // A <pre>'s first newline is eaten by the parser: a text that starts with one needs a
    // second so that reparsing the output keeps it.
    if (element.tag == GUMBO_TAG_PRE) {
      const GumboNode* child = first_child(element);
      if (child != nullptr && child->type == GUMBO_NODE_TEXT && child->v.text.text[0] == '\n') {
        out += '\n';
      }
    }
    return is_void_element(element.tag) ? Descend::kNo : Descend::kYes;
  }

  // Returns whether an <a> kept its href.
  bool write_attributes(const GumboElement& element) {
    bool has_link = false;
    for (unsigned i = 0; i < element.attributes.length; ++i) {
      const auto* attribute = static_cast<const GumboAttribute*>(element.attributes.data[i]);
      const std::string_view name = attribute->name;
      const std::string_view value = attribute->value;
      if (attribute->attr_namespace != GUMBO_ATTR_NAMESPACE_NONE) {
        ++result_.removed_attributes;
      } else if (name == "style") {
        write_style(value);
      } else if (element.tag == GUMBO_TAG_A && name == "href") {
        has_link = write_link(value);
      } else if (element.tag == GUMBO_TAG_IMG && name == "src") {
        write_image_source(value);
      } else if (is_allowed_plain_attribute(element.tag, name)) {
        append_attribute(result_.html, name, value);
      } else {
        ++result_.removed_attributes;
      }
    }
    return has_link;
  }

  void write_style(std::string_view value) {
    FilteredStyle filtered = filter_style(value);
    if (filtered.dropped_any) ++result_.removed_attributes;
    if (!filtered.style.empty()) append_attribute(result_.html, "style", filtered.style);
  }

  bool write_link(std::string_view value) {
    const std::string url = normalize_url(value);
    if (!is_allowed_link_scheme(url_scheme(url))) {
      ++result_.removed_attributes;
      return false;
    }
    append_attribute(result_.html, "href", url);
    return true;
  }

  void write_image_source(std::string_view value) {
    const std::string url = normalize_url(value);
    const std::string scheme = url_scheme(url);
    if (scheme == "cid") {
      append_attribute(result_.html, "src", url);
    } else if (scheme == "http" || scheme == "https") {
      if (options_.load_remote_images) {
        append_attribute(result_.html, "src", url);
      } else {
        append_attribute(result_.html, "data-og-remote-src", url);
        ++result_.blocked_images;
        ++result_.removed_attributes;
      }
    } else {
      ++result_.removed_attributes;  // data:, javascript:, relative, ...
    }
  }

  const SanitizeOptions& options_;
  SanitizedHtml& result_;
};

}  // namespace

SanitizedHtml sanitize_html(std::string_view html, const SanitizeOptions& options) {
  SanitizedHtml result;
  const GumboDocument document(html);
  Sanitizer sanitizer(options, result, html.size());
  walk_tree(document.root(), sanitizer);
  return result;
}

}  // namespace omnigate::email
