// The waiting conversations in queue order (private to the routing engine).
//
// One ordered set holds every queued conversation by (band, SLA deadline, arrival, id), where
// band = priority x tier minus ageing promotions (queue_band.hpp). The same keys are mirrored in
// one sub-queue per (first required skill, channel kind), so a dispatch pass merges only the
// sub-queues some free agent could serve instead of walking every waiting conversation.
//
// `Record` is the engine's conversation record; the queue only carries a pointer to it in each
// key, so a walk reaches the record without a lookup.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory_resource>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "omnigate/routing/engine.hpp"

namespace omnigate::routing {

template <class Record>
struct QueueKey {
  int band = 0;
  // Not part of the order: what a freed agent's walk needs to pass over a conversation
  // without touching its record (the first required skill is the sub-queue's).
  std::uint8_t first_skill_level = 0;  // its minimum level
  bool more_skills = false;            // further skills: the record must be checked
  UnixMs deadline = 0;
  UnixMs arrival = 0;
  ConversationId id = 0;
  Record* rec = nullptr;  // saves a lookup per visited conversation; never compared
  bool operator<(const QueueKey& o) const {
    return std::tie(band, deadline, arrival, id) < std::tie(o.band, o.deadline, o.arrival, o.id);
  }
  bool operator==(const QueueKey& o) const { return id == o.id && !(*this < o) && !(o < *this); }
};

template <class Record>
class ConversationQueue {
 public:
  using Key = QueueKey<Record>;
  // Nodes come from the engine's pool (see node_pool.hpp).
  using Set = std::pmr::set<Key>;

  // Where a queued conversation's key sits: erasing by position skips two searches down trees
  // of 10k nodes (a cache miss per level). Positions stay valid until the key is erased.
  struct Place {
    typename Set::iterator in_order, in_sub_queue;
  };

  // `memory` must outlive the queue.
  explicit ConversationQueue(std::pmr::memory_resource* memory)
      : all_(memory),
        sub_queues_(static_cast<std::size_t>(kind_stride_), memory),
        heads_(static_cast<std::size_t>(kind_stride_)) {}

  // Makes room for sub-queues of skill ids below `skills` and channel kind ids below `kinds`.
  void make_room(int skills, int kinds) {
    while (kinds > kind_stride_) widen_kind_stride();
    const auto slots = static_cast<std::size_t>((skills + 1) * kind_stride_);
    if (sub_queues_.size() < slots) {
      sub_queues_.resize(slots);
      heads_.resize(slots);
    }
  }

  // Sub-queues are numbered by (first required skill, channel kind); skill -1 = no skill.
  int sub_queue(int skill, int kind) const { return (skill + 1) * kind_stride_ + kind; }
  int sub_queue_kind(int sub) const { return sub % kind_stride_; }
  int sub_queue_skill(int sub) const { return sub / kind_stride_ - 1; }
  int sub_queue_count() const { return static_cast<int>(sub_queues_.size()); }

  // Queues `key` (its id not queued yet) in the sub-queue of (`skill`, `kind`).
  Place insert(const Key& key, int skill, int kind) {
    const int sub = sub_queue(skill, kind);
    Place place{all_.insert(key).first, sub_queues_[sub].insert(key).first};
    if (!heads_[sub].rec || key < heads_[sub]) heads_[sub] = key;
    return place;
  }

  // Removes the key at `place`, queued with the same `skill` and `kind`.
  void erase(const Place& place, int skill, int kind) {
    const int sub = sub_queue(skill, kind);
    Set& waiting = sub_queues_[sub];
    const Record* rec = place.in_sub_queue->rec;
    all_.erase(place.in_order);
    waiting.erase(place.in_sub_queue);
    if (heads_[sub].rec == rec) heads_[sub] = waiting.empty() ? Key{} : *waiting.begin();
  }

  std::size_t size() const { return all_.size(); }

  // How many queued conversations come before `key` (which is queued).
  std::size_t position(const Key& key) const {
    return static_cast<std::size_t>(std::distance(all_.begin(), all_.find(key)));
  }

  // Walks, in queue order, the sub-queues listed in `subs` (merged), calling `visit(key, sub)`
  // on each conversation until `visit` returns false. Safe against `visit` erasing the current
  // one. A freed agent usually takes the first conversation it visits, so the first visits pick
  // the earliest cursor by a plain scan; only a longer walk (a shift start) pays for a heap.
  template <class Visit>
  void walk(const std::vector<int>& subs, Visit&& visit) {
    const auto later = [](const Cursor& x, const Cursor& y) { return y.key < x.key; };
    std::vector<Cursor>& merge = cursors_;  // a min-heap by `later` once `heap`
    merge.clear();
    for (const int sub : subs)
      if (heads_[sub].rec) merge.push_back({heads_[sub], sub, std::nullopt});
    bool heap = false;
    for (int visits = 0; !merge.empty(); ++visits) {
      if (!heap && visits == kScanVisits) {
        std::make_heap(merge.begin(), merge.end(), later);
        heap = true;
      }
      if (heap)
        std::pop_heap(merge.begin(), merge.end(), later);
      else
        std::swap(*std::max_element(merge.begin(), merge.end(), later), merge.back());
      const Cursor at = merge.back();
      merge.pop_back();
      // The successor is taken before visit() may dequeue this conversation.
      auto next = at.position.value_or(sub_queues_[at.sub].begin());
      if (++next != sub_queues_[at.sub].end()) {
        merge.push_back({*next, at.sub, next});
        if (heap) std::push_heap(merge.begin(), merge.end(), later);
      }
      if (!visit(at.key, at.sub)) return;
    }
  }

 private:
  static constexpr int kScanVisits = 4;

  struct Cursor {
    Key key;
    int sub = 0;
    std::optional<typename Set::iterator> position;  // none: the sub-queue's first conversation
  };

  // Doubles the kinds per skill in the sub-queue layout. The sets are moved, not copied, so
  // the positions conversations keep into them stay valid.
  void widen_kind_stride() {
    const int old_stride = kind_stride_;
    kind_stride_ *= 2;
    const std::size_t slots = sub_queues_.size() / old_stride;
    std::pmr::vector<Set> sets(sub_queues_.get_allocator());
    std::vector<Key> heads;
    sets.reserve(slots * kind_stride_);
    heads.reserve(slots * kind_stride_);
    for (std::size_t slot = 0; slot < slots; ++slot)
      for (int k = 0; k < kind_stride_; ++k) {
        if (k < old_stride) {
          sets.emplace_back(std::move(sub_queues_[slot * old_stride + k]));
          heads.push_back(heads_[slot * old_stride + k]);
        } else {
          sets.emplace_back();
          heads.emplace_back();
        }
      }
    sub_queues_ = std::move(sets);
    heads_ = std::move(heads);
  }

  Set all_;
  // Sub-queues are laid out (skill + 1) * kind_stride_ + kind; the stride grows (and the
  // sub-queues move) when more kinds are known than it holds.
  int kind_stride_ = 4;
  std::pmr::vector<Set> sub_queues_;
  // A copy of each sub-queue's first key (rec == nullptr: empty), side by side, so a walk
  // orders the sub-queues without touching their first nodes: it only follows the nodes of
  // the conversations it visits. (Loading ~24 scattered tree nodes per freed agent was a large
  // share of a decision's cache misses.)
  std::vector<Key> heads_;
  // A walk's cursors, a member so that its capacity is reused: once grown, a walk allocates
  // nothing.
  std::vector<Cursor> cursors_;
};

}  // namespace omnigate::routing
