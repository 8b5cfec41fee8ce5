#pragma once
// Outbound safety of webhook URLs (server-side request forgery). A user-given URL must not
// reach the service's own network: the host is resolved and every address it resolves to is
// classified; loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 — which holds the
// cloud metadata address 169.254.169.254 — and fe80::/10), unspecified, multicast, CGNAT
// (100.64/10, RFC 6598) and reserved (240/4, broadcast) addresses are refused unless the
// allow-list names them. The caller then pins the connection to the address checked
// (net::Request::resolve), so that DNS rebinding cannot swap it between check and connect.
//
// Threads: classify/parse are pure; AddressGuard::resolve() blocks in getaddrinfo — call it on
// a background thread (the delivery worker, the CPU pool), never on an I/O thread.
#include <boost/asio/ip/address.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace todo::webhooks {

using IpAddress = boost::asio::ip::address;

enum class AddressClass {
  global,  // allowed
  loopback,
  private_network,
  link_local,
  unspecified,
  multicast,
  shared,  // CGNAT 100.64.0.0/10
  reserved
};
const char* address_class_name(AddressClass c);  // "loopback", "private", "link-local", ...

// The class of an address. IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::/96) IPv6
// addresses are classified by the IPv4 address they carry.
AddressClass classify_address(const IpAddress& address);

// The allow-list (--webhook-allow): comma-separated entries, each a CIDR or single address
// ("127.0.0.1/32", "10.1.2.3", "fd00::/8") that any port may use, or "host:port" (a name or
// address, "[v6]:port" for IPv6) allowing that one port: a name matches the URL's host, an
// address the resolved one.
class AllowList {
 public:
  // Throws std::invalid_argument naming the bad entry.
  static AllowList parse(std::string_view text);
  bool allows(std::string_view url_host, int port, const IpAddress& address) const;
  bool empty() const { return nets_.empty() && host_ports_.empty(); }

 private:
  struct Net {
    IpAddress base;
    int prefix = 0;
  };
  struct HostPort {
    std::string host;  // lowercase name, or empty when `address` is set
    std::optional<IpAddress> address;
    int port = 0;
  };
  std::vector<Net> nets_;
  std::vector<HostPort> host_ports_;
};

// Static host entries (--webhook-resolve, like curl's --resolve): "name:address,..." —
// resolve() uses them instead of DNS, and they go through the same check. Throws
// std::invalid_argument naming the bad entry.
std::map<std::string, IpAddress> parse_static_hosts(std::string_view text);

struct GuardOptions {
  bool allow_http = false;  // http:// URLs (self-hosting, tests); https only otherwise
  AllowList allow;
  std::map<std::string, IpAddress> static_hosts;
  std::size_t max_url_length = 2048;
};

// A URL that passed the check, and the address to connect to.
struct Target {
  std::string host;  // as in the URL (lowercase; IPv6 without brackets)
  int port = 0;
  bool host_is_address = false;  // an IP literal: nothing to pin
  IpAddress address;
  // curl's CURLOPT_RESOLVE entry "host:port:address" pinning the connection, or "" for an IP
  // literal.
  std::string resolve_entry() const;
};

class AddressGuard {
 public:
  explicit AddressGuard(GuardOptions options) : options_(std::move(options)) {}

  // The URL's syntax only (no DNS): absolute, http(s) as allowed, a host, no user info, no
  // fragment, at most max_url_length. ErrorKind::validation naming "url" otherwise.
  Status check_syntax(std::string_view url) const;

  // check_syntax, then the host resolved (static hosts first, then getaddrinfo) and every
  // address checked. ErrorKind::validation naming "url" for a refused address (the detail
  // says which class), ErrorKind::unavailable when the name does not resolve (now).
  Result<Target> resolve(std::string_view url) const;

  const GuardOptions& options() const { return options_; }

 private:
  GuardOptions options_;
};

}  // namespace todo::webhooks
