#include "services/identify/client/identify_client.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/errors.h"
#include "common/grpc_status.h"

namespace crm::identify {
namespace {

// Identify is down, slow or refusing us: the caller may retry.
absl::Status Unavailable(const grpc::Status& status, absl::string_view what) {
  const absl::Status cause = FromGrpcStatus(status);
  return Error(absl::StatusCode::kUnavailable, "IDENTIFY_UNAVAILABLE",
               absl::StrCat("the identify service could not ", what, ": ",
                            ReasonOf(cause).empty() ? status.error_message() : ReasonOf(cause)));
}

}  // namespace

absl::StatusOr<std::string> IdentifyClient::CustomerOf(const v1::Identifier& identifier,
                                                       absl::string_view default_region) {
  v1::LookupCustomerRequest request;
  *request.mutable_identifier() = identifier;
  request.set_default_region(std::string(default_region));
  v1::LookupCustomerResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  const grpc::Status status = stub_->LookupCustomer(&ctx, request, &response);
  if (status.ok()) return response.customer().customer_id();
  switch (status.error_code()) {
    case grpc::StatusCode::NOT_FOUND:
      return Error(absl::StatusCode::kNotFound, "CUSTOMER_NOT_FOUND",
                   "no customer holds this identifier");
    case grpc::StatusCode::INVALID_ARGUMENT:
      return absl::InvalidArgumentError(status.error_message());  // the caller names the field
    default:
      return Unavailable(status, "resolve the customer");
  }
}

absl::Status IdentifyClient::RecordContact(absl::string_view request_id,
                                           const v1::Contact& contact) {
  v1::RecordContactRequest request;
  request.set_request_id(std::string(request_id));
  *request.mutable_contact() = contact;
  v1::RecordContactResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  const grpc::Status status = stub_->RecordContact(&ctx, request, &response);
  if (status.ok()) return absl::OkStatus();
  if (IsTransientGrpcCode(status.error_code())) return Unavailable(status, "record the contact");
  return FromGrpcStatus(status);
}

}  // namespace crm::identify
