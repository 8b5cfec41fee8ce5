// Personal access tokens (issue 12, item 1): the secret's form and stored hash
// (auth/access_token.hpp), the scope names (auth/scopes.hpp) and what POST .../tokens accepts
// (tokens/tokens_input.hpp).
#include "auth/access_token.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "auth/scopes.hpp"
#include "core/time.hpp"
#include "tokens/tokens_input.hpp"

namespace todo {
namespace {

namespace json = boost::json;
using namespace auth;

TEST(AccessToken, NewTokensHaveThePrefixAndA256BitBase64urlSecret) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string t = new_access_token();
    EXPECT_EQ(t.size(), kAccessTokenLength) << t;
    EXPECT_TRUE(t.starts_with("tdp_")) << t;
    EXPECT_TRUE(is_access_token_form(t)) << t;
    EXPECT_EQ(t.find('='), std::string::npos) << "no padding: " << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 200u);  // random, not a counter or a constant
}

TEST(AccessToken, FormRefusesWhatIsNotOneOfOurs) {
  const std::string good = "tdp_" + std::string(43, 'A');
  EXPECT_TRUE(is_access_token_form(good));
  EXPECT_TRUE(is_access_token_form("tdp_" + std::string(41, 'a') + "-_"));
  EXPECT_FALSE(is_access_token_form(""));
  EXPECT_FALSE(is_access_token_form("tdp_"));
  EXPECT_FALSE(is_access_token_form("tdp_" + std::string(42, 'A')));        // short
  EXPECT_FALSE(is_access_token_form("tdp_" + std::string(44, 'A')));        // long
  EXPECT_FALSE(is_access_token_form("tdq_" + std::string(43, 'A')));        // prefix
  EXPECT_FALSE(is_access_token_form("tdp_" + std::string(42, 'A') + "+"));  // base64, not url
  EXPECT_FALSE(is_access_token_form("tdp_" + std::string(42, 'A') + "="));
  EXPECT_TRUE(looks_like_access_token("tdp_x"));
  EXPECT_FALSE(looks_like_access_token("eyJhbGciOiJIUzI1NiJ9.e30.x"));
}

TEST(AccessToken, HashIsTheHexSha256OfTheWholeToken) {
  // python3 -c "import hashlib; print(hashlib.sha256(b'tdp_' + b'A'*43).hexdigest())"
  EXPECT_EQ(access_token_hash("tdp_" + std::string(43, 'A')),
            "c4943096d56a70b314b4179bfe7f25c27c3000c260c718a4b36d0f94f5dfc0ee");
  const std::string t = new_access_token();
  EXPECT_EQ(access_token_hash(t), access_token_hash(t));
  EXPECT_NE(access_token_hash(t), access_token_hash(new_access_token()));
  EXPECT_EQ(access_token_hash(t).find(t.substr(4)), std::string::npos);
}

TEST(AccessToken, HashComparison) {
  const std::string a = access_token_hash("tdp_a"), b = access_token_hash("tdp_b");
  EXPECT_TRUE(same_access_token_hash(a, a));
  EXPECT_FALSE(same_access_token_hash(a, b));
  EXPECT_FALSE(same_access_token_hash(a, a.substr(0, 63)));
  EXPECT_FALSE(same_access_token_hash("", a));
}

TEST(AccessToken, ListsShowOnlyThePrefixAndFourCharacters) {
  EXPECT_EQ(access_token_shown_prefix("tdp_AbC1restofthesecret"), "tdp_AbC1");
}

