#ifndef CRM_TESTS_SUPPORT_TEST_DATABASE_H_
#define CRM_TESTS_SUPPORT_TEST_DATABASE_H_

#include <memory>
#include <string>
#include <vector>

#include "common/data_key.h"
#include "common/db_config.h"
#include "common/migrator.h"
#include "cppconn/connection.h"

namespace crm::testing {

// A fresh, randomly named schema on the test MariaDB (started by the ctest
// fixture; its socket is in CRM_TEST_DB_SOCKET), dropped on destruction.
// Also creates a least-privilege user for it (SELECT/INSERT/UPDATE/DELETE
// only), as ./crm up does for each service.
class TestDatabase {
 public:
  // Applies `migrations` (with root) when given.
  explicit TestDatabase(const std::vector<MigrationFile>& migrations = {});
  ~TestDatabase();

  const std::string& schema() const { return schema_; }
  // root over the socket.
  DbConfig RootConfig() const;
  // The DML-only user over TCP.
  DbConfig AppConfig() const;
  std::string AppDsn() const;
  const std::string& app_password_file() const { return password_file_; }

  // A root connection to the schema, for assertions.
  std::unique_ptr<sql::Connection> Connect() const;
  // Runs one statement as root; returns the first column of the first row
  // ("" when none).
  std::string Query(const std::string& sql) const;
  // Rows of `table` matching the SQL condition `where`.
  int Count(const std::string& table, const std::string& where = "1") const;
  // Rows of `table` whose `column` holds the bytes of `text` anywhere (to
  // prove that personal data is not stored in clear).
  int CountContaining(const std::string& table, const std::string& column,
                      const std::string& text) const;

  static std::string Socket();
  static int Port();

 private:
  std::string schema_;
  std::string password_;
  std::string password_file_;
};

// A fresh random data key, and the same written to a mode-600 file in the
// test's temporary directory (for --data_key_file).
DataKey TestDataKey();
std::string WriteTestDataKeyFile();

}  // namespace crm::testing

#endif  // CRM_TESTS_SUPPORT_TEST_DATABASE_H_
