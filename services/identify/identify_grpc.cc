#include "services/identify/identify_grpc.h"

#include "common/grpc_status.h"

namespace crm::identify {

Caller IdentifyGrpc::CallerOf(const grpc::ServerContext& context) const {
  Caller caller;
  caller.peer = context.peer();
  caller.may_view_full = allow_full_view_;
  return caller;
}

grpc::Status IdentifyGrpc::CreateCustomer(grpc::ServerContext*,
                               const v1::CreateCustomerRequest* request, v1::CreateCustomerResponse* response) {
  return Reply(service_->CreateCustomer(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::GetCustomer(grpc::ServerContext* context,
                               const v1::GetCustomerRequest* request, v1::GetCustomerResponse* response) {
  return Reply(service_->GetCustomer(*request, CallerOf(*context)), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::UpdateCustomer(grpc::ServerContext*,
                               const v1::UpdateCustomerRequest* request, v1::UpdateCustomerResponse* response) {
  return Reply(service_->UpdateCustomer(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::ListCustomers(grpc::ServerContext*,
                               const v1::ListCustomersRequest* request, v1::ListCustomersResponse* response) {
  return Reply(service_->ListCustomers(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::AddIdentifier(grpc::ServerContext*,
                               const v1::AddIdentifierRequest* request, v1::AddIdentifierResponse* response) {
  return Reply(service_->AddIdentifier(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::RemoveIdentifier(grpc::ServerContext*,
                               const v1::RemoveIdentifierRequest* request, v1::RemoveIdentifierResponse* response) {
  return Reply(service_->RemoveIdentifier(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::LookupCustomer(grpc::ServerContext* context,
                               const v1::LookupCustomerRequest* request, v1::LookupCustomerResponse* response) {
  return Reply(service_->LookupCustomer(*request, CallerOf(*context)), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::GetCustomerHistory(grpc::ServerContext* context,
                               const v1::GetCustomerHistoryRequest* request, v1::GetCustomerHistoryResponse* response) {
  return Reply(service_->GetCustomerHistory(*request, CallerOf(*context)), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::SetLifecycleStatus(grpc::ServerContext*,
                               const v1::SetLifecycleStatusRequest* request, v1::SetLifecycleStatusResponse* response) {
  return Reply(service_->SetLifecycleStatus(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::RecordContact(grpc::ServerContext*,
                               const v1::RecordContactRequest* request, v1::RecordContactResponse* response) {
  return Reply(service_->RecordContact(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::ListContacts(grpc::ServerContext*,
                               const v1::ListContactsRequest* request, v1::ListContactsResponse* response) {
  return Reply(service_->ListContacts(*request), response, kErrorDomain);
}

}  // namespace crm::identify
