// The gateway's side of the plugin-process wire: a plugin-host process is untrusted (it runs a
// third party's plugin), so every decoder the gateway applies to its frames must, for any bytes,
// either return a value or throw WireError — never crash, never read past the frame, never
// allocate by a forged count (any other exception escapes and fails the target). A value it
// returns must encode back to exactly the bytes it was read from: the encoding is canonical,
// so a decoder and its encoder that disagree on a field show up here.
//
// The first byte picks the decoder (wire_kinds.hpp), the rest is the frame. RpcChannel's frame
// parser is not fuzzed here: it runs inside the channel's reader thread, on a socket.
#include "plugin_process/wire.hpp"
#include "wire_kinds.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using omnigate::plugin_process::WireError;
using omnigate::plugin_process::test::kWireKinds;
using omnigate::plugin_process::test::reencode;
using omnigate::plugin_process::test::WireKind;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto kind = static_cast<WireKind>(data[0] % kWireKinds);
  const std::string_view frame(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string again;
  try {
    again = reencode(kind, frame);
  } catch (const WireError&) {
    return 0;  // a bad frame: the gateway treats the process as broken
  }
  if (frame.substr(0, again.size()) != again) __builtin_trap();
  bool at_end = false;
  if (reencode(kind, again, &at_end) != again || !at_end) __builtin_trap();
  return 0;
}
