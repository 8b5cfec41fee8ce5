#include "http/client_address.hpp"

#include <optional>

#include "http/ows.hpp"

namespace todo::http {
namespace {

namespace ip = boost::asio::ip;

// One X-Forwarded-For entry: "203.0.113.7", "2001:db8::1", also "[2001:db8::1]" and
// "203.0.113.7:4711" / "[2001:db8::1]:4711" as some proxies write them.
std::optional<ip::address> parse_entry(std::string_view entry) {
  entry = trim_ows(entry);
  if (entry.starts_with('[')) {
    auto close = entry.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    entry = entry.substr(1, close - 1);
  } else if (entry.find(':') == entry.rfind(':') && entry.find(':') != std::string_view::npos) {
    entry = entry.substr(0, entry.find(':'));  // IPv4 with a port (one colon only)
  }
  boost::system::error_code ec;
  auto address = ip::make_address(std::string(entry), ec);
  if (ec) return std::nullopt;
  return canonical(address);
}

}  // namespace

ip::address canonical(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  return address;
}

Result<TrustedProxies> TrustedProxies::parse(std::string_view list) {
  TrustedProxies out;
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string entry(trim_ows(list.substr(0, comma)));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (entry.empty()) continue;
    boost::system::error_code ec;
    std::string base = entry.substr(0, entry.find('/'));
    auto address = ip::make_address(base, ec);
    bool ok = !ec;
    if (ok) {
      address = canonical(address);
      int max_prefix = address.is_v4() ? 32 : 128;
      int prefix = max_prefix;
      if (auto slash = entry.find('/'); slash != std::string::npos) {
        std::string digits = entry.substr(slash + 1);
        ok = !digits.empty() && digits.size() <= 3 &&
             digits.find_first_not_of("0123456789") == std::string::npos;
        prefix = ok ? std::stoi(digits) : -1;
        ok = ok && prefix <= max_prefix;
      }
      if (ok && address.is_v4())
        out.v4_.push_back(ip::network_v4(address.to_v4(), prefix).canonical());
      else if (ok)
        out.v6_.push_back(ip::network_v6(address.to_v6(), prefix).canonical());
    }
    if (!ok)
      return Error::field(ErrorKind::bad_request, "trusted_proxies",
                          "'" + entry + "' is not an IP address or CIDR block");
  }
  return out;
}

bool TrustedProxies::contains(const ip::address& raw) const {
  ip::address address = canonical(raw);
  if (address.is_v4()) {
    for (const auto& net : v4_)
      if (ip::network_v4(address.to_v4(), net.prefix_length()).canonical() == net) return true;
    return false;
  }
  for (const auto& net : v6_)
    if (ip::network_v6(address.to_v6(), net.prefix_length()).canonical() == net) return true;
  return false;
}

std::string client_address(const ip::address& peer,
                           const std::vector<std::string_view>& forwarded_for,
                           const TrustedProxies& trusted) {
  ip::address client = canonical(peer);
  if (trusted.empty() || !trusted.contains(client)) return client.to_string();
  std::vector<std::string_view> entries;
  for (std::string_view value : forwarded_for) {
    while (true) {
      auto comma = value.find(',');
      if (auto entry = trim_ows(value.substr(0, comma)); !entry.empty()) entries.push_back(entry);
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    auto address = parse_entry(*it);
    if (!address) break;  // garbage: keep the last hop we trust
    client = *address;
    if (!trusted.contains(client)) break;
  }
  return client.to_string();
}

std::string rate_limit_key(std::string_view address) {
  boost::system::error_code ec;
  auto parsed = ip::make_address(std::string(address), ec);
  if (ec) return std::string(address);
  parsed = canonical(parsed);
  if (parsed.is_v4()) return parsed.to_string();
  auto network = ip::make_network_v6(parsed.to_v6(), 64).canonical();
  return network.to_string();
}

std::string forwarded_proto(const std::vector<std::string_view>& values) {
  if (values.empty()) return {};
  std::string_view first = values.front().substr(0, values.front().find(','));
  while (!first.empty() && (first.front() == ' ' || first.front() == '\t')) first.remove_prefix(1);
  while (!first.empty() && (first.back() == ' ' || first.back() == '\t')) first.remove_suffix(1);
  std::string scheme(first);
  for (auto& c : scheme)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return scheme == "http" || scheme == "https" ? scheme : std::string();
}

}  // namespace todo::http
