// auth/authenticate.hpp is_own_origin: the CSRF check of cookie-authenticated writes compares
// scheme, host and port (RFC 6454), default ports filled in.
#include <gtest/gtest.h>

#include "auth/authenticate.hpp"

namespace todo {
namespace {

TEST(IsOwnOrigin, SameSchemeHostAndPort) {
  EXPECT_TRUE(is_own_origin("http://todo.example:8080", "todo.example:8080", "http"));
  EXPECT_TRUE(is_own_origin("https://todo.example", "todo.example", "https"));
  EXPECT_TRUE(is_own_origin("http://127.0.0.1:41234", "127.0.0.1:41234", "http"));
  EXPECT_TRUE(is_own_origin("http://[::1]:8080", "[::1]:8080", "http"));
}

TEST(IsOwnOrigin, DefaultPortsAreFilledIn) {
  EXPECT_TRUE(is_own_origin("http://todo.example", "todo.example:80", "http"));
  EXPECT_TRUE(is_own_origin("http://todo.example:80", "todo.example", "http"));
  EXPECT_TRUE(is_own_origin("https://todo.example:443", "todo.example", "https"));
  EXPECT_TRUE(is_own_origin("https://todo.example", "todo.example:443", "https"));
  EXPECT_FALSE(is_own_origin("http://todo.example", "todo.example:443", "http"));
  EXPECT_FALSE(is_own_origin("https://todo.example", "todo.example:80", "https"));
}

TEST(IsOwnOrigin, CaseInsensitiveSchemeAndHost) {
  EXPECT_TRUE(is_own_origin("HTTP://Todo.Example:8080", "todo.example:8080", "http"));
  EXPECT_TRUE(is_own_origin("http://todo.example:8080", "TODO.EXAMPLE:8080", "http"));
}

TEST(IsOwnOrigin, OtherSchemeHostOrPortIsRefused) {
  EXPECT_FALSE(is_own_origin("https://todo.example:8080", "todo.example:8080", "http"));
  EXPECT_FALSE(is_own_origin("http://todo.example:8080", "todo.example:8080", "https"));
  EXPECT_FALSE(is_own_origin("http://evil.example:8080", "todo.example:8080", "http"));
  EXPECT_FALSE(is_own_origin("http://todo.example.evil.example:8080", "todo.example:8080", "http"));
  EXPECT_FALSE(is_own_origin("http://todo.example:8081", "todo.example:8080", "http"));
  EXPECT_FALSE(is_own_origin("http://todo.example:8080", "todo.example", "http"));
  EXPECT_FALSE(is_own_origin("ftp://todo.example:8080", "todo.example:8080", "http"));
}

TEST(IsOwnOrigin, NullAndMalformedOriginsAreRefused) {
  EXPECT_FALSE(is_own_origin("null", "todo.example", "http"));
  EXPECT_FALSE(is_own_origin("", "todo.example", "http"));
  EXPECT_FALSE(is_own_origin("todo.example", "todo.example", "http"));
  EXPECT_FALSE(is_own_origin("http://todo.example/", "todo.example", "http"));
  EXPECT_FALSE(is_own_origin("http://todo.example/path", "todo.example", "http"));
  EXPECT_FALSE(is_own_origin("http://todo.example?x", "todo.example", "http"));
  EXPECT_FALSE(is_own_origin("http://user@todo.example", "todo.example", "http"));
  EXPECT_FALSE(is_own_origin("http://todo.example:99999", "todo.example:99999", "http"));
  EXPECT_FALSE(is_own_origin("http://", "", "http"));
  // The old check compared only what follows "://" with Host: these passed.
  EXPECT_FALSE(is_own_origin("evil://todo.example", "todo.example", "http"));
  EXPECT_FALSE(is_own_origin("https://todo.example", "todo.example", "http"));
}

TEST(IsOwnOrigin, HostWithUserinfoIsRefused) {
  EXPECT_FALSE(is_own_origin("http://todo.example", "user@todo.example", "http"));
}

}  // namespace
}  // namespace todo
