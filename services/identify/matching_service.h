#ifndef CRM_SERVICES_IDENTIFY_MATCHING_SERVICE_H_
#define CRM_SERVICES_IDENTIFY_MATCHING_SERVICE_H_

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "crm/identify/v1/identify.pb.h"
#include "services/identify/identify_service.h"
#include "services/identify/match_store.h"

namespace crm::identify {

// Resolution, review, model estimation, merges and batch deduplication.
class MatchingService {
 public:
  MatchingService(MatchStore* store, IdentifyService* customers, IdentifyStore* customer_store,
                  const Clock* clock, IdGenerator* ids, IdentifyOptions options)
      : store_(store), customers_(customers), customer_store_(customer_store), clock_(clock),
        ids_(ids), options_(std::move(options)) {}
  // Stops a running deduplication job between steps and waits for it.
  ~MatchingService();

  absl::StatusOr<v1::ResolveCustomerResponse> ResolveCustomer(
      const v1::ResolveCustomerRequest& request);
  absl::StatusOr<v1::ListMatchReviewsResponse> ListMatchReviews(
      const v1::ListMatchReviewsRequest& request);
  absl::StatusOr<v1::DecideMatchReviewResponse> DecideMatchReview(
      const v1::DecideMatchReviewRequest& request);
  absl::StatusOr<v1::EstimateMatchModelResponse> EstimateMatchModel(const v1::EstimateMatchModelRequest& request);
  absl::StatusOr<v1::GetMatchModelResponse> GetMatchModel(const v1::GetMatchModelRequest& request);
  absl::StatusOr<v1::MergeCustomersResponse> MergeCustomers(const v1::MergeCustomersRequest& request);
  absl::StatusOr<v1::UnmergeCustomersResponse> UnmergeCustomers(
      const v1::UnmergeCustomersRequest& request);
  absl::StatusOr<v1::StartDeduplicationResponse> StartDeduplication(
      const v1::StartDeduplicationRequest& request);
  // Resolves each record `next` yields (false: end of stream).
  absl::StatusOr<v1::ImportCustomersResponse> ImportCustomers(
      absl::FunctionRef<bool(v1::ImportCustomersRequest&)> next);
  absl::StatusOr<v1::GetDeduplicationJobResponse> GetDeduplicationJob(
      const v1::GetDeduplicationJobRequest& request);

 private:
  // The current model (cached for a few seconds) and its version.
  absl::StatusOr<StoredModel> Model();
  absl::StatusOr<std::vector<MatchRecord>> AllRecords();
  // Removes (and reports to `ignore`) the identifiers that must not link this
  // candidate: values given with too many different names already, and
  // values whose holder's name is clearly not the candidate's `names` (that
  // conflict is recorded). The vectors stay parallel.
  absl::Status DropUntrustedIdentifiers(const MatchRecord& names,
                                        std::vector<NormalizedIdentifier>& ids,
                                        std::vector<int>& given_at,
                                        std::vector<IdentifierUse>& uses,
                                        absl::FunctionRef<void(const NormalizedIdentifier&)> ignore);
  absl::StatusOr<std::string> Merge(const std::string& survivor_id, const std::string& merged_id,
                                    const SurvivorshipRules& rules, const v1::Source& source,
                                    const std::string& reason, const RequestKey& key);
  void RunDeduplication(v1::DeduplicationJob job);

  MatchStore* store_;
  IdentifyService* customers_;
  IdentifyStore* customer_store_;
  const Clock* clock_;
  IdGenerator* ids_;
  IdentifyOptions options_;

  std::mutex mu_;
  std::optional<StoredModel> cached_model_;
  absl::Time cached_at_ = absl::InfinitePast();
  std::thread job_thread_;
  std::atomic<bool> job_running_{false};
  std::atomic<bool> stopping_{false};
};

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_MATCHING_SERVICE_H_
