#include <gmime/gmime.h>
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "email_composer.hpp"
#include "gmime_runtime.hpp"
#include "html_sanitizer.hpp"

using omnigate::email::compose_email;
using omnigate::email::ComposeAttachment;
using omnigate::email::ComposeError;
using omnigate::email::ComposeInput;

namespace {

struct Unref {
  void operator()(void* object) const { g_object_unref(object); }
};
template <typename T>
using Ref = std::unique_ptr<T, Unref>;

ComposeInput minimal_input() {
  ComposeInput input;
  input.from = {"Support", "help@shop.example"};
  input.to = {{"Ann Example", "ann@example.com"}};
  input.subject = "Your order";
  input.message_id = "og.42.1a2b3c@shop.example";
  input.date_ms = 1709633520000;  // 2024-03-05 10:12:00 UTC
  input.text = "Hello Ann,\n\nyour parcel left today.\n";
  return input;
}

// The composed message as another mail client would read it.
Ref<GMimeMessage> parse(const std::string& raw) {
  omnigate::email::ensure_gmime();
  Ref<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  Ref<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  Ref<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  REQUIRE(message != nullptr);
  return message;
}

// "multipart/mixed[multipart/alternative[text/plain,text/html],application/pdf]"
std::string structure(GMimeObject* object) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  char* mime_type = g_mime_content_type_get_mime_type(type);
  std::string description = mime_type;
  g_free(mime_type);
  if (GMIME_IS_MULTIPART(object)) {
    GMimeMultipart* multipart = GMIME_MULTIPART(object);
    description += '[';
    for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i) {
      if (i > 0) description += ',';
      description += structure(g_mime_multipart_get_part(multipart, i));
    }
    description += ']';
  }
  return description;
}

std::string structure(const std::string& raw) {
  return structure(g_mime_message_get_mime_part(parse(raw).get()));
}

// The decoded bytes of a leaf part (quoted-printable or base64 undone).
std::string decoded_content(GMimeObject* object) {
  GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(object));
  Ref<GMimeStream> out(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(content, out.get());
  const GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

std::string without_cr(std::string s) {
  std::erase(s, '\r');
  return s;
}

// The leaves of the message in order.
void collect_leaves(GMimeObject* object, std::vector<GMimeObject*>& leaves) {
  if (GMIME_IS_MULTIPART(object)) {
    GMimeMultipart* multipart = GMIME_MULTIPART(object);
    for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i) {
      collect_leaves(g_mime_multipart_get_part(multipart, i), leaves);
    }
  } else {
    leaves.push_back(object);
  }
}

std::vector<GMimeObject*> leaves(GMimeMessage* message) {
  std::vector<GMimeObject*> result;
  collect_leaves(g_mime_message_get_mime_part(message), result);
  return result;
}

std::string header(GMimeMessage* message, const char* name) {
  const char* value = g_mime_object_get_header(GMIME_OBJECT(message), name);
  return value == nullptr ? std::string{} : std::string(value);
}

void check_crlf_only(const std::string& raw) {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\n') {
      INFO("byte " << i);
      REQUIRE(i > 0);
      REQUIRE(raw[i - 1] == '\r');
    }
    if (raw[i] == '\r') {
      INFO("byte " << i);
      REQUIRE(i + 1 < raw.size());
      REQUIRE(raw[i + 1] == '\n');
    }
  }
}

std::vector<std::string> header_lines(const std::string& raw) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < raw.size()) {
    const std::size_t end = raw.find("\r\n", at);
    if (end == at || end == std::string::npos) break;
    lines.push_back(raw.substr(at, end - at));
    at = end + 2;
  }
  return lines;
}

}  // namespace

TEST_CASE("a text-only reply is one text/plain part in UTF-8 with its threading headers") {
  ComposeInput input = minimal_input();
  input.in_reply_to = "CAF=x1@mail.gmail.com";
  input.references = {"first.1@example.com", "og.41.0ff@shop.example", "CAF=x1@mail.gmail.com"};
  const std::string raw = compose_email(input);
  check_crlf_only(raw);

  const auto message = parse(raw);
  CHECK(structure(raw) == "text/plain");
  CHECK(std::string(g_mime_object_get_content_type_parameter(
            g_mime_message_get_mime_part(message.get()), "charset")) == "utf-8");
  CHECK(std::string(g_mime_message_get_message_id(message.get())) == "og.42.1a2b3c@shop.example");
  CHECK(header(message.get(), "In-Reply-To") == "<CAF=x1@mail.gmail.com>");
  CHECK(header(message.get(), "MIME-Version") == "1.0");
  CHECK(header(message.get(), "Date") == "Tue, 05 Mar 2024 10:12:00 +0000");

  GMimeReferences* references =
      g_mime_references_parse(nullptr, header(message.get(), "References").c_str());
  REQUIRE(g_mime_references_length(references) == 3);
  CHECK(std::string(g_mime_references_get_message_id(references, 0)) == "first.1@example.com");
  CHECK(std::string(g_mime_references_get_message_id(references, 2)) == "CAF=x1@mail.gmail.com");
  g_mime_references_free(references);

  CHECK(without_cr(decoded_content(g_mime_message_get_mime_part(message.get()))) == input.text);
}

