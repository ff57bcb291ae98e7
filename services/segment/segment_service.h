#ifndef CRM_SERVICES_SEGMENT_SEGMENT_SERVICE_H_
#define CRM_SERVICES_SEGMENT_SEGMENT_SERVICE_H_

#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "crm/segment/v1/segment.pb.h"
#include "services/segment/mysql_value_store.h"
#include "services/segment/recompute.h"
#include "services/segment/segment_store.h"

namespace crm::segment {

// The domain rules of segmentation and tiering, free of any transport.
class SegmentService {
 public:
  SegmentService(SegmentStore* store, const Clock* clock, MysqlValueStore* values = nullptr,
                 Recomputer* recomputer = nullptr)
      : store_(store), clock_(clock), values_(values), recomputer_(recomputer) {}

  absl::StatusOr<v1::SetTierPolicyResponse> SetTierPolicy(const v1::SetTierPolicyRequest& request);
  absl::StatusOr<v1::GetTierPolicyResponse> GetTierPolicy(const v1::GetTierPolicyRequest& request);
  absl::StatusOr<v1::AssignCustomerTierResponse> AssignCustomerTier(
      const v1::AssignCustomerTierRequest& request);
  absl::StatusOr<v1::GetCustomerTierResponse> GetCustomerTier(
      const v1::GetCustomerTierRequest& request);
  absl::StatusOr<v1::StartRecomputeResponse> StartRecompute(
      const v1::StartRecomputeRequest& request);
  absl::StatusOr<v1::GetRecomputeJobResponse> GetRecomputeJob(
      const v1::GetRecomputeJobRequest& request);
  absl::StatusOr<v1::GetCustomerValueResponse> GetCustomerValue(
      const v1::GetCustomerValueRequest& request);

 private:
  // Tier policies change rarely and every tier lookup needs one: they are
  // cached for a few seconds (a change on another replica shows within that).
  absl::StatusOr<std::optional<v1::TierPolicy>> PolicyOf(const std::string& tier);

  SegmentStore* store_;
  const Clock* clock_;
  MysqlValueStore* values_;
  Recomputer* recomputer_;
  absl::Mutex mu_;
  struct CachedPolicy {
    std::optional<v1::TierPolicy> policy;
    absl::Time loaded;
  };
  absl::flat_hash_map<std::string, CachedPolicy> policies_ ABSL_GUARDED_BY(mu_);
};

// Tier names: a lower-case letter, then up to 31 lower-case letters, digits
// or '_'.
bool IsValidTierName(absl::string_view tier);

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_SEGMENT_SERVICE_H_
