#ifndef CRM_COMMON_DB_FLAGS_H_
#define CRM_COMMON_DB_FLAGS_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "common/db_config.h"

namespace crm {

// Reads DbConfig from --db_dsn, --db_password_file, --db_pool_size,
// --db_query_timeout, --db_acquire_timeout (or CRM_DB_* in the environment).
absl::StatusOr<DbConfig> DbConfigFromFlags();

// --migrate: apply pending migrations at start-up (needs the migration
// user's DDL grants). --migrate_only: apply them and exit (the Kubernetes
// migration Job, ./crm up).
bool MigrateOnStartFlag();
bool MigrateOnlyFlag();

}  // namespace crm

#endif  // CRM_COMMON_DB_FLAGS_H_
