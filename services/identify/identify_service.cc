#include "services/identify/identify_service.h"

#include "common/errors.h"
#include "common/sql_util.h"
#include "common/text.h"

namespace crm::identify {
namespace {

absl::Status ValidateNewCustomer(v1::Customer& c) {
  if (c.kind() == v1::CUSTOMER_KIND_UNSPECIFIED || !v1::CustomerKind_IsValid(c.kind())) {
    return InvalidArgument("customer.kind", "must be PERSON or ORGANIZATION");
  }
  if (c.category() == v1::CUSTOMER_CATEGORY_UNSPECIFIED ||
      !v1::CustomerCategory_IsValid(c.category())) {
    return InvalidArgument("customer.category",
                           "must be CONSUMER, INTERMEDIARY or PUBLIC_INTEREST");
  }
  if (!v1::LifecycleStatus_IsValid(c.lifecycle_status())) {
    return InvalidArgument("customer.lifecycle_status", "is not a known status");
  }
  return CheckText("customer.display_name", *c.mutable_display_name(), 1, 200);
}

}  // namespace

absl::StatusOr<v1::CreateCustomerResponse> IdentifyService::CreateCustomer(
    const v1::CreateCustomerRequest& request) {
  auto key = MakeRequestKey("CreateCustomer", request.request_id(), request);
  if (!key.ok()) return key.status();
  v1::Customer customer = request.customer();
  if (absl::Status s = ValidateNewCustomer(customer); !s.ok()) return s;
  const absl::Time now = clock_->Now();
  customer.set_customer_id(ids_->Next());
  if (customer.lifecycle_status() == v1::LIFECYCLE_STATUS_UNSPECIFIED) {
    customer.set_lifecycle_status(v1::LIFECYCLE_STATUS_POTENTIAL);
  }
  ToProtoTimestamp(now, customer.mutable_create_time());
  ToProtoTimestamp(now, customer.mutable_update_time());
  customer.set_etag("1");
  auto created = store_->CreateCustomer(*key, customer);
  if (!created.ok()) return created.status();
  v1::CreateCustomerResponse response;
  *response.mutable_customer() = *std::move(created);
  return response;
}

absl::StatusOr<v1::GetCustomerResponse> IdentifyService::GetCustomer(
    const v1::GetCustomerRequest& request) {
  if (!IsValidId(request.customer_id())) {
    return InvalidArgument("customer_id", "must be a 26-character customer id");
  }
  auto customer = store_->GetCustomer(request.customer_id());
  if (!customer.ok()) return customer.status();
  v1::GetCustomerResponse response;
  *response.mutable_customer() = *std::move(customer);
  return response;
}

}  // namespace crm::identify
