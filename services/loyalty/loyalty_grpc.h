#ifndef CRM_SERVICES_LOYALTY_LOYALTY_GRPC_H_
#define CRM_SERVICES_LOYALTY_LOYALTY_GRPC_H_

#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "services/loyalty/loyalty_service.h"

namespace crm::loyalty {

inline constexpr char kErrorDomain[] = "loyalty.crm";

// gRPC adapter: one line per RPC.
class LoyaltyGrpc final : public v1::LoyaltyService::Service {
 public:
  explicit LoyaltyGrpc(LoyaltyService* service) : service_(service) {}

  grpc::Status CreateProgram(grpc::ServerContext*, const v1::CreateProgramRequest* request,
                             v1::CreateProgramResponse* response) override;
  grpc::Status GetProgram(grpc::ServerContext*, const v1::GetProgramRequest* request,
                          v1::GetProgramResponse* response) override;
  grpc::Status EnrollMember(grpc::ServerContext*, const v1::EnrollMemberRequest* request,
                      v1::EnrollMemberResponse* response) override;
  grpc::Status GetMember(grpc::ServerContext*, const v1::GetMemberRequest* request,
                      v1::GetMemberResponse* response) override;
  grpc::Status RecordPurchase(grpc::ServerContext*, const v1::RecordPurchaseRequest* request,
                      v1::RecordPurchaseResponse* response) override;
  grpc::Status AdjustPoints(grpc::ServerContext*, const v1::AdjustPointsRequest* request,
                      v1::AdjustPointsResponse* response) override;
  grpc::Status ListLedgerEntries(grpc::ServerContext*, const v1::ListLedgerEntriesRequest* request,
                      v1::ListLedgerEntriesResponse* response) override;
  grpc::Status RecordReturn(grpc::ServerContext*, const v1::RecordReturnRequest* request,
                            v1::RecordReturnResponse* response) override;
  grpc::Status RunExpiry(grpc::ServerContext*, const v1::RunExpiryRequest* request,
                         v1::RunExpiryResponse* response) override;

 private:
  LoyaltyService* service_;
};

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_LOYALTY_GRPC_H_
