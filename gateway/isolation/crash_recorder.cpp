#include "isolation/crash_recorder.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

namespace omnigate::isolation {
namespace {

constexpr char kMagic[4] = {'O', 'G', 'c', 'r'};
constexpr char kEndMarker[4] = {'O', 'G', 'c', 'e'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kFlagHasInput = 1;
constexpr uint32_t kFlagTruncated = 2;
constexpr std::size_t kHeaderBytes = 16;  // magic, version, flags, payload length
// The largest payload a reader accepts: every field at its cap, with room to spare.
constexpr std::size_t kMaxPayload = 64u << 20;

constexpr uint32_t kKindHttp = 1, kKindWs = 2, kKindOutbox = 3;

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
constexpr int kMaxSignal = 64;

std::atomic<int> g_fd{-1};
std::atomic<bool> g_installed{false};
std::atomic<bool> g_writing{false};  // the first crashing thread writes; others wait to die
struct sigaction g_previous[kMaxSignal + 1];

// ------------------------------------------------------------------ writing (signal handler)

// One record as an iovec list over the input's own bytes plus small fixed fields, so the whole
// record goes out in one writev(2): an O_APPEND write is placed as a unit, so records from
// two processes sharing the file do not interleave. Everything lives on the (alternate)
// signal stack; nothing allocates.
struct RecordWriter {
  // header + 3 numbers + kind + instance + 3 strings + count + headers + body + address + end
  static constexpr int kMaxIov = 1 + 3 + 1 + 2 + 6 + 1 + 4 * kCrashRecordMaxHeaders + 4 + 1;
  static_assert(kMaxIov <= 1024, "IOV_MAX");
  iovec iov[kMaxIov];
  int count = 0;
  unsigned char scratch[(2 * kCrashRecordMaxHeaders + 24) * 8];
  std::size_t scratch_used = 0;
  unsigned char header[kHeaderBytes];
  std::size_t payload = 0;
  bool truncated = false;

  void bytes(const void* p, std::size_t n) {
    if (n == 0) return;
    iov[count].iov_base = const_cast<void*>(p);
    iov[count].iov_len = n;
    ++count;
    payload += n;
  }
  template <typename T>
  void number(T value) {
    unsigned char* at = scratch + scratch_used;
    std::memcpy(at, &value, sizeof value);
    scratch_used += sizeof value;
    bytes(at, sizeof value);
  }
  void str(const char* p, std::size_t n, std::size_t cap) {
    if (p == nullptr) n = 0;
    if (n > cap) {
      n = cap;
      truncated = true;
    }
    number(static_cast<uint32_t>(n));
    bytes(p, n);
  }
  void str(og_str s, std::size_t cap) { str(s.ptr, s.len, cap); }
};

void add_input(RecordWriter& w, const InputInFlight& in) {
  const std::size_t instance_len = in.instance == nullptr ? 0 : std::strlen(in.instance);
  switch (in.kind) {
    case InputKind::http: {
      w.number(kKindHttp);
      w.str(in.instance, instance_len, kCrashRecordMaxText);
      const og_http_request* r = in.http;
      const og_str none{nullptr, 0};
      w.str(r ? r->method : none, kCrashRecordMaxText);
      w.str(r ? r->target : none, kCrashRecordMaxText);
      w.str(r ? r->path : none, kCrashRecordMaxText);
      std::size_t headers = r && r->headers ? r->header_count : 0;
      if (headers > kCrashRecordMaxHeaders) {
        headers = kCrashRecordMaxHeaders;
        w.truncated = true;
      }
      w.number(static_cast<uint32_t>(headers));
      for (std::size_t i = 0; i < headers; ++i) {
        const og_header* h = OG_ARRAY_AT(r->headers, og_header, i);
        w.str(h->name, kCrashRecordMaxText);
        w.str(h->value, kCrashRecordMaxText);
      }
      w.str(r ? r->body : none, kCrashRecordMaxBody);
      w.str(r ? r->remote_addr : none, kCrashRecordMaxText);
      break;
    }
    case InputKind::ws:
      w.number(kKindWs);
      w.str(in.instance, instance_len, kCrashRecordMaxText);
      w.str(in.ws_path, kCrashRecordMaxText);
      w.str(in.ws_frame, kCrashRecordMaxBody);
      w.number(static_cast<uint32_t>(in.ws_is_text != 0));
      break;
    case InputKind::outbox:
      w.number(kKindOutbox);
      w.str(in.instance, instance_len, kCrashRecordMaxText);
      w.number(static_cast<int64_t>(in.outbox_id));
      break;
  }
}

// writev until everything is out (a regular file takes it in one go unless the disk is full).
void write_all(int fd, iovec* iov, int count) {
  while (count > 0) {
    const ssize_t n = ::writev(fd, iov, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nothing more can be done from here
    }
    auto left = static_cast<std::size_t>(n);
    while (count > 0 && left >= iov->iov_len) {
      left -= iov->iov_len;
      ++iov;
      --count;
    }
    if (count > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + left;
      iov->iov_len -= left;
    }
  }
}

void write_record(int sig) {
  const int fd = g_fd.load();
  if (fd < 0) return;
  RecordWriter w;
  w.bytes(w.header, kHeaderBytes);
  w.payload = 0;  // the header is not part of the payload
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  w.number(static_cast<int32_t>(sig));
  w.number(static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000);
  const InputInFlight* in = current_input();
  if (in != nullptr) add_input(w, *in);
  const auto payload = static_cast<uint32_t>(w.payload);
  w.bytes(kEndMarker, sizeof kEndMarker);
  const uint32_t flags = (in != nullptr ? kFlagHasInput : 0) | (w.truncated ? kFlagTruncated : 0);
  std::memcpy(w.header, kMagic, 4);
  std::memcpy(w.header + 4, &kVersion, 4);
  std::memcpy(w.header + 8, &flags, 4);
  std::memcpy(w.header + 12, &payload, 4);
  write_all(fd, w.iov, w.count);
}

void on_fatal_signal(int sig, siginfo_t* info, void*) {
  const int saved_errno = errno;
  if (g_writing.exchange(true)) {
    // Another thread is writing its record and will end the process; wait for that.
    for (;;) ::pause();
  }
  write_record(sig);
  // Back to what was there before (the default action, or a sanitizer's handler) and let the
  // signal take its course. A fault the kernel raised (si_code > 0) happens again when the
  // faulting instruction is restarted on return, with its real siginfo (fault address in the
  // core); a signal sent by kill/raise/abort (si_code <= 0) is raised again.
  ::sigaction(sig, &g_previous[sig], nullptr);
  if (info == nullptr || info->si_code <= 0) ::raise(sig);
  errno = saved_errno;
}

// ------------------------------------------------------------------ alternate signal stacks

// An alternate stack per thread, so that a handler still runs when a plugin overflowed its
// thread's stack. Mapped with a guard page below it; removed when the thread exits.
struct ThreadSignalStack {
  void* mapping = nullptr;
  std::size_t size = 0;
  ~ThreadSignalStack() {
    if (mapping == nullptr) return;
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    ::sigaltstack(&off, nullptr);
    ::munmap(mapping, size);
  }
};
thread_local bool t_stack_checked = false;

void give_thread_signal_stack() {
  static thread_local ThreadSignalStack stack;
  stack_t current{};
  if (::sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) == 0)
    return;  // the thread has one already (a sanitizer's, say)
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  // RecordWriter takes ~17 KiB, plus the kernel's signal frame, which grows with the CPU's
  // register state (AVX-512, AMX): the system's SIGSTKSZ says how much.
  std::size_t usable = 64u << 10;
#ifdef _SC_SIGSTKSZ
  if (const long system = ::sysconf(_SC_SIGSTKSZ); system > 0)
    usable = std::max(usable, static_cast<std::size_t>(system) + (32u << 10));
#endif
  usable = (usable + page - 1) / page * page;
  void* mapping = ::mmap(nullptr, usable + page, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping == MAP_FAILED) return;
  ::mprotect(mapping, page, PROT_NONE);  // guard page: an overflow here faults, not corrupts
  stack_t alt{};
  alt.ss_sp = static_cast<char*>(mapping) + page;
  alt.ss_size = usable;
  if (::sigaltstack(&alt, nullptr) != 0) {
    ::munmap(mapping, usable + page);
    return;
  }
  stack.mapping = mapping;
  stack.size = usable + page;
}

// ------------------------------------------------------------------ reading

class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  bool u32(uint32_t& v) { return raw(&v, sizeof v); }
  bool i32(int32_t& v) { return raw(&v, sizeof v); }
  bool i64(int64_t& v) { return raw(&v, sizeof v); }
  bool str(std::string& s) {
    uint32_t n = 0;
    if (!u32(n) || n > rest_.size()) return false;
    s.assign(rest_.substr(0, n));
    rest_.remove_prefix(n);
    return true;
  }
  bool done() const { return rest_.empty(); }

