// Keeps a write to a socket the server already closed from killing the process with SIGPIPE
// (the plugin host's child runs with the default disposition): while a guard lives, SIGPIPE
// is blocked in this thread, the write fails with EPIPE instead, and a SIGPIPE it raised is
// consumed before the old mask comes back. libetpan's plain sockets and OpenSSL write with
// write(2), which, unlike send(MSG_NOSIGNAL), raises it.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <ctime>

namespace omnigate::email {

class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    already_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  ~SigpipeGuard() {
    if (!already_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        timespec now{0, 0};
        sigtimedwait(&pipe_, nullptr, &now);
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_;
  sigset_t previous_;
  bool already_pending_ = false;
};

}  // namespace omnigate::email
