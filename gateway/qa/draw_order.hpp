// The order a sample draws conversations in: a 64-bit key per (seed, conversation id), from
// SplitMix64 (Steele, Lea, Flood 2014) written out here, so the same seed picks the same
// conversations with every compiler and standard library (std::shuffle and the std
// distributions are not specified bit for bit). A conversation's key depends on nothing else,
// so adding unrelated conversations never changes where it falls relative to the others.
#pragma once

#include <cstdint>

namespace omnigate::qa {

std::uint64_t splitmix64(std::uint64_t x);

// splitmix64(splitmix64(seed) XOR id): lower keys are drawn first (ties by id).
std::uint64_t draw_key(std::int64_t seed, std::int64_t conversation_id);

}  // namespace omnigate::qa
