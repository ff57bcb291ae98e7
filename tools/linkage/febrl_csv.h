#ifndef CRM_TOOLS_LINKAGE_FEBRL_CSV_H_
#define CRM_TOOLS_LINKAGE_FEBRL_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crm/identify/v1/identify.pb.h"
#include "services/identify/match_record.h"

namespace crm::linkage {

// One record of a FEBRL-format file: rec_id, given_name, surname,
// street_number, address_1, address_2, suburb, postcode, state,
// date_of_birth (YYYYMMDD), soc_sec_id; optionally followed by phone and
// email (as crm-identify-datagen writes).
struct FebrlRecord {
  std::string rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode,
      state, date_of_birth, soc_sec_id, phone, email;
  // The person behind the record by the ground truth in rec_id
  // ("rec-12-org", "rec-12-dup-0" -> "12"); "" when rec_id has another form.
  std::string TruthId() const;
};

// Parses a whole file (header line first; fields separated by "," with
// optional spaces). INVALID_ARGUMENT names the line of a malformed record.
absl::StatusOr<std::vector<FebrlRecord>> ParseFebrl(absl::string_view text);

struct PairwiseQuality {
  long long true_pairs = 0, predicted_pairs = 0, correct_pairs = 0;
  double precision = 0, recall = 0, f1 = 0;
};

// The record in the form record linkage compares (the national id stands in
// for its keyed hash; phone and e-mail as given).
identify::MatchRecord ToMatchRecord(const FebrlRecord& record);

// The record as a person to create: profile, address, the external id
// `ns`/rec_id, and its phone, e-mail and national id when present.
identify::v1::Customer ToCustomer(const FebrlRecord& record, const std::string& ns);

// Pairwise precision, recall and F1 of `cluster_ids` (one per record, e.g.
// the surviving customer id) against the records' ground truth.
PairwiseQuality EvaluatePairs(const std::vector<FebrlRecord>& records,
                              const std::vector<std::string>& cluster_ids);

}  // namespace crm::linkage

#endif  // CRM_TOOLS_LINKAGE_FEBRL_CSV_H_
