#include <thread>

#include "tests/integration/complaints_fixture.h"

namespace crm::complaints {
namespace {

using v1::Step;

std::vector<Step::Kind> Kinds(const v1::Complaint& c) {
  std::vector<Step::Kind> kinds;
  for (const auto& step : c.timeline()) kinds.push_back(step.kind());
  return kinds;
}

TEST_F(ComplaintsTest, AComplaintGoesFromReceiptToASatisfiedClose) {
  const std::string customer = ids_.Next();
  tiers_.tiers[customer] = {"vip", "premium"};
  const std::string id = File(customer);
  v1::Complaint filed = Get(id);
  EXPECT_EQ(filed.status(), v1::COMPLAINT_STATUS_RECEIVED);
  EXPECT_EQ(filed.tier(), "vip");
  EXPECT_EQ(filed.sla().sla_class(), "premium");  // no such policy: standard targets apply
  EXPECT_EQ(filed.severity(), v1::SEVERITY_MEDIUM);

  clock_.Advance(absl::Minutes(20));
  ASSERT_TRUE(Acknowledge(id).ok());
  ASSERT_TRUE(Assess(id, v1::SEVERITY_HIGH).ok());
  ASSERT_TRUE(Propose(id, 500).ok());
  ASSERT_TRUE(Decide(id, false).ok());
  ASSERT_TRUE(Propose(id, 800).ok());
  ASSERT_TRUE(Decide(id, true).ok());
  auto resolved = Resolve(id);
  ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
  EXPECT_EQ(resolved->complaint().resolution().compensation_status(),
            v1::COMPENSATION_STATUS_GRANTED);
  EXPECT_EQ(ledger_.Total(), 800);  // the accepted proposal's points, not the rejected one's
  ASSERT_TRUE(FollowUp(id, 5).ok());
  ASSERT_TRUE(Close(id).ok());

  const v1::Complaint closed = Get(id);
  EXPECT_EQ(closed.status(), v1::COMPLAINT_STATUS_CLOSED);
  EXPECT_EQ(Kinds(closed),
            (std::vector<Step::Kind>{Step::KIND_RECEIVED, Step::KIND_ACKNOWLEDGED,
                                     Step::KIND_ASSESSED, Step::KIND_SEVERITY_CHANGED,
                                     Step::KIND_RESOLUTION_PROPOSED, Step::KIND_REJECTED,
                                     Step::KIND_RESOLUTION_PROPOSED, Step::KIND_ACCEPTED,
                                     Step::KIND_RESOLVED, Step::KIND_COMPENSATION_GRANTED,
                                     Step::KIND_FOLLOWED_UP, Step::KIND_CLOSED}));
  EXPECT_EQ(closed.timeline(1).actor(), "agent-7");
  EXPECT_EQ(closed.timeline(1).note(), "we are sorry, we will look into it");
  EXPECT_EQ(closed.severity(), v1::SEVERITY_HIGH);
  EXPECT_EQ(closed.proposal().number(), 2);
  EXPECT_EQ(closed.follow_up().satisfaction(), 5);
  EXPECT_TRUE(closed.sla().first_response_met());
  EXPECT_TRUE(closed.sla().resolution_met());
  EXPECT_EQ(Events("ComplaintFiled"), 1);
  EXPECT_EQ(Events("ComplaintResolved"), 1);
  EXPECT_EQ(Events("ComplaintClosed"), 1);

  // The filing was recorded as a contact in identify.
  ASSERT_EQ(directory_.contacts.size(), 1u);
  EXPECT_EQ(db_.Count("pending_calls"), 0);
  const auto& contact = directory_.contacts.begin()->second;
  EXPECT_EQ(contact.customer_id(), customer);
  EXPECT_EQ(contact.reference(), id);
  EXPECT_EQ(contact.channel(), identify::v1::COLLECTION_CHANNEL_COMPLAINT);

  // Not satisfied after all: reopened, and handled again.
  ASSERT_TRUE(Reopen(id).ok());
  const v1::Complaint reopened = Get(id);
  EXPECT_EQ(reopened.status(), v1::COMPLAINT_STATUS_REOPENED);
  EXPECT_EQ(reopened.reopen_count(), 1);
  EXPECT_FALSE(reopened.has_follow_up());
  EXPECT_FALSE(reopened.sla().has_resolution_time());
  EXPECT_EQ(Events("ComplaintReopened"), 1);
  ASSERT_TRUE(Propose(id).ok());
}

TEST_F(ComplaintsTest, EveryStepNotAllowedInAStatusIsRefusedAndChangesNothing) {
  const std::vector<v1::ComplaintStatus> statuses = {
      v1::COMPLAINT_STATUS_RECEIVED, v1::COMPLAINT_STATUS_ACKNOWLEDGED,
      v1::COMPLAINT_STATUS_ASSESSED, v1::COMPLAINT_STATUS_RESOLUTION_PROPOSED,
      v1::COMPLAINT_STATUS_ACCEPTED, v1::COMPLAINT_STATUS_RESOLVED,
      v1::COMPLAINT_STATUS_FOLLOWED_UP, v1::COMPLAINT_STATUS_CLOSED};
  for (v1::ComplaintStatus status : statuses) {
    SCOPED_TRACE(v1::ComplaintStatus_Name(status));
    const std::string id = FileAndTakeTo(status);
    const int steps = Get(id).timeline_size();
    const std::vector<std::pair<Action, std::function<absl::Status()>>> attempts = {
        {Action::kAcknowledge, [&] { return Acknowledge(id); }},
        {Action::kAssess, [&] { return Assess(id); }},
        {Action::kPropose, [&] { return Propose(id); }},
        {Action::kDecide, [&] { return Decide(id, true); }},
        {Action::kResolve, [&] { return Resolve(id).status(); }},
        {Action::kFollowUp, [&] { return FollowUp(id, 3); }},
        {Action::kClose, [&] { return Close(id); }},
        {Action::kReopen, [&] { return Reopen(id); }},
    };
    for (const auto& [action, attempt] : attempts) {
      if (CheckTransition(status, action).ok()) continue;
      const absl::Status refused = attempt();
      EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << RpcOf(action);
      EXPECT_EQ(ReasonOf(refused), "INVALID_TRANSITION") << RpcOf(action);
      EXPECT_EQ(MetadataOf(refused)["status"], v1::ComplaintStatus_Name(status));
    }
    const v1::Complaint after = Get(id);
    EXPECT_EQ(after.status(), status);
    EXPECT_EQ(after.timeline_size(), steps);
  }
}

TEST_F(ComplaintsTest, ARefusalNamesTheStepsThatAreAllowed) {
  const std::string id = File();
  const absl::Status refused = Close(id);
  EXPECT_EQ(MetadataOf(refused)["allowed"],
            "AcknowledgeComplaint, AssignComplaint, PauseSla, ResumeSla, LinkCustomer");
}

TEST_F(ComplaintsTest, BadInputIsRefusedWithTheField) {
  auto request = NewComplaint();
  request.mutable_complaint()->set_description("   ");
  EXPECT_EQ(MetadataOf(service_.FileComplaint(request).status())["field"],
            "complaint.description");
  request = NewComplaint();
  request.mutable_complaint()->set_severity(static_cast<v1::Severity>(9));
  EXPECT_EQ(MetadataOf(service_.FileComplaint(request).status())["field"], "complaint.severity");
  request = NewComplaint();
  request.mutable_complaint()->set_channel(v1::CHANNEL_UNSPECIFIED);
  EXPECT_EQ(MetadataOf(service_.FileComplaint(request).status())["field"], "complaint.channel");

  request = NewComplaint();
  request.mutable_customer_identifier()->set_value("+8613812345678");  // no type
  EXPECT_EQ(MetadataOf(service_.FileComplaint(request).status())["field"],
            "customer_identifier.type");
  v1::GetComplaintRequest get;
  get.set_complaint_id(ids_.Next());
  EXPECT_EQ(ReasonOf(service_.GetComplaint(get).status()), "COMPLAINT_NOT_FOUND");
  EXPECT_EQ(ReasonOf(Acknowledge(ids_.Next())), "COMPLAINT_NOT_FOUND");
  get.set_complaint_id("nope");
  EXPECT_EQ(MetadataOf(service_.GetComplaint(get).status())["field"], "complaint_id");

  const std::string id = FileAndTakeTo(v1::COMPLAINT_STATUS_RESOLVED);
  for (int satisfaction : {0, 6, -1}) {
    const absl::Status s = FollowUp(id, satisfaction);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(MetadataOf(s)["field"], "follow_up.satisfaction");
  }
  v1::AssessComplaintRequest assess;
  assess.set_complaint_id(id);
  *assess.mutable_by() = By("agent-7");
  assess.mutable_assessment()->set_category("delivery");
  EXPECT_EQ(MetadataOf(service_.AssessComplaint(assess).status())["field"],
            "assessment.invalid_reason");  // not valid needs a reason
  v1::PauseSlaRequest pause;
  pause.set_complaint_id(id);
  *pause.mutable_by() = By("agent-7");
  EXPECT_EQ(MetadataOf(service_.PauseSla(pause).status())["field"], "by.note");
  EXPECT_EQ(db_.Count("complaints"), 1);
}

TEST_F(ComplaintsTest, FilingIsIdempotentByRequestId) {
  auto request = NewComplaint();
  request.set_request_id("web-form-42");
  auto first = service_.FileComplaint(request);
  auto second = service_.FileComplaint(request);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->complaint().complaint_id(), second->complaint().complaint_id());
  EXPECT_EQ(db_.Count("complaints"), 1);
  EXPECT_EQ(Events("ComplaintFiled"), 1);
  request.mutable_complaint()->set_subject("something else");
  EXPECT_EQ(ReasonOf(service_.FileComplaint(request).status()), "IDEMPOTENCY_KEY_REUSED");
}

TEST_F(ComplaintsTest, CompensationIsGrantedOnceHoweverTheResolveIsRetried) {
  const std::string id = FileAndTakeTo(v1::COMPLAINT_STATUS_ASSESSED);
  ASSERT_TRUE(Propose(id, 300).ok());
  ASSERT_TRUE(Decide(id, true).ok());
  ledger_.down = true;
  auto first = Resolve(id, "resolve-1");
  ASSERT_TRUE(first.ok()) << Describe(first.status());
  EXPECT_EQ(first->complaint().status(), v1::COMPLAINT_STATUS_RESOLVED);
  EXPECT_EQ(first->complaint().resolution().compensation_status(),
            v1::COMPENSATION_STATUS_PENDING);
  ledger_.down = false;
  auto retried = Resolve(id, "resolve-1");  // the replay grants what is still pending
  ASSERT_TRUE(retried.ok()) << Describe(retried.status());
  EXPECT_EQ(retried->complaint().resolution().compensation_status(),
            v1::COMPENSATION_STATUS_GRANTED);
  EXPECT_EQ(ReasonOf(Resolve(id).status()), "INVALID_TRANSITION");
  EXPECT_EQ(ReasonOf(Resolve(id, "resolve-2").status()), "INVALID_TRANSITION");
  v1::RunSlaSweepRequest sweep;
  ASSERT_TRUE(service_.RunSlaSweep(sweep).ok());
  EXPECT_EQ(ledger_.Total(), 300);
  EXPECT_EQ(ledger_.granted.size(), 1u);
  EXPECT_EQ(db_.Count("pending_calls", "kind = 3"), 0);
  EXPECT_EQ(Events("ComplaintResolved"), 1);
  EXPECT_EQ(db_.Count("complaint_steps", "kind = 16"), 1);  // COMPENSATION_GRANTED
}

TEST_F(ComplaintsTest, CompensationLoyaltyMissedIsGrantedByTheSweep) {
  const std::string id = FileAndTakeTo(v1::COMPLAINT_STATUS_ASSESSED);
  ASSERT_TRUE(Propose(id, 120).ok());
  ASSERT_TRUE(Decide(id, true).ok());
  ledger_.down = true;
  ASSERT_TRUE(Resolve(id).ok());
  v1::RunSlaSweepRequest sweep;
  auto swept = service_.RunSlaSweep(sweep);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->pending_remaining(), 1);
  ledger_.down = false;
  clock_.Advance(absl::Minutes(2));  // past the retry backoff
  swept = service_.RunSlaSweep(sweep);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->pending_completed(), 1);
  EXPECT_EQ(Get(id).resolution().compensation_status(), v1::COMPENSATION_STATUS_GRANTED);
  EXPECT_EQ(ledger_.Total(), 120);
}

