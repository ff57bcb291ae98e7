#include "services/identify/identifier_rules.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "services/identify/text_normalize.h"

namespace crm::identify {
namespace {

bool NeedsNamespace(v1::IdentifierType type) {
  return type == v1::IDENTIFIER_TYPE_EXTERNAL_ID || type == v1::IDENTIFIER_TYPE_DEVICE_ID;
}

bool IsValidNamespace(absl::string_view ns) {
  if (ns.empty() || ns.size() > 64) return false;
  for (char c : ns) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_' && c != '.' && c != '-') {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::string> NormalizeValue(v1::IdentifierType type, absl::string_view raw,
                                           absl::string_view default_region) {
  switch (type) {
    case v1::IDENTIFIER_TYPE_PHONE:
      return NormalizePhone(raw, default_region);
    case v1::IDENTIFIER_TYPE_EMAIL:
      return NormalizeEmail(raw);
    case v1::IDENTIFIER_TYPE_MEMBER_CARD:
    case v1::IDENTIFIER_TYPE_NATIONAL_ID:
    case v1::IDENTIFIER_TYPE_ORG_REGISTRATION_CODE:
      return NormalizeCode(raw, /*upper_case=*/true);
    default:
      return NormalizeCode(raw, /*upper_case=*/false);
  }
}

bool OneRepeatedCharacter(absl::string_view v) {
  v = absl::StripPrefix(v, "+");
  return v.size() >= 3 && v.find_first_not_of(v[0]) == absl::string_view::npos;
}

bool IsPlaceholder(const NormalizedIdentifier& id) {
  static const std::set<std::string> kWords = {
      "NULL", "NONE", "N/A", "NA", "UNKNOWN", "TEST", "NIL", "EMPTY", "DEFAULT", "-",
      "123456", "1234567", "12345678", "123456789", "1234567890", "0123456789"};
  const std::string upper = absl::AsciiStrToUpper(id.value);
  if (kWords.contains(upper) || OneRepeatedCharacter(id.value)) return true;
  if (id.type == v1::IDENTIFIER_TYPE_PHONE && id.value.size() > 8) {
    const absl::string_view last8 = absl::string_view(id.value).substr(id.value.size() - 8);
    return OneRepeatedCharacter(last8) || last8 == "12345678" || last8 == "87654321";
  }
  if (id.type == v1::IDENTIFIER_TYPE_EMAIL) {
    static const std::set<std::string> kLocal = {"test", "null", "none", "noreply", "no-reply",
                                                 "nobody", "unknown", "na", "n/a", "abc"};
    static const std::set<std::string> kDomains = {"example.com", "example.org", "example.net",
                                                   "test.com", "invalid", "localhost"};
    const size_t at = id.value.find('@');
    const std::string local = id.value.substr(0, at);
    const std::string domain = id.value.substr(at + 1);
    return kLocal.contains(local) || kDomains.contains(domain) || absl::EndsWith(domain, ".test") ||
           absl::EndsWith(domain, ".invalid") || absl::EndsWith(domain, ".example");
  }
  return false;
}

}  // namespace

std::string NormalizedIdentifier::IndexText() const {
  return absl::StrCat(static_cast<int>(type), "|", ns, "|", value);
}

absl::StatusOr<NormalizedIdentifier> NormalizeIdentifier(const v1::Identifier& id,
                                                         absl::string_view default_region,
                                                         absl::string_view field) {
  if (id.type() == v1::IDENTIFIER_TYPE_UNSPECIFIED || !v1::IdentifierType_IsValid(id.type())) {
    return InvalidArgument(absl::StrCat(field, ".type"), "is not a known identifier type");
  }
  NormalizedIdentifier out;
  out.type = id.type();
  if (NeedsNamespace(id.type())) {
    out.ns = absl::AsciiStrToLower(absl::StripAsciiWhitespace(id.namespace_()));
    if (!IsValidNamespace(out.ns)) {
      return InvalidArgument(absl::StrCat(field, ".namespace"),
                             "is required for external and device ids: 1-64 of [a-z0-9_.-]");
    }
  } else if (!id.namespace_().empty()) {
    return InvalidArgument(absl::StrCat(field, ".namespace"),
                           "applies only to external and device ids");
  }
  auto value = NormalizeValue(id.type(), id.value(), default_region);
  if (!value.ok()) {
    return InvalidArgument(absl::StrCat(field, ".value"), value.status().message());
  }
  out.value = *std::move(value);
  return out;
}

absl::StatusOr<JunkIdentifiers> JunkIdentifiers::FromFile(const std::string& path,
                                                          absl::string_view default_region) {
  std::ifstream in(path);
  if (!in) {
    return Error(absl::StatusCode::kInvalidArgument, "BLOCKLIST_UNREADABLE",
                 absl::StrCat("cannot read the identifier blocklist ", path));
  }
  JunkIdentifiers junk;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string content = line.substr(0, line.find('#'));
    absl::string_view text = absl::StripAsciiWhitespace(content);
    if (text.empty()) continue;
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(text, absl::MaxSplits(' ', 1));
    v1::IdentifierType type;
    v1::Identifier id;
    if (!v1::IdentifierType_Parse(absl::StrCat("IDENTIFIER_TYPE_", parts.first), &type)) {
      return Error(absl::StatusCode::kInvalidArgument, "BLOCKLIST_INVALID",
                   absl::StrCat(path, ":", number, ": unknown identifier type ", parts.first));
    }
    id.set_type(type);
    std::pair<absl::string_view, absl::string_view> ns_value = {"", parts.second};
    if (NeedsNamespace(type)) ns_value = absl::StrSplit(parts.second, absl::MaxSplits(' ', 1));
    id.set_namespace_(std::string(ns_value.first));
    id.set_value(std::string(ns_value.second));
    auto normalized = NormalizeIdentifier(id, default_region, "blocklist");
    if (!normalized.ok()) {
      return Error(absl::StatusCode::kInvalidArgument, "BLOCKLIST_INVALID",
                   absl::StrCat(path, ":", number, ": ", normalized.status().message()));
    }
    junk.configured_.emplace(normalized->type, normalized->IndexText());
  }
  return junk;
}

bool JunkIdentifiers::IsJunk(const NormalizedIdentifier& id) const {
  return IsPlaceholder(id) || configured_.contains({id.type, id.IndexText()});
}

std::string MaskIdentifierValue(v1::IdentifierType type, absl::string_view value) {
  if (type == v1::IDENTIFIER_TYPE_NATIONAL_ID) return "****";
  if (type == v1::IDENTIFIER_TYPE_EMAIL) {
    const size_t at = value.find('@');
    if (at == absl::string_view::npos || at == 0) return "***";
    return absl::StrCat(value.substr(0, 1), "***", value.substr(at));
  }
  if (value.size() <= 8) return "****";
  const size_t keep_front = value.size() >= 12 ? value.size() - 8 : 2;
  return absl::StrCat(value.substr(0, keep_front), "****", value.substr(value.size() - 4));
}

}  // namespace crm::identify
