// The plugin-host process (`omnigate plugin-host`, started by `omnigate serve` for an instance
// with isolation = "process"): loads one plugin, gives it an og_host_api whose every function
// is a call to the gateway over `fd`, and runs the gateway's calls into the plugin on its main
// thread — one at a time, as the instance's strand would. The plugin cannot tell it is not in
// the gateway's process.
#pragma once

namespace omnigate::plugin_process {

// Serves until the gateway closes the channel; returns the process exit code.
int run_plugin_host_process(int fd);

}  // namespace omnigate::plugin_process
