#ifndef CRM_SERVICES_LOYALTY_LOYALTY_SERVICE_H_
#define CRM_SERVICES_LOYALTY_LOYALTY_SERVICE_H_

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "crm/loyalty/v1/loyalty.pb.h"
#include "services/identify/client/customer_directory.h"
#include "services/loyalty/loyalty_store.h"

namespace crm::loyalty {

// INVALID_ARGUMENT / INVALID_FIELD unless `id` is a 26-character id.
absl::Status ValidId(absl::string_view field, absl::string_view id);

// The domain rules of the loyalty program, free of any transport
// (loyalty_service.cc; rewards and offers in loyalty_service_*.cc).
class LoyaltyService {
 public:
  // `customers` resolves customer identifiers (null: only ids are accepted).
  LoyaltyService(LoyaltyStore* store, const Clock* clock, IdGenerator* ids,
                 identify::CustomerDirectory* customers = nullptr)
      : store_(store), clock_(clock), ids_(ids), customers_(customers) {}

  absl::StatusOr<v1::CreateProgramResponse> CreateProgram(const v1::CreateProgramRequest& request);
  absl::StatusOr<v1::GetProgramResponse> GetProgram(const v1::GetProgramRequest& request);
  absl::StatusOr<v1::UpdateProgramRulesResponse> UpdateProgramRules(
      const v1::UpdateProgramRulesRequest& request);
  absl::StatusOr<v1::ListMembersResponse> ListMembers(const v1::ListMembersRequest& request);
  absl::StatusOr<v1::GetPointsLiabilityResponse> GetPointsLiability(
      const v1::GetPointsLiabilityRequest& request);
  absl::StatusOr<v1::GetLoyaltyMetricsResponse> GetLoyaltyMetrics(
      const v1::GetLoyaltyMetricsRequest& request);
  absl::StatusOr<v1::RunBirthdayBonusesResponse> RunBirthdayBonuses(
      const v1::RunBirthdayBonusesRequest& request);
  absl::StatusOr<v1::RunLevelEvaluationResponse> RunLevelEvaluation(
      const v1::RunLevelEvaluationRequest& request);
  absl::StatusOr<v1::EnrollMemberResponse> EnrollMember(const v1::EnrollMemberRequest& request);
  absl::StatusOr<v1::GetMemberResponse> GetMember(const v1::GetMemberRequest& request);
  absl::StatusOr<v1::IdentifyMemberResponse> IdentifyMember(
      const v1::IdentifyMemberRequest& request);
  absl::StatusOr<v1::RecordPurchaseResponse> RecordPurchase(
      const v1::RecordPurchaseRequest& request);
  absl::StatusOr<v1::RecordReturnResponse> RecordReturn(const v1::RecordReturnRequest& request);
  absl::StatusOr<v1::AdjustPointsResponse> AdjustPoints(const v1::AdjustPointsRequest& request);
  absl::StatusOr<v1::ListLedgerEntriesResponse> ListLedgerEntries(
      const v1::ListLedgerEntriesRequest& request);
  absl::StatusOr<v1::RunExpiryResponse> RunExpiry(const v1::RunExpiryRequest& request);
  absl::StatusOr<v1::CreateRewardResponse> CreateReward(const v1::CreateRewardRequest& request);
  absl::StatusOr<v1::ListRewardsResponse> ListRewards(const v1::ListRewardsRequest& request);
  absl::StatusOr<v1::RedeemRewardResponse> RedeemReward(const v1::RedeemRewardRequest& request);
  absl::StatusOr<v1::CancelRedemptionResponse> CancelRedemption(
      const v1::CancelRedemptionRequest& request);
  absl::StatusOr<v1::ListRedemptionsResponse> ListRedemptions(
      const v1::ListRedemptionsRequest& request);
  absl::StatusOr<v1::IssueCouponsResponse> IssueCoupons(const v1::IssueCouponsRequest& request);
  absl::StatusOr<v1::ListCouponsResponse> ListCoupons(const v1::ListCouponsRequest& request);
  absl::StatusOr<v1::GeneratePersonalOffersResponse> GeneratePersonalOffers(
      const v1::GeneratePersonalOffersRequest& request);

 private:
  // The program's rules in force now (for bonuses granted outside purchases).
  absl::StatusOr<v1::Program> CurrentProgram(absl::string_view program_id);
  // The customer holding `identifier` (the request's `field`), through the
  // identify service.
  absl::StatusOr<std::string> CustomerOf(const identify::v1::Identifier& identifier,
                                         absl::string_view default_region,
                                         absl::string_view field);
  // The program's member holding `identifier`.
  absl::StatusOr<std::string> MemberOf(absl::string_view program_id,
                                       const identify::v1::Identifier& identifier,
                                       absl::string_view default_region,
                                       absl::string_view field);
  // The index of the named level in the rules in force; INVALID_ARGUMENT.
  absl::StatusOr<int> LevelRank(absl::string_view program_id, absl::string_view level);

  LoyaltyStore* store_;
  const Clock* clock_;
  IdGenerator* ids_;
  identify::CustomerDirectory* customers_;
};

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_LOYALTY_SERVICE_H_