TEST_CASE("UTF-8 subjects and names decode back to the same text") {
  const std::string subjects[] = {
      "Re: 订单 1234 号的发货问题",
      "ご注文の商品について（再送）",
      "😀 Grüße aus Köln — ça va? 🎉",
      "Re: " + std::string(30, 'x') +
          " 关于您在我们商店购买的商品的退货申请以及退款处理进度的详细说明 " +
          "and some more words so that the subject needs several folded lines",
      "plain ASCII subject with =?utf-8?q?not_an_encoded_word?= inside",
      "Grüße " + std::string(40, 'u') +
          "ü中文ü中文ü中文ü中文ü中文ü中文ü中文ü中文ü中文ü中文ü中文ü中文",
      "",
  };
  for (const std::string& subject : subjects) {
    INFO(subject);
    ComposeInput input = minimal_input();
    input.subject = subject;
    input.from.name = "客服中心 (Support), 株式会社";
    const std::string long_name =
        "上海市浦东新区张江高科技园区客户服务中心售后服务部门的王小明先生";
    input.to = {{"Jürgen \"Jo\" Müller", "j@example.de"},
                {"", "b@example.com"},
                {long_name, "wang@example.cn"}};
    const std::string raw = compose_email(input);
    check_crlf_only(raw);
    for (const std::string& line : header_lines(raw)) {
      INFO(line);
      CHECK(line.size() <= 78);
      for (char c : line) CHECK(static_cast<unsigned char>(c) < 0x80);
      std::size_t word = line.find("=?");
      while (word != std::string::npos) {
        const std::size_t word_end = line.find("?=", word + 10);
        REQUIRE(word_end != std::string::npos);
        CHECK(word_end + 2 - word <= 75);  // RFC 2047: an encoded word is at most 75 characters
        word = line.find("=?", word_end + 2);
      }
    }
    const auto message = parse(raw);
    CHECK(std::string(g_mime_message_get_subject(message.get())) == subject);

    InternetAddressList* from = g_mime_message_get_from(message.get());
    REQUIRE(internet_address_list_length(from) == 1);
    CHECK(std::string(internet_address_get_name(internet_address_list_get_address(from, 0))) ==
          "客服中心 (Support), 株式会社");
    InternetAddressList* to = g_mime_message_get_addresses(message.get(), GMIME_ADDRESS_TYPE_TO);
    REQUIRE(internet_address_list_length(to) == 3);
    CHECK(std::string(internet_address_get_name(internet_address_list_get_address(to, 2))) ==
          long_name);
    InternetAddress* first = internet_address_list_get_address(to, 0);
    CHECK(std::string(internet_address_get_name(first)) == "Jürgen \"Jo\" Müller");
    CHECK(std::string(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(first))) ==
          "j@example.de");
  }
}

TEST_CASE("text and HTML make multipart/alternative, text first") {
  ComposeInput input = minimal_input();
  input.html = "<p>Hello <b>Ann</b>,</p><p>your parcel left today.</p>";
  const std::string raw = compose_email(input);
  check_crlf_only(raw);
  CHECK(structure(raw) == "multipart/alternative[text/plain,text/html]");
  const auto message = parse(raw);
  const auto parts = leaves(message.get());
  CHECK(without_cr(decoded_content(parts[0])) == input.text);
  CHECK(without_cr(decoded_content(parts[1])) == input.html);
}

TEST_CASE("HTML alone gets a text alternative made from it") {
  ComposeInput input = minimal_input();
  input.text.clear();
  input.html =
      "<p>Hello <b>Ann</b>,</p><ul><li>one chair</li></ul><a href=\"https://t.example/1\">"
      "Track it</a>";
  const std::string raw = compose_email(input);
  CHECK(structure(raw) == "multipart/alternative[text/plain,text/html]");
  const auto message = parse(raw);
  CHECK(without_cr(decoded_content(leaves(message.get())[0])) ==
        omnigate::email::html_to_text(input.html));
}

