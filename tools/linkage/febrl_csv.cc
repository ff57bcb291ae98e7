#include "tools/linkage/febrl_csv.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace crm::linkage {
namespace {

long long Pairs(long long n) { return n * (n - 1) / 2; }

void SetAddress(const FebrlRecord& r, identify::v1::Customer& c) {
  identify::v1::PostalAddress& a = *c.mutable_address();
  a.set_street_number(r.street_number);
  a.set_street(r.address_1);
  a.set_address_line2(r.address_2);
  a.set_locality(r.suburb);
  a.set_postcode(r.postcode);
  a.set_region(r.state);
}

}  // namespace

std::string FebrlRecord::TruthId() const {
  std::vector<std::string> parts = absl::StrSplit(rec_id, '-');
  if (parts.size() < 3 || parts[0] != "rec") return "";
  return parts[1];
}

absl::StatusOr<std::vector<FebrlRecord>> ParseFebrl(absl::string_view text) {
  std::vector<FebrlRecord> records;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripTrailingAsciiWhitespace(line);
    if (line_number == 1 || line.empty()) continue;
    std::vector<std::string> f = absl::StrSplit(line, ',');
    if (f.size() != 11 && f.size() != 13) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": expected 11 or 13 fields, got ", f.size()));
    }
    for (std::string& field : f) field = std::string(absl::StripAsciiWhitespace(field));
    f.resize(13);
    records.push_back(
        {f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12]});
  }
  return records;
}


identify::MatchRecord ToMatchRecord(const FebrlRecord& r) {
  identify::v1::Customer c;
  c.set_customer_id(r.rec_id);
  c.set_kind(identify::v1::CUSTOMER_KIND_PERSON);
  c.mutable_person()->set_given_name(r.given_name);
  c.mutable_person()->set_family_name(r.surname);
  SetAddress(r, c);
  identify::MatchRecord m = identify::MatchRecordOf(c);
  m.birth_date = r.date_of_birth;  // as given: a corrupted date still compares digit by digit
  m.national_id = r.soc_sec_id;
  m.phone = r.phone;
  m.email = r.email;
  return m;
}

PairwiseQuality EvaluatePairs(const std::vector<FebrlRecord>& records,
                              const std::vector<std::string>& cluster_ids) {
  std::map<std::string, long long> truth, predicted;
  std::map<std::pair<std::string, std::string>, long long> both;
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string person = records[i].TruthId().empty()
                                   ? absl::StrCat("#", records[i].rec_id)
                                   : records[i].TruthId();
    ++truth[person];
    ++predicted[cluster_ids[i]];
    ++both[{person, cluster_ids[i]}];
  }
  PairwiseQuality q;
  for (const auto& [k, n] : truth) q.true_pairs += Pairs(n);
  for (const auto& [k, n] : predicted) q.predicted_pairs += Pairs(n);
  for (const auto& [k, n] : both) q.correct_pairs += Pairs(n);
  q.precision = q.predicted_pairs ? double(q.correct_pairs) / double(q.predicted_pairs) : 1.0;
  q.recall = q.true_pairs ? double(q.correct_pairs) / double(q.true_pairs) : 1.0;
  q.f1 = q.precision + q.recall > 0 ? 2 * q.precision * q.recall / (q.precision + q.recall) : 0;
  return q;
}

identify::v1::Customer ToCustomer(const FebrlRecord& r, const std::string& ns) {
  namespace v1 = identify::v1;
  v1::Customer c;
  c.set_kind(v1::CUSTOMER_KIND_PERSON);
  c.set_category(v1::CUSTOMER_CATEGORY_CONSUMER);
  std::string name = absl::StrCat(r.given_name, " ", r.surname);
  c.set_display_name(name == " " ? r.rec_id : name);
  c.mutable_person()->set_given_name(r.given_name);
  c.mutable_person()->set_family_name(r.surname);
  int year, month, day;
  if (r.date_of_birth.size() == 8 && absl::SimpleAtoi(r.date_of_birth.substr(0, 4), &year) &&
      absl::SimpleAtoi(r.date_of_birth.substr(4, 2), &month) &&
      absl::SimpleAtoi(r.date_of_birth.substr(6, 2), &day)) {
    auto* date = c.mutable_person()->mutable_birth_date();
    date->set_year(year);
    date->set_month(month);
    date->set_day(day);
  }
  SetAddress(r, c);
  auto* external = c.add_identifiers();
  external->set_type(v1::IDENTIFIER_TYPE_EXTERNAL_ID);
  external->set_namespace_(ns);
  external->set_value(r.rec_id);
  for (const auto& [type, value] : {std::pair{v1::IDENTIFIER_TYPE_PHONE, r.phone},
                                    std::pair{v1::IDENTIFIER_TYPE_EMAIL, r.email}}) {
    if (value.empty()) continue;
    auto* id = c.add_identifiers();
    id->set_type(type);
    id->set_value(value);
  }
  if (!r.soc_sec_id.empty()) {
    auto* nid = c.add_identifiers();
    nid->set_type(v1::IDENTIFIER_TYPE_NATIONAL_ID);
    nid->set_value(r.soc_sec_id);
  }
  return c;
}

}  // namespace crm::linkage
