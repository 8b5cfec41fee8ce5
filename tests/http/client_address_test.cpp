#include "http/client_address.hpp"

#include <gtest/gtest.h>

namespace todo::http {
namespace {

namespace ip = boost::asio::ip;

TrustedProxies proxies(std::string_view list) {
  auto parsed = TrustedProxies::parse(list);
  EXPECT_TRUE(parsed) << list;
  return parsed ? *parsed : TrustedProxies{};
}

TEST(TrustedProxies, AddressesAndCidrBlocks) {
  auto t = proxies(" 10.0.0.7, 192.168.0.0/16 ,::1, fd00::/8");
  EXPECT_TRUE(t.contains(ip::make_address("10.0.0.7")));
  EXPECT_FALSE(t.contains(ip::make_address("10.0.0.8")));
  EXPECT_TRUE(t.contains(ip::make_address("192.168.44.1")));
  EXPECT_FALSE(t.contains(ip::make_address("192.169.0.1")));
  EXPECT_TRUE(t.contains(ip::make_address("::1")));
  EXPECT_TRUE(t.contains(ip::make_address("fd12::5")));
  EXPECT_FALSE(t.contains(ip::make_address("2001:db8::1")));
  // A dual-stack socket reports IPv4 peers as IPv4-mapped IPv6.
  EXPECT_TRUE(t.contains(ip::make_address("::ffff:10.0.0.7")));
  EXPECT_TRUE(proxies("").empty());
  EXPECT_TRUE(proxies("0.0.0.0/0").contains(ip::make_address("8.8.8.8")));
}

TEST(TrustedProxies, BadEntriesAreNamed) {
  for (auto bad : {"10.0.0.300", "10.0.0.0/33", "::1/129", "proxy.local", "10.0.0.0/", "10.0.0.0/x",
                   "1.2.3.4, nope"}) {
    auto parsed = TrustedProxies::parse(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().errors.at(0).field, "trusted_proxies");
    EXPECT_NE(parsed.error().errors.at(0).message.find("is not an IP address or CIDR block"),
              std::string::npos);
  }
}

TEST(ClientAddress, ForwardedForOnlyFromATrustedPeer) {
  auto t = proxies("10.0.0.0/8");
  auto untrusted = ip::make_address("203.0.113.9");
  EXPECT_EQ(client_address(untrusted, {"198.51.100.1"}, t), "203.0.113.9");
  auto proxy = ip::make_address("10.0.0.2");
  EXPECT_EQ(client_address(proxy, {}, t), "10.0.0.2");
  EXPECT_EQ(client_address(proxy, {"198.51.100.1"}, t), "198.51.100.1");
  // The right-most address that is not a trusted proxy: what a client wrote on the left
  // is not believed.
  EXPECT_EQ(client_address(proxy, {"1.1.1.1, 198.51.100.1, 10.0.0.5"}, t), "198.51.100.1");
  EXPECT_EQ(client_address(proxy, {"1.1.1.1", "198.51.100.1, 10.0.0.5"}, t), "198.51.100.1");
  // Garbage stops the walk at the last trusted hop.
  EXPECT_EQ(client_address(proxy, {"198.51.100.1, junk, 10.0.0.5"}, t), "10.0.0.5");
  EXPECT_EQ(client_address(proxy, {"junk"}, t), "10.0.0.2");
  // All trusted: the left-most.
  EXPECT_EQ(client_address(proxy, {"10.1.1.1, 10.0.0.5"}, t), "10.1.1.1");
  // Ports and brackets as some proxies write them; IPv4-mapped peers.
  EXPECT_EQ(client_address(proxy, {"198.51.100.1:4711"}, t), "198.51.100.1");
  EXPECT_EQ(client_address(proxy, {"[2001:db8::1]:4711"}, t), "2001:db8::1");
  EXPECT_EQ(client_address(ip::make_address("::ffff:10.0.0.2"), {"2001:db8::1"}, t), "2001:db8::1");
  EXPECT_EQ(client_address(ip::make_address("::ffff:203.0.113.9"), {}, t), "203.0.113.9");
  // No trusted proxies configured: never.
  EXPECT_EQ(client_address(proxy, {"198.51.100.1"}, TrustedProxies{}), "10.0.0.2");
}

// Per-address limits count an IPv6 client by its /64: one site cannot rotate addresses.
TEST(RateLimitKey, Ipv4AsItIsIpv6ByItsSlash64) {
  EXPECT_EQ(rate_limit_key("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(rate_limit_key("::ffff:203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(rate_limit_key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(rate_limit_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_NE(rate_limit_key("2001:db8:1:3::1"), rate_limit_key("2001:db8:1:2::1"));
  EXPECT_EQ(rate_limit_key("::1"), "::/64");
  EXPECT_EQ(rate_limit_key("not an address"), "not an address");
}

// X-Forwarded-Proto (read only from trusted proxies): the client-facing hop's scheme.
TEST(ForwardedProto, LeftMostHttpOrHttps) {
  EXPECT_EQ(forwarded_proto({}), "");
  EXPECT_EQ(forwarded_proto({"https"}), "https");
  EXPECT_EQ(forwarded_proto({"HTTPS"}), "https");
  EXPECT_EQ(forwarded_proto({" http "}), "http");
  EXPECT_EQ(forwarded_proto({"https, http"}), "https");
  EXPECT_EQ(forwarded_proto({"http", "https"}), "http");
  EXPECT_EQ(forwarded_proto({"wss"}), "");
  EXPECT_EQ(forwarded_proto({"https;evil"}), "");
}

}  // namespace
}  // namespace todo::http
