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

// The whole non-aligned family is replaced, so that every allocation and its release pair up
// as malloc/free (under ASan a replaced operator delete freeing memory of the runtime's own
// nothrow new is an alloc-dealloc mismatch). The aligned forms stay the runtime's, both ways.
namespace {
void* allocate(std::size_t bytes) noexcept {
  omnigate::plugin_process::test::note_allocation(bytes);
  return std::malloc(bytes == 0 ? 1 : bytes);
}
void* allocate_or_throw(std::size_t bytes) {
  if (void* p = allocate(bytes)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t bytes) {
  return allocate_or_throw(bytes);
}
void* operator new[](std::size_t bytes) {
  return allocate_or_throw(bytes);
}
void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
  return allocate(bytes);
}
void* operator new[](std::size_t bytes, const std::nothrow_t&) noexcept {
  return allocate(bytes);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
