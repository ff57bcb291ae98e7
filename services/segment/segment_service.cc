#include "services/segment/segment_service.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/text.h"

namespace crm::segment {
namespace {

absl::Status ValidatePolicy(v1::TierPolicy& p) {
  if (!IsValidTierName(p.tier())) {
    return InvalidArgument("policy.tier",
                           "must be 1-32 lower-case letters, digits or '_', starting with a letter");
  }
  if (p.priority() < 0 || p.priority() > 1000) {
    return InvalidArgument("policy.priority", "must be 0-1000");
  }
  if (absl::Status s = CheckText("policy.sla_class", *p.mutable_sla_class(), 1, 64); !s.ok()) {
    return s;
  }
  if (p.contact_channel() == v1::CONTACT_CHANNEL_UNSPECIFIED ||
      !v1::ContactChannel_IsValid(p.contact_channel())) {
    return InvalidArgument("policy.contact_channel", "is required");
  }
  if (p.benefits_size() > 50) return InvalidArgument("policy.benefits", "at most 50");
  for (int i = 0; i < p.benefits_size(); ++i) {
    if (absl::Status s =
            CheckText(absl::StrCat("policy.benefits[", i, "]"), *p.mutable_benefits(i), 1, 200);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidTierName(absl::string_view tier) {
  if (tier.empty() || tier.size() > 32 || !absl::ascii_islower(tier[0])) return false;
  for (char c : tier) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_')) return false;
  }
  return true;
}

absl::StatusOr<v1::SetTierPolicyResponse> SegmentService::SetTierPolicy(
    const v1::SetTierPolicyRequest& request) {
  v1::TierPolicy policy = request.policy();
  if (absl::Status s = ValidatePolicy(policy); !s.ok()) return s;
  ToProtoTimestamp(clock_->Now(), policy.mutable_update_time());
  if (absl::Status s = store_->PutTierPolicy(policy); !s.ok()) return s;
  v1::SetTierPolicyResponse response;
  *response.mutable_policy() = std::move(policy);
  return response;
}

absl::StatusOr<v1::GetTierPolicyResponse> SegmentService::GetTierPolicy(
    const v1::GetTierPolicyRequest& request) {
  if (!IsValidTierName(request.tier())) {
    return InvalidArgument("tier", "is not a valid tier name");
  }
  auto policy = store_->GetTierPolicy(request.tier());
  if (!policy.ok()) return policy.status();
  v1::GetTierPolicyResponse response;
  *response.mutable_policy() = *std::move(policy);
  return response;
}

}  // namespace crm::segment
