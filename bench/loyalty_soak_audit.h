#ifndef CRM_BENCH_LOYALTY_SOAK_AUDIT_H_
#define CRM_BENCH_LOYALTY_SOAK_AUDIT_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "grpcpp/channel.h"

// The client-side model of the loyalty soak and the audit that holds the
// service to it.
namespace crm::loyalty::soak {

inline constexpr int64_t kEnrollmentBonus = 100;
inline constexpr int64_t kFirstPurchaseBonus = 50;

// What the service acknowledged for one member.
class MemberModel {
 public:
  std::string member_id;

  // Books an acknowledged answer; a wrong one is reported to `violations`.
  void BookPurchase(const v1::Purchase& sent, const v1::RecordPurchaseResponse& answer);
  void BookReturn(const std::string& return_id, const v1::RecordReturnResponse& answer);
  void BookRedemption(const v1::RedeemRewardResponse& answer);
  void BookCancellation(const v1::CancelRedemptionResponse& answer);
  void BookAdjustment(const v1::AdjustPointsRequest& sent,
                      const v1::AdjustPointsResponse& answer);

  // A purchase of the member to return from, if any.
  std::optional<std::string> SomePurchase(std::mt19937_64& rng);
  // An active redemption to cancel, taken out of the active ones.
  std::optional<std::string> TakeRedemption(std::mt19937_64& rng);

  // Checks the member's balance and ledger in the service against the
  // bookings; returns what is wrong.
  std::vector<std::string> Audit(v1::LoyaltyService::Stub& stub);
  // Units of `reward_id` redeemed and not cancelled.
  int64_t ActiveUnits(const std::string& reward_id);

 private:
  void Check(bool ok, const std::string& what);

  std::mutex mu_;
  int64_t expected_balance_ = kEnrollmentBonus;
  int64_t expected_earned_ = kEnrollmentBonus;
  std::vector<std::string> transactions_;
  std::vector<std::string> active_redemptions_;
  std::map<std::string, int64_t> line_points_;        // purchase id -> recomputed
  int first_purchase_bonuses_ = 0;
  std::map<std::string, int64_t> returns_;            // return id -> points reversed
  struct Redeemed {
    int64_t points = 0;
    std::string reward_id;
  };
  std::map<std::string, Redeemed> redemptions_;       // by redemption id
  std::map<std::string, int64_t> refunds_;            // redemption id -> points refunded
  std::set<std::string> adjustments_;                 // request ids
  std::vector<std::string> problems_;
};

struct Model {
  std::string run;
  std::string program_id;
  std::string reward;
  std::string scarce_reward;
  int64_t scarce_stock = 0;
  std::vector<MemberModel> members;
  std::atomic<int64_t> expired_points{0};

  void Violation(const std::string& what);
  // Tallies a refusal the rules allow; any other error is a violation.
  void Refused(const grpc::Status& status);

  std::mutex mu;
  std::vector<std::string> violations;
  std::map<std::string, int64_t> refusals;  // by status message prefix
};

// Creates the program, a reward and a scarce one, and enrolls the members.
absl::Status Prepare(const std::shared_ptr<grpc::Channel>& channel, const v1::Program& program,
                     int members, int64_t scarce_stock, Model& model);

// Audits every member and the scarce reward's stock; prints the findings
// and returns whether all held.
bool Audit(const std::shared_ptr<grpc::Channel>& channel, Model& model);

}  // namespace crm::loyalty::soak

#endif  // CRM_BENCH_LOYALTY_SOAK_AUDIT_H_
