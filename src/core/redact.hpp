#pragma once
// Masking secrets in settings before they are logged or shown. Pure functions; every form
// a secret-bearing setting can take is covered (tests/unit/redact_test.cpp):
//   - URLs (postgres://, postgresql://, https://, any scheme://): the password of the
//     userinfo (user:password@), and the value of every query parameter whose name suggests
//     a secret (?password=, ?sslpassword=, ?token=, ?api_key=, ...);
//   - libpq key=value connection strings ("host=db password='a b' sslpassword=x"): the
//     value of every secret keyword, quoted or not (libpq's quoting: '...' with \' and \\).
// What cannot be parsed is masked conservatively: more is hidden rather than a secret shown.
#include <string>
#include <string_view>
#include <vector>

namespace todo {

inline constexpr std::string_view kMask = "***";

// Whether a parameter or keyword name suggests a secret: it contains (in any case) pass,
// pwd, secret, token, key, auth, credential or signature.
bool is_secret_name(std::string_view name);

// `url` with the userinfo password and secret query parameter values replaced by "***".
// The user name, host, path and other parameters stay readable.
std::string redact_url(std::string_view url);

// A connection string in either libpq form (URL, or key=value pairs) with every secret
// replaced by "***". Text that is neither (a bare database name) is returned as is.
std::string redact_connection_string(std::string_view text);

// Every secret value a connection string carries, as written, unquoted and percent-decoded,
// and the pieces of each between '@', '/', ':', '?', '#', '&' and ',' (a driver that splits a
// malformed URL elsewhere than we do quotes such pieces as a host, port or database name),
// so that a message quoting one can be masked with mask_secrets.
std::vector<std::string> secrets_in_connection_string(std::string_view text);

// `text` with every occurrence of each secret replaced by "***", longest first. Secrets
// shorter than 4 characters are replaced only where they stand alone (not inside a word),
// so that a two-letter piece does not blank out the rest of the message.
std::string mask_secrets(std::string_view text, std::vector<std::string> secrets);

// A secret setting for display: "unset" when empty, else "***".
std::string_view redact_secret(std::string_view value);

}  // namespace todo
