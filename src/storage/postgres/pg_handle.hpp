#pragma once
// RAII wrappers over libpq: a connection, its results and its named prepared statements.
// Statements are prepared lazily, once per connection, keyed by SQL text; parameters and
// results use the text format (the values are small, and text keeps the code simple), except
// array parameters, which travel in the binary array format (Params::add_text_array and
// siblings): batches of event payloads are not escaped here nor parsed by array_in there;
// and results asked for in the binary format (ResultFormat::binary: the task pages, where
// PostgreSQL's output functions and our number parsing were a tenth of a list's CPU).
// One Handle is used by one thread at a time.
#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/tx.hpp"

namespace todo::storage::postgres {

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnDeleter>;
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// Query parameters, $1..$n in the order added. Values are copied: callers may pass
// temporaries. An empty optional is SQL NULL.
class Params {
 public:
  Params& add(std::string_view v) {
    values_.emplace_back(std::string(v));
    binary_.push_back(0);
    return *this;
  }
  Params& add(const std::string& v) { return add(std::string_view(v)); }
  Params& add(const char* v) { return add(std::string_view(v)); }
  Params& add(std::int64_t v) { return add(std::string_view(std::to_string(v))); }
  Params& add(std::nullptr_t) {
    values_.emplace_back(std::nullopt);
    binary_.push_back(0);
    return *this;
  }
  Params& add(const std::optional<std::int64_t>& v) { return v ? add(*v) : add(nullptr); }
  Params& add(const std::optional<std::string>& v) {
    return v ? add(std::string_view(*v)) : add(nullptr);
  }
  // No bool overload: a string literal would silently pick it over string_view.
  Params& add_bool(bool v) { return add(std::string_view(v ? "t" : "f")); }
  // A one-dimensional text[] (no NULL element), sent in the binary array format
  // (encode_binary_text_array): the statement must take it as text[] (`$n::text[]`), else
  // PostgreSQL refuses the element type. Event payloads travel this way, several per batch:
  // no escaping here and no array_in parse there.
  Params& add_text_array(const std::vector<std::string>& items);
  // A one-dimensional bigint[] / integer[] in the binary format (encode_binary_int_array),
  // for `$n::bigint[]` / `$n::integer[]`. add_integer_array throws std::out_of_range for a
  // value outside int32 (a programmer error: the caller's values are bit masks).
  Params& add_bigint_array(const std::vector<std::int64_t>& items);
  Params& add_integer_array(const std::vector<std::int64_t>& items);

  int size() const { return int(values_.size()); }
  // Pointers, lengths and formats (0 text, 1 binary) for PQexecPrepared; valid while this
  // Params lives and is not modified. Lengths matter for binary values only.
  std::vector<const char*> pointers() const;
  std::vector<int> lengths() const;
  const std::vector<int>& formats() const { return binary_; }
  bool any_binary() const;

 private:
  Params& add_binary(std::string bytes);  // a value in the binary format
  std::vector<std::optional<std::string>> values_;
  std::vector<int> binary_;  // per value: 1 when in the binary format
};

// One statement and its parameters, built by a store's statement function where the store and
// the pipelined reads (pg_pipeline.hpp) send the same SELECT.
struct Statement {
  std::string sql;
  Params params;
};

// The format PostgreSQL sends a result's columns in (the protocol's result format code).
// Binary: integers as big-endian two's complement of their type's width (int2, int4, int8),
// booleans as one byte, text as its bytes, arrays in array_send's layout; the statement's
// columns must then be read only with the typed accessors below (int64, boolean, text,
// text_array), never with view() on a non-text column.
enum class ResultFormat { text = 0, binary = 1 };

// A successful result (PGRES_TUPLES_OK or PGRES_COMMAND_OK). Columns are read by index; the
// typed accessors read either format (each column says its own, PQfformat).
class Rows {
 public:
  explicit Rows(ResultPtr result) : result_(std::move(result)) {}
  int size() const { return PQntuples(result_.get()); }
  bool empty() const { return size() == 0; }
  bool is_null(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  std::string_view view(int row, int col) const {
    return {PQgetvalue(result_.get(), row, col), std::size_t(PQgetlength(result_.get(), row, col))};
  }
  std::string text(int row, int col) const { return std::string(view(row, col)); }
  std::optional<std::string> opt_text(int row, int col) const;
  // An integer column (smallint, integer or bigint); throws DbError (not transient) when the
  // value is not one.
  std::int64_t int64(int row, int col) const;
  std::optional<std::int64_t> opt_int64(int row, int col) const;
  bool boolean(int row, int col) const;
  // A one-dimensional text[] column, NULL elements skipped; an SQL NULL reads as empty.
  // Throws DbError (not transient) for a malformed binary array.
  std::vector<std::string> text_array(int row, int col) const;
  // Rows touched by INSERT/UPDATE/DELETE (PQcmdTuples).
  std::int64_t affected() const;
  // The command tag: "COMMIT", "ROLLBACK", "INSERT 0 1", ...
  std::string_view command() const { return PQcmdStatus(result_.get()); }

 private:
  ResultPtr result_;
};

class Handle {
 public:
  // Connects (libpq URL or key=value string). `session_sql` runs on every (re)connect,
  // e.g. SET commands. Throws DbError (transient) with a message safe to log: it names
  // host, port, database and user, never the password.
  explicit Handle(const std::string& url, std::string session_sql = {});
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  // Runs `sql` as a named prepared statement, preparing it on first use; its columns come in
  // `format`.
  Rows exec(const std::string& sql, const Params& params = {},
            ResultFormat format = ResultFormat::text);
  // Simple-protocol query without parameters: BEGIN/COMMIT, SET, migration scripts
  // (which may hold several statements).
  Rows exec_script(const char* sql);

