#pragma once
// Scopes of personal access tokens (issue 12): what a token may do. The one list of scope
// strings; routes declare the scope they need (Authenticator::authorize), a session (JWT or
// cookie) has them all. The names follow OAuth's scope-token syntax (RFC 6749 §3.3).
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace todo::auth {

enum class Scope : unsigned {
  none = 0,  // a route that declares no scope: refused to personal access tokens
  tasks_read = 1u << 0,
  tasks_write = 1u << 1,
  audit_read = 1u << 2,
  notifications_read = 1u << 3,
  chat = 1u << 4,
};

// A set of scopes as a bit mask of Scope values.
using ScopeSet = unsigned;

struct ScopeName {
  Scope scope;
  std::string_view name;
};

inline constexpr std::array<ScopeName, 5> kScopeNames = {{
    {Scope::tasks_read, "tasks:read"},
    {Scope::tasks_write, "tasks:write"},
    {Scope::audit_read, "audit:read"},
    {Scope::notifications_read, "notifications:read"},
    {Scope::chat, "chat"},
}};

inline constexpr ScopeSet kAllScopes = 0x1f;

inline constexpr bool has_scope(ScopeSet set, Scope scope) {
  return scope != Scope::none && (set & static_cast<unsigned>(scope)) != 0;
}

// "tasks:read" for Scope::tasks_read; "" for Scope::none.
inline std::string_view scope_name(Scope scope) {
  for (const auto& s : kScopeNames)
    if (s.scope == scope) return s.name;
  return {};
}

// The scope named exactly `name` (case-sensitive, as RFC 6749 §3.3 has it), else nullopt.
inline std::optional<Scope> parse_scope(std::string_view name) {
  for (const auto& s : kScopeNames)
    if (s.name == name) return s.scope;
  return std::nullopt;
}

// The names of `set`, space-separated in kScopeNames order ("tasks:read tasks:write"): how the
// store keeps them.
inline std::string scopes_text(ScopeSet set) {
  std::string out;
  for (const auto& s : kScopeNames)
    if (has_scope(set, s.scope)) {
      if (!out.empty()) out += ' ';
      out += s.name;
    }
  return out;
}

// The set named by space-separated `text`; unknown names are ignored (a scope removed in a
// later version grants nothing).
inline ScopeSet parse_scopes_text(std::string_view text) {
  ScopeSet set = 0;
  while (!text.empty()) {
    auto space = text.find(' ');
    if (auto s = parse_scope(text.substr(0, space))) set |= static_cast<unsigned>(*s);
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return set;
}

}  // namespace todo::auth
