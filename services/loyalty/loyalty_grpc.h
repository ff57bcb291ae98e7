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

 private:
  LoyaltyService* service_;
};

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_LOYALTY_GRPC_H_
