#include "allocation_probe.hpp"

#include <cstdlib>
#include <new>

namespace omnigate::plugin_process::test {
namespace {
thread_local AllocationProbe* t_probe = nullptr;
}  // namespace

void note_allocation(std::size_t bytes) noexcept {
  for (AllocationProbe* p = t_probe; p != nullptr; p = p->outer_) {
    if (bytes > p->largest_) p->largest_ = bytes;
  }
}

AllocationProbe::AllocationProbe() : outer_(t_probe) {
  t_probe = this;
}
AllocationProbe::~AllocationProbe() {
  t_probe = outer_;
}

}  // namespace omnigate::plugin_process::test

// Every other operator new (array, nothrow) forwards to this one in libstdc++.
void* operator new(std::size_t bytes) {
  omnigate::plugin_process::test::note_allocation(bytes);
  if (void* p = std::malloc(bytes == 0 ? 1 : bytes)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
