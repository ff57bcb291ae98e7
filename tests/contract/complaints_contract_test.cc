// Complaint handling across the four binaries: identify resolves the
// complainant and records the contact, segment gives the tier and its SLA
// class, loyalty grants the compensation.
#include <csignal>

#include "absl/time/clock.h"
#include "crm/complaints/v1/complaints.grpc.pb.h"
#include "crm/complaints/v1/events.pb.h"
#include "crm/events/v1/events.grpc.pb.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "crm/segment/v1/segment.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/contract/loyalty_setup.h"
#include "tests/contract/rpc_expectations.h"
#include "tests/contract/service_process.h"

namespace crm {
namespace {

using testing::Context;
using testing::ExpectError;
using testing::ServiceProcess;
using testing::WaitForHealth;
namespace cv1 = complaints::v1;

constexpr char kDomain[] = "complaints.crm";

cv1::Actor Agent(const std::string& note = "") {
  cv1::Actor by;
  by.set_actor("agent-7");
  by.set_note(note);
  return by;
}

TEST(ComplaintsContractTest, FileAndGetAloneWithNoOtherServiceUp) {
  ServiceProcess svc("complaints", true,
                     {"--identify_target=127.0.0.1:1", "--loyalty_target=127.0.0.1:1",
                      "--segment_target=127.0.0.1:1"});
  ASSERT_TRUE(WaitForHealth(svc.channel().get(), "SERVING", absl::Seconds(20)));
  auto stub = cv1::ComplaintsService::NewStub(svc.channel());
  cv1::FileComplaintRequest file;
  file.set_request_id("c1");
  file.mutable_complaint()->set_channel(cv1::CHANNEL_CALL_CENTER);
  file.mutable_complaint()->set_subject("billing");
  file.mutable_complaint()->set_description("charged twice");
  file.mutable_customer_identifier()->set_type(identify::v1::IDENTIFIER_TYPE_MEMBER_CARD);
  file.mutable_customer_identifier()->set_value("8800123");
  cv1::FileComplaintResponse filed;
  ASSERT_TRUE(stub->FileComplaint(Context().get(), file, &filed).ok());
  EXPECT_EQ(filed.complaint().status(), cv1::COMPLAINT_STATUS_RECEIVED);
  EXPECT_EQ(filed.complaint().customer_id(), "");  // linked when identify is back
  EXPECT_EQ(filed.complaint().unlinked_identifier(), "***0123");
  EXPECT_EQ(filed.complaint().sla().sla_class(), "standard");
  cv1::GetComplaintRequest get;
  get.set_complaint_id(filed.complaint().complaint_id());
  cv1::GetComplaintResponse got;
  ASSERT_TRUE(stub->GetComplaint(Context().get(), get, &got).ok());
  EXPECT_EQ(got.complaint().description(), "charged twice");
  ASSERT_EQ(got.complaint().timeline_size(), 1);
  get.set_complaint_id("01ARZ3NDEKTSV4RRFFQ69G5FAV");
  ExpectError(stub->GetComplaint(Context().get(), get, &got), grpc::StatusCode::NOT_FOUND,
              "COMPLAINT_NOT_FOUND", kDomain);
  file.set_request_id("c2");
  file.mutable_complaint()->set_severity(static_cast<cv1::Severity>(7));
  ExpectError(stub->FileComplaint(Context().get(), file, &filed),
              grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD", kDomain);
  cv1::CloseComplaintRequest close;
  close.set_complaint_id(got.complaint().complaint_id());
  *close.mutable_by() = Agent();
  cv1::CloseComplaintResponse closed;
  close.set_complaint_id(filed.complaint().complaint_id());
  ExpectError(stub->CloseComplaint(Context().get(), close, &closed),
              grpc::StatusCode::FAILED_PRECONDITION, "INVALID_TRANSITION", kDomain);

  // The change feed: the filing's event, from the beginning.
  auto feed = events::v1::EventFeedService::NewStub(svc.channel());
  events::v1::WatchEventsRequest watch;
  auto ctx = Context();
  auto stream = feed->WatchEvents(ctx.get(), watch);
  events::v1::WatchEventsResponse batch;
  ASSERT_TRUE(stream->Read(&batch));
  ASSERT_EQ(batch.events_size(), 1);
  cv1::ComplaintFiled event;
  ASSERT_TRUE(batch.events(0).payload().UnpackTo(&event));
  EXPECT_EQ(event.complaint_id(), got.complaint().complaint_id());
  ctx->TryCancel();
  events::v1::GetEventHorizonResponse horizon;
  ASSERT_TRUE(feed->GetEventHorizon(Context().get(), {}, &horizon).ok());
  EXPECT_EQ(horizon.last_seq(), batch.events(0).seq());
}

TEST(ComplaintsContractTest, AVipComplaintIsCompensatedOnceThroughLoyalty) {
  ServiceProcess identify("identify");
  ServiceProcess segment("segment", true,
                         {"--loyalty_target=", "--complaints_target=", "--identify_target="});
  ASSERT_TRUE(WaitForHealth(identify.channel().get(), "SERVING", absl::Seconds(20)));
  ServiceProcess loyalty("loyalty", true, {"--identify_target=" + identify.address()});
  ServiceProcess complaints(
      "complaints", true,
      {"--identify_target=" + identify.address(), "--loyalty_target=" + loyalty.address(),
       "--segment_target=" + segment.address(), "--pending_calls_interval=200ms",
       "--sla_sweep_interval=0"});
  for (auto* svc : {&segment, &loyalty, &complaints}) {
    ASSERT_TRUE(WaitForHealth(svc->channel().get(), "SERVING", absl::Seconds(20)));
  }
  auto customers = identify::v1::IdentifyService::NewStub(identify.channel());
  auto tiers = segment::v1::SegmentService::NewStub(segment.channel());
  auto points = loyalty::v1::LoyaltyService::NewStub(loyalty.channel());
  auto stub = cv1::ComplaintsService::NewStub(complaints.channel());

  identify::v1::CreateCustomerRequest create;
  create.set_request_id("c1");
  create.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
  create.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
  create.mutable_customer()->set_display_name("Han Meimei");
  auto* card = create.mutable_customer()->add_identifiers();
  card->set_type(identify::v1::IDENTIFIER_TYPE_MEMBER_CARD);
  card->set_value("7700555");
  identify::v1::CreateCustomerResponse created;
  ASSERT_TRUE(customers->CreateCustomer(Context().get(), create, &created).ok());
  const std::string customer = created.customer().customer_id();

  segment::v1::SetTierPolicyRequest policy;
  policy.mutable_policy()->set_tier("vip");
  policy.mutable_policy()->set_priority(900);
  policy.mutable_policy()->set_sla_class("premium");
  policy.mutable_policy()->set_contact_channel(segment::v1::CONTACT_CHANNEL_KEY_ACCOUNT_MANAGER);
  segment::v1::SetTierPolicyResponse policy_set;
  ASSERT_TRUE(tiers->SetTierPolicy(Context().get(), policy, &policy_set).ok());
  segment::v1::AssignCustomerTierRequest assign;
  assign.mutable_tier()->set_customer_id(customer);
  assign.mutable_tier()->set_tier("vip");
  assign.mutable_tier()->set_reason("key account since 2019");
  segment::v1::AssignCustomerTierResponse assigned;
  ASSERT_TRUE(tiers->AssignCustomerTier(Context().get(), assign, &assigned).ok());

  cv1::SetSlaPolicyRequest sla;
  sla.mutable_policy()->set_sla_class("premium");
  sla.mutable_policy()->set_calendar_id("default");
  for (int severity = 1; severity <= 4; ++severity) {
    auto* t = sla.mutable_policy()->add_targets();
    t->set_severity(static_cast<cv1::Severity>(severity));
    t->set_first_response_minutes(30);
    t->set_resolution_minutes(240);
  }
  cv1::SetSlaPolicyResponse sla_set;
  ASSERT_TRUE(stub->SetSlaPolicy(Context().get(), sla, &sla_set).ok());

  loyalty::v1::EnrollMemberResponse enrolled;
  *enrolled.mutable_member() = testing::EnrollInNewClub(*points, customer);
  const std::string member = enrolled.member().member_id();
  const int64_t points_before = enrolled.member().balance();

  cv1::FileComplaintRequest file;
  file.set_request_id("web-1");
  file.mutable_complaint()->set_channel(cv1::CHANNEL_WEB);
  file.mutable_complaint()->set_subject("broken kettle");
  file.mutable_complaint()->set_description("the kettle leaks after a week");
  file.mutable_customer_identifier()->set_type(identify::v1::IDENTIFIER_TYPE_MEMBER_CARD);
  file.mutable_customer_identifier()->set_value("7700-555");
  cv1::FileComplaintResponse filed;
  ASSERT_TRUE(stub->FileComplaint(Context().get(), file, &filed).ok());
  const cv1::Complaint& c = filed.complaint();
  EXPECT_EQ(c.customer_id(), customer);
  EXPECT_EQ(c.tier(), "vip");
  EXPECT_EQ(c.sla().sla_class(), "premium");
  const std::string id = c.complaint_id();

  cv1::AcknowledgeComplaintRequest ack;
  ack.set_complaint_id(id);
  *ack.mutable_by() = Agent("sorry to hear that");
  cv1::AcknowledgeComplaintResponse acked;
  ASSERT_TRUE(stub->AcknowledgeComplaint(Context().get(), ack, &acked).ok());
  cv1::AssessComplaintRequest assess;
  assess.set_complaint_id(id);
  *assess.mutable_by() = Agent();
  assess.mutable_assessment()->set_valid(true);
  assess.mutable_assessment()->set_category("product_quality");
  assess.mutable_assessment()->set_root_cause("seal_defect");
  cv1::AssessComplaintResponse assessed;
  ASSERT_TRUE(stub->AssessComplaint(Context().get(), assess, &assessed).ok());
  cv1::ProposeResolutionRequest propose;
  propose.set_complaint_id(id);
  *propose.mutable_by() = Agent();
  propose.add_remedies()->set_type(cv1::REMEDY_TYPE_REPLACEMENT);
  auto* goodwill = propose.add_remedies();
  goodwill->set_type(cv1::REMEDY_TYPE_COMPENSATION_POINTS);
  goodwill->set_points(250);
  goodwill->set_loyalty_member_id(member);
  cv1::ProposeResolutionResponse proposed;
  ASSERT_TRUE(stub->ProposeResolution(Context().get(), propose, &proposed).ok());
  cv1::RecordCustomerDecisionRequest decide;
  decide.set_complaint_id(id);
  *decide.mutable_by() = Agent();
  decide.set_accepted(true);
  cv1::RecordCustomerDecisionResponse decided;
  ASSERT_TRUE(stub->RecordCustomerDecision(Context().get(), decide, &decided).ok());

  cv1::ResolveComplaintRequest resolve;
  resolve.set_request_id("resolve-" + id);
  resolve.set_complaint_id(id);
  *resolve.mutable_by() = Agent();
  resolve.set_outcome(cv1::OUTCOME_CODE_NON_MONETARY_RELIEF);
  for (int attempt = 0; attempt < 3; ++attempt) {  // a client retrying after timeouts
    cv1::ResolveComplaintResponse resolved;
    ASSERT_TRUE(stub->ResolveComplaint(Context().get(), resolve, &resolved).ok());
    EXPECT_EQ(resolved.complaint().resolution().compensation_status(),
              cv1::COMPENSATION_STATUS_GRANTED);
  }
  resolve.clear_request_id();
  cv1::ResolveComplaintResponse again;
  ExpectError(stub->ResolveComplaint(Context().get(), resolve, &again),
              grpc::StatusCode::FAILED_PRECONDITION, "INVALID_TRANSITION", kDomain);
  loyalty::v1::GetMemberRequest get_member;
  get_member.set_member_id(member);
  loyalty::v1::GetMemberResponse got_member;
  ASSERT_TRUE(points->GetMember(Context().get(), get_member, &got_member).ok());
  EXPECT_EQ(got_member.member().balance(), points_before + 250);

  cv1::FollowUpComplaintRequest follow;
  follow.set_complaint_id(id);
  *follow.mutable_by() = Agent();
  follow.mutable_follow_up()->set_satisfaction(6);
  cv1::FollowUpComplaintResponse followed;
  ExpectError(stub->FollowUpComplaint(Context().get(), follow, &followed),
              grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD", kDomain);
  follow.mutable_follow_up()->set_satisfaction(5);
  ASSERT_TRUE(stub->FollowUpComplaint(Context().get(), follow, &followed).ok());

  // The contact reaches identify's history within a moment.
  identify::v1::ListContactsRequest contacts;
  contacts.set_customer_id(customer);
  identify::v1::ListContactsResponse listed;
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (absl::Now() < give_up) {
    ASSERT_TRUE(customers->ListContacts(Context().get(), contacts, &listed).ok());
    if (listed.contacts_size() > 0) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_EQ(listed.contacts_size(), 1);
  EXPECT_EQ(listed.contacts(0).reference(), id);

  // Segment down: a new complaint still goes in, on the standard SLA.
  segment.process().Signal(SIGTERM);
  ASSERT_TRUE(segment.process().Wait(absl::Seconds(20)).has_value());
  file.set_request_id("web-2");
  ASSERT_TRUE(stub->FileComplaint(Context().get(), file, &filed).ok());
  EXPECT_EQ(filed.complaint().customer_id(), customer);
  EXPECT_EQ(filed.complaint().sla().sla_class(), "standard");
}

// A complaint follows its customer through identify's merge, and back
// exactly on unmerge, through identify's change feed.
TEST(ComplaintsContractTest, ComplaintsFollowTheirCustomerThroughMergeAndUnmerge) {
  ServiceProcess identify("identify");
  ASSERT_TRUE(WaitForHealth(identify.channel().get(), "SERVING", absl::Seconds(20)));
  ServiceProcess complaints("complaints", true,
                            {"--identify_target=" + identify.address(),
                             "--loyalty_target=127.0.0.1:1", "--segment_target=127.0.0.1:1",
                             "--sla_sweep_interval=0"});
  ASSERT_TRUE(WaitForHealth(complaints.channel().get(), "SERVING", absl::Seconds(20)));
  auto customers = identify::v1::IdentifyService::NewStub(identify.channel());
  auto stub = cv1::ComplaintsService::NewStub(complaints.channel());
  auto create = [&](const std::string& name) {
    identify::v1::CreateCustomerRequest request;
    request.set_request_id("create-" + name.substr(0, 2));
    request.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
    request.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
    request.mutable_customer()->set_display_name(name);
    identify::v1::CreateCustomerResponse response;
    EXPECT_TRUE(customers->CreateCustomer(Context().get(), request, &response).ok());
    return response.customer().customer_id();
  };
  const std::string survivor = create("Li Na"), duplicate = create("Na Li"), other = create("Wu Di");
  auto file = [&](const std::string& request_id, const std::string& customer) {
    cv1::FileComplaintRequest request;
    request.set_request_id(request_id);
    request.mutable_complaint()->set_customer_id(customer);
    request.mutable_complaint()->set_channel(cv1::CHANNEL_EMAIL);
    request.mutable_complaint()->set_subject("refund");
    request.mutable_complaint()->set_description("no refund after three weeks");
    cv1::FileComplaintResponse response;
    EXPECT_TRUE(stub->FileComplaint(Context().get(), request, &response).ok());
    return response.complaint().complaint_id();
  };
  const std::string of_duplicate = file("f1", duplicate);
  const std::string of_survivor = file("f2", survivor);
  const std::string of_other = file("f3", other);
  auto owner = [&](const std::string& complaint_id) {
    cv1::GetComplaintRequest get;
    get.set_complaint_id(complaint_id);
    cv1::GetComplaintResponse got;
    EXPECT_TRUE(stub->GetComplaint(Context().get(), get, &got).ok());
    return got.complaint().customer_id();
  };
  auto eventually_owned_by = [&](const std::string& complaint_id, const std::string& customer) {
    const absl::Time give_up = absl::Now() + absl::Seconds(15);
    while (owner(complaint_id) != customer && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(100));
    }
    return owner(complaint_id) == customer;
  };

  identify::v1::MergeCustomersRequest merge;
  merge.set_request_id("m1");
  merge.set_survivor_id(survivor);
  merge.set_merged_id(duplicate);
  merge.set_reason("same person");
  identify::v1::MergeCustomersResponse merged;
  ASSERT_TRUE(customers->MergeCustomers(Context().get(), merge, &merged).ok());
  EXPECT_TRUE(eventually_owned_by(of_duplicate, survivor)) << complaints.process().Log();
  cv1::ListComplaintsRequest list;
  list.set_customer_id(survivor);
  cv1::ListComplaintsResponse listed;
  ASSERT_TRUE(stub->ListComplaints(Context().get(), list, &listed).ok());
  EXPECT_EQ(listed.complaints_size(), 2);
  // Filed for the survivor after the merge: stays with it on unmerge.
  const std::string after_merge = file("f4", survivor);

  identify::v1::UnmergeCustomersRequest unmerge;
  unmerge.set_request_id("u1");
  unmerge.set_merge_id(merged.merge_id());
  unmerge.set_reason("two people after all");
  identify::v1::UnmergeCustomersResponse unmerged;
  ASSERT_TRUE(customers->UnmergeCustomers(Context().get(), unmerge, &unmerged).ok());
  EXPECT_TRUE(eventually_owned_by(of_duplicate, duplicate)) << complaints.process().Log();
  EXPECT_EQ(owner(of_survivor), survivor);
  EXPECT_EQ(owner(after_merge), survivor);
  EXPECT_EQ(owner(of_other), other);
  EXPECT_EQ(complaints.db().Query("SELECT COUNT(*) FROM merge_moves"), "0");
  EXPECT_EQ(complaints.db().Query("SELECT last_seq > 0 FROM feed_checkpoints WHERE source = 'identify'"),
            "1");
}

}  // namespace
}  // namespace crm
