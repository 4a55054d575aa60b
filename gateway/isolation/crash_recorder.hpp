// The in-process crash record: when a plugin running inside the gateway kills the process
// (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT), an async-signal-safe handler appends to a file
// which input the crashing thread had in flight (input_in_flight.hpp) before the process dies
// with the same signal as it would have without it. The next start reads the records to count
// crashes per input and quarantine a poison input.
//
// File format (version 1; written and read on the same host, so integers are in its byte
// order). Every record is
//   "OGcr"  u32 version  u32 flags  u32 payload_length  payload  "OGce"
// flags: 1 = the thread had an input in flight, 2 = a field was cut to its cap (see below).
// payload: i32 signal, i64 time (Unix ms), then with an input:
//   u32 kind (1 http, 2 ws, 3 outbox), str instance, and
//   http:   str method, str target, str path, u32 header count, (str name, str value)...,
//           str body, str remote_addr
//   ws:     str path, str frame, u32 is_text
//   outbox: i64 outbox id
// where str is u32 length + bytes. A record killed mid-write (a torn last record) has no end
// marker where its length says: the reader skips it and looks for the next "OGcr".
#pragma once

#include "isolation/input_in_flight.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::isolation {

// Caps of what one record holds of each field; a longer field is cut and the record marked
// truncated (its key() then is not the input's key: a capped input cannot be quarantined by
// key, only counted as a crash of its instance).
inline constexpr std::size_t kCrashRecordMaxBody = 8u << 20;   // body, WebSocket frame
inline constexpr std::size_t kCrashRecordMaxText = 64u << 10;  // every other string
inline constexpr std::size_t kCrashRecordMaxHeaders = 200;

// Opens `path` for appending (created if missing; once per process — a later call switches to
// the new path) and installs the handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT.
// After writing its record a handler puts back the disposition that was there before it (the
// default, or a sanitizer's handler) and lets the signal take its course, so the exit status
// and core dumps are what they would have been. Gives the calling thread an alternate signal
// stack (so a stack overflow is recorded too); other threads get one when they first enter an
// InputScope. Throws std::system_error when the file cannot be opened.
void install_crash_recorder(const std::string& path);

// Gives the calling thread an alternate signal stack if the recorder is installed and the
// thread has none yet (freed when the thread exits). Cheap after the first call per thread.
void prepare_thread_for_crash_records() noexcept;

struct CrashRecord {
  int signal = 0;
  int64_t at_ms = 0;  // Unix ms
  bool has_input = false;
  CapturedInput input;  // meaningful when has_input
  bool truncated = false;
};

// Every complete record in the file, oldest first; torn or garbled records are skipped. A
// missing or unreadable file reads as no records. Never throws on the file's contents.
std::vector<CrashRecord> read_crash_records(const std::string& path);
// The same over bytes already read.
std::vector<CrashRecord> parse_crash_records(std::string_view bytes);

// Empties the file (once its records are accounted for). A missing file is left missing;
// throws std::system_error when the file exists and cannot be truncated.
void clear_crash_records(const std::string& path);

}  // namespace omnigate::isolation
