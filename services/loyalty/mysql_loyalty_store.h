#ifndef CRM_SERVICES_LOYALTY_MYSQL_LOYALTY_STORE_H_
#define CRM_SERVICES_LOYALTY_MYSQL_LOYALTY_STORE_H_

#include "common/clock.h"
#include "common/migrator.h"
#include "common/mysql_pool.h"
#include "services/loyalty/ledger_rows.h"
#include "services/loyalty/loyalty_store.h"
#include "services/loyalty/rules_cache.h"

namespace crm::loyalty {

// The schema the store needs: schema/*.sql, compiled in.
const std::vector<MigrationFile>& Migrations();

class MysqlLoyaltyStore final : public LoyaltyStore {
 public:
  MysqlLoyaltyStore(MysqlPool* pool, const Clock* clock) : pool_(pool), clock_(clock) {}

  absl::StatusOr<v1::Program> CreateProgram(const RequestKey& key,
                                            const v1::Program& program) override;
  absl::StatusOr<v1::Program> GetProgram(absl::string_view program_id, absl::Time now) override;
  absl::StatusOr<v1::Member> Enroll(const RequestKey& key, const v1::Member& member,
                                    int64_t bonus, absl::Time bonus_expiry) override;
  absl::StatusOr<v1::Member> GetMember(absl::string_view member_id, absl::Time now) override;
  absl::StatusOr<std::string> MemberOfCustomer(absl::string_view program_id,
                                               absl::string_view customer_id) override;
  absl::StatusOr<v1::ProgramRules> AddRulesVersion(const RequestKey& key,
                                                   absl::string_view program_id,
                                                   const v1::ProgramRules& rules,
                                                   absl::Time now) override;
  absl::StatusOr<std::vector<v1::Member>> ListMembers(absl::string_view program_id,
                                                     std::optional<int> rank,
                                                     absl::string_view after, int limit,
                                                     absl::Time now) override;
  absl::StatusOr<LevelRunOutcome> EvaluateLevels(absl::Time as_of) override;
  absl::StatusOr<BonusRunOutcome> GrantBirthdayBonuses(absl::Time as_of) override;
  absl::StatusOr<v1::PointsLiability> Liability(absl::string_view program_id,
                                                absl::Time now) override;
  absl::StatusOr<MemberHistory> History(absl::string_view member_id, absl::Time since, int limit,
                                        absl::Time now) override;
  absl::StatusOr<std::vector<std::vector<std::string>>> CategoryBaskets(
      absl::string_view program_id, absl::Time since, int limit) override;
  absl::StatusOr<std::vector<std::string>> MembersBySpend(absl::string_view program_id,
                                                         absl::Time start, absl::Time end,
                                                         int64_t min_spend) override;
  absl::StatusOr<PurchaseOutcome> RecordPurchase(
      const v1::Purchase& purchase, absl::string_view content_hash, absl::Time now,
      absl::FunctionRef<Earning(const EarningInputs&)> decide) override;
  absl::StatusOr<ReturnOutcome> RecordReturn(const v1::RecordReturnRequest& request,
                                             absl::string_view content_hash,
                                             absl::Time now) override;
  absl::StatusOr<AdjustOutcome> Adjust(const RequestKey& key, absl::string_view member_id,
                                       int64_t points, absl::string_view reason,
                                       absl::string_view reference, absl::Time now,
                                       absl::Time expiry) override;
  absl::StatusOr<ExpiryOutcome> ExpirePoints(absl::Time as_of, absl::Time now) override;
  absl::StatusOr<std::vector<v1::LedgerEntry>> ListLedger(absl::string_view member_id,
                                                          int64_t before_entry,
                                                          int limit) override;
  absl::StatusOr<v1::Reward> CreateReward(const RequestKey& key, const v1::Reward& reward) override;
  absl::StatusOr<std::vector<v1::Reward>> ListRewards(absl::string_view program_id,
                                                     absl::string_view after,
                                                     bool include_unavailable, absl::Time now,
                                                     int limit) override;
  absl::StatusOr<RedemptionOutcome> Redeem(const RequestKey& key,
                                           const v1::Redemption& redemption,
                                           absl::Time now) override;
  absl::StatusOr<std::vector<v1::Redemption>> ListRedemptions(absl::string_view member_id,
                                                             absl::string_view before,
                                                             int limit) override;
  absl::StatusOr<RedemptionOutcome> CancelRedemption(const RequestKey& key,
                                                     absl::string_view redemption_id,
                                                     absl::string_view reason,
                                                     absl::Time now) override;

  absl::Status IssueCoupons(absl::string_view issue_key, absl::string_view fingerprint,
                            const v1::Coupon& coupon, const std::vector<CouponTarget>& targets,
                            absl::Time now) override;
  absl::StatusOr<IssuedCoupons> CouponsOfIssue(absl::string_view issue_key, int limit,
                                               absl::Time now) override;
  absl::StatusOr<std::vector<v1::Coupon>> ListCoupons(absl::string_view member_id,
                                                     bool include_inactive,
                                                     absl::string_view before, int limit,
                                                     absl::Time now) override;

 private:
  // The member as GetMember shows it: balances from the lots, the level and
  // its progress under the rules in force at `now`.
  absl::StatusOr<v1::Member> ReadMember(sql::Connection& conn, absl::string_view member_id,
                                        absl::Time now);

  MysqlPool* pool_;
  const Clock* clock_;
  RulesCache rules_;
};

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_MYSQL_LOYALTY_STORE_H_
