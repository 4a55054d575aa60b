#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "html_nesting_limit.hpp"
#include "html_sanitizer.hpp"

using omnigate::email::sanitize_html;
using omnigate::email::SanitizeOptions;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = haystack.find(needle, at)) != std::string::npos; ++at) ++n;
  return n;
}

}  // namespace

TEST_CASE("script, style and their content are removed") {
  const auto result = sanitize_html(
      "<html><head><title>T</title><style>body{background:url(http://x/t.gif)}</style>"
      "<script>alert(1)</script></head><body><p>Hello</p><script>steal()</script>"
      "<SCRIPT SRC=//evil.example/x.js></SCRIPT></body></html>");
  CHECK(result.html == "<p>Hello</p>");
  CHECK(result.removed_elements == 5);  // title, style, script (head), script, script (body)
}

TEST_CASE("event handlers are removed from every element") {
  const auto result = sanitize_html(
      "<p onclick=\"x()\" ONMOUSEOVER='y()'>a</p><img src=\"cid:logo\" onerror=\"z()\">"
      "<body onload=\"w()\"><div/onfocus=v()>b</div>");
  const std::string html = lower(result.html);
  CHECK_FALSE(contains(html, "onclick"));
  CHECK_FALSE(contains(html, "onmouseover"));
  CHECK_FALSE(contains(html, "onerror"));
  CHECK_FALSE(contains(html, "onload"));
  CHECK_FALSE(contains(html, "onfocus"));
  CHECK(result.html == "<p>a</p><img src=\"cid:logo\"><div>b</div>");
}

TEST_CASE("javascript: and other schemes are removed from links, however they are disguised") {
  const char* const hostile[] = {
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      "jav&#x09;ascript:alert(1)",
      "jav&#9;ascript:alert(1)",
      "java&#x0A;script:alert(1)",
      "java&NewLine;script:alert(1)",
      " &#14; javascript:alert(1)",
      "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
      "javascript&colon;alert(1)",
      "vbscript:msgbox(1)",
      "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
      "/relative/path",
      "//evil.example/",
      "file:///etc/passwd",
  };
  for (const char* url : hostile) {
    INFO(url);
    const auto result = sanitize_html(std::string("<a href=\"") + url + "\">x</a>");
    CHECK(result.html == "<a>x</a>");
    CHECK(result.removed_attributes == 1);
  }
}

