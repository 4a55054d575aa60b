// What the store answers about transcripts for QA (docs/qa.md "Transcripts"): full-text search
// hits and the first break of the tamper-evident chain.
#pragma once

#include "store/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace omnigate::store {

// One piece of a search snippet: matched words are `match`.
struct SnippetPart {
  std::string text;
  bool match = false;
};

// A conversation that matched, with its best-matching message and a snippet of it.
struct TranscriptHit {
  Id conversation_id = 0;
  Id message_id = 0;
  std::vector<SnippetPart> snippet;
};

// The first entry whose stored hash is not the one its content and predecessor give.
struct ChainBreak {
  Id conversation_id = 0;
  Id event_id = 0;
  std::optional<Id> message_id;
};

}  // namespace omnigate::store
