#include "common/db_flags.h"

#include "absl/flags/flag.h"
#include "common/errors.h"

ABSL_FLAG(std::string, db_dsn, "",
          "The service's schema: mysql://user@host:port/schema or "
          "mysql://user@localhost/schema?socket=/path");
ABSL_FLAG(std::string, db_password_file, "", "File holding the database password");
ABSL_FLAG(int, db_pool_size, 8, "Database connections per process");
ABSL_FLAG(absl::Duration, db_query_timeout, absl::Seconds(30), "Upper bound of one statement");
ABSL_FLAG(absl::Duration, db_acquire_timeout, absl::Seconds(5),
          "Wait for a free connection before UNAVAILABLE");
ABSL_FLAG(bool, migrate, false, "Apply pending schema migrations at start-up");
ABSL_FLAG(bool, migrate_only, false, "Apply pending schema migrations, then exit");

namespace crm {

absl::StatusOr<DbConfig> DbConfigFromFlags() {
  std::string dsn = absl::GetFlag(FLAGS_db_dsn);
  if (dsn.empty()) {
    return Error(absl::StatusCode::kInvalidArgument, "BAD_DB_CONFIG",
                 "--db_dsn (or CRM_DB_DSN) is required");
  }
  auto config = ParseDsn(dsn);
  if (!config.ok()) return config.status();
  if (std::string file = absl::GetFlag(FLAGS_db_password_file); !file.empty()) {
    auto password = ReadPasswordFile(file);
    if (!password.ok()) return password.status();
    config->password = *std::move(password);
  }
  config->pool_size = absl::GetFlag(FLAGS_db_pool_size);
  config->query_timeout = absl::GetFlag(FLAGS_db_query_timeout);
  config->acquire_timeout = absl::GetFlag(FLAGS_db_acquire_timeout);
  if (absl::Status s = config->Validate(); !s.ok()) return s;
  return config;
}

bool MigrateOnStartFlag() { return absl::GetFlag(FLAGS_migrate); }
bool MigrateOnlyFlag() { return absl::GetFlag(FLAGS_migrate_only); }

}  // namespace crm
