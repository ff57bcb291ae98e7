// identify_linkage against a running identify service: the FEBRL 1 set is
// imported, the model estimated, duplicates merged, and every record lands
// on its surviving customer.
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/contract/service_process.h"
#include "tests/support/subprocess.h"

namespace crm {
namespace {

using testing::ServiceProcess;

TEST(LinkageToolTest, Febrl1ReachesTheQualityTarget) {
  ServiceProcess identify("identify");
  ASSERT_TRUE(testing::WaitForHealth(identify.channel().get(), "SERVING", absl::Seconds(20)))
      << identify.process().Log();
  const std::string output = absl::StrCat(::testing::TempDir(), "/linkage-out.csv");
  testing::Subprocess tool(
      {testing::BuildPath("tools/identify_linkage"), absl::StrCat("--target=", identify.address()),
       absl::StrCat("--input=", CRM_SOURCE_DIR, "/tests/data/febrl/febrl1.csv"),
       absl::StrCat("--output=", output), "--concurrency=4"},
      absl::StrCat(::testing::TempDir(), "/linkage.log"));
  ASSERT_EQ(tool.Wait(absl::Seconds(120)), 0) << tool.Log() << identify.process().Log();

  const std::string log = tool.Log();
  const size_t at = log.find("F1 ");
  ASSERT_NE(at, std::string::npos) << log;
  double f1 = 0;
  ASSERT_TRUE(absl::SimpleAtod(log.substr(at + 3, 6), &f1)) << log;
  EXPECT_GE(f1, 0.99) << log;

  std::ifstream in(output);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "rec_id,customer_id");
  std::map<std::string, std::set<std::string>> customers_of_person;
  int rows = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> parts = absl::StrSplit(line, ',');
    ASSERT_EQ(parts.size(), 2u) << line;
    EXPECT_EQ(parts[1].size(), 26u) << line;
    std::vector<std::string> rec = absl::StrSplit(parts[0], '-');
    customers_of_person[rec[1]].insert(parts[1]);
    ++rows;
  }
  EXPECT_EQ(rows, 1000);
  EXPECT_EQ(customers_of_person.size(), 500u);
}

}  // namespace
}  // namespace crm
