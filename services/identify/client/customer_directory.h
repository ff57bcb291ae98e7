#ifndef CRM_SERVICES_IDENTIFY_CLIENT_CUSTOMER_DIRECTORY_H_
#define CRM_SERVICES_IDENTIFY_CLIENT_CUSTOMER_DIRECTORY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crm/identify/v1/identifier.pb.h"
#include "crm/identify/v1/identify.pb.h"

namespace crm::identify {

// What other services ask identify: who holds an identifier (a member card,
// a phone, ...), and recording a contact with a customer.
class CustomerDirectory {
 public:
  virtual ~CustomerDirectory() = default;
  // The customer id. NOT_FOUND / CUSTOMER_NOT_FOUND when no live customer
  // holds it; INVALID_ARGUMENT for an identifier identify refuses;
  // UNAVAILABLE / IDENTIFY_UNAVAILABLE when identify cannot be reached.
  virtual absl::StatusOr<std::string> CustomerOf(const v1::Identifier& identifier,
                                                 absl::string_view default_region) = 0;
  // Records a touchpoint, idempotent by request_id. UNAVAILABLE /
  // IDENTIFY_UNAVAILABLE when identify cannot be reached; other codes as
  // identify answered.
  virtual absl::Status RecordContact(absl::string_view request_id,
                                     const v1::Contact& contact) = 0;
};

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_CLIENT_CUSTOMER_DIRECTORY_H_
