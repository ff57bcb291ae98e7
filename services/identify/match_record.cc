#include "services/identify/match_record.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/identify/similarity.h"
#include "services/identify/text_normalize.h"

namespace crm::identify {
namespace {

std::string Comparable(absl::string_view text) {
  return absl::AsciiStrToLower(FoldWidthAndSpace(text));
}

std::vector<std::string*> Fields(MatchRecord& r) {
  return {&r.customer_id, &r.given_name,   &r.family_name, &r.birth_date, &r.street_number,
          &r.street,      &r.address_line2, &r.locality,   &r.postcode,   &r.region,
          &r.national_id, &r.phone,        &r.email};
}

uint8_t ExactOnly(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return 0;
  return a == b ? 4 : 1;
}

uint8_t NameLevel(double jw) { return jw >= 0.999 ? 4 : jw >= 0.92 ? 3 : jw >= 0.8 ? 2 : 1; }

uint8_t TextLevel(const std::string& a, const std::string& b, double strong, double weak) {
  if (a.empty() || b.empty()) return 0;
  if (a == b) return 4;
  const double jw = JaroWinkler(a, b);
  return jw >= strong ? 3 : jw >= weak ? 2 : 1;
}

uint8_t NameLevelOf(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return 0;
  return NameLevel(JaroWinkler(a, b));
}

uint8_t DateLevel(const std::string& a, const std::string& b) {
  switch (CompareDates(a, b)) {
    case DateAgreement::kExact: return 4;
    case DateAgreement::kTransposed:
    case DateAgreement::kOneDigit: return 3;
    case DateAgreement::kSameYear: return 2;
    case DateAgreement::kDisagree: return 1;
    case DateAgreement::kMissing: return 0;
  }
  return 0;
}

uint8_t NumberLevel(const std::string& a, const std::string& b, int close_within) {
  switch (CompareNumbers(a, b, close_within)) {
    case NumberAgreement::kExact: return 4;
    case NumberAgreement::kClose: return 3;
    case NumberAgreement::kDisagree: return 1;
    case NumberAgreement::kMissing: return 0;
  }
  return 0;
}

}  // namespace

std::string MatchRecord::Serialize() const {
  MatchRecord copy = *this;
  std::vector<std::string> escaped;
  for (std::string* field : Fields(copy)) escaped.push_back(absl::CEscape(*field));
  return absl::StrJoin(escaped, "\t");
}

absl::StatusOr<MatchRecord> MatchRecord::Parse(absl::string_view bytes) {
  std::vector<absl::string_view> parts = absl::StrSplit(bytes, '\t');
  MatchRecord record;
  std::vector<std::string*> fields = Fields(record);
  if (parts.size() != fields.size()) return absl::DataLossError("match record has wrong shape");
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!absl::CUnescape(parts[i], fields[i])) {
      return absl::DataLossError("match record does not unescape");
    }
  }
  return record;
}

MatchRecord MatchRecordOf(const v1::Customer& c, absl::string_view national_id_hash) {
  MatchRecord r;
  r.customer_id = c.customer_id();
  const auto& p = c.person();
  r.given_name = Comparable(p.given_name());
  r.family_name = Comparable(p.family_name());
  if (r.given_name.empty() && r.family_name.empty()) {
    // Organisations and people known only by a display name match on it.
    r.family_name = Comparable(c.kind() == v1::CUSTOMER_KIND_ORGANIZATION &&
                                       !c.organization().legal_name().empty()
                                   ? c.organization().legal_name()
                                   : c.display_name());
  }
  if (p.birth_date().year() > 0 && p.birth_date().month() > 0 && p.birth_date().day() > 0) {
    r.birth_date = absl::StrFormat("%04d%02d%02d", p.birth_date().year(), p.birth_date().month(),
                                   p.birth_date().day());
  }
  const auto& a = c.address();
  r.street_number = Comparable(a.street_number());
  r.street = Comparable(a.street());
  r.address_line2 = Comparable(a.address_line2());
  r.locality = Comparable(a.locality());
  r.postcode = Comparable(a.postcode());
  r.region = Comparable(a.region());
  r.national_id = absl::BytesToHexString(national_id_hash);
  for (const auto& id : c.identifiers()) {
    if (id.type() == v1::IDENTIFIER_TYPE_PHONE && r.phone.empty()) r.phone = id.value();
    if (id.type() == v1::IDENTIFIER_TYPE_EMAIL && r.email.empty()) r.email = id.value();
  }
  return r;
}

