// The crash record file is read at every start after a crash, and its last record may be torn
// or, after a disk error, garbage: for any bytes the reader must return without crashing, and
// every record it does return must survive the trip through the quarantine's raw JSON exactly
// (the gateway replays a released input from it). The same bytes also go through
// CapturedInput::from_raw_json, which must give back what raw_json writes for its result.
#include "isolation/crash_recorder.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

using omnigate::isolation::CapturedInput;

namespace {

void require_round_trip(const CapturedInput& input) {
  const auto back = CapturedInput::from_raw_json(input.raw_json());
  if (!back || !(*back == input) || back->key() != input.key()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const auto& record : omnigate::isolation::parse_crash_records(bytes)) {
    if (record.has_input) require_round_trip(record.input);
  }
  if (const auto input = CapturedInput::from_raw_json(bytes)) require_round_trip(*input);
  return 0;
}
