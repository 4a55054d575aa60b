// One asynchronous store write, waited for until it is committed: for callers with nothing
// else to do meanwhile (the CLI, a batch job on a thread of its own). Never call it from a
// store completion: completions run on the writer thread, which would wait for itself.
#pragma once

#include "store/store.hpp"

#include <future>

namespace omnigate::store {

template <class T, class Write>
Outcome<T> committed(Write write) {
  std::promise<Outcome<T>> promise;
  auto outcome = promise.get_future();
  write([&promise](Outcome<T> r) { promise.set_value(std::move(r)); });
  return outcome.get();
}

}  // namespace omnigate::store
