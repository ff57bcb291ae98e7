#ifndef CRM_COMMON_MIGRATOR_H_
#define CRM_COMMON_MIGRATOR_H_

#include "absl/strings/string_view.h"
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/mysql_pool.h"

namespace crm {

// A migration file as compiled into a binary: "V0001__init.sql" and its text.
struct MigrationFile {
  std::string file_name;
  std::string sql;
};

struct Migration {
  int version;
  std::string file_name;
  std::string sql;
  std::string checksum;  // SHA-256 hex of sql
};

// Parses and orders migration files. Names must be V<digits>__<name>.sql,
// versions unique and contiguous from 1.
absl::StatusOr<std::vector<Migration>> ParseMigrations(const std::vector<MigrationFile>& files);

// Splits a script into statements at ';' outside quotes and comments; drops
// comments and empty statements.
std::vector<std::string> SplitSqlStatements(absl::string_view script);

// Applies forward-only migrations to the pool's schema and records each in
// schema_migrations(version, file_name, checksum, applied_at). Replicas
// starting together serialise on a named lock. Refuses (FAILED_PRECONDITION,
// MIGRATION_CHECKSUM_MISMATCH) when an applied file has changed since, and
// (FAILED_PRECONDITION, MIGRATION_INCOMPLETE) when an earlier run stopped
// halfway through a file: an operator must look.
class Migrator {
 public:
  Migrator(MysqlPool* pool, std::vector<MigrationFile> files);

  // Applies what is pending; returns how many files it applied. Needs DDL
  // grants (the migration user).
  absl::StatusOr<int> Run();

  // Read-only check that every file is applied with a matching checksum:
  // FAILED_PRECONDITION MIGRATIONS_PENDING otherwise. Needs only SELECT (the
  // service's runtime user); a schema newer than the binary is accepted, so
  // rolling updates work.
  absl::Status Verify();

 private:
  MysqlPool* pool_;
  std::vector<MigrationFile> files_;
};

}  // namespace crm

#endif  // CRM_COMMON_MIGRATOR_H_
