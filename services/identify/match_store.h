#ifndef CRM_SERVICES_IDENTIFY_MATCH_STORE_H_
#define CRM_SERVICES_IDENTIFY_MATCH_STORE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "common/idempotency.h"
#include "crm/identify/v1/identify.pb.h"
#include "services/identify/identifier_rules.h"
#include "services/identify/identify_store.h"
#include "services/identify/linkage.h"
#include "services/identify/survivorship.h"

namespace crm::identify {

struct StoredModel {
  MatchModel model;
  v1::MatchModelInfo info;  // without the per-field table
};

struct ReviewRow {
  v1::MatchReview review;
  MatchPattern pattern{};
};

// What a merge needs from the domain: the survivor's new data.
using MergeDecision = absl::FunctionRef<absl::StatusOr<v1::Customer>(
    const v1::Customer& survivor, const FieldOrigins& survivor_origins,
    const v1::Customer& merged, const FieldOrigins& merged_origins)>;

struct MergeOutcome {
  std::string merge_id;
  v1::Customer survivor;
};

struct UnmergeOutcome {
  v1::Customer survivor;
  v1::Customer restored;
};

struct IdentifierUse {
  std::string owner;  // "" when no live customer holds it
  int conflicting_names = 0;
};

// Persistence of record linkage: match records, models, reviews, merges and
// deduplication jobs.
class MatchStore {
 public:
  virtual ~MatchStore() = default;

  // The keyed hash a national id is compared by (no database access).
  virtual std::string NationalIdHash(const NormalizedIdentifier& id) const = 0;
  // For each identifier, the live customer holding it and how many different
  // names it was presented with that were clearly not its holder's.
  virtual absl::StatusOr<std::vector<IdentifierUse>> IdentifierUses(
      const std::vector<NormalizedIdentifier>& ids) = 0;
  // Notes that `id` was presented with a name (`name_key`, kept only as a
  // keyed hash) clearly not its holder's; the same name counts once.
  virtual absl::Status RecordIdentifierConflict(const NormalizedIdentifier& id,
                                                absl::string_view name_key) = 0;
  // The match record of an active customer, or nullopt.
  virtual absl::StatusOr<std::optional<MatchRecord>> MatchRecordOf(
      absl::string_view customer_id) = 0;
  // Match records of customers sharing a blocking key with the probe (at
  // most `per_key_limit` per key).
  virtual absl::StatusOr<std::vector<MatchRecord>> Candidates(
      const std::vector<std::string>& blocking_keys, int per_key_limit) = 0;
  // Match records of all active customers with customer_id > after_id.
  virtual absl::StatusOr<std::vector<MatchRecord>> MatchRecords(absl::string_view after_id,
                                                                int limit) = 0;

  // The newest model version, or nullopt before the first estimate.
  virtual absl::StatusOr<std::optional<StoredModel>> CurrentModel() = 0;
  virtual absl::StatusOr<int64_t> SaveModel(const MatchModel& model,
                                            const EstimationReport& report, int labelled) = 0;
  // Patterns of decided reviews with their decision.
  virtual absl::StatusOr<std::vector<std::pair<MatchPattern, bool>>> LabelledPatterns() = 0;

  // Queues a review once per (customer, candidate customer) pair; returns the
  // existing review for a pair already queued.
  virtual absl::StatusOr<v1::MatchReview> QueueReview(const std::string& review_id,
                                                      const std::string& customer_id,
                                                      const std::string& candidate_customer_id,
                                                      double probability,
                                                      const MatchPattern& pattern) = 0;
  virtual absl::StatusOr<std::vector<ReviewRow>> ListReviews(v1::ReviewStatus status,
                                                             absl::string_view after_id,
                                                             int limit) = 0;
  // NOT_FOUND / REVIEW_NOT_FOUND when absent.
  virtual absl::StatusOr<ReviewRow> GetReview(absl::string_view review_id) = 0;
  // Marks a pending review decided; FAILED_PRECONDITION /
  // REVIEW_ALREADY_DECIDED otherwise.
  virtual absl::StatusOr<ReviewRow> DecideReview(absl::string_view review_id,
                                                 v1::ReviewStatus decision,
                                                 absl::string_view decided_by,
                                                 absl::string_view note) = 0;

  // Merges `merged_id` into `survivor_id` in one transaction (see the RPC).
  virtual absl::StatusOr<MergeOutcome> Merge(const RequestKey& key, const std::string& merge_id,
                                             absl::string_view survivor_id,
                                             absl::string_view merged_id,
                                             const ChangeContext& context,
                                             MergeDecision decide) = 0;
  virtual absl::StatusOr<UnmergeOutcome> Unmerge(const RequestKey& key,
                                                 absl::string_view merge_id,
                                                 const ChangeContext& context) = 0;

  virtual absl::Status CreateJob(const v1::DeduplicationJob& job, absl::string_view owner) = 0;
  // Progress and results; also the heartbeat of a running job.
  virtual absl::Status UpdateJob(const v1::DeduplicationJob& job) = 0;
  // NOT_FOUND / JOB_NOT_FOUND. A RUNNING job whose owner stopped
  // heartbeating reads as FAILED.
  virtual absl::StatusOr<v1::DeduplicationJob> GetJob(absl::string_view job_id) = 0;
};

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_MATCH_STORE_H_
