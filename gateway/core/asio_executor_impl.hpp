// The io_context behind an AsioExecutor, for the one component that needs raw Asio: the HTTP
// server (gateway/http/server.cpp). Everyone else uses the Executor interface.
#pragma once

#include "core/asio_executor.hpp"

#include <boost/asio/io_context.hpp>

namespace omnigate {

boost::asio::io_context& io_context(AsioExecutor& executor);

}  // namespace omnigate
