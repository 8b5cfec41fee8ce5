// The unsubscribe token, the preferences document, the SMTP reply classes and the backoff.
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "email/preferences.hpp"
#include "email/sender.hpp"
#include "email/smtp_client.hpp"
#include "email/unsubscribe_token.hpp"

namespace todo::email {
namespace {

TEST(UnsubscribeToken, RoundTripsTheUserId) {
  UnsubscribeTokens tokens("a-jwt-secret-of-at-least-thirty-two-bytes!");
  auto token = tokens.issue("u_ada");
  EXPECT_EQ(tokens.verify(token), std::optional<std::string>("u_ada"));
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
      std::string::npos)
      << "URL-safe without encoding: " << token;
}

TEST(UnsubscribeToken, RefusesTamperedForeignAndMalformedTokens) {
  UnsubscribeTokens tokens("a-jwt-secret-of-at-least-thirty-two-bytes!");
  UnsubscribeTokens other("another-jwt-secret-of-at-least-32-bytes!!");
  std::string token = tokens.issue("u_ada");
  // Another user's id with Ada's MAC.
  std::string forged = tokens.issue("u_bob").substr(0, tokens.issue("u_bob").find('.')) +
                       token.substr(token.find('.'));
  EXPECT_FALSE(tokens.verify(forged));
  std::string flipped = token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(tokens.verify(flipped));
  EXPECT_FALSE(other.verify(token)) << "a key derived from another secret";
  for (const char* bad : {"", ".", "abc", "abc.", ".abc", "dV9hZGE.!!!", "a.b.c"})
    EXPECT_FALSE(tokens.verify(bad)) << bad;
}

TEST(Preferences, ParsesTheWholeObject) {
  auto p = parse_preferences(boost::json::parse(
      R"({"email_reminders":false,"completion_notices":true,"timezone":"Europe/Berlin"})"));
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->email_reminders);
  EXPECT_TRUE(p->completion_notices);
  EXPECT_EQ(p->timezone, "Europe/Berlin");
}

TEST(Preferences, UnknownFieldsAre400NamingThem) {
  auto p = parse_preferences(boost::json::parse(
      R"({"email_reminders":true,"completion_notices":true,"timezone":"UTC","emial":1})"));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind, ErrorKind::bad_request);
  ASSERT_EQ(p.error().errors.size(), 1u);
  EXPECT_EQ(p.error().errors[0].field, "emial");
}

TEST(Preferences, MissingAndBadFieldsAre422NamingEach) {
  auto p = parse_preferences(
      boost::json::parse(R"({"email_reminders":"yes","timezone":"Mars/Olympus"})"));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind, ErrorKind::validation);
  std::vector<std::string> fields;
  for (const auto& e : p.error().errors) fields.push_back(e.field);
  EXPECT_EQ(fields,
            (std::vector<std::string>{"email_reminders", "completion_notices", "timezone"}));
  EXPECT_FALSE(parse_preferences(boost::json::parse("[]")));
}

TEST(Preferences, DefaultsSerializeWithNullUpdatedAt) {
  storage::Preferences p;
  EXPECT_EQ(
      preferences_json(p),
      R"({"email_reminders":true,"completion_notices":false,"timezone":"UTC","updated_at":null})");
}

TEST(Smtp, RepliesClassifyAsRfc5321Says) {
  EXPECT_EQ(classify_reply(250), Outcome::done);
  EXPECT_EQ(classify_reply(451), Outcome::retry_later);
  EXPECT_EQ(classify_reply(421), Outcome::retry_later);
  EXPECT_EQ(classify_reply(0), Outcome::retry_later) << "no connection, timeout";
  EXPECT_EQ(classify_reply(550), Outcome::give_up);
  EXPECT_EQ(classify_reply(554), Outcome::give_up);
  EXPECT_EQ(classify_reply(535), Outcome::retry_later) << "bad credentials: the operator's to fix";
}

TEST(Smtp, HeaderFieldsKeepFoldedContinuations) {
  auto fields =
      header_fields("From: a@b\r\nSubject: =?UTF-8?B?QQ==?=\r\n =?UTF-8?B?Qg==?=\r\nTo: c@d");
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[1], "Subject: =?UTF-8?B?QQ==?=\r\n =?UTF-8?B?Qg==?=");
  EXPECT_EQ(bare_address("Todo <todo@example.com>"), "todo@example.com");
  EXPECT_EQ(bare_address(" todo@example.com "), "todo@example.com");
}

TEST(Sender, BackoffDoublesUpToTheCap) {
  RetryPolicy policy{std::chrono::seconds(30), std::chrono::minutes(5), 10, std::chrono::hours(24)};
  EXPECT_EQ(backoff(policy, 1), std::chrono::seconds(30));
  EXPECT_EQ(backoff(policy, 2), std::chrono::seconds(60));
  EXPECT_EQ(backoff(policy, 4), std::chrono::seconds(240));
  EXPECT_EQ(backoff(policy, 5), std::chrono::minutes(5));
  EXPECT_EQ(backoff(policy, 60), std::chrono::minutes(5));
}

// Found by fuzzing (fuzz/jwt.cpp): bytes over 0x7F decoded as the base64url digit '_', so a
// token had a second spelling that verified.
TEST(UnsubscribeToken, RefusesBytesOutsideTheBase64urlAlphabet) {
  UnsubscribeTokens tokens("secret");
  std::string user, token;
  for (int i = 0; token.find('_') == std::string::npos; ++i) {
    user = "user-" + std::to_string(i);
    token = tokens.issue(user);
  }
  ASSERT_EQ(tokens.verify(token), user);
  token[token.find('_')] = '\xff';
  EXPECT_FALSE(tokens.verify(token));
}

}  // namespace
}  // namespace todo::email
