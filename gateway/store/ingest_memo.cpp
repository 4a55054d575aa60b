#include "store/ingest_memo.hpp"

#include <utility>

namespace omnigate::store {
namespace {

// Unambiguous keys: every part but the last is length-prefixed, so no text can make two
// different lookups meet.
void customer_key(std::string& key, std::string_view kind, std::string_view address) {
  key.clear();
  key += std::to_string(kind.size());
  key += '/';
  key += kind;
  key += address;
}

void conversation_key(std::string& key, Id customer_id, std::string_view channel_instance,
                      std::string_view thread_key) {
  key.clear();
  key += std::to_string(customer_id);
  key += '/';
  key += std::to_string(channel_instance.size());
  key += '/';
  key += channel_instance;
  key += thread_key;
}

// One scratch key per thread: a lookup builds its key without allocating (the memo is used by
// the writer thread only).
std::string& scratch() {
  thread_local std::string key;
  return key;
}

}  // namespace

std::optional<Id> IngestMemo::customer(std::string_view kind, std::string_view address) const {
  auto& key = scratch();
  customer_key(key, kind, address);
  const auto it = customers_.find(key);
  if (it == customers_.end()) return std::nullopt;
  return it->second;
}

void IngestMemo::remember_customer(std::string_view kind, std::string_view address,
                                   Id customer_id) {
  if (customers_.size() >= kMaxEntries) customers_.clear();
  auto& key = scratch();
  customer_key(key, kind, address);
  customers_.insert_or_assign(key, customer_id);
}

const IngestMemo::OpenConversation* IngestMemo::conversation(Id customer_id,
                                                             std::string_view channel_instance,
                                                             std::string_view thread_key) const {
  auto& key = scratch();
  conversation_key(key, customer_id, channel_instance, thread_key);
  const auto it = conversations_.find(key);
  return it == conversations_.end() ? nullptr : &it->second;
}

void IngestMemo::remember_conversation(Id customer_id, std::string_view channel_instance,
                                       std::string_view thread_key, OpenConversation conversation) {
  if (conversations_.size() >= kMaxEntries) conversations_.clear();
  auto& key = scratch();
  conversation_key(key, customer_id, channel_instance, thread_key);
  conversations_.insert_or_assign(key, std::move(conversation));
}

void IngestMemo::set_status(Id customer_id, std::string_view channel_instance,
                            std::string_view thread_key, std::string status) {
  auto& key = scratch();
  conversation_key(key, customer_id, channel_instance, thread_key);
  if (const auto it = conversations_.find(key); it != conversations_.end())
    it->second.status = std::move(status);
}

void IngestMemo::clear() {
  customers_.clear();
  conversations_.clear();
}

}  // namespace omnigate::store
