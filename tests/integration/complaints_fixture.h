// A complaints service on a real MariaDB, with the other services replaced
// by in-process doubles at their client interfaces: a directory of
// identifiers, a tier table and a points ledger that, like loyalty, grants
// once per request id. Each can be switched "down".
#ifndef CRM_TESTS_INTEGRATION_COMPLAINTS_FIXTURE_H_
#define CRM_TESTS_INTEGRATION_COMPLAINTS_FIXTURE_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "gtest/gtest.h"
#include "services/complaints/complaints_service.h"
#include "services/complaints/mysql_complaints_store.h"
#include "tests/support/test_database.h"

namespace crm::complaints {

class FakeDirectory final : public identify::CustomerDirectory {
 public:
  absl::StatusOr<std::string> CustomerOf(const identify::v1::Identifier& identifier,
                                         absl::string_view) override {
    std::lock_guard lock(mu);
    if (down) return absl::UnavailableError("identify is down");
    auto it = holders.find(identifier.value());
    if (it == holders.end()) return absl::NotFoundError("no customer holds it");
    return it->second;
  }
  absl::Status RecordContact(absl::string_view request_id,
                             const identify::v1::Contact& contact) override {
    std::lock_guard lock(mu);
    if (down) return absl::UnavailableError("identify is down");
    contacts[std::string(request_id)] = contact;
    return absl::OkStatus();
  }
  std::mutex mu;
  bool down = false;
  std::map<std::string, std::string> holders;            // identifier value -> customer
  std::map<std::string, identify::v1::Contact> contacts;  // by request id
};

class FakeTiers final : public TierDirectory {
 public:
  absl::StatusOr<CustomerTier> TierOf(absl::string_view customer_id) override {
    std::lock_guard lock(mu);
    if (down) return absl::UnavailableError("segment is down");
    auto it = tiers.find(std::string(customer_id));
    if (it == tiers.end()) return absl::NotFoundError("no tier");
    return it->second;
  }
  std::mutex mu;
  bool down = false;
  std::map<std::string, CustomerTier> tiers;
};

class FakeLedger final : public PointsLedger {
 public:
  absl::StatusOr<std::string> Grant(absl::string_view request_id, absl::string_view member_id,
                                    int64_t points, absl::string_view, absl::string_view) override {
    std::lock_guard lock(mu);
    ++calls;
    if (down) return absl::UnavailableError("loyalty is down");
    if (member_id == unknown_member) return absl::NotFoundError("MEMBER_NOT_FOUND");
    auto [it, fresh] = granted.try_emplace(std::string(request_id), points);
    return absl::StrCat("entry-", std::distance(granted.begin(), it));
  }
  int64_t Total() {
    std::lock_guard lock(mu);
    int64_t total = 0;
    for (const auto& [key, points] : granted) total += points;
    return total;
  }
  std::mutex mu;
  bool down = false;
  int calls = 0;
  std::string unknown_member;
  std::map<std::string, int64_t> granted;  // request id -> points
};

class ComplaintsTest : public ::testing::Test {
 protected:
  ComplaintsTest()
      : db_(Migrations()), pool_(db_.AppConfig()), store_(&pool_, &clock_),
        service_(&store_, &clock_, &ids_, {&directory_, &tiers_, &ledger_}) {}

  v1::FileComplaintRequest NewComplaint(const std::string& customer_id = "") {
    v1::FileComplaintRequest r;
    r.mutable_complaint()->set_customer_id(customer_id);
    r.mutable_complaint()->set_channel(v1::CHANNEL_PHONE);
    r.mutable_complaint()->set_subject("late delivery");
    r.mutable_complaint()->set_description("the sofa came three days late");
    r.mutable_complaint()->set_desired_outcome("a discount");
    return r;
  }

  std::string File(const std::string& customer_id = "") {
    auto filed = service_.FileComplaint(NewComplaint(customer_id));
    EXPECT_TRUE(filed.ok()) << Describe(filed.status());
    return filed.ok() ? filed->complaint().complaint_id() : "";
  }

  static v1::Actor By(const std::string& actor, const std::string& note = "") {
    v1::Actor by;
    by.set_actor(actor);
    by.set_note(note);
    return by;
  }

  v1::Complaint Get(const std::string& id) {
    v1::GetComplaintRequest r;
    r.set_complaint_id(id);
    auto got = service_.GetComplaint(r);
    EXPECT_TRUE(got.ok()) << Describe(got.status());
    return got.ok() ? got->complaint() : v1::Complaint();
  }

  absl::Status Acknowledge(const std::string& id) {
    v1::AcknowledgeComplaintRequest r;
    r.set_complaint_id(id);
    *r.mutable_by() = By("agent-7", "we are sorry, we will look into it");
    return service_.AcknowledgeComplaint(r).status();
  }

