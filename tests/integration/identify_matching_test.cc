// MatchingService over the MySQL stores on a real MariaDB: deterministic and
// probabilistic resolution, the review queue, merges with survivorship, exact
// unmerge, model estimation, batch deduplication, and no personal data in
// clear in the linkage tables.
#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "cppconn/statement.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/identify/identify_service.h"
#include "services/identify/matching_service.h"
#include "services/identify/mysql_identify_store.h"
#include "services/identify/mysql_match_store.h"
#include "services/identify/reindex.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_database.h"

namespace crm::identify {
namespace {

using Code = absl::StatusCode;
using google::protobuf::util::MessageDifferencer;

const Caller kAuditor{"auditor-1", "ipv4:10.0.0.8:5123", /*may_view_full=*/true};

v1::Identifier Id(v1::IdentifierType type, std::string value) {
  v1::Identifier id;
  id.set_type(type);
  id.set_value(std::move(value));
  return id;
}

// --- Building candidate and customer records ---------------------------------

v1::Customer Person(std::string given, std::string family) {
  v1::Customer c;
  c.set_kind(v1::CUSTOMER_KIND_PERSON);
  c.set_category(v1::CUSTOMER_CATEGORY_CONSUMER);
  c.set_display_name(absl::StrCat(given, " ", family));
  c.mutable_person()->set_given_name(std::move(given));
  c.mutable_person()->set_family_name(std::move(family));
  return c;
}

v1::Customer Born(v1::Customer c, int year, int month, int day) {
  google::type::Date& d = *c.mutable_person()->mutable_birth_date();
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return c;
}

v1::Customer LivingAt(v1::Customer c, std::string number, std::string street, std::string locality,
                      std::string postcode, std::string region) {
  v1::PostalAddress& a = *c.mutable_address();
  a.set_street_number(std::move(number));
  a.set_street(std::move(street));
  a.set_locality(std::move(locality));
  a.set_postcode(std::move(postcode));
  a.set_region(std::move(region));
  return c;
}

v1::Customer With(v1::Customer c, v1::IdentifierType type, std::string value) {
  *c.add_identifiers() = Id(type, std::move(value));
  return c;
}

v1::Customer AliceSmith() {
  return LivingAt(Born(Person("Alice", "Smith"), 1985, 3, 12), "12", "Miller Street", "Sydney",
                  "2000", "NSW");
}

// `count` distinct people, deterministic. No two share a name, or a suburb
// together with a given name, a family name or a house number, so that none
// looks like another to a reasonable model.
std::vector<v1::Customer> Population(int count) {
  static const char* const kGiven[] = {
      "Oliver", "Charlotte", "Jack",   "Amelia", "William", "Isla",   "Noah",  "Mia",
      "Thomas", "Grace",     "James",  "Chloe",  "Lucas",   "Zoe",    "Henry", "Ruby",
      "Leo",    "Harper",    "Ethan",  "Sophie", "Samuel",  "Evie",   "Max",   "Lily",
      "Oscar",  "Ivy",       "Archie", "Ella",   "Hugo",    "Matilda"};
  static const char* const kFamily[] = {
      "Anderson", "Brown",     "Campbell", "Davies",   "Edwards",   "Fletcher", "Gibson",  "Harris",
      "Irving",   "Jenkins",   "Kowalski", "Lawson",   "Murphy",    "Nguyen",   "O'Brien", "Patel",
      "Quinn",    "Robertson", "Sullivan", "Thompson", "Underwood", "Vaughan",  "Walsh",   "Xu",
      "Young",    "Zhang",     "Baxter",   "Coleman",  "Doyle",     "Ellis",    "Foster",  "Grant",
      "Hughes",   "Kelly",     "Lambert",  "Morrison", "Norris"};
  static const char* const kStreet[] = {
      "Miller Street",   "George Street", "Pitt Road",     "Bourke Lane",     "Collins Avenue",
      "Elizabeth Drive", "Flinders Way",  "King Parade",   "Queen Terrace",   "Oxford Crescent",
      "Victoria Close",  "Albert Grove",  "Chapel Rise",   "Beach Esplanade", "Church Walk",
      "Park Boulevard",  "High Row",      "Station Court", "Lygon Mews",      "Swan Place"};
  struct Suburb {
    const char* locality;
    const char* postcode;
    const char* region;
  };
  static const Suburb kSuburb[] = {
      {"Sydney", "2000", "NSW"},     {"Parramatta", "2150", "NSW"}, {"Newtown", "2042", "NSW"},
      {"Bondi", "2026", "NSW"},      {"Melbourne", "3000", "VIC"},  {"Fitzroy", "3065", "VIC"},
      {"Geelong", "3220", "VIC"},    {"Brisbane", "4000", "QLD"},   {"Cairns", "4870", "QLD"},
      {"Perth", "6000", "WA"},       {"Fremantle", "6160", "WA"},   {"Adelaide", "5000", "SA"},
      {"Hobart", "7000", "TAS"},     {"Darwin", "0800", "NT"},      {"Canberra", "2600", "ACT"},
      {"Wollongong", "2500", "NSW"}, {"Ballarat", "3350", "VIC"}};
  std::mt19937 pick(20240312);
  std::set<std::pair<uint32_t, uint32_t>> name, given_suburb, family_suburb, number_suburb;
  std::vector<v1::Customer> out;
  while (static_cast<int>(out.size()) < count) {
    const uint32_t given = pick() % 30, family = pick() % 37, suburb = pick() % 17;
    const uint32_t number = 1 + pick() % 300, street = pick() % 20;
    const int year = 1940 + static_cast<int>(pick() % 60);
    const int month = 1 + static_cast<int>(pick() % 12), day = 1 + static_cast<int>(pick() % 28);
    if (name.contains({given, family}) || given_suburb.contains({given, suburb}) ||
        family_suburb.contains({family, suburb}) || number_suburb.contains({number, suburb})) {
      continue;
    }
    name.insert({given, family});
    given_suburb.insert({given, suburb});
    family_suburb.insert({family, suburb});
    number_suburb.insert({number, suburb});
    const Suburb& s = kSuburb[suburb];
    out.push_back(LivingAt(Born(Person(kGiven[given], kFamily[family]), year, month, day),
                           absl::StrCat(number), kStreet[street], s.locality, s.postcode,
                           s.region));
  }
  return out;
}

// The same person with one typo: two adjacent letters swapped in the given
// name, the family name or the street (by `which` % 3).
v1::Customer WithTypo(v1::Customer c, int which) {
  std::string* field = which % 3 == 0   ? c.mutable_person()->mutable_given_name()
                       : which % 3 == 1 ? c.mutable_person()->mutable_family_name()
                                        : c.mutable_address()->mutable_street();
  const size_t k = field->size() / 2;
  std::swap((*field)[k - 1], (*field)[k]);
  c.set_display_name(absl::StrCat(c.person().given_name(), " ", c.person().family_name()));
  return c;
}

// --- Assertions --------------------------------------------------------------

using testing::IsError;

// Equal customers apart from what every write changes (etag, update_time).
::testing::AssertionResult SameCustomer(const v1::Customer& actual, const v1::Customer& expected) {
  MessageDifferencer differ;
  std::string diff;
  differ.ReportDifferencesToString(&diff);
  differ.IgnoreField(v1::Customer::descriptor()->FindFieldByName("etag"));
  differ.IgnoreField(v1::Customer::descriptor()->FindFieldByName("update_time"));
  if (differ.Compare(expected, actual)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "differs from the expected customer:\n" << diff;
}

// Agreement levels of the evidence by field.
std::map<std::string, std::string> Agreements(
    const google::protobuf::RepeatedPtrField<v1::FieldEvidence>& evidence) {
  std::map<std::string, std::string> out;
  for (const auto& e : evidence) out[e.field()] = e.agreement();
  return out;
}

const std::vector<std::string> kFields = {
    "given_name", "family_name", "birth_date", "street_number", "street", "address_line2",
    "locality",   "postcode",    "region",     "national_id",   "phone",  "email"};

class MatchingServiceTest : public ::testing::Test {
 protected:
  MatchingServiceTest()
      : db_(Migrations()),
        pool_(db_.AppConfig()),
        store_(&pool_, &clock_, &key_),
        customers_(&store_, &clock_, &ids_, IdentifyOptions{}),
        match_store_(&pool_, &clock_, &key_),
        matching_(&match_store_, &customers_, &store_, &clock_, &ids_, IdentifyOptions{}) {}

  std::string Create(const v1::Customer& customer, const std::string& request_id = "") {
    v1::CreateCustomerRequest r;
    r.set_request_id(request_id);
    *r.mutable_customer() = customer;
    r.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_POINT_OF_SALE);
    auto created = customers_.CreateCustomer(r);
    EXPECT_TRUE(created.ok()) << Describe(created.status());
    return created.ok() ? created->customer().customer_id() : "";
  }

  absl::StatusOr<v1::GetCustomerResponse> Get(const std::string& id) {
    v1::GetCustomerRequest r;
    r.set_customer_id(id);
    r.set_view(v1::CUSTOMER_VIEW_FULL);
    return customers_.GetCustomer(r, kAuditor);
  }

  // The live customer `id` is (or redirects to), in full.
  v1::Customer Live(const std::string& id) {
    auto got = Get(id);
    EXPECT_TRUE(got.ok()) << Describe(got.status());
    return got.ok() ? got->customer() : v1::Customer();
  }

  absl::StatusOr<v1::Customer> Lookup(const v1::Identifier& id) {
    v1::LookupCustomerRequest r;
    *r.mutable_identifier() = id;
    auto found = customers_.LookupCustomer(r, kAuditor);
    if (!found.ok()) return found.status();
    return found->customer();
  }

  absl::Status Update(const std::string& id, const v1::Customer& values,
                      std::vector<std::string> paths) {
    v1::UpdateCustomerRequest r;
    *r.mutable_customer() = values;
    r.mutable_customer()->set_customer_id(id);
    for (auto& path : paths) r.mutable_update_mask()->add_paths(std::move(path));
    r.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_CALL_CENTER);
    return customers_.UpdateCustomer(r).status();
  }

