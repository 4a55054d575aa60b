// One conversation's transcript as a file for QA (docs/qa.md "Transcripts"): JSON Lines (the
// conversation, then one entry per line), plain text, or printable HTML (one page per
// conversation; every stored text escaped). The text is what the store keeps: already redacted.
#pragma once

#include "store/model.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::qa_text {

enum class ExportFormat { jsonl, text, html };

// "jsonl" | "text" | "html"; nullopt for anything else.
std::optional<ExportFormat> export_format_from(std::string_view name);
// The file name extension and the Content-Type of a format.
const char* export_extension(ExportFormat format);
const char* export_content_type(ExportFormat format);

// The export of `conversation` with its transcript (store::Store::transcript) in commit order.
std::string export_transcript(const store::Conversation& conversation,
                              const std::vector<store::TranscriptEntry>& transcript,
                              ExportFormat format);

}  // namespace omnigate::qa_text
