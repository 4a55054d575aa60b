#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "html_sanitizer.hpp"

using omnigate::email::html_to_text;

TEST_CASE("paragraphs are separated by a blank line, divs by a line break") {
  CHECK(html_to_text("<p>Hello <b>world</b></p><p>Second</p>") == "Hello world\n\nSecond");
  CHECK(html_to_text("<div>one</div><div>two</div><div></div><div>three</div>") ==
        "one\ntwo\nthree");
  CHECK(html_to_text("<h1>Title</h1>Body") == "Title\n\nBody");
}

TEST_CASE("whitespace collapses as in a browser, <br> and <pre> keep their breaks") {
  CHECK(html_to_text("<div>  a \n\t b  </div>\n\n<div> c</div>") == "a b\nc");
  CHECK(html_to_text("a<br>b<br><br>c<br>") == "a\nb\n\nc");
  CHECK(html_to_text("<p>x</p><pre>  a\n    b</pre><p>y</p>") == "x\n\n  a\n    b\n\ny");
  CHECK(html_to_text("a&nbsp;&nbsp;b") == "a  b");
}

TEST_CASE("links keep their address where the text does not show it") {
  CHECK(html_to_text("<a href=\"https://x.example/a\">Click here</a>.") ==
        "Click here <https://x.example/a>.");
  CHECK(html_to_text("<a href=\"https://x.example/\">https://x.example/</a>") ==
        "https://x.example/");
  CHECK(html_to_text("<a href=\"mailto:help@x.example\">help@x.example</a>") == "help@x.example");
  CHECK(html_to_text("<a href=\"javascript:alert(1)\">Click</a>") == "Click");
  CHECK(html_to_text("<a href=\"https://x.example/\"><img src=\"cid:logo\"></a>") ==
        "<https://x.example/>");
}

TEST_CASE("list items get dashes, nested lists are indented") {
  CHECK(html_to_text("<p>Steps:</p><ul><li>one</li><li>two<ul><li>inner</li></ul></li></ul>"
                     "<ol><li>first</li></ol>after") ==
        "Steps:\n\n- one\n- two\n  - inner\n\n- first\n\nafter");
}

TEST_CASE("blockquotes become > quotes") {
  CHECK(html_to_text("<p>Reply</p><blockquote><p>old</p><blockquote>older</blockquote>"
                     "</blockquote>") == "Reply\n\n> old\n\n> > older");
}

TEST_CASE("scripts, styles, the head and form controls are not text") {
  CHECK(html_to_text("<html><head><title>T</title><style>p{color:red}</style></head><body>"
                     "<script>x()</script>Hi<noscript>n</noscript><select><option>o</select>"
                     "<svg><text>s</text></svg></body></html>") == "Hi");
}

TEST_CASE("entities are decoded and table cells separated") {
  CHECK(html_to_text("caf&eacute; &amp; &lt;tag&gt; &#x4e2d;&#25991;") == "café & <tag> 中文");
  CHECK(html_to_text("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>x") ==
        "a b\nc\n\nx");
  CHECK(html_to_text("<img alt=\"Logo\"> text") == "Logo text");
  CHECK(html_to_text("") == "");
}

TEST_CASE("the text of a mail with 2,000 links is extracted in linear time") {
  std::string html = "<html><body>";
  for (int i = 0; i < 2000; ++i) {
    html += "<p><a href=\"https://shop.example/p/" + std::to_string(i) + "\">Product " +
            std::to_string(i) + "</a></p>";
  }
  html += "</body></html>";
  const auto start = std::chrono::steady_clock::now();
  const std::string text = html_to_text(html);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  std::printf("html_to_text, 2,000 links (%zu bytes): %.2f ms\n", html.size(),
              std::chrono::duration<double, std::milli>(elapsed).count());
  CHECK(text.starts_with("Product 0 <https://shop.example/p/0>\n\nProduct 1 <"));
  CHECK(text.ends_with("Product 1999 <https://shop.example/p/1999>"));
}
