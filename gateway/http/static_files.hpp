// Serves a directory of static files (the agent and QA consoles) through the Router.
#pragma once

#include "http/router.hpp"

#include <string>

namespace omnigate::http {

// Mounts `GET /*` (and HEAD) serving regular files under `web_dir`; "/" and directories serve
// their index.html. Paths with ".." segments, or resolving outside the root (symlinks), or to
// anything but a regular file are 404. Add it LAST: the catch-all matches every GET path.
void serve_static(Router& router, const std::string& web_dir);

// The handler behind serve_static: answers the file `params["*"]` names under `root_dir` (its
// index.html for a directory or an empty name), adding `extra_headers` to every file it serves.
Handler static_file_handler(const std::string& root_dir, HeaderList extra_headers = {});

// Content-Type for a file name by extension ("application/octet-stream" when unknown).
std::string content_type_for(const std::string& filename);

}  // namespace omnigate::http