  absl::StatusOr<v1::ResolveCustomerResponse> Resolve(const v1::Customer& candidate,
                                                      bool create = false,
                                                      const std::string& request_id = "") {
    v1::ResolveCustomerRequest r;
    r.set_request_id(request_id);
    *r.mutable_candidate() = candidate;
    r.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_WEBSITE);
    r.set_create_if_no_match(create);
    return matching_.ResolveCustomer(r);
  }

  std::vector<v1::MatchReview> Reviews(v1::ReviewStatus status = v1::REVIEW_STATUS_PENDING) {
    v1::ListMatchReviewsRequest r;
    r.set_status(status);
    auto listed = matching_.ListMatchReviews(r);
    EXPECT_TRUE(listed.ok()) << Describe(listed.status());
    if (!listed.ok()) return {};
    return {listed->reviews().begin(), listed->reviews().end()};
  }

  absl::StatusOr<v1::DecideMatchReviewResponse> Decide(const std::string& review_id,
                                                       v1::ReviewStatus decision) {
    v1::DecideMatchReviewRequest r;
    r.set_review_id(review_id);
    r.set_decision(decision);
    r.set_decided_by("reviewer-3");
    r.set_note("checked the signature");
    return matching_.DecideMatchReview(r);
  }

  v1::MergeCustomersRequest MergeRequest(const std::string& survivor_id,
                                         const std::string& merged_id) {
    v1::MergeCustomersRequest r;
    r.set_survivor_id(survivor_id);
    r.set_merged_id(merged_id);
    r.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_SERVICE);
    r.mutable_source()->set_actor("agent-7");
    r.set_reason("same customer, confirmed by phone");
    return r;
  }

  absl::StatusOr<v1::MergeCustomersResponse> Merge(const std::string& survivor_id,
                                                   const std::string& merged_id) {
    return matching_.MergeCustomers(MergeRequest(survivor_id, merged_id));
  }

  absl::StatusOr<v1::UnmergeCustomersResponse> Unmerge(const std::string& merge_id,
                                                       const std::string& request_id = "") {
    v1::UnmergeCustomersRequest r;
    r.set_request_id(request_id);
    r.set_merge_id(merge_id);
    r.set_reason("merged by mistake");
    return matching_.UnmergeCustomers(r);
  }

  // Creates the customers in order; returns their ids.
  std::vector<std::string> CreateAll(const std::vector<v1::Customer>& customers) {
    std::vector<std::string> out;
    for (const auto& c : customers) out.push_back(Create(c));
    return out;
  }

  v1::DeduplicationJob Job(const std::string& job_id) {
    v1::GetDeduplicationJobRequest r;
    r.set_job_id(job_id);
    auto got = matching_.GetDeduplicationJob(r);
    EXPECT_TRUE(got.ok()) << Describe(got.status());
    return got.ok() ? got->job() : v1::DeduplicationJob();
  }

  // Polls the job until it leaves RUNNING, for at most 20 seconds.
  v1::DeduplicationJob WaitForJob(const std::string& job_id) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    v1::DeduplicationJob job = Job(job_id);
    while (job.state() == v1::JOB_STATE_RUNNING && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      job = Job(job_id);
    }
    return job;
  }

  int Rows(const std::string& table, const std::string& where = "1") {
    return db_.Count(table, where);
  }
  int RowsContaining(const std::string& table, const std::string& column, const std::string& text) {
    return db_.CountContaining(table, column, text);
  }

  testing::TestDatabase db_;
  MysqlPool pool_;
  FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  IdGenerator ids_{&clock_};
  DataKey key_ = testing::TestDataKey();
  MysqlIdentifyStore store_;
  IdentifyService customers_;
  MysqlMatchStore match_store_;
  // Last: its destructor stops a running deduplication job first.
  MatchingService matching_;
};

// --- 1. Deterministic resolution ---------------------------------------------

TEST_F(MatchingServiceTest, SamePhoneInAnotherFormatMatchesDeterministically) {
  const std::string alice = Create(With(AliceSmith(), v1::IDENTIFIER_TYPE_PHONE, "138 0013 8000"));
  // Nothing else in common: the phone alone decides.
  auto resolved =
      Resolve(With(Person("A.", "Smyth"), v1::IDENTIFIER_TYPE_PHONE, "+86-138-0013-8000"));
  ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
  EXPECT_EQ(resolved->outcome(), v1::MATCH_OUTCOME_MATCHED);
  EXPECT_EQ(resolved->customer_id(), alice);
  EXPECT_EQ(resolved->matched_on(), "identifier:PHONE");
  EXPECT_EQ(resolved->match_probability(), 1.0);
  EXPECT_FALSE(resolved->created());
  EXPECT_EQ(resolved->review_id(), "");
  EXPECT_EQ(resolved->ignored_identifiers_size(), 0);
  EXPECT_EQ(Rows("customers"), 1);
}

TEST_F(MatchingServiceTest, ResolveLinksTheCandidatesNewIdentifiersToTheMatchedCustomer) {
  const std::string alice = Create(With(AliceSmith(), v1::IDENTIFIER_TYPE_PHONE, "138 0013 8000"));
  const v1::Identifier email = Id(v1::IDENTIFIER_TYPE_EMAIL, "Alice.Smith@Harbour-Mail.com");
  v1::Customer candidate =
      With(Person("Alice", "Smith"), v1::IDENTIFIER_TYPE_PHONE, "+8613800138000");
  *candidate.add_identifiers() = email;
  auto resolved = Resolve(candidate, /*create=*/true);
  ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
  EXPECT_EQ(resolved->outcome(), v1::MATCH_OUTCOME_MATCHED);
  EXPECT_EQ(resolved->customer_id(), alice);
  EXPECT_FALSE(resolved->created());
  EXPECT_EQ(Rows("customers"), 1);
  auto found = Lookup(email);
  ASSERT_TRUE(found.ok()) << Describe(found.status());
  EXPECT_EQ(found->customer_id(), alice);
  EXPECT_EQ(Live(alice).identifiers_size(), 2);
}

