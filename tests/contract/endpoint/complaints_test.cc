// The complaints service's contract, by address: intake, the handling steps
// from receipt to a satisfied close (and a reopening), compensation through
// loyalty, SLA configuration and the sweep, lists and measures.
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "crm/complaints/v1/complaints.grpc.pb.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "crm/segment/v1/segment.grpc.pb.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "tests/contract/endpoint/contract_test_util.h"

namespace crm::contract {
namespace {

namespace cv1 = complaints::v1;
using Stub = cv1::ComplaintsService::Stub;
using google::protobuf::util::TimeUtil;

constexpr char kDomain[] = "complaints.crm";
// Well-formed, and from 2016: no complaint, customer or member has it.
constexpr char kUnknownId[] = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

std::unique_ptr<Stub> Complaints() { return cv1::ComplaintsService::NewStub(Suite().complaints()); }

// ---- errors ---------------------------------------------------------------

void ExpectInvalidField(const grpc::Status& status, const std::string& field) {
  ExpectError(status, grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD", kDomain);
  EXPECT_EQ(ErrorMetadata(status)["field"], field) << status.error_message();
}

// FAILED_PRECONDITION / INVALID_TRANSITION naming the status and the steps it
// allows.
void ExpectRefused(const grpc::Status& status, cv1::ComplaintStatus in,
                   const std::set<std::string>& allowed) {
  ExpectError(status, grpc::StatusCode::FAILED_PRECONDITION, "INVALID_TRANSITION", kDomain);
  std::map<std::string, std::string> metadata = ErrorMetadata(status);
  EXPECT_EQ(metadata["status"], cv1::ComplaintStatus_Name(in)) << status.error_message();
  const std::vector<std::string> named = absl::StrSplit(metadata["allowed"], ", ");
  EXPECT_EQ(std::set<std::string>(named.begin(), named.end()), allowed) << status.error_message();
}

// ---- data of this run -----------------------------------------------------

// A code name unique to this run ("<prefix>_<run>_<n>").
std::string CodeName(const std::string& prefix) {
  return absl::StrReplaceAll(Suite().Unique(prefix), {{"-", "_"}});
}

// A new identify customer, with an e-mail identifier when one is given.
std::string NewCustomer(const std::string& name, const std::string& email = "") {
  auto customers = identify::v1::IdentifyService::NewStub(Suite().identify());
  identify::v1::CreateCustomerRequest create;
  create.set_request_id(Suite().Unique("complainant"));
  create.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
  create.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
  create.mutable_customer()->set_display_name(name);
  if (!email.empty()) {
    auto* identifier = create.mutable_customer()->add_identifiers();
    identifier->set_type(identify::v1::IDENTIFIER_TYPE_EMAIL);
    identifier->set_value(email);
  }
  identify::v1::CreateCustomerResponse created;
  const grpc::Status status = customers->CreateCustomer(As().get(), create, &created);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return created.customer().customer_id();
}

// An e-mail address nobody else uses (identify refuses example.com and the
// like as placeholders).
constexpr char kMailDomain[] = "@mail.kettle-shop.cn";
std::string UniqueEmail() { return Suite().Unique("who") + kMailDomain; }

cv1::Actor By(const std::string& note = "") {
  cv1::Actor by;
  by.set_actor("agent-7");
  by.set_note(note);
  return by;
}

// ---- calls ----------------------------------------------------------------

template <typename Request, typename Response>
using Rpc = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&, Response*);

// Calls `rpc` as the admin; the complaint it answers in *complaint.
template <typename Request, typename Response>
grpc::Status Call(Rpc<Request, Response> rpc, const Request& request,
                  cv1::Complaint* complaint = nullptr) {
  Response response;
  const grpc::Status status = (Complaints().get()->*rpc)(As().get(), request, &response);
  if (complaint != nullptr && status.ok()) *complaint = response.complaint();
  return status;
}

// The same, expecting OK.
template <typename Request, typename Response>
cv1::Complaint Must(Rpc<Request, Response> rpc, const Request& request) {
  cv1::Complaint complaint;
  const grpc::Status status = Call(rpc, request, &complaint);
  EXPECT_TRUE(status.ok()) << request.GetTypeName() << ": " << status.error_message();
  return complaint;
}

// A handling step's request with a fresh request id.
template <typename Request>
Request StepOf(const std::string& complaint_id, const std::string& note = "") {
  Request request;
  request.set_request_id(Suite().Unique("step"));
  request.set_complaint_id(complaint_id);
  *request.mutable_by() = By(note);
  return request;
}

cv1::FileComplaintRequest FilingFor(const std::string& customer_id) {
  cv1::FileComplaintRequest file;
  file.set_request_id(Suite().Unique("file"));
  file.mutable_complaint()->set_customer_id(customer_id);
  file.mutable_complaint()->set_channel(cv1::CHANNEL_WEB);
  file.mutable_complaint()->set_subject("broken kettle");
  file.mutable_complaint()->set_description("the kettle leaks after a week");
  file.mutable_complaint()->set_desired_outcome("a new kettle");
  file.mutable_complaint()->set_product("kettle k2");
  file.mutable_complaint()->set_order_reference("order-77");
  return file;
}

cv1::Complaint File(const std::string& customer_id) {
  return Must(&Stub::FileComplaint, FilingFor(customer_id));
}

cv1::Complaint Get(const std::string& complaint_id) {
  cv1::GetComplaintRequest get;
  get.set_complaint_id(complaint_id);
  return Must(&Stub::GetComplaint, get);
}

cv1::Complaint Acknowledge(const std::string& id) {
  return Must(&Stub::AcknowledgeComplaint,
              StepOf<cv1::AcknowledgeComplaintRequest>(id, "sorry to hear that"));
}

cv1::AssessComplaintRequest Assessment(const std::string& id, const std::string& category,
                                       const std::string& root_cause = "seal_defect",
                                       cv1::Severity severity = cv1::SEVERITY_UNSPECIFIED) {
  auto assess = StepOf<cv1::AssessComplaintRequest>(id);
  assess.mutable_assessment()->set_valid(true);
  assess.mutable_assessment()->set_category(category);
  assess.mutable_assessment()->set_root_cause(root_cause);
  assess.mutable_assessment()->set_key_points("leaks at the seal");
  assess.set_severity(severity);
  return assess;
}

cv1::Complaint Assess(const std::string& id, const std::string& category = "product_quality",
                      const std::string& root_cause = "seal_defect") {
  return Must(&Stub::AssessComplaint, Assessment(id, category, root_cause));
}

cv1::Remedy Apology() {
  cv1::Remedy remedy;
  remedy.set_type(cv1::REMEDY_TYPE_APOLOGY);
  remedy.set_description("a letter");
  return remedy;
}

cv1::Remedy Points(int64_t points, const std::string& member_id) {
  cv1::Remedy remedy;
  remedy.set_type(cv1::REMEDY_TYPE_COMPENSATION_POINTS);
  remedy.set_points(points);
  remedy.set_loyalty_member_id(member_id);
  return remedy;
}

cv1::Complaint Propose(const std::string& id, const std::vector<cv1::Remedy>& remedies) {
  auto propose = StepOf<cv1::ProposeResolutionRequest>(id);
  for (const cv1::Remedy& remedy : remedies) *propose.add_remedies() = remedy;
  return Must(&Stub::ProposeResolution, propose);
}

cv1::Complaint Decide(const std::string& id, bool accepted) {
  auto decide = StepOf<cv1::RecordCustomerDecisionRequest>(id);
  decide.set_accepted(accepted);
  return Must(&Stub::RecordCustomerDecision, decide);
}

cv1::ResolveComplaintRequest Resolution(const std::string& id, bool first_contact = false) {
  auto resolve = StepOf<cv1::ResolveComplaintRequest>(id);
  resolve.set_outcome(cv1::OUTCOME_CODE_NON_MONETARY_RELIEF);
  resolve.set_first_contact(first_contact);
  return resolve;
}

cv1::Complaint FollowUp(const std::string& id, int satisfaction) {
  auto follow = StepOf<cv1::FollowUpComplaintRequest>(id);
  follow.mutable_follow_up()->set_satisfaction(satisfaction);
  follow.mutable_follow_up()->set_comment("fine now");
  return Must(&Stub::FollowUpComplaint, follow);
}

// Takes a RECEIVED complaint along the plain path (an apology accepted at once)
// until it is in `status`.
cv1::Complaint Advance(const std::string& id, cv1::ComplaintStatus status) {
  cv1::Complaint c = Get(id);
  while (c.status() != status && !::testing::Test::HasFailure()) {
    switch (c.status()) {
      case cv1::COMPLAINT_STATUS_RECEIVED:
        c = Acknowledge(id);
        break;
      case cv1::COMPLAINT_STATUS_ACKNOWLEDGED:
        c = Assess(id);
        break;
      case cv1::COMPLAINT_STATUS_ASSESSED:
        c = Propose(id, {Apology()});
        break;
      case cv1::COMPLAINT_STATUS_RESOLUTION_PROPOSED:
        c = Decide(id, true);
        break;
      case cv1::COMPLAINT_STATUS_ACCEPTED:
        c = Must(&Stub::ResolveComplaint, Resolution(id));
        break;
      case cv1::COMPLAINT_STATUS_RESOLVED:
        c = FollowUp(id, 4);
        break;
      case cv1::COMPLAINT_STATUS_FOLLOWED_UP:
        c = Must(&Stub::CloseComplaint, StepOf<cv1::CloseComplaintRequest>(id));
        break;
      default:
        ADD_FAILURE() << "cannot advance from " << c.status();
        return c;
    }
  }
  return c;
}

std::vector<cv1::Step::Kind> KindsOf(const cv1::Complaint& c) {
  std::vector<cv1::Step::Kind> kinds;
  for (const cv1::Step& step : c.timeline()) kinds.push_back(step.kind());
  return kinds;
}

int CountSteps(const cv1::Complaint& c, cv1::Step::Kind kind) {
  int n = 0;
  for (const cv1::Step& step : c.timeline()) n += step.kind() == kind;
  return n;
}

std::vector<cv1::Complaint> ListAll(cv1::ListComplaintsRequest list) {
  std::vector<cv1::Complaint> all;
  do {
    cv1::ListComplaintsResponse page;
    const grpc::Status status = Complaints()->ListComplaints(As().get(), list, &page);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) break;
    all.insert(all.end(), page.complaints().begin(), page.complaints().end());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  return all;
}

std::vector<std::string> IdsOf(const std::vector<cv1::Complaint>& complaints) {
  std::vector<std::string> ids;
  for (const cv1::Complaint& c : complaints) ids.push_back(c.complaint_id());
  return ids;
}

// ---- SLA configuration ----------------------------------------------------

// A calendar open around the clock, so that due times are plain sums.
cv1::BusinessCalendar AlwaysOpen(const std::string& calendar_id) {
  cv1::BusinessCalendar calendar;
  calendar.set_calendar_id(calendar_id);
  calendar.set_time_zone("UTC");
  for (int day = 1; day <= 7; ++day) {
    auto* hours = calendar.add_working_hours();
    hours->set_iso_weekday(day);
    hours->set_start_minute(0);
    hours->set_end_minute(1440);
  }
  return calendar;
}

grpc::Status SetCalendar(const cv1::BusinessCalendar& calendar,
                         cv1::BusinessCalendar* stored = nullptr) {
  cv1::SetBusinessCalendarRequest request;
  *request.mutable_calendar() = calendar;
  cv1::SetBusinessCalendarResponse response;
  const grpc::Status status = Complaints()->SetBusinessCalendar(As().get(), request, &response);
  if (stored != nullptr) *stored = response.calendar();
  return status;
}

grpc::Status GetCalendar(const std::string& calendar_id, cv1::BusinessCalendar* calendar) {
  cv1::GetBusinessCalendarRequest request;
  request.set_calendar_id(calendar_id);
  cv1::GetBusinessCalendarResponse response;
  const grpc::Status status = Complaints()->GetBusinessCalendar(As().get(), request, &response);
  *calendar = response.calendar();
  return status;
}

// Targets in minutes per severity, LOW first.
cv1::SlaPolicy SlaPolicy(const std::string& sla_class, const std::string& calendar_id,
                         const std::vector<std::pair<int, int>>& targets) {
  cv1::SlaPolicy policy;
  policy.set_sla_class(sla_class);
  policy.set_calendar_id(calendar_id);
  for (int severity = 1; severity <= 4; ++severity) {
    auto* target = policy.add_targets();
    target->set_severity(static_cast<cv1::Severity>(severity));
    target->set_first_response_minutes(targets[severity - 1].first);
    target->set_resolution_minutes(targets[severity - 1].second);
  }
  return policy;
}

grpc::Status SetPolicy(const cv1::SlaPolicy& policy, cv1::SlaPolicy* stored = nullptr) {
  cv1::SetSlaPolicyRequest request;
  *request.mutable_policy() = policy;
  cv1::SetSlaPolicyResponse response;
  const grpc::Status status = Complaints()->SetSlaPolicy(As().get(), request, &response);
  if (stored != nullptr) *stored = response.policy();
  return status;
}

grpc::Status GetPolicy(const std::string& sla_class, cv1::SlaPolicy* policy) {
  cv1::GetSlaPolicyRequest request;
  request.set_sla_class(sla_class);
  cv1::GetSlaPolicyResponse response;
  const grpc::Status status = Complaints()->GetSlaPolicy(As().get(), request, &response);
  *policy = response.policy();
  return status;
}

// A new customer whose complaints fall in `sla_class`: a segment tier of this
// run whose policy names the class.
std::string CustomerInSlaClass(const std::string& sla_class, std::string* tier_name = nullptr) {
  auto segment = segment::v1::SegmentService::NewStub(Suite().segment());
  const std::string tier = CodeName("tier");
  segment::v1::SetTierPolicyRequest policy;
  policy.mutable_policy()->set_tier(tier);
  policy.mutable_policy()->set_priority(900);
  policy.mutable_policy()->set_sla_class(sla_class);
  policy.mutable_policy()->set_contact_channel(segment::v1::CONTACT_CHANNEL_KEY_ACCOUNT_MANAGER);
  segment::v1::SetTierPolicyResponse policy_set;
  EXPECT_TRUE(segment->SetTierPolicy(As().get(), policy, &policy_set).ok());
  const std::string customer = NewCustomer("Tiered Complainant");
  segment::v1::AssignCustomerTierRequest assign;
  assign.mutable_tier()->set_customer_id(customer);
  assign.mutable_tier()->set_tier(tier);
  assign.mutable_tier()->set_reason("contract test");
  segment::v1::AssignCustomerTierResponse assigned;
  EXPECT_TRUE(segment->AssignCustomerTier(As().get(), assign, &assigned).ok());
  if (tier_name != nullptr) *tier_name = tier;
  return customer;
}

int64_t SecondsBetween(const google::protobuf::Timestamp& from,
                       const google::protobuf::Timestamp& to) {
  return TimeUtil::DurationToSeconds(to - from);
}

// ---- intake ---------------------------------------------------------------

TEST(ComplaintsContract, FiledComplaintIsReceivedWithItsTimeline) {
  const std::string customer = NewCustomer("Han Meimei");
  const cv1::Complaint filed = File(customer);
  EXPECT_EQ(filed.complaint_id().size(), 26u);
  EXPECT_EQ(filed.customer_id(), customer);
  EXPECT_EQ(filed.status(), cv1::COMPLAINT_STATUS_RECEIVED);
  EXPECT_EQ(filed.severity(), cv1::SEVERITY_MEDIUM);  // the default
  EXPECT_EQ(filed.channel(), cv1::CHANNEL_WEB);
  EXPECT_EQ(filed.tier(), "");  // no tier in segment: the standard SLA
  EXPECT_EQ(filed.sla().sla_class(), "standard");
  EXPECT_TRUE(filed.sla().has_first_response_due());
  EXPECT_TRUE(filed.sla().has_resolution_due());
  EXPECT_TRUE(filed.has_create_time());

  const cv1::Complaint got = Get(filed.complaint_id());
  EXPECT_EQ(got.subject(), "broken kettle");
  EXPECT_EQ(got.description(), "the kettle leaks after a week");
  EXPECT_EQ(got.desired_outcome(), "a new kettle");
  EXPECT_EQ(got.product(), "kettle k2");
  EXPECT_EQ(got.order_reference(), "order-77");
  ASSERT_EQ(got.timeline_size(), 1);
  EXPECT_EQ(got.timeline(0).kind(), cv1::Step::KIND_RECEIVED);
  EXPECT_EQ(got.timeline(0).actor(), "intake");  // the default
  EXPECT_EQ(got.timeline(0).status(), cv1::COMPLAINT_STATUS_RECEIVED);

  // Output-only fields a caller sets are ignored; the actor is the caller's.
  cv1::FileComplaintRequest file = FilingFor(customer);
  file.set_actor("store-12");
  file.mutable_complaint()->set_status(cv1::COMPLAINT_STATUS_CLOSED);
  file.mutable_complaint()->set_team("nobody");
  file.mutable_complaint()->set_severity(cv1::SEVERITY_HIGH);
  const cv1::Complaint second = Must(&Stub::FileComplaint, file);
  EXPECT_EQ(second.status(), cv1::COMPLAINT_STATUS_RECEIVED);
  EXPECT_EQ(second.team(), "");
  EXPECT_EQ(second.severity(), cv1::SEVERITY_HIGH);
  EXPECT_EQ(Get(second.complaint_id()).timeline(0).actor(), "store-12");
}

TEST(ComplaintsContract, UnknownComplaintIsNotFound) {
  cv1::GetComplaintRequest get;
  get.set_complaint_id(kUnknownId);
  cv1::Complaint complaint;
  ExpectError(Call(&Stub::GetComplaint, get, &complaint), grpc::StatusCode::NOT_FOUND,
              "COMPLAINT_NOT_FOUND", kDomain);
  get.set_complaint_id("not-an-id");
  ExpectInvalidField(Call(&Stub::GetComplaint, get, &complaint), "complaint_id");
  // A step on it too.
  ExpectError(Call(&Stub::AcknowledgeComplaint,
                   StepOf<cv1::AcknowledgeComplaintRequest>(kUnknownId), &complaint),
              grpc::StatusCode::NOT_FOUND, "COMPLAINT_NOT_FOUND", kDomain);
}

TEST(ComplaintsContract, BadFilingsAreInvalidArgument) {
  const std::string customer = NewCustomer("Bad Filer");
  const std::vector<std::pair<std::string, std::function<void(cv1::FileComplaintRequest&)>>> cases =
      {
          {"complaint.description",
           [](cv1::FileComplaintRequest& r) { r.mutable_complaint()->clear_description(); }},
          {"complaint.description",
           [](cv1::FileComplaintRequest& r) { r.mutable_complaint()->set_description("  "); }},
          {"complaint.description",
           [](cv1::FileComplaintRequest& r) {
             r.mutable_complaint()->set_description(std::string(10001, 'd'));
           }},
          {"complaint.subject",
           [](cv1::FileComplaintRequest& r) { r.mutable_complaint()->clear_subject(); }},
          {"complaint.subject",
           [](cv1::FileComplaintRequest& r) {
             r.mutable_complaint()->set_subject(std::string(201, 's'));
           }},
          {"complaint.severity",
           [](cv1::FileComplaintRequest& r) {
             r.mutable_complaint()->set_severity(static_cast<cv1::Severity>(7));
           }},
          {"complaint.channel",
           [](cv1::FileComplaintRequest& r) { r.mutable_complaint()->clear_channel(); }},
          {"complaint.desired_outcome",
           [](cv1::FileComplaintRequest& r) {
             r.mutable_complaint()->set_desired_outcome(std::string(2001, 'o'));
           }},
          {"complaint.order_reference",
           [](cv1::FileComplaintRequest& r) {
             r.mutable_complaint()->set_order_reference(std::string(101, 'r'));
           }},
          {"complaint.customer_id",
           [](cv1::FileComplaintRequest& r) { r.mutable_complaint()->set_customer_id("c-1"); }},
          {"customer_identifier",  // both a customer id and an identifier
           [](cv1::FileComplaintRequest& r) {
             r.mutable_customer_identifier()->set_type(identify::v1::IDENTIFIER_TYPE_EMAIL);
             r.mutable_customer_identifier()->set_value("a@example.com");
           }},
          {"customer_identifier.type",
           [](cv1::FileComplaintRequest& r) {
             r.mutable_complaint()->clear_customer_id();
             r.mutable_customer_identifier()->set_value("a@example.com");
           }},
          {"request_id",
           [](cv1::FileComplaintRequest& r) { r.set_request_id(std::string(65, 'q')); }},
          {"request_id", [](cv1::FileComplaintRequest& r) { r.set_request_id("has space"); }},
      };
  for (const auto& [field, spoil] : cases) {
    SCOPED_TRACE(field);
    cv1::FileComplaintRequest file = FilingFor(customer);
    spoil(file);
    cv1::Complaint complaint;
    ExpectInvalidField(Call(&Stub::FileComplaint, file, &complaint), field);
  }
  // Nothing was filed.
  cv1::ListComplaintsRequest list;
  list.set_customer_id(customer);
  EXPECT_TRUE(ListAll(list).empty());
}

// The same request_id returns the first complaint; with other content it is
// refused.
TEST(ComplaintsContract, FilingIsIdempotentByRequestId) {
  const std::string customer = NewCustomer("Twice Filer");
  cv1::FileComplaintRequest file = FilingFor(customer);
  const cv1::Complaint first = Must(&Stub::FileComplaint, file);
  const cv1::Complaint replayed = Must(&Stub::FileComplaint, file);
  EXPECT_EQ(replayed.complaint_id(), first.complaint_id());
  EXPECT_EQ(replayed.create_time(), first.create_time());
  file.mutable_complaint()->set_description("something else entirely");
  cv1::Complaint complaint;
  ExpectError(Call(&Stub::FileComplaint, file, &complaint), grpc::StatusCode::FAILED_PRECONDITION,
              "IDEMPOTENCY_KEY_REUSED", kDomain);
  // Without a request_id every filing is new.
  file = FilingFor(customer);
  file.clear_request_id();
  EXPECT_NE(Must(&Stub::FileComplaint, file).complaint_id(), first.complaint_id());
  cv1::ListComplaintsRequest list;
  list.set_customer_id(customer);
  EXPECT_EQ(ListAll(list).size(), 2u);
}

// By an identifier identify knows the complaint is linked at once; by one
// nobody holds it is filed unlinked, masked, and LinkCustomer links it.
TEST(ComplaintsContract, ComplainantIsResolvedThroughIdentifyOrLinkedByHand) {
  const std::string email = UniqueEmail();
  const std::string known = NewCustomer("Known Complainant", email);
  cv1::FileComplaintRequest file = FilingFor("");
  file.mutable_customer_identifier()->set_type(identify::v1::IDENTIFIER_TYPE_EMAIL);
  file.mutable_customer_identifier()->set_value(email);
  const cv1::Complaint by_email = Must(&Stub::FileComplaint, file);
  EXPECT_EQ(by_email.customer_id(), known);
  EXPECT_EQ(by_email.unlinked_identifier(), "");

  const std::string stranger = "x" + UniqueEmail();
  file = FilingFor("");
  file.mutable_customer_identifier()->set_type(identify::v1::IDENTIFIER_TYPE_EMAIL);
  file.mutable_customer_identifier()->set_value(stranger);
  const cv1::Complaint unlinked = Must(&Stub::FileComplaint, file);
  const std::string id = unlinked.complaint_id();
  EXPECT_EQ(unlinked.customer_id(), "");
  EXPECT_EQ(unlinked.unlinked_identifier(), absl::StrCat("x***", kMailDomain));
  EXPECT_EQ(unlinked.status(), cv1::COMPLAINT_STATUS_RECEIVED);

  const std::string customer = NewCustomer("Late Complainant");
  auto link = StepOf<cv1::LinkCustomerRequest>(id, "called back");
  link.set_customer_id(customer);
  const cv1::Complaint linked = Must(&Stub::LinkCustomer, link);
  EXPECT_EQ(linked.customer_id(), customer);
  EXPECT_EQ(linked.unlinked_identifier(), "");
  EXPECT_EQ(CountSteps(Get(id), cv1::Step::KIND_CUSTOMER_LINKED), 1);
  // Linking the same customer again changes nothing.
  link.set_request_id(Suite().Unique("link"));
  Must(&Stub::LinkCustomer, link);
  EXPECT_EQ(CountSteps(Get(id), cv1::Step::KIND_CUSTOMER_LINKED), 1);
  // Another customer is refused.
  link.set_request_id(Suite().Unique("link"));
  link.set_customer_id(known);
  cv1::Complaint complaint;
  const grpc::Status other = Call(&Stub::LinkCustomer, link, &complaint);
  ExpectError(other, grpc::StatusCode::FAILED_PRECONDITION, "ALREADY_LINKED", kDomain);
  EXPECT_EQ(ErrorMetadata(other)["customer_id"], customer);
  link.set_customer_id("nobody");
  ExpectInvalidField(Call(&Stub::LinkCustomer, link, &complaint), "customer_id");
  // The customer's history lists it.
  cv1::ListComplaintsRequest list;
  list.set_customer_id(customer);
  EXPECT_EQ(IdsOf(ListAll(list)), std::vector<std::string>{id});
}

// ---- lists ----------------------------------------------------------------

TEST(ComplaintsContract, ListPagesACustomersComplaintsNewestFirstWithoutRepeats) {
  const std::string customer = NewCustomer("Frequent Complainant");
  std::set<std::string> filed;
  for (int i = 0; i < 5; ++i) filed.insert(File(customer).complaint_id());

  cv1::ListComplaintsRequest list;
  list.set_customer_id(customer);
  list.set_page_size(2);
  std::vector<cv1::Complaint> all;
  std::vector<int> page_sizes;
  std::string token;
  do {
    list.set_page_token(token);
    cv1::ListComplaintsResponse page;
    ASSERT_TRUE(Complaints()->ListComplaints(As().get(), list, &page).ok());
    page_sizes.push_back(page.complaints_size());
    for (const cv1::Complaint& c : page.complaints()) {
      all.push_back(c);
      EXPECT_EQ(c.timeline_size(), 0);  // lists come without timelines
      EXPECT_EQ(c.customer_id(), customer);
    }
    token = page.next_page_token();
  } while (!token.empty() && page_sizes.size() < 10);
  EXPECT_EQ(page_sizes, (std::vector<int>{2, 2, 1}));
  const std::vector<std::string> ids = IdsOf(all);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), filed);
  EXPECT_EQ(ids.size(), filed.size()) << "a complaint came twice";
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_GE(all[i - 1].create_time(), all[i].create_time()) << "not newest first";
  }
  // One page of all.
  list.set_page_size(0);
  list.clear_page_token();
  cv1::ListComplaintsResponse page;
  ASSERT_TRUE(Complaints()->ListComplaints(As().get(), list, &page).ok());
  EXPECT_EQ(page.complaints_size(), 5);
  EXPECT_EQ(page.next_page_token(), "");
}

