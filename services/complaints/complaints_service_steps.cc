// ComplaintsService: the handling steps, each a checked transition.
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/text.h"
#include "crm/complaints/v1/events.pb.h"
#include "services/complaints/complaints_service.h"

namespace crm::complaints {
namespace {

constexpr int64_t kMaxPoints = 1'000'000'000;
constexpr int64_t kMaxAmountMinor = 1'000'000'000'000;

absl::Status CheckActor(const v1::Actor& by, bool note_required) {
  if (by.actor().empty() || by.actor().size() > 64) {
    return InvalidArgument("by.actor", "is required (1-64 characters)");
  }
  std::string note = by.note();
  return CheckText("by.note", note, note_required ? 1 : 0, 2000);
}

absl::Status ValidateAssessment(v1::Assessment& a) {
  if (absl::Status s = CheckCodeName("assessment.category", a.category(), 64); !s.ok()) return s;
  if (absl::Status s = CheckCodeName("assessment.root_cause", a.root_cause(), 64, true); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText("assessment.invalid_reason", *a.mutable_invalid_reason(),
                                 a.valid() ? 0 : 1, 500);
      !s.ok()) {
    return s;
  }
  return CheckText("assessment.key_points", *a.mutable_key_points(), 0, 2000);
}

absl::Status ValidateRemedies(google::protobuf::RepeatedPtrField<v1::Remedy>& remedies) {
  if (remedies.empty() || remedies.size() > 10) {
    return InvalidArgument("remedies", "needs 1-10 remedies");
  }
  int point_remedies = 0;
  for (int i = 0; i < remedies.size(); ++i) {
    v1::Remedy& r = remedies[i];
    const std::string field = absl::StrCat("remedies[", i, "]");
    if (r.type() == v1::REMEDY_TYPE_UNSPECIFIED || !v1::RemedyType_IsValid(r.type())) {
      return InvalidArgument(field + ".type", "is required");
    }
    if (absl::Status s = CheckText(field + ".description", *r.mutable_description(), 0, 500);
        !s.ok()) {
      return s;
    }
    const bool money =
        r.type() == v1::REMEDY_TYPE_REFUND || r.type() == v1::REMEDY_TYPE_COMPENSATION_MONEY;
    if (money != (r.amount_minor() != 0) || r.amount_minor() < 0 ||
        r.amount_minor() > kMaxAmountMinor) {
      return InvalidArgument(field + ".amount_minor",
                             money ? "must be 1 - 10^12 for a refund or money compensation"
                                   : "is only for refunds and money compensation");
    }
    const bool points = r.type() == v1::REMEDY_TYPE_COMPENSATION_POINTS;
    if (points != (r.points() != 0) || r.points() < 0 || r.points() > kMaxPoints) {
      return InvalidArgument(field + ".points", points ? "must be 1 - 10^9 for points compensation"
                                                       : "is only for points compensation");
    }
    if (points != !r.loyalty_member_id().empty() ||
        (points && !IsValidId(r.loyalty_member_id()))) {
      return InvalidArgument(field + ".loyalty_member_id",
                             points ? "must be the complainant's 26-character member id"
                                    : "is only for points compensation");
    }
    point_remedies += points;
  }
  if (point_remedies > 1) {
    return InvalidArgument("remedies", "at most one points compensation per proposal");
  }
  return absl::OkStatus();
}

bool GrantsPoints(const v1::Proposal& p) {
  for (const auto& r : p.remedies()) {
    if (r.type() == v1::REMEDY_TYPE_COMPENSATION_POINTS) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<v1::Complaint> ComplaintsService::Step(
    absl::string_view method, const google::protobuf::Message& request,
    const std::string& request_id, const std::string& complaint_id, const v1::Actor& by,
    bool note_required, const Change& change) {
  auto key = MakeRequestKey(method, request_id, request);
  if (!key.ok()) return key.status();
  if (!IsValidId(complaint_id)) {
    return InvalidArgument("complaint_id", "must be a 26-character complaint id");
  }
  if (absl::Status s = CheckActor(by, note_required); !s.ok()) return s;
  const absl::Time now = clock_->Now();
  return store_->Update(*key, complaint_id, [&](ComplaintRecord& r) -> absl::Status {
    if (absl::Status s = change(r); !s.ok()) return s;
    return Refresh(r, now);
  });
}

#define CRM_RESPOND(Response, result)                 \
  if (!(result).ok()) return (result).status();      \
  v1::Response response;                             \
  *response.mutable_complaint() = *std::move(result); \
  return response

absl::StatusOr<v1::AcknowledgeComplaintResponse> ComplaintsService::AcknowledgeComplaint(
    const v1::AcknowledgeComplaintRequest& q) {
  const absl::Time now = clock_->Now();
  auto c = Step("AcknowledgeComplaint", q, q.request_id(), q.complaint_id(), q.by(), false,
                [&](ComplaintRecord& r) -> absl::Status {
                  if (auto s = CheckTransition(r.complaint.status(), Action::kAcknowledge);
                      !s.ok()) {
                    return s;
                  }
                  r.complaint.set_status(v1::COMPLAINT_STATUS_ACKNOWLEDGED);
                  AddStep(r.complaint, v1::Step::KIND_ACKNOWLEDGED, now, q.by());
                  return absl::OkStatus();
                });
  CRM_RESPOND(AcknowledgeComplaintResponse, c);
}

absl::StatusOr<v1::AssessComplaintResponse> ComplaintsService::AssessComplaint(
    const v1::AssessComplaintRequest& q) {
  v1::Assessment assessment = q.assessment();
  if (absl::Status s = ValidateAssessment(assessment); !s.ok()) return s;
  if (!v1::Severity_IsValid(q.severity())) {
    return InvalidArgument("severity", "must be LOW, MEDIUM, HIGH or CRITICAL");
  }
  const absl::Time now = clock_->Now();
  auto c = Step("AssessComplaint", q, q.request_id(), q.complaint_id(), q.by(), false,
                [&](ComplaintRecord& r) -> absl::Status {
                  v1::Complaint& c = r.complaint;
                  if (auto s = CheckTransition(c.status(), Action::kAssess); !s.ok()) return s;
                  c.set_status(v1::COMPLAINT_STATUS_ASSESSED);
                  *c.mutable_assessment() = assessment;
                  AddStep(c, v1::Step::KIND_ASSESSED, now, q.by());
                  if (q.severity() != v1::SEVERITY_UNSPECIFIED && q.severity() != c.severity()) {
                    c.set_severity(q.severity());  // Refresh re-targets the deadlines
                    v1::Actor system;
                    system.set_actor(q.by().actor());
                    system.set_note(absl::StrCat("severity ", v1::Severity_Name(q.severity())));
                    AddStep(c, v1::Step::KIND_SEVERITY_CHANGED, now, system, q.severity());
                  }
                  return absl::OkStatus();
                });
  CRM_RESPOND(AssessComplaintResponse, c);
}

absl::StatusOr<v1::ProposeResolutionResponse> ComplaintsService::ProposeResolution(
    const v1::ProposeResolutionRequest& q) {
  google::protobuf::RepeatedPtrField<v1::Remedy> remedies = q.remedies();
  if (absl::Status s = ValidateRemedies(remedies); !s.ok()) return s;
  const absl::Time now = clock_->Now();
  auto c = Step("ProposeResolution", q, q.request_id(), q.complaint_id(), q.by(), false,
                [&](ComplaintRecord& r) -> absl::Status {
                  v1::Complaint& c = r.complaint;
                  if (auto s = CheckTransition(c.status(), Action::kPropose); !s.ok()) return s;
                  const int number = c.proposal().number() + 1;
                  c.mutable_proposal()->Clear();
                  c.mutable_proposal()->set_number(number);
                  *c.mutable_proposal()->mutable_remedies() = remedies;
                  c.set_status(v1::COMPLAINT_STATUS_RESOLUTION_PROPOSED);
                  AddStep(c, v1::Step::KIND_RESOLUTION_PROPOSED, now, q.by(), number);
                  return absl::OkStatus();
                });
  CRM_RESPOND(ProposeResolutionResponse, c);
}

absl::StatusOr<v1::RecordCustomerDecisionResponse> ComplaintsService::RecordCustomerDecision(
    const v1::RecordCustomerDecisionRequest& q) {
  const absl::Time now = clock_->Now();
  auto c = Step("RecordCustomerDecision", q, q.request_id(), q.complaint_id(), q.by(), false,
                [&](ComplaintRecord& r) -> absl::Status {
                  v1::Complaint& c = r.complaint;
                  if (auto s = CheckTransition(c.status(), Action::kDecide); !s.ok()) return s;
                  c.mutable_proposal()->set_accepted(q.accepted());
                  c.set_status(q.accepted() ? v1::COMPLAINT_STATUS_ACCEPTED
                                            : v1::COMPLAINT_STATUS_REJECTED);
                  AddStep(c, q.accepted() ? v1::Step::KIND_ACCEPTED : v1::Step::KIND_REJECTED,
                          now, q.by(), c.proposal().number());
                  return absl::OkStatus();
                });
  CRM_RESPOND(RecordCustomerDecisionResponse, c);
}

absl::StatusOr<v1::ResolveComplaintResponse> ComplaintsService::ResolveComplaint(
    const v1::ResolveComplaintRequest& q) {
  if (q.outcome() == v1::OUTCOME_CODE_UNSPECIFIED || !v1::OutcomeCode_IsValid(q.outcome())) {
    return InvalidArgument("outcome", "is required");
  }
  const absl::Time now = clock_->Now();
  auto c = Step(
      "ResolveComplaint", q, q.request_id(), q.complaint_id(), q.by(), false,
      [&](ComplaintRecord& r) -> absl::Status {
        v1::Complaint& c = r.complaint;
        if (auto s = CheckTransition(c.status(), Action::kResolve); !s.ok()) return s;
        c.set_status(v1::COMPLAINT_STATUS_RESOLVED);
        v1::Resolution& resolution = *c.mutable_resolution();
        resolution.Clear();
        resolution.set_outcome(q.outcome());
        resolution.set_first_contact(q.first_contact() && c.reopen_count() == 0);
        const bool points = GrantsPoints(c.proposal());
        resolution.set_compensation_status(points ? v1::COMPENSATION_STATUS_PENDING
                                                  : v1::COMPENSATION_STATUS_NONE);
        if (points) r.new_pending.push_back({"", PendingKind::kGrantPoints, "", 0, {}, ""});
        AddStep(c, v1::Step::KIND_RESOLVED, now, q.by(), q.outcome());
        if (absl::Status s = Refresh(r, now); !s.ok()) return s;
        auto event = std::make_unique<v1::ComplaintResolved>();
        event->set_complaint_id(c.complaint_id());
        event->set_customer_id(c.customer_id());
        event->set_category(c.assessment().category());
        event->set_outcome(q.outcome());
        event->set_resolution_met(c.sla().resolution_met());
        r.events.push_back(std::move(event));
        return absl::OkStatus();
      });
  if (c.ok() && c->resolution().compensation_status() == v1::COMPENSATION_STATUS_PENDING) {
    // Grant now when loyalty answers; otherwise the sweep will.
    if (GrantCompensation(c->complaint_id(), now).ok()) c = Present(c->complaint_id());
  }
  CRM_RESPOND(ResolveComplaintResponse, c);
}

absl::StatusOr<v1::FollowUpComplaintResponse> ComplaintsService::FollowUpComplaint(
    const v1::FollowUpComplaintRequest& q) {
  v1::FollowUp follow_up = q.follow_up();
  if (follow_up.satisfaction() < 1 || follow_up.satisfaction() > 5) {
    return InvalidArgument("follow_up.satisfaction", "must be 1-5");
  }
  if (absl::Status s = CheckText("follow_up.comment", *follow_up.mutable_comment(), 0, 2000);
      !s.ok()) {
    return s;
  }
  const absl::Time now = clock_->Now();
  auto c = Step("FollowUpComplaint", q, q.request_id(), q.complaint_id(), q.by(), false,
                [&](ComplaintRecord& r) -> absl::Status {
                  v1::Complaint& c = r.complaint;
                  if (auto s = CheckTransition(c.status(), Action::kFollowUp); !s.ok()) return s;
                  *c.mutable_follow_up() = follow_up;
                  c.set_status(v1::COMPLAINT_STATUS_FOLLOWED_UP);
                  AddStep(c, v1::Step::KIND_FOLLOWED_UP, now, q.by(), follow_up.satisfaction());
                  return absl::OkStatus();
                });
  CRM_RESPOND(FollowUpComplaintResponse, c);
}

absl::StatusOr<v1::CloseComplaintResponse> ComplaintsService::CloseComplaint(
    const v1::CloseComplaintRequest& q) {
  const absl::Time now = clock_->Now();
  auto c = Step("CloseComplaint", q, q.request_id(), q.complaint_id(), q.by(), false,
                [&](ComplaintRecord& r) -> absl::Status {
                  v1::Complaint& c = r.complaint;
                  if (auto s = CheckTransition(c.status(), Action::kClose); !s.ok()) return s;
                  c.set_status(v1::COMPLAINT_STATUS_CLOSED);
                  AddStep(c, v1::Step::KIND_CLOSED, now, q.by());
                  auto event = std::make_unique<v1::ComplaintClosed>();
                  event->set_complaint_id(c.complaint_id());
                  event->set_customer_id(c.customer_id());
                  event->set_satisfaction(c.follow_up().satisfaction());
                  r.events.push_back(std::move(event));
                  return absl::OkStatus();
                });
  CRM_RESPOND(CloseComplaintResponse, c);
}

absl::StatusOr<v1::ReopenComplaintResponse> ComplaintsService::ReopenComplaint(
    const v1::ReopenComplaintRequest& q) {
  const absl::Time now = clock_->Now();
  auto c = Step("ReopenComplaint", q, q.request_id(), q.complaint_id(), q.by(), true,
                [&](ComplaintRecord& r) -> absl::Status {
                  v1::Complaint& c = r.complaint;
                  if (auto s = CheckTransition(c.status(), Action::kReopen); !s.ok()) return s;
                  c.set_status(v1::COMPLAINT_STATUS_REOPENED);
                  c.set_reopen_count(c.reopen_count() + 1);
                  c.clear_follow_up();
                  AddStep(c, v1::Step::KIND_REOPENED, now, q.by(), c.reopen_count());
                  auto event = std::make_unique<v1::ComplaintReopened>();
                  event->set_complaint_id(c.complaint_id());
                  event->set_customer_id(c.customer_id());
                  event->set_reopen_count(c.reopen_count());
                  r.events.push_back(std::move(event));
                  return absl::OkStatus();
                });
  CRM_RESPOND(ReopenComplaintResponse, c);
}

absl::StatusOr<v1::AssignComplaintResponse> ComplaintsService::AssignComplaint(
    const v1::AssignComplaintRequest& q) {
  if (q.team().empty() || q.team().size() > 64) {
    return InvalidArgument("team", "is required (1-64 characters)");
  }
  if (q.agent().size() > 64) return InvalidArgument("agent", "at most 64 characters");
  const absl::Time now = clock_->Now();
  auto c = Step("AssignComplaint", q, q.request_id(), q.complaint_id(), q.by(), false,
                [&](ComplaintRecord& r) -> absl::Status {
                  v1::Complaint& c = r.complaint;
                  if (auto s = CheckTransition(c.status(), Action::kAssign); !s.ok()) return s;
                  c.set_team(q.team());
                  c.set_agent(q.agent());
                  v1::Actor by = q.by();
                  if (by.note().empty()) by.set_note(absl::StrCat(q.team(), " / ", q.agent()));
                  AddStep(c, v1::Step::KIND_ASSIGNED, now, by);
                  return absl::OkStatus();
                });
  CRM_RESPOND(AssignComplaintResponse, c);
}

absl::StatusOr<v1::PauseSlaResponse> ComplaintsService::PauseSla(const v1::PauseSlaRequest& q) {
  const absl::Time now = clock_->Now();
  auto c = Step("PauseSla", q, q.request_id(), q.complaint_id(), q.by(), true,
                [&](ComplaintRecord& r) -> absl::Status {
                  v1::Complaint& c = r.complaint;
                  if (auto s = CheckTransition(c.status(), Action::kPause); !s.ok()) return s;
                  if (c.sla().paused()) {
                    return Error(absl::StatusCode::kFailedPrecondition, "ALREADY_PAUSED",
                                 "the SLA clock is paused already");
                  }
                  AddStep(c, v1::Step::KIND_PAUSED, now, q.by());
                  return absl::OkStatus();
                });
  CRM_RESPOND(PauseSlaResponse, c);
}

absl::StatusOr<v1::ResumeSlaResponse> ComplaintsService::ResumeSla(const v1::ResumeSlaRequest& q) {
  const absl::Time now = clock_->Now();
  auto c = Step("ResumeSla", q, q.request_id(), q.complaint_id(), q.by(), false,
                [&](ComplaintRecord& r) -> absl::Status {
                  v1::Complaint& c = r.complaint;
                  if (auto s = CheckTransition(c.status(), Action::kResume); !s.ok()) return s;
                  if (!c.sla().paused()) {
                    return Error(absl::StatusCode::kFailedPrecondition, "NOT_PAUSED",
                                 "the SLA clock is running");
                  }
                  AddStep(c, v1::Step::KIND_RESUMED, now, q.by());
                  return absl::OkStatus();
                });
  CRM_RESPOND(ResumeSlaResponse, c);
}

absl::StatusOr<v1::LinkCustomerResponse> ComplaintsService::LinkCustomer(
    const v1::LinkCustomerRequest& q) {
  if (!IsValidId(q.customer_id())) {
    return InvalidArgument("customer_id", "must be a 26-character customer id");
  }
  const absl::Time now = clock_->Now();
  auto c = Step("LinkCustomer", q, q.request_id(), q.complaint_id(), q.by(), false,
                [&](ComplaintRecord& r) -> absl::Status {
                  v1::Complaint& c = r.complaint;
                  if (!c.customer_id().empty() && c.customer_id() != q.customer_id()) {
                    return Error(absl::StatusCode::kFailedPrecondition, "ALREADY_LINKED",
                                 "the complaint belongs to another customer",
                                 {{"customer_id", c.customer_id()}});
                  }
                  if (c.customer_id() == q.customer_id()) return absl::OkStatus();
                  c.set_customer_id(q.customer_id());
                  c.clear_unlinked_identifier();
                  r.done_pending.push_back(PendingKind::kLinkCustomer);
                  r.new_pending.push_back(ContactCall(c));
                  AddStep(c, v1::Step::KIND_CUSTOMER_LINKED, now, q.by());
                  return absl::OkStatus();
                });
  if (c.ok()) RecordContactNow(*c);
  CRM_RESPOND(LinkCustomerResponse, c);
}

#undef CRM_RESPOND

}  // namespace crm::complaints