  absl::Status Assess(const std::string& id, v1::Severity severity = v1::SEVERITY_UNSPECIFIED) {
    v1::AssessComplaintRequest r;
    r.set_complaint_id(id);
    *r.mutable_by() = By("agent-7");
    r.mutable_assessment()->set_valid(true);
    r.mutable_assessment()->set_category("delivery");
    r.mutable_assessment()->set_root_cause("carrier_delay");
    r.set_severity(severity);
    return service_.AssessComplaint(r).status();
  }

  absl::Status Propose(const std::string& id, int64_t points = 0) {
    v1::ProposeResolutionRequest r;
    r.set_complaint_id(id);
    *r.mutable_by() = By("agent-7");
    r.add_remedies()->set_type(v1::REMEDY_TYPE_APOLOGY);
    if (points > 0) {
      auto* remedy = r.add_remedies();
      remedy->set_type(v1::REMEDY_TYPE_COMPENSATION_POINTS);
      remedy->set_points(points);
      remedy->set_loyalty_member_id(member_id_);
    }
    return service_.ProposeResolution(r).status();
  }

  absl::Status Decide(const std::string& id, bool accepted) {
    v1::RecordCustomerDecisionRequest r;
    r.set_complaint_id(id);
    *r.mutable_by() = By("agent-7");
    r.set_accepted(accepted);
    return service_.RecordCustomerDecision(r).status();
  }

  absl::StatusOr<v1::ResolveComplaintResponse> Resolve(const std::string& id,
                                                       const std::string& request_id = "") {
    v1::ResolveComplaintRequest r;
    r.set_request_id(request_id);
    r.set_complaint_id(id);
    *r.mutable_by() = By("agent-7");
    r.set_outcome(v1::OUTCOME_CODE_NON_MONETARY_RELIEF);
    return service_.ResolveComplaint(r);
  }

  absl::Status FollowUp(const std::string& id, int satisfaction) {
    v1::FollowUpComplaintRequest r;
    r.set_complaint_id(id);
    *r.mutable_by() = By("agent-7");
    r.mutable_follow_up()->set_satisfaction(satisfaction);
    return service_.FollowUpComplaint(r).status();
  }

  absl::Status Close(const std::string& id) {
    v1::CloseComplaintRequest r;
    r.set_complaint_id(id);
    *r.mutable_by() = By("agent-7");
    return service_.CloseComplaint(r).status();
  }

  absl::Status Reopen(const std::string& id) {
    v1::ReopenComplaintRequest r;
    r.set_complaint_id(id);
    *r.mutable_by() = By("agent-7", "the customer is still unhappy");
    return service_.ReopenComplaint(r).status();
  }

  // Files a complaint and takes it to `status` along the happy path.
  std::string FileAndTakeTo(v1::ComplaintStatus status, const std::string& customer = "") {
    const std::string id = File(customer);
    using S = v1::ComplaintStatus;
    const std::vector<std::pair<S, std::function<absl::Status()>>> path = {
        {v1::COMPLAINT_STATUS_ACKNOWLEDGED, [&] { return Acknowledge(id); }},
        {v1::COMPLAINT_STATUS_ASSESSED, [&] { return Assess(id); }},
        {v1::COMPLAINT_STATUS_RESOLUTION_PROPOSED, [&] { return Propose(id); }},
        {v1::COMPLAINT_STATUS_ACCEPTED, [&] { return Decide(id, true); }},
        {v1::COMPLAINT_STATUS_RESOLVED, [&] { return Resolve(id).status(); }},
        {v1::COMPLAINT_STATUS_FOLLOWED_UP, [&] { return FollowUp(id, 4); }},
        {v1::COMPLAINT_STATUS_CLOSED, [&] { return Close(id); }},
    };
    if (status == v1::COMPLAINT_STATUS_RECEIVED) return id;
    for (const auto& [reached, step] : path) {
      const absl::Status s = step();
      EXPECT_TRUE(s.ok()) << Describe(s);
      if (reached == status) return id;
    }
    return id;
  }

  int Events(const std::string& type) {
    return db_.Count("outbox_events", absl::StrCat("event_type = 'crm.complaints.v1.", type, "'"));
  }

  testing::TestDatabase db_;
  MysqlPool pool_;
  // 2026-11-23 is a Monday; 10:00 UTC is within the default working hours.
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 23, 10, 0, 0), absl::UTCTimeZone())};
  IdGenerator ids_{&clock_};
  FakeDirectory directory_;
  FakeTiers tiers_;
  FakeLedger ledger_;
  MysqlComplaintsStore store_;
  ComplaintsService service_;
  std::string member_id_ = "01J00000000000000000MEMBER";
};

}  // namespace crm::complaints

#endif  // CRM_TESTS_INTEGRATION_COMPLAINTS_FIXTURE_H_
