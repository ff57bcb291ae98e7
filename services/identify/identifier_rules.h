#ifndef CRM_SERVICES_IDENTIFY_IDENTIFIER_RULES_H_
#define CRM_SERVICES_IDENTIFY_IDENTIFIER_RULES_H_

#include <set>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crm/identify/v1/identifier.pb.h"

namespace crm::identify {

// An identifier after normalisation: the form that is hashed, stored and
// compared.
struct NormalizedIdentifier {
  v1::IdentifierType type = v1::IDENTIFIER_TYPE_UNSPECIFIED;
  std::string ns;
  std::string value;

  // The text the blind index hashes: type, namespace and value.
  std::string IndexText() const;
};

// Validates and normalises `id` (see Identifier in identifier.proto);
// INVALID_ARGUMENT naming `field` otherwise. `default_region` applies to
// national phone numbers.
absl::StatusOr<NormalizedIdentifier> NormalizeIdentifier(const v1::Identifier& id,
                                                         absl::string_view default_region,
                                                         absl::string_view field);

// Values shared by many people that must never link customers: built-in
// placeholders ("000000", "null", test e-mail domains, one repeated digit)
// plus the deployment's own list (lines "<TYPE> <value>", e.g.
// "PHONE +862150501234", normalised on load; '#' starts a comment).
class JunkIdentifiers {
 public:
  JunkIdentifiers() = default;
  static absl::StatusOr<JunkIdentifiers> FromFile(const std::string& path,
                                                  absl::string_view default_region);
  bool IsJunk(const NormalizedIdentifier& id) const;
  size_t configured() const { return configured_.size(); }

 private:
  std::set<std::pair<int, std::string>> configured_;
};

// "+86138****5678", "z***@example.com", "ABCD****1234" (long codes) or
// "****" (short codes).
std::string MaskIdentifierValue(v1::IdentifierType type, absl::string_view value);

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_IDENTIFIER_RULES_H_
