// The CLI's way to write: one asynchronous store write, waited for until it is committed (a
// command has nothing else to do meanwhile).
#pragma once

#include "store/committed.hpp"

namespace omnigate::app {

using store::committed;

// What the CLI prints after a change the running gateway's routing engine must learn.
inline constexpr const char* kReloadHint =
    "a running gateway routes by this after SIGHUP (kill -HUP <pid>); the admin API applies "
    "changes at once";

}  // namespace omnigate::app
