// GMime's process-wide initialisation, done once whoever needs it first (the parser, the
// composer, a test, a fuzz target). g_mime_init() is not thread-safe and must run before any
// other GMime call; GMime is never shut down (g_mime_shutdown would break other instances of
// the plugin still loaded in the same process).
#pragma once

namespace omnigate::email {

void ensure_gmime();

}  // namespace omnigate::email
