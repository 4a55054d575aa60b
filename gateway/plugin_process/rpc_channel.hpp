// A bidirectional call channel over one stream socket, for the gateway and a plugin-host
// process. Both sides call and both serve, and calls nest: the gateway calls the plugin's route
// handler; inside it the plugin calls the host's respond(); inside kv_get the host calls the
// plugin's visitor. A nested call must run on the thread that waits for the outer call —
// that is the thread the ABI's "inside a callback" rules and the instance's lock belong to.
//
// So every call travels in a lane. A thread that starts a call outside any lane opens a new
// one; a thread serving a frame of lane L (or waiting for its own call in L) makes its calls
// in L. The reader thread hands a frame of a lane that has a waiting thread to that thread;
// a call that opens a lane goes to `top_level` (the child's dispatcher thread, the gateway's
// worker for calls from the plugin's own threads); a notification that opens one runs on the
// reader thread itself, so it takes effect before anything sent after it. Frames are handled in
// the order they were sent, per lane and per top-level queue.
//
// Frame: u32 length of the rest | u8 type | u32 method | u64 lane | u64 call id | payload.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace omnigate::plugin_process {

enum class FrameType : std::uint8_t { call = 1, result = 2, notify = 3 };

struct Frame {
  FrameType type = FrameType::call;
  std::uint32_t method = 0;
  std::uint64_t lane = 0;
  std::uint64_t call_id = 0;
  std::string payload;
};

// Why a call got no result.
enum class CallFailure { none, closed, deadline };

class RpcChannel {
 public:
  // Runs an incoming call or notification on the current thread and returns the result payload
  // (ignored for a notification). May throw: the channel is then closed as broken.
  using Handler = std::function<std::string(std::uint32_t method, std::string_view payload)>;
  using TopLevel = std::function<void(Frame)>;

  // `fd` is owned (closed by the destructor). `first_lane` / 2 parity keeps the two sides'
  // lane ids apart (the gateway opens even lanes, the child odd ones). `max_frame_bytes`: a
  // larger frame from the peer is a protocol error that closes the channel.
  RpcChannel(int fd, bool odd_lanes, Handler handler, TopLevel top_level,
             std::function<void(const std::string& why)> on_closed,
             std::size_t max_frame_bytes = 256u << 20);
  ~RpcChannel();  // close() + joins the reader
  RpcChannel(const RpcChannel&) = delete;
  RpcChannel& operator=(const RpcChannel&) = delete;

  void start();  // starts the reader thread

  // Sends a call and waits for its result, serving the peer's nested calls meanwhile. nullopt
  // when the channel closed or the deadline passed first (`failure` says which).
  std::optional<std::string> call(std::uint32_t method, std::string payload,
                                  std::optional<std::chrono::steady_clock::time_point> deadline,
                                  CallFailure* failure = nullptr);
  // Sends without waiting (in the current lane, so it is handled in order with its calls).
  void notify(std::uint32_t method, std::string payload);
  // Runs a top-level frame handed to `top_level` on the current thread (in its lane).
  void serve(Frame frame);

  // Shuts the socket down; every waiting call returns closed. Idempotent.
  void close(const std::string& why);
  bool closed() const;

 private:
  struct Lane {
    std::uint64_t id = 0;
    int depth = 0;  // calls waiting in this lane on its thread
    std::deque<Frame> inbox;
    std::condition_variable cv;
  };

  void read_loop();
  void send(const Frame& frame);  // with the notifications this thread held back first
  void flush_held();
  void write_all(std::initializer_list<std::string_view> pieces);
  static std::string header(const Frame& frame);
  void dispatch(Frame frame);  // reader thread: to a waiting lane or top_level
  void handle(Frame& frame);   // runs a call/notify here and answers a call
  std::shared_ptr<Lane> enter_lane(std::uint64_t id);
  void leave_lane(const std::shared_ptr<Lane>& lane);

  int fd_;
  const bool odd_lanes_;
  Handler handler_;
  TopLevel top_level_;
  std::function<void(const std::string&)> on_closed_;
  const std::size_t max_frame_bytes_;

  std::mutex write_mu_;
  mutable std::mutex mu_;  // lanes_, closed_, next ids
  std::map<std::uint64_t, std::shared_ptr<Lane>> lanes_;
  bool closed_ = false;
  std::string close_reason_;
  std::uint64_t next_lane_ = 1;
  std::uint64_t next_call_ = 1;
  std::thread reader_;
};

}  // namespace omnigate::plugin_process

namespace omnigate::plugin_process {

// The frames that open lanes, in arrival order, for the one thread that serves them.
class TopLevelQueue {
 public:
  void push(Frame frame);
  // Blocks for the next frame; nullopt once closed and drained.
  std::optional<Frame> pop();
  void close();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Frame> frames_;
  bool closed_ = false;
};

}  // namespace omnigate::plugin_process
