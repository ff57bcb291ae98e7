#ifndef CRM_SERVICES_LOYALTY_LOYALTY_STORE_H_
#define CRM_SERVICES_LOYALTY_LOYALTY_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/idempotency.h"
#include "services/loyalty/loyalty_metrics.h"
#include "crm/loyalty/v1/loyalty.pb.h"
#include "crm/loyalty/v1/coupons.pb.h"
#include "crm/loyalty/v1/rewards.pb.h"

namespace crm::loyalty {

// What a purchase's earning depends on, read under the member's lock.
struct EarningInputs {
  v1::ProgramRules rules;  // the version in force at the purchase time
  uint32_t currency_exponent = 2;
  int64_t earned_today = 0;  // by purchases on the purchase's UTC day
  int32_t purchase_count = 0;  // before this one
  uint32_t level_percent = 100;  // the multiplier of the member's level
  int64_t discount_minor = 0;    // what the purchase's coupons took off
};

// One coupon of an issue: the member it goes to and its id.
struct CouponTarget {
  std::string member_id;
  std::string coupon_id;
};

struct IssuedCoupons {
  int64_t count = 0;
  std::vector<v1::Coupon> first;
};

struct Earning {
  int64_t line_points = 0;
  int64_t bonus_points = 0;  // first purchase bonus
  absl::Time available_at;
  absl::Time expires_at;  // InfiniteFuture: never
};

struct PurchaseOutcome {
  v1::Purchase purchase;
  v1::Member member;
  bool replayed = false;
};

struct ReturnOutcome {
  int64_t reversed = 0;
  int64_t kept = 0;
  v1::Member member;
  bool replayed = false;
};

struct ExpiryOutcome {
  int64_t members = 0;
  int64_t points = 0;
};

struct RedemptionOutcome {
  v1::Redemption redemption;
  v1::Member member;
};

struct LevelRunOutcome {
  int64_t evaluated = 0;
  int64_t upgraded = 0;
  int64_t downgraded = 0;
  int64_t grace_started = 0;
};

struct BonusRunOutcome {
  int64_t members = 0;
  int64_t points = 0;
};

struct AdjustOutcome {
  v1::LedgerEntry entry;
  v1::Member member;
};

// Persistence of the loyalty service. Every change of a member's points
// locks the member row, appends ledger entries and keeps the member's cached
// balance and point lots equal to the ledger, in one transaction.
class LoyaltyStore {
 public:
  virtual ~LoyaltyStore() = default;

  // Inserts a fully formed program and its rules as version 1; a replay of
  // `key` returns the first one.
  virtual absl::StatusOr<v1::Program> CreateProgram(const RequestKey& key,
                                                    const v1::Program& program) = 0;
  // With the rules in force at `now`; NOT_FOUND / PROGRAM_NOT_FOUND.
  virtual absl::StatusOr<v1::Program> GetProgram(absl::string_view program_id, absl::Time now) = 0;
  // Adds validated `rules` as the program's next version (the store numbers
  // it); NOT_FOUND / PROGRAM_NOT_FOUND.
  virtual absl::StatusOr<v1::ProgramRules> AddRulesVersion(const RequestKey& key,
                                                           absl::string_view program_id,
                                                           const v1::ProgramRules& rules,
                                                           absl::Time now) = 0;

  // Inserts the member and, when `bonus` > 0, its enrollment bonus (spendable
  // at once, expiring at `bonus_expiry`). ALREADY_EXISTS / ALREADY_ENROLLED
  // when the customer is a member already; NOT_FOUND / PROGRAM_NOT_FOUND.
  virtual absl::StatusOr<v1::Member> Enroll(const RequestKey& key, const v1::Member& member,
                                            int64_t bonus, absl::Time bonus_expiry) = 0;
  // Balances as of `now`; NOT_FOUND / MEMBER_NOT_FOUND.
  virtual absl::StatusOr<v1::Member> GetMember(absl::string_view member_id, absl::Time now) = 0;
  // The member id of the customer in the program; NOT_FOUND / NOT_A_MEMBER.
  virtual absl::StatusOr<std::string> MemberOfCustomer(absl::string_view program_id,
                                                       absl::string_view customer_id) = 0;
  // The program's members with member_id > `after` (at level `rank` when
  // given), by id, with their stored fields and level name at `now`.
  virtual absl::StatusOr<std::vector<v1::Member>> ListMembers(absl::string_view program_id,
                                                             std::optional<int> rank,
                                                             absl::string_view after, int limit,
                                                             absl::Time now) = 0;
  // The member (as GetMember shows it at `now`) with its newest `limit`
  // purchases since `since`, oldest first, and the points it burned.
  virtual absl::StatusOr<MemberHistory> History(absl::string_view member_id, absl::Time since,
                                                int limit, absl::Time now) = 0;
  // The categories each member bought, from the program's newest `limit`
  // purchases since `since`; one list per member.
  virtual absl::StatusOr<std::vector<std::vector<std::string>>> CategoryBaskets(
      absl::string_view program_id, absl::Time since, int limit) = 0;
  // Members whose purchases in [start, end) add up (paid, net of returns)
  // to at least `min_spend`, by id.
  virtual absl::StatusOr<std::vector<std::string>> MembersBySpend(absl::string_view program_id,
                                                                 absl::Time start, absl::Time end,
                                                                 int64_t min_spend) = 0;
  // The program's points liability at `now`; PROGRAM_NOT_FOUND.
  virtual absl::StatusOr<v1::PointsLiability> Liability(absl::string_view program_id,
                                                        absl::Time now) = 0;
  // Evaluates every member above the entry level, or in a grace period, not
  // yet evaluated as of `as_of` (see RunLevelEvaluation in loyalty.proto).
  virtual absl::StatusOr<LevelRunOutcome> EvaluateLevels(absl::Time as_of) = 0;
  // Grants the birthday bonus to members born on the UTC day of `as_of`,
  // once per member and year (see RunBirthdayBonuses in loyalty.proto).
  virtual absl::StatusOr<BonusRunOutcome> GrantBirthdayBonuses(absl::Time as_of) = 0;

