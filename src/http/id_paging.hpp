#pragma once
// Paging of lists that are read newest first by id (notifications, webhook deliveries): query
// parameters `limit` (1..200, default 50) and `cursor` (the last id of the previous page, as
// the API returned it). One place for the rules and the words of their errors, and for the
// rule every query parser shares: a single-valued parameter at most once.
#include <boost/url/params_view.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace todo::http {

struct IdPage {
  std::optional<std::int64_t> before_id;  // from `cursor`: items with a smaller id
  int limit = 50;
};

// A positive decimal int64 (path ids, cursors); nullopt for anything else ("", "0", "-1",
// "1x", overflow).
std::optional<std::int64_t> parse_positive_id(std::string_view text);

// When `key` is `limit` or `cursor`: reads `value` into `page` (a bad value appends a
// FieldError naming the parameter to `errors`) and returns true. Other keys: false (the
// caller's own parameters). An empty cursor is the first page.
bool read_id_page_param(std::string_view key, std::string_view value, IdPage& page,
                        std::vector<FieldError>& errors);

// Appends "must be given at most once" to `errors` for each parameter named more than once in
// `params` (once per name, the name cut to 64 bytes), except those in `repeatable` (the
// multi-valued ones, e.g. the audit trail's event_type). Every query parser of the API calls
// it: a repeated single-valued parameter (`limit=5&limit=7`) is ambiguous, and "the last one
// wins" would pick one silently (RFC 3986 leaves the meaning of repeats to the application).
void refuse_repeated_params(const boost::urls::params_view& params, std::vector<FieldError>& errors,
                            std::initializer_list<std::string_view> repeatable = {});

// For the routes that read one or two parameters without a parser of their own: the
// bad_request Error (query_error) of refuse_repeated_params' findings, nullopt when none.
std::optional<Error> repeated_params_error(const boost::urls::params_view& params);

// A bad_request Error carrying `errors`, its detail the errors joined
// ("limit must be an integer from 1 to 200; cursor is not a cursor this API returned").
Error query_error(std::vector<FieldError> errors);

}  // namespace todo::http
