#ifndef CRM_SERVICES_IDENTIFY_MYSQL_MATCH_STORE_H_
#define CRM_SERVICES_IDENTIFY_MYSQL_MATCH_STORE_H_

#include "common/clock.h"
#include "common/data_key.h"
#include "common/mysql_pool.h"
#include "services/identify/match_store.h"

namespace crm::identify {

class MysqlMatchStore final : public MatchStore {
 public:
  MysqlMatchStore(MysqlPool* pool, const Clock* clock, const DataKey* key)
      : pool_(pool), clock_(clock), key_(key) {}

  std::string NationalIdHash(const NormalizedIdentifier& id) const override;
  absl::StatusOr<std::vector<IdentifierUse>> IdentifierUses(
      const std::vector<NormalizedIdentifier>& ids) override;
  absl::Status RecordIdentifierConflict(const NormalizedIdentifier& id,
                                        absl::string_view name_key) override;
  absl::StatusOr<std::optional<MatchRecord>> MatchRecordOf(absl::string_view customer_id) override;
  absl::StatusOr<std::vector<MatchRecord>> Candidates(const std::vector<std::string>& blocking_keys,
                                                      int per_key_limit) override;
  absl::StatusOr<std::vector<MatchRecord>> MatchRecords(absl::string_view after_id,
                                                        int limit) override;
  absl::StatusOr<std::optional<StoredModel>> CurrentModel() override;
  absl::StatusOr<int64_t> SaveModel(const MatchModel& model, const EstimationReport& report,
                                    int labelled) override;
  absl::StatusOr<std::vector<std::pair<MatchPattern, bool>>> LabelledPatterns() override;
  absl::StatusOr<v1::MatchReview> QueueReview(const std::string& review_id,
                                              const std::string& customer_id,
                                              const std::string& candidate_customer_id,
                                              double probability,
                                              const MatchPattern& pattern) override;
  absl::StatusOr<std::vector<ReviewRow>> ListReviews(v1::ReviewStatus status,
                                                     absl::string_view after_id,
                                                     int limit) override;
  absl::StatusOr<ReviewRow> GetReview(absl::string_view review_id) override;
  absl::StatusOr<ReviewRow> DecideReview(absl::string_view review_id, v1::ReviewStatus decision,
                                         absl::string_view decided_by,
                                         absl::string_view note) override;
  absl::StatusOr<MergeOutcome> Merge(const RequestKey& key, const std::string& merge_id,
                                     absl::string_view survivor_id, absl::string_view merged_id,
                                     const ChangeContext& context, MergeDecision decide) override;
  absl::StatusOr<UnmergeOutcome> Unmerge(const RequestKey& key, absl::string_view merge_id,
                                         const ChangeContext& context) override;
  absl::Status CreateJob(const v1::DeduplicationJob& job, absl::string_view owner) override;
  absl::Status UpdateJob(const v1::DeduplicationJob& job) override;
  absl::StatusOr<v1::DeduplicationJob> GetJob(absl::string_view job_id) override;

 private:
  MysqlPool* pool_;
  const Clock* clock_;
  const DataKey* key_;
};

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_MYSQL_MATCH_STORE_H_
