// The CLI's way to write: one asynchronous store write, waited for until it is committed (a
// command has nothing else to do meanwhile).
#pragma once

#include "store/store.hpp"

#include <future>

namespace omnigate::app {

template <class T, class Write>
store::Outcome<T> committed(Write write) {
  std::promise<store::Outcome<T>> promise;
  auto outcome = promise.get_future();
  write([&promise](store::Outcome<T> r) { promise.set_value(std::move(r)); });
  return outcome.get();
}

// What the CLI prints after a change the running gateway's routing engine must learn.
inline constexpr const char* kReloadHint =
    "a running gateway routes by this after SIGHUP (kill -HUP <pid>); the admin API applies "
    "changes at once";

}  // namespace omnigate::app
