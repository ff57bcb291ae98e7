#ifndef CRM_COMMON_AUTHZ_POLICY_H_
#define CRM_COMMON_AUTHZ_POLICY_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace crm {

// Who may call what, read from a JSON file:
//   {"rules": {"crm.segment.v1.SegmentService/GetCustomerTier": ["service:complaints",
//   "role:agent"],
//              "crm.segment.v1.SegmentService/*": ["role:admin"],
//              "grpc.health.v1.Health/*": ["*"]},
//    "full_view": ["role:privacy_officer"]}
// A caller's principals are "service:<name>" (its certificate, CN crm-<name>),
// "role:<role>" and "user:<sub>" (its bearer token). The most specific rule
// decides: the exact method, else its service's "/*", else "*"; "*" in a
// list admits any authenticated caller; no rule admits no one.
class AuthzPolicy {
 public:
  static absl::StatusOr<AuthzPolicy> FromFile(const std::string& path);
  static absl::StatusOr<AuthzPolicy> FromJson(const std::string& text);

  // `method` as gRPC sends it: "/pkg.Service/Method".
  bool Allows(const std::string& method, const std::vector<std::string>& principals) const;
  // May read personal data unmasked (identify's CUSTOMER_VIEW_FULL).
  bool MayViewFull(const std::vector<std::string>& principals) const;

 private:
  static bool Admits(const std::vector<std::string>& allowed,
                     const std::vector<std::string>& principals);

  std::map<std::string, std::vector<std::string>> rules_;
  std::vector<std::string> full_view_;
};

}  // namespace crm

#endif  // CRM_COMMON_AUTHZ_POLICY_H_
