#include "transfer_decoding.hpp"

#include "borrowed_stream.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace omnigate::email {
namespace {

// GMime's base64 decoder skips what is not base64 without a word; a mail whose attachment was
// cut or mangled on the way must be flagged, so the encoded text is checked once before.
bool is_broken_base64(std::string_view encoded) {
  enum : unsigned char { kOther = 0, kAlphabet, kPadding, kSpace };
  static const std::array<unsigned char, 256> kClass = [] {
    std::array<unsigned char, 256> table{};
    for (unsigned char c :
         std::string_view("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))
      table[c] = kAlphabet;
    table['='] = kPadding;
    for (unsigned char c : std::string_view(" \t\r\n")) table[c] = kSpace;
    return table;
  }();
  std::size_t alphabet = 0;
  for (unsigned char c : encoded) {
    const unsigned char kind = kClass[c];
    if (kind == kOther) return true;
    alphabet += kind == kAlphabet;
  }
  return alphabet % 4 == 1;  // one character left over cannot encode a byte
}

std::string read_whole_stream(GMimeStream* stream) {
  std::string bytes;
  g_mime_stream_reset(stream);
  char buffer[16384];
  for (;;) {
    const ssize_t n = g_mime_stream_read(stream, buffer, sizeof buffer);
    if (n <= 0) break;
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
  return bytes;
}

}  // namespace

DecodedContent decode_part_content(GMimePart* part) {
  DecodedContent result;
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return result;
  GMimeStream* stream = g_mime_data_wrapper_get_stream(content);
  if (stream == nullptr) return result;

  std::string copied;  // only when GMime's stream is not a window of the message's bytes
  std::string_view encoded;
  if (auto window = memory_stream_bytes(stream)) {
    encoded = *window;
  } else {
    copied = read_whole_stream(stream);
    encoded = copied;
  }

  const GMimeContentEncoding encoding = g_mime_data_wrapper_get_encoding(content);
  switch (encoding) {
    case GMIME_CONTENT_ENCODING_BASE64:
    case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE:
    case GMIME_CONTENT_ENCODING_UUENCODE: {
      if (encoding == GMIME_CONTENT_ENCODING_BASE64)
        result.broken_base64 = is_broken_base64(encoded);
      GMimeEncoding decoder;
      g_mime_encoding_init_decode(&decoder, encoding);
      result.bytes.resize(g_mime_encoding_outlen(&decoder, encoded.size()));
      const std::size_t n =
          g_mime_encoding_flush(&decoder, encoded.data(), encoded.size(), result.bytes.data());
      result.bytes.resize(n);
      break;
    }
    default:
      result.bytes = copied.empty() ? std::string(encoded) : std::move(copied);
      break;
  }
  return result;
}

}  // namespace omnigate::email