TEST_CASE("inline images go in multipart/related, attachments in multipart/mixed") {
  ComposeInput input = minimal_input();
  input.html = "<p>Logo: <img src=\"cid:logo.1@shop.example\"></p>";
  const std::string pdf("%PDF-1.7\0\x01\x02\xff\xfe\r\n\n\r", 16);
  input.attachments = {
      {"logo.png", "image/png", "logo.1@shop.example", true, "\x89PNG\r\n\x1a\n"},
      {"Rechnung März 2024.pdf", "application/pdf", "", false, pdf},
      {"../../etc/passwd", "", "", false, "root:x:0:0:root:/root:/bin/bash\n"},
      {"报价单.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "",
       false, "PK\x03\x04"},
  };
  const std::string raw = compose_email(input);
  check_crlf_only(raw);
  CHECK(structure(raw) ==
        "multipart/mixed[multipart/related[multipart/alternative[text/plain,text/html],image/png],"
        "application/pdf,application/octet-stream,"
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet]");
  const auto message = parse(raw);
  const auto parts = leaves(message.get());
  REQUIRE(parts.size() == 6);

  CHECK(std::string(g_mime_object_get_content_id(parts[2])) == "logo.1@shop.example");
  CHECK(std::string(g_mime_object_get_disposition(parts[2])) == "inline");
  CHECK(decoded_content(parts[2]) == input.attachments[0].data);

  for (std::size_t i = 1; i < input.attachments.size(); ++i) {
    const ComposeAttachment& sent = input.attachments[i];
    GMimeObject* part = parts[i + 2];
    INFO(sent.filename);
    CHECK(std::string(g_mime_part_get_filename(GMIME_PART(part))) == sent.filename);
    CHECK(std::string(g_mime_object_get_disposition(part)) == "attachment");
    CHECK(g_mime_part_get_content_encoding(GMIME_PART(part)) == GMIME_CONTENT_ENCODING_BASE64);
    CHECK(decoded_content(part) == sent.data);
  }
}

TEST_CASE("attachments with a text-only body make multipart/mixed") {
  ComposeInput input = minimal_input();
  input.attachments = {{"a.txt", "text/plain", "", false, "line 1\nline 2\r\nno end"},
                       {"inline-without-html.png", "image/png", "img@x", true, "PNG"}};
  const std::string raw = compose_email(input);
  check_crlf_only(raw);
  CHECK(structure(raw) == "multipart/mixed[text/plain,text/plain,image/png]");
  const auto message = parse(raw);
  const auto parts = leaves(message.get());
  CHECK(decoded_content(parts[1]) == "line 1\nline 2\r\nno end");
  CHECK(std::string(g_mime_object_get_disposition(parts[2])) == "inline");
}

TEST_CASE("the transfer encoding fits each text part") {
  const auto encoding_of = [](const std::string& text) {
    ComposeInput input = minimal_input();
    input.text = text;
    const std::string raw = compose_email(input);
    check_crlf_only(raw);
    for (std::size_t at = 0, end; (end = raw.find("\r\n", at)) != std::string::npos; at = end + 2) {
      CHECK(end - at <= 998);
    }
    const auto message = parse(raw);
    GMimeObject* part = g_mime_message_get_mime_part(message.get());
    std::string lines;  // CRLF and a lone CR both end a line
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '\r') {
        lines += text[i];
      } else if (i + 1 == text.size() || text[i + 1] != '\n') {
        lines += '\n';
      }
    }
    CHECK(without_cr(decoded_content(part)) == lines);
    return g_mime_part_get_content_encoding(GMIME_PART(part));
  };
  // No Content-Transfer-Encoding header means 7bit.
  CHECK(encoding_of("Plain ASCII.\n") == GMIME_CONTENT_ENCODING_DEFAULT);
  const GMimeContentEncoding german = encoding_of("Grüße aus Köln, schöne Grüße.\n");
  CHECK((german == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
         german == GMIME_CONTENT_ENCODING_BASE64));
  CHECK(encoding_of("这是一封中文邮件，内容全部是中文字符。\n") == GMIME_CONTENT_ENCODING_BASE64);
  const GMimeContentEncoding long_line = encoding_of(std::string(3000, 'a') + "\n");
  CHECK(long_line != GMIME_CONTENT_ENCODING_7BIT);
  CHECK(encoding_of("old Mac\rline ends\r\nmixed\n") == GMIME_CONTENT_ENCODING_DEFAULT);
}

