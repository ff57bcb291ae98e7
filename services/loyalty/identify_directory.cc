#include "services/loyalty/identify_directory.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/errors.h"
#include "common/grpc_status.h"

namespace crm::loyalty {

absl::StatusOr<std::string> IdentifyDirectory::CustomerOf(
    const identify::v1::Identifier& identifier, absl::string_view default_region) {
  identify::v1::LookupCustomerRequest request;
  *request.mutable_identifier() = identifier;
  request.set_default_region(std::string(default_region));
  identify::v1::LookupCustomerResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  const grpc::Status status = stub_->LookupCustomer(&ctx, request, &response);
  if (status.ok()) return response.customer().customer_id();
  const absl::Status cause = FromGrpcStatus(status);
  switch (status.error_code()) {
    case grpc::StatusCode::NOT_FOUND:
      return Error(absl::StatusCode::kNotFound, "CUSTOMER_NOT_FOUND",
                   "no customer holds this identifier");
    case grpc::StatusCode::INVALID_ARGUMENT:
      return absl::InvalidArgumentError(status.error_message());  // the caller names the field
    default:
      // Identify is down, slow or refusing us: the caller may retry.
      return Error(absl::StatusCode::kUnavailable, "IDENTIFY_UNAVAILABLE",
                   absl::StrCat("the identify service could not resolve the customer: ",
                                ReasonOf(cause).empty() ? status.error_message() : ReasonOf(cause)));
  }
}

}  // namespace crm::loyalty
