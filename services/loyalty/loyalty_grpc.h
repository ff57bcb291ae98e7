#ifndef CRM_SERVICES_LOYALTY_LOYALTY_GRPC_H_
#define CRM_SERVICES_LOYALTY_LOYALTY_GRPC_H_

#include "common/grpc_status.h"
#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "services/loyalty/loyalty_service.h"

namespace crm::loyalty {

inline constexpr char kErrorDomain[] = "loyalty.crm";

// gRPC adapter: one line per RPC.
class LoyaltyGrpc final : public v1::LoyaltyService::Service {
 public:
  explicit LoyaltyGrpc(LoyaltyService* service) : service_(service) {}

  CRM_UNARY_RPC(CreateProgram)
  CRM_UNARY_RPC(GetProgram)
  CRM_UNARY_RPC(EnrollMember)
  CRM_UNARY_RPC(GetMember)
  CRM_UNARY_RPC(IdentifyMember)
  CRM_UNARY_RPC(RecordPurchase)
  CRM_UNARY_RPC(RecordReturn)
  CRM_UNARY_RPC(AdjustPoints)
  CRM_UNARY_RPC(ListLedgerEntries)
  CRM_UNARY_RPC(RunExpiry)
  CRM_UNARY_RPC(CreateReward)
  CRM_UNARY_RPC(ListRewards)
  CRM_UNARY_RPC(RedeemReward)
  CRM_UNARY_RPC(CancelRedemption)
  CRM_UNARY_RPC(ListRedemptions)
  CRM_UNARY_RPC(UpdateProgramRules)
  CRM_UNARY_RPC(ListMembers)
  CRM_UNARY_RPC(RunLevelEvaluation)
  CRM_UNARY_RPC(RunBirthdayBonuses)
  CRM_UNARY_RPC(IssueCoupons)
  CRM_UNARY_RPC(ListCoupons)
  CRM_UNARY_RPC(GetLoyaltyMetrics)
  CRM_UNARY_RPC(GetPointsLiability)
  CRM_UNARY_RPC(GeneratePersonalOffers)

 private:
  LoyaltyService* service_;
};

#undef CRM_UNARY_RPC

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_LOYALTY_GRPC_H_