  // Records a validated purchase (purchase_id set) unless its source
  // transaction id was recorded already: then the first result comes back
  // when `content_hash` matches, else ALREADY_EXISTS / TRANSACTION_ID_REUSED.
  virtual absl::StatusOr<PurchaseOutcome> RecordPurchase(
      const v1::Purchase& purchase, absl::string_view content_hash, absl::Time now,
      absl::FunctionRef<Earning(const EarningInputs&)> decide) = 0;

  // Records a validated return (see RecordReturn in loyalty.proto): takes
  // back the purchase's line points in proportion to the amount, as the
  // return policy of the rules the purchase earned by allows.
  virtual absl::StatusOr<ReturnOutcome> RecordReturn(const v1::RecordReturnRequest& request,
                                                     absl::string_view content_hash,
                                                     absl::Time now) = 0;

  // Appends an ADJUST entry: positive points become a lot (spendable now,
  // expiring at `expiry`); negative ones consume the earliest-expiring
  // spendable lots, or fail with FAILED_PRECONDITION / INSUFFICIENT_POINTS.
  virtual absl::StatusOr<AdjustOutcome> Adjust(const RequestKey& key, absl::string_view member_id,
                                               int64_t points, absl::string_view reason,
                                               absl::string_view reference, absl::Time now,
                                               absl::Time expiry) = 0;

  // Writes off the points of every lot expiring at or before `as_of`: per
  // member, under its lock, one EXPIRE entry dated `now`. Lots already
  // written off are skipped, so runs may repeat and overlap.
  virtual absl::StatusOr<ExpiryOutcome> ExpirePoints(absl::Time as_of, absl::Time now) = 0;

  // Entries with entry_id < before_entry (0: from the newest), newest first.
  virtual absl::StatusOr<std::vector<v1::LedgerEntry>> ListLedger(absl::string_view member_id,
                                                                  int64_t before_entry,
                                                                  int limit) = 0;

  // Inserts a validated reward; NOT_FOUND / PROGRAM_NOT_FOUND.
  virtual absl::StatusOr<v1::Reward> CreateReward(const RequestKey& key,
                                                  const v1::Reward& reward) = 0;
  // The program's rewards with reward_id > `after`, by id; only those
  // redeemable at `now` unless `include_unavailable`. PROGRAM_NOT_FOUND.
  virtual absl::StatusOr<std::vector<v1::Reward>> ListRewards(absl::string_view program_id,
                                                             absl::string_view after,
                                                             bool include_unavailable,
                                                             absl::Time now, int limit) = 0;
  // Spends the member's points on a reward (see RedeemReward in
  // loyalty.proto). `redemption` holds its id, member, reward, quantity, the
  // points asked (0: the full cost) and create_time.
  virtual absl::StatusOr<RedemptionOutcome> Redeem(const RequestKey& key,
                                                   const v1::Redemption& redemption,
                                                   absl::Time now) = 0;
  // The member's redemptions with redemption_id < `before` ("" from the
  // newest), newest first; MEMBER_NOT_FOUND.
  virtual absl::StatusOr<std::vector<v1::Redemption>> ListRedemptions(
      absl::string_view member_id, absl::string_view before, int limit) = 0;
  // Gives the redemption's points back to their unexpired lots; NOT_FOUND /
  // REDEMPTION_NOT_FOUND, FAILED_PRECONDITION / ALREADY_CANCELLED.
  virtual absl::StatusOr<RedemptionOutcome> CancelRedemption(const RequestKey& key,
                                                             absl::string_view redemption_id,
                                                             absl::string_view reason,
                                                             absl::Time now) = 0;

  // Gives `coupon` (program, benefit, validity set) to every target that
  // does not hold this issue's coupon yet, in one transaction. The first call
  // for `issue_key` records `fingerprint`; a later one with another is
  // FAILED_PRECONDITION / IDEMPOTENCY_KEY_REUSED. NOT_FOUND /
  // MEMBER_NOT_FOUND (nothing issued) for a target not in the program.
  virtual absl::Status IssueCoupons(absl::string_view issue_key, absl::string_view fingerprint,
                                    const v1::Coupon& coupon,
                                    const std::vector<CouponTarget>& targets, absl::Time now) = 0;
  // How many coupons the issue holds, and the first `limit` of them.
  virtual absl::StatusOr<IssuedCoupons> CouponsOfIssue(absl::string_view issue_key, int limit,
                                                       absl::Time now) = 0;
  // The member's coupons with coupon_id < `before` ("" from the newest),
  // newest first; only those usable at `now` unless `include_inactive`.
  // MEMBER_NOT_FOUND.
  virtual absl::StatusOr<std::vector<v1::Coupon>> ListCoupons(absl::string_view member_id,
                                                             bool include_inactive,
                                                             absl::string_view before, int limit,
                                                             absl::Time now) = 0;
};

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_LOYALTY_STORE_H_
