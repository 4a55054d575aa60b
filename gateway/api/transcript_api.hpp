// Transcripts for QA (docs/api.md "Transcripts", docs/qa.md): full-text search over the stored
// (redacted) messages, GET /api/v1/transcripts/search, and a conversation's transcript as a file,
// GET /api/v1/conversations/{id}/export. For the roles qa, supervisor and admin; every export is
// audited as transcript.read and report.export.
#pragma once

#include "http/router.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::api {

class TranscriptApi {
 public:
  explicit TranscriptApi(store::Store& store);
  ~TranscriptApi();
  TranscriptApi(const TranscriptApi&) = delete;
  TranscriptApi& operator=(const TranscriptApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
