#include "webhooks/address_guard.hpp"

#include <gtest/gtest.h>

namespace todo::webhooks {
namespace {

AddressClass cls(const char* text) {
  return classify_address(boost::asio::ip::make_address(text));
}

TEST(AddressClassifier, Table) {
  struct Row {
    const char* address;
    AddressClass expected;
  };
  const Row rows[] = {
      {"8.8.8.8", AddressClass::global},
      {"93.184.216.34", AddressClass::global},
      {"127.0.0.1", AddressClass::loopback},
      {"127.255.255.254", AddressClass::loopback},
      {"10.0.0.1", AddressClass::private_network},
      {"172.16.0.1", AddressClass::private_network},
      {"172.31.255.255", AddressClass::private_network},
      {"172.32.0.1", AddressClass::global},  // just past 172.16/12
      {"192.168.1.1", AddressClass::private_network},
      {"169.254.169.254", AddressClass::link_local},  // cloud metadata
      {"100.64.0.1", AddressClass::shared},
      {"100.127.255.255", AddressClass::shared},
      {"100.128.0.1", AddressClass::global},  // just past 100.64/10
      {"0.0.0.0", AddressClass::unspecified},
      {"224.0.0.1", AddressClass::multicast},
      {"255.255.255.255", AddressClass::reserved},
      {"::", AddressClass::unspecified},
      {"::1", AddressClass::loopback},
      {"fc00::1", AddressClass::private_network},
      {"fd12:3456::1", AddressClass::private_network},
      {"fe80::1", AddressClass::link_local},
      {"ff02::1", AddressClass::multicast},
      {"2606:4700::1111", AddressClass::global},
      {"::ffff:127.0.0.1", AddressClass::loopback},  // IPv4-mapped
      {"::ffff:169.254.169.254", AddressClass::link_local},
      {"::ffff:8.8.8.8", AddressClass::global},
      {"64:ff9b::a9fe:a9fe", AddressClass::link_local},  // NAT64 of 169.254.169.254
  };
  for (const auto& r : rows)
    EXPECT_EQ(cls(r.address), r.expected)
        << r.address << " is " << address_class_name(cls(r.address));
}

TEST(AllowList, CidrsAddressesAndHostPorts) {
  auto list = AllowList::parse("10.1.0.0/16, 127.0.0.1:8080,fd00::/8,hooks.internal:443,192.0.2.7");
  auto a = [](const char* t) { return boost::asio::ip::make_address(t); };
  EXPECT_TRUE(list.allows("x", 1, a("10.1.2.3")));
  EXPECT_FALSE(list.allows("x", 1, a("10.2.0.1")));
  EXPECT_TRUE(list.allows("127.0.0.1", 8080, a("127.0.0.1")));
  EXPECT_FALSE(list.allows("127.0.0.1", 8081, a("127.0.0.1")));  // another port
  EXPECT_TRUE(list.allows("x", 9, a("fd00::5")));
  EXPECT_TRUE(list.allows("Hooks.Internal", 443, a("10.9.9.9")));
  EXPECT_FALSE(list.allows("hooks.internal", 80, a("10.9.9.9")));
  EXPECT_TRUE(list.allows("x", 1, a("192.0.2.7")));
  EXPECT_TRUE(AllowList::parse("").empty());
}

TEST(AllowList, BadEntriesAreRefusedNamingThem) {
  for (const char* bad : {"10.0.0.0/33", "nonsense", "host:0", "host:99999", "1.2.3.4/x"}) {
    try {
      (void)AllowList::parse(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(StaticHosts, ParseAndRefuse) {
  auto hosts = parse_static_hosts("Metadata.Test:169.254.169.254, v6.test:::1");
  EXPECT_EQ(hosts.at("metadata.test").to_string(), "169.254.169.254");
  EXPECT_EQ(hosts.at("v6.test").to_string(), "::1");
  EXPECT_THROW(parse_static_hosts("noaddress"), std::invalid_argument);
  EXPECT_THROW(parse_static_hosts("name:not-an-ip"), std::invalid_argument);
}

TEST(AddressGuard, RefusesUnsafeUrlsNamingTheField) {
  GuardOptions o;
  o.static_hosts = parse_static_hosts("metadata.test:169.254.169.254,public.test:93.184.216.34");
  AddressGuard guard(o);
  auto refused = [&](const char* url) {
    auto r = guard.resolve(url);
    if (r) return std::string("accepted");
    EXPECT_EQ(r.error().kind, ErrorKind::validation) << url;
    EXPECT_EQ(r.error().errors.at(0).field, "url") << url;
    return r.error().errors.at(0).message;
  };
  EXPECT_NE(refused("https://127.0.0.1/hook").find("loopback"), std::string::npos);
  EXPECT_NE(refused("https://[::1]:8443/hook").find("loopback"), std::string::npos);
  EXPECT_NE(refused("https://metadata.test/latest").find("link-local"), std::string::npos);
  EXPECT_NE(refused("https://METADATA.test./x").find("169.254.169.254"), std::string::npos);
  EXPECT_NE(refused("https://10.0.0.1/").find("private"), std::string::npos);
  EXPECT_NE(refused("http://public.test/").find("https"), std::string::npos);  // http refused
  EXPECT_NE(refused("https://user:pw@public.test/").find("user"), std::string::npos);
  EXPECT_NE(refused("ftp://public.test/").find("https"), std::string::npos);
  EXPECT_NE(refused("not a url").find("absolute"), std::string::npos);
  EXPECT_NE(refused(("https://public.test/" + std::string(2100, 'a')).c_str()).find("at most"),
            std::string::npos);
  auto ok = guard.resolve("https://public.test:8443/hook");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->resolve_entry(), "public.test:8443:93.184.216.34");
}

TEST(AddressGuard, AllowListAndHttpOption) {
  GuardOptions o;
  o.allow_http = true;
  o.allow = AllowList::parse("127.0.0.1:9000");
  AddressGuard guard(o);
  auto ok = guard.resolve("http://127.0.0.1:9000/hook");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->resolve_entry(), "");  // an IP literal: nothing to pin
  EXPECT_FALSE(guard.resolve("http://127.0.0.1:9001/hook"));
}

}  // namespace
}  // namespace todo::webhooks
