#include "conform/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace omnigate::conform {
namespace {

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the other side is gone: nothing left to tell
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

std::vector<std::string> log_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  return lines;
}

// The sanitizer's own summary of a crash ("SUMMARY: AddressSanitizer: SEGV ...", a UBSan
// "runtime error:" line), if the log has one.
std::string crash_summary(const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    if (line.find("runtime error:") != std::string::npos) return line;
    if (line.rfind("SUMMARY: AddressSanitizer:", 0) == 0 &&
        line.find("leaked in") == std::string::npos)
      return line;
  }
  for (const auto& line : lines) {
    if (line.find("ERROR: AddressSanitizer:") != std::string::npos) return line;
  }
  return {};
}

bool has_leak_report(const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    if (line.find("ERROR: LeakSanitizer: detected memory leaks") != std::string::npos) return true;
  }
  return false;
}

}  // namespace

void emit(int fd, const std::string& line) {
  const std::string with_newline = line + '\n';
  write_all(fd, with_newline.data(), with_newline.size());
}

std::unique_ptr<ChildProcess> ChildProcess::spawn(const std::string& log_path,
                                                  const std::function<int(int, int)>& body) {
  int events[2];
  int commands[2];
  if (::pipe2(events, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe: " + std::string(strerror(errno)));
  if (::pipe2(commands, O_CLOEXEC) != 0) {
    ::close(events[0]);
    ::close(events[1]);
    throw std::runtime_error("pipe: " + std::string(strerror(errno)));
  }
  std::cout.flush();
  std::cerr.flush();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork: " + std::string(strerror(errno)));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::close(events[0]);
    ::close(commands[1]);
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
      ::close(log);
    }
    int status = 3;
    try {
      status = body(events[1], commands[0]);
    } catch (const std::exception& e) {
      std::cerr << "conformance child: " << e.what() << std::endl;
    }
    std::cout.flush();
    std::cerr.flush();
    std::exit(status);
  }
  ::close(events[1]);
  ::close(commands[0]);
  std::unique_ptr<ChildProcess> child(new ChildProcess());
  child->pid_ = pid;
  child->events_fd_ = events[0];
  child->commands_fd_ = commands[1];
  child->log_path_ = log_path;
  return child;
}

ChildProcess::~ChildProcess() {
  if (running()) kill();
  if (events_fd_ >= 0) ::close(events_fd_);
  if (commands_fd_ >= 0) ::close(commands_fd_);
}

std::optional<std::string> ChildProcess::read_line(Clock::time_point deadline, bool& timed_out) {
  timed_out = false;
  for (;;) {
    const auto newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    if (events_fd_ < 0) return std::nullopt;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      return std::nullopt;
    }
    pollfd p{events_fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) return std::nullopt;
    if (ready <= 0) continue;
    char chunk[4096];
    const ssize_t n = ::read(events_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(events_fd_);
      events_fd_ = -1;
      if (buffer_.empty()) return std::nullopt;
      std::string rest;
      rest.swap(buffer_);
      return rest;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

void ChildProcess::send_command(const std::string& line) {
  if (commands_fd_ < 0) return;
  const std::string with_newline = line + '\n';
  write_all(commands_fd_, with_newline.data(), with_newline.size());
}

std::optional<ChildExit> ChildProcess::wait(Clock::time_point deadline) {
  if (exit_) return exit_;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      ChildExit e;
      if (WIFSIGNALED(status)) {
        e.signal = WTERMSIG(status);
      } else if (WIFEXITED(status)) {
        e.code = WEXITSTATUS(status);
      }
      exit_ = e;
      return exit_;
    }
    if (r < 0 && errno != EINTR) {
      exit_ = ChildExit{127, 0};
      return exit_;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool ChildProcess::running() {
  return !wait(Clock::now()).has_value();
}

void ChildProcess::kill() {
  if (exit_) return;
  ::kill(pid_, SIGKILL);
  wait(Clock::now() + std::chrono::seconds(30));
}

std::string describe_exit(const ChildExit& exit, const std::string& log_path) {
  std::string out;
  if (exit.signal != 0) {
    const char* name = sigabbrev_np(exit.signal);
    out = std::string("killed by SIG") + (name ? name : std::to_string(exit.signal)) + " (" +
          strsignal(exit.signal) + ")";
  } else {
    out = "exited with status " + std::to_string(exit.code);
  }
  const std::string summary = crash_summary(log_lines(log_path));
  if (!summary.empty()) out += ": " + summary;
  return out;
}

bool ended_cleanly(const ChildExit& exit, const std::string& log_path) {
  if (exit.signal != 0) return false;
  if (exit.code == 0) return true;
  const auto lines = log_lines(log_path);
  return has_leak_report(lines) && crash_summary(lines).empty();
}

std::string leak_report(const std::string& log_path) {
  const auto lines = log_lines(log_path);
  if (!has_leak_report(lines)) return {};
  std::string summary, first_leak;
  int frames = 0;
  for (const auto& line : lines) {
    if (line.rfind("SUMMARY: AddressSanitizer:", 0) == 0 ||
        line.rfind("SUMMARY: LeakSanitizer:", 0) == 0)
      summary = line.substr(line.find(':') + 2);
    if (!summary.empty() && summary.back() == '.') summary.pop_back();
    if (first_leak.empty() &&
        (line.rfind("Direct leak", 0) == 0 || line.rfind("Indirect leak", 0) == 0)) {
      first_leak = line;
      frames = 0;
    } else if (!first_leak.empty() && frames < 4 && line.find("    #") == 0) {
      // "    #1 0x7f.. in handle /src/plugin.c:12" → "handle /src/plugin.c:12"
      const auto in = line.find(" in ");
      // A frame in a library dlclose()d by then — the plugin, at exit — has no symbol left.
      const std::string frame = in != std::string::npos ? line.substr(in + 4)
                                : line.find("<unknown module>") != std::string::npos
                                    ? "(code of an unloaded library: the plugin's)"
                                    : line.substr(4);
      first_leak += (frames == 0 ? " from " : " <- ") + frame;
      ++frames;
    }
  }
  return summary.empty() ? first_leak : summary + "; " + first_leak;
}

}  // namespace omnigate::conform
