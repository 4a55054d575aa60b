// The conversation queue on its own: queue order, sub-queues merged in that order, positions
// that survive the sub-queue layout growing, and a walk that tolerates dequeuing as it goes.
#include <catch2/catch.hpp>

#include <deque>

#include "conversation_queue.hpp"
#include "node_pool.hpp"
#include "queue_band.hpp"

using namespace omnigate::routing;

namespace {

struct Waiting {
  ConversationId id = 0;
  int skill = -1, kind = 0;
  ConversationQueue<Waiting>::Place place;
};

// A queue and the records its keys point at.
struct Fixture {
  NodePool pool;
  ConversationQueue<Waiting> queue{&pool};
  std::deque<Waiting> records;  // stable addresses

  Waiting& add(ConversationId id, int band, UnixMs deadline, UnixMs arrival, int skill = -1,
               int kind = 0) {
    Waiting& w = records.emplace_back(Waiting{id, skill, kind, {}});
    ConversationQueue<Waiting>::Key key;
    key.band = band;
    key.deadline = deadline;
    key.arrival = arrival;
    key.id = id;
    key.rec = &w;
    w.place = queue.insert(key, skill, kind);
    return w;
  }

  std::vector<int> every_sub_queue() const {
    std::vector<int> subs;
    for (int sub = 0; sub < queue.sub_queue_count(); ++sub) subs.push_back(sub);
    return subs;
  }

  std::vector<ConversationId> walk(const std::vector<int>& subs) {
    std::vector<ConversationId> seen;
    queue.walk(subs, [&](const auto& key, int) {
      seen.push_back(key.id);
      return true;
    });
    return seen;
  }
};

}  // namespace

TEST_CASE("the queue orders by band, then SLA deadline, then arrival, then id") {
  Fixture f;
  f.add(1, 5, 100, 10);
  f.add(2, 4, 900, 90);  // lower band first, whatever its deadline
  f.add(3, 5, 50, 30);   // same band, earlier deadline
  f.add(4, 5, 100, 5);   // same band and deadline, earlier arrival
  f.add(5, 5, 100, 5);   // all equal to 4: the lower id
  CHECK(f.walk(f.every_sub_queue()) == std::vector<ConversationId>{2, 3, 4, 5, 1});
  CHECK(f.queue.size() == 5);
  CHECK(f.queue.position(*f.records[0].place.in_order) == 4);  // conversation 1 comes last
}

TEST_CASE("tier S goes before tier A within a priority, and priority before tier") {
  Fixture f;
  f.add(1, base_band(2, Tier::A), 0, 0);
  f.add(2, base_band(2, Tier::S), 0, 1);
  f.add(3, base_band(3, Tier::S), 0, 2);
  f.add(4, base_band(1, Tier::C), 0, 3);
  CHECK(f.walk(f.every_sub_queue()) == std::vector<ConversationId>{4, 2, 1, 3});
}

TEST_CASE("a walk merges the listed sub-queues in queue order and skips the others") {
  Fixture f;
  const int billing = 0, french = 1, sms = 0, voice = 3;
  f.queue.make_room(2, 4);
  f.add(1, 3, 0, 1, billing, sms);
  f.add(2, 1, 0, 2, french, sms);
  f.add(3, 2, 0, 3, billing, voice);
  f.add(4, 0, 0, 4, -1, sms);
  f.add(5, 1, 0, 5, billing, sms);
  const std::vector<int> billing_subs{f.queue.sub_queue(billing, sms),
                                      f.queue.sub_queue(billing, voice)};
  CHECK(f.walk(billing_subs) == std::vector<ConversationId>{5, 3, 1});
  CHECK(f.walk(f.every_sub_queue()) == std::vector<ConversationId>{4, 2, 5, 3, 1});
  const int sub = f.queue.sub_queue(french, voice);
  CHECK(f.queue.sub_queue_skill(sub) == french);
  CHECK(f.queue.sub_queue_kind(sub) == voice);
}

TEST_CASE("a walk stops when told to and survives dequeuing the conversation it visits") {
  Fixture f;
  for (ConversationId id = 1; id <= 8; ++id) f.add(id, 0, 0, static_cast<UnixMs>(id));
  std::vector<ConversationId> taken;
  f.queue.walk(f.every_sub_queue(), [&](const auto& key, int) {
    taken.push_back(key.id);
    f.queue.erase(key.rec->place, key.rec->skill, key.rec->kind);
    return taken.size() < 6;  // past the first scanned visits: the merge runs on a heap
  });
  CHECK(taken == std::vector<ConversationId>{1, 2, 3, 4, 5, 6});
  CHECK(f.queue.size() == 2);
  CHECK(f.walk(f.every_sub_queue()) == std::vector<ConversationId>{7, 8});
}

TEST_CASE("erasing the first of a sub-queue makes the next one its head") {
  Fixture f;
  Waiting& first = f.add(1, 0, 0, 1, -1, 2);
  f.add(2, 1, 0, 2, -1, 2);
  f.queue.erase(first.place, first.skill, first.kind);
  CHECK(f.walk({f.queue.sub_queue(-1, 2)}) == std::vector<ConversationId>{2});
}

TEST_CASE("queued conversations keep their places when more channel kinds are made room for") {
  Fixture f;
  const int skill = 1;
  f.queue.make_room(2, 4);
  Waiting& a = f.add(1, 2, 0, 1, skill, 3);
  f.add(2, 1, 0, 2, skill, 0);
  f.queue.make_room(2, 9);  // the sub-queue layout widens
  Waiting& c = f.add(3, 0, 0, 3, skill, 8);
  CHECK(f.walk({f.queue.sub_queue(skill, 3)}) == std::vector<ConversationId>{1});
  CHECK(f.walk(f.every_sub_queue()) == std::vector<ConversationId>{3, 2, 1});
  f.queue.erase(a.place, a.skill, a.kind);
  f.queue.erase(c.place, c.skill, c.kind);
  CHECK(f.walk(f.every_sub_queue()) == std::vector<ConversationId>{2});
}

TEST_CASE("ageing lifts a conversation one band per step, never past its cap") {
  AgeingPolicy ageing;
  ageing.step_ms = 1000;
  ageing.max_bands = 3;
  const int band = base_band(4, Tier::C);
  CHECK(earned_promotions(ageing, band, 0, 999) == 0);
  CHECK(earned_promotions(ageing, band, 0, 2500) == 2);
  CHECK(earned_promotions(ageing, band, 0, 100'000) == 3);                   // max_bands
  CHECK(earned_promotions(ageing, base_band(1, Tier::A), 0, 100'000) == 1);  // never past P1/S
  CHECK(earned_promotions(ageing, band, 5000, 1000) == 0);                   // clock before arrival
}

TEST_CASE("no ageing when the policy switches it off") {
  AgeingPolicy ageing;
  ageing.enabled = false;
  CHECK(max_promotions(ageing, base_band(4, Tier::C)) == 0);
  CHECK(earned_promotions(ageing, base_band(4, Tier::C), 0, 1'000'000'000) == 0);
  ageing.enabled = true;
  ageing.step_ms = 0;
  CHECK(earned_promotions(ageing, base_band(4, Tier::C), 0, 1'000'000'000) == 0);
}
