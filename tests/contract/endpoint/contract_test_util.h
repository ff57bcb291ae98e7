// Shorthands for the endpoint contract tests.
#ifndef CRM_TESTS_CONTRACT_ENDPOINT_CONTRACT_TEST_UTIL_H_
#define CRM_TESTS_CONTRACT_ENDPOINT_CONTRACT_TEST_UTIL_H_

#include <functional>
#include <map>
#include <string>

#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "tests/contract/endpoint/suite_under_test.h"
#include "tests/contract/rpc_expectations.h"

namespace crm::contract {

inline SuiteUnderTest& Suite() { return SuiteUnderTest::Get(); }

inline std::unique_ptr<grpc::ClientContext> As(Caller caller = Caller::kAdmin) {
  return Suite().Context(caller);
}

// The error's code, reason and domain ("identify.crm", "loyalty.crm", ...).
using testing::ExpectError;

// The metadata of a failed call's ErrorInfo ({} when it carries none).
inline std::map<std::string, std::string> ErrorMetadata(const grpc::Status& status) {
  google::rpc::Status rich;
  google::rpc::ErrorInfo info;
  if (!rich.ParseFromString(status.error_details()) || rich.details_size() != 1 ||
      !rich.details(0).UnpackTo(&info)) {
    return {};
  }
  return {info.metadata().begin(), info.metadata().end()};
}

// Polls `done` every 100 ms until it holds or `timeout` passes.
inline bool Eventually(const std::function<bool()>& done,
                       absl::Duration timeout = absl::Seconds(15)) {
  const absl::Time give_up = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return true;
}

}  // namespace crm::contract

#endif  // CRM_TESTS_CONTRACT_ENDPOINT_CONTRACT_TEST_UTIL_H_
