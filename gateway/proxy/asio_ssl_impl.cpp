// Asio's TLS support compiled once, for the gateway only (chassis/core/asio_impl.cpp compiles
// the rest of Asio and Beast; no other target speaks TLS).
#include <boost/asio/ssl/impl/src.hpp>
