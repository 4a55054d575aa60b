#include "api/idempotency_cache.hpp"

#include <catch2/catch.hpp>

using omnigate::api::IdempotencyCache;

TEST_CASE("an idempotency key replays the first result and can be retried after a failure",
          "[api]") {
  IdempotencyCache cache(2);
  omnigate::store::ReplyResult previous;
  REQUIRE(cache.claim("a", previous) == IdempotencyCache::Claim::fresh);
  CHECK(cache.claim("a", previous) == IdempotencyCache::Claim::in_progress);
  cache.finish("a", {10, 3});
  REQUIRE(cache.claim("a", previous) == IdempotencyCache::Claim::done);
  CHECK(previous.outbox_id == 3);

  REQUIRE(cache.claim("b", previous) == IdempotencyCache::Claim::fresh);
  cache.abandon("b");  // not stored: the client's retry may store it
  CHECK(cache.claim("b", previous) == IdempotencyCache::Claim::fresh);
}

TEST_CASE("the idempotency cache forgets the oldest keys beyond its capacity", "[api]") {
  IdempotencyCache cache(2);
  omnigate::store::ReplyResult previous;
  for (const char* k : {"a", "b", "c"}) {
    cache.claim(k, previous);
    cache.finish(k, {1, 1});
  }
  CHECK(cache.claim("c", previous) == IdempotencyCache::Claim::done);
  CHECK(cache.claim("a", previous) == IdempotencyCache::Claim::fresh);
}