TEST(ComplaintsContract, BadListRequestsAreInvalidArgument) {
  const std::string customer = NewCustomer("List Checker");
  File(customer);
  File(customer);
  cv1::ListComplaintsRequest list;
  list.set_customer_id(customer);
  list.set_page_size(1);
  cv1::ListComplaintsResponse page;
  ASSERT_TRUE(Complaints()->ListComplaints(As().get(), list, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());

  auto expect_bad_token = [&](cv1::ListComplaintsRequest request) {
    cv1::ListComplaintsResponse response;
    ExpectError(Complaints()->ListComplaints(As().get(), request, &response),
                grpc::StatusCode::INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", kDomain);
  };
  cv1::ListComplaintsRequest garbage = list;
  garbage.set_page_token("not-a-token");
  expect_bad_token(garbage);
  // A token is bound to the filters it was issued for.
  cv1::ListComplaintsRequest other_filters = list;
  other_filters.set_page_token(page.next_page_token());
  other_filters.set_status(cv1::COMPLAINT_STATUS_RECEIVED);
  expect_bad_token(other_filters);

  auto expect_field = [&](const std::string& field,
                          const std::function<void(cv1::ListComplaintsRequest&)>& spoil) {
    SCOPED_TRACE(field);
    cv1::ListComplaintsRequest request = list;
    spoil(request);
    cv1::ListComplaintsResponse response;
    ExpectInvalidField(Complaints()->ListComplaints(As().get(), request, &response), field);
  };
  expect_field("page_size", [](auto& r) { r.set_page_size(501); });
  expect_field("page_size", [](auto& r) { r.set_page_size(-1); });
  expect_field("customer_id", [](auto& r) { r.set_customer_id("someone"); });
  expect_field("category", [](auto& r) { r.set_category("Delivery"); });
  expect_field("status", [](auto& r) { r.set_status(static_cast<cv1::ComplaintStatus>(42)); });
  expect_field("team", [](auto& r) { r.set_team(std::string(65, 't')); });
}

TEST(ComplaintsContract, ListFiltersByStatusTeamAgentAndCategory) {
  const std::string customer = NewCustomer("Filtered Complainant");
  const std::string received = File(customer).complaint_id();
  const std::string acknowledged = File(customer).complaint_id();
  Acknowledge(acknowledged);
  const std::string category = CodeName("cat");
  const std::string assessed = File(customer).complaint_id();
  Acknowledge(assessed);
  Assess(assessed, category);
  const std::string team = Suite().Unique("team"), agent = Suite().Unique("agent");
  auto assign = StepOf<cv1::AssignComplaintRequest>(received);
  assign.set_team(team);
  assign.set_agent(agent);
  Must(&Stub::AssignComplaint, assign);

  auto ids = [&](const std::function<void(cv1::ListComplaintsRequest&)>& filter) {
    cv1::ListComplaintsRequest list;
    filter(list);
    return IdsOf(ListAll(list));
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(ids([&](auto& r) {
              r.set_customer_id(customer);
              r.set_status(cv1::COMPLAINT_STATUS_ACKNOWLEDGED);
            }),
            Ids{acknowledged});
  EXPECT_EQ(ids([&](auto& r) {
              r.set_customer_id(customer);
              r.set_status(cv1::COMPLAINT_STATUS_RECEIVED);
            }),
            Ids{received});
  EXPECT_EQ(ids([&](auto& r) { r.set_team(team); }), Ids{received});
  EXPECT_EQ(ids([&](auto& r) { r.set_agent(agent); }), Ids{received});
  EXPECT_EQ(ids([&](auto& r) { r.set_category(category); }), Ids{assessed});
  EXPECT_EQ(ids([&](auto& r) {
              r.set_category(category);
              r.set_status(cv1::COMPLAINT_STATUS_RECEIVED);
            }),
            Ids{});
}

// ---- the handling steps ---------------------------------------------------

// Receipt to close, with a rejected first proposal, then a reopening and a
// second resolution.
TEST(ComplaintsContract, LifecycleRunsFromReceiptToCloseAndReopens) {
  const std::string id = File(NewCustomer("Patient Customer")).complaint_id();
  cv1::Complaint c = Acknowledge(id);
  EXPECT_EQ(c.status(), cv1::COMPLAINT_STATUS_ACKNOWLEDGED);
  EXPECT_TRUE(c.sla().has_first_response_time());
  EXPECT_TRUE(c.sla().first_response_met());

  c = Must(&Stub::AssessComplaint,
           Assessment(id, "product_quality", "seal_defect", cv1::SEVERITY_HIGH));
  EXPECT_EQ(c.status(), cv1::COMPLAINT_STATUS_ASSESSED);
  EXPECT_EQ(c.severity(), cv1::SEVERITY_HIGH);
  EXPECT_TRUE(c.assessment().valid());
  EXPECT_EQ(c.assessment().category(), "product_quality");
  EXPECT_EQ(c.assessment().root_cause(), "seal_defect");
  EXPECT_EQ(c.assessment().key_points(), "leaks at the seal");

  c = Propose(id, {Apology()});
  EXPECT_EQ(c.status(), cv1::COMPLAINT_STATUS_RESOLUTION_PROPOSED);
  EXPECT_EQ(c.proposal().number(), 1);
  EXPECT_FALSE(c.proposal().has_accepted());
  c = Decide(id, false);
  EXPECT_EQ(c.status(), cv1::COMPLAINT_STATUS_REJECTED);
  EXPECT_FALSE(c.proposal().accepted());

  cv1::Remedy refund;
  refund.set_type(cv1::REMEDY_TYPE_REFUND);
  refund.set_amount_minor(19900);
  c = Propose(id, {Apology(), refund});
  EXPECT_EQ(c.proposal().number(), 2);
  EXPECT_EQ(c.proposal().remedies_size(), 2);
  c = Decide(id, true);
  EXPECT_EQ(c.status(), cv1::COMPLAINT_STATUS_ACCEPTED);
  EXPECT_TRUE(c.proposal().accepted());

  c = Must(&Stub::ResolveComplaint, Resolution(id, /*first_contact=*/true));
  EXPECT_EQ(c.status(), cv1::COMPLAINT_STATUS_RESOLVED);
  EXPECT_EQ(c.resolution().outcome(), cv1::OUTCOME_CODE_NON_MONETARY_RELIEF);
  EXPECT_TRUE(c.resolution().first_contact());
  EXPECT_EQ(c.resolution().compensation_status(), cv1::COMPENSATION_STATUS_NONE);
  EXPECT_TRUE(c.sla().has_resolution_time());
  EXPECT_TRUE(c.sla().resolution_met());

  c = FollowUp(id, 2);
  EXPECT_EQ(c.status(), cv1::COMPLAINT_STATUS_FOLLOWED_UP);
  EXPECT_EQ(c.follow_up().satisfaction(), 2);
  EXPECT_EQ(c.follow_up().comment(), "fine now");
  c = Must(&Stub::CloseComplaint, StepOf<cv1::CloseComplaintRequest>(id));
  EXPECT_EQ(c.status(), cv1::COMPLAINT_STATUS_CLOSED);

  c = Must(&Stub::ReopenComplaint,
           StepOf<cv1::ReopenComplaintRequest>(id, "the new kettle leaks as well"));
  EXPECT_EQ(c.status(), cv1::COMPLAINT_STATUS_REOPENED);
  EXPECT_EQ(c.reopen_count(), 1);
  EXPECT_FALSE(c.has_follow_up());
  EXPECT_FALSE(c.sla().has_resolution_time());  // the resolution clock runs again

  // A second round: a new proposal straight away, resolved, followed up and
  // closed; a first contact no longer counts after a reopening.
  c = Propose(id, {Apology()});
  EXPECT_EQ(c.proposal().number(), 3);
  Decide(id, true);
  c = Must(&Stub::ResolveComplaint, Resolution(id, /*first_contact=*/true));
  EXPECT_FALSE(c.resolution().first_contact());
  FollowUp(id, 5);
  Must(&Stub::CloseComplaint, StepOf<cv1::CloseComplaintRequest>(id));

  c = Get(id);
  EXPECT_EQ(c.status(), cv1::COMPLAINT_STATUS_CLOSED);
  EXPECT_EQ(c.follow_up().satisfaction(), 5);
  using K = cv1::Step;
  EXPECT_EQ(KindsOf(c),
            (std::vector<cv1::Step::Kind>{
                K::KIND_RECEIVED, K::KIND_ACKNOWLEDGED, K::KIND_ASSESSED, K::KIND_SEVERITY_CHANGED,
                K::KIND_RESOLUTION_PROPOSED, K::KIND_REJECTED, K::KIND_RESOLUTION_PROPOSED,
                K::KIND_ACCEPTED, K::KIND_RESOLVED, K::KIND_FOLLOWED_UP, K::KIND_CLOSED,
                K::KIND_REOPENED, K::KIND_RESOLUTION_PROPOSED, K::KIND_ACCEPTED, K::KIND_RESOLVED,
                K::KIND_FOLLOWED_UP, K::KIND_CLOSED}));
  for (int i = 1; i < c.timeline_size(); ++i) {
    EXPECT_GE(c.timeline(i).time(), c.timeline(i - 1).time());
  }
  EXPECT_EQ(c.timeline(1).note(), "sorry to hear that");
  EXPECT_EQ(c.timeline(1).actor(), "agent-7");
  EXPECT_EQ(c.timeline(3).value(), cv1::SEVERITY_HIGH);
  EXPECT_EQ(c.timeline(11).note(), "the new kettle leaks as well");
  EXPECT_EQ(c.timeline(11).status(), cv1::COMPLAINT_STATUS_REOPENED);
}

// A step the status does not allow is FAILED_PRECONDITION naming the allowed
// ones, and changes nothing.
TEST(ComplaintsContract, RefusedStepsNameTheAllowedOnesAndChangeNothing) {
  const std::string id = File(NewCustomer("Impatient Customer")).complaint_id();
  cv1::Complaint c;
  const std::set<std::string> in_received = {"AcknowledgeComplaint", "AssignComplaint", "PauseSla",
                                             "ResumeSla", "LinkCustomer"};
  ExpectRefused(Call(&Stub::CloseComplaint, StepOf<cv1::CloseComplaintRequest>(id), &c),
                cv1::COMPLAINT_STATUS_RECEIVED, in_received);
  ExpectRefused(Call(&Stub::ResolveComplaint, Resolution(id), &c), cv1::COMPLAINT_STATUS_RECEIVED,
                in_received);
  ExpectRefused(Call(&Stub::AssessComplaint, Assessment(id, "delivery"), &c),
                cv1::COMPLAINT_STATUS_RECEIVED, in_received);
  auto propose = StepOf<cv1::ProposeResolutionRequest>(id);
  *propose.add_remedies() = Apology();
  ExpectRefused(Call(&Stub::ProposeResolution, propose, &c), cv1::COMPLAINT_STATUS_RECEIVED,
                in_received);
  ExpectRefused(
      Call(&Stub::RecordCustomerDecision, StepOf<cv1::RecordCustomerDecisionRequest>(id), &c),
      cv1::COMPLAINT_STATUS_RECEIVED, in_received);
  auto follow = StepOf<cv1::FollowUpComplaintRequest>(id);
  follow.mutable_follow_up()->set_satisfaction(3);
  ExpectRefused(Call(&Stub::FollowUpComplaint, follow, &c), cv1::COMPLAINT_STATUS_RECEIVED,
                in_received);
  ExpectRefused(Call(&Stub::ReopenComplaint, StepOf<cv1::ReopenComplaintRequest>(id, "why"), &c),
                cv1::COMPLAINT_STATUS_RECEIVED, in_received);
  c = Get(id);
  EXPECT_EQ(c.status(), cv1::COMPLAINT_STATUS_RECEIVED);
  EXPECT_EQ(c.timeline_size(), 1);

  Acknowledge(id);
  ExpectRefused(Call(&Stub::AcknowledgeComplaint, StepOf<cv1::AcknowledgeComplaintRequest>(id), &c),
                cv1::COMPLAINT_STATUS_ACKNOWLEDGED,
                {"AssessComplaint", "AssignComplaint", "PauseSla", "ResumeSla", "LinkCustomer"});

  // Once resolved, the open-complaint steps are refused too.
  Advance(id, cv1::COMPLAINT_STATUS_RESOLVED);
  const std::set<std::string> in_resolved = {"FollowUpComplaint", "LinkCustomer"};
  auto assign = StepOf<cv1::AssignComplaintRequest>(id);
  assign.set_team("billing");
  ExpectRefused(Call(&Stub::AssignComplaint, assign, &c), cv1::COMPLAINT_STATUS_RESOLVED,
                in_resolved);
  ExpectRefused(Call(&Stub::PauseSla, StepOf<cv1::PauseSlaRequest>(id, "waiting"), &c),
                cv1::COMPLAINT_STATUS_RESOLVED, in_resolved);
  ExpectRefused(Call(&Stub::CloseComplaint, StepOf<cv1::CloseComplaintRequest>(id), &c),
                cv1::COMPLAINT_STATUS_RESOLVED, in_resolved);

  Advance(id, cv1::COMPLAINT_STATUS_CLOSED);
  const int steps = Get(id).timeline_size();
  ExpectRefused(Call(&Stub::CloseComplaint, StepOf<cv1::CloseComplaintRequest>(id), &c),
                cv1::COMPLAINT_STATUS_CLOSED, {"ReopenComplaint", "LinkCustomer"});
  ExpectRefused(Call(&Stub::ResumeSla, StepOf<cv1::ResumeSlaRequest>(id), &c),
                cv1::COMPLAINT_STATUS_CLOSED, {"ReopenComplaint", "LinkCustomer"});
  EXPECT_EQ(Get(id).timeline_size(), steps);
}

TEST(ComplaintsContract, BadStepsAreInvalidArgument) {
  const std::string id = File(NewCustomer("Careful Customer")).complaint_id();
  cv1::Complaint c;
  // Follow-up satisfaction outside 1-5.
  for (int satisfaction : {0, 6, -1}) {
    auto follow = StepOf<cv1::FollowUpComplaintRequest>(id);
    follow.mutable_follow_up()->set_satisfaction(satisfaction);
    ExpectInvalidField(Call(&Stub::FollowUpComplaint, follow, &c), "follow_up.satisfaction");
  }
  // Assessments.
  auto assess = Assessment(id, "Delivery");
  ExpectInvalidField(Call(&Stub::AssessComplaint, assess, &c), "assessment.category");
  assess = Assessment(id, "");
  ExpectInvalidField(Call(&Stub::AssessComplaint, assess, &c), "assessment.category");
  assess = Assessment(id, "delivery", "Root Cause");
  ExpectInvalidField(Call(&Stub::AssessComplaint, assess, &c), "assessment.root_cause");
  assess = Assessment(id, "delivery");
  assess.mutable_assessment()->set_valid(false);  // without a reason
  ExpectInvalidField(Call(&Stub::AssessComplaint, assess, &c), "assessment.invalid_reason");
  assess = Assessment(id, "delivery", "", static_cast<cv1::Severity>(9));
  ExpectInvalidField(Call(&Stub::AssessComplaint, assess, &c), "severity");
  // Proposals.
  auto propose = [&](const std::vector<cv1::Remedy>& remedies, const std::string& field) {
    SCOPED_TRACE(field);
    auto request = StepOf<cv1::ProposeResolutionRequest>(id);
    for (const cv1::Remedy& remedy : remedies) *request.add_remedies() = remedy;
    ExpectInvalidField(Call(&Stub::ProposeResolution, request, &c), field);
  };
  propose({}, "remedies");
  propose(std::vector<cv1::Remedy>(11, Apology()), "remedies");
  propose({Points(100, kUnknownId), Points(50, kUnknownId)}, "remedies");
  propose({Points(100, "")}, "remedies[0].loyalty_member_id");
  propose({Apology(), Points(0, kUnknownId)}, "remedies[1].points");
  propose({Points(1'000'000'001, kUnknownId)}, "remedies[0].points");
  cv1::Remedy refund;
  refund.set_type(cv1::REMEDY_TYPE_REFUND);
  propose({refund}, "remedies[0].amount_minor");
  propose({cv1::Remedy()}, "remedies[0].type");
  // Resolution without an outcome.
  auto resolve = Resolution(id);
  resolve.clear_outcome();
  ExpectInvalidField(Call(&Stub::ResolveComplaint, resolve, &c), "outcome");
  // Who acts, and the notes some steps require.
  auto ack = StepOf<cv1::AcknowledgeComplaintRequest>(id);
  ack.mutable_by()->clear_actor();
  ExpectInvalidField(Call(&Stub::AcknowledgeComplaint, ack, &c), "by.actor");
  ack.mutable_by()->set_actor(std::string(65, 'a'));
  ExpectInvalidField(Call(&Stub::AcknowledgeComplaint, ack, &c), "by.actor");
  ExpectInvalidField(Call(&Stub::ReopenComplaint, StepOf<cv1::ReopenComplaintRequest>(id), &c),
                     "by.note");
  ExpectInvalidField(Call(&Stub::PauseSla, StepOf<cv1::PauseSlaRequest>(id), &c), "by.note");
  auto assign = StepOf<cv1::AssignComplaintRequest>(id);
  ExpectInvalidField(Call(&Stub::AssignComplaint, assign, &c), "team");
  assign.set_team("billing");
  assign.set_agent(std::string(65, 'a'));
  ExpectInvalidField(Call(&Stub::AssignComplaint, assign, &c), "agent");
  auto bad_id = StepOf<cv1::AcknowledgeComplaintRequest>("123");
  ExpectInvalidField(Call(&Stub::AcknowledgeComplaint, bad_id, &c), "complaint_id");
  // Nothing happened.
  c = Get(id);
  EXPECT_EQ(c.status(), cv1::COMPLAINT_STATUS_RECEIVED);
  EXPECT_EQ(c.timeline_size(), 1);
}

// A step retried with its request_id returns the first answer; the id reused
// for another request is refused; without one the retry is a new step.
TEST(ComplaintsContract, StepsAreIdempotentByRequestId) {
  const std::string id = File(NewCustomer("Retrying Client")).complaint_id();
  auto ack = StepOf<cv1::AcknowledgeComplaintRequest>(id, "first answer");
  const cv1::Complaint first = Must(&Stub::AcknowledgeComplaint, ack);
  const cv1::Complaint again = Must(&Stub::AcknowledgeComplaint, ack);
  EXPECT_EQ(again.update_time(), first.update_time());
  EXPECT_EQ(again.status(), cv1::COMPLAINT_STATUS_ACKNOWLEDGED);
  EXPECT_EQ(CountSteps(Get(id), cv1::Step::KIND_ACKNOWLEDGED), 1);

  cv1::Complaint c;
  ack.mutable_by()->set_note("a different note");
  ExpectError(Call(&Stub::AcknowledgeComplaint, ack, &c), grpc::StatusCode::FAILED_PRECONDITION,
              "IDEMPOTENCY_KEY_REUSED", kDomain);
  ack.clear_request_id();
  ExpectRefused(Call(&Stub::AcknowledgeComplaint, ack, &c), cv1::COMPLAINT_STATUS_ACKNOWLEDGED,
                {"AssessComplaint", "AssignComplaint", "PauseSla", "ResumeSla", "LinkCustomer"});
  EXPECT_EQ(CountSteps(Get(id), cv1::Step::KIND_ACKNOWLEDGED), 1);
}

TEST(ComplaintsContract, OpenComplaintsAreAssignedPausedAndResumed) {
  const std::string id = File(NewCustomer("Waiting Customer")).complaint_id();
  auto assign = StepOf<cv1::AssignComplaintRequest>(id);
  assign.set_team("kettles");
  assign.set_agent("agent-9");
  cv1::Complaint c = Must(&Stub::AssignComplaint, assign);
  EXPECT_EQ(c.team(), "kettles");
  EXPECT_EQ(c.agent(), "agent-9");
  EXPECT_EQ(c.status(), cv1::COMPLAINT_STATUS_RECEIVED);  // assigning is no transition
  // Team only: the agent is cleared.
  assign = StepOf<cv1::AssignComplaintRequest>(id);
  assign.set_team("returns");
  c = Must(&Stub::AssignComplaint, assign);
  EXPECT_EQ(c.team(), "returns");
  EXPECT_EQ(c.agent(), "");

  c = Must(&Stub::PauseSla, StepOf<cv1::PauseSlaRequest>(id, "waiting for the receipt"));
  EXPECT_TRUE(c.sla().paused());
  EXPECT_EQ(c.sla().pause_reason(), "waiting for the receipt");
  cv1::Complaint refused;
  ExpectError(Call(&Stub::PauseSla, StepOf<cv1::PauseSlaRequest>(id, "again"), &refused),
              grpc::StatusCode::FAILED_PRECONDITION, "ALREADY_PAUSED", kDomain);
  // Paused, the complaint still moves on.
  c = Acknowledge(id);
  EXPECT_TRUE(c.sla().paused());
  c = Must(&Stub::ResumeSla, StepOf<cv1::ResumeSlaRequest>(id, "receipt received"));
  EXPECT_FALSE(c.sla().paused());
  EXPECT_GE(c.sla().paused_seconds(), 0);
  ExpectError(Call(&Stub::ResumeSla, StepOf<cv1::ResumeSlaRequest>(id), &refused),
              grpc::StatusCode::FAILED_PRECONDITION, "NOT_PAUSED", kDomain);
  using K = cv1::Step;
  EXPECT_EQ(KindsOf(Get(id)),
            (std::vector<cv1::Step::Kind>{K::KIND_RECEIVED, K::KIND_ASSIGNED, K::KIND_ASSIGNED,
                                          K::KIND_PAUSED, K::KIND_ACKNOWLEDGED, K::KIND_RESUMED}));
}

// ---- compensation ---------------------------------------------------------

struct Member {
  std::string customer_id, member_id;
};

// A complainant with a loyalty membership in a program of this run.
Member NewMember() {
  Member m{NewCustomer("Compensated Customer"), ""};
  auto loyalty = loyalty::v1::LoyaltyService::NewStub(Suite().loyalty());
  loyalty::v1::CreateProgramRequest program;
  program.set_request_id(Suite().Unique("program"));
  program.mutable_program()->set_display_name("Complaints Club");
  program.mutable_program()->set_currency_code("CNY");
  program.mutable_program()->set_points_per_currency_unit(1);
  loyalty::v1::CreateProgramResponse made;
  EXPECT_TRUE(loyalty->CreateProgram(As().get(), program, &made).ok());
  loyalty::v1::EnrollMemberRequest enroll;
  enroll.set_request_id(Suite().Unique("enroll"));
  enroll.set_program_id(made.program().program_id());
  enroll.set_customer_id(m.customer_id);
  loyalty::v1::EnrollMemberResponse enrolled;
  EXPECT_TRUE(loyalty->EnrollMember(As().get(), enroll, &enrolled).ok());
  m.member_id = enrolled.member().member_id();
  return m;
}

int64_t BalanceOf(const std::string& member_id) {
  auto loyalty = loyalty::v1::LoyaltyService::NewStub(Suite().loyalty());
  loyalty::v1::GetMemberRequest get;
  get.set_member_id(member_id);
  loyalty::v1::GetMemberResponse got;
  EXPECT_TRUE(loyalty->GetMember(As().get(), get, &got).ok());
  return got.member().balance();
}

std::vector<loyalty::v1::LedgerEntry> AdjustmentsOf(const std::string& member_id) {
  auto loyalty = loyalty::v1::LoyaltyService::NewStub(Suite().loyalty());
  loyalty::v1::ListLedgerEntriesRequest list;
  list.set_member_id(member_id);
  list.set_page_size(1000);
  loyalty::v1::ListLedgerEntriesResponse entries;
  EXPECT_TRUE(loyalty->ListLedgerEntries(As().get(), list, &entries).ok());
  std::vector<loyalty::v1::LedgerEntry> adjustments;
  for (const auto& entry : entries.entries()) {
    if (entry.kind() == loyalty::v1::LedgerEntry::KIND_ADJUST) adjustments.push_back(entry);
  }
  return adjustments;
}

// An accepted proposal granting `points` to `member_id`, ready to resolve.
std::string AcceptedPointsProposal(const std::string& customer_id, const std::string& member_id,
                                   int64_t points) {
  const std::string id = File(customer_id).complaint_id();
  Acknowledge(id);
  Assess(id);
  Propose(id, {Apology(), Points(points, member_id)});
  Decide(id, true);
  return id;
}

TEST(ComplaintsContract, CompensationIsGrantedOnceWhenResolveIsRetried) {
  const Member m = NewMember();
  const int64_t before = BalanceOf(m.member_id);
  const std::string id = AcceptedPointsProposal(m.customer_id, m.member_id, 250);

  const cv1::ResolveComplaintRequest resolve = Resolution(id);
  std::string entry_id;
  for (int attempt = 0; attempt < 3; ++attempt) {  // a client retrying after timeouts
    SCOPED_TRACE(attempt);
    const cv1::Complaint c = Must(&Stub::ResolveComplaint, resolve);
    EXPECT_EQ(c.status(), cv1::COMPLAINT_STATUS_RESOLVED);
    EXPECT_EQ(c.resolution().compensation_status(), cv1::COMPENSATION_STATUS_GRANTED);
    EXPECT_FALSE(c.resolution().compensation_entry_id().empty());
    if (attempt == 0) entry_id = c.resolution().compensation_entry_id();
    EXPECT_EQ(c.resolution().compensation_entry_id(), entry_id);
  }
  // Retried without its request_id it is a new step, which the status refuses.
  cv1::ResolveComplaintRequest without_id = resolve;
  without_id.clear_request_id();
  cv1::Complaint c;
  ExpectRefused(Call(&Stub::ResolveComplaint, without_id, &c), cv1::COMPLAINT_STATUS_RESOLVED,
                {"FollowUpComplaint", "LinkCustomer"});
  // The same request_id with another outcome is refused.
  cv1::ResolveComplaintRequest changed = resolve;
  changed.set_outcome(cv1::OUTCOME_CODE_MONETARY_RELIEF);
  ExpectError(Call(&Stub::ResolveComplaint, changed, &c), grpc::StatusCode::FAILED_PRECONDITION,
              "IDEMPOTENCY_KEY_REUSED", kDomain);

  EXPECT_EQ(BalanceOf(m.member_id), before + 250);
  const std::vector<loyalty::v1::LedgerEntry> adjustments = AdjustmentsOf(m.member_id);
  ASSERT_EQ(adjustments.size(), 1u);
  EXPECT_EQ(adjustments[0].points(), 250);
  EXPECT_EQ(absl::StrCat(adjustments[0].entry_id()), entry_id);
  EXPECT_EQ(CountSteps(Get(id), cv1::Step::KIND_COMPENSATION_GRANTED), 1);
}

// Loyalty refusing the grant (an unknown member) leaves the complaint
// resolved with the compensation FAILED and why.
TEST(ComplaintsContract, CompensationToAnUnknownMemberFails) {
  const Member m = NewMember();
  const std::string id = AcceptedPointsProposal(m.customer_id, kUnknownId, 100);
  const cv1::Complaint c = Must(&Stub::ResolveComplaint, Resolution(id));
  EXPECT_EQ(c.status(), cv1::COMPLAINT_STATUS_RESOLVED);
  EXPECT_EQ(c.resolution().compensation_status(), cv1::COMPENSATION_STATUS_FAILED);
  EXPECT_FALSE(c.resolution().compensation_note().empty());
  EXPECT_EQ(c.resolution().compensation_entry_id(), "");
  EXPECT_TRUE(AdjustmentsOf(m.member_id).empty());
}

// ---- SLA configuration and deadlines --------------------------------------

TEST(ComplaintsContract, BusinessCalendarIsCreatedReplacedAndRead) {
  const std::string calendar_id = CodeName("cal");
  cv1::BusinessCalendar calendar;
  calendar.set_calendar_id(calendar_id);
  calendar.set_time_zone("Asia/Shanghai");
  for (int day = 1; day <= 5; ++day) {  // 09:00-12:00 and 13:00-18:00
    for (auto [start, end] : {std::pair{540, 720}, std::pair{780, 1080}}) {
      auto* hours = calendar.add_working_hours();
      hours->set_iso_weekday(day);
      hours->set_start_minute(start);
      hours->set_end_minute(end);
    }
  }
  auto* holiday = calendar.add_holidays();
  holiday->set_year(2030);
  holiday->set_month(10);
  holiday->set_day(1);
  cv1::BusinessCalendar stored, read;
  ASSERT_TRUE(SetCalendar(calendar, &stored).ok());
  EXPECT_TRUE(stored.has_update_time());
  ASSERT_TRUE(GetCalendar(calendar_id, &read).ok());
  EXPECT_EQ(read.time_zone(), "Asia/Shanghai");
  EXPECT_EQ(read.working_hours_size(), 10);
  ASSERT_EQ(read.holidays_size(), 1);
  EXPECT_EQ(read.holidays(0).month(), 10);

  // Replaced as a whole.
  ASSERT_TRUE(SetCalendar(AlwaysOpen(calendar_id)).ok());
  ASSERT_TRUE(GetCalendar(calendar_id, &read).ok());
  EXPECT_EQ(read.time_zone(), "UTC");
  EXPECT_EQ(read.working_hours_size(), 7);
  EXPECT_EQ(read.holidays_size(), 0);

  // The built-in calendar is always there; an unknown one is not.
  ASSERT_TRUE(GetCalendar("default", &read).ok());
  EXPECT_GT(read.working_hours_size(), 0);
  ExpectError(GetCalendar(CodeName("cal"), &read), grpc::StatusCode::NOT_FOUND,
              "CALENDAR_NOT_FOUND", kDomain);
  ExpectInvalidField(GetCalendar("Bad-Id", &read), "calendar_id");
}

TEST(ComplaintsContract, BadBusinessCalendarsAreInvalidArgument) {
  const std::string calendar_id = CodeName("cal");
  const std::vector<std::pair<std::string, std::function<void(cv1::BusinessCalendar&)>>> cases = {
      {"calendar.calendar_id", [](cv1::BusinessCalendar& c) { c.set_calendar_id("Office"); }},
      {"calendar.calendar_id",
       [](cv1::BusinessCalendar& c) { c.set_calendar_id(std::string(33, 'c')); }},
      {"calendar.time_zone", [](cv1::BusinessCalendar& c) { c.set_time_zone("Mars/Olympus"); }},
      {"calendar.working_hours", [](cv1::BusinessCalendar& c) { c.clear_working_hours(); }},
      {"calendar.working_hours",  // overlapping on Monday
       [](cv1::BusinessCalendar& c) {
         auto* extra = c.add_working_hours();
         extra->set_iso_weekday(1);
         extra->set_start_minute(600);
         extra->set_end_minute(700);
       }},
      {"calendar.working_hours[0].iso_weekday",
       [](cv1::BusinessCalendar& c) { c.mutable_working_hours(0)->set_iso_weekday(8); }},
      {"calendar.working_hours[0]",
       [](cv1::BusinessCalendar& c) { c.mutable_working_hours(0)->set_start_minute(1440); }},
      {"calendar.working_hours[0]",
       [](cv1::BusinessCalendar& c) { c.mutable_working_hours(0)->set_end_minute(1441); }},
      {"calendar.holidays[0]",
       [](cv1::BusinessCalendar& c) {
         auto* day = c.add_holidays();
         day->set_year(2030);
         day->set_month(2);
         day->set_day(30);
       }},
  };
  for (const auto& [field, spoil] : cases) {
    SCOPED_TRACE(field);
    cv1::BusinessCalendar calendar = AlwaysOpen(calendar_id);
    spoil(calendar);
    ExpectInvalidField(SetCalendar(calendar), field);
  }
  cv1::BusinessCalendar read;
  ExpectError(GetCalendar(calendar_id, &read), grpc::StatusCode::NOT_FOUND, "CALENDAR_NOT_FOUND",
              kDomain);
}

TEST(ComplaintsContract, SlaPolicyIsCreatedReplacedAndRead) {
  const std::string calendar_id = CodeName("cal");
  ASSERT_TRUE(SetCalendar(AlwaysOpen(calendar_id)).ok());
  const std::string sla_class = CodeName("sla");
  cv1::SlaPolicy policy =
      SlaPolicy(sla_class, calendar_id, {{600, 6000}, {240, 2400}, {60, 600}, {30, 300}});
  auto* rule = policy.add_escalations();
  rule->set_clock(cv1::SLA_CLOCK_RESOLUTION);
  rule->set_percent_elapsed(80);
  rule->set_action(cv1::ESCALATION_ACTION_REASSIGN);
  rule->set_team("leads");
  cv1::SlaPolicy first, read;
  ASSERT_TRUE(SetPolicy(policy, &first).ok());
  EXPECT_GT(first.version(), 0);
  EXPECT_TRUE(first.has_update_time());
  ASSERT_TRUE(GetPolicy(sla_class, &read).ok());
  EXPECT_EQ(read.calendar_id(), calendar_id);
  EXPECT_EQ(read.version(), first.version());
  ASSERT_EQ(read.targets_size(), 4);
  ASSERT_EQ(read.escalations_size(), 1);
  EXPECT_EQ(read.escalations(0).team(), "leads");

  // Replaced as a whole, with a higher version.
  ASSERT_TRUE(
      SetPolicy(SlaPolicy(sla_class, "default", {{480, 5400}, {480, 2700}, {240, 1080}, {60, 480}}))
          .ok());
  ASSERT_TRUE(GetPolicy(sla_class, &read).ok());
  EXPECT_GT(read.version(), first.version());
  EXPECT_EQ(read.calendar_id(), "default");
  EXPECT_EQ(read.escalations_size(), 0);

  // "standard" always has a policy; an unknown class has none.
  ASSERT_TRUE(GetPolicy("standard", &read).ok());
  EXPECT_EQ(read.targets_size(), 4);
  ExpectError(GetPolicy(CodeName("sla"), &read), grpc::StatusCode::NOT_FOUND,
              "SLA_POLICY_NOT_FOUND", kDomain);
  ExpectInvalidField(GetPolicy("Gold-Class", &read), "sla_class");
}

TEST(ComplaintsContract, BadSlaPoliciesAreRefused) {
  const std::string sla_class = CodeName("sla");
  const std::vector<std::pair<std::string, std::function<void(cv1::SlaPolicy&)>>> cases = {
      {"policy.sla_class", [](cv1::SlaPolicy& p) { p.set_sla_class("Gold"); }},
      {"policy.calendar_id", [](cv1::SlaPolicy& p) { p.clear_calendar_id(); }},
      {"policy.targets", [](cv1::SlaPolicy& p) { p.mutable_targets()->RemoveLast(); }},
      {"policy.targets[0].first_response_minutes",
       [](cv1::SlaPolicy& p) { p.mutable_targets(0)->set_first_response_minutes(0); }},
      {"policy.targets[0].resolution_minutes",
       [](cv1::SlaPolicy& p) { p.mutable_targets(0)->set_resolution_minutes(525601); }},
      {"policy.targets[1].severity",
       [](cv1::SlaPolicy& p) { p.mutable_targets(1)->set_severity(cv1::SEVERITY_LOW); }},
      {"policy.escalations[0].percent_elapsed",
       [](cv1::SlaPolicy& p) {
         auto* rule = p.add_escalations();
         rule->set_clock(cv1::SLA_CLOCK_RESOLUTION);
         rule->set_action(cv1::ESCALATION_ACTION_NOTIFY);
       }},
      {"policy.escalations[0].team",
       [](cv1::SlaPolicy& p) {
         auto* rule = p.add_escalations();
         rule->set_clock(cv1::SLA_CLOCK_RESOLUTION);
         rule->set_percent_elapsed(100);
         rule->set_action(cv1::ESCALATION_ACTION_REASSIGN);
       }},
      {"policy.escalations[0].clock",
       [](cv1::SlaPolicy& p) {
         auto* rule = p.add_escalations();
         rule->set_percent_elapsed(100);
         rule->set_action(cv1::ESCALATION_ACTION_NOTIFY);
       }},
      {"policy.escalations",
       [](cv1::SlaPolicy& p) {
         for (int i = 0; i < 11; ++i) {
           auto* rule = p.add_escalations();
           rule->set_clock(cv1::SLA_CLOCK_RESOLUTION);
           rule->set_percent_elapsed(10 * (i + 1));
           rule->set_action(cv1::ESCALATION_ACTION_NOTIFY);
         }
       }},
  };
  for (const auto& [field, spoil] : cases) {
    SCOPED_TRACE(field);
    cv1::SlaPolicy policy =
        SlaPolicy(sla_class, "default", {{60, 600}, {60, 600}, {60, 600}, {60, 600}});
    spoil(policy);
    ExpectInvalidField(SetPolicy(policy), field);
  }
  // A calendar that was never set.
  const std::string missing = CodeName("cal");
  const grpc::Status no_calendar =
      SetPolicy(SlaPolicy(sla_class, missing, {{60, 600}, {60, 600}, {60, 600}, {60, 600}}));
  ExpectError(no_calendar, grpc::StatusCode::FAILED_PRECONDITION, "CALENDAR_NOT_FOUND", kDomain);
  EXPECT_EQ(ErrorMetadata(no_calendar)["calendar_id"], missing);
  cv1::SlaPolicy read;
  ExpectError(GetPolicy(sla_class, &read), grpc::StatusCode::NOT_FOUND, "SLA_POLICY_NOT_FOUND",
              kDomain);
}

// The complainant's tier in segment chooses the SLA class; its policy sets
// the due times (on a calendar open around the clock: plain sums), which a
// new severity or a new policy re-targets.
TEST(ComplaintsContract, ATiersSlaClassSetsTheDeadlines) {
  const std::string calendar_id = CodeName("cal");
  ASSERT_TRUE(SetCalendar(AlwaysOpen(calendar_id)).ok());
  const std::string sla_class = CodeName("sla");
  cv1::SlaPolicy policy;
  ASSERT_TRUE(
      SetPolicy(SlaPolicy(sla_class, calendar_id, {{600, 6000}, {240, 2400}, {60, 600}, {30, 300}}),
                &policy)
          .ok());
  std::string tier;
  const std::string customer = CustomerInSlaClass(sla_class, &tier);

  const cv1::Complaint filed = File(customer);
  const std::string id = filed.complaint_id();
  EXPECT_EQ(filed.tier(), tier);
  EXPECT_EQ(filed.sla().sla_class(), sla_class);
  EXPECT_EQ(filed.sla().policy_version(), policy.version());
  const google::protobuf::Timestamp& received = filed.create_time();
  // MEDIUM: 240 / 2400 minutes.
  EXPECT_NEAR(SecondsBetween(received, filed.sla().first_response_due()), 240 * 60, 1);
  EXPECT_NEAR(SecondsBetween(received, filed.sla().resolution_due()), 2400 * 60, 1);
  EXPECT_FALSE(filed.sla().has_first_response_met());  // open, not yet due
  EXPECT_FALSE(filed.sla().at_risk());
  EXPECT_EQ(filed.sla().escalation_level(), 0);
  cv1::ListComplaintsRequest overdue;  // hours ahead: not overdue
  overdue.set_customer_id(customer);
  overdue.set_overdue(true);
  EXPECT_TRUE(ListAll(overdue).empty());

  // The first response met in time; CRITICAL re-targets the resolution.
  Acknowledge(id);
  cv1::Complaint c =
      Must(&Stub::AssessComplaint, Assessment(id, "delivery", "", cv1::SEVERITY_CRITICAL));
  EXPECT_EQ(c.severity(), cv1::SEVERITY_CRITICAL);
  EXPECT_TRUE(c.sla().first_response_met());
  EXPECT_NEAR(SecondsBetween(received, c.sla().resolution_due()), 300 * 60, 1);

  // A new policy of the class re-targets the open complaint.
  cv1::SlaPolicy replaced;
  ASSERT_TRUE(
      SetPolicy(SlaPolicy(sla_class, calendar_id, {{600, 6000}, {240, 2400}, {60, 600}, {30, 200}}),
                &replaced)
          .ok());
  EXPECT_GT(replaced.version(), policy.version());
  EXPECT_TRUE(Eventually([&] {
    c = Get(id);
    return c.sla().policy_version() == replaced.version();
  })) << "policy version "
      << c.sla().policy_version();
  EXPECT_NEAR(SecondsBetween(received, c.sla().resolution_due()), 200 * 60, 1);

  // Paused: nothing runs; resumed, the paused time is kept and counted.
  c = Must(&Stub::PauseSla, StepOf<cv1::PauseSlaRequest>(id, "waiting for photos"));
  EXPECT_TRUE(c.sla().paused());
  c = Must(&Stub::ResumeSla, StepOf<cv1::ResumeSlaRequest>(id));
  EXPECT_FALSE(c.sla().paused());
  EXPECT_NEAR(SecondsBetween(received, c.sla().resolution_due()),
              200 * 60 + c.sla().paused_seconds(), 1);
}

// An escalation rule fires once its share of the clock has run: the sweep
// applies it once per resolution round, however often it runs.
TEST(ComplaintsContract, SweepEscalatesOnceWhenARuleIsDue) {
  const std::string calendar_id = CodeName("cal");
  ASSERT_TRUE(SetCalendar(AlwaysOpen(calendar_id)).ok());
  const std::string sla_class = CodeName("sla");
  const std::string leads = Suite().Unique("leads");
  cv1::SlaPolicy policy = SlaPolicy(sla_class, calendar_id, {{1, 1}, {1, 1}, {1, 1}, {1, 1}});
  auto* rule = policy.add_escalations();  // after 0.6 seconds
  rule->set_clock(cv1::SLA_CLOCK_RESOLUTION);
  rule->set_percent_elapsed(1);
  rule->set_action(cv1::ESCALATION_ACTION_REASSIGN);
  rule->set_team(leads);
  ASSERT_TRUE(SetPolicy(policy).ok());
  const std::string id = File(CustomerInSlaClass(sla_class)).complaint_id();

  cv1::RunSlaSweepResponse swept;
  cv1::Complaint c;
  ASSERT_TRUE(Eventually(
      [&] {
        const grpc::Status status =
            Complaints()->RunSlaSweep(As().get(), cv1::RunSlaSweepRequest(), &swept);
        EXPECT_TRUE(status.ok()) << status.error_message();
        c = Get(id);
        return c.sla().escalation_level() == 1;
      },
      absl::Seconds(90)))
      << c.DebugString();
  EXPECT_EQ(c.team(), leads);
  EXPECT_EQ(c.agent(), "");
  EXPECT_TRUE(c.sla().at_risk());  // a rule below 100 % fired
  EXPECT_GE(swept.complaints_checked(), 0);
  EXPECT_GE(swept.escalations(), 0);
  EXPECT_GE(swept.pending_completed(), 0);
  EXPECT_GE(swept.pending_remaining(), 0);
  ASSERT_EQ(CountSteps(c, cv1::Step::KIND_ESCALATED), 1);
  for (const cv1::Step& step : c.timeline()) {
    if (step.kind() != cv1::Step::KIND_ESCALATED) continue;
    EXPECT_EQ(step.actor(), "system");
    EXPECT_EQ(step.value(), 1);
  }
  // Swept again: nothing more.
  cv1::RunSlaSweepRequest again;
  again.set_limit(100);
  ASSERT_TRUE(Complaints()->RunSlaSweep(As().get(), again, &swept).ok());
  EXPECT_EQ(CountSteps(Get(id), cv1::Step::KIND_ESCALATED), 1);
}

TEST(ComplaintsContract, SweepLimitIsChecked) {
  cv1::RunSlaSweepRequest sweep;
  cv1::RunSlaSweepResponse swept;
  for (int limit : {-1, 100001}) {
    sweep.set_limit(limit);
    ExpectInvalidField(Complaints()->RunSlaSweep(As().get(), sweep, &swept), "limit");
  }
}

// ---- measures -------------------------------------------------------------

// Measures over the complaints filed in a period, grouped by a category only
// this run uses.
TEST(ComplaintsContract, MetricsMeasureTheComplaintsFiledInAPeriod) {
  const std::string customer = NewCustomer("Measured Customer");
  const std::string category = CodeName("cat");
  const std::string cause = CodeName("cause"), other_cause = CodeName("cause");
  std::vector<std::string> ids;
  for (const std::string& root_cause : {cause, cause, other_cause}) {
    const cv1::Complaint c = File(customer);
    ids.push_back(c.complaint_id());
    Acknowledge(c.complaint_id());
    Assess(c.complaint_id(), category, root_cause);
  }
  // One resolved at the first contact, followed up (4) and closed.
  Propose(ids[0], {Apology()});
  Decide(ids[0], true);
  Must(&Stub::ResolveComplaint, Resolution(ids[0], /*first_contact=*/true));
  FollowUp(ids[0], 4);
  Must(&Stub::CloseComplaint, StepOf<cv1::CloseComplaintRequest>(ids[0]));
  const cv1::Complaint first = Get(ids[0]);

  cv1::GetComplaintMetricsRequest request;
  *request.mutable_start_time() = first.create_time() - TimeUtil::SecondsToDuration(1);
  *request.mutable_end_time() = TimeUtil::GetCurrentTime() + TimeUtil::SecondsToDuration(60);
  request.set_group_by(cv1::METRICS_GROUPING_CATEGORY);
  request.set_rate_denominator(3000);
  request.set_top_root_causes(1);
  cv1::GetComplaintMetricsResponse response;
  const grpc::Status status = Complaints()->GetComplaintMetrics(As().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const cv1::ComplaintMetrics* mine = nullptr;
  for (const cv1::ComplaintMetrics& group : response.groups()) {
    if (group.group() == category) mine = &group;
  }
  ASSERT_NE(mine, nullptr) << "no group " << category;
  EXPECT_EQ(mine->complaints(), 3);
  EXPECT_DOUBLE_EQ(mine->complaints_per_thousand(), 1.0);
  EXPECT_EQ(mine->first_response_seconds().count(), 3);
  EXPECT_EQ(mine->resolution_seconds().count(), 1);
  EXPECT_DOUBLE_EQ(mine->first_response_attainment(), 1.0);
  EXPECT_DOUBLE_EQ(mine->resolution_attainment(), 1.0);
  EXPECT_DOUBLE_EQ(mine->first_contact_resolution(), 1.0);
  EXPECT_DOUBLE_EQ(mine->satisfaction_mean(), 4.0);
  EXPECT_EQ(
      std::vector<int64_t>(mine->satisfaction_counts().begin(), mine->satisfaction_counts().end()),
      (std::vector<int64_t>{0, 0, 0, 1, 0}));
  EXPECT_DOUBLE_EQ(mine->reopen_rate(), 0.0);
  EXPECT_EQ(mine->repeat_complainants(), 1);
  ASSERT_EQ(mine->top_root_causes_size(), 1);
  EXPECT_EQ(mine->top_root_causes(0).root_cause(), cause);
  EXPECT_EQ(mine->top_root_causes(0).complaints(), 2);

  // Everything in one group: at least these three.
  request.clear_group_by();
  ASSERT_TRUE(Complaints()->GetComplaintMetrics(As().get(), request, &response).ok());
  ASSERT_EQ(response.groups_size(), 1);
  EXPECT_EQ(response.groups(0).group(), "");
  EXPECT_GE(response.groups(0).complaints(), 3);
}

TEST(ComplaintsContract, BadMetricsRequestsAreInvalidArgument) {
  const google::protobuf::Timestamp now = TimeUtil::GetCurrentTime();
  auto expect_field = [&](const std::string& field,
                          const std::function<void(cv1::GetComplaintMetricsRequest&)>& spoil) {
    SCOPED_TRACE(field);
    cv1::GetComplaintMetricsRequest request;
    *request.mutable_start_time() = now - TimeUtil::HoursToDuration(1);
    *request.mutable_end_time() = now;
    spoil(request);
    cv1::GetComplaintMetricsResponse response;
    ExpectInvalidField(Complaints()->GetComplaintMetrics(As().get(), request, &response), field);
  };
  expect_field("end_time", [](auto& r) { r.clear_start_time(); });
  expect_field("end_time", [](auto& r) { r.clear_end_time(); });
  expect_field("end_time", [](auto& r) { *r.mutable_end_time() = r.start_time(); });
  expect_field("top_root_causes", [](auto& r) { r.set_top_root_causes(51); });
  expect_field("rate_denominator", [](auto& r) { r.set_rate_denominator(-1); });
  expect_field("group_by", [](auto& r) { r.set_group_by(static_cast<cv1::MetricsGrouping>(9)); });
}

// ---- authorisation --------------------------------------------------------

TEST(ComplaintsContract, CallsWithoutATokenAreDenied) {
  if (!Suite().secured()) GTEST_SKIP() << "plaintext suite: no authorisation to check";
  cv1::GetComplaintRequest get;
  get.set_complaint_id(kUnknownId);
  cv1::GetComplaintResponse got;
  const grpc::Status denied = Complaints()->GetComplaint(As(Caller::kNoToken).get(), get, &got);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED) << denied.error_message();
}

}  // namespace
}  // namespace crm::contract
