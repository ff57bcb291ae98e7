#include "services/complaints/peers.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/errors.h"
#include "common/grpc_status.h"

namespace crm::complaints {
namespace {

absl::Status Mapped(const grpc::Status& status, absl::string_view peer) {
  if (!IsTransientGrpcCode(status.error_code())) return FromGrpcStatus(status);
  return Error(absl::StatusCode::kUnavailable, absl::StrCat(peer, "_UNAVAILABLE"),
               absl::StrCat("the ", absl::AsciiStrToLower(peer),
                            " service could not be reached: ", status.error_message()));
}

}  // namespace

absl::StatusOr<CustomerTier> SegmentTiers::TierOf(absl::string_view customer_id) {
  segment::v1::GetCustomerTierRequest request;
  request.set_customer_id(std::string(customer_id));
  segment::v1::GetCustomerTierResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  const grpc::Status status = stub_->GetCustomerTier(&ctx, request, &response);
  if (!status.ok()) return Mapped(status, "SEGMENT");
  return CustomerTier{response.tier().tier(), response.policy().sla_class()};
}

absl::StatusOr<std::string> LoyaltyPoints::Grant(absl::string_view request_id,
                                                 absl::string_view member_id, int64_t points,
                                                 absl::string_view reason,
                                                 absl::string_view reference) {
  loyalty::v1::AdjustPointsRequest request;
  request.set_request_id(std::string(request_id));
  request.set_member_id(std::string(member_id));
  request.set_points(points);
  request.set_reason(std::string(reason));
  request.set_reference(std::string(reference));
  loyalty::v1::AdjustPointsResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  const grpc::Status status = stub_->AdjustPoints(&ctx, request, &response);
  if (!status.ok()) return Mapped(status, "LOYALTY");
  return absl::StrCat(response.entry().entry_id());
}

}  // namespace crm::complaints