TEST_F(MatchingServiceTest, IdentifiersOfTwoCustomersMakeAPossibleMatchForReview) {
  const std::string by_phone =
      Create(With(AliceSmith(), v1::IDENTIFIER_TYPE_PHONE, "138 0013 8000"));
  const std::string by_email = Create(
      With(Person("Alice", "Smith-Jones"), v1::IDENTIFIER_TYPE_EMAIL, "asj@harbour-mail.com"));
  v1::Customer candidate = With(Person("Alice", "Smith"), v1::IDENTIFIER_TYPE_PHONE, "13800138000");
  *candidate.add_identifiers() = Id(v1::IDENTIFIER_TYPE_EMAIL, "ASJ@harbour-mail.com");
  auto resolved = Resolve(candidate);
  ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
  EXPECT_EQ(resolved->outcome(), v1::MATCH_OUTCOME_POSSIBLE_MATCH);
  EXPECT_EQ(resolved->customer_id(), by_phone);  // the first identifier's owner
  ASSERT_NE(resolved->review_id(), "");
  EXPECT_FALSE(resolved->created());

  const auto reviews = Reviews();
  ASSERT_EQ(reviews.size(), 1u);
  EXPECT_EQ(reviews[0].review_id(), resolved->review_id());
  EXPECT_EQ(reviews[0].customer_id(), by_phone);
  EXPECT_EQ(reviews[0].candidate_customer_id(), by_email);
  EXPECT_EQ(reviews[0].status(), v1::REVIEW_STATUS_PENDING);
  // Nothing was linked or created on a guess.
  EXPECT_EQ(Rows("customers"), 2);
  EXPECT_EQ(Live(by_phone).identifiers_size(), 1);
  EXPECT_EQ(Live(by_email).identifiers_size(), 1);
}

TEST_F(MatchingServiceTest, PlaceholderIdentifiersAreIgnoredAndNeverLink) {
  // Legacy data: a customer imported with placeholders before they were refused.
  const std::string holder = Create(AliceSmith());
  const ChangeContext legacy{{}, "legacy import", clock_.Now()};
  for (const NormalizedIdentifier& junk :
       {NormalizedIdentifier{v1::IDENTIFIER_TYPE_PHONE, "", "+8613900000000"},
        NormalizedIdentifier{v1::IDENTIFIER_TYPE_EMAIL, "", "test@example.com"}}) {
    auto added = store_.AddIdentifier(holder, junk, legacy);
    ASSERT_TRUE(added.ok()) << Describe(added.status());
  }

  v1::Customer candidate =
      With(Person("Bruno", "Keller"), v1::IDENTIFIER_TYPE_PHONE, "139 0000 0000");
  *candidate.add_identifiers() = Id(v1::IDENTIFIER_TYPE_EMAIL, "Test@Example.com");
  *candidate.add_identifiers() = Id(v1::IDENTIFIER_TYPE_MEMBER_CARD, "000000");
  auto resolved = Resolve(candidate);
  ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
  EXPECT_EQ(std::vector<std::string>(resolved->ignored_identifiers().begin(),
                                     resolved->ignored_identifiers().end()),
            (std::vector<std::string>{"PHONE", "EMAIL",
                                      "MEMBER_CARD"}));
  EXPECT_EQ(resolved->outcome(), v1::MATCH_OUTCOME_NO_MATCH);
  EXPECT_EQ(resolved->customer_id(), "");
  EXPECT_EQ(resolved->matched_on(), "probabilistic");

  auto created = Resolve(candidate, /*create=*/true);
  ASSERT_TRUE(created.ok()) << Describe(created.status());
  EXPECT_EQ(created->outcome(), v1::MATCH_OUTCOME_NO_MATCH);
  EXPECT_TRUE(created->created());
  ASSERT_NE(created->customer_id(), holder);
  // The new customer holds none of the junk; the old one keeps it.
  EXPECT_EQ(Live(created->customer_id()).identifiers_size(), 0);
  EXPECT_EQ(Live(holder).identifiers_size(), 2);
}

TEST_F(MatchingServiceTest, BlocklistedIdentifiersAreIgnoredAndNeverLink) {
  // The shop's own phone was entered for a customer before the deployment
  // blocklisted it (--identifier_blocklist_file).
  const v1::Identifier shop_phone = Id(v1::IDENTIFIER_TYPE_PHONE, "+86 21 5050 1234");
  const std::string holder =
      Create(With(AliceSmith(), v1::IDENTIFIER_TYPE_PHONE, shop_phone.value()));
  const std::string blocklist = absl::StrCat(::testing::TempDir(), "/junk-", ids_.Next());
  std::ofstream(blocklist) << "# the shop\nPHONE 021 5050 1234  # front desk\n";
  IdentifyOptions options;
  auto junk = JunkIdentifiers::FromFile(blocklist, options.default_region);
  ASSERT_TRUE(junk.ok()) << Describe(junk.status());
  EXPECT_EQ(junk->configured(), 1u);
  options.junk = *junk;
  MatchingService matching(&match_store_, &customers_, &store_, &clock_, &ids_, options);

  v1::ResolveCustomerRequest request;
  *request.mutable_candidate() =
      With(Person("Bruno", "Keller"), v1::IDENTIFIER_TYPE_PHONE, "021-5050-1234");
  request.set_create_if_no_match(true);
  auto resolved = matching.ResolveCustomer(request);
  ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
  EXPECT_EQ(std::vector<std::string>(resolved->ignored_identifiers().begin(),
                                     resolved->ignored_identifiers().end()),
            std::vector<std::string>{"PHONE"});
  EXPECT_EQ(resolved->outcome(), v1::MATCH_OUTCOME_NO_MATCH);
  EXPECT_TRUE(resolved->created());
  ASSERT_NE(resolved->customer_id(), holder);
  EXPECT_EQ(Live(resolved->customer_id()).identifiers_size(), 0);
  auto found = Lookup(shop_phone);
  ASSERT_TRUE(found.ok()) << Describe(found.status());
  EXPECT_EQ(found->customer_id(), holder);
}

// --- 2. Probabilistic resolution (the built-in model) ------------------------

TEST_F(MatchingServiceTest, APhoneGivenWithOtherPeoplesNamesStopsLinking) {
  // The shop's own phone, once recorded for Alice, is typed in for others.
  const std::string alice =
      Create(With(AliceSmith(), v1::IDENTIFIER_TYPE_PHONE, "+86 138 0013 8000"));
  const std::string shop_phone = "13800138000";
  int conflicts = 0;
  for (const auto& [given, family] : std::vector<std::pair<std::string, std::string>>{
           {"Bruno", "Keller"}, {"Chen", "Jie"}, {"Dora", "Evans"}}) {
    auto resolved = Resolve(With(Person(given, family), v1::IDENTIFIER_TYPE_PHONE, shop_phone),
                            /*create=*/true);
    ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
    EXPECT_NE(resolved->customer_id(), alice) << given;
    EXPECT_TRUE(resolved->created());
    ASSERT_EQ(resolved->ignored_identifiers_size(), 1);
    EXPECT_EQ(resolved->ignored_identifiers(0), "PHONE");
    EXPECT_EQ(Live(resolved->customer_id()).identifiers_size(), 0);
    EXPECT_EQ(Rows("identifier_conflicts"), ++conflicts);
  }
  // The same name again counts once.
  ASSERT_TRUE(Resolve(With(Person("Bruno", "Keller"), v1::IDENTIFIER_TYPE_PHONE, shop_phone)).ok());
  EXPECT_EQ(Rows("identifier_conflicts"), 3);

  // Now the phone is junk: even alone, or with Alice's own name, it links no one.
  for (const v1::Customer& candidate :
       {With(v1::Customer(), v1::IDENTIFIER_TYPE_PHONE, shop_phone),
        With(AliceSmith(), v1::IDENTIFIER_TYPE_PHONE, shop_phone)}) {
    auto resolved = Resolve(candidate);
    ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
    ASSERT_EQ(resolved->ignored_identifiers_size(), 1);
    EXPECT_NE(resolved->matched_on(), "identifier:PHONE");
  }
  // A lookup by the exact value still finds its holder.
  auto found = Lookup(Id(v1::IDENTIFIER_TYPE_PHONE, shop_phone));
  ASSERT_TRUE(found.ok()) << Describe(found.status());
  EXPECT_EQ(found->customer_id(), alice);
  // The names are not stored in clear.
  EXPECT_EQ(db_.CountContaining("identifier_conflicts", "name_hash", "keller"), 0);
}

