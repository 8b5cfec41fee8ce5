#include "webhooks/address_guard.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <charconv>
#include <stdexcept>

#include "core/text.hpp"

namespace todo::webhooks {
namespace {

using boost::asio::ip::address_v4;
using boost::asio::ip::address_v6;

bool in_v4(std::uint32_t a, std::uint32_t net, int prefix) {
  std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t(0) << (32 - prefix);
  return (a & mask) == (net & mask);
}

bool in_v6(const address_v6::bytes_type& a, const address_v6::bytes_type& net, int prefix) {
  for (int i = 0; i < 16 && prefix > 0; ++i, prefix -= 8) {
    unsigned mask = prefix >= 8 ? 0xFFu : (0xFFu << (8 - prefix)) & 0xFFu;
    if ((a[std::size_t(i)] & mask) != (net[std::size_t(i)] & mask)) return false;
  }
  return true;
}

constexpr std::uint32_t v4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

AddressClass classify_v4(std::uint32_t a) {
  if (in_v4(a, v4(0, 0, 0, 0), 8)) return AddressClass::unspecified;  // "this network"
  if (in_v4(a, v4(127, 0, 0, 0), 8)) return AddressClass::loopback;
  if (in_v4(a, v4(10, 0, 0, 0), 8) || in_v4(a, v4(172, 16, 0, 0), 12) ||
      in_v4(a, v4(192, 168, 0, 0), 16))
    return AddressClass::private_network;
  if (in_v4(a, v4(169, 254, 0, 0), 16)) return AddressClass::link_local;
  if (in_v4(a, v4(100, 64, 0, 0), 10)) return AddressClass::shared;
  if (in_v4(a, v4(224, 0, 0, 0), 4)) return AddressClass::multicast;
  if (in_v4(a, v4(240, 0, 0, 0), 4)) return AddressClass::reserved;  // and 255.255.255.255
  return AddressClass::global;
}

address_v6::bytes_type v6_prefix(std::initializer_list<unsigned char> head) {
  address_v6::bytes_type b{};
  std::copy(head.begin(), head.end(), b.begin());
  return b;
}

// "host" -> lowercase name; "[v6]" -> the address text without brackets.
std::string strip_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    return std::string(host.substr(1, host.size() - 2));
  return std::string(host);
}

std::optional<IpAddress> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(strip_brackets(text), ec);
  if (ec) return std::nullopt;
  return a;
}

std::optional<int> parse_int(std::string_view text, int min, int max) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max)
    return std::nullopt;
  return v;
}

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

Error url_error(std::string message) {
  return Error::field(ErrorKind::validation, "url", std::move(message));
}

}  // namespace

const char* address_class_name(AddressClass c) {
  switch (c) {
    case AddressClass::global:
      return "global";
    case AddressClass::loopback:
      return "loopback";
    case AddressClass::private_network:
      return "private";
    case AddressClass::link_local:
      return "link-local";
    case AddressClass::unspecified:
      return "unspecified";
    case AddressClass::multicast:
      return "multicast";
    case AddressClass::shared:
      return "shared (CGNAT)";
    case AddressClass::reserved:
      return "reserved";
  }
  return "reserved";
}

AddressClass classify_address(const IpAddress& address) {
  if (address.is_v4()) return classify_v4(address.to_v4().to_uint());
  const auto b = address.to_v6().to_bytes();
  // IPv4-mapped ::ffff:0:0/96 and NAT64 64:ff9b::/96 carry an IPv4 address that decides.
  if (in_v6(b, v6_prefix({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}), 96) ||
      in_v6(b, v6_prefix({0, 0x64, 0xff, 0x9b}), 96))
    return classify_v4(v4(b[12], b[13], b[14], b[15]));
  if (address.is_unspecified()) return AddressClass::unspecified;
  if (address.is_loopback()) return AddressClass::loopback;
  if (in_v6(b, v6_prefix({0xfc}), 7) || in_v6(b, v6_prefix({0xfe, 0xc0}), 10))  // + site-local
    return AddressClass::private_network;
  if (in_v6(b, v6_prefix({0xfe, 0x80}), 10)) return AddressClass::link_local;
  if (in_v6(b, v6_prefix({0xff}), 8)) return AddressClass::multicast;
  return AddressClass::global;
}

AllowList AllowList::parse(std::string_view text) {
  AllowList list;
  for (std::string_view entry : split_commas(text)) {
    auto bad = [&](const char* why) {
      return std::invalid_argument("--webhook-allow entry '" + std::string(entry) + "' " + why);
    };
    if (auto slash = entry.find('/'); slash != std::string_view::npos) {
      auto base = parse_address(entry.substr(0, slash));
      if (!base) throw bad("is not a CIDR (address/prefix)");
      auto prefix = parse_int(entry.substr(slash + 1), 0, base->is_v4() ? 32 : 128);
      if (!prefix) throw bad("has a prefix length out of range");
      list.nets_.push_back({*base, *prefix});
      continue;
    }
    if (auto a = parse_address(entry)) {  // one address, any port
      list.nets_.push_back({*a, a->is_v4() ? 32 : 128});
      continue;
    }
    auto colon = entry.rfind(':');
    if (colon == std::string_view::npos || colon == 0) throw bad("is not a CIDR or host:port");
    auto port = parse_int(entry.substr(colon + 1), 1, 65535);
    if (!port) throw bad("has no valid port");
    std::string_view host = entry.substr(0, colon);
    HostPort hp;
    hp.port = *port;
    if (auto a = parse_address(host))
      hp.address = *a;
    else if (host.find_first_of("[]/ ") != std::string_view::npos)
      throw bad("has a malformed host");
    else
      hp.host = lower(host);
    list.host_ports_.push_back(std::move(hp));
  }
  return list;
}

