#ifndef CRM_SERVICES_IDENTIFY_IDENTIFY_SERVICE_H_
#define CRM_SERVICES_IDENTIFY_IDENTIFY_SERVICE_H_

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "crm/identify/v1/identify.pb.h"
#include "services/identify/identify_store.h"

namespace crm::identify {

// The domain rules of identification, free of any transport.
class IdentifyService {
 public:
  IdentifyService(IdentifyStore* store, const Clock* clock, IdGenerator* ids)
      : store_(store), clock_(clock), ids_(ids) {}

  absl::StatusOr<v1::CreateCustomerResponse> CreateCustomer(const v1::CreateCustomerRequest& request);
  absl::StatusOr<v1::GetCustomerResponse> GetCustomer(const v1::GetCustomerRequest& request);

 private:
  IdentifyStore* store_;
  const Clock* clock_;
  IdGenerator* ids_;
};

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_IDENTIFY_SERVICE_H_