TEST_F(MatchingServiceTest, ATypoInTheGivenNameStillMatches) {
  const std::string alice = Create(AliceSmith());
  v1::Customer candidate = AliceSmith();
  candidate.mutable_person()->set_given_name("Alise");
  auto resolved = Resolve(candidate);
  ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
  EXPECT_EQ(resolved->outcome(), v1::MATCH_OUTCOME_MATCHED);
  EXPECT_EQ(resolved->customer_id(), alice);
  EXPECT_EQ(resolved->matched_on(), "probabilistic");
  EXPECT_GE(resolved->match_probability(), 0.95);
  EXPECT_LE(resolved->match_probability(), 1.0);
  ASSERT_EQ(resolved->evidence_size(), 12);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(resolved->evidence(i).field(), kFields[i]);
  auto agreement = Agreements(resolved->evidence());
  EXPECT_TRUE(agreement["given_name"] == "STRONG" || agreement["given_name"] == "WEAK")
      << agreement["given_name"];
  for (const char* field :
       {"family_name", "birth_date", "street_number", "street", "locality", "postcode", "region"}) {
    EXPECT_EQ(agreement[field], "EXACT") << field;
  }
  for (const char* field : {"address_line2", "national_id", "phone", "email"}) {
    EXPECT_EQ(agreement[field], "MISSING") << field;
  }
  for (const auto& e : resolved->evidence()) {
    if (e.agreement() == "EXACT") {
      EXPECT_GT(e.weight(), 0) << e.field();
    } else if (e.agreement() == "MISSING") {
      EXPECT_EQ(e.weight(), 0) << e.field();
    }
  }
  EXPECT_FALSE(resolved->created());
  EXPECT_EQ(Rows("customers"), 1);
}

TEST_F(MatchingServiceTest, SomeoneElseIsNoMatchAndIsCreatedOnRequest) {
  Create(AliceSmith());
  const v1::Customer stranger = LivingAt(Born(Person("Wei", "Zhang"), 1970, 7, 7), "88",
                                         "Nanjing Road", "Huangpu", "200001", "Shanghai");
  auto resolved = Resolve(stranger);
  ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
  EXPECT_EQ(resolved->outcome(), v1::MATCH_OUTCOME_NO_MATCH);
  EXPECT_EQ(resolved->customer_id(), "");
  EXPECT_FALSE(resolved->created());
  EXPECT_EQ(Rows("customers"), 1);

  auto created = Resolve(stranger, /*create=*/true);
  ASSERT_TRUE(created.ok()) << Describe(created.status());
  EXPECT_EQ(created->outcome(), v1::MATCH_OUTCOME_NO_MATCH);
  EXPECT_TRUE(created->created());
  ASSERT_TRUE(IsValidId(created->customer_id())) << created->customer_id();
  const v1::Customer wei = Live(created->customer_id());
  EXPECT_EQ(wei.person().family_name(), "Zhang");
  EXPECT_EQ(wei.display_name(), "Wei Zhang");
  EXPECT_EQ(wei.state(), v1::CUSTOMER_STATE_ACTIVE);
  // Now it is known.
  auto again = Resolve(stranger);
  ASSERT_TRUE(again.ok()) << Describe(again.status());
  EXPECT_EQ(again->outcome(), v1::MATCH_OUTCOME_MATCHED);
  EXPECT_EQ(again->customer_id(), created->customer_id());
}

TEST_F(MatchingServiceTest, SameSurnameAndPostcodeAloneIsNotAMatch) {
  const std::string alice = Create(AliceSmith());
  v1::Customer candidate = Born(Person("Bob", "Smith"), 1962, 11, 30);
  candidate.mutable_address()->set_postcode("2000");
  auto resolved = Resolve(candidate);
  ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
  EXPECT_NE(resolved->outcome(), v1::MATCH_OUTCOME_MATCHED)
      << "p=" << resolved->match_probability();
  EXPECT_LT(resolved->match_probability(), 0.95);
}

// A namesake in the same suburb, born 35 years earlier in another street, is
// another person. The built-in model (every field's EXACT u = 0.01, counted
// independently for locality, postcode and region) scores him 0.9994.
TEST_F(MatchingServiceTest, ANamesakeBornDecadesEarlierInAnotherStreetIsNotAMatch) {
  const std::string alice = Create(AliceSmith());
  const v1::Customer namesake = LivingAt(Born(Person("Alice", "Smith"), 1950, 8, 25), "230",
                                         "Pitt Road", "Sydney", "2000", "NSW");
  auto resolved = Resolve(namesake);
  ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
  auto agreement = Agreements(resolved->evidence());
  EXPECT_EQ(agreement["birth_date"], "DISAGREE");
  EXPECT_EQ(agreement["street"], "DISAGREE");
  EXPECT_NE(resolved->outcome(), v1::MATCH_OUTCOME_MATCHED)
      << "p=" << resolved->match_probability();
}

// --- 3. The review queue -----------------------------------------------------

// Alice with the same birth date, moved to another suburb: between the
// thresholds of the built-in model.
v1::Customer AliceMoved() {
  return LivingAt(Born(Person("Alice", "Smith"), 1985, 3, 12), "7", "Campbell Parade", "Bondi",
                  "2026", "NSW");
}

