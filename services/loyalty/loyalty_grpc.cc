#include "services/loyalty/loyalty_grpc.h"

#include "common/grpc_status.h"

namespace crm::loyalty {

grpc::Status LoyaltyGrpc::CreateProgram(grpc::ServerContext*,
                                        const v1::CreateProgramRequest* request,
                                        v1::CreateProgramResponse* response) {
  return Reply(service_->CreateProgram(*request), response, kErrorDomain);
}

grpc::Status LoyaltyGrpc::GetProgram(grpc::ServerContext*, const v1::GetProgramRequest* request,
                                     v1::GetProgramResponse* response) {
  return Reply(service_->GetProgram(*request), response, kErrorDomain);
}

grpc::Status LoyaltyGrpc::EnrollMember(grpc::ServerContext*, const v1::EnrollMemberRequest* request,
                              v1::EnrollMemberResponse* response) {
  return Reply(service_->EnrollMember(*request), response, kErrorDomain);
}

grpc::Status LoyaltyGrpc::GetMember(grpc::ServerContext*, const v1::GetMemberRequest* request,
                              v1::GetMemberResponse* response) {
  return Reply(service_->GetMember(*request), response, kErrorDomain);
}

grpc::Status LoyaltyGrpc::RecordPurchase(grpc::ServerContext*, const v1::RecordPurchaseRequest* request,
                              v1::RecordPurchaseResponse* response) {
  return Reply(service_->RecordPurchase(*request), response, kErrorDomain);
}

grpc::Status LoyaltyGrpc::AdjustPoints(grpc::ServerContext*, const v1::AdjustPointsRequest* request,
                              v1::AdjustPointsResponse* response) {
  return Reply(service_->AdjustPoints(*request), response, kErrorDomain);
}

grpc::Status LoyaltyGrpc::ListLedgerEntries(grpc::ServerContext*, const v1::ListLedgerEntriesRequest* request,
                              v1::ListLedgerEntriesResponse* response) {
  return Reply(service_->ListLedgerEntries(*request), response, kErrorDomain);
}

grpc::Status LoyaltyGrpc::RunExpiry(grpc::ServerContext*, const v1::RunExpiryRequest* request,
                                    v1::RunExpiryResponse* response) {
  return Reply(service_->RunExpiry(*request), response, kErrorDomain);
}

grpc::Status LoyaltyGrpc::RecordReturn(grpc::ServerContext*, const v1::RecordReturnRequest* request,
                                       v1::RecordReturnResponse* response) {
  return Reply(service_->RecordReturn(*request), response, kErrorDomain);
}

}  // namespace crm::loyalty