bool AllowList::allows(std::string_view url_host, int port, const IpAddress& address) const {
  for (const auto& n : nets_) {
    if (n.base.is_v4() != address.is_v4()) continue;
    if (address.is_v4() ? in_v4(address.to_v4().to_uint(), n.base.to_v4().to_uint(), n.prefix)
                        : in_v6(address.to_v6().to_bytes(), n.base.to_v6().to_bytes(), n.prefix))
      return true;
  }
  std::string host = lower(url_host);
  for (const auto& hp : host_ports_) {
    if (hp.port != port) continue;
    if (hp.address ? *hp.address == address : hp.host == host) return true;
  }
  return false;
}

std::map<std::string, IpAddress> parse_static_hosts(std::string_view text) {
  std::map<std::string, IpAddress> hosts;
  for (std::string_view entry : split_commas(text)) {
    auto colon = entry.find(':');
    std::optional<IpAddress> a;
    if (colon != std::string_view::npos && colon > 0) a = parse_address(entry.substr(colon + 1));
    if (!a)
      throw std::invalid_argument("--webhook-resolve entry '" + std::string(entry) +
                                  "' is not name:address");
    hosts[lower(entry.substr(0, colon))] = *a;
  }
  return hosts;
}

std::string Target::resolve_entry() const {
  if (host_is_address) return {};
  std::string addr = address.to_string();
  if (address.is_v6()) addr = "[" + addr + "]";
  return host + ":" + std::to_string(port) + ":" + addr;
}

Status AddressGuard::check_syntax(std::string_view url) const {
  if (url.size() > options_.max_url_length)
    return url_error("must be at most " + std::to_string(options_.max_url_length) + " characters");
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return url_error("must be an absolute URL, e.g. https://example.com/hook");
  const auto& u = *parsed;
  bool https = u.scheme_id() == boost::urls::scheme::https;
  bool http = u.scheme_id() == boost::urls::scheme::http;
  if (!https && !(http && options_.allow_http))
    return url_error(options_.allow_http ? "must be an http or https URL" : "must be an https URL");
  if (u.has_userinfo()) return url_error("must not hold a user name or password");
  if (u.has_fragment()) return url_error("must not have a fragment (#...)");
  auto type = u.host_type();
  if ((type != boost::urls::host_type::name && type != boost::urls::host_type::ipv4 &&
       type != boost::urls::host_type::ipv6) ||
      u.encoded_host().empty())
    return url_error("must name a host");
  if (u.has_port() && (u.port_number() == 0)) return url_error("has an invalid port");
  return Unit{};
}

Result<Target> AddressGuard::resolve(std::string_view url) const {
  auto syntax = check_syntax(url);
  if (!syntax) return syntax.error();
  auto u = *boost::urls::parse_absolute_uri(url);
  Target t;
  t.port = u.has_port() ? int(u.port_number())
                        : (u.scheme_id() == boost::urls::scheme::https ? 443 : 80);
  std::vector<IpAddress> addresses;
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
      t.host_is_address = true;
      addresses.push_back(address_v4(u.host_ipv4_address().to_uint()));
      t.host = addresses.back().to_string();
      break;
    case boost::urls::host_type::ipv6:
      t.host_is_address = true;
      addresses.push_back(address_v6(u.host_ipv6_address().to_bytes()));
      t.host = addresses.back().to_string();
      break;
    default: {
      t.host = lower(u.host_name());
      if (!t.host.empty() && t.host.back() == '.') t.host.pop_back();  // "example.com."
      if (auto it = options_.static_hosts.find(t.host); it != options_.static_hosts.end()) {
        addresses.push_back(it->second);
        break;
      }
      addrinfo hints{};
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      addrinfo* found = nullptr;
      int rc = getaddrinfo(t.host.c_str(), nullptr, &hints, &found);
      if (rc != 0 || !found)
        return Error::make(ErrorKind::unavailable,
                           "url: host " + t.host + " does not resolve: " + gai_strerror(rc));
      for (addrinfo* ai = found; ai; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
          auto* sin = reinterpret_cast<sockaddr_in*>(ai->ai_addr);
          addresses.push_back(address_v4(ntohl(sin->sin_addr.s_addr)));
        } else if (ai->ai_family == AF_INET6) {
          auto* sin6 = reinterpret_cast<sockaddr_in6*>(ai->ai_addr);
          address_v6::bytes_type b;
          std::copy_n(sin6->sin6_addr.s6_addr, 16, b.begin());
          addresses.push_back(address_v6(b, sin6->sin6_scope_id));
        }
      }
      freeaddrinfo(found);
      if (addresses.empty())
        return Error::make(ErrorKind::unavailable, "url: host " + t.host + " has no address");
    }
  }
  // Every address must pass: curl could connect to any of them, and a name that resolves to a
  // public and a private address at once is exactly what an attacker would set up.
  for (const auto& a : addresses) {
    auto c = classify_address(a);
    if (c != AddressClass::global && !options_.allow.allows(t.host, t.port, a))
      return url_error("resolves to a " + std::string(address_class_name(c)) + " address (" +
                       a.to_string() + "), which webhooks may not reach");
  }
  t.address = addresses.front();
  return t;
}

}  // namespace todo::webhooks
