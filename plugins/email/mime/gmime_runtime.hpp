// GMime's process-wide initialisation, done once whoever needs it first (the reader, the
// composer, the webhook's form reader, a test, a fuzz target). g_mime_init() must run before
// any other GMime call. GMime counts its initialisations, so this library holds one reference
// and gives it back when it is unloaded (the gateway unloading the plugin) or the process
// exits: GMime then frees its charset tables, and another plugin using GMime in the same
// process keeps its own reference.
#pragma once

namespace omnigate::email {

void ensure_gmime();

}  // namespace omnigate::email
