// What contract tests check on every call: deadlines, and errors carrying a
// google.rpc.ErrorInfo with the service's domain and a reason.
#ifndef CRM_TESTS_CONTRACT_RPC_EXPECTATIONS_H_
#define CRM_TESTS_CONTRACT_RPC_EXPECTATIONS_H_

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "gtest/gtest.h"

namespace crm::testing {

inline void ExpectError(const grpc::Status& status, grpc::StatusCode code,
                        const std::string& reason, const std::string& domain) {
  EXPECT_EQ(status.error_code(), code) << status.error_message();
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(status.error_details()));
  ASSERT_EQ(rich.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rich.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), reason);
  EXPECT_EQ(info.domain(), domain);
}

// A context with a five-second deadline.
inline std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  return ctx;
}

}  // namespace crm::testing

#endif  // CRM_TESTS_CONTRACT_RPC_EXPECTATIONS_H_
