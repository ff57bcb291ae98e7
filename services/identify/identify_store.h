#ifndef CRM_SERVICES_IDENTIFY_IDENTIFY_STORE_H_
#define CRM_SERVICES_IDENTIFY_IDENTIFY_STORE_H_

#include "absl/strings/string_view.h"
#include <string_view>

#include "absl/status/statusor.h"
#include "common/idempotency.h"
#include "crm/identify/v1/identify.pb.h"

namespace crm::identify {

// Persistence of the identify service.
class IdentifyStore {
 public:
  virtual ~IdentifyStore() = default;

  // Inserts a fully formed customer; a replay of `key` returns the customer
  // the first request created and inserts nothing.
  virtual absl::StatusOr<v1::Customer> CreateCustomer(const RequestKey& key,
                                                      const v1::Customer& customer) = 0;

  // NOT_FOUND / CUSTOMER_NOT_FOUND when absent.
  virtual absl::StatusOr<v1::Customer> GetCustomer(absl::string_view customer_id) = 0;
};

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_IDENTIFY_STORE_H_
