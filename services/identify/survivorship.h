#ifndef CRM_SERVICES_IDENTIFY_SURVIVORSHIP_H_
#define CRM_SERVICES_IDENTIFY_SURVIVORSHIP_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "crm/identify/v1/identify.pb.h"

namespace crm::identify {

// When and from where a field got its current value.
struct FieldOrigin {
  absl::Time changed_at = absl::InfinitePast();
  v1::CollectionChannel channel = v1::COLLECTION_CHANNEL_UNSPECIFIED;
};
using FieldOrigins = std::map<std::string, FieldOrigin>;  // by FlattenCustomer path

struct SurvivorshipRules {
  v1::SurvivorshipRule default_rule = v1::SURVIVORSHIP_RULE_MOST_RECENT;
  // By field path or a prefix of it ("address" covers "address.street").
  std::map<std::string, v1::SurvivorshipRule> field_rules;

  v1::SurvivorshipRule RuleFor(const std::string& field) const;
};

// INVALID_ARGUMENT for unknown rules or paths that name no customer field.
absl::Status ValidateRules(const SurvivorshipRules& rules);

// The survivor's data after merging `merged` into it: a field empty on one
// side takes the other's value; where both have values that differ, the
// field's rule decides. Identity fields (id, kind, lifecycle, timestamps)
// stay the survivor's.
v1::Customer MergeCustomerData(const v1::Customer& survivor, const FieldOrigins& survivor_origins,
                               const v1::Customer& merged, const FieldOrigins& merged_origins,
                               const SurvivorshipRules& rules);

// Sets `field` (a FlattenCustomer path) of `target` to its value in `source`
// (clearing it when `source` has none).
void CopyField(const v1::Customer& source, const std::string& field, v1::Customer& target);

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_SURVIVORSHIP_H_