TEST_CASE("links keep http, https, mailto and tel and open in a new context") {
  for (const char* url : {"https://example.com/a?b=1&c=2", "http://example.com/",
                          "mailto:help@example.com", "tel:+49301234567", "HTTPS://EXAMPLE.COM/"}) {
    INFO(url);
    const auto result = sanitize_html(std::string("<a href=\"") + url + "\">x</a>");
    std::string escaped = url;
    if (const auto amp = escaped.find('&'); amp != std::string::npos) {
      escaped.replace(amp, 1, "&amp;");
    }
    CHECK(result.html == "<a href=\"" + escaped +
                             "\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">x</a>");
  }
}

TEST_CASE("style declarations that can load or run something are dropped, the rest stays") {
  const auto result = sanitize_html(
      "<div style=\"color: red; background: url(http://t.example/p.gif); font-size: 12px;"
      " width: expression(alert(1)); behavior: url(x.htc); -moz-binding: url(x.xml#y);"
      " background-image: u\\72l(http://t.example/); position: fixed;"
      " font-family: 'Segoe UI', Arial; color: rgb(1, 2, 3)\">x</div>");
  CHECK(result.html ==
        "<div style=\"color: red; font-size: 12px; font-family: &#39;Segoe UI&#39;, Arial;"
        " color: rgb(1, 2, 3)\">x</div>");
  CHECK(result.removed_attributes == 1);

  CHECK(sanitize_html("<p style=\"background:url(javascript:alert(1))\">x</p>").html == "<p>x</p>");
  CHECK(sanitize_html("<p style=\"color:red;/**/background:ur/**/l(x)\">x</p>").html ==
        "<p style=\"color: red\">x</p>");
  CHECK(sanitize_html("<p style=\"@import 'x.css'\">x</p>").html == "<p>x</p>");
}

TEST_CASE("svg and math are removed with everything inside them") {
  const auto result = sanitize_html(
      "<svg onload=alert(1)><script>alert(2)</script><a xlink:href=\"javascript:x\"><text>t</text>"
      "</a><foreignObject><img src=x onerror=alert(3)></foreignObject></svg>"
      "<p>after</p>");
  CHECK(result.html == "<p>after</p>");
  // The mutation-XSS shape: HTML inside MathML that a second parse would read differently.
  CHECK(sanitize_html("<math><mtext><table><mglyph><style><img src=x onerror=alert(4)></style>"
                      "</mtext></math>")
            .html.empty());
}

TEST_CASE("forms, nested forms and their controls go; the text inside a form stays") {
  const auto result = sanitize_html(
      "<form action=\"https://phish.example/\"><form><input name=\"password\" value=\"x\">"
      "<button formaction=\"javascript:alert(1)\">Go</button><select><option>o</option></select>"
      "<textarea>t</textarea>Please confirm</form></form>");
  CHECK(result.html == "Please confirm");
}

TEST_CASE("frames, objects, embeds, meta refresh and base are removed") {
  const auto result = sanitize_html(
      "<iframe src=\"https://x.example\">i</iframe><object data=\"x.swf\"><param name=a></object>"
      "<embed src=\"x.swf\"><applet code=\"x\"></applet><meta http-equiv=\"refresh\" "
      "content=\"0;url=https://x.example\"><base href=\"https://x.example/\"><link rel=stylesheet "
      "href=\"https://x.example/s.css\"><noscript><p>n</p></noscript><template><p>t</p></template>"
      "<p>kept</p>");
  CHECK(result.html == "<p>kept</p>");
}

TEST_CASE("comments are removed, conditional comments included") {
  CHECK(sanitize_html("<p>a<!--[if mso]><script>x()</script><![endif]-->b</p><!-- c -->").html ==
        "<p>ab</p>");
}

TEST_CASE("unknown elements lose their tag and keep their content") {
  const auto result =
      sanitize_html("<o:p>x</o:p><custom-tag data-a=1>y</custom-tag><marquee>z</marquee>");
  CHECK(result.html == "xyz");
  CHECK(result.removed_elements == 3);
}

TEST_CASE("tables and their layout attributes survive") {
  const auto result = sanitize_html(
      "<table border=\"0\" cellpadding=\"4\" cellspacing=\"0\" width=\"100%\" bgcolor=\"#ffffff\">"
      "<caption>Order</caption><colgroup><col width=\"50\"></colgroup><thead><tr><th "
      "align=\"left\">"
      "Item</th></tr></thead><tbody><tr><td colspan=\"2\" valign=\"top\" style=\"color:#333\">"
      "Chair</td></tr></tbody><tfoot><tr><td rowspan=\"1\">Total</td></tr></tfoot></table>");
  CHECK(result.html ==
        "<table border=\"0\" cellpadding=\"4\" cellspacing=\"0\" width=\"100%\" "
        "bgcolor=\"#ffffff\"><caption>Order</caption><colgroup><col width=\"50\"></colgroup><thead>"
        "<tr><th align=\"left\">Item</th></tr></thead><tbody><tr><td colspan=\"2\" valign=\"top\" "
        "style=\"color: #333\">Chair</td></tr></tbody><tfoot><tr><td rowspan=\"1\">Total</td></tr>"
        "</tfoot></table>");
  CHECK(result.removed_elements == 0);
  CHECK(result.removed_attributes == 0);
}

TEST_CASE("inline images by cid stay, remote images wait, data: images go") {
  const std::string html =
      "<img src=\"cid:logo@example.com\" alt=\"Logo\" width=\"20\" height=\"10\">"
      "<img src=\"https://tracker.example/p.gif?u=1\"><img src=\"data:image/png;base64,iVBO\">"
      "<img src=\"javascript:alert(1)\">";
  const auto blocked = sanitize_html(html);
  CHECK(blocked.html ==
        "<img src=\"cid:logo@example.com\" alt=\"Logo\" width=\"20\" height=\"10\">"
        "<img data-og-remote-src=\"https://tracker.example/p.gif?u=1\"><img><img>");
  CHECK(blocked.blocked_images == 1);

  SanitizeOptions load;
  load.load_remote_images = true;
  const auto loaded = sanitize_html(html, load);
  CHECK(loaded.html ==
        "<img src=\"cid:logo@example.com\" alt=\"Logo\" width=\"20\" height=\"10\">"
        "<img src=\"https://tracker.example/p.gif?u=1\"><img><img>");
  CHECK(loaded.blocked_images == 0);
}

TEST_CASE("text and attribute values are escaped") {
  // Quotes in text need no escaping, but one escaper serves text and attributes alike.
  CHECK(sanitize_html("a &lt;b&gt; &amp; \"c\" 'd'").html ==
        "a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;");
  CHECK(sanitize_html("<p title='x\" onmouseover=\"y()'>t</p>").html ==
        "<p title=\"x&quot; onmouseover=&quot;y()\">t</p>");
  CHECK(sanitize_html("<font color=\"red\" face=\"Arial\" size=\"2\" class=\"c\">f</font>").html ==
        "<font color=\"red\" face=\"Arial\" size=\"2\">f</font>");
  CHECK(sanitize_html("<p>中文 ✓ 😀</p>").html == "<p>中文 ✓ 😀</p>");
}

TEST_CASE("a <pre> starting with a newline keeps it") {
  CHECK(sanitize_html("<pre>\n\nx</pre>").html == "<pre>\n\nx</pre>");
}

TEST_CASE("sanitised HTML sanitises to itself") {
  const char* const inputs[] = {
      "<table><tr><td>a<b>b</td></tr></table><p>c<i>d</p>e</i>",
      "<a href=\"https://x.example/?a=1&amp;b=2\" title=\"&quot;q&quot;\">l</a><img src=x>",
      "<ul><li>one<li>two</ul><pre>\n\nx</pre><p style=\"color:red;background:url(x)\">s</p>",
      "<svg><p>breaks out of svg</p></svg><div><form><input></form>text</div>",
  };
  for (const char* input : inputs) {
    INFO(input);
    const std::string once = sanitize_html(input).html;
    CHECK(sanitize_html(once).html == once);
  }
}

// gumbo's time grows with the square of the depth: without the nesting limit each of these
// takes minutes.
TEST_CASE("nesting deeper than a browser's is cut, the text stays") {
  std::string nested;
  for (int i = 0; i < 200000; ++i) nested += "<div>";
  nested += "deep";
  const auto deep = sanitize_html(nested);
  CHECK(deep.html.find("deep") != std::string::npos);
  CHECK(count(deep.html, "<div>") == omnigate::email::kMaxHtmlNesting);

  std::string stray_end_tags;
  for (int i = 0; i < 100000; ++i) stray_end_tags += "<div></x>";
  CHECK(count(sanitize_html(stray_end_tags + "t").html, "<div>") ==
        omnigate::email::kMaxHtmlNesting);

  std::string reopened_formatting;
  for (int i = 0; i < 20000; ++i) {
    reopened_formatting += "<p><b title=\"" + std::to_string(i) + "\"></p>x";
  }
  const auto formatting = sanitize_html(reopened_formatting);
  CHECK(count(formatting.html, "x") == 20000);
  CHECK(count(formatting.html, "<b ") <= 2 * omnigate::email::kMaxHtmlNesting);
  std::printf("20,000 re-opened <b>: %zu in the output\n", count(formatting.html, "<b "));
}

TEST_CASE("a mail with 2,000 links is sanitised in linear time") {
  std::string html = "<html><body><table>";
  for (int i = 0; i < 2000; ++i) {
    html += "<tr><td><a href=\"https://shop.example/p/" + std::to_string(i) +
            "?utm_source=mail\" style=\"color:#06c\">Product " + std::to_string(i) +
            "</a> <img src=\"https://cdn.example/i/" + std::to_string(i) + ".png\"></td></tr>";
  }
  html += "</table></body></html>";
  const auto start = std::chrono::steady_clock::now();
  const auto result = sanitize_html(html);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  std::printf("sanitize_html, 2,000 links (%zu bytes): %.2f ms\n", html.size(),
              std::chrono::duration<double, std::milli>(elapsed).count());
  CHECK(result.blocked_images == 2000);
  CHECK(count(result.html, "target=\"_blank\"") == 2000);
}