TEST_F(ComplaintsTest, ACompensationLoyaltyRefusesIsMarkedFailed) {
  ledger_.unknown_member = member_id_;
  const std::string id = FileAndTakeTo(v1::COMPLAINT_STATUS_ASSESSED);
  ASSERT_TRUE(Propose(id, 50).ok());
  ASSERT_TRUE(Decide(id, true).ok());
  auto resolved = Resolve(id);
  ASSERT_TRUE(resolved.ok());
  const v1::Complaint c = Get(id);
  EXPECT_EQ(c.resolution().compensation_status(), v1::COMPENSATION_STATUS_FAILED);
  EXPECT_NE(c.resolution().compensation_note(), "");
  EXPECT_EQ(db_.Count("pending_calls"), 0);
}

TEST_F(ComplaintsTest, AnUnknownComplainantIsAcceptedAndLinkedLater) {
  auto request = NewComplaint();
  request.mutable_customer_identifier()->set_type(identify::v1::IDENTIFIER_TYPE_PHONE);
  request.mutable_customer_identifier()->set_value("+8613812345678");
  directory_.down = true;  // identify is down at intake
  auto filed = service_.FileComplaint(request);
  ASSERT_TRUE(filed.ok()) << Describe(filed.status());
  const std::string id = filed->complaint().complaint_id();
  EXPECT_EQ(filed->complaint().customer_id(), "");
  EXPECT_EQ(filed->complaint().unlinked_identifier(), "***5678");
  EXPECT_EQ(db_.CountContaining("complaints", "details", "13812345678"), 0);
  directory_.down = false;
  EXPECT_EQ(service_.RunPendingCalls(clock_.Now(), 10).second, 1);  // still unknown
  const std::string customer = ids_.Next();
  directory_.holders["+8613812345678"] = customer;
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(service_.RunPendingCalls(clock_.Now(), 10).first, 1);
  const v1::Complaint linked = Get(id);
  EXPECT_EQ(linked.customer_id(), customer);
  EXPECT_EQ(linked.unlinked_identifier(), "");
  EXPECT_EQ(linked.timeline().rbegin()->kind(), Step::KIND_CUSTOMER_LINKED);
  EXPECT_EQ(directory_.contacts.size(), 1u);  // and the contact recorded
  EXPECT_EQ(db_.Count("pending_calls"), 0);
}

