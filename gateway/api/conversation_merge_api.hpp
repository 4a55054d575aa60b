// Merging two conversations of one customer (POST /api/v1/conversations/{id}/merge, docs/api.md
// "Merging conversations"): the conversation named by "from" ends like a resolve (it leaves the
// queue or frees its agent's capacity in routing) and both transcripts say where the other one
// is; the survivor {id} goes on, and replies to it go out on its own channel.
#pragma once

#include "dispatch/routing_dispatcher.hpp"
#include "http/router.hpp"
#include "store/store.hpp"

#include <memory>

namespace omnigate::api {

class ConversationMergeApi {
 public:
  ConversationMergeApi(store::Store& store, dispatch::RoutingDispatcher& routing);
  ~ConversationMergeApi();
  ConversationMergeApi(const ConversationMergeApi&) = delete;
  ConversationMergeApi& operator=(const ConversationMergeApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::api
