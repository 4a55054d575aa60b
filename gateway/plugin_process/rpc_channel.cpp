#include "plugin_process/rpc_channel.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace omnigate::plugin_process {
namespace {

constexpr std::size_t kHeaderBytes = 4 + 1 + 4 + 8 + 8;

// The lane the current thread is in, per channel (a thread serves one channel at a time).
struct CurrentLane {
  const RpcChannel* channel = nullptr;
  std::uint64_t lane = 0;
};
thread_local CurrentLane t_current;

// Notifications a thread made inside a call, not written yet (RpcChannel::notify).
struct HeldFrames {
  const RpcChannel* channel = nullptr;
  std::string bytes;
};
thread_local HeldFrames t_held;

class LaneScope {
 public:
  LaneScope(const RpcChannel* channel, std::uint64_t lane) : saved_(t_current) {
    t_current = {channel, lane};
  }
  ~LaneScope() { t_current = saved_; }
  LaneScope(const LaneScope&) = delete;
  LaneScope& operator=(const LaneScope&) = delete;

 private:
  CurrentLane saved_;
};

template <class T>
void put(std::string& out, T v) {
  for (std::size_t i = 0; i < sizeof v; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

template <class T>
T get(const char* p) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof v; ++i)
    v |= static_cast<T>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

}  // namespace

RpcChannel::RpcChannel(int fd, bool odd_lanes, Handler handler, TopLevel top_level,
                       std::function<void(const std::string&)> on_closed,
                       std::size_t max_frame_bytes)
    : fd_(fd),
      odd_lanes_(odd_lanes),
      handler_(std::move(handler)),
      top_level_(std::move(top_level)),
      on_closed_(std::move(on_closed)),
      max_frame_bytes_(max_frame_bytes) {}

RpcChannel::~RpcChannel() {
  close("channel destroyed");
  if (reader_.joinable()) {
    if (reader_.get_id() == std::this_thread::get_id()) {
      reader_.detach();  // destroyed from its own on_closed: the thread ends right after
    } else {
      reader_.join();
    }
  }
  ::close(fd_);
}

void RpcChannel::start() {
  reader_ = std::thread([this] { read_loop(); });
}

bool RpcChannel::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

void RpcChannel::close(const std::string& why) {
  std::lock_guard lock(mu_);
  if (closed_) return;
  closed_ = true;
  close_reason_ = why;
  ::shutdown(fd_, SHUT_RDWR);  // the reader sees the end and reports on_closed
  for (auto& [id, lane] : lanes_) lane->cv.notify_all();
}

std::shared_ptr<RpcChannel::Lane> RpcChannel::enter_lane(std::uint64_t id) {
  auto& lane = lanes_[id];
  if (!lane) {
    lane = std::make_shared<Lane>();
    lane->id = id;
  }
  ++lane->depth;
  return lane;
}

void RpcChannel::leave_lane(const std::shared_ptr<Lane>& lane) {
  if (--lane->depth == 0) lanes_.erase(lane->id);
}

std::optional<std::string> RpcChannel::call(
    std::uint32_t method, std::string payload,
    std::optional<std::chrono::steady_clock::time_point> deadline, CallFailure* failure) {
  auto fail = [&](CallFailure why) -> std::optional<std::string> {
    if (failure != nullptr) *failure = why;
    return std::nullopt;
  };
  std::shared_ptr<Lane> lane;
  std::uint64_t call_id = 0;
  {
    std::lock_guard lock(mu_);
    if (closed_) return fail(CallFailure::closed);
    const std::uint64_t id =
        t_current.channel == this ? t_current.lane : next_lane_++ * 2 + (odd_lanes_ ? 1 : 0);
    lane = enter_lane(id);
    call_id = next_call_++;
  }
  LaneScope scope(this, lane->id);
  send(Frame{FrameType::call, method, lane->id, call_id, std::move(payload)});
  for (;;) {
    std::unique_lock lock(mu_);
    auto ready = [&] { return closed_ || !lane->inbox.empty(); };
    if (deadline) {
      if (!lane->cv.wait_until(lock, *deadline, ready)) {
        leave_lane(lane);
        return fail(CallFailure::deadline);
      }
    } else {
      lane->cv.wait(lock, ready);
    }
    if (closed_) {
      leave_lane(lane);
      return fail(CallFailure::closed);
    }
    Frame frame = std::move(lane->inbox.front());
    lane->inbox.pop_front();
    if (frame.type == FrameType::result) {
      if (frame.call_id != call_id) continue;  // a call given up on (deadline) answered late
      leave_lane(lane);
      if (failure != nullptr) *failure = CallFailure::none;
      return std::move(frame.payload);
    }
    lock.unlock();
    handle(frame);  // the peer's nested call, on this thread
  }
}

void RpcChannel::notify(std::uint32_t method, std::string payload) {
  std::uint64_t lane = 0;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    lane = t_current.channel == this ? t_current.lane : next_lane_++ * 2 + (odd_lanes_ ? 1 : 0);
  }
  const Frame frame{FrameType::notify, method, lane, 0, std::move(payload)};
  if (t_current.channel == this && (t_held.channel == this || t_held.bytes.empty())) {
    // Inside a call: held back until this thread's next frame (its call's result at the
    // latest), so a handler's notifications and its result leave in one write.
    t_held.channel = this;
    t_held.bytes += header(frame);
    t_held.bytes += frame.payload;
    return;
  }
  send(frame);
}

void RpcChannel::serve(Frame frame) {
  LaneScope scope(this, frame.lane);
  handle(frame);
}

