// Boost.Asio (with its OpenSSL support) and Boost.Beast, compiled once for the whole program
// (BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION, set for every target
// in cmake/TodoLibrary.cmake) instead of inline in each file that uses them.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
