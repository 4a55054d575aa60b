// A forked child of the conformance kit: the plugin runs there, so a crash or a hang in it is
// a finding the parent reports, never the end of the kit. The child talks to the parent in
// lines over a pipe (events) and reads commands from another; its stdout and stderr (the
// host's log, sanitizer reports) go to a log file the parent reads afterwards.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace omnigate::conform {

using Clock = std::chrono::steady_clock;

// How a child ended.
struct ChildExit {
  int code = 0;    // exit status when signal == 0
  int signal = 0;  // the signal that killed it, or 0
};

class ChildProcess {
 public:
  // body(events_fd, commands_fd) runs in the child; its return value is the exit status
  // (std::exit, so that atexit handlers — LeakSanitizer's — run). The child dies with the
  // parent. Throws std::runtime_error when fork or pipe fails.
  static std::unique_ptr<ChildProcess> spawn(const std::string& log_path,
                                             const std::function<int(int, int)>& body);
  ~ChildProcess();  // kills and reaps a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next event line (without '\n'); nullopt at end of stream or when `deadline` passed
  // (then timed_out is set).
  std::optional<std::string> read_line(Clock::time_point deadline, bool& timed_out);
  void send_command(const std::string& line);
  // Waits for the child to end until `deadline`; nullopt when it still runs.
  std::optional<ChildExit> wait(Clock::time_point deadline);
  void kill();  // SIGKILL and reap
  bool running();

  const std::string& log_path() const { return log_path_; }
  pid_t pid() const { return pid_; }

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  int events_fd_ = -1;
  int commands_fd_ = -1;
  std::string log_path_;
  std::string buffer_;
  std::optional<ChildExit> exit_;
};

// "killed by SIGSEGV (Segmentation fault)" or "exited with status 1", plus the sanitizer's
// one-line summary from the log when there is one.
std::string describe_exit(const ChildExit& exit, const std::string& log_path);
// True when the child ended cleanly: status 0, or LeakSanitizer's exit status with its report
// in the log (the leak is a finding of its own, not a crash).
bool ended_cleanly(const ChildExit& exit, const std::string& log_path);
// LeakSanitizer's report in the log, summarised ("SUMMARY: ... leaked in N allocation(s)"
// and the first stack frames of the first leak); empty when there is none.
std::string leak_report(const std::string& log_path);

// Writes one line to an events pipe (in the child).
void emit(int fd, const std::string& line);

}  // namespace omnigate::conform
