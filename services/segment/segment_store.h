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
};

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_SEGMENT_STORE_H_
