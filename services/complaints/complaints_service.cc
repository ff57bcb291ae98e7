#include "services/complaints/complaints_service.h"

#include "common/errors.h"
#include "common/sql_util.h"
#include "common/text.h"

namespace crm::complaints {
namespace {

absl::Status ValidateNewComplaint(v1::Complaint& c) {
  if (!c.customer_id().empty() && !IsValidId(c.customer_id())) {
    return InvalidArgument("complaint.customer_id", "must be empty or a 26-character customer id");
  }
  if (c.channel() == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(c.channel())) {
    return InvalidArgument("complaint.channel", "is required");
  }
  if (absl::Status s = CheckText("complaint.subject", *c.mutable_subject(), 1, 200); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText("complaint.description", *c.mutable_description(), 1, 10000);
      !s.ok()) {
    return s;
  }
  return CheckText("complaint.desired_outcome", *c.mutable_desired_outcome(), 0, 2000);
}

}  // namespace

absl::StatusOr<v1::FileComplaintResponse> ComplaintsService::FileComplaint(
    const v1::FileComplaintRequest& request) {
  auto key = MakeRequestKey("FileComplaint", request.request_id(), request);
  if (!key.ok()) return key.status();
  v1::Complaint complaint = request.complaint();
  if (absl::Status s = ValidateNewComplaint(complaint); !s.ok()) return s;
  const absl::Time now = clock_->Now();
  complaint.set_complaint_id(ids_->Next());
  complaint.set_status(v1::COMPLAINT_STATUS_RECEIVED);
  ToProtoTimestamp(now, complaint.mutable_create_time());
  ToProtoTimestamp(now, complaint.mutable_update_time());
  auto filed = store_->FileComplaint(*key, complaint);
  if (!filed.ok()) return filed.status();
  v1::FileComplaintResponse response;
  *response.mutable_complaint() = *std::move(filed);
  return response;
}

absl::StatusOr<v1::GetComplaintResponse> ComplaintsService::GetComplaint(
    const v1::GetComplaintRequest& request) {
  if (!IsValidId(request.complaint_id())) {
    return InvalidArgument("complaint_id", "must be a 26-character complaint id");
  }
  auto complaint = store_->GetComplaint(request.complaint_id());
  if (!complaint.ok()) return complaint.status();
  v1::GetComplaintResponse response;
  *response.mutable_complaint() = *std::move(complaint);
  return response;
}

}  // namespace crm::complaints
