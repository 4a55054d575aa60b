#include "html_element_policy.hpp"

#include <array>

namespace omnigate::email {

namespace {

constexpr std::array kKeptElements = {
    GUMBO_TAG_P,        GUMBO_TAG_DIV,     GUMBO_TAG_SPAN,       GUMBO_TAG_BR,    GUMBO_TAG_HR,
    GUMBO_TAG_B,        GUMBO_TAG_I,       GUMBO_TAG_U,          GUMBO_TAG_S,     GUMBO_TAG_STRIKE,
    GUMBO_TAG_EM,       GUMBO_TAG_STRONG,  GUMBO_TAG_SMALL,      GUMBO_TAG_BIG,   GUMBO_TAG_SUB,
    GUMBO_TAG_SUP,      GUMBO_TAG_TT,      GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_PRE,   GUMBO_TAG_CODE,
    GUMBO_TAG_UL,       GUMBO_TAG_OL,      GUMBO_TAG_LI,         GUMBO_TAG_DL,    GUMBO_TAG_DT,
    GUMBO_TAG_DD,       GUMBO_TAG_H1,      GUMBO_TAG_H2,         GUMBO_TAG_H3,    GUMBO_TAG_H4,
    GUMBO_TAG_H5,       GUMBO_TAG_H6,      GUMBO_TAG_TABLE,      GUMBO_TAG_THEAD, GUMBO_TAG_TBODY,
    GUMBO_TAG_TFOOT,    GUMBO_TAG_TR,      GUMBO_TAG_TD,         GUMBO_TAG_TH,    GUMBO_TAG_CAPTION,
    GUMBO_TAG_COLGROUP, GUMBO_TAG_COL,     GUMBO_TAG_A,          GUMBO_TAG_IMG,   GUMBO_TAG_FONT,
    GUMBO_TAG_CENTER,   GUMBO_TAG_DEL,     GUMBO_TAG_INS,        GUMBO_TAG_CITE,  GUMBO_TAG_Q,
    GUMBO_TAG_ABBR,     GUMBO_TAG_ADDRESS,
};

// Hidden (head, title, noscript), active (script, objects, frames, form controls, media) or
// foreign (svg, math: their own namespaces carry script and links of their own).
constexpr std::array kDroppedWithContent = {
    GUMBO_TAG_HEAD,     GUMBO_TAG_TITLE,   GUMBO_TAG_BASE,     GUMBO_TAG_LINK,
    GUMBO_TAG_META,     GUMBO_TAG_STYLE,   GUMBO_TAG_SCRIPT,   GUMBO_TAG_NOSCRIPT,
    GUMBO_TAG_TEMPLATE, GUMBO_TAG_IFRAME,  GUMBO_TAG_FRAME,    GUMBO_TAG_FRAMESET,
    GUMBO_TAG_NOFRAMES, GUMBO_TAG_NOEMBED, GUMBO_TAG_OBJECT,   GUMBO_TAG_EMBED,
    GUMBO_TAG_APPLET,   GUMBO_TAG_PARAM,   GUMBO_TAG_INPUT,    GUMBO_TAG_BUTTON,
    GUMBO_TAG_SELECT,   GUMBO_TAG_OPTION,  GUMBO_TAG_OPTGROUP, GUMBO_TAG_TEXTAREA,
    GUMBO_TAG_DATALIST, GUMBO_TAG_KEYGEN,  GUMBO_TAG_OUTPUT,   GUMBO_TAG_PROGRESS,
    GUMBO_TAG_METER,    GUMBO_TAG_SVG,     GUMBO_TAG_MATH,     GUMBO_TAG_AUDIO,
    GUMBO_TAG_VIDEO,    GUMBO_TAG_SOURCE,  GUMBO_TAG_TRACK,    GUMBO_TAG_CANVAS,
    GUMBO_TAG_BGSOUND,  GUMBO_TAG_ISINDEX,
};

constexpr std::array kVoidElements = {GUMBO_TAG_BR, GUMBO_TAG_HR, GUMBO_TAG_IMG, GUMBO_TAG_COL,
                                      GUMBO_TAG_WBR};

template <std::size_t N>
bool contains(const std::array<GumboTag, N>& tags, GumboTag tag) {
  for (GumboTag t : tags) {
    if (t == tag) return true;
  }
  return false;
}

constexpr std::array<std::string_view, 13> kGlobalAttributes = {
    "title", "dir",    "lang",    "colspan", "rowspan",     "align",       "valign",
    "width", "height", "bgcolor", "border",  "cellpadding", "cellspacing",
};

}  // namespace

ElementRule element_rule(const GumboElement& element) {
  if (element.tag_namespace != GUMBO_NAMESPACE_HTML) return ElementRule::kDropWithContent;
  if (element.tag == GUMBO_TAG_HTML || element.tag == GUMBO_TAG_BODY) {
    return ElementRule::kTransparent;
  }
  if (contains(kKeptElements, element.tag)) return ElementRule::kKeep;
  if (contains(kDroppedWithContent, element.tag)) return ElementRule::kDropWithContent;
  return ElementRule::kUnwrap;
}

bool is_void_element(GumboTag tag) {
  return contains(kVoidElements, tag);
}

bool is_allowed_plain_attribute(GumboTag tag, std::string_view name) {
  for (std::string_view allowed : kGlobalAttributes) {
    if (name == allowed) return true;
  }
  if (tag == GUMBO_TAG_IMG) return name == "alt";
  if (tag == GUMBO_TAG_FONT) return name == "color" || name == "face" || name == "size";
  return false;
}

TextBreak text_break(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_FIGURE:
      return TextBreak::kParagraph;
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_HGROUP:
      return TextBreak::kLine;
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
      return TextBreak::kCell;
    default:
      return TextBreak::kInline;
  }
}

}  // namespace omnigate::email
