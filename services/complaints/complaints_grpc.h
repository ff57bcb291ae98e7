#ifndef CRM_SERVICES_COMPLAINTS_COMPLAINTS_GRPC_H_
#define CRM_SERVICES_COMPLAINTS_COMPLAINTS_GRPC_H_

#include "crm/complaints/v1/complaints.grpc.pb.h"
#include "services/complaints/complaints_service.h"

namespace crm::complaints {

inline constexpr char kErrorDomain[] = "complaints.crm";

// gRPC adapter: one line per RPC.
class ComplaintsGrpc final : public v1::ComplaintsService::Service {
 public:
  explicit ComplaintsGrpc(ComplaintsService* service) : service_(service) {}

  grpc::Status FileComplaint(grpc::ServerContext*, const v1::FileComplaintRequest* request,
                             v1::FileComplaintResponse* response) override;
  grpc::Status GetComplaint(grpc::ServerContext*, const v1::GetComplaintRequest* request,
                            v1::GetComplaintResponse* response) override;

 private:
  ComplaintsService* service_;
};

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_COMPLAINTS_GRPC_H_
