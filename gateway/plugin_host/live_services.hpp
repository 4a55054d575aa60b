// ABI 2.1 host functions that reach the agents' live side: og_host_api.signal (a customer's
// ephemeral signal, published on the event stream as customer.signal) and
// og_host_api.channel_availability (who could take a new conversation now). The instance's
// part is PluginInstance::signal / channel_availability; the gateway's (the routing
// dispatcher) comes in through LiveHooks.
#pragma once

#include <omnigate/plugin_abi.h>

#include <string_view>

namespace omnigate::plugin_host {

// [a-z_.]{1,32}: what a signal's kind may be.
bool valid_signal_kind(std::string_view kind);

// Fills signal and channel_availability into the host table (host_api.cpp make_table).
void install_live_functions(og_host_api& api);

}  // namespace omnigate::plugin_host