TEST_F(MatchingServiceTest, APossibleMatchIsQueuedAndSameCustomerMergesIt) {
  const std::string alice = Create(AliceSmith());
  auto resolved = Resolve(AliceMoved(), /*create=*/true, "resolve-moved-1");
  ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
  ASSERT_EQ(resolved->outcome(), v1::MATCH_OUTCOME_POSSIBLE_MATCH)
      << "p=" << resolved->match_probability();
  EXPECT_GE(resolved->match_probability(), 0.5);
  EXPECT_LT(resolved->match_probability(), 0.95);
  EXPECT_TRUE(resolved->created());
  const std::string candidate = resolved->customer_id();
  ASSERT_NE(candidate, alice);
  ASSERT_NE(resolved->review_id(), "");
  EXPECT_EQ(Live(candidate).address().locality(), "Bondi");

  // A retry creates nothing more (it now finds the customer it created).
  auto retried = Resolve(AliceMoved(), /*create=*/true, "resolve-moved-1");
  ASSERT_TRUE(retried.ok()) << Describe(retried.status());
  EXPECT_EQ(retried->customer_id(), candidate);
  EXPECT_EQ(Rows("customers"), 2);
  EXPECT_EQ(Rows("match_reviews"), 1);

  const auto pending = Reviews();
  ASSERT_EQ(pending.size(), 1u);
  const v1::MatchReview& review = pending[0];
  EXPECT_EQ(review.review_id(), resolved->review_id());
  EXPECT_EQ(review.customer_id(), alice);
  EXPECT_EQ(review.candidate_customer_id(), candidate);
  EXPECT_EQ(review.status(), v1::REVIEW_STATUS_PENDING);
  EXPECT_DOUBLE_EQ(review.match_probability(), resolved->match_probability());
  ASSERT_EQ(review.evidence_size(), 12);
  auto agreement = Agreements(review.evidence());
  EXPECT_EQ(agreement["given_name"], "EXACT");
  EXPECT_EQ(agreement["birth_date"], "EXACT");
  EXPECT_EQ(agreement["locality"], "DISAGREE");
  EXPECT_EQ(agreement["postcode"], "DISAGREE");
  EXPECT_TRUE(review.has_create_time());

  EXPECT_TRUE(IsError(Decide(review.review_id(), v1::REVIEW_STATUS_PENDING).status(),
                      Code::kInvalidArgument, "INVALID_FIELD", "decision"));
  auto decided = Decide(review.review_id(), v1::REVIEW_STATUS_SAME_CUSTOMER);
  ASSERT_TRUE(decided.ok()) << Describe(decided.status());
  EXPECT_EQ(decided->review().status(), v1::REVIEW_STATUS_SAME_CUSTOMER);
  EXPECT_EQ(decided->review().decided_by(), "reviewer-3");
  EXPECT_TRUE(decided->review().has_decide_time());
  EXPECT_TRUE(IsValidId(decided->merge_id())) << decided->merge_id();
  EXPECT_EQ(
      Rows("merges", absl::StrCat("merge_id = '", decided->merge_id(), "' AND survivor_id = '",
                                  alice, "' AND merged_id = '", candidate, "'")),
      1);

  auto redirected = Get(candidate);
  ASSERT_TRUE(redirected.ok()) << Describe(redirected.status());
  EXPECT_EQ(redirected->customer().customer_id(), alice);
  EXPECT_EQ(redirected->redirected_from(), candidate);
  EXPECT_EQ(redirected->customer().state(), v1::CUSTOMER_STATE_ACTIVE);
  EXPECT_EQ(Rows("customers", absl::StrCat("customer_id = '", candidate, "' AND state = 2")), 1);

  EXPECT_TRUE(Reviews().empty());
  ASSERT_EQ(Reviews(v1::REVIEW_STATUS_SAME_CUSTOMER).size(), 1u);
  EXPECT_TRUE(IsError(Decide(review.review_id(), v1::REVIEW_STATUS_SAME_CUSTOMER).status(),
                      Code::kFailedPrecondition, "REVIEW_ALREADY_DECIDED"));
  EXPECT_TRUE(IsError(Decide(review.review_id(), v1::REVIEW_STATUS_DIFFERENT_CUSTOMERS).status(),
                      Code::kFailedPrecondition, "REVIEW_ALREADY_DECIDED"));
  EXPECT_TRUE(IsError(Decide(ids_.Next(), v1::REVIEW_STATUS_SAME_CUSTOMER).status(),
                      Code::kNotFound, "REVIEW_NOT_FOUND"));
}

TEST_F(MatchingServiceTest, DifferentCustomersLeavesBoth) {
  const std::string alice = Create(AliceSmith());
  auto resolved = Resolve(AliceMoved(), /*create=*/true);
  ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
  ASSERT_EQ(resolved->outcome(), v1::MATCH_OUTCOME_POSSIBLE_MATCH);
  const std::string other = resolved->customer_id();

  auto decided = Decide(resolved->review_id(), v1::REVIEW_STATUS_DIFFERENT_CUSTOMERS);
  ASSERT_TRUE(decided.ok()) << Describe(decided.status());
  EXPECT_EQ(decided->review().status(), v1::REVIEW_STATUS_DIFFERENT_CUSTOMERS);
  EXPECT_EQ(decided->merge_id(), "");
  for (const std::string& id : {alice, other}) {
    auto got = Get(id);
    ASSERT_TRUE(got.ok()) << Describe(got.status());
    EXPECT_EQ(got->customer().customer_id(), id);
    EXPECT_EQ(got->redirected_from(), "");
    EXPECT_EQ(got->customer().state(), v1::CUSTOMER_STATE_ACTIVE);
  }
  EXPECT_EQ(Rows("merges"), 0);
  EXPECT_TRUE(Reviews().empty());
  EXPECT_EQ(Reviews(v1::REVIEW_STATUS_DIFFERENT_CUSTOMERS).size(), 1u);
  EXPECT_TRUE(IsError(Decide(resolved->review_id(), v1::REVIEW_STATUS_SAME_CUSTOMER).status(),
                      Code::kFailedPrecondition, "REVIEW_ALREADY_DECIDED"));
}

// A decision that cannot be carried out is not recorded: the reviewer gets
// the error and can decide again once the customers are sorted out.
TEST_F(MatchingServiceTest, ASameCustomerDecisionWhoseMergeFailsStaysPending) {
  const std::string alice = Create(AliceSmith());
  auto resolved = Resolve(AliceMoved(), /*create=*/true);
  ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
  ASSERT_EQ(resolved->outcome(), v1::MATCH_OUTCOME_POSSIBLE_MATCH);
  // Meanwhile an agent merges the new customer into someone else.
  const std::string other = Create(Person("Alicia", "Smith"));
  ASSERT_TRUE(Merge(other, resolved->customer_id()).ok());

  EXPECT_TRUE(IsError(Decide(resolved->review_id(), v1::REVIEW_STATUS_SAME_CUSTOMER).status(),
                      Code::kFailedPrecondition, "CUSTOMER_MERGED"));
  EXPECT_EQ(Reviews().size(), 1u) << "the failed decision was recorded";
  EXPECT_EQ(Reviews(v1::REVIEW_STATUS_SAME_CUSTOMER).size(), 0u);
  EXPECT_EQ(Rows("merges"), 1);
}

// --- 4. MergeCustomers -------------------------------------------------------

TEST_F(MatchingServiceTest, MergeRefusesBadRequests) {
  const std::string alice = Create(AliceSmith());
  const std::string bob = Create(Person("Bob", "Smith"));
  v1::Customer org;
  org.set_kind(v1::CUSTOMER_KIND_ORGANIZATION);
  org.set_category(v1::CUSTOMER_CATEGORY_INTERMEDIARY);
  org.set_display_name("Smith Wholesale Pty Ltd");
  org.mutable_organization()->set_legal_name("Smith Wholesale Pty Ltd");
  const std::string company = Create(org);

  EXPECT_TRUE(
      IsError(Merge(alice, alice).status(), Code::kInvalidArgument, "INVALID_FIELD", "merged_id"));
  EXPECT_TRUE(IsError(Merge(alice, "not-an-id").status(), Code::kInvalidArgument, "INVALID_FIELD",
                      "merged_id"));
  EXPECT_TRUE(IsError(Merge(alice, ids_.Next()).status(), Code::kNotFound, "CUSTOMER_NOT_FOUND"));
  EXPECT_TRUE(IsError(Merge(ids_.Next(), alice).status(), Code::kNotFound, "CUSTOMER_NOT_FOUND"));
  EXPECT_TRUE(IsError(Merge(company, alice).status(), Code::kFailedPrecondition, "KIND_MISMATCH"));
  EXPECT_TRUE(IsError(Merge(alice, company).status(), Code::kFailedPrecondition, "KIND_MISMATCH"));
  v1::MergeCustomersRequest no_reason = MergeRequest(alice, bob);
  no_reason.set_reason("  ");
  EXPECT_TRUE(IsError(matching_.MergeCustomers(no_reason).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "reason"));
  v1::MergeCustomersRequest bad_rule = MergeRequest(alice, bob);
  (*bad_rule.mutable_field_rules())["person.shoe_size"] = v1::SURVIVORSHIP_RULE_MOST_COMPLETE;
  EXPECT_TRUE(IsError(matching_.MergeCustomers(bad_rule).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "field_rules"));
  EXPECT_EQ(Rows("merges"), 0);
  EXPECT_EQ(Rows("customers", "state = 1"), 3);

  // Once merged, a customer takes part in no other merge.
  ASSERT_TRUE(Merge(alice, bob).ok());
  const std::string carol = Create(Person("Carol", "Smith"));
  EXPECT_TRUE(IsError(Merge(carol, bob).status(), Code::kFailedPrecondition, "CUSTOMER_MERGED"));
  EXPECT_TRUE(IsError(Merge(bob, carol).status(), Code::kFailedPrecondition, "CUSTOMER_MERGED"));
  EXPECT_TRUE(IsError(Merge(alice, bob).status(), Code::kFailedPrecondition, "CUSTOMER_MERGED"));
  EXPECT_EQ(Rows("merges"), 1);
}

