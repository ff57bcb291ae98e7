#include "services/identify/survivorship.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "common/text.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/identify/customer_changes.h"

namespace crm::identify {
namespace {

using google::protobuf::util::FieldMaskUtil;

// Channel trust: direct channels (low numbers) before indirect ones; an
// unknown channel is trusted least.
int Trust(v1::CollectionChannel channel) {
  return channel == v1::COLLECTION_CHANNEL_UNSPECIFIED ? 1000 : static_cast<int>(channel);
}

bool MergedWins(v1::SurvivorshipRule rule, const std::string& survivor_value,
                const FieldOrigin& survivor_origin, const std::string& merged_value,
                const FieldOrigin& merged_origin) {
  if (rule == v1::SURVIVORSHIP_RULE_MOST_TRUSTED_CHANNEL &&
      Trust(merged_origin.channel) != Trust(survivor_origin.channel)) {
    return Trust(merged_origin.channel) < Trust(survivor_origin.channel);
  }
  if (rule == v1::SURVIVORSHIP_RULE_MOST_COMPLETE) {
    const size_t s = Utf8Length(survivor_value), m = Utf8Length(merged_value);
    if (s != m) return m > s;
  }
  return merged_origin.changed_at > survivor_origin.changed_at;
}

FieldOrigin OriginOf(const FieldOrigins& origins, const std::string& field) {
  auto it = origins.find(field);
  return it == origins.end() ? FieldOrigin{} : it->second;
}

}  // namespace

v1::SurvivorshipRule SurvivorshipRules::RuleFor(const std::string& field) const {
  std::string path = field;
  while (true) {
    auto it = field_rules.find(path);
    if (it != field_rules.end() && it->second != v1::SURVIVORSHIP_RULE_UNSPECIFIED) {
      return it->second;
    }
    const size_t dot = path.rfind('.');
    if (dot == std::string::npos) break;
    path.resize(dot);
  }
  return default_rule == v1::SURVIVORSHIP_RULE_UNSPECIFIED ? v1::SURVIVORSHIP_RULE_MOST_RECENT
                                                           : default_rule;
}

absl::Status ValidateRules(const SurvivorshipRules& rules) {
  if (!v1::SurvivorshipRule_IsValid(rules.default_rule)) {
    return InvalidArgument("default_rule", "is not a known survivorship rule");
  }
  for (const auto& [path, rule] : rules.field_rules) {
    if (!v1::SurvivorshipRule_IsValid(rule)) {
      return InvalidArgument("field_rules", absl::StrCat("rule of \"", path, "\" is unknown"));
    }
    const bool attribute = absl::StartsWith(path, "attributes.") || path == "attributes";
    if (!attribute && !FieldMaskUtil::GetFieldDescriptors(v1::Customer::descriptor(), path,
                                                          nullptr)) {
      return InvalidArgument("field_rules",
                             absl::StrCat("\"", path, "\" is not a customer field"));
    }
  }
  return absl::OkStatus();
}

void CopyField(const v1::Customer& source, const std::string& field, v1::Customer& target) {
  if (absl::StartsWith(field, "attributes.")) {
    const std::string key(absl::StripPrefix(field, "attributes."));
    auto it = source.attributes().find(key);
    if (it == source.attributes().end()) {
      target.mutable_attributes()->erase(key);
    } else {
      (*target.mutable_attributes())[key] = it->second;
    }
    return;
  }
  google::protobuf::FieldMask mask;
  mask.add_paths(field);
  FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  FieldMaskUtil::MergeMessageTo(source, mask, options, &target);
  // Copying an absent leaf must not leave an empty parent behind.
  if (target.person().ByteSizeLong() == 0) target.clear_person();
  if (target.organization().ByteSizeLong() == 0) target.clear_organization();
  if (target.address().ByteSizeLong() == 0) target.clear_address();
}

v1::Customer MergeCustomerData(const v1::Customer& survivor, const FieldOrigins& survivor_origins,
                               const v1::Customer& merged, const FieldOrigins& merged_origins,
                               const SurvivorshipRules& rules) {
  v1::Customer result = survivor;
  const auto survivor_fields = FlattenCustomer(survivor);
  for (const auto& [field, merged_value] : FlattenCustomer(merged)) {
    auto it = survivor_fields.find(field);
    const bool take =
        it == survivor_fields.end() ||
        (it->second != merged_value &&
         MergedWins(rules.RuleFor(field), it->second, OriginOf(survivor_origins, field),
                    merged_value, OriginOf(merged_origins, field)));
    if (take) CopyField(merged, field, result);
  }
  return result;
}

}  // namespace crm::identify
