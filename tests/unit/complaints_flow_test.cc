#include <map>
#include <set>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "services/complaints/complaint_flow.h"

namespace crm::complaints {
namespace {

using S = v1::ComplaintStatus;

// The handling process as the business defines it: what each status allows.
const std::map<S, std::set<Action>>& Expected() {
  static const auto* table = new std::map<S, std::set<Action>>{
      {v1::COMPLAINT_STATUS_RECEIVED,
       {Action::kAcknowledge, Action::kAssign, Action::kPause, Action::kResume, Action::kLink}},
      {v1::COMPLAINT_STATUS_ACKNOWLEDGED,
       {Action::kAssess, Action::kAssign, Action::kPause, Action::kResume, Action::kLink}},
      {v1::COMPLAINT_STATUS_ASSESSED,
       {Action::kAssess, Action::kPropose, Action::kAssign, Action::kPause, Action::kResume,
        Action::kLink}},
      {v1::COMPLAINT_STATUS_RESOLUTION_PROPOSED,
       {Action::kDecide, Action::kAssign, Action::kPause, Action::kResume, Action::kLink}},
      {v1::COMPLAINT_STATUS_ACCEPTED,
       {Action::kResolve, Action::kAssign, Action::kPause, Action::kResume, Action::kLink}},
      {v1::COMPLAINT_STATUS_REJECTED,
       {Action::kAssess, Action::kPropose, Action::kAssign, Action::kPause, Action::kResume,
        Action::kLink}},
      {v1::COMPLAINT_STATUS_RESOLVED, {Action::kFollowUp, Action::kLink}},
      {v1::COMPLAINT_STATUS_FOLLOWED_UP, {Action::kClose, Action::kReopen, Action::kLink}},
      {v1::COMPLAINT_STATUS_CLOSED, {Action::kReopen, Action::kLink}},
      {v1::COMPLAINT_STATUS_REOPENED,
       {Action::kAssess, Action::kPropose, Action::kAssign, Action::kPause, Action::kResume,
        Action::kLink}},
  };
  return *table;
}

constexpr Action kActions[] = {
    Action::kAcknowledge, Action::kAssess, Action::kPropose, Action::kDecide,
    Action::kResolve,     Action::kFollowUp, Action::kClose, Action::kReopen,
    Action::kAssign,      Action::kPause,   Action::kResume, Action::kLink};

TEST(ComplaintFlowTest, EveryStatusAllowsExactlyItsSteps) {
  for (const auto& [status, allowed] : Expected()) {
    for (Action action : kActions) {
      SCOPED_TRACE(absl::StrCat(v1::ComplaintStatus_Name(status), " / ", RpcOf(action)));
      const absl::Status s = CheckTransition(status, action);
      if (allowed.contains(action)) {
        EXPECT_TRUE(s.ok()) << s;
      } else {
        EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_EQ(ReasonOf(s), "INVALID_TRANSITION");
        EXPECT_EQ(MetadataOf(s)["status"], v1::ComplaintStatus_Name(status));
        EXPECT_NE(MetadataOf(s)["allowed"].find("LinkCustomer"), std::string::npos);
      }
    }
  }
}

TEST(ComplaintFlowTest, OnlyUnresolvedComplaintsAreOpen) {
  for (const auto& [status, allowed] : Expected()) {
    EXPECT_EQ(IsOpen(status), allowed.contains(Action::kPause)) << v1::ComplaintStatus_Name(status);
  }
}

}  // namespace
}  // namespace crm::complaints
