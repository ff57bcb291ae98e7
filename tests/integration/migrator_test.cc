#include "common/migrator.h"

#include <thread>

#include "common/errors.h"
#include "gtest/gtest.h"
#include "tests/support/test_database.h"

namespace crm {
namespace {

using testing::TestDatabase;

const std::vector<MigrationFile> kFiles = {
    {"V0001__init.sql", "CREATE TABLE a (id INT PRIMARY KEY); -- first\n"},
    {"V0002__more.sql", "CREATE TABLE b (id INT PRIMARY KEY);\nINSERT INTO b VALUES (1);"},
};

TEST(MigratorTest, AppliesPendingFilesOnceInOrder) {
  TestDatabase db;
  MysqlPool pool(db.RootConfig());
  Migrator migrator(&pool, kFiles);
  EXPECT_EQ(ReasonOf(migrator.Verify()), "MIGRATIONS_PENDING");
  auto applied = migrator.Run();
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, 2);
  EXPECT_EQ(*migrator.Run(), 0);
  EXPECT_TRUE(migrator.Verify().ok());
  EXPECT_EQ(db.Query("SELECT COUNT(*) FROM b"), "1");
  EXPECT_EQ(db.Query("SELECT GROUP_CONCAT(file_name ORDER BY version) FROM schema_migrations "
                     "WHERE state = 'applied'"),
            "V0001__init.sql,V0002__more.sql");
}

TEST(MigratorTest, AppliesOnlyTheNewFileLater) {
  TestDatabase db;
  MysqlPool pool(db.RootConfig());
  ASSERT_EQ(*Migrator(&pool, {kFiles[0]}).Run(), 1);
  EXPECT_EQ(ReasonOf(Migrator(&pool, kFiles).Verify()), "MIGRATIONS_PENDING");
  EXPECT_EQ(*Migrator(&pool, kFiles).Run(), 1);
  // An older binary accepts a newer schema (rolling update).
  EXPECT_TRUE(Migrator(&pool, {kFiles[0]}).Verify().ok());
}

TEST(MigratorTest, RefusesAFileChangedAfterItWasApplied) {
  TestDatabase db;
  MysqlPool pool(db.RootConfig());
  ASSERT_TRUE(Migrator(&pool, kFiles).Run().ok());
  std::vector<MigrationFile> edited = kFiles;
  edited[0].sql = "CREATE TABLE a (id BIGINT PRIMARY KEY);";
  Migrator migrator(&pool, edited);
  auto run = migrator.Run();
  EXPECT_EQ(run.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(run.status()), "MIGRATION_CHECKSUM_MISMATCH");
  EXPECT_EQ(ReasonOf(migrator.Verify()), "MIGRATION_CHECKSUM_MISMATCH");
}

TEST(MigratorTest, AFileThatFailsHalfwayBlocksLaterRuns) {
  TestDatabase db;
  MysqlPool pool(db.RootConfig());
  std::vector<MigrationFile> broken = {
      {"V0001__half.sql", "CREATE TABLE ok (id INT); CREATE TABLE ok (id INT);"}};
  auto first = Migrator(&pool, broken).Run();
  EXPECT_EQ(first.status().code(), absl::StatusCode::kInternal);
  auto second = Migrator(&pool, broken).Run();
  EXPECT_EQ(ReasonOf(second.status()), "MIGRATION_INCOMPLETE");
}

TEST(MigratorTest, ConcurrentReplicasApplyEachFileOnce) {
  TestDatabase db;
  std::atomic<int> total{0};
  std::vector<std::thread> replicas;
  for (int i = 0; i < 4; ++i) {
    replicas.emplace_back([&] {
      MysqlPool pool(db.RootConfig());
      auto applied = Migrator(&pool, kFiles).Run();
      ASSERT_TRUE(applied.ok()) << applied.status();
      total += *applied;
    });
  }
  for (auto& t : replicas) t.join();
  EXPECT_EQ(total.load(), 2);
  EXPECT_EQ(db.Query("SELECT COUNT(*) FROM b"), "1");
}

TEST(MigratorTest, TheRuntimeUserCannotChangeTheSchemaButCanVerify) {
  TestDatabase db;
  MysqlPool app(db.AppConfig());
  auto run = Migrator(&app, kFiles).Run();
  EXPECT_EQ(run.status().code(), absl::StatusCode::kInternal);  // 1142: CREATE denied
  MysqlPool root(db.RootConfig());
  ASSERT_TRUE(Migrator(&root, kFiles).Run().ok());
  EXPECT_TRUE(Migrator(&app, kFiles).Verify().ok());
}

}  // namespace
}  // namespace crm
