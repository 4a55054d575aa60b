// A plugin instance's key/value writes, never waiting on the calling thread: kv_put/kv_delete
// queue the write with the store (in call order: the store commits in queue order) and return;
// the plugin's completion runs on the instance strand once the write is durable (or failed).
// Until then the queued value is what kv_get sees (read-your-writes), so a plugin need not wait
// for a put before reading its own cursor back.
#pragma once

#include "store/store.hpp"

#include <omnigate/plugin_abi.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace omnigate::plugin_host {

class KvWriter {
 public:
  // `to_strand(fn)` runs fn on the instance strand as a callback (holding the call lock).
  using ToStrand = std::function<void(std::function<void()>)>;
  KvWriter(store::Store& store, std::string instance, ToStrand to_strand);

  // Queue a put (value) or a delete (nullopt). `done` (optional) runs on the strand later.
  // OG_RETRY when the store refuses to queue it.
  og_status write(std::string_view key, std::optional<std::string_view> value, og_kv_done_fn done,
                  void* user, std::string& error);
  // The value of the latest write of `key` not yet durable: a value (put), nullopt inside
  // (delete), or nullopt when none is queued (read the store).
  std::optional<std::optional<std::string>> queued(std::string_view key) const;
  // Runs (or, with run false, drops) every completion not run yet, with its outcome (OG_RETRY
  // when the write had not finished); later writes with a completion are refused. Call holding the
  // call lock, after the store was flushed, before destroy().
  void finish_all(bool run);

 private:
  struct Pending {
    og_kv_done_fn fn = nullptr;
    void* user = nullptr;
    std::optional<og_status> outcome;
  };
  struct Queued {
    std::optional<std::string> value;
    std::uint64_t last_write = 0;  // the write that set it; the entry goes once that is durable
  };
  struct State : std::enable_shared_from_this<State> {
    State(store::Store& s, std::string i, ToStrand t)
        : store(s), instance(std::move(i)), to_strand(std::move(t)) {}
    store::Store& store;
    const std::string instance;
    const ToStrand to_strand;
    std::mutex order_mu;    // held while a write is queued with the store: keeps call order
    mutable std::mutex mu;  // guards the members below
    std::uint64_t next_write = 1;
    bool closed = false;  // finish_all ran: no completion could run before destroy() any more
    std::map<std::string, Queued, std::less<>> queued;
    std::map<std::uint64_t, Pending> pending;  // completions the plugin gave

    void on_written(std::uint64_t write, const std::string& key, bool ok);
    void deliver(std::uint64_t write);
  };
  std::shared_ptr<State> state_;
};

}  // namespace omnigate::plugin_host
