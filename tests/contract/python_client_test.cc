// A client in another language, generated from the same protos by Debian's
// protoc and grpc_python_plugin (build/python), runs a smoke scenario across
// the four services: tests/python/smoke.py.
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/contract/four_services.h"
#include "tests/contract/secured_suite.h"

namespace crm {
namespace {

// Against the suite secured as `./crm up` runs it: the Python client presents
// the suite's client certificate and an admin's token.
TEST(PythonClientTest, SmokeScenarioAcrossTheSecuredFourServices) {
  testing::SecuredSuite services;
  std::vector<std::string> argv = testing::CleanClientEnv();
  for (const std::string& setting : services.ClientEnv("admin")) argv.push_back(setting);
  argv.insert(argv.end(),
              {absl::StrCat("PYTHONPATH=", CRM_BUILD_DIR, "/python"), "/usr/bin/python3",
               absl::StrCat(CRM_SOURCE_DIR, "/tests/python/smoke.py"),
               "--identify=" + services.identify(), "--loyalty=" + services.loyalty(),
               "--complaints=" + services.complaints(), "--segment=" + services.segment()});
  testing::Subprocess smoke(argv, absl::StrCat(::testing::TempDir(), "/python-smoke.log"));
  EXPECT_EQ(smoke.Wait(absl::Seconds(60)), 0) << smoke.Log();
  EXPECT_NE(smoke.Log().find("smoke: ok"), std::string::npos) << smoke.Log();
}

}  // namespace
}  // namespace crm
