#ifndef CRM_SERVICES_SEGMENT_SEGMENT_RULE_H_
#define CRM_SERVICES_SEGMENT_SEGMENT_RULE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crm/segment/v1/segment.pb.h"

namespace crm::segment {

// A segment's rule: a boolean expression over a customer's stored value.
//
//   rule    := or
//   or      := and ("or" and)*
//   and     := not ("and" not)*
//   not     := "not" not | "(" rule ")" | compare
//   compare := field ("=" | "!=" | "<" | "<=" | ">" | ">=") literal
//            | field ["not"] "in" "(" literal ("," literal)* ")"
//   literal := number | 'text' | "text"
//
// Number fields: recency_days, frequency, monetary_minor, r, f, m, clv,
// p_alive, complaints_filed, complaints_open, satisfaction. Text fields
// (= != in only): rfm_cell, rfm_segment, tier, stage, abc, quadrant. Keywords are
// case-insensitive. A comparison with a value the customer does not have
// (no CLV when the models could not be fitted, no satisfaction before a
// closed complaint) is false; "not" of it is true.
//
// Example: tier in ('vip', 'key') and recency_days > 90 and not stage = 'decline'
class SegmentRule {
 public:
  // INVALID_ARGUMENT / INVALID_RULE, saying where and what was expected,
  // e.g. "at 17: expected a number after '>'".
  static absl::StatusOr<SegmentRule> Parse(absl::string_view text);

  bool Matches(const v1::CustomerValue& value) const;

  struct Node;

 private:
  explicit SegmentRule(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const Node> root_;
};

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_SEGMENT_RULE_H_
