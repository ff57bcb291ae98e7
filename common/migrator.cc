#include "common/migrator.h"

#include <map>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/mysql_errors.h"
#include "common/sql_util.h"
#include "cppconn/exception.h"
#include "cppconn/statement.h"

namespace crm {
namespace {

constexpr char kCreateTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT NOT NULL PRIMARY KEY,"
    " file_name VARCHAR(255) NOT NULL,"
    " checksum CHAR(64) NOT NULL,"
    " state ENUM('applying','applied') NOT NULL,"
    " applied_at DATETIME(6) NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

struct Applied {
  std::string checksum;
  std::string state;
};

absl::Status Failed(absl::string_view reason, std::string message) {
  return Error(absl::StatusCode::kFailedPrecondition, reason, message);
}

std::map<int, Applied> ReadApplied(sql::Connection& conn) {
  std::map<int, Applied> applied;
  auto stmt = Prepare(conn, "SELECT version, checksum, state FROM schema_migrations");
  std::unique_ptr<sql::ResultSet> rs(stmt->executeQuery());
  while (rs->next()) {
    applied[rs->getInt(1)] = {rs->getString(2), rs->getString(3)};
  }
  return applied;
}

// Checks what is recorded against the files; `pending` receives the files not
// yet applied.
absl::Status Compare(const std::vector<Migration>& migrations,
                     const std::map<int, Applied>& applied,
                     std::vector<const Migration*>* pending) {
  for (const Migration& m : migrations) {
    auto it = applied.find(m.version);
    if (it == applied.end()) {
      pending->push_back(&m);
      continue;
    }
    if (it->second.state != "applied") {
      return Failed("MIGRATION_INCOMPLETE",
                    absl::StrCat(m.file_name, " was interrupted while being applied; "
                                 "repair the schema by hand, then delete its row from "
                                 "schema_migrations"));
    }
    if (it->second.checksum != m.checksum) {
      return Failed("MIGRATION_CHECKSUM_MISMATCH",
                    absl::StrCat(m.file_name, " has changed since it was applied (recorded ",
                                 it->second.checksum, ", file ", m.checksum,
                                 "); migrations are forward-only: add a new file"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Migration>> ParseMigrations(const std::vector<MigrationFile>& files) {
  std::map<int, Migration> by_version;
  for (const MigrationFile& f : files) {
    absl::string_view name = f.file_name;
    auto sep = name.find("__");
    int version = 0;
    if (name.size() < 2 || name[0] != 'V' || sep == absl::string_view::npos ||
        !absl::SimpleAtoi(name.substr(1, sep - 1), &version) || version <= 0 ||
        !absl::EndsWith(name, ".sql")) {
      return Failed("BAD_MIGRATION_FILE",
                    absl::StrCat("migration file name ", name,
                                 " is not V<number>__<name>.sql"));
    }
    if (!by_version.emplace(version, Migration{version, f.file_name, f.sql, Sha256Hex(f.sql)})
             .second) {
      return Failed("BAD_MIGRATION_FILE", absl::StrCat("two migrations have version ", version));
    }
  }
  std::vector<Migration> out;
  for (auto& [version, m] : by_version) {
    if (version != static_cast<int>(out.size()) + 1) {
      return Failed("BAD_MIGRATION_FILE",
                    absl::StrCat("migration versions must be contiguous from 1; missing ",
                                 out.size() + 1));
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<std::string> SplitSqlStatements(absl::string_view script) {
  std::vector<std::string> out;
  std::string current;
  char quote = 0;
  for (size_t i = 0; i < script.size(); ++i) {
    char c = script[i];
    char next = i + 1 < script.size() ? script[i + 1] : '\0';
    if (quote) {
      current.push_back(c);
      if (c == '\\' && quote != '`' && i + 1 < script.size()) {
        current.push_back(script[++i]);
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '\'' || c == '"' || c == '`') {
      quote = c;
      current.push_back(c);
    } else if ((c == '-' && next == '-') || c == '#') {
      while (i < script.size() && script[i] != '\n') ++i;
      current.push_back('\n');
    } else if (c == '/' && next == '*') {
      i += 2;
      while (i + 1 < script.size() && !(script[i] == '*' && script[i + 1] == '/')) ++i;
      ++i;
      current.push_back(' ');
    } else if (c == ';') {
      std::string stmt(absl::StripAsciiWhitespace(current));
      if (!stmt.empty()) out.push_back(std::move(stmt));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  std::string stmt(absl::StripAsciiWhitespace(current));
  if (!stmt.empty()) out.push_back(std::move(stmt));
  return out;
}

Migrator::Migrator(MysqlPool* pool, std::vector<MigrationFile> files)
    : pool_(pool), files_(std::move(files)) {}

absl::StatusOr<int> Migrator::Run() {
  auto migrations = ParseMigrations(files_);
  if (!migrations.ok()) return migrations.status();
  auto lease = pool_->Acquire();
  if (!lease.ok()) return lease.status();
  sql::Connection& conn = **lease;
  const std::string lock_name = absl::StrCat("crm_migrate.", pool_->config().schema);
  bool locked = false;
  try {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    // A long ALTER must not be cut off halfway (that leaves MIGRATION_INCOMPLETE).
    try {
      stmt->execute("SET SESSION max_statement_time = 0");  // MariaDB
    } catch (const sql::SQLException&) {
      stmt->execute("SET SESSION max_execution_time = 0");  // MySQL 8
    }
    stmt->execute(kCreateTable);
    auto lock = Prepare(conn, "SELECT GET_LOCK(?, 60)");
    lock->setString(1, lock_name);
    std::unique_ptr<sql::ResultSet> rs(lock->executeQuery());
    locked = rs->next() && rs->getInt(1) == 1;
    if (!locked) {
      return Error(absl::StatusCode::kUnavailable, "MIGRATION_LOCK_TIMEOUT",
                   "another process held the migration lock for 60s");
    }
    std::vector<const Migration*> pending;
    absl::Status status = Compare(*migrations, ReadApplied(conn), &pending);
    for (const Migration* m : pending) {
      if (!status.ok()) break;
      auto record = Prepare(conn,
                            "INSERT INTO schema_migrations (version, file_name, checksum, "
                            "state, applied_at) VALUES (?, ?, ?, 'applying', UTC_TIMESTAMP(6))");
      record->setInt(1, m->version);
      record->setString(2, m->file_name);
      record->setString(3, m->checksum);
      record->execute();
      for (const std::string& sql : SplitSqlStatements(m->sql)) stmt->execute(sql);
      auto done = Prepare(conn, "UPDATE schema_migrations SET state = 'applied', "
                                "applied_at = UTC_TIMESTAMP(6) WHERE version = ?");
      done->setInt(1, m->version);
      done->execute();
      log::Info("migration applied", {{"file", m->file_name}, {"checksum", m->checksum}});
    }
    auto unlock = Prepare(conn, "SELECT RELEASE_LOCK(?)");
    unlock->setString(1, lock_name);
    std::unique_ptr<sql::ResultSet> released(unlock->executeQuery());
    lease->MarkBroken();  // its session settings differ from the pool's
    if (!status.ok()) return status;
    return static_cast<int>(pending.size());
  } catch (const sql::SQLException& e) {
    // Closing the connection releases the named lock.
    lease->MarkBroken();
    return StatusFromSqlException(e);
  }
}

absl::Status Migrator::Verify() {
  auto migrations = ParseMigrations(files_);
  if (!migrations.ok()) return migrations.status();
  auto lease = pool_->Acquire();
  if (!lease.ok()) return lease.status();
  try {
    std::vector<const Migration*> pending;
    if (absl::Status s = Compare(*migrations, ReadApplied(**lease), &pending); !s.ok()) {
      return s;
    }
    if (!pending.empty()) {
      return Failed("MIGRATIONS_PENDING",
                    absl::StrCat(pending.size(), " migration(s) not applied yet, first ",
                                 pending.front()->file_name));
    }
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() == 1146) {  // ER_NO_SUCH_TABLE: never migrated
      return Failed("MIGRATIONS_PENDING", "schema_migrations does not exist yet");
    }
    if (IsConnectionLost(e.getErrorCode())) lease->MarkBroken();
    return StatusFromSqlException(e);
  }
}

}  // namespace crm
