// Reads every mail of a corpus directory many times, two ways in alternating rounds:
//  - baseline: GMime alone — g_mime_parser_construct_message over the bytes, then a walk that
//    decodes every leaf part's content (what any MIME reader must at least do);
//  - omnigate: read_email(), the plugin's whole read (the same parse plus charset conversion,
//    HTML sanitising, HTML → text, the quoted-reply split, auto-reply/bounce detection).
// Also times sanitize_html() on the corpus's largest HTML body (the 2,000-link mail).
// Output: human-readable lines, then "RESULT {json}".
//   bench-email-read ROUNDS CORPUS_DIR...
#include "email_reader.hpp"
#include "gmime_runtime.hpp"
#include "html_sanitizer.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

void load_corpus(const std::string& dir, std::vector<std::string>& mails) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".eml") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    mails.push_back(bytes.str());
  }
}

void decode_leaves(GMimeObject*, GMimeObject* part, gpointer sink) {
  if (!GMIME_IS_PART(part)) return;
  GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(part));
  if (content != nullptr) g_mime_data_wrapper_write_to_stream(content, GMIME_STREAM(sink));
}

// GMime alone: parse and decode every leaf. Returns decoded bytes (kept so nothing is elided).
size_t gmime_only(const std::string& raw) {
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(raw.data(), raw.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* message = g_mime_parser_construct_message(parser, nullptr);
  size_t out = 0;
  if (message != nullptr) {
    GMimeStream* sink = g_mime_stream_null_new();
    g_mime_message_foreach(message, decode_leaves, sink);
    out = static_cast<size_t>(GMIME_STREAM_NULL(sink)->written);
    g_object_unref(sink);
    g_object_unref(message);
  }
  g_object_unref(parser);
  g_object_unref(stream);
  return out;
}

void keep_largest_html(GMimeObject*, GMimeObject* part, gpointer largest) {
  if (!GMIME_IS_TEXT_PART(part)) return;
  GMimeContentType* type = g_mime_object_get_content_type(part);
  if (!g_mime_content_type_is_type(type, "text", "html")) return;
  char* text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));  // UTF-8, caller frees
  if (text == nullptr) return;
  auto* out = static_cast<std::string*>(largest);
  if (std::strlen(text) > out->size()) *out = text;
  g_free(text);
}

// The largest text/html part of the corpus, decoded to UTF-8: the 2,000-link mail's body.
std::string largest_html_body(const std::vector<std::string>& corpus) {
  std::string largest;
  for (const auto& raw : corpus) {
    GMimeStream* stream = g_mime_stream_mem_new_with_buffer(raw.data(), raw.size());
    GMimeParser* parser = g_mime_parser_new_with_stream(stream);
    GMimeMessage* message = g_mime_parser_construct_message(parser, nullptr);
    if (message != nullptr) {
      g_mime_message_foreach(message, keep_largest_html, &largest);
      g_object_unref(message);
    }
    g_object_unref(parser);
    g_object_unref(stream);
  }
  return largest;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench-email-read ROUNDS CORPUS_DIR...\n";
    return 2;
  }
  const int rounds = std::max(1, std::atoi(argv[1]));
  std::vector<std::string> corpus;
  for (int i = 2; i < argc; ++i) load_corpus(argv[i], corpus);
  if (corpus.empty()) {
    std::cerr << "no .eml files in the corpus directories\n";
    return 2;
  }
  omnigate::email::ensure_gmime();
  size_t bytes = 0;
  for (const auto& m : corpus) bytes += m.size();

  double gmime_s = 0, ours_s = 0;
  size_t sink = 0;
  for (int r = 0; r < rounds; ++r) {
    auto t0 = Clock::now();
    for (const auto& m : corpus) sink += gmime_only(m);
    gmime_s += seconds_since(t0);
    t0 = Clock::now();
    for (const auto& m : corpus) sink += omnigate::email::read_email(m).text.size();
    ours_s += seconds_since(t0);
  }
  const double n = static_cast<double>(corpus.size()) * rounds;

  const std::string largest_html = largest_html_body(corpus);
  double sanitize_ms = 0;
  const int sanitize_runs = 20;
  if (!largest_html.empty()) {
    auto t0 = Clock::now();
    for (int i = 0; i < sanitize_runs; ++i)
      sink += omnigate::email::sanitize_html(largest_html).html.size();
    sanitize_ms = seconds_since(t0) * 1000 / sanitize_runs;
  }

  const double gmime_rate = n / gmime_s, ours_rate = n / ours_s;
  std::printf("corpus: %zu mails, %.1f MiB, %d rounds (checksum %zu)\n", corpus.size(),
              static_cast<double>(bytes) / (1 << 20), rounds, sink);
  std::printf("GMime alone:       %10.0f mails/s\n", gmime_rate);
  std::printf("omnigate read:     %10.0f mails/s  (%.2fx GMime alone)\n", ours_rate,
              ours_rate / gmime_rate);
  std::printf("sanitize largest HTML (%zu bytes): %.2f ms\n", largest_html.size(), sanitize_ms);
  std::printf(
      "RESULT {\"mails\": %zu, \"gmime_per_s\": %.1f, \"read_per_s\": %.1f, \"ratio\": %.3f, "
      "\"sanitize_largest_html_ms\": %.3f, \"largest_html_bytes\": %zu}\n",
      corpus.size(), gmime_rate, ours_rate, ours_rate / gmime_rate, sanitize_ms,
      largest_html.size());
  return 0;
}
