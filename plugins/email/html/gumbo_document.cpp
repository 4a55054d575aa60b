#include "gumbo_document.hpp"

#include <algorithm>

#include "html_nesting_limit.hpp"

namespace omnigate::email {

namespace {

constexpr std::size_t kBlockSize = 64 * 1024;
constexpr std::size_t kAlignment = alignof(std::max_align_t);

void* arena_allocate(void* arena, std::size_t size) {
  return static_cast<GumboArena*>(arena)->allocate(size);
}

void arena_free(void*, void*) {}

}  // namespace

void* GumboArena::allocate(std::size_t size) {
  const std::size_t rounded =
      std::max<std::size_t>(kAlignment, (size + kAlignment - 1) & ~(kAlignment - 1));
  if (rounded > remaining_) {
    // A request larger than a block gets a block of its own, so the current one is not wasted.
    if (rounded > kBlockSize / 4) {
      blocks_.push_back(std::make_unique_for_overwrite<std::byte[]>(rounded));
      return blocks_.back().get();
    }
    blocks_.push_back(std::make_unique_for_overwrite<std::byte[]>(kBlockSize));
    next_ = blocks_.back().get();
    remaining_ = kBlockSize;
  }
  void* result = next_;
  next_ += rounded;
  remaining_ -= rounded;
  return result;
}

GumboDocument::GumboDocument(std::string_view html)
    : limited_(limit_html_nesting(html)),
      input_(limited_ ? std::string_view(*limited_) : html),
      options_(kGumboDefaultOptions) {
  options_.allocator = &arena_allocate;
  options_.deallocator = &arena_free;
  options_.userdata = &arena_;
  // Parse errors are not used; recording them copies the stack of open elements each time,
  // which is quadratic on deeply nested input.
  options_.max_errors = 0;
  output_ = gumbo_parse_with_options(&options_, input_.empty() ? "" : input_.data(), input_.size());
}

}  // namespace omnigate::email
