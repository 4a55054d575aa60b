// Memory for the routing engine's container nodes (private to the routing engine).
//
// Each decision frees and allocates a few dozen small nodes (candidate-list entries and queue
// nodes move when an agent's load changes). Through malloc/free, or std::pmr's general pool,
// that bookkeeping cost more than the decision itself. Here a node of a given size class is
// freed by pushing it on that class's free list and allocated by popping it: a few
// instructions, and the most recently freed (cache-warm) node is reused first. Memory returns
// to the upstream resource only when the pool is destroyed, so the pool holds the engine's
// peak working set.
#pragma once

#include <array>
#include <cstddef>
#include <memory_resource>
#include <new>
#include <vector>

namespace omnigate::routing {

class NodePool final : public std::pmr::memory_resource {
 public:
  explicit NodePool(std::pmr::memory_resource* upstream = std::pmr::new_delete_resource())
      : upstream_(upstream) {}
  ~NodePool() override {
    for (void* chunk : chunks_) upstream_->deallocate(chunk, kChunkBytes, kAlign);
  }
  NodePool(const NodePool&) = delete;
  NodePool& operator=(const NodePool&) = delete;

 private:
  static constexpr std::size_t kAlign = alignof(std::max_align_t);
  static constexpr std::size_t kMaxPooled = 256;  // larger blocks (vectors) go upstream
  static constexpr std::size_t kChunkBytes = 64 * 1024;
  struct FreeBlock {
    FreeBlock* next;
  };

  static std::size_t size_class(std::size_t bytes) {
    return bytes == 0 ? 1 : (bytes + kAlign - 1) / kAlign;
  }

  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    if (bytes > kMaxPooled || alignment > kAlign) return upstream_->allocate(bytes, alignment);
    const std::size_t cls = size_class(bytes);
    if (FreeBlock* block = free_[cls]) {
      free_[cls] = block->next;
      return block;
    }
    const std::size_t size = cls * kAlign;
    if (chunk_left_ < size) {
      chunk_next_ = static_cast<std::byte*>(upstream_->allocate(kChunkBytes, kAlign));
      chunks_.push_back(chunk_next_);
      chunk_left_ = kChunkBytes;  // the tail of the previous chunk (< 256 bytes) is abandoned
    }
    void* block = chunk_next_;
    chunk_next_ += size;
    chunk_left_ -= size;
    return block;
  }

  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    if (bytes > kMaxPooled || alignment > kAlign) return upstream_->deallocate(p, bytes, alignment);
    const std::size_t cls = size_class(bytes);
    free_[cls] = ::new (p) FreeBlock{free_[cls]};
  }

  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }

  std::pmr::memory_resource* upstream_;
  std::array<FreeBlock*, kMaxPooled / kAlign + 1> free_{};
  std::vector<void*> chunks_;
  std::byte* chunk_next_ = nullptr;
  std::size_t chunk_left_ = 0;
};

}  // namespace omnigate::routing
