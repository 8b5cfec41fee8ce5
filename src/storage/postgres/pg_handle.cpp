#include "storage/postgres/pg_handle.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <utility>

#include "core/log.hpp"
#include "core/redact.hpp"

namespace todo::storage::postgres {
namespace {

void replace_all(std::string& text, std::string_view secret) {
  if (secret.empty()) return;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3))
    text.replace(pos, secret.size(), "***");
}

// Every spelling of a password the connection string may carry: the URI's user:password@
// (raw and percent-decoded), and password=... as a URI query parameter or keyword.
std::vector<std::string> passwords_in(const std::string& url) {
  std::vector<std::string> out;
  if (auto scheme = url.find("://"); scheme != std::string::npos) {
    auto start = scheme + 3;
    auto end = url.find_first_of("@/", start);  // libpq ends the userinfo at '@' or '/'
    if (end != std::string::npos && url[end] == '@') {
      auto colon = url.find(':', start);
      if (colon != std::string::npos && colon < end)
        out.push_back(url.substr(colon + 1, end - colon - 1));
    }
  }
  for (auto pos = url.find("password="); pos != std::string::npos;
       pos = url.find("password=", pos + 1)) {
    auto start = pos + 9;
    if (start < url.size() && url[start] == '\'') {
      auto end = url.find('\'', start + 1);
      out.push_back(url.substr(start + 1, end == std::string::npos ? end : end - start - 1));
    } else {
      auto end = url.find_first_of("& \t\n", start);
      out.push_back(url.substr(start, end == std::string::npos ? end : end - start));
    }
  }
  PQconninfoOption* options = PQconninfoParse(url.c_str(), nullptr);
  if (options) {
    for (auto* o = options; o->keyword; ++o)
      if (std::string_view(o->keyword) == "password" && o->val) out.emplace_back(o->val);
    PQconninfoFree(options);
  }
  return out;
}

std::string or_default(const char* value, const char* fallback) {
  return value && *value ? value : fallback;
}

}  // namespace

