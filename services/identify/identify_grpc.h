#ifndef CRM_SERVICES_IDENTIFY_IDENTIFY_GRPC_H_
#define CRM_SERVICES_IDENTIFY_IDENTIFY_GRPC_H_

#include "common/authorizer.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "services/identify/identify_service.h"
#include "services/identify/matching_service.h"

namespace crm::identify {

inline constexpr char kErrorDomain[] = "identify.crm";

// gRPC adapter: one line per RPC.
class IdentifyGrpc final : public v1::IdentifyService::Service {
 public:
  // Who may ask for unmasked personal data: with an `authorizer` (mutual TLS
  // and a policy), the callers its policy names; without, every caller when
  // `allow_full_view` (development), none otherwise.
  IdentifyGrpc(IdentifyService* customers, MatchingService* matching, bool allow_full_view,
               const Authorizer* authorizer = nullptr)
      : customers_(customers), matching_(matching), allow_full_view_(allow_full_view),
        authorizer_(authorizer) {}

  grpc::Status CreateCustomer(grpc::ServerContext* context, const v1::CreateCustomerRequest* request,
              v1::CreateCustomerResponse* response) override;
  grpc::Status GetCustomer(grpc::ServerContext* context, const v1::GetCustomerRequest* request,
              v1::GetCustomerResponse* response) override;
  grpc::Status UpdateCustomer(grpc::ServerContext* context, const v1::UpdateCustomerRequest* request,
              v1::UpdateCustomerResponse* response) override;
  grpc::Status ListCustomers(grpc::ServerContext* context, const v1::ListCustomersRequest* request,
              v1::ListCustomersResponse* response) override;
  grpc::Status AddIdentifier(grpc::ServerContext* context, const v1::AddIdentifierRequest* request,
              v1::AddIdentifierResponse* response) override;
  grpc::Status RemoveIdentifier(grpc::ServerContext* context, const v1::RemoveIdentifierRequest* request,
              v1::RemoveIdentifierResponse* response) override;
  grpc::Status LookupCustomer(grpc::ServerContext* context, const v1::LookupCustomerRequest* request,
              v1::LookupCustomerResponse* response) override;
  grpc::Status GetCustomerHistory(grpc::ServerContext* context, const v1::GetCustomerHistoryRequest* request,
              v1::GetCustomerHistoryResponse* response) override;
  grpc::Status SetLifecycleStatus(grpc::ServerContext* context, const v1::SetLifecycleStatusRequest* request,
              v1::SetLifecycleStatusResponse* response) override;
  grpc::Status RecordContact(grpc::ServerContext* context, const v1::RecordContactRequest* request,
              v1::RecordContactResponse* response) override;
  grpc::Status ListContacts(grpc::ServerContext* context, const v1::ListContactsRequest* request,
              v1::ListContactsResponse* response) override;
  grpc::Status ResolveCustomer(grpc::ServerContext* context, const v1::ResolveCustomerRequest* request,
              v1::ResolveCustomerResponse* response) override;
  grpc::Status ListMatchReviews(grpc::ServerContext* context, const v1::ListMatchReviewsRequest* request,
              v1::ListMatchReviewsResponse* response) override;
  grpc::Status DecideMatchReview(grpc::ServerContext* context, const v1::DecideMatchReviewRequest* request,
              v1::DecideMatchReviewResponse* response) override;
  grpc::Status EstimateMatchModel(grpc::ServerContext* context, const v1::EstimateMatchModelRequest* request,
              v1::EstimateMatchModelResponse* response) override;
  grpc::Status GetMatchModel(grpc::ServerContext* context, const v1::GetMatchModelRequest* request,
              v1::GetMatchModelResponse* response) override;
  grpc::Status MergeCustomers(grpc::ServerContext* context, const v1::MergeCustomersRequest* request,
              v1::MergeCustomersResponse* response) override;
  grpc::Status UnmergeCustomers(grpc::ServerContext* context, const v1::UnmergeCustomersRequest* request,
              v1::UnmergeCustomersResponse* response) override;
  grpc::Status StartDeduplication(grpc::ServerContext* context, const v1::StartDeduplicationRequest* request,
              v1::StartDeduplicationResponse* response) override;
  grpc::Status GetDeduplicationJob(grpc::ServerContext* context, const v1::GetDeduplicationJobRequest* request,
              v1::GetDeduplicationJobResponse* response) override;

  grpc::Status RecordConsent(grpc::ServerContext* context, const v1::RecordConsentRequest* request,
                             v1::RecordConsentResponse* response) override;
  grpc::Status EraseCustomer(grpc::ServerContext* context, const v1::EraseCustomerRequest* request,
                             v1::EraseCustomerResponse* response) override;
  grpc::Status ImportCustomers(grpc::ServerContext* context,
                               grpc::ServerReader<v1::ImportCustomersRequest>* reader,
                               v1::ImportCustomersResponse* response) override;

 private:
  Caller CallerOf(const grpc::ServerContext& context) const;

  IdentifyService* customers_;
  MatchingService* matching_;
  bool allow_full_view_;
  const Authorizer* authorizer_;
};

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_IDENTIFY_GRPC_H_
