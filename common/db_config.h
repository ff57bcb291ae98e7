#ifndef CRM_COMMON_DB_CONFIG_H_
#define CRM_COMMON_DB_CONFIG_H_

#include "absl/strings/string_view.h"
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace crm {

// Where and how a service reaches its own schema.
struct DbConfig {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string socket;  // a Unix socket path; when set, host and port are unused
  std::string user;
  std::string password;  // read from a file, never from a flag or the DSN
  std::string schema;
  int pool_size = 8;
  absl::Duration connect_timeout = absl::Seconds(5);
  // Upper bound of one statement: the server-side max_statement_time
  // (MariaDB; max_execution_time for MySQL SELECTs), with socket read/write
  // timeouts 5 s later as the backstop.
  absl::Duration query_timeout = absl::Seconds(30);
  // How long a caller waits for a free connection before UNAVAILABLE.
  absl::Duration acquire_timeout = absl::Seconds(5);
  // An idle connection older than this is pinged before it is handed out.
  absl::Duration validate_after_idle = absl::Seconds(10);

  absl::Status Validate() const;
  // host:port/schema or socket/schema, for logs (never the password).
  std::string Describe() const;
};

// Parses "mysql://user@host:port/schema" or
// "mysql://user@localhost/schema?socket=/path/to/socket". A password inside
// the DSN is refused: it belongs in a file (Kubernetes Secret mount).
absl::StatusOr<DbConfig> ParseDsn(absl::string_view dsn);

// Reads a password file, dropping one trailing newline.
absl::StatusOr<std::string> ReadPasswordFile(const std::string& path);

}  // namespace crm

#endif  // CRM_COMMON_DB_CONFIG_H_
