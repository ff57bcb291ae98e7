#ifndef CRM_SERVICES_IDENTIFY_IDENTIFY_SERVICE_H_
#define CRM_SERVICES_IDENTIFY_IDENTIFY_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "crm/identify/v1/identify.pb.h"
#include "services/identify/identifier_rules.h"
#include "services/identify/identify_store.h"

namespace crm::identify {

// Who is calling, as far as the transport knows.
struct Caller {
  std::string principal = "anonymous";
  std::string peer;
  // May read personal data unmasked (CUSTOMER_VIEW_FULL).
  bool may_view_full = false;
};

struct IdentifyOptions {
  // ISO 3166-1 alpha-2 region of national phone numbers.
  std::string default_region = "CN";
  JunkIdentifiers junk;
  // An identifier presented with this many different names, each clearly not
  // its holder's, is junk (a shop's own phone typed in for its customers).
  int junk_after_conflicting_names = 3;
};

// The domain rules of identification, free of any transport.
class IdentifyService {
 public:
  IdentifyService(IdentifyStore* store, const Clock* clock, IdGenerator* ids,
                  IdentifyOptions options)
      : store_(store), clock_(clock), ids_(ids), options_(std::move(options)) {}

  absl::StatusOr<v1::CreateCustomerResponse> CreateCustomer(const v1::CreateCustomerRequest& request);
  absl::StatusOr<v1::GetCustomerResponse> GetCustomer(const v1::GetCustomerRequest& request,
                                                      const Caller& caller);
  absl::StatusOr<v1::UpdateCustomerResponse> UpdateCustomer(const v1::UpdateCustomerRequest& request);
  absl::StatusOr<v1::ListCustomersResponse> ListCustomers(const v1::ListCustomersRequest& request);
  absl::StatusOr<v1::AddIdentifierResponse> AddIdentifier(const v1::AddIdentifierRequest& request);
  absl::StatusOr<v1::RemoveIdentifierResponse> RemoveIdentifier(
      const v1::RemoveIdentifierRequest& request);
  absl::StatusOr<v1::LookupCustomerResponse> LookupCustomer(const v1::LookupCustomerRequest& request,
                                                            const Caller& caller);
  absl::StatusOr<v1::GetCustomerHistoryResponse> GetCustomerHistory(
      const v1::GetCustomerHistoryRequest& request, const Caller& caller);
  absl::StatusOr<v1::SetLifecycleStatusResponse> SetLifecycleStatus(
      const v1::SetLifecycleStatusRequest& request);
  absl::StatusOr<v1::RecordContactResponse> RecordContact(const v1::RecordContactRequest& request);
  absl::StatusOr<v1::ListContactsResponse> ListContacts(const v1::ListContactsRequest& request);
  absl::StatusOr<v1::RecordConsentResponse> RecordConsent(const v1::RecordConsentRequest& request);
  absl::StatusOr<v1::EraseCustomerResponse> EraseCustomer(const v1::EraseCustomerRequest& request);

 private:
  // Normalises `id` with the request's or the default region and refuses
  // junk values.
  absl::StatusOr<NormalizedIdentifier> Normalize(const v1::Identifier& id,
                                                 absl::string_view request_region,
                                                 absl::string_view field) const;
  // True for FULL; FULL is allowed only to callers who may see personal
  // data (PERMISSION_DENIED / FULL_VIEW_NOT_ALLOWED otherwise).
  absl::StatusOr<bool> FullView(v1::CustomerView view, const Caller& caller) const;
  // Writes the access audit of a full read, or masks `customer`.
  absl::Status Present(bool full, const Caller& caller, absl::string_view method,
                       v1::Customer& customer);

  IdentifyStore* store_;
  const Clock* clock_;
  IdGenerator* ids_;
  IdentifyOptions options_;
};

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_IDENTIFY_SERVICE_H_
