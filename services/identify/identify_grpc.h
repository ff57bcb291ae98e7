#ifndef CRM_SERVICES_IDENTIFY_IDENTIFY_GRPC_H_
#define CRM_SERVICES_IDENTIFY_IDENTIFY_GRPC_H_

#include "crm/identify/v1/identify.grpc.pb.h"
#include "services/identify/identify_service.h"

namespace crm::identify {

inline constexpr char kErrorDomain[] = "identify.crm";

// gRPC adapter: one line per RPC.
class IdentifyGrpc final : public v1::IdentifyService::Service {
 public:
  explicit IdentifyGrpc(IdentifyService* service) : service_(service) {}

  grpc::Status CreateCustomer(grpc::ServerContext*, const v1::CreateCustomerRequest* request,
                              v1::CreateCustomerResponse* response) override;
  grpc::Status GetCustomer(grpc::ServerContext*, const v1::GetCustomerRequest* request,
                           v1::GetCustomerResponse* response) override;

 private:
  IdentifyService* service_;
};

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_IDENTIFY_GRPC_H_
