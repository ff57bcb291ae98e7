#ifndef CRM_SERVICES_IDENTIFY_CUSTOMER_CHANGES_H_
#define CRM_SERVICES_IDENTIFY_CUSTOMER_CHANGES_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "crm/identify/v1/identify.pb.h"
#include "google/protobuf/field_mask.pb.h"

namespace crm::identify {

// The customer's data as leaf field paths and text values ("person.given_name"
// -> "San", "person.birth_date" -> "1990-05-01", "attributes.tier" -> "gold").
// Empty values are left out.
std::map<std::string, std::string> FlattenCustomer(const v1::Customer& customer);

// One changed field.
struct FieldChange {
  std::string field;
  std::string old_value;
  std::string new_value;
};

// Fields whose value differs between `before` and `after`.
std::vector<FieldChange> DiffCustomers(const v1::Customer& before, const v1::Customer& after);

// Copies the fields named by `mask` from `update` into `target` (AIP-134):
// a message path replaces the whole sub-message, "attributes.<key>" sets or
// (when absent from update) deletes one attribute. INVALID_ARGUMENT for an
// empty mask or a path that cannot be updated.
absl::Status ApplyUpdateMask(const v1::Customer& update, const google::protobuf::FieldMask& mask,
                             v1::Customer& target);

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_CUSTOMER_CHANGES_H_
