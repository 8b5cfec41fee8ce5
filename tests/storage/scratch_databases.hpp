#pragma once
// Databases of their own for tests that must not share the suite's database: migration
// tests start from an old schema, partition tests create and drop audit_log's partitions
// (storage_fixture.hpp shares one PostgreSQL database across tests).
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "storage_fixture.hpp"

namespace todo::storage::fixture {

// A PostgreSQL database of its own for one test (the shared test database is at the latest
// version), dropped at the end.
class ScratchPostgres {
 public:
  ScratchPostgres(std::string base, std::string_view label)
      : base_(std::move(base)), name_("todo_" + std::string(label) + "_" + random_hex(10)) {
    created_ = admin_exec("CREATE DATABASE " + name_);
    // postgres://user@host:port/db?params -> the same with the new database name.
    const auto path_start = base_.find('/', base_.find("://") + 3);
    const auto query_start = base_.find('?', path_start);
    url_ = base_.substr(0, path_start) + "/" + name_ +
           (query_start == std::string::npos ? "" : base_.substr(query_start));
  }
  ~ScratchPostgres() {
    if (created_.empty()) EXPECT_EQ(admin_exec("DROP DATABASE " + name_ + " WITH (FORCE)"), "");
  }
  // "" when the database was created, else the server's error.
  const std::string& created() const { return created_; }
  const std::string& url() const { return url_; }

 private:
  std::string admin_exec(const std::string& sql) const {
    std::unique_ptr<PGconn, decltype(&PQfinish)> admin(PQconnectdb(base_.c_str()), &PQfinish);
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(admin.get(), sql.c_str()), &PQclear);
    return PQresultStatus(r.get()) == PGRES_COMMAND_OK ? std::string()
                                                       : std::string(PQerrorMessage(admin.get()));
  }
  std::string base_, name_, url_, created_;
};

// A SQLite file in a directory of its own, removed at the end.
struct ScratchSqlite {
  ScratchSqlite() : dir(fs::temp_directory_path() / ("todo-mig-" + random_hex(12))) {
    fs::create_directories(dir);
  }
  ~ScratchSqlite() { fs::remove_all(dir); }
  std::string path() const { return (dir / "todo.db").string(); }
  fs::path dir;
};

}  // namespace todo::storage::fixture