TEST_F(ComplaintsTest, AContactIdentifyMissedIsRecordedByTheWorker) {
  const std::string customer = ids_.Next();
  directory_.down = true;
  const std::string id = File(customer);
  EXPECT_EQ(db_.Count("pending_calls", "kind = 2"), 1);
  directory_.down = false;
  EXPECT_EQ(service_.RunPendingCalls(clock_.Now(), 10).first, 0);  // the caller's grace
  clock_.Advance(absl::Seconds(11));
  EXPECT_EQ(service_.RunPendingCalls(clock_.Now(), 10).first, 1);
  ASSERT_EQ(directory_.contacts.size(), 1u);
  EXPECT_EQ(directory_.contacts.begin()->first, "complaint/" + id + "/contact");
  EXPECT_EQ(db_.Count("pending_calls"), 0);
}

TEST_F(ComplaintsTest, AWorkerWhoseClaimLapsedCannotFinishTheCall) {
  directory_.down = true;
  File(ids_.Next());
  const absl::Time later = clock_.Now() + absl::Seconds(11);
  auto first = store_.ClaimPendingCalls(later, absl::Seconds(30), 10, "claim-a");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  // The first worker stalls past its claim; a second claims the call again.
  auto second =
      store_.ClaimPendingCalls(later + absl::Seconds(31), absl::Seconds(30), 10, "claim-b");
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].attempts, 2);
  ASSERT_TRUE(store_.FinishPendingCall((*first)[0]).ok());
  EXPECT_EQ(db_.Count("pending_calls"), 1);  // the stale finish changed nothing
  ASSERT_TRUE(store_.FinishPendingCall((*second)[0]).ok());
  EXPECT_EQ(db_.Count("pending_calls"), 0);
}