TEST_CASE("CR, LF or NUL in any header field is refused, naming the field") {
  const std::string breaks[] = {"\r\nBcc: victim@example.com", "\nBcc: x@y", "\rX",
                                std::string("a\0b", 3)};
  using Setter = void (*)(ComposeInput&, const std::string&);
  const std::pair<std::string, Setter> fields[] = {
      {"from.name", [](ComposeInput& i, const std::string& v) { i.from.name = "A" + v; }},
      {"from.address", [](ComposeInput& i, const std::string& v) { i.from.address = "a@b" + v; }},
      {"to[0].name", [](ComposeInput& i, const std::string& v) { i.to[0].name = v; }},
      {"to[0].address", [](ComposeInput& i, const std::string& v) { i.to[0].address = "c@d" + v; }},
      {"subject", [](ComposeInput& i, const std::string& v) { i.subject = "Hi" + v; }},
      {"message_id", [](ComposeInput& i, const std::string& v) { i.message_id = "m@x" + v; }},
      {"in_reply_to", [](ComposeInput& i, const std::string& v) { i.in_reply_to = "r@x" + v; }},
      {"references[1]",
       [](ComposeInput& i, const std::string& v) {
         i.references = {"ok@x", "r@x" + v};
       }},
      {"extra_headers[0].name",
       [](ComposeInput& i, const std::string& v) {
         i.extra_headers = {{"X-A" + v, "1"}};
       }},
      {"extra_headers[0].value",
       [](ComposeInput& i, const std::string& v) {
         i.extra_headers = {{"X-A", "1" + v}};
       }},
      {"attachments[0].filename",
       [](ComposeInput& i, const std::string& v) {
         i.attachments = {{"a.pdf" + v, "application/pdf", "", false, "x"}};
       }},
      {"attachments[0].content_type",
       [](ComposeInput& i, const std::string& v) {
         i.attachments = {{"a.pdf", "application/pdf" + v, "", false, "x"}};
       }},
      {"attachments[0].content_id",
       [](ComposeInput& i, const std::string& v) {
         i.attachments = {{"a.png", "image/png", "c@x" + v, true, "x"}};
       }},
  };
  for (const auto& [field, set] : fields) {
    for (const std::string& line_break : breaks) {
      INFO(field);
      ComposeInput input = minimal_input();
      set(input, line_break);
      try {
        compose_email(input);
        FAIL("accepted");
      } catch (const ComposeError& error) {
        CHECK(std::string(error.what()).starts_with(field + ":"));
      }
    }
  }
}

TEST_CASE("malformed addresses, ids, header names and content types are refused") {
  for (const char* address :
       {"", "nobody", "a@b@c", "a b@c.example", "<a@b.example>", "a@b.example,c@d.example",
        "@b.example", "a@", "a@b.example>", "ü@b.example"}) {
    INFO(address);
    ComposeInput input = minimal_input();
    input.to[0].address = address;
    CHECK_THROWS_AS(compose_email(input), ComposeError);
  }
  ComposeInput no_recipient = minimal_input();
  no_recipient.to.clear();
  CHECK_THROWS_WITH(compose_email(no_recipient), Catch::StartsWith("to:"));

  ComposeInput no_id = minimal_input();
  no_id.message_id.clear();
  CHECK_THROWS_WITH(compose_email(no_id), Catch::StartsWith("message_id:"));

  ComposeInput smuggled_reference = minimal_input();
  smuggled_reference.references = {"a@x> <b@y"};
  CHECK_THROWS_WITH(compose_email(smuggled_reference), Catch::StartsWith("references[0]:"));

  for (const char* name : {"X A", "X:A", "Subject", "bcc", "Content-Type"}) {
    INFO(name);
    ComposeInput input = minimal_input();
    input.extra_headers = {{name, "v"}};
    CHECK_THROWS_WITH(compose_email(input), Catch::StartsWith("extra_headers[0].name:"));
  }
  for (const char* type : {"pdf", "application/", "text/html; charset=x", "a/b/c"}) {
    INFO(type);
    ComposeInput input = minimal_input();
    input.attachments = {{"f", type, "", false, "x"}};
    CHECK_THROWS_WITH(compose_email(input), Catch::StartsWith("attachments[0].content_type:"));
  }
}

TEST_CASE("extra headers are written, non-ASCII values encoded") {
  ComposeInput input = minimal_input();
  input.extra_headers = {{"X-Omnigate-Conversation", "42"}, {"X-Agent", "王小明"}};
  const std::string raw = compose_email(input);
  check_crlf_only(raw);
  const auto message = parse(raw);
  CHECK(header(message.get(), "X-Omnigate-Conversation") == "42");
  char* agent = g_mime_utils_header_decode_text(nullptr, header(message.get(), "X-Agent").c_str());
  CHECK(std::string(agent) == "王小明");
  g_free(agent);
}
