// Internal notes (POST /api/v1/conversations/{id}/notes, docs/api.md "Internal notes"): what
// agents and supervisors write for each other on a conversation. A note is a transcript event
// ("note.added") and never reaches the customer: nothing is queued for a channel.
#pragma once

#include "http/router.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::api {

class NotesApi {
 public:
  explicit NotesApi(store::Store& store);
  ~NotesApi();
  NotesApi(const NotesApi&) = delete;
  NotesApi& operator=(const NotesApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
