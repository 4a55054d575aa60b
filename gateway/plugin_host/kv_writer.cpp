#include "plugin_host/kv_writer.hpp"

#include "core/log.hpp"

#include <utility>

namespace omnigate::plugin_host {

KvWriter::KvWriter(store::Store& store, std::string instance, ToStrand to_strand)
    : state_(std::make_shared<State>(store, std::move(instance), std::move(to_strand))) {}

og_status KvWriter::write(std::string_view key, std::optional<std::string_view> value,
                          og_kv_done_fn done, void* user, std::string& error) {
  const auto state = state_;
  std::lock_guard order(state->order_mu);
  std::uint64_t write = 0;
  {
    std::lock_guard lock(state->mu);
    if (state->closed && done != nullptr) {
      error = "channel instance is stopping: a completion could no longer run before destroy()";
      return OG_RETRY;
    }
    write = state->next_write++;
    auto& q = state->queued[std::string(key)];
    q.value = value ? std::optional<std::string>(std::string(*value)) : std::nullopt;
    q.last_write = write;
    if (done != nullptr) state->pending[write] = Pending{done, user, std::nullopt};
  }
  // Runs on the store's writer thread: record, then hand the plugin's part to the strand.
  auto written = [state, write, k = std::string(key)](store::Outcome<store::Nothing> r) {
    if (!r.ok) {
      log(LogLevel::warn, "plugin_host",
          "kv write for instance " + state->instance + " failed: " + r.error);
    }
    state->on_written(write, k, r.ok);
  };
  try {
    if (value) {
      state->store.kv_put(state->instance, std::string(key), std::string(*value),
                          std::move(written));
    } else {
      state->store.kv_delete(state->instance, std::string(key), std::move(written));
    }
  } catch (const std::exception& e) {
    std::lock_guard lock(state->mu);
    state->pending.erase(write);
    if (auto it = state->queued.find(key);
        it != state->queued.end() && it->second.last_write == write)
      state->queued.erase(it);
    error = std::string("store: ") + e.what();
    return OG_RETRY;
  }
  return OG_OK;
}

void KvWriter::State::on_written(std::uint64_t write, const std::string& key, bool ok) {
  bool deliver_later = false;
  {
    std::lock_guard lock(mu);
    // A later write of the same key keeps its queued value until it is durable itself.
    if (auto it = queued.find(key); it != queued.end() && it->second.last_write == write)
      queued.erase(it);
    if (auto it = pending.find(write); it != pending.end()) {
      it->second.outcome = ok ? OG_OK : OG_RETRY;
      deliver_later = true;
    }
  }
  if (deliver_later) to_strand([self = shared_from_this(), write] { self->deliver(write); });
}

void KvWriter::State::deliver(std::uint64_t write) {
  Pending p;
  {
    std::lock_guard lock(mu);
    auto it = pending.find(write);
    if (it == pending.end()) return;  // already run by finish_all
    p = it->second;
    pending.erase(it);
  }
  p.fn(p.user, p.outcome.value_or(OG_RETRY));
}

std::optional<std::optional<std::string>> KvWriter::queued(std::string_view key) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->queued.find(key);
  if (it == state_->queued.end()) return std::nullopt;
  return it->second.value;
}

void KvWriter::finish_all(bool run) {
  std::map<std::uint64_t, Pending> pending;
  {
    std::lock_guard lock(state_->mu);
    state_->closed = true;
    pending.swap(state_->pending);
  }
  if (!run) return;
  for (auto& [write, p] : pending) p.fn(p.user, p.outcome.value_or(OG_RETRY));
}

}  // namespace omnigate::plugin_host
