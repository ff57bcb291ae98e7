#ifndef CRM_SERVICES_SEGMENT_SEGMENT_SERVICE_H_
#define CRM_SERVICES_SEGMENT_SEGMENT_SERVICE_H_

#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/ids.h"
#include "crm/segment/v1/segment.pb.h"
#include "services/segment/mysql_segments_store.h"
#include "services/segment/mysql_value_store.h"
#include "services/segment/mysql_warnings_store.h"
#include "services/segment/recompute.h"
#include "services/segment/segment_store.h"

namespace crm::segment {

// What SegmentService needs beyond tier policies; a part left null makes
// its RPCs UNIMPLEMENTED.
struct SegmentParts {
  MysqlValueStore* values = nullptr;
  Recomputer* recomputer = nullptr;
  MysqlSegmentsStore* segments = nullptr;
  MysqlWarningsStore* warnings = nullptr;
  IdGenerator* ids = nullptr;  // for segments
};

// The domain rules of segmentation and tiering, free of any transport.
class SegmentService {
 public:
  SegmentService(SegmentStore* store, const Clock* clock, SegmentParts parts = {})
      : store_(store),
        clock_(clock),
        values_(parts.values),
        recomputer_(parts.recomputer),
        segments_(parts.segments),
        warnings_(parts.warnings),
        ids_(parts.ids) {}

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
  absl::StatusOr<v1::CreateSegmentResponse> CreateSegment(const v1::CreateSegmentRequest& request);
  absl::StatusOr<v1::GetSegmentResponse> GetSegment(const v1::GetSegmentRequest& request);
  absl::StatusOr<v1::ListSegmentsResponse> ListSegments(const v1::ListSegmentsRequest& request);
  absl::StatusOr<v1::ListSegmentMembersResponse> ListSegmentMembers(
      const v1::ListSegmentMembersRequest& request);
  absl::StatusOr<v1::GetCustomerSegmentsResponse> GetCustomerSegments(
      const v1::GetCustomerSegmentsRequest& request);
  absl::StatusOr<v1::SetCreditLimitResponse> SetCreditLimit(
      const v1::SetCreditLimitRequest& request);
  absl::StatusOr<v1::RecordReceivablesResponse> RecordReceivables(
      const v1::RecordReceivablesRequest& request);
  absl::StatusOr<v1::ListWarningsResponse> ListWarnings(const v1::ListWarningsRequest& request);
  absl::StatusOr<v1::AcknowledgeWarningResponse> AcknowledgeWarning(
      const v1::AcknowledgeWarningRequest& request);
  absl::StatusOr<v1::ResolveWarningResponse> ResolveWarning(
      const v1::ResolveWarningRequest& request);

 private:
  // Tier policies change rarely and every tier lookup needs one: they are
  // cached for a few seconds (a change on another replica shows within that).
  absl::StatusOr<std::optional<v1::TierPolicy>> PolicyOf(const std::string& tier);

  SegmentStore* store_;
  const Clock* clock_;
  MysqlValueStore* values_;
  Recomputer* recomputer_;
  MysqlSegmentsStore* segments_;
  MysqlWarningsStore* warnings_;
  IdGenerator* ids_;
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