 private:
  bool raw(void* out, std::size_t n) {
    if (rest_.size() < n) return false;
    std::memcpy(out, rest_.data(), n);
    rest_.remove_prefix(n);
    return true;
  }
  std::string_view rest_;
};

bool parse_payload(std::string_view payload, uint32_t flags, CrashRecord& record) {
  Reader r(payload);
  int32_t sig = 0;
  if (!r.i32(sig) || !r.i64(record.at_ms)) return false;
  record.signal = sig;
  record.has_input = (flags & kFlagHasInput) != 0;
  record.truncated = (flags & kFlagTruncated) != 0;
  if (record.has_input) {
    CapturedInput& in = record.input;
    uint32_t kind = 0;
    if (!r.u32(kind) || !r.str(in.instance)) return false;
    switch (kind) {
      case kKindHttp: {
        in.kind = InputKind::http;
        uint32_t headers = 0;
        if (!r.str(in.method) || !r.str(in.target) || !r.str(in.path) || !r.u32(headers))
          return false;
        for (uint32_t i = 0; i < headers; ++i) {
          std::string name, value;
          if (!r.str(name) || !r.str(value)) return false;
          in.headers.emplace_back(std::move(name), std::move(value));
        }
        if (!r.str(in.body) || !r.str(in.remote_addr)) return false;
        break;
      }
      case kKindWs: {
        in.kind = InputKind::ws;
        uint32_t is_text = 0;
        if (!r.str(in.ws_path) || !r.str(in.ws_frame) || !r.u32(is_text) || is_text > 1)
          return false;
        in.ws_is_text = is_text != 0;
        break;
      }
      case kKindOutbox:
        in.kind = InputKind::outbox;
        if (!r.i64(in.outbox_id)) return false;
        break;
      default:
        return false;
    }
  }
  return r.done();
}

// The record at the start of `bytes`, and how many bytes it spans; 0 when there is none.
std::size_t parse_one(std::string_view bytes, CrashRecord& record, bool& known) {
  if (bytes.size() < kHeaderBytes + sizeof kEndMarker) return 0;
  if (std::memcmp(bytes.data(), kMagic, 4) != 0) return 0;
  uint32_t version = 0, flags = 0, length = 0;
  std::memcpy(&version, bytes.data() + 4, 4);
  std::memcpy(&flags, bytes.data() + 8, 4);
  std::memcpy(&length, bytes.data() + 12, 4);
  if (length > kMaxPayload) return 0;
  const std::size_t span = kHeaderBytes + length + sizeof kEndMarker;
  if (bytes.size() < span) return 0;
  if (std::memcmp(bytes.data() + kHeaderBytes + length, kEndMarker, 4) != 0) return 0;
  // A complete record of a later version: step over it whole.
  known = version == kVersion;
  if (!known) return span;
  if ((flags & ~(kFlagHasInput | kFlagTruncated)) != 0) return 0;
  if (!parse_payload(bytes.substr(kHeaderBytes, length), flags, record)) return 0;
  return span;
}

}  // namespace