TEST_F(ComplaintsTest, SegmentDownMeansTheStandardClassNotAFailure) {
  const std::string customer = ids_.Next();
  tiers_.tiers[customer] = {"vip", "premium"};
  tiers_.down = true;
  const v1::Complaint c = Get(File(customer));
  EXPECT_EQ(c.tier(), "");
  EXPECT_EQ(c.sla().sla_class(), "standard");
}

TEST_F(ComplaintsTest, ListsByFiltersPageByPage) {
  const std::string customer = ids_.Next();
  std::vector<std::string> mine;
  for (int i = 0; i < 5; ++i) {
    mine.push_back(File(customer));
    clock_.Advance(absl::Seconds(1));
  }
  File();
  ASSERT_TRUE(Acknowledge(mine[0]).ok());
  v1::ListComplaintsRequest list;
  list.set_customer_id(customer);
  list.set_page_size(2);
  std::vector<std::string> seen;
  for (;;) {
    auto page = service_.ListComplaints(list);
    ASSERT_TRUE(page.ok()) << Describe(page.status());
    for (const auto& c : page->complaints()) seen.push_back(c.complaint_id());
    if (page->next_page_token().empty()) break;
    list.set_page_token(page->next_page_token());
  }
  EXPECT_EQ(seen, std::vector<std::string>(mine.rbegin(), mine.rend()));
  list.set_status(v1::COMPLAINT_STATUS_ACKNOWLEDGED);
  EXPECT_EQ(ReasonOf(service_.ListComplaints(list).status()), "INVALID_PAGE_TOKEN");
  list.clear_page_token();
  auto acknowledged = service_.ListComplaints(list);
  ASSERT_TRUE(acknowledged.ok());
  ASSERT_EQ(acknowledged->complaints_size(), 1);
  EXPECT_EQ(acknowledged->complaints(0).complaint_id(), mine[0]);
}

