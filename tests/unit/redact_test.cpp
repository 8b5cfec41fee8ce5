// Masking secrets in settings (core/redact.hpp): every form a secret can take.
#include "core/redact.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace todo {
namespace {

constexpr std::string_view kSecret = "S3cr3t-M4rker";

struct Case {
  const char* name;
  std::string input;
  std::string expected;
};

std::string with_secret(std::string text) {
  for (std::size_t p; (p = text.find("{S}")) != std::string::npos;) text.replace(p, 3, kSecret);
  return text;
}

TEST(RedactConnectionString, MasksEveryForm) {
  const std::vector<Case> cases = {
      // URL userinfo
      {"user:password@", "postgres://todo:{S}@db:5432/todo", "postgres://todo:***@db:5432/todo"},
      {"postgresql scheme", "postgresql://todo:{S}@db/todo", "postgresql://todo:***@db/todo"},
      {"empty user", "postgres://:{S}@db/todo", "postgres://:***@db/todo"},
      {"an unescaped @ in the password", "postgres://u:p@{S}@db/todo", "postgres://u:***@db/todo"},
      {"a / and ? in the password", "postgres://u:a/b?{S}@db/todo", "postgres://u:***@db/todo"},
      {"percent-encoded password", "postgres://u:%53{S}%40@db/todo", "postgres://u:***@db/todo"},
      {"several hosts", "postgres://u:{S}@h1:5432,h2:5433/todo?target_session_attrs=any",
       "postgres://u:***@h1:5432,h2:5433/todo?target_session_attrs=any"},
      {"no password", "postgres://todo@db/todo", "postgres://todo@db/todo"},
      // URL query parameters
      {"?password=", "postgres://db/todo?password={S}", "postgres://db/todo?password=***"},
      {"?sslpassword= beside others", "postgres://u@db/todo?sslmode=require&sslpassword={S}&x=1",
       "postgres://u@db/todo?sslmode=require&sslpassword=***&x=1"},
      {"both userinfo and query", "postgres://u:{S}@db/t?password={S}",
       "postgres://u:***@db/t?password=***"},
      {"?token= ?secret= ?api_key= ?key=",
       "https://h/p?token={S}&secret={S}&api_key={S}&key={S}&page=2",
       "https://h/p?token=***&secret=***&api_key=***&key=***&page=2"},
      {"names in any case, percent-encoded", "postgres://db/t?PassWord={S}&pass%77ord={S}",
       "postgres://db/t?PassWord=***&pass%77ord=***"},
      {"a fragment stays", "https://h/p?auth_token={S}#frag", "https://h/p?auth_token=***#frag"},
      {"an @ in the query hides more, never less",
       "postgres://db/t?application_name=a@b&password={S}",
       "postgres://db/t?application_name=a@b&password=***"},
      {"any URL with credentials", "https://admin:{S}@example.com/x",
       "https://admin:***@example.com/x"},
      // libpq key=value
      {"conninfo password", "host=db user=todo password={S} dbname=todo",
       "host=db user=todo password=*** dbname=todo"},
      {"conninfo quoted with spaces", "host=db password='a {S} b' dbname=todo",
       "host=db password=*** dbname=todo"},
      {"conninfo quoted with escapes", "password='it\\'s {S}\\\\' host=db", "password=*** host=db"},
      {"conninfo spaces around =", "host = db password = {S} port=5432",
       "host = db password = *** port=5432"},
      {"conninfo sslpassword", "host=db sslpassword={S}", "host=db sslpassword=***"},
      {"conninfo unterminated quote", "host=db password='{S} dbname=x", "host=db password=***"},
      {"conninfo broken syntax hides the rest", "host=db {S}", "host=db ***"},
      // neither
      {"a bare database name", "todo", "todo"},
      {"empty", "", ""},
  };
  for (const Case& c : cases) {
    const std::string input = with_secret(c.input);
    const std::string out = redact_connection_string(input);
    EXPECT_EQ(out, c.expected) << c.name;
    EXPECT_EQ(out.find(kSecret), std::string::npos) << c.name << ": " << out;
  }
}

TEST(RedactUrl, LeavesWhatIsNotAUrl) {
  EXPECT_EQ(redact_url("not a url password=x"), "not a url password=x");
  EXPECT_EQ(redact_url("https://h/?page=1"), "https://h/?page=1");
  EXPECT_EQ(redact_url("https://u:p@h/"), "https://u:***@h/");
}

TEST(SecretsInConnectionString, EverySpellingOfEachSecret) {
  auto has = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  auto a =
      secrets_in_connection_string("postgres://u:p%40ss@h/d?sslpassword=x%2By&sslmode=require");
  EXPECT_TRUE(has(a, "p%40ss"));
  EXPECT_TRUE(has(a, "p@ss"));
  EXPECT_TRUE(has(a, "x%2By"));
  EXPECT_TRUE(has(a, "x+y"));
  EXPECT_FALSE(has(a, "require"));
  auto b = secrets_in_connection_string("host=h password='a \\'b' user=u");
  EXPECT_TRUE(has(b, "'a \\'b'"));
  EXPECT_TRUE(has(b, "a 'b"));
  EXPECT_FALSE(has(b, "u"));
}

TEST(MaskSecrets, MasksWhatADriverQuotesFromAMalformedUrl) {
  // libpq ends the userinfo at the first '@' or '/': the rest of the password becomes the
  // host, the port or the database name, and its error message quotes that.
  struct Quote {
    const char* url;
    const char* message;
  };
  for (const Quote& q : std::vector<Quote>{
           {"postgres://u:pa@ss{S}@127.0.0.1:1/db",
            "could not translate host name \"ss{S}@127.0.0.1\" to address"},
           {"postgres://u:p4/x{S}@h/db",
            "invalid integer value \"p4\" for connection option "
            "\"port\"; database \"x{S}@h/db\" does not exist"},
           {"postgres://u:{S}%zz@h/db", "invalid percent-encoded token: \"{S}%zz\""},
           {"postgres://u@h/db?password=%zz{S}", "invalid percent-encoded token: \"%zz{S}\""},
           {"host=h password='x {S}' port=1", "password x {S} refused"},
       }) {
    const std::string url = with_secret(q.url);
    const std::string out = mask_secrets(with_secret(q.message), secrets_in_connection_string(url));
    EXPECT_EQ(out.find(kSecret), std::string::npos) << q.url << ": " << out;
  }
  // A short piece only where it stands alone: "p4" goes, "port" and "password" stay.
  const std::string out = mask_secrets("value \"p4\" for port p4x", {"p4"});
  EXPECT_EQ(out, "value \"***\" for port p4x");
}

TEST(IsSecretName, Names) {
  for (const char* yes : {"password", "PASSWORD", "sslpassword", "passwd", "pwd", "token",
                          "access_token", "secret", "client_secret", "key", "api_key", "apikey",
                          "sslkey", "auth", "Authorization", "credentials", "signature"})
    EXPECT_TRUE(is_secret_name(yes)) << yes;
  for (const char* no : {"host", "port", "user", "dbname", "sslmode", "application_name",
                         "target_session_attrs", "page", ""})
    EXPECT_FALSE(is_secret_name(no)) << no;
}

TEST(RedactSecret, NeverShowsTheValue) {
  EXPECT_EQ(redact_secret(""), "unset");
  EXPECT_EQ(redact_secret(kSecret), "***");
}

}  // namespace
}  // namespace todo
