#include "common/errors.h"

#include "common/grpc_status.h"
#include "common/mysql_errors.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace crm {
namespace {

google::rpc::ErrorInfo InfoOf(const grpc::Status& status) {
  google::rpc::Status rich;
  EXPECT_TRUE(rich.ParseFromString(status.error_details()));
  EXPECT_EQ(rich.details_size(), 1);
  google::rpc::ErrorInfo info;
  EXPECT_TRUE(rich.details(0).UnpackTo(&info));
  EXPECT_EQ(rich.code(), status.error_code());
  return info;
}

TEST(ErrorsTest, ReasonAndMetadataTravelWithTheStatus) {
  absl::Status s = Error(absl::StatusCode::kNotFound, "CUSTOMER_NOT_FOUND", "no such customer",
                         {{"customer_id", "X"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no such customer");
  EXPECT_EQ(ReasonOf(s), "CUSTOMER_NOT_FOUND");
  EXPECT_EQ(MetadataOf(s).at("customer_id"), "X");
  EXPECT_EQ(ReasonOf(absl::NotFoundError("plain")), "");
}

TEST(ErrorsTest, InvalidArgumentNamesTheField) {
  absl::Status s = InvalidArgument("customer.kind", "is required");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "customer.kind: is required");
  EXPECT_EQ(ReasonOf(s), "INVALID_FIELD");
  EXPECT_EQ(MetadataOf(s).at("field"), "customer.kind");
}

TEST(GrpcStatusTest, KeepsCodeMessageReasonAndSetsDomain) {
  grpc::Status g = ToGrpcStatus(
      Error(absl::StatusCode::kFailedPrecondition, "IDEMPOTENCY_KEY_REUSED", "reused",
            {{"request_id", "r1"}}),
      "identify.crm");
  EXPECT_EQ(g.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(g.error_message(), "reused");
  google::rpc::ErrorInfo info = InfoOf(g);
  EXPECT_EQ(info.reason(), "IDEMPOTENCY_KEY_REUSED");
  EXPECT_EQ(info.domain(), "identify.crm");
  EXPECT_EQ(info.metadata().at("request_id"), "r1");
}

TEST(GrpcStatusTest, InternalErrorsAreGenericForTheClient) {
  grpc::Status g = ToGrpcStatus(
      Error(absl::StatusCode::kInternal, "DB_ERROR", "mysql error 1146: Table 'x' doesn't exist"),
      "loyalty.crm");
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(g.error_message(), "internal error");
  EXPECT_EQ(InfoOf(g).reason(), "INTERNAL");
  EXPECT_EQ(ToGrpcStatus(absl::UnknownError("boom"), "x").error_code(), grpc::StatusCode::INTERNAL);
}

TEST(GrpcStatusTest, DatabaseTextNeverReachesTheClient) {
  grpc::Status g = ToGrpcStatus(
      StatusFromMysqlError(1062, "Duplicate entry 'li.lei@example.com' for key 'email'"), "x");
  EXPECT_EQ(g.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(g.error_message(), "database error (DB_DUPLICATE_KEY)");
  EXPECT_EQ(InfoOf(g).reason(), "DB_DUPLICATE_KEY");
}

TEST(GrpcStatusTest, StatusWithoutReasonGetsTheCodeName) {
  grpc::Status g = ToGrpcStatus(absl::UnavailableError("down"), "segment.crm");
  EXPECT_EQ(g.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(InfoOf(g).reason(), "UNAVAILABLE");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus(), "x").ok());
}

TEST(GrpcStatusTest, FromGrpcStatusIsTheInverse) {
  absl::Status original = Error(absl::StatusCode::kAlreadyExists, "DUP", "exists", {{"k", "v"}});
  absl::Status back = FromGrpcStatus(ToGrpcStatus(original, "d"));
  EXPECT_EQ(back.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(back.message(), "exists");
  EXPECT_EQ(ReasonOf(back), "DUP");
  EXPECT_EQ(MetadataOf(back).at("k"), "v");
}

struct MysqlCase {
  int code;
  absl::StatusCode status;
  const char* reason;
};

TEST(MysqlErrorsTest, MapsEachErrorFamily) {
  const MysqlCase cases[] = {
      {1062, absl::StatusCode::kAlreadyExists, "DB_DUPLICATE_KEY"},
      {1213, absl::StatusCode::kAborted, "DB_DEADLOCK"},
      {1205, absl::StatusCode::kAborted, "DB_LOCK_WAIT_TIMEOUT"},
      {1452, absl::StatusCode::kFailedPrecondition, "DB_FOREIGN_KEY"},
      {1451, absl::StatusCode::kFailedPrecondition, "DB_FOREIGN_KEY"},
      {1969, absl::StatusCode::kDeadlineExceeded, "DB_STATEMENT_TIMEOUT"},
      {3024, absl::StatusCode::kDeadlineExceeded, "DB_STATEMENT_TIMEOUT"},
      {2006, absl::StatusCode::kUnavailable, "DB_UNAVAILABLE"},
      {2013, absl::StatusCode::kUnavailable, "DB_UNAVAILABLE"},
      {2002, absl::StatusCode::kUnavailable, "DB_UNAVAILABLE"},
      {1040, absl::StatusCode::kUnavailable, "DB_UNAVAILABLE"},
      {1146, absl::StatusCode::kInternal, "DB_ERROR"},
  };
  for (const MysqlCase& c : cases) {
    absl::Status s = StatusFromMysqlError(c.code, "text");
    EXPECT_EQ(s.code(), c.status) << c.code;
    EXPECT_EQ(ReasonOf(s), c.reason) << c.code;
  }
  EXPECT_TRUE(IsRetryableTransactionError(StatusFromMysqlError(1213, "")));
  EXPECT_TRUE(IsRetryableTransactionError(StatusFromMysqlError(1205, "")));
  EXPECT_FALSE(IsRetryableTransactionError(StatusFromMysqlError(1062, "")));
  EXPECT_FALSE(IsRetryableTransactionError(absl::AbortedError("etag mismatch")));
  EXPECT_TRUE(IsConnectionLost(2013));
  EXPECT_FALSE(IsConnectionLost(1062));
}

}  // namespace
}  // namespace crm