TEST_F(MatchingServiceTest, MergeTakesTheMostRecentValuesAndMovesIdentifiers) {
  v1::Customer older = With(Person("Alice", "Archer"), v1::IDENTIFIER_TYPE_PHONE, "138 0013 8000");
  (*older.mutable_attributes())["tier"] = "gold";
  const std::string survivor = Create(older);
  clock_.Advance(absl::Hours(24));
  v1::Customer newer = LivingAt(Born(Person("Alice", "Bowman"), 1985, 3, 12), "12", "Miller Street",
                                "Sydney", "2000", "NSW");
  *newer.add_identifiers() = Id(v1::IDENTIFIER_TYPE_EMAIL, "alice.bowman@harbour-mail.com");
  (*newer.mutable_attributes())["home_store"] = "17";
  const std::string merged = Create(newer);
  clock_.Advance(absl::Hours(1));

  auto done = Merge(survivor, merged);
  ASSERT_TRUE(done.ok()) << Describe(done.status());
  EXPECT_TRUE(IsValidId(done->merge_id()));
  EXPECT_EQ(done->survivor().customer_id(), survivor);

  const v1::Customer s = Live(survivor);
  EXPECT_EQ(s.person().family_name(), "Bowman");  // set later
  EXPECT_EQ(s.person().given_name(), "Alice");
  EXPECT_EQ(s.display_name(), "Alice Bowman");
  // Empty on the survivor: filled from the merged customer.
  EXPECT_EQ(s.person().birth_date().year(), 1985);
  EXPECT_EQ(s.address().street(), "Miller Street");
  EXPECT_EQ(s.attributes().at("tier"), "gold");
  EXPECT_EQ(s.attributes().at("home_store"), "17");
  EXPECT_EQ(s.state(), v1::CUSTOMER_STATE_ACTIVE);
  EXPECT_EQ(s.identifiers_size(), 2);

  for (const v1::Identifier& id : {Id(v1::IDENTIFIER_TYPE_EMAIL, "alice.bowman@harbour-mail.com"),
                                   Id(v1::IDENTIFIER_TYPE_PHONE, "13800138000")}) {
    auto found = Lookup(id);
    ASSERT_TRUE(found.ok()) << Describe(found.status());
    EXPECT_EQ(found->customer_id(), survivor);
  }
  auto gone = Get(merged);
  ASSERT_TRUE(gone.ok()) << Describe(gone.status());
  EXPECT_EQ(gone->customer().customer_id(), survivor);
  EXPECT_EQ(gone->redirected_from(), merged);
  // Only the survivor is left to match against.
  EXPECT_EQ(Rows("match_records"), 1);
  EXPECT_EQ(Rows("match_records", absl::StrCat("customer_id = '", survivor, "'")), 1);
}

TEST_F(MatchingServiceTest, MostCompleteKeepsTheLongerValue) {
  const std::string survivor = Create(Person("Alice", "Archer-Whitfield"));
  clock_.Advance(absl::Hours(24));
  const std::string merged = Create(Person("Alicia", "Archer"));
  v1::MergeCustomersRequest request = MergeRequest(survivor, merged);
  (*request.mutable_field_rules())["person.family_name"] = v1::SURVIVORSHIP_RULE_MOST_COMPLETE;
  auto done = matching_.MergeCustomers(request);
  ASSERT_TRUE(done.ok()) << Describe(done.status());
  const v1::Customer s = Live(survivor);
  EXPECT_EQ(s.person().family_name(), "Archer-Whitfield");  // longer, though older
  EXPECT_EQ(s.person().given_name(), "Alicia");             // most recent by default
}

// --- 5. UnmergeCustomers -----------------------------------------------------

TEST_F(MatchingServiceTest, UnmergeRestoresBothCustomersButKeepsLaterEdits) {
  v1::Customer older = With(Person("Alice", "Archer"), v1::IDENTIFIER_TYPE_PHONE, "138 0013 8000");
  (*older.mutable_attributes())["tier"] = "gold";
  const std::string survivor = Create(older);
  clock_.Advance(absl::Hours(24));
  v1::Customer newer = LivingAt(Born(Person("Alicia", "Bowman"), 1985, 3, 12), "12",
                                "Miller Street", "Sydney", "2000", "NSW");
  newer.mutable_person()->set_occupation("pilot");
  *newer.add_identifiers() = Id(v1::IDENTIFIER_TYPE_EMAIL, "alice.bowman@harbour-mail.com");
  (*newer.mutable_attributes())["tier"] = "silver";
  (*newer.mutable_attributes())["home_store"] = "17";
  const std::string merged = Create(newer);
  clock_.Advance(absl::Hours(1));
  const v1::Customer survivor_before = Live(survivor);
  const v1::Customer merged_before = Live(merged);

  auto done = Merge(survivor, merged);
  ASSERT_TRUE(done.ok()) << Describe(done.status());
  ASSERT_EQ(Live(survivor).person().family_name(), "Bowman");
  clock_.Advance(absl::Hours(1));
  // An edit after the merge.
  v1::Customer edit;
  edit.mutable_person()->set_family_name("Carter");
  ASSERT_TRUE(Update(survivor, edit, {"person.family_name"}).ok());
  clock_.Advance(absl::Hours(1));

  auto undone = Unmerge(done->merge_id());
  ASSERT_TRUE(undone.ok()) << Describe(undone.status());
  EXPECT_EQ(undone->survivor().customer_id(), survivor);
  EXPECT_EQ(undone->restored().customer_id(), merged);

  auto restored = Get(merged);
  ASSERT_TRUE(restored.ok()) << Describe(restored.status());
  EXPECT_EQ(restored->redirected_from(), "");
  EXPECT_EQ(restored->customer().state(), v1::CUSTOMER_STATE_ACTIVE);
  EXPECT_TRUE(SameCustomer(restored->customer(), merged_before));

  v1::Customer expected = survivor_before;
  expected.mutable_person()->set_family_name("Carter");
  EXPECT_TRUE(SameCustomer(Live(survivor), expected));

  for (const auto& [id, owner] :
       {std::pair{Id(v1::IDENTIFIER_TYPE_EMAIL, "alice.bowman@harbour-mail.com"), merged},
        std::pair{Id(v1::IDENTIFIER_TYPE_PHONE, "13800138000"), survivor}}) {
    auto found = Lookup(id);
    ASSERT_TRUE(found.ok()) << Describe(found.status());
    EXPECT_EQ(found->customer_id(), owner);
  }
  EXPECT_EQ(Rows("match_records"), 2);
  EXPECT_EQ(Rows("merges", "undone_at IS NOT NULL"), 1);
}

