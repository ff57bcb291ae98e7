#include "common/db_config.h"
#include "common/errors.h"
#include "common/server_config.h"
#include "gtest/gtest.h"

namespace crm {
namespace {

TEST(ParseDsnTest, TcpDsn) {
  auto c = ParseDsn("mysql://identify_app@db.internal:3307/crm_identify");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->user, "identify_app");
  EXPECT_EQ(c->host, "db.internal");
  EXPECT_EQ(c->port, 3307);
  EXPECT_EQ(c->schema, "crm_identify");
  EXPECT_EQ(c->socket, "");
  EXPECT_EQ(c->Describe(), "identify_app@db.internal:3307/crm_identify");
}

TEST(ParseDsnTest, DefaultPortAndSocket) {
  auto c = ParseDsn("mysql://root@localhost/crm?socket=/run/mysqld.sock");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->port, 3306);
  EXPECT_EQ(c->socket, "/run/mysqld.sock");
  EXPECT_EQ(c->Describe(), "root@/run/mysqld.sock/crm");
}

TEST(ParseDsnTest, RefusesBadDsns) {
  for (const char* dsn : {"postgres://u@h/s", "mysql://h:3306/s", "mysql://u:secret@h/s",
                          "mysql://u@h", "mysql://u@h:port/s", "mysql://u@h/s?ssl=1",
                          "mysql://u@h/bad-schema", "mysql://u@h:70000/s"}) {
    auto c = ParseDsn(dsn);
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << dsn;
    EXPECT_EQ(ReasonOf(c.status()), "BAD_DSN") << dsn;
  }
  auto with_password = ParseDsn("mysql://u:secret@h/s");
  EXPECT_EQ(std::string(with_password.status().message()).find("secret"), std::string::npos);
}

TEST(DbConfigTest, ValidateBounds) {
  DbConfig c;
  c.user = "u";
  c.schema = "s";
  EXPECT_TRUE(c.Validate().ok());
  c.pool_size = 0;
  EXPECT_EQ(ReasonOf(c.Validate()), "BAD_DB_CONFIG");
  c.pool_size = 4;
  c.query_timeout = absl::Milliseconds(10);
  EXPECT_EQ(ReasonOf(c.Validate()), "BAD_DB_CONFIG");
}

TEST(ReadPasswordFileTest, DropsTrailingNewlineOnly) {
  std::string path = ::testing::TempDir() + "/pw";
  FILE* f = fopen(path.c_str(), "w");
  fputs(" p@ss word \n", f);
  fclose(f);
  auto pw = ReadPasswordFile(path);
  ASSERT_TRUE(pw.ok());
  EXPECT_EQ(*pw, " p@ss word ");
  EXPECT_EQ(ReadPasswordFile("/nonexistent/pw").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ServerConfigTest, Validate) {
  ServerConfig c;
  c.service = "identify";
  c.listen = "0.0.0.0:50051";
  c.metrics_listen = "0.0.0.0:9101";
  EXPECT_TRUE(c.Validate().ok());
  c.listen = "50051";
  EXPECT_EQ(ReasonOf(c.Validate()), "BAD_SERVER_CONFIG");
  c.listen = "[::]:50051";
  EXPECT_TRUE(c.Validate().ok());
  c.max_threads = 1;
  EXPECT_EQ(ReasonOf(c.Validate()), "BAD_SERVER_CONFIG");
}

}  // namespace
}  // namespace crm
