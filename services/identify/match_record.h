#ifndef CRM_SERVICES_IDENTIFY_MATCH_RECORD_H_
#define CRM_SERVICES_IDENTIFY_MATCH_RECORD_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crm/identify/v1/identify.pb.h"

namespace crm::identify {

// What record linkage compares, in comparable form: folded, lower-cased text,
// dates as YYYYMMDD, identifiers normalised (the national id as its keyed
// hash, in hex).
struct MatchRecord {
  std::string customer_id;
  std::string given_name, family_name, birth_date;
  std::string street_number, street, address_line2, locality, postcode, region;
  std::string national_id, phone, email;

  std::string Serialize() const;
  static absl::StatusOr<MatchRecord> Parse(absl::string_view bytes);
};

// `national_id_hash` hashes a normalised national id value (the store knows
// the key). Identifiers of other types are taken from the customer.
MatchRecord MatchRecordOf(const v1::Customer& customer,
                          absl::string_view national_id_hash = "");

// The compared fields, in a fixed order.
enum MatchField : uint8_t {
  kGivenName,
  kFamilyName,
  kBirthDate,
  kStreetNumber,
  kStreet,
  kAddressLine2,
  kLocality,
  kPostcode,
  kRegion,
  kNationalId,
  kPhone,
  kEmail,
  kMatchFieldCount
};
const char* MatchFieldName(MatchField field);

// Agreement levels: 0 = a side is missing (no evidence either way),
// 1 = disagree, 2 = weak agreement, 3 = strong agreement, 4 = exact.
inline constexpr int kMatchLevels = 5;
const char* MatchLevelName(int level);
using MatchPattern = std::array<uint8_t, kMatchFieldCount>;

// Compares two records field by field (given and family names are also
// compared crosswise, for swapped names).
MatchPattern CompareRecords(const MatchRecord& a, const MatchRecord& b);

// Both the given and the family name disagree (also crosswise): not the
// same person, whatever identifier they share.
bool NamesClearlyDiffer(const MatchPattern& pattern);

// Blocking keys (plain text "<rule>|<values>"; the store hashes them):
// candidate pairs are the records sharing at least one key, so a lookup never
// scans all customers.
std::vector<std::string> BlockingKeys(const MatchRecord& record);

// The blocking rules by tag, with the fields each rule requires to agree.
struct BlockingRule {
  std::string tag;
  std::vector<MatchField> fields;
};
const std::vector<BlockingRule>& BlockingRules();

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_MATCH_RECORD_H_
