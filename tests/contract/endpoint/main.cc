// crm-contract: the endpoint contract suite (see suite_under_test.h for how
// to point it at a deployed suite). A full run fails unless every RPC of
// every service answered OK at least once.
#include <iostream>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/contract/endpoint/rpc_coverage.h"
#include "tests/contract/endpoint/suite_under_test.h"

namespace {

class SuiteEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { crm::contract::SuiteUnderTest::Get().SetUp(); }
  void TearDown() override {
    std::cout << "RPC coverage (status codes seen per method):\n"
              << crm::contract::CoverageReport();
    const bool full_run = ::testing::GTEST_FLAG(filter) == "*";
    const std::vector<std::string> missing = crm::contract::MethodsNeverOk();
    if (full_run) {
      EXPECT_TRUE(missing.empty())
          << "never answered OK in this run:\n  " << absl::StrJoin(missing, "\n  ");
    }
    crm::contract::SuiteUnderTest::Get().TearDown();
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new SuiteEnvironment);
  return RUN_ALL_TESTS();
}
