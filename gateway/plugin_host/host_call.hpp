// How a host function of og_host_api runs its body: it finds the PluginInstance through the
// og_host_ctx, writes a failure's text into the caller's og_error, and never lets a C++
// exception unwind into the plugin (another compiler, maybe plain C).
#pragma once

#include "plugin_host/abi_struct.hpp"
#include "plugin_host/plugin_instance.hpp"

#include <exception>
#include <string>

namespace omnigate::plugin_host {

template <class Body>
og_status host_call(og_host_ctx* ctx, og_error* err, Body&& body) {
  if (ctx == nullptr || ctx->instance == nullptr) {
    write_error(err, OG_PERMANENT, "no host context");
    return OG_PERMANENT;
  }
  try {
    std::string message;
    const og_status status = body(*ctx->instance, message);
    if (status != OG_OK) write_error(err, status, message);
    return status;
  } catch (const std::exception& e) {
    write_error(err, OG_INTERNAL, std::string("host error: ") + e.what());
  } catch (...) {
    write_error(err, OG_INTERNAL, "host error");
  }
  return OG_INTERNAL;
}

}  // namespace omnigate::plugin_host
