#include "tests/support/test_database.h"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <random>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/mysql_pool.h"
#include "cppconn/driver.h"
#include "cppconn/resultset.h"
#include "cppconn/statement.h"
#include "gtest/gtest.h"
#include "mysql_driver.h"

namespace crm::testing {
namespace {

std::string RandomHex(int n) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back("0123456789abcdef"[rng() % 16]);
  return s;
}

std::unique_ptr<sql::Connection> RootConnection(const std::string& schema) {
  sql::ConnectOptionsMap opts;
  opts["hostName"] = std::string("localhost");
  opts["socket"] = TestDatabase::Socket();
  opts["userName"] = std::string("root");
  opts["password"] = std::string("");
  if (!schema.empty()) opts["schema"] = schema;
  return std::unique_ptr<sql::Connection>(sql::mysql::get_mysql_driver_instance()->connect(opts));
}

void Exec(sql::Connection& conn, const std::string& sql) {
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  stmt->execute(sql);
}

}  // namespace

std::string TestDatabase::Socket() {
  const char* socket = std::getenv("CRM_TEST_DB_SOCKET");
  if (socket == nullptr) {
    ADD_FAILURE() << "CRM_TEST_DB_SOCKET is not set: run the tests through ctest (./crm test)";
    return "/nonexistent";
  }
  return socket;
}

int TestDatabase::Port() {
  const char* port = std::getenv("CRM_TEST_DB_PORT");
  return port ? std::atoi(port) : 33307;
}

TestDatabase::TestDatabase(const std::vector<MigrationFile>& migrations)
    : schema_("t_" + RandomHex(12)), password_(RandomHex(24)) {
  auto root = RootConnection("");
  Exec(*root, absl::StrCat("CREATE DATABASE ", schema_, " CHARACTER SET utf8mb4"));
  Exec(*root, absl::StrCat("CREATE USER '", schema_, "'@'127.0.0.1' IDENTIFIED BY '", password_, "'"));
  Exec(*root, absl::StrCat("GRANT SELECT, INSERT, UPDATE, DELETE ON ", schema_, ".* TO '",
                           schema_, "'@'127.0.0.1'"));
  password_file_ = absl::StrCat(::testing::TempDir(), "/", schema_, ".password");
  std::ofstream(password_file_) << password_ << "\n";
  if (!migrations.empty()) {
    MysqlPool pool(RootConfig());
    auto applied = Migrator(&pool, migrations).Run();
    EXPECT_TRUE(applied.ok()) << applied.status();
  }
}

TestDatabase::~TestDatabase() {
  try {
    auto root = RootConnection("");
    Exec(*root, absl::StrCat("DROP DATABASE IF EXISTS ", schema_));
    Exec(*root, absl::StrCat("DROP USER IF EXISTS '", schema_, "'@'127.0.0.1'"));
  } catch (const std::exception& e) {
    ADD_FAILURE() << "dropping " << schema_ << ": " << e.what();
  }
  std::remove(password_file_.c_str());
}

DbConfig TestDatabase::RootConfig() const {
  DbConfig c;
  c.socket = Socket();
  c.user = "root";
  c.schema = schema_;
  c.pool_size = 4;
  return c;
}

DbConfig TestDatabase::AppConfig() const {
  DbConfig c;
  c.host = "127.0.0.1";
  c.port = Port();
  c.user = schema_;
  c.password = password_;
  c.schema = schema_;
  c.pool_size = 4;
  return c;
}

std::string TestDatabase::AppDsn() const {
  return absl::StrCat("mysql://", schema_, "@127.0.0.1:", Port(), "/", schema_);
}

std::unique_ptr<sql::Connection> TestDatabase::Connect() const { return RootConnection(schema_); }

std::string TestDatabase::Query(const std::string& sql) const {
  auto conn = Connect();
  std::unique_ptr<sql::Statement> stmt(conn->createStatement());
  std::unique_ptr<sql::ResultSet> rs(stmt->executeQuery(sql));
  return rs->next() ? std::string(rs->getString(1)) : "";
}

int TestDatabase::Count(const std::string& table, const std::string& where) const {
  return std::stoi(Query(absl::StrCat("SELECT COUNT(*) FROM ", table, " WHERE ", where)));
}

int TestDatabase::CountContaining(const std::string& table, const std::string& column,
                                  const std::string& text) const {
  return Count(table, absl::StrCat("INSTR(", column, ", UNHEX('", absl::BytesToHexString(text),
                                   "')) > 0"));
}

namespace {

std::string RandomHexKey() {
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof(bytes));
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

}  // namespace

DataKey TestDataKey() { return *DataKey::FromHex(RandomHexKey()); }

std::string WriteTestDataKeyFile() {
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/data-key-", RandomHexKey().substr(0, 12));
  std::ofstream(path) << RandomHexKey() << "\n";
  chmod(path.c_str(), 0600);
  return path;
}

}  // namespace crm::testing
