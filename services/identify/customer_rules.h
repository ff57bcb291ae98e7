#ifndef CRM_SERVICES_IDENTIFY_CUSTOMER_RULES_H_
#define CRM_SERVICES_IDENTIFY_CUSTOMER_RULES_H_

#include "absl/status/status.h"
#include "crm/identify/v1/identify.pb.h"

namespace crm::identify {

// Trims and checks the caller-supplied data of a customer (display name,
// category, profiles, address, attributes); INVALID_ARGUMENT naming the
// first bad field. Identifiers are checked separately.
absl::Status ValidateCustomerData(v1::Customer& customer);

// Validates a Source; an unspecified channel is INVALID_ARGUMENT.
absl::Status ValidateSource(v1::Source& source, bool required);

// Replaces personal data by masked forms for callers without full view:
// person names keep their first character per word, birth dates keep the
// year, street-level address and contact details are hidden, free-text
// notes are withheld. Organisation data and attributes stay visible.
void MaskCustomer(v1::Customer& customer);

// "Zhang San" -> "Z**** S**", "张三" -> "张*".
std::string MaskName(absl::string_view name);

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_CUSTOMER_RULES_H_