void RpcChannel::handle(Frame& frame) {
  std::string result;
  try {
    result = handler_(frame.method, frame.payload);
  } catch (const std::exception& e) {
    close(std::string("bad frame from the peer: ") + e.what());
    return;
  }
  if (frame.type == FrameType::call) {
    send(Frame{FrameType::result, frame.method, frame.lane, frame.call_id, std::move(result)});
  } else {
    flush_held();
  }
}

std::string RpcChannel::header(const Frame& frame) {
  std::string out;
  out.reserve(kHeaderBytes);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(kHeaderBytes - 4 + frame.payload.size()));
  put<std::uint8_t>(out, static_cast<std::uint8_t>(frame.type));
  put<std::uint32_t>(out, frame.method);
  put<std::uint64_t>(out, frame.lane);
  put<std::uint64_t>(out, frame.call_id);
  return out;
}

void RpcChannel::send(const Frame& frame) {
  const std::string head = header(frame);
  // Notifications this thread held back go first, in the same write.
  std::string held;
  if (t_held.channel == this) held.swap(t_held.bytes);
  write_all({std::string_view(held), std::string_view(head), std::string_view(frame.payload)});
}

void RpcChannel::flush_held() {
  if (t_held.channel != this || t_held.bytes.empty()) return;
  std::string held;
  held.swap(t_held.bytes);
  write_all({std::string_view(held)});
}

void RpcChannel::write_all(std::initializer_list<std::string_view> pieces) {
  std::vector<iovec> parts;
  std::size_t total = 0;
  for (std::string_view piece : pieces) {
    if (piece.empty()) continue;
    parts.push_back({const_cast<char*>(piece.data()), piece.size()});
    total += piece.size();
  }
  std::lock_guard lock(write_mu_);
  std::size_t sent = 0;
  while (sent < total) {
    std::vector<iovec> rest;
    std::size_t skip = sent;
    for (const auto& part : parts) {
      if (skip >= part.iov_len) {
        skip -= part.iov_len;
        continue;
      }
      rest.push_back({static_cast<char*>(part.iov_base) + skip, part.iov_len - skip});
      skip = 0;
    }
    msghdr msg{};
    msg.msg_iov = rest.data();
    msg.msg_iovlen = rest.size();
    const ssize_t w = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      // EAGAIN: the send timeout passed (a peer that stopped reading).
      close(std::string("write failed: ") + std::strerror(errno));
      return;
    }
    sent += static_cast<std::size_t>(w);
  }
}

void RpcChannel::dispatch(Frame frame) {
  {
    std::lock_guard lock(mu_);
    if (auto it = lanes_.find(frame.lane); it != lanes_.end()) {
      it->second->inbox.push_back(std::move(frame));
      it->second->cv.notify_one();
      return;
    }
  }
  if (frame.type == FrameType::result) return;  // nobody waits for it any more
  if (frame.type == FrameType::notify) {
    // A notification outside any call (a plugin thread's metric_record, log, send_result) runs
    // here, before the frames sent after it: what that thread did is visible by the time the
    // reply a handler sent after it arrives, as in one process. Notified functions return
    // nothing and never call back, so the reader is not held up waiting for the peer.
    serve(std::move(frame));
    return;
  }
  top_level_(std::move(frame));
}

void RpcChannel::read_loop() {
  std::string buffer;
  std::size_t start = 0;
  char chunk[64 * 1024];
  std::string why = "the peer closed the connection";
  for (;;) {
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n < 0) why = std::string("read failed: ") + std::strerror(errno);
      break;
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
    bool broken = false;
    while (buffer.size() - start >= 4) {
      const std::uint32_t length = get<std::uint32_t>(buffer.data() + start);
      if (length < kHeaderBytes - 4 || length > max_frame_bytes_) {
        why = "bad frame length " + std::to_string(length);
        broken = true;
        break;
      }
      if (buffer.size() - start < 4 + static_cast<std::size_t>(length)) break;
      const char* p = buffer.data() + start + 4;
      Frame frame;
      const auto type = static_cast<std::uint8_t>(p[0]);
      if (type < 1 || type > 3) {
        why = "bad frame type " + std::to_string(type);
        broken = true;
        break;
      }
      frame.type = static_cast<FrameType>(type);
      frame.method = get<std::uint32_t>(p + 1);
      frame.lane = get<std::uint64_t>(p + 5);
      frame.call_id = get<std::uint64_t>(p + 13);
      frame.payload.assign(p + 21, length - (kHeaderBytes - 4));
      start += 4 + length;
      dispatch(std::move(frame));
    }
    if (broken) break;
    if (start == buffer.size()) {
      buffer.clear();
      start = 0;
    } else if (start > buffer.size() / 2) {
      buffer.erase(0, start);
      start = 0;
    }
  }
  std::string reason;
  {
    std::lock_guard lock(mu_);
    reason = close_reason_.empty() ? why : close_reason_;
  }
  close(reason);
  if (on_closed_) on_closed_(reason);
}

void TopLevelQueue::push(Frame frame) {
  std::lock_guard lock(mu_);
  if (closed_) return;
  frames_.push_back(std::move(frame));
  cv_.notify_one();
}

std::optional<Frame> TopLevelQueue::pop() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return closed_ || !frames_.empty(); });
  if (frames_.empty()) return std::nullopt;
  Frame frame = std::move(frames_.front());
  frames_.pop_front();
  return frame;
}

void TopLevelQueue::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  cv_.notify_all();
}

}  // namespace omnigate::plugin_process
