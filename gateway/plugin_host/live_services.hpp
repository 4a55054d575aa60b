// Host functions that reach the agents' live side. ABI 2.1: og_host_api.signal (a customer's
// ephemeral signal, published on the event stream as customer.signal) and
// og_host_api.channel_availability (who could take a new conversation now). ABI 2.2:
// og_host_api.conversation_action (what happened on a live contact: answered, requeued,
// abandoned, ended, transferred), og_host_api.customer_lookup (a customer by identity) and the
// other direction, og_plugin_api.on_command (an agent's command for the channel). The
// instance's part is PluginInstance::signal / channel_availability / conversation_action /
// customer_lookup / command; the gateway's (the routing dispatcher) comes in through LiveHooks.
#pragma once

#include <omnigate/plugin_abi.h>

#include <string_view>

namespace omnigate::plugin_host {

// [a-z_.]{1,32}: what a signal's kind may be.
bool valid_signal_kind(std::string_view kind);

// Fills signal, channel_availability (2.1), conversation_action and customer_lookup (2.2) into
// the host table (host_api.cpp make_table).
void install_live_functions(og_host_api& api);

}  // namespace omnigate::plugin_host