  // PQreset when the connection is broken; false when still unreachable. A healthy
  // connection is kept: a serialization failure needs a retry, not a new session.
  bool reconnect() noexcept;
  bool connected() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
  PGTransactionStatusType transaction_status() const { return PQtransactionStatus(conn_.get()); }
  PGconn* raw() const { return conn_.get(); }

 private:
  void on_connect();
  ConnPtr conn_;
  std::string session_sql_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  int next_statement_ = 0;
};

// Throws DbError for a failed call (result may be null); see is_transient and
// storage_fault_of.
[[noreturn]] void throw_error(PGconn* conn, const PGresult* result, std::string_view what);

// Whether an error with this SQLSTATE (empty when libpq raised it itself) is worth a retry:
// connection failures (class 08, or the connection is no longer OK), serialization
// failures and deadlocks (40001, 40P01), server shutdown (57P01-57P03), insufficient
// resources (class 53) except disk_full, which is a storage fault.
bool is_transient(std::string_view sqlstate, bool connection_ok);

// The StorageFault (storage/tx.hpp) of a SQLSTATE (PostgreSQL Appendix A): 53100 disk_full
// -> full, 25006 read_only_sql_transaction -> read_only (a standby, or
// default_transaction_read_only), 58030 io_error -> io_error; none for every other.
StorageFault storage_fault_of(std::string_view sqlstate);

// `text` on one line: each run of newlines, tabs and spaces becomes one space, none at the
// ends. libpq's messages end with a newline and may span several lines ("...failed:
// Connection refused\n\tIs the server running..."); logs want one line.
std::string one_line(std::string_view text);

// One-line description of why a connection failed, naming host/port/database/user of
// `url` but with any password in it replaced.
std::string describe_connect_failure(PGconn* conn, const std::string& url);

// The binary send format of a one-dimensional text[] without NULLs (PostgreSQL's
// array_send, src/backend/utils/adt/arrayfuncs.c): int32 ndim (0 for an empty array, else
// 1), int32 flags (0: no NULL), OID 25 (text); then, for one dimension, int32 length and
// int32 lower bound 1, and each element as int32 byte length and its bytes; all integers
// big-endian. Elements are bytes as given (PostgreSQL checks them as UTF-8 on receipt).
// Throws std::length_error past PostgreSQL's 1 GB field limit.
std::string encode_binary_text_array(const std::vector<std::string>& items);
// The same layout for bigint[] (`bytes` 8, OID 20) or integer[] (`bytes` 4, OID 23): each
// element is its byte length and its big-endian two's complement value. Throws
// std::out_of_range when a value does not fit in `bytes`, std::invalid_argument for a `bytes`
// other than 4 or 8.
std::string encode_binary_int_array(const std::vector<std::int64_t>& items, int bytes);
// Parses the text output of a one-dimensional text[] (quoted or bare elements; NULL skipped).
std::vector<std::string> decode_text_array(std::string_view text);
// Parses array_send's layout of a text[] (see encode_binary_text_array) of at most one
// dimension; NULL elements are skipped. Throws DbError (not transient) when `bytes` is
// malformed: truncated, more than one dimension, or lengths past its end.
std::vector<std::string> decode_binary_text_array(std::string_view bytes);

}  // namespace todo::storage::postgres
