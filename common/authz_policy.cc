#include "common/authz_policy.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "nlohmann/json.hpp"

namespace crm {
namespace {

absl::Status Bad(absl::string_view why) {
  return Error(absl::StatusCode::kInvalidArgument, "BAD_AUTHZ_POLICY", why);
}

absl::StatusOr<std::vector<std::string>> Principals(const nlohmann::json& list,
                                                    const std::string& where) {
  if (!list.is_array()) return Bad(absl::StrCat(where, ": expected a list of principals"));
  std::vector<std::string> out;
  for (const auto& p : list) {
    if (!p.is_string()) return Bad(absl::StrCat(where, ": principals are strings"));
    const std::string s = p.get<std::string>();
    if (s != "*" && !absl::StartsWith(s, "service:") && !absl::StartsWith(s, "role:") &&
        !absl::StartsWith(s, "user:")) {
      return Bad(absl::StrCat(where, ": '", s, "' is not *, service:, role: or user:"));
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace

absl::StatusOr<AuthzPolicy> AuthzPolicy::FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Bad(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  auto policy = FromJson(text.str());
  if (!policy.ok()) return Bad(absl::StrCat(path, ": ", policy.status().message()));
  return policy;
}

absl::StatusOr<AuthzPolicy> AuthzPolicy::FromJson(const std::string& text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Bad("not a JSON object");
  for (const auto& [key, value] : doc.items()) {
    if (key != "rules" && key != "full_view") return Bad(absl::StrCat("unknown key '", key, "'"));
  }
  if (!doc.contains("rules") || !doc["rules"].is_object()) return Bad("no \"rules\" object");
  AuthzPolicy policy;
  for (const auto& [method, list] : doc["rules"].items()) {
    const bool well_formed =
        method == "*" || (absl::StrContains(method, '/') && !absl::StartsWith(method, "/"));
    if (!well_formed) {
      return Bad(absl::StrCat("rule '", method, "' is not pkg.Service/Method, pkg.Service/* or *"));
    }
    auto principals = Principals(list, method);
    if (!principals.ok()) return principals.status();
    policy.rules_[method] = *std::move(principals);
  }
  if (doc.contains("full_view")) {
    auto principals = Principals(doc["full_view"], "full_view");
    if (!principals.ok()) return principals.status();
    policy.full_view_ = *std::move(principals);
  }
  return policy;
}

bool AuthzPolicy::Admits(const std::vector<std::string>& allowed,
                         const std::vector<std::string>& principals) {
  if (principals.empty()) return false;
  for (const auto& a : allowed) {
    if (a == "*" || std::find(principals.begin(), principals.end(), a) != principals.end()) {
      return true;
    }
  }
  return false;
}

bool AuthzPolicy::Allows(const std::string& method,
                         const std::vector<std::string>& principals) const {
  const std::string name = absl::StartsWith(method, "/") ? method.substr(1) : method;
  const std::string service_wide = absl::StrCat(name.substr(0, name.rfind('/')), "/*");
  for (const std::string& key : {name, service_wide, std::string("*")}) {
    auto rule = rules_.find(key);
    if (rule != rules_.end()) return Admits(rule->second, principals);
  }
  return false;
}

bool AuthzPolicy::MayViewFull(const std::vector<std::string>& principals) const {
  return Admits(full_view_, principals);
}

}  // namespace crm