TEST_F(ComplaintsTest, AssignmentAndPausesAreOnTheTimeline) {
  const std::string id = File();
  v1::AssignComplaintRequest assign;
  assign.set_complaint_id(id);
  *assign.mutable_by() = By("lead-1");
  assign.set_team("delivery_desk");
  assign.set_agent("agent-9");
  ASSERT_TRUE(service_.AssignComplaint(assign).ok());
  v1::PauseSlaRequest pause;
  pause.set_complaint_id(id);
  *pause.mutable_by() = By("agent-9", "waiting for the delivery note");
  ASSERT_TRUE(service_.PauseSla(pause).ok());
  EXPECT_EQ(ReasonOf(service_.PauseSla(pause).status()), "ALREADY_PAUSED");
  clock_.Advance(absl::Hours(2));
  v1::Complaint paused = Get(id);
  EXPECT_TRUE(paused.sla().paused());
  EXPECT_EQ(paused.sla().pause_reason(), "waiting for the delivery note");
  EXPECT_EQ(paused.sla().paused_seconds(), 2 * 3600);
  v1::ResumeSlaRequest resume;
  resume.set_complaint_id(id);
  *resume.mutable_by() = By("agent-9");
  ASSERT_TRUE(service_.ResumeSla(resume).ok());
  EXPECT_EQ(ReasonOf(service_.ResumeSla(resume).status()), "NOT_PAUSED");
  v1::ListComplaintsRequest list;
  list.set_team("delivery_desk");
  list.set_agent("agent-9");
  auto listed = service_.ListComplaints(list);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->complaints_size(), 1);
  EXPECT_EQ(listed->complaints(0).team(), "delivery_desk");
}

}  // namespace
}  // namespace crm::complaints
