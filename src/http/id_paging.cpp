#include "http/id_paging.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <string>

namespace todo::http {

std::optional<std::int64_t> parse_positive_id(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

bool read_id_page_param(std::string_view key, std::string_view value, IdPage& page,
                        std::vector<FieldError>& errors) {
  if (key == "limit") {
    auto n = parse_positive_id(value);
    if (!n || *n > 200)
      errors.push_back({"limit", "must be an integer from 1 to 200"});
    else
      page.limit = int(*n);
    return true;
  }
  if (key == "cursor") {
    if (value.empty()) return true;
    if (auto id = parse_positive_id(value))
      page.before_id = *id;
    else
      errors.push_back({"cursor", "is not a cursor this API returned"});
    return true;
  }
  return false;
}

void refuse_repeated_params(const boost::urls::params_view& params, std::vector<FieldError>& errors,
                            std::initializer_list<std::string_view> repeatable) {
  std::map<std::string, int, std::less<>> seen;
  for (const auto& p : params) {
    if (p.key.empty() && p.value.empty()) continue;  // a stray "&"
    if (std::find(repeatable.begin(), repeatable.end(), std::string_view(p.key)) !=
        repeatable.end())
      continue;
    if (++seen[std::string(p.key)] == 2)
      errors.push_back(
          {std::string(std::string_view(p.key).substr(0, 64)), "must be given at most once"});
  }
}

std::optional<Error> repeated_params_error(const boost::urls::params_view& params) {
  std::vector<FieldError> errors;
  refuse_repeated_params(params, errors);
  if (errors.empty()) return std::nullopt;
  return query_error(std::move(errors));
}

Error query_error(std::vector<FieldError> errors) {
  Error error{ErrorKind::bad_request};
  error.errors = std::move(errors);
  for (const auto& e : error.errors)
    error.detail += (error.detail.empty() ? "" : "; ") + e.field + " " + e.message;
  return error;
}

}  // namespace todo::http
