// `omnigate plugin-host`: the child process `omnigate serve` starts for a plugin instance with
// isolation = "process" (docs/adr/0006-plugin-isolation.md). Not for people to run.
#include "app/cli.hpp"
#include "plugin_process/plugin_host_process.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <string>

namespace omnigate::app {

int plugin_host_command(const Args& args) {
  // Dies with the gateway, whatever kills it: nothing of a plugin outlives its host.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() == 1) return kExitFailure;  // the gateway was gone before prctl took hold
  const auto fd_text = args.get("fd");
  if (!fd_text) {
    print_error("plugin-host needs --fd (it is started by `omnigate serve`)");
    return kExitUsage;
  }
  if (auto files = args.get("open-files")) {
    const rlim_t n = std::stoull(*files);
    rlimit limit{n, n};
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      print_error("plugin-host: cannot limit open files to " + *files);
      return kExitFailure;
    }
  }
  return plugin_process::run_plugin_host_process(std::stoi(*fd_text));
}

}  // namespace omnigate::app
