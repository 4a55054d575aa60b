// The og_host_api table handed to every plugin: C entry points that find the PluginInstance
// through og_host_ctx and never let a C++ exception escape into the plugin.
#pragma once

#include <omnigate/plugin_abi.h>

namespace omnigate::plugin_host {

// One static table for all instances (the ctx argument tells them apart). Lives forever.
const og_host_api* host_api_table();

}  // namespace omnigate::plugin_host