TEST(Scopes, NamesRoundTripAndUnknownNamesGrantNothing) {
  for (const auto& s : kScopeNames) {
    EXPECT_EQ(parse_scope(s.name), s.scope);
    EXPECT_EQ(scope_name(s.scope), s.name);
  }
  EXPECT_FALSE(parse_scope("TASKS:READ"));
  EXPECT_FALSE(parse_scope("tasks"));
  EXPECT_FALSE(parse_scope(""));
  EXPECT_EQ(scopes_text(kAllScopes), "tasks:read tasks:write audit:read notifications:read chat");
  EXPECT_EQ(parse_scopes_text("chat tasks:read"),
            unsigned(Scope::chat) | unsigned(Scope::tasks_read));
  EXPECT_EQ(parse_scopes_text("admin tasks:write"), unsigned(Scope::tasks_write));
  EXPECT_EQ(parse_scopes_text(""), 0u);
  EXPECT_FALSE(has_scope(kAllScopes, Scope::none));  // no scope: nothing a token may use
  EXPECT_TRUE(has_scope(unsigned(Scope::audit_read), Scope::audit_read));
  EXPECT_FALSE(has_scope(unsigned(Scope::audit_read), Scope::tasks_read));
}

const Millis kNow = *parse_rfc3339("2026-06-01T12:00:00Z");

Result<tokens::NewToken> parse(std::string_view body) {
  return tokens::parse_new_token(json::parse(body), kNow);
}

std::vector<std::string> fields(const Result<tokens::NewToken>& r) {
  std::vector<std::string> out;
  if (!r.ok())
    for (const auto& e : r.error().errors) out.push_back(e.field);
  return out;
}

TEST(NewToken, Accepted) {
  auto r = parse(R"({"name":" deploy bot ","scopes":["tasks:read","chat","tasks:read"],
                     "expires_at":"2026-12-01T00:00:00Z"})");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->name, "deploy bot");
  EXPECT_EQ(r->scopes, unsigned(Scope::tasks_read) | unsigned(Scope::chat));
  EXPECT_EQ(r->expires_at, parse_rfc3339("2026-12-01T00:00:00Z"));
  auto never = parse(R"({"name":"n","scopes":["audit:read"],"expires_at":null})");
  ASSERT_TRUE(never.ok());
  EXPECT_FALSE(never->expires_at);
}

TEST(NewToken, EachBadFieldIsNamed) {
  using V = std::vector<std::string>;
  EXPECT_EQ(fields(parse(R"({"scopes":["chat"]})")), V{"name"});
  EXPECT_EQ(fields(parse(R"({"name":"","scopes":["chat"]})")), V{"name"});
  EXPECT_EQ(fields(parse(R"({"name":"a\u0001b","scopes":["chat"]})")), V{"name"});
  EXPECT_EQ(fields(parse(R"({"name":")" + std::string(101, 'x') + R"(","scopes":["chat"]})")),
            V{"name"});
  EXPECT_TRUE(parse(R"({"name":")" + std::string(100, 'x') + R"(","scopes":["chat"]})").ok());
  EXPECT_EQ(fields(parse(R"({"name":"n","scopes":[]})")), V{"scopes"});
  EXPECT_EQ(fields(parse(R"({"name":"n","scopes":["chat",3,"root"]})")),
            (V{"scopes[1]", "scopes[2]"}));
  EXPECT_EQ(fields(parse(R"({"name":"n","scopes":["chat"],"expires_at":"2026-06-01T12:00:00Z"})")),
            V{"expires_at"});  // not in the future
  EXPECT_EQ(fields(parse(R"({"name":"n","scopes":["chat"],"expires_at":"2027-06-03T00:00:00Z"})")),
            V{"expires_at"});  // more than a year ahead
  EXPECT_EQ(fields(parse(R"({"name":"n","scopes":["chat"],"expires_at":"2026-07-01"})")),
            V{"expires_at"});
  EXPECT_EQ(fields(parse(R"({"name":"n","scopes":["chat"],"owner":"u_1"})")), V{"owner"});
  EXPECT_EQ(fields(parse(R"([])")), V{"body"});
  auto all = parse(R"({"name":1,"scopes":"chat","expires_at":5})");
  EXPECT_EQ(fields(all), (V{"name", "scopes", "expires_at"}));
  EXPECT_EQ(all.error().kind, ErrorKind::validation);
}

}  // namespace
}  // namespace todo
