// The largest single allocation the current thread makes while a probe is alive (this test
// binary replaces the global operator new): the wire's decoders must not allocate by a count
// the peer forged.
#pragma once

#include <cstddef>

namespace omnigate::plugin_process::test {

class AllocationProbe {
 public:
  AllocationProbe();
  ~AllocationProbe();
  AllocationProbe(const AllocationProbe&) = delete;
  AllocationProbe& operator=(const AllocationProbe&) = delete;
  std::size_t largest() const { return largest_; }

 private:
  friend void note_allocation(std::size_t bytes) noexcept;
  AllocationProbe* outer_;
  std::size_t largest_ = 0;
};

}  // namespace omnigate::plugin_process::test