std::string one_line(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

StorageFault storage_fault_of(std::string_view sqlstate) {
  if (sqlstate == "53100") return StorageFault::full;       // disk_full
  if (sqlstate == "25006") return StorageFault::read_only;  // read_only_sql_transaction
  if (sqlstate == "58030") return StorageFault::io_error;   // io_error
  return StorageFault::none;
}

bool is_transient(std::string_view sqlstate, bool connection_ok) {
  if (!connection_ok) return true;
  if (storage_fault_of(sqlstate) != StorageFault::none) return false;  // retrying cannot help
  return sqlstate.starts_with("08") || sqlstate.starts_with("53") || sqlstate == "40001" ||
         sqlstate == "40P01" || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

void throw_error(PGconn* conn, const PGresult* result, std::string_view what) {
  const char* sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  // The primary message only: DETAIL lines quote row values (e-mail addresses...), which
  // do not belong in logs.
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = primary                                   ? primary
                        : result && *PQresultErrorMessage(result) ? PQresultErrorMessage(result)
                                                                  : PQerrorMessage(conn);
  std::string text = std::string(what) + ": " + one_line(message);
  if (sqlstate) text += std::string(" (SQLSTATE ") + sqlstate + ")";
  DbError e(text);
  const bool connection_ok = PQstatus(conn) == CONNECTION_OK;
  e.transient = is_transient(sqlstate ? sqlstate : "", connection_ok);
  if (connection_ok) e.fault = storage_fault_of(sqlstate ? sqlstate : "");
  e.missing_reference = sqlstate && std::string_view(sqlstate) == "23503";
  throw e;
}

std::string describe_connect_failure(PGconn* conn, const std::string& url) {
  std::string reason = one_line(conn ? PQerrorMessage(conn) : "out of memory");
  for (const auto& secret : passwords_in(url)) replace_all(reason, secret);
  std::string text = "cannot connect to PostgreSQL";
  if (conn && PQdb(conn)) {
    text += " database \"" + or_default(PQdb(conn), "?") + "\" at " +
            or_default(PQhost(conn), "localhost") + ":" + or_default(PQport(conn), "5432") +
            " as \"" + or_default(PQuser(conn), "?") + "\"";
  }
  // libpq may split a malformed URL elsewhere than the user meant, and quote a piece of the
  // password as a host or database name: mask every piece (core/redact.hpp).
  return mask_secrets(text + ": " + reason, secrets_in_connection_string(url));
}

namespace {
void append_be32(std::string& out, std::uint32_t v) {
  const char bytes[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  out.append(bytes, 4);
}
}  // namespace

std::string encode_binary_text_array(const std::vector<std::string>& items) {
  constexpr std::uint32_t kTextOid = 25;
  constexpr std::size_t kMaxField = 0x3fffffff;  // MaxAllocSize: 1 GB - 1
  std::size_t total = 20;
  for (const auto& item : items) total += 4 + item.size();
  if (total > kMaxField) throw std::length_error("text[] parameter over 1 GB");
  std::string out;
  out.reserve(total);
  append_be32(out, items.empty() ? 0 : 1);  // ndim
  append_be32(out, 0);                      // flags: no NULL element
  append_be32(out, kTextOid);
  if (items.empty()) return out;
  append_be32(out, std::uint32_t(items.size()));  // the one dimension's length
  append_be32(out, 1);                            // its lower bound
  for (const auto& item : items) {
    append_be32(out, std::uint32_t(item.size()));
    out += item;
  }
  return out;
}

std::string encode_binary_int_array(const std::vector<std::int64_t>& items, int bytes) {
  if (bytes != 4 && bytes != 8) throw std::invalid_argument("integer arrays of 4 or 8 bytes");
  const std::uint32_t oid = bytes == 8 ? 20 : 23;  // int8, int4 (pg_type.dat)
  std::string out;
  out.reserve(20 + items.size() * std::size_t(4 + bytes));
  append_be32(out, items.empty() ? 0 : 1);
  append_be32(out, 0);
  append_be32(out, oid);
  if (items.empty()) return out;
  append_be32(out, std::uint32_t(items.size()));
  append_be32(out, 1);
  for (const std::int64_t v : items) {
    append_be32(out, std::uint32_t(bytes));
    if (bytes == 4) {
      if (v < INT32_MIN || v > INT32_MAX)
        throw std::out_of_range("integer[] element outside int32");
      append_be32(out, std::uint32_t(std::int32_t(v)));
    } else {
      append_be32(out, std::uint32_t(std::uint64_t(v) >> 32));
      append_be32(out, std::uint32_t(std::uint64_t(v)));
    }
  }
  return out;
}

Params& Params::add_binary(std::string bytes) {
  values_.emplace_back(std::move(bytes));
  binary_.push_back(1);
  return *this;
}

Params& Params::add_bigint_array(const std::vector<std::int64_t>& items) {
  return add_binary(encode_binary_int_array(items, 8));
}

Params& Params::add_integer_array(const std::vector<std::int64_t>& items) {
  return add_binary(encode_binary_int_array(items, 4));
}

Params& Params::add_text_array(const std::vector<std::string>& items) {
  return add_binary(encode_binary_text_array(items));
}

std::vector<int> Params::lengths() const {
  std::vector<int> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? int(v->size()) : 0);
  return out;
}

bool Params::any_binary() const {
  return std::find(binary_.begin(), binary_.end(), 1) != binary_.end();
}

std::vector<std::string> decode_text_array(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = text.find('{');
  if (i == std::string_view::npos) return out;
  ++i;
  while (i < text.size() && text[i] != '}') {
    if (text[i] == ',') {
      ++i;
      continue;
    }
    std::string item;
    bool quoted = text[i] == '"';
    if (quoted) ++i;
    while (i < text.size()) {
      char c = text[i];
      if (quoted ? c == '"' : (c == ',' || c == '}')) break;
      if (c == '\\' && i + 1 < text.size()) c = text[++i];
      item += c;
      ++i;
    }
    if (quoted) ++i;  // the closing quote
    if (!quoted && item == "NULL") continue;
    out.push_back(std::move(item));
  }
  return out;
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

std::optional<std::string> Rows::opt_text(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return text(row, col);
}

namespace {

[[noreturn]] void throw_malformed(const std::string& what) {
  DbError e(what);
  e.transient = false;
  throw e;
}

// Type OIDs of the binary columns read here (PostgreSQL's pg_type.dat).
constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23;

// A big-endian two's complement integer of 1..8 bytes (the binary format of int2/int4/int8).
std::int64_t read_be(const char* p, std::size_t n) {
  std::uint64_t v = (n > 0 && (static_cast<unsigned char>(p[0]) & 0x80)) ? ~std::uint64_t(0) : 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return static_cast<std::int64_t>(v);
}

}  // namespace

std::vector<std::string> decode_binary_text_array(std::string_view bytes) {
  std::size_t pos = 0;
  auto int32 = [&](const char* what) {
    if (bytes.size() - pos < 4) throw_malformed(std::string("binary array truncated at ") + what);
    auto v = read_be(bytes.data() + pos, 4);
    pos += 4;
    return v;
  };
  const auto ndim = int32("its dimensions");
  int32("its flags");
  int32("its element type");
  std::vector<std::string> out;
  if (ndim == 0) return out;
  if (ndim != 1) throw_malformed("binary array of " + std::to_string(ndim) + " dimensions");
  const auto count = int32("its length");
  int32("its lower bound");
  if (count < 0) throw_malformed("binary array of negative length");
  // Each element takes at least its 4-byte length: bound the reservation by what is there.
  out.reserve(std::size_t(std::min<std::int64_t>(count, std::int64_t(bytes.size() / 4))));
  for (std::int64_t i = 0; i < count; ++i) {
    const auto len = int32("an element's length");
    if (len == -1) continue;  // NULL
    if (len < 0 || std::size_t(len) > bytes.size() - pos)
      throw_malformed("binary array element past the end");
    out.emplace_back(bytes.substr(pos, std::size_t(len)));
    pos += std::size_t(len);
  }
  return out;
}

std::int64_t Rows::int64(int row, int col) const {
  auto v = view(row, col);
  if (PQfformat(result_.get(), col) == 1) {
    // By the column's type, not the value's length: four bytes of text are not an int4.
    const Oid type = PQftype(result_.get(), col);
    const std::size_t width = type == kInt8Oid   ? 8
                              : type == kInt4Oid ? 4
                              : type == kInt2Oid ? 2
                                                 : 0;
    if (width == 0 || v.size() != width)
      throw_malformed("expected an integer in column " + std::to_string(col) + ", got type " +
                      std::to_string(type) + " of " + std::to_string(v.size()) + " bytes");
    return read_be(v.data(), v.size());
  }
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size())
    throw_malformed("expected an integer in column " + std::to_string(col) + ", got \"" +
                    std::string(v) + "\"");
  return n;
}

bool Rows::boolean(int row, int col) const {
  auto v = view(row, col);
  if (PQfformat(result_.get(), col) == 1) {
    if (PQftype(result_.get(), col) != kBoolOid || v.size() != 1)
      throw_malformed("expected a boolean in column " + std::to_string(col));
    return v[0] != 0;
  }
  return v == "t";
}

std::vector<std::string> Rows::text_array(int row, int col) const {
  if (is_null(row, col)) return {};
  if (PQfformat(result_.get(), col) == 1) return decode_binary_text_array(view(row, col));
  return decode_text_array(view(row, col));
}

std::optional<std::int64_t> Rows::opt_int64(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return int64(row, col);
}

std::int64_t Rows::affected() const {
  std::string_view v = PQcmdTuples(result_.get());
  std::int64_t n = 0;
  std::from_chars(v.data(), v.data() + v.size(), n);
  return n;
}

Handle::Handle(const std::string& url, std::string session_sql)
    : session_sql_(std::move(session_sql)) {
  // Defaults first: with expand_dbname, whatever the URL itself says overrides them.
  const char* keywords[] = {"fallback_application_name", "connect_timeout", "client_encoding",
                            "dbname", nullptr};
  const char* values[] = {"todo", "10", "UTF8", url.c_str(), nullptr};
  conn_.reset(PQconnectdbParams(keywords, values, 1));
  if (!connected()) throw DbError(describe_connect_failure(conn_.get(), url));
  // libpq prints NOTICEs ("relation ... already exists, skipping") to stderr by default.
  PQsetNoticeProcessor(
      conn_.get(),
      [](void*, const char* message) { log::debug("postgres: {}", one_line(message)); }, nullptr);
  on_connect();
}

void Handle::on_connect() {
  prepared_.clear();
  next_statement_ = 0;
  if (!session_sql_.empty()) exec_script(session_sql_.c_str());
}

Rows Handle::exec(const std::string& sql, const Params& params, ResultFormat format) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "todo_" + std::to_string(++next_statement_);
    ResultPtr prep(PQprepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr));
    if (!prep || PQresultStatus(prep.get()) != PGRES_COMMAND_OK)
      throw_error(conn_.get(), prep.get(), "prepare");
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  auto values = params.pointers();
  // Lengths and formats only when a value is binary: text values end at their NUL.
  std::vector<int> lengths;
  if (params.any_binary()) lengths = params.lengths();
  ResultPtr res(PQexecPrepared(conn_.get(), it->second.c_str(), params.size(), values.data(),
                               lengths.empty() ? nullptr : lengths.data(),
                               lengths.empty() ? nullptr : params.formats().data(),
                               static_cast<int>(format)));
  auto status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
    throw_error(conn_.get(), res.get(), "query");
  return Rows(std::move(res));
}

Rows Handle::exec_script(const char* sql) {
  ResultPtr res(PQexec(conn_.get(), sql));
  auto status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
    throw_error(conn_.get(), res.get(), "query");
  return Rows(std::move(res));
}

bool Handle::reconnect() noexcept {
  if (connected()) return true;
  prepared_.clear();
  PQreset(conn_.get());
  if (!connected()) return false;
  try {
    on_connect();  // the new session has none of the old prepared statements
  } catch (...) {
    return false;
  }
  return true;
}

}  // namespace todo::storage::postgres
