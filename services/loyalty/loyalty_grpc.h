#ifndef CRM_SERVICES_LOYALTY_LOYALTY_GRPC_H_
#define CRM_SERVICES_LOYALTY_LOYALTY_GRPC_H_

#include "common/grpc_status.h"
#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "services/loyalty/loyalty_service.h"

namespace crm::loyalty {

inline constexpr char kErrorDomain[] = "loyalty.crm";

// Each unary RPC hands its request to LoyaltyService and maps the result.
#define CRM_LOYALTY_UNARY(Method)                                                 \
  grpc::Status Method(grpc::ServerContext*, const v1::Method##Request* request,   \
                      v1::Method##Response* response) override {                  \
    return Reply(service_->Method(*request), response, kErrorDomain);             \
  }

// gRPC adapter: one line per RPC.
class LoyaltyGrpc final : public v1::LoyaltyService::Service {
 public:
  explicit LoyaltyGrpc(LoyaltyService* service) : service_(service) {}

  CRM_LOYALTY_UNARY(CreateProgram)
  CRM_LOYALTY_UNARY(GetProgram)
  CRM_LOYALTY_UNARY(EnrollMember)
  CRM_LOYALTY_UNARY(GetMember)
  CRM_LOYALTY_UNARY(IdentifyMember)
  CRM_LOYALTY_UNARY(RecordPurchase)
  CRM_LOYALTY_UNARY(RecordReturn)
  CRM_LOYALTY_UNARY(AdjustPoints)
  CRM_LOYALTY_UNARY(ListLedgerEntries)
  CRM_LOYALTY_UNARY(RunExpiry)
  CRM_LOYALTY_UNARY(CreateReward)
  CRM_LOYALTY_UNARY(ListRewards)
  CRM_LOYALTY_UNARY(RedeemReward)
  CRM_LOYALTY_UNARY(CancelRedemption)
  CRM_LOYALTY_UNARY(ListRedemptions)
  CRM_LOYALTY_UNARY(UpdateProgramRules)
  CRM_LOYALTY_UNARY(ListMembers)
  CRM_LOYALTY_UNARY(RunLevelEvaluation)
  CRM_LOYALTY_UNARY(RunBirthdayBonuses)
  CRM_LOYALTY_UNARY(IssueCoupons)
  CRM_LOYALTY_UNARY(ListCoupons)
  CRM_LOYALTY_UNARY(GetLoyaltyMetrics)
  CRM_LOYALTY_UNARY(GetPointsLiability)
  CRM_LOYALTY_UNARY(GeneratePersonalOffers)

 private:
  LoyaltyService* service_;
};

#undef CRM_LOYALTY_UNARY

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_LOYALTY_GRPC_H_
