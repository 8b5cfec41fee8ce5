#pragma once
// Who the client is: the socket peer, or, behind a trusted reverse proxy, the address the
// proxy says it forwarded for (X-Forwarded-For). Used for logs and per-address limits
// (sign-in rate limit, connection cap). Pure; unit-tested in tests/http.
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace todo::http {

// The proxies whose X-Forwarded-For we believe (TODO_TRUSTED_PROXIES).
class TrustedProxies {
 public:
  // "10.0.0.7, 10.1.0.0/16, ::1, fd00::/8": comma-separated IPv4/IPv6 addresses and CIDR
  // blocks; spaces around entries are ignored; "" = none. A bad entry gives a bad_request
  // Error naming it ("'10.0.0.300' is not an IP address or CIDR block").
  static Result<TrustedProxies> parse(std::string_view list);

  bool empty() const { return v4_.empty() && v6_.empty(); }
  // IPv4-mapped IPv6 addresses (::ffff:10.0.0.7, as a dual-stack socket reports IPv4
  // peers) count as their IPv4 address.
  bool contains(const boost::asio::ip::address& address) const;

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

// The client's address for a request that arrived from `peer` with these
// X-Forwarded-For field values (each a comma-separated list, in field-line order).
// - `peer` not a trusted proxy: `peer` (the header is the client's own claim).
// - otherwise: walking the combined list from the right (each proxy appends the address
//   it received from), the first address that is not itself a trusted proxy; an entry
//   that is not an IP address stops the walk at the last trusted hop (it was written by
//   someone we do not trust to write it); all trusted: the left-most.
// Addresses are returned in their canonical text form (IPv4-mapped IPv6 as IPv4).
std::string client_address(const boost::asio::ip::address& peer,
                           const std::vector<std::string_view>& forwarded_for,
                           const TrustedProxies& trusted);

// The scheme the client used, from a trusted proxy's X-Forwarded-Proto field values (each a
// comma-separated list, in field-line order): the left-most entry — the client-facing
// proxy's — lower-cased, when it is "http" or "https"; else "" (unknown). Only for
// requests whose peer is a trusted proxy.
std::string forwarded_proto(const std::vector<std::string_view>& values);

// The key under which per-address limits count a client address (RequestContext::
// remote_address): an IPv4 address as it is; an IPv6 address by its /64 network
// ("2001:db8:1:2::/64"), because one end site is usually given a whole /64 (RFC 6177) and
// could otherwise take a fresh address for every attempt. Anything else as it is.
std::string rate_limit_key(std::string_view address);

// `address` in canonical form: IPv4-mapped IPv6 becomes IPv4.
boost::asio::ip::address canonical(const boost::asio::ip::address& address);

}  // namespace todo::http