TEST_F(MatchingServiceTest, UnmergeRefusesRepeatsAndUnknownMerges) {
  const std::string alice = Create(AliceSmith());
  const std::string bob = Create(Person("Bob", "Smith"));
  auto done = Merge(alice, bob);
  ASSERT_TRUE(done.ok()) << Describe(done.status());
  ASSERT_TRUE(Unmerge(done->merge_id()).ok());
  EXPECT_TRUE(IsError(Unmerge(done->merge_id()).status(), Code::kFailedPrecondition,
                      "MERGE_ALREADY_UNDONE"));
  EXPECT_TRUE(IsError(Unmerge(ids_.Next()).status(), Code::kNotFound, "MERGE_NOT_FOUND"));
  EXPECT_TRUE(
      IsError(Unmerge("merge-1").status(), Code::kInvalidArgument, "INVALID_FIELD", "merge_id"));
  v1::UnmergeCustomersRequest no_reason;
  no_reason.set_merge_id(done->merge_id());
  EXPECT_TRUE(IsError(matching_.UnmergeCustomers(no_reason).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "reason"));
  // Both are themselves again and can be merged anew.
  EXPECT_EQ(Live(bob).customer_id(), bob);
  auto again = Merge(alice, bob);
  ASSERT_TRUE(again.ok()) << Describe(again.status());
  EXPECT_NE(again->merge_id(), done->merge_id());
  // A merge whose survivor was merged away since is undone from the top.
  const std::string carol = Create(Person("Carol", "Smith"));
  auto later = Merge(carol, alice);
  ASSERT_TRUE(later.ok()) << Describe(later.status());
  EXPECT_TRUE(IsError(Unmerge(again->merge_id()).status(), Code::kFailedPrecondition,
                      "SURVIVOR_NOT_ACTIVE"));
  ASSERT_TRUE(Unmerge(later->merge_id()).ok());
  ASSERT_TRUE(Unmerge(again->merge_id()).ok());
  EXPECT_EQ(Rows("customers", "state = 1"), 3);
}

TEST_F(MatchingServiceTest, MergeReplayedWithItsRequestIdMergesOnce) {
  const std::string alice = Create(AliceSmith());
  const std::string bob = Create(Person("Bob", "Smith"));
  v1::MergeCustomersRequest request = MergeRequest(alice, bob);
  request.set_request_id("merge-alice-bob");
  auto first = matching_.MergeCustomers(request);
  ASSERT_TRUE(first.ok()) << Describe(first.status());
  const int history = Rows("customer_history");
  clock_.Advance(absl::Minutes(5));

  auto replayed = matching_.MergeCustomers(request);
  ASSERT_TRUE(replayed.ok()) << Describe(replayed.status());
  EXPECT_EQ(replayed->merge_id(), first->merge_id());
  EXPECT_EQ(replayed->survivor().customer_id(), alice);
  EXPECT_EQ(Rows("merges"), 1);
  EXPECT_EQ(Rows("customer_history"), history);

  request.set_reason("another reason");
  EXPECT_TRUE(IsError(matching_.MergeCustomers(request).status(), Code::kFailedPrecondition,
                      "IDEMPOTENCY_KEY_REUSED"));
}

// --- 6. Model estimation -----------------------------------------------------

TEST_F(MatchingServiceTest, EstimateNeedsSaneThresholdsAndEnoughCustomers) {
  v1::EstimateMatchModelRequest inverted;
  inverted.set_upper_threshold(0.6);
  inverted.set_lower_threshold(0.9);
  EXPECT_TRUE(IsError(matching_.EstimateMatchModel(inverted).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "upper_threshold"));
  v1::EstimateMatchModelRequest certain;
  certain.set_upper_threshold(1.0);
  EXPECT_TRUE(IsError(matching_.EstimateMatchModel(certain).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "upper_threshold"));

  CreateAll(Population(3));
  EXPECT_TRUE(IsError(matching_.EstimateMatchModel({}).status(), Code::kFailedPrecondition,
                      "TOO_FEW_RECORDS"));
  EXPECT_EQ(Rows("match_models"), 0);
  auto model = matching_.GetMatchModel({});
  ASSERT_TRUE(model.ok()) << Describe(model.status());
  EXPECT_EQ(model->model().version(), 0);
  EXPECT_DOUBLE_EQ(model->model().upper_threshold(), 0.95);
  EXPECT_DOUBLE_EQ(model->model().lower_threshold(), 0.5);
  EXPECT_EQ(model->model().fields_size(), 12);
}

TEST_F(MatchingServiceTest, EstimateLearnsAModelFromTheCustomers) {
  const std::vector<v1::Customer> people = Population(140);
  std::vector<v1::Customer> all = people;
  for (int d = 0; d < 10; ++d) all.push_back(WithTypo(people[d * 13 + 1], d));
  CreateAll(all);

  v1::EstimateMatchModelRequest request;
  request.set_upper_threshold(0.9);
  request.set_lower_threshold(0.4);
  auto estimated = matching_.EstimateMatchModel(request);
  ASSERT_TRUE(estimated.ok()) << Describe(estimated.status());
  const v1::MatchModelInfo& m = estimated->model();
  EXPECT_EQ(m.version(), 1);
  EXPECT_EQ(m.records(), 150);
  EXPECT_GT(m.random_pairs(), 0);
  EXPECT_GT(m.candidate_pairs(), 0);
  EXPECT_EQ(m.labelled_pairs(), 0);
  EXPECT_TRUE(m.converged());
  EXPECT_GE(m.em_iterations(), 1);
  EXPECT_LE(m.em_iterations(), 200);
  EXPECT_GT(m.lambda(), 0);
  EXPECT_LT(m.lambda(), 1);
  EXPECT_DOUBLE_EQ(m.upper_threshold(), 0.9);
  EXPECT_DOUBLE_EQ(m.lower_threshold(), 0.4);
  EXPECT_TRUE(m.has_create_time());
  ASSERT_EQ(m.fields_size(), 12);
  for (int f = 0; f < 12; ++f) {
    const v1::FieldModel& field = m.fields(f);
    EXPECT_EQ(field.field(), kFields[f]);
    ASSERT_EQ(field.levels_size(), 4) << field.field();
    double m_sum = 0, u_sum = 0;
    for (const v1::LevelModel& level : field.levels()) {
      SCOPED_TRACE(absl::StrCat(field.field(), " ", level.agreement()));
      EXPECT_GT(level.m(), 0);
      EXPECT_LE(level.m(), 1);
      EXPECT_GT(level.u(), 0);
      EXPECT_LE(level.u(), 1);
      m_sum += level.m();
      u_sum += level.u();
    }
    EXPECT_NEAR(m_sum, 1, 1e-6) << field.field();
    EXPECT_NEAR(u_sum, 1, 1e-6) << field.field();
  }
  EXPECT_EQ(Rows("match_models"), 1);

  auto current = matching_.GetMatchModel({});
  ASSERT_TRUE(current.ok()) << Describe(current.status());
  EXPECT_EQ(current->model().version(), 1);
  EXPECT_TRUE(MessageDifferencer::Equals(current->model(), m))
      << current->model().ShortDebugString() << "\nvs\n"
      << m.ShortDebugString();
}

// --- 7. Batch deduplication --------------------------------------------------

TEST_F(MatchingServiceTest, DeduplicationMergesClearDuplicates) {
  const std::vector<v1::Customer> people = Population(140);
  const std::vector<std::string> ids = CreateAll(people);
  std::vector<std::pair<std::string, std::string>> pairs;  // original, duplicate
  for (int d = 0; d < 10; ++d) {
    pairs.emplace_back(ids[d * 13 + 1], Create(WithTypo(people[d * 13 + 1], d)));
  }
  ASSERT_EQ(Rows("customers"), 150);

  v1::StartDeduplicationRequest request;
  request.set_auto_merge(true);
  auto started = matching_.StartDeduplication(request);
  ASSERT_TRUE(started.ok()) << Describe(started.status());
  const std::string job_id = started->job().job_id();
  EXPECT_TRUE(IsValidId(job_id));
  EXPECT_EQ(started->job().state(), v1::JOB_STATE_RUNNING);
  EXPECT_TRUE(started->job().auto_merge());

  auto second = matching_.StartDeduplication(request);
  if (second.ok()) {
    // The first job finished in between: a new one may start.
    EXPECT_NE(Job(job_id).state(), v1::JOB_STATE_RUNNING);
    WaitForJob(second->job().job_id());
  } else {
    EXPECT_TRUE(IsError(second.status(), Code::kFailedPrecondition, "JOB_RUNNING"));
  }

  const v1::DeduplicationJob job = WaitForJob(job_id);
  ASSERT_EQ(job.state(), v1::JOB_STATE_SUCCEEDED) << job.ShortDebugString();
  EXPECT_EQ(job.error(), "");
  EXPECT_EQ(job.records(), 150);
  EXPECT_GT(job.candidate_pairs(), 0);
  EXPECT_GE(job.clusters(), 10);
  EXPECT_GE(job.duplicates(), 10);
  EXPECT_EQ(job.merged(), job.duplicates());
  EXPECT_DOUBLE_EQ(job.progress(), 1.0);
  EXPECT_EQ(job.model_version(), 0);
  EXPECT_TRUE(job.has_finish_time());

  for (const auto& [original, duplicate] : pairs) {
    auto got = Get(duplicate);
    ASSERT_TRUE(got.ok()) << Describe(got.status());
    EXPECT_EQ(got->customer().customer_id(), original);
    EXPECT_EQ(got->redirected_from(), duplicate);
    EXPECT_EQ(got->customer().state(), v1::CUSTOMER_STATE_ACTIVE);
  }
  // No one else was merged.
  EXPECT_EQ(Rows("customers", "state = 2"), 10);
  EXPECT_EQ(Rows("merges"), 10);
}

