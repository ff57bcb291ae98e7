#include "services/segment/segment_service.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
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

bool IsValidTierName(absl::string_view tier) { return IsCodeName(tier, 32); }

absl::StatusOr<v1::SetTierPolicyResponse> SegmentService::SetTierPolicy(
    const v1::SetTierPolicyRequest& request) {
  v1::TierPolicy policy = request.policy();
  if (absl::Status s = ValidatePolicy(policy); !s.ok()) return s;
  ToProtoTimestamp(clock_->Now(), policy.mutable_update_time());
  if (absl::Status s = store_->PutTierPolicy(policy); !s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    policies_.erase(policy.tier());
  }
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

absl::StatusOr<v1::AssignCustomerTierResponse> SegmentService::AssignCustomerTier(
    const v1::AssignCustomerTierRequest& request) {
  v1::CustomerTier tier = request.tier();
  if (!IsValidId(tier.customer_id())) {
    return InvalidArgument("tier.customer_id", "must be a 26-character customer id");
  }
  if (!IsValidTierName(tier.tier())) {
    return InvalidArgument("tier.tier", "is not a valid tier name");
  }
  if (absl::Status s = CheckText("tier.reason", *tier.mutable_reason(), 1, 500); !s.ok()) {
    return s;
  }
  ToProtoTimestamp(clock_->Now(), tier.mutable_since());
  auto stored = store_->AssignTier(tier);
  if (!stored.ok()) return stored.status();
  v1::AssignCustomerTierResponse response;
  *response.mutable_tier() = *std::move(stored);
  return response;
}

absl::StatusOr<v1::GetCustomerTierResponse> SegmentService::GetCustomerTier(
    const v1::GetCustomerTierRequest& request) {
  if (!IsValidId(request.customer_id())) {
    return InvalidArgument("customer_id", "must be a 26-character customer id");
  }
  auto tier = store_->GetTier(request.customer_id());
  if (!tier.ok()) return tier.status();
  v1::GetCustomerTierResponse response;
  auto policy = PolicyOf(tier->tier());
  if (!policy.ok()) return policy.status();
  if (policy->has_value()) *response.mutable_policy() = **policy;
  *response.mutable_tier() = *std::move(tier);
  return response;
}

absl::StatusOr<std::optional<v1::TierPolicy>> SegmentService::PolicyOf(const std::string& tier) {
  constexpr absl::Duration kTtl = absl::Seconds(5);
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock lock(&mu_);
    auto it = policies_.find(tier);
    if (it != policies_.end() && now - it->second.loaded < kTtl) return it->second.policy;
  }
  std::optional<v1::TierPolicy> policy;
  auto stored = store_->GetTierPolicy(tier);
  if (stored.ok()) {
    policy = *std::move(stored);
  } else if (!absl::IsNotFound(stored.status())) {
    return stored.status();
  }
  absl::MutexLock lock(&mu_);
  policies_[tier] = {policy, now};
  return policy;
}

absl::StatusOr<v1::StartRecomputeResponse> SegmentService::StartRecompute(
    const v1::StartRecomputeRequest& request) {
  if (recomputer_ == nullptr) return absl::UnimplementedError("recompute is not configured");
  absl::CivilDay as_of = absl::ToCivilDay(clock_->Now(), absl::UTCTimeZone());
  if (request.has_as_of()) {
    const auto& d = request.as_of();
    as_of = absl::CivilDay(d.year(), d.month(), d.day());
    if (as_of.year() != d.year() || as_of.month() != d.month() || as_of.day() != d.day() ||
        d.year() < 1970) {
      return InvalidArgument("as_of", "is not a date");
    }
  }
  auto job = recomputer_->Start(as_of);
  if (!job.ok()) return job.status();
  v1::StartRecomputeResponse response;
  *response.mutable_job() = *std::move(job);
  return response;
}

absl::StatusOr<v1::GetRecomputeJobResponse> SegmentService::GetRecomputeJob(
    const v1::GetRecomputeJobRequest& request) {
  if (values_ == nullptr) return absl::UnimplementedError("recompute is not configured");
  if (!IsValidId(request.job_id())) {
    return InvalidArgument("job_id", "must be a 26-character job id");
  }
  auto job = values_->GetJob(request.job_id());
  if (!job.ok()) return job.status();
  v1::GetRecomputeJobResponse response;
  *response.mutable_job() = *std::move(job);
  return response;
}

absl::StatusOr<v1::GetCustomerValueResponse> SegmentService::GetCustomerValue(
    const v1::GetCustomerValueRequest& request) {
  if (values_ == nullptr) return absl::UnimplementedError("values are not configured");
  if (!IsValidId(request.customer_id())) {
    return InvalidArgument("customer_id", "must be a 26-character customer id");
  }
  auto value = values_->GetValue(request.customer_id());
  if (!value.ok()) return value.status();
  if (segments_ != nullptr) {
    auto segments = segments_->OfCustomer(request.customer_id());
    if (!segments.ok()) return segments.status();
    for (const v1::CustomerSegment& s : *segments) value->add_segments(s.name());
  }
  if (warnings_ != nullptr) {
    WarningFilter open;
    open.customer_id = request.customer_id();
    open.open_only = true;
    auto warnings = warnings_->List(open, "", 100);
    if (!warnings.ok()) return warnings.status();
    for (v1::Warning& w : *warnings) *value->add_open_warnings() = std::move(w);
  }
  v1::GetCustomerValueResponse response;
  *response.mutable_value() = *std::move(value);
  return response;
}

}  // namespace crm::segment