const char* MatchFieldName(MatchField field) {
  static const char* kNames[] = {"given_name", "family_name", "birth_date",  "street_number",
                                 "street",     "address_line2", "locality", "postcode",
                                 "region",     "national_id", "phone",      "email"};
  return kNames[field];
}

const char* MatchLevelName(int level) {
  static const char* kNames[] = {"MISSING", "DISAGREE", "WEAK", "STRONG", "EXACT"};
  return kNames[level];
}

MatchPattern CompareRecords(const MatchRecord& a, const MatchRecord& b) {
  MatchPattern p{};
  p[kGivenName] = NameLevelOf(a.given_name, b.given_name);
  p[kFamilyName] = NameLevelOf(a.family_name, b.family_name);
  if (p[kGivenName] <= 2 && p[kFamilyName] <= 2) {
    // Given and family name swapped between the records.
    const uint8_t cross_given = NameLevelOf(a.given_name, b.family_name);
    const uint8_t cross_family = NameLevelOf(a.family_name, b.given_name);
    if (cross_given >= 3 && cross_family >= 3) {
      p[kGivenName] = 3;
      p[kFamilyName] = 3;
    }
  }
  p[kBirthDate] = DateLevel(a.birth_date, b.birth_date);
  p[kStreetNumber] = NumberLevel(a.street_number, b.street_number, 1);
  p[kStreet] = TextLevel(a.street, b.street, 0.92, 0.8);
  p[kAddressLine2] = TextLevel(a.address_line2, b.address_line2, 0.92, 0.8);
  p[kLocality] = TextLevel(a.locality, b.locality, 0.92, 0.8);
  p[kPostcode] = NumberLevel(a.postcode, b.postcode, 0);
  p[kRegion] = ExactOnly(a.region, b.region);
  p[kNationalId] = ExactOnly(a.national_id, b.national_id);
  p[kPhone] = ExactOnly(a.phone, b.phone);
  p[kEmail] = ExactOnly(a.email, b.email);
  return p;
}

const std::vector<BlockingRule>& BlockingRules() {
  static const auto* rules = new std::vector<BlockingRule>{
      {"fg", {kFamilyName, kGivenName, kBirthDate}}, {"fb", {kFamilyName, kBirthDate}},
      {"gb", {kGivenName, kBirthDate}},
      {"ps", {kPostcode, kStreetNumber}}, {"pf", {kPostcode, kFamilyName}},
      {"n", {kNationalId}},              {"t", {kPhone}},
      {"e", {kEmail}}};
  return *rules;
}

bool NamesClearlyDiffer(const MatchPattern& pattern) {
  return pattern[kGivenName] == 1 && pattern[kFamilyName] == 1;
}

std::vector<std::string> BlockingKeys(const MatchRecord& r) {
  std::vector<std::string> keys;
  const std::string given = r.given_name.empty() ? "" : Soundex(r.given_name);
  const std::string family = r.family_name.empty() ? "" : Soundex(r.family_name);
  const absl::string_view year = absl::string_view(r.birth_date).substr(0, 4);
  auto add = [&](absl::string_view tag, std::initializer_list<absl::string_view> parts) {
    for (absl::string_view part : parts) {
      if (part.empty()) return;
    }
    keys.push_back(absl::StrCat(tag, "|", absl::StrJoin(parts, "|")));
  };
  add("fg", {family, given, year});
  add("fb", {family, r.birth_date});
  add("gb", {given, r.birth_date});
  add("ps", {r.postcode, r.street_number});
  add("pf", {r.postcode, family});
  add("n", {r.national_id});
  add("t", {r.phone});
  add("e", {r.email});
  return keys;
}

}  // namespace crm::identify