TEST_F(MatchingServiceTest, UnknownDeduplicationJobIsNotFound) {
  v1::GetDeduplicationJobRequest request;
  request.set_job_id(ids_.Next());
  EXPECT_TRUE(
      IsError(matching_.GetDeduplicationJob(request).status(), Code::kNotFound, "JOB_NOT_FOUND"));
  request.set_job_id("job-1");
  EXPECT_TRUE(IsError(matching_.GetDeduplicationJob(request).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "job_id"));
}

TEST_F(MatchingServiceTest, ReindexRebuildsEveryCustomersDerivedRows) {
  Create(LivingAt(Born(Person("Alice", "Archer"), 1985, 3, 12), "12", "Miller Street", "Sydney",
                  "2000", "NSW"));
  Create(With(Person("Bruno", "Bianchi"), v1::IDENTIFIER_TYPE_PHONE, "138 0013 8000"));
  Create(Born(Person("Chen", "Jie"), 1990, 1, 2));
  const int keys = Rows("blocking_keys");
  ASSERT_GT(keys, 0);
  auto conn = db_.Connect();
  std::unique_ptr<sql::Statement> statement(conn->createStatement());
  statement->executeUpdate("UPDATE customers SET sealed_view = NULL");
  statement->executeUpdate("DELETE FROM blocking_keys");
  statement->executeUpdate("DELETE FROM match_records");

  std::vector<int64_t> batches;
  auto done = ReindexCustomers(pool_, key_, "", 2,
                               [&](const ReindexProgress& p) { batches.push_back(p.customers); });
  ASSERT_TRUE(done.ok()) << Describe(done.status());
  EXPECT_EQ(done->customers, 3);
  EXPECT_EQ(batches, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Rows("customers", "sealed_view IS NULL"), 0);
  EXPECT_EQ(Rows("match_records"), 3);
  EXPECT_EQ(Rows("blocking_keys"), keys);

  // Resuming after the last id has nothing left to do.
  auto again = ReindexCustomers(pool_, key_, done->last_id, 2, [](const ReindexProgress&) {});
  ASSERT_TRUE(again.ok()) << Describe(again.status());
  EXPECT_EQ(again->customers, 0);
}

// --- 8. Personal data at rest ------------------------------------------------

TEST_F(MatchingServiceTest, LinkageTablesHoldNoPersonalDataInClear) {
  v1::Customer zebulon = LivingAt(Born(Person("Zebulon", "Quistgaard"), 1979, 6, 21), "41",
                                  "Fjordheimveien", "Sydney", "2000", "NSW");
  *zebulon.add_identifiers() = Id(v1::IDENTIFIER_TYPE_PHONE, "139 1234 8765");
  *zebulon.add_identifiers() = Id(v1::IDENTIFIER_TYPE_EMAIL, "zeb.quistgaard@fjordpost.no");
  const std::string first = Create(zebulon, "create-zebulon");
  // He again, moved: a possible match, a review and a merge.
  v1::Customer moved = LivingAt(Born(Person("Zebulon", "Quistgaard"), 1979, 6, 21), "9",
                                "Skarvheimgata", "Bondi", "2026", "NSW");
  auto resolved = Resolve(moved, /*create=*/true, "resolve-zebulon");
  ASSERT_TRUE(resolved.ok()) << Describe(resolved.status());
  ASSERT_EQ(resolved->outcome(), v1::MATCH_OUTCOME_POSSIBLE_MATCH);
  auto decided = Decide(resolved->review_id(), v1::REVIEW_STATUS_SAME_CUSTOMER);
  ASSERT_TRUE(decided.ok()) << Describe(decided.status());
  auto undone = Unmerge(decided->merge_id(), "unmerge-zebulon");
  ASSERT_TRUE(undone.ok()) << Describe(undone.status());
  v1::MergeCustomersRequest merge = MergeRequest(first, resolved->customer_id());
  merge.set_request_id("merge-zebulon");
  ASSERT_TRUE(matching_.MergeCustomers(merge).ok());

  ASSERT_EQ(Rows("merges"), 2);
  ASSERT_EQ(Rows("match_reviews"), 1);
  ASSERT_GE(Rows("match_records"), 1);
  ASSERT_GE(Rows("idempotency_keys"), 4);
  ASSERT_GT(RowsContaining("customer_history", "field", "person.family_name"), 0);  // probe works
  const std::vector<std::pair<std::string, std::string>> columns = {
      {"merges", "survivor_before"},
      {"merges", "merged_before"},
      {"merges", "survivor_after"},
      {"merges", "moved_identifiers"},
      {"merges", "reason"},
      {"merges", "actor"},
      {"match_records", "sealed_record"},
      {"blocking_keys", "key_hash"},
      {"match_reviews", "pattern"},
      {"match_reviews", "note"},
      {"match_reviews", "decided_by"},
      {"idempotency_keys", "response"},
      {"idempotency_keys", "fingerprint"}};
  for (const std::string text : {"Zebulon", "zebulon", "Quistgaard", "quistgaard", "Fjordheimveien",
                                 "fjordheimveien", "Skarvheimgata", "skarvheimgata",
                                 "zeb.quistgaard@fjordpost.no", "13912348765", "19790621"}) {
    for (const auto& [table, column] : columns) {
      EXPECT_EQ(RowsContaining(table, column, text), 0) << table << "." << column << ": " << text;
    }
  }
}

TEST_F(MatchingServiceTest, ResolveRefusesBadRequests) {
  v1::ResolveCustomerRequest r;
  *r.mutable_candidate() = Person("Alice", "Smith");
  r.set_request_id(std::string(63, 'r'));
  EXPECT_TRUE(IsError(matching_.ResolveCustomer(r).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "request_id"));
  r.set_request_id("has space");
  EXPECT_TRUE(IsError(matching_.ResolveCustomer(r).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "request_id"));
  r.clear_request_id();
  r.mutable_source()->set_channel(static_cast<v1::CollectionChannel>(99));
  EXPECT_TRUE(IsError(matching_.ResolveCustomer(r).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "source.channel"));
  r.clear_source();
  for (int i = 0; i < 21; ++i) {
    v1::Identifier& id = *r.mutable_candidate()->add_identifiers();
    id.set_type(v1::IDENTIFIER_TYPE_MEMBER_CARD);
    id.set_value(absl::StrCat("CARD", 1000 + i));
  }
  EXPECT_TRUE(IsError(matching_.ResolveCustomer(r).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "candidate.identifiers"));
  // An empty record gives nothing to compare: refused, and nothing created.
  r.clear_candidate();
  r.set_create_if_no_match(true);
  EXPECT_TRUE(IsError(matching_.ResolveCustomer(r).status(), Code::kInvalidArgument,
                      "NOTHING_TO_MATCH", "candidate"));
  EXPECT_EQ(Rows("customers"), 0);
}

}  // namespace
}  // namespace crm::identify