void install_crash_recorder(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::system_error(errno, std::generic_category(), "crash record file " + path);
  }
  if (const int old = g_fd.exchange(fd); old >= 0) ::close(old);
  if (g_installed.exchange(true)) return;  // handlers already in place
  struct sigaction action {};
  action.sa_sigaction = on_fatal_signal;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  // Every recorded signal is blocked while a handler runs: a fault inside the handler (say,
  // pointers corrupted by the plugin) then ends the process at once instead of recursing.
  sigemptyset(&action.sa_mask);
  for (int sig : kSignals) sigaddset(&action.sa_mask, sig);
  for (int sig : kSignals) ::sigaction(sig, &action, &g_previous[sig]);
  t_stack_checked = true;
  give_thread_signal_stack();
}

void prepare_thread_for_crash_records() noexcept {
  if (t_stack_checked || !g_installed.load(std::memory_order_relaxed)) return;
  t_stack_checked = true;
  give_thread_signal_stack();
}

std::vector<CrashRecord> parse_crash_records(std::string_view bytes) {
  std::vector<CrashRecord> records;
  std::size_t at = 0;
  while (at < bytes.size()) {
    CrashRecord record;
    bool known = false;
    const std::size_t span = parse_one(bytes.substr(at), record, known);
    if (span == 0) {
      // Torn or garbled: resume at the next magic after this position.
      const std::size_t next = bytes.find(std::string_view(kMagic, sizeof kMagic), at + 1);
      if (next == std::string_view::npos) break;
      at = next;
      continue;
    }
    if (known) records.push_back(std::move(record));
    at += span;
  }
  return records;
}

std::vector<CrashRecord> read_crash_records(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  const std::string bytes{std::istreambuf_iterator<char>(in), {}};
  return parse_crash_records(bytes);
}

void clear_crash_records(const std::string& path) {
  if (::truncate(path.c_str(), 0) != 0 && errno != ENOENT) {
    throw std::system_error(errno, std::generic_category(), "crash record file " + path);
  }
}

}  // namespace omnigate::isolation
