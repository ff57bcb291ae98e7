#include "common/errors.h"
#include "common/migrator.h"
#include "common/sql_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace crm {
namespace {

using ::testing::ElementsAre;

TEST(SplitSqlStatementsTest, SplitsOutsideQuotesAndDropsComments) {
  auto stmts = SplitSqlStatements(
      "-- leading comment; with a semicolon\n"
      "CREATE TABLE a (x VARCHAR(10) DEFAULT 'a;b' COMMENT \"c;d\");\n"
      "/* block; comment */ INSERT INTO a VALUES ('it''s; fine');\n"
      "# hash comment;\n"
      "INSERT INTO a VALUES ('back\\'slash;');;\n"
      "SELECT `we;ird`  ");
  EXPECT_THAT(stmts, ElementsAre("CREATE TABLE a (x VARCHAR(10) DEFAULT 'a;b' COMMENT \"c;d\")",
                                 "INSERT INTO a VALUES ('it''s; fine')",
                                 "INSERT INTO a VALUES ('back\\'slash;')", "SELECT `we;ird`"));
}

TEST(ParseMigrationsTest, OrdersByVersionAndChecksums) {
  auto m = ParseMigrations({{"V0002__more.sql", "B"}, {"V0001__init.sql", "A"}});
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].version, 1);
  EXPECT_EQ((*m)[1].file_name, "V0002__more.sql");
  EXPECT_EQ((*m)[0].checksum, Sha256Hex("A"));
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ParseMigrationsTest, RefusesBadNamesGapsAndDuplicates) {
  for (const auto& files : std::vector<std::vector<MigrationFile>>{
           {{"init.sql", ""}},
           {{"V1_init.sql", ""}},
           {{"V0001__init.txt", ""}},
           {{"V0001__a.sql", ""}, {"V0003__c.sql", ""}},
           {{"V0001__a.sql", ""}, {"V1__b.sql", ""}},
           {{"V0002__only.sql", ""}}}) {
    auto m = ParseMigrations(files);
    EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition) << files[0].file_name;
    EXPECT_EQ(ReasonOf(m.status()), "BAD_MIGRATION_FILE");
  }
}

}  // namespace
}  // namespace crm
