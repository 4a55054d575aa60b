// Agents with free capacity, kept in selection order (private to the routing engine).
//
// An agent's key changes on every offer and release, so re-keying must be cheap. Keys are
// split into a small "bucket" part (occupancy, proficiency: few distinct values) and an
// ordered tail led by a timestamp that is almost always "now" when a key changes. Each bucket
// is a list, so a re-keyed agent is appended at (or very near) the back: O(1) instead of the
// O(log n) rebalancing of one big ordered tree.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory_resource>
#include <tuple>
#include <utility>

namespace omnigate::routing {

struct CandidateKey {
  std::int64_t bucket_a = 0, bucket_b = 0;  // smaller is better
  std::int64_t time = 0;                    // then earlier is better
  std::int64_t rest = 0;
  // Ties go to whoever got this key first (insertion order), so equal keys append at the
  // back; `seq` is assigned by the set and ignored when asking whether a key changed.
  std::uint64_t seq = 0;
  int agent = 0;
  // Not part of the order: a cache of what the agent can take, so a walk decides on most
  // candidates without touching the agent record. `kinds` (bit per channel kind id below 64 it
  // has room for now) is refreshed in place on every load change; `level` is its proficiency in
  // the set's skill (0 for the no-skill sets); `tiers` the customer tiers it serves (bit per Tier).
  std::uint64_t kinds = 0;
  int level = 0;
  unsigned tiers = 0;

  bool operator<(const CandidateKey& o) const {
    return std::tie(bucket_a, bucket_b, time, rest, seq, agent) <
           std::tie(o.bucket_a, o.bucket_b, o.time, o.rest, o.seq, o.agent);
  }
  bool same_rank(const CandidateKey& o) const {
    return bucket_a == o.bucket_a && bucket_b == o.bucket_b && time == o.time && rest == o.rest &&
           agent == o.agent;
  }
};

class CandidateSet {
 public:
  using Bucket = std::pmr::list<CandidateKey>;
  struct Position {
    Bucket* bucket = nullptr;
    Bucket::iterator it;
  };

  // Nodes come from `memory` (the engine's pool), which must outlive the set.
  explicit CandidateSet(std::pmr::memory_resource* memory) : buckets_(memory) {}

  Position insert(CandidateKey key) {
    key.seq = next_seq_++;
    Bucket& bucket = buckets_[{key.bucket_a, key.bucket_b}];
    auto pos = bucket.end();
    while (pos != bucket.begin() && key < *std::prev(pos)) --pos;
    ++size_;
    return {&bucket, bucket.insert(pos, key)};
  }

  void erase(const Position& p) {
    p.bucket->erase(p.it);
    --size_;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Refreshes the non-ordering fields of a key in place.
  static void refresh(const Position& p, std::uint64_t kinds) { p.it->kinds = kinds; }

  // The first key, in order, that satisfies `accept`, or nullptr.
  template <class Accept>
  const CandidateKey* find_first(Accept&& accept) const {
    for (const auto& [bucket_key, bucket] : buckets_)
      for (const auto& key : bucket)
        if (accept(key)) return &key;
    return nullptr;
  }

 private:
  std::pmr::map<std::pair<std::int64_t, std::int64_t>, Bucket> buckets_;  // empty ones are kept
  std::size_t size_ = 0;
  std::uint64_t next_seq_ = 0;
};

}  // namespace omnigate::routing
