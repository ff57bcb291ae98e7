#ifndef CRM_SERVICES_SEGMENT_SEGMENT_STORE_H_
#define CRM_SERVICES_SEGMENT_SEGMENT_STORE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crm/segment/v1/segment.pb.h"

namespace crm::segment {

// Persistence of the segment service.
class SegmentStore {
 public:
  virtual ~SegmentStore() = default;

  // Creates or replaces the policy of policy.tier(), benefits included.
  virtual absl::Status PutTierPolicy(const v1::TierPolicy& policy) = 0;
  // NOT_FOUND / TIER_POLICY_NOT_FOUND when none is set.
  virtual absl::StatusOr<v1::TierPolicy> GetTierPolicy(absl::string_view tier) = 0;
  // Sets the customer's tier and records the change (none when unchanged).
  virtual absl::StatusOr<v1::CustomerTier> AssignTier(const v1::CustomerTier& tier) = 0;
  // NOT_FOUND / TIER_NOT_ASSIGNED when the customer has no tier.
  virtual absl::StatusOr<v1::CustomerTier> GetTier(absl::string_view customer_id) = 0;
};

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_SEGMENT_STORE_H_
