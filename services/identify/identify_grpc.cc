#include "services/identify/identify_grpc.h"

#include "absl/strings/str_join.h"
#include "common/grpc_status.h"

namespace crm::identify {

Caller IdentifyGrpc::CallerOf(const grpc::ServerContext& context) const {
  Caller caller;
  caller.peer = context.peer();
  if (authorizer_ == nullptr) {
    caller.may_view_full = allow_full_view_;
    return caller;
  }
  const std::vector<std::string> principals = authorizer_->PrincipalsOf(context);
  if (!principals.empty()) caller.principal = absl::StrJoin(principals, " ");
  caller.may_view_full = authorizer_->MayViewFull(context);
  return caller;
}

grpc::Status IdentifyGrpc::CreateCustomer(grpc::ServerContext*,
                               const v1::CreateCustomerRequest* request, v1::CreateCustomerResponse* response) {
  return Reply(customers_->CreateCustomer(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::GetCustomer(grpc::ServerContext* context,
                               const v1::GetCustomerRequest* request, v1::GetCustomerResponse* response) {
  return Reply(customers_->GetCustomer(*request, CallerOf(*context)), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::UpdateCustomer(grpc::ServerContext*,
                               const v1::UpdateCustomerRequest* request, v1::UpdateCustomerResponse* response) {
  return Reply(customers_->UpdateCustomer(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::ListCustomers(grpc::ServerContext*,
                               const v1::ListCustomersRequest* request, v1::ListCustomersResponse* response) {
  return Reply(customers_->ListCustomers(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::AddIdentifier(grpc::ServerContext*,
                               const v1::AddIdentifierRequest* request, v1::AddIdentifierResponse* response) {
  return Reply(customers_->AddIdentifier(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::RemoveIdentifier(grpc::ServerContext*,
                               const v1::RemoveIdentifierRequest* request, v1::RemoveIdentifierResponse* response) {
  return Reply(customers_->RemoveIdentifier(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::LookupCustomer(grpc::ServerContext* context,
                               const v1::LookupCustomerRequest* request, v1::LookupCustomerResponse* response) {
  return Reply(customers_->LookupCustomer(*request, CallerOf(*context)), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::GetCustomerHistory(grpc::ServerContext* context,
                               const v1::GetCustomerHistoryRequest* request, v1::GetCustomerHistoryResponse* response) {
  return Reply(customers_->GetCustomerHistory(*request, CallerOf(*context)), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::SetLifecycleStatus(grpc::ServerContext*,
                               const v1::SetLifecycleStatusRequest* request, v1::SetLifecycleStatusResponse* response) {
  return Reply(customers_->SetLifecycleStatus(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::RecordContact(grpc::ServerContext*,
                               const v1::RecordContactRequest* request, v1::RecordContactResponse* response) {
  return Reply(customers_->RecordContact(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::ListContacts(grpc::ServerContext*,
                               const v1::ListContactsRequest* request, v1::ListContactsResponse* response) {
  return Reply(customers_->ListContacts(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::ResolveCustomer(grpc::ServerContext*,
                               const v1::ResolveCustomerRequest* request, v1::ResolveCustomerResponse* response) {
  return Reply(matching_->ResolveCustomer(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::ListMatchReviews(grpc::ServerContext*,
                               const v1::ListMatchReviewsRequest* request, v1::ListMatchReviewsResponse* response) {
  return Reply(matching_->ListMatchReviews(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::DecideMatchReview(grpc::ServerContext*,
                               const v1::DecideMatchReviewRequest* request, v1::DecideMatchReviewResponse* response) {
  return Reply(matching_->DecideMatchReview(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::EstimateMatchModel(grpc::ServerContext*,
                               const v1::EstimateMatchModelRequest* request, v1::EstimateMatchModelResponse* response) {
  return Reply(matching_->EstimateMatchModel(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::GetMatchModel(grpc::ServerContext*,
                               const v1::GetMatchModelRequest* request, v1::GetMatchModelResponse* response) {
  return Reply(matching_->GetMatchModel(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::MergeCustomers(grpc::ServerContext*,
                               const v1::MergeCustomersRequest* request, v1::MergeCustomersResponse* response) {
  return Reply(matching_->MergeCustomers(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::UnmergeCustomers(grpc::ServerContext*,
                               const v1::UnmergeCustomersRequest* request, v1::UnmergeCustomersResponse* response) {
  return Reply(matching_->UnmergeCustomers(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::StartDeduplication(grpc::ServerContext*,
                               const v1::StartDeduplicationRequest* request, v1::StartDeduplicationResponse* response) {
  return Reply(matching_->StartDeduplication(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::GetDeduplicationJob(grpc::ServerContext*,
                               const v1::GetDeduplicationJobRequest* request, v1::GetDeduplicationJobResponse* response) {
  return Reply(matching_->GetDeduplicationJob(*request), response, kErrorDomain);
}


grpc::Status IdentifyGrpc::RecordConsent(grpc::ServerContext*, const v1::RecordConsentRequest* request,
                                         v1::RecordConsentResponse* response) {
  return Reply(customers_->RecordConsent(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::EraseCustomer(grpc::ServerContext*, const v1::EraseCustomerRequest* request,
                                         v1::EraseCustomerResponse* response) {
  return Reply(customers_->EraseCustomer(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::ImportCustomers(grpc::ServerContext*,
                                           grpc::ServerReader<v1::ImportCustomersRequest>* reader,
                                           v1::ImportCustomersResponse* response) {
  return Reply(matching_->ImportCustomers(
                   [&](v1::ImportCustomersRequest& message) { return reader->Read(&message); }),
               response, kErrorDomain);
}

}  // namespace crm::identify
