#ifndef CRM_SERVICES_LOYALTY_CUSTOMER_DIRECTORY_H_
#define CRM_SERVICES_LOYALTY_CUSTOMER_DIRECTORY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crm/identify/v1/identifier.pb.h"

namespace crm::loyalty {

// Who holds an identifier (a member card, a phone, ...): the identify
// service's customer id.
class CustomerDirectory {
 public:
  virtual ~CustomerDirectory() = default;
  // NOT_FOUND / CUSTOMER_NOT_FOUND when no live customer holds it;
  // INVALID_ARGUMENT for an identifier identify refuses; UNAVAILABLE /
  // IDENTIFY_UNAVAILABLE when identify cannot be reached.
  virtual absl::StatusOr<std::string> CustomerOf(const identify::v1::Identifier& identifier,
                                                 absl::string_view default_region) = 0;
};

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_CUSTOMER_DIRECTORY_H_
