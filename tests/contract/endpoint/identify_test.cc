// The identify service's contract (crm.identify.v1.IdentifyService), by
// address. Every request id, name and identifier comes from Suite().Unique, so
// the tests hold against a shared, long-lived suite as well as a fresh one.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/contract/endpoint/contract_test_util.h"

namespace crm::contract {
namespace {

namespace v1 = identify::v1;
using grpc::StatusCode;
using Stub = v1::IdentifyService::Stub;

// A well-formed customer id (26 Crockford characters) that no one holds.
constexpr char kUnknownId[] = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ";

void ExpectIdentifyError(const grpc::Status& status, StatusCode code, const std::string& reason) {
  SCOPED_TRACE(status.error_message());
  ExpectError(status, code, reason, "identify.crm");
}

// Calls one unary method of identify as `caller`.
template <typename Request, typename Response>
grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                  const Request& request, Response* response, Caller caller = Caller::kAdmin) {
  auto stub = v1::IdentifyService::NewStub(Suite().identify());
  auto context = As(caller);
  return ((*stub).*method)(context.get(), request, response);
}

// The same call, where only its status matters.
template <typename Request, typename Response>
grpc::Status StatusOf(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                      const Request& request, Caller caller = Caller::kAdmin) {
  Response ignored;
  return Call(method, request, &ignored, caller);
}

// ---- unique values ----

uint64_t Fnv(absl::string_view text) {
  uint64_t hash = 1469598103934665603ull;
  for (char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return hash;
}

// A CN mobile number in national form ("19xxxxxxxxx"), unique to this run.
std::string UniqueMobile() {
  for (;;) {
    const std::string digits =
        absl::StrCat(Fnv(Suite().Unique("mobile")) % 1'000'000'000ull + 1'000'000'000ull).substr(1);
    const std::string last8 = digits.substr(1);
    if (last8.find_first_not_of(last8[0]) == std::string::npos || last8 == "12345678" ||
        last8 == "87654321") {
      continue;  // a placeholder pattern the service refuses as junk
    }
    return absl::StrCat("19", digits);
  }
}

std::string UniqueEmail() {
  return absl::StrCat(absl::AsciiStrToLower(Suite().Unique("mail")), "@crm-contract.net");
}

// A member card number as the service stores it: upper case, no hyphens.
std::string UniqueCard() {
  return absl::StrReplaceAll(absl::AsciiStrToUpper(Suite().Unique("card")), {{"-", ""}});
}

// Six letters from a unique id, for names that must not resemble others.
std::string UniqueWord() {
  uint64_t hash = Fnv(Suite().Unique("word"));
  std::string word(1, static_cast<char>('A' + hash % 26));
  for (int i = 0; i < 5; ++i) word.push_back(static_cast<char>('a' + (hash /= 26) % 26));
  return word;
}

v1::Identifier Id(v1::IdentifierType type, const std::string& value) {
  v1::Identifier id;
  id.set_type(type);
  id.set_value(value);
  return id;
}
v1::Identifier Email(const std::string& value) { return Id(v1::IDENTIFIER_TYPE_EMAIL, value); }
v1::Identifier Card(const std::string& value) { return Id(v1::IDENTIFIER_TYPE_MEMBER_CARD, value); }

// How a name reads masked: each word's first letter, then one '*' per letter.
std::string Masked(absl::string_view name) {
  std::vector<std::string> words;
  for (absl::string_view word : absl::StrSplit(name, ' ', absl::SkipEmpty())) {
    words.push_back(word.size() == 1
                        ? "*"
                        : absl::StrCat(word.substr(0, 1), std::string(word.size() - 1, '*')));
  }
  return absl::StrJoin(words, " ");
}

absl::Time TimeOf(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

void SetTime(absl::Time t, google::protobuf::Timestamp* ts) {
  const int64_t nanos = absl::ToUnixNanos(t);
  ts->set_seconds(nanos / 1'000'000'000);
  ts->set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
}

// ---- customers ----

// A PERSON consumer with a unique name and the given identifiers.
v1::Customer Person(std::vector<v1::Identifier> ids = {}) {
  v1::Customer c;
  c.set_kind(v1::CUSTOMER_KIND_PERSON);
  c.set_category(v1::CUSTOMER_CATEGORY_CONSUMER);
  c.mutable_person()->set_given_name(UniqueWord());
  c.mutable_person()->set_family_name(UniqueWord());
  c.set_display_name(absl::StrCat(c.person().given_name(), " ", c.person().family_name()));
  for (v1::Identifier& id : ids) *c.add_identifiers() = std::move(id);
  return c;
}

v1::CreateCustomerRequest CreateRequest(const v1::Customer& customer) {
  v1::CreateCustomerRequest request;
  request.set_request_id(Suite().Unique("create"));
  *request.mutable_customer() = customer;
  request.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_WEBSITE);
  request.mutable_source()->set_system("contract-tests");
  request.set_default_region("CN");
  return request;
}

// Creates `customer` and returns it as the service answered (masked).
v1::Customer Create(const v1::Customer& customer) {
  v1::CreateCustomerResponse created;
  const grpc::Status status = Call(&Stub::CreateCustomer, CreateRequest(customer), &created);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return created.customer();
}

std::string CreateId(std::vector<v1::Identifier> ids = {}) {
  return Create(Person(std::move(ids))).customer_id();
}

v1::GetCustomerResponse Get(const std::string& id, Caller caller = Caller::kAdmin,
                            v1::CustomerView view = v1::CUSTOMER_VIEW_MASKED) {
  v1::GetCustomerRequest request;
  request.set_customer_id(id);
  request.set_view(view);
  v1::GetCustomerResponse response;
  const grpc::Status status = Call(&Stub::GetCustomer, request, &response, caller);
  EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
  return response;
}

v1::LookupCustomerRequest LookupRequest(const v1::Identifier& id) {
  v1::LookupCustomerRequest request;
  *request.mutable_identifier() = id;
  request.set_default_region("CN");
  return request;
}

// The id of the customer holding `id`, or the lookup's error.
std::string HolderOf(const v1::Identifier& id) {
  v1::LookupCustomerResponse found;
  const grpc::Status status = Call(&Stub::LookupCustomer, LookupRequest(id), &found);
  return status.ok() ? found.customer().customer_id()
                     : absl::StrCat("error ", status.error_code(), " ", status.error_message());
}

v1::MergeCustomersRequest MergeRequest(const std::string& survivor, const std::string& merged) {
  v1::MergeCustomersRequest request;
  request.set_request_id(Suite().Unique("merge"));
  request.set_survivor_id(survivor);
  request.set_merged_id(merged);
  request.set_reason("same person (contract test)");
  return request;
}

std::string Merge(const std::string& survivor, const std::string& merged) {
  v1::MergeCustomersResponse response;
  const grpc::Status status =
      Call(&Stub::MergeCustomers, MergeRequest(survivor, merged), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.merge_id();
}

v1::EraseCustomerRequest EraseRequest(const std::string& id) {
  v1::EraseCustomerRequest request;
  request.set_customer_id(id);
  request.set_reason(Suite().Unique("dsr"));
  return request;
}

std::vector<v1::HistoryEntry> History(const std::string& id) {
  v1::GetCustomerHistoryRequest request;
  request.set_customer_id(id);
  request.set_page_size(500);
  v1::GetCustomerHistoryResponse response;
  const grpc::Status status = Call(&Stub::GetCustomerHistory, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return {response.entries().begin(), response.entries().end()};
}

// The newest history entry of `field`, or an empty one.
v1::HistoryEntry Latest(const std::vector<v1::HistoryEntry>& entries, absl::string_view field) {
  for (const v1::HistoryEntry& e : entries) {
    if (e.field() == field) return e;
  }
  return {};
}

v1::RecordContactRequest ContactRequest(const std::string& customer_id, absl::Time when) {
  v1::RecordContactRequest request;
  request.set_request_id(Suite().Unique("contact"));
  v1::Contact& c = *request.mutable_contact();
  c.set_customer_id(customer_id);
  c.set_channel(v1::COLLECTION_CHANNEL_CALL_CENTER);
  c.set_kind("enquiry");
  c.set_reference(Suite().Unique("ticket"));
  c.set_note("asked about opening hours");
  SetTime(when, c.mutable_contact_time());
  return request;
}

v1::ResolveCustomerRequest ResolveRequest(std::vector<v1::Identifier> ids, bool create) {
  v1::ResolveCustomerRequest request;
  request.set_request_id(Suite().Unique("resolve"));
  for (v1::Identifier& id : ids) *request.mutable_candidate()->add_identifiers() = std::move(id);
  request.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_POINT_OF_SALE);
  request.set_default_region("CN");
  request.set_create_if_no_match(create);
  return request;
}

// A pending review pairing two customers whose identifiers one record gives.
std::string ConflictReview(const std::string& email_a, const std::string& card_b) {
  v1::ResolveCustomerResponse resolved;
  const grpc::Status status =
      Call(&Stub::ResolveCustomer, ResolveRequest({Email(email_a), Card(card_b)}, true), &resolved);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(resolved.outcome(), v1::MATCH_OUTCOME_POSSIBLE_MATCH);
  EXPECT_FALSE(resolved.created());
  EXPECT_FALSE(resolved.review_id().empty());
  return resolved.review_id();
}

// Pages through reviews of `status` until `review_id` shows up.
v1::MatchReview FindReview(const std::string& review_id, v1::ReviewStatus status) {
  v1::ListMatchReviewsRequest request;
  request.set_status(status);
  request.set_page_size(500);
  for (int page = 0; page < 1000; ++page) {
    v1::ListMatchReviewsResponse response;
    const grpc::Status listed = Call(&Stub::ListMatchReviews, request, &response);
    EXPECT_TRUE(listed.ok()) << listed.error_message();
    for (const v1::MatchReview& review : response.reviews()) {
      if (review.review_id() == review_id) return review;
    }
    if (!listed.ok() || response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  ADD_FAILURE() << "review " << review_id << " not listed as " << v1::ReviewStatus_Name(status);
  return {};
}

v1::ImportCustomersRequest ImportLine(const std::string& import_id, const std::string& line_ref,
                                      std::vector<v1::Identifier> ids) {
  v1::ImportCustomersRequest line;
  line.set_import_id(import_id);
  line.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_TRADE_FAIR);
  line.set_default_region("CN");
  line.set_line_ref(line_ref);
  for (v1::Identifier& id : ids) *line.mutable_record()->add_identifiers() = std::move(id);
  return line;
}

grpc::Status Import(const std::vector<v1::ImportCustomersRequest>& lines,
                    v1::ImportCustomersResponse* summary) {
  auto stub = v1::IdentifyService::NewStub(Suite().identify());
  auto context = As();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  auto writer = stub->ImportCustomers(context.get(), summary);
  for (const auto& line : lines) {
    if (!writer->Write(line)) break;
  }
  writer->WritesDone();
  return writer->Finish();
}

// ---- customers: create, read, update, list ----

TEST(IdentifyContract, CreateNormalisesIdentifiersAndAnswersMasked) {
  const std::string mobile = UniqueMobile();
  const std::string email = UniqueEmail();
  const std::string card = UniqueCard();
  v1::Customer person =
      Person({Id(v1::IDENTIFIER_TYPE_PHONE, mobile), Email(absl::AsciiStrToUpper(email)),
              Card(absl::AsciiStrToLower(absl::StrCat(card, "-x")))});
  person.mutable_person()->mutable_birth_date()->set_year(1990);
  person.mutable_person()->mutable_birth_date()->set_month(4);
  person.mutable_person()->mutable_birth_date()->set_day(12);
  person.mutable_address()->set_street("Nanjing Road");
  person.mutable_address()->set_locality("Shanghai");
  (*person.mutable_attributes())["tier"] = "gold";
  const v1::Customer c = Create(person);

  EXPECT_EQ(c.customer_id().size(), 26u);
  EXPECT_EQ(c.kind(), v1::CUSTOMER_KIND_PERSON);
  EXPECT_EQ(c.state(), v1::CUSTOMER_STATE_ACTIVE);
  EXPECT_EQ(c.lifecycle_status(), v1::LIFECYCLE_STATUS_POTENTIAL);  // the default
  EXPECT_FALSE(c.etag().empty());
  EXPECT_TRUE(c.has_create_time());
  EXPECT_EQ(c.attributes().at("tier"), "gold");
  // Personal data is masked for role:admin.
  EXPECT_EQ(c.display_name(), Masked(person.display_name()));
  EXPECT_EQ(c.person().given_name(), Masked(person.person().given_name()));
  EXPECT_EQ(c.person().birth_date().year(), 1990);
  EXPECT_EQ(c.person().birth_date().month(), 0);
  EXPECT_EQ(c.address().street(), "***");
  std::map<v1::IdentifierType, std::string> values;
  for (const v1::Identifier& id : c.identifiers()) values[id.type()] = id.value();
  EXPECT_EQ(values[v1::IDENTIFIER_TYPE_PHONE],
            absl::StrCat("+86", mobile.substr(0, 3), "****", mobile.substr(7)));
  EXPECT_EQ(values[v1::IDENTIFIER_TYPE_EMAIL],
            absl::StrCat(email.substr(0, 1), "***@crm-contract.net"));
  const std::string stored_card = absl::StrCat(card, "X");  // upper case, hyphen dropped
  EXPECT_NE(values[v1::IDENTIFIER_TYPE_MEMBER_CARD], stored_card);
  EXPECT_EQ(values[v1::IDENTIFIER_TYPE_MEMBER_CARD],
            absl::StrCat(stored_card.substr(0, stored_card.size() - 8), "****",
                         stored_card.substr(stored_card.size() - 4)));
  // Each identifier is found again in any spelling of its normalised value.
  EXPECT_EQ(HolderOf(Id(v1::IDENTIFIER_TYPE_PHONE, absl::StrCat("+86 ", mobile))), c.customer_id());
  EXPECT_EQ(HolderOf(Id(v1::IDENTIFIER_TYPE_PHONE, absl::StrCat("0086-", mobile))),
            c.customer_id());
  EXPECT_EQ(HolderOf(Email(absl::StrCat("  ", email, " "))), c.customer_id());
  EXPECT_EQ(HolderOf(Card(absl::StrCat(card, " x"))), c.customer_id());
}

TEST(IdentifyContract, CreateReplaysByRequestIdAndRefusesAReusedOne) {
  v1::CreateCustomerRequest request = CreateRequest(Person({Email(UniqueEmail())}));
  v1::CreateCustomerResponse first, again;
  ASSERT_TRUE(Call(&Stub::CreateCustomer, request, &first).ok());
  ASSERT_TRUE(Call(&Stub::CreateCustomer, request, &again).ok());
  EXPECT_EQ(again.customer().customer_id(), first.customer().customer_id());
  EXPECT_EQ(again.customer().etag(), first.customer().etag());

  // Retried after a change, it still creates nothing and undoes nothing.
  v1::UpdateCustomerRequest update;
  update.mutable_customer()->set_customer_id(first.customer().customer_id());
  update.mutable_customer()->set_display_name("Renamed Person");
  update.mutable_update_mask()->add_paths("display_name");
  ASSERT_TRUE(StatusOf(&Stub::UpdateCustomer, update).ok());
  v1::CreateCustomerResponse later;
  ASSERT_TRUE(Call(&Stub::CreateCustomer, request, &later).ok());
  EXPECT_EQ(later.customer().customer_id(), first.customer().customer_id());
  EXPECT_EQ(Get(first.customer().customer_id()).customer().display_name(),
            Masked("Renamed Person"));

  request.mutable_customer()->set_display_name("Someone Else");
  ExpectIdentifyError(StatusOf(&Stub::CreateCustomer, request), StatusCode::FAILED_PRECONDITION,
                      "IDEMPOTENCY_KEY_REUSED");
}

TEST(IdentifyContract, CreateRefusesInvalidCustomers) {
  const std::string taken = UniqueEmail();
  CreateId({Email(taken)});
  struct Case {
    std::string what;
    std::function<void(v1::CreateCustomerRequest&)> change;
    StatusCode code;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"no kind", [](auto& r) { r.mutable_customer()->clear_kind(); }, StatusCode::INVALID_ARGUMENT,
       "INVALID_FIELD"},
      {"no category", [](auto& r) { r.mutable_customer()->clear_category(); },
       StatusCode::INVALID_ARGUMENT, "INVALID_FIELD"},
      {"blank display_name", [](auto& r) { r.mutable_customer()->set_display_name("   "); },
       StatusCode::INVALID_ARGUMENT, "INVALID_FIELD"},
      {"display_name of 201",
       [](auto& r) { r.mutable_customer()->set_display_name(std::string(201, 'a')); },
       StatusCode::INVALID_ARGUMENT, "INVALID_FIELD"},
      {"organization on a person",
       [](auto& r) { r.mutable_customer()->mutable_organization()->set_legal_name("X Ltd"); },
       StatusCode::INVALID_ARGUMENT, "INVALID_FIELD"},
      {"30 February",
       [](auto& r) {
         auto* d = r.mutable_customer()->mutable_person()->mutable_birth_date();
         d->set_year(2001);
         d->set_month(2);
         d->set_day(30);
       },
       StatusCode::INVALID_ARGUMENT, "INVALID_FIELD"},
      {"attribute key",
       [](auto& r) { (*r.mutable_customer()->mutable_attributes())["Bad Key"] = "x"; },
       StatusCode::INVALID_ARGUMENT, "INVALID_FIELD"},
      {"21 identifiers",
       [](auto& r) {
         for (int i = 0; i < 21; ++i) *r.mutable_customer()->add_identifiers() = Card(UniqueCard());
       },
       StatusCode::INVALID_ARGUMENT, "INVALID_FIELD"},
      {"bad phone",
       [](auto& r) {
         *r.mutable_customer()->add_identifiers() = Id(v1::IDENTIFIER_TYPE_PHONE, "12ab");
       },
       StatusCode::INVALID_ARGUMENT, "INVALID_FIELD"},
      {"junk card", [](auto& r) { *r.mutable_customer()->add_identifiers() = Card("000000"); },
       StatusCode::INVALID_ARGUMENT, "JUNK_IDENTIFIER"},
      {"test e-mail",
       [](auto& r) { *r.mutable_customer()->add_identifiers() = Email("someone@example.com"); },
       StatusCode::INVALID_ARGUMENT, "JUNK_IDENTIFIER"},
      {"request_id of 65", [](auto& r) { r.set_request_id(std::string(65, 'r')); },
       StatusCode::INVALID_ARGUMENT, "INVALID_FIELD"},
      {"identifier taken",
       [&](auto& r) { *r.mutable_customer()->add_identifiers() = Email(taken); },
       StatusCode::ALREADY_EXISTS, "IDENTIFIER_TAKEN"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    v1::CreateCustomerRequest request = CreateRequest(Person());
    c.change(request);
    ExpectIdentifyError(StatusOf(&Stub::CreateCustomer, request), c.code, c.reason);
  }
}

TEST(IdentifyContract, GetAnswersMaskedAndNotFoundForUnknownIds) {
  const v1::Customer person = Person({Email(UniqueEmail())});
  const std::string id = Create(person).customer_id();
  const v1::GetCustomerResponse got = Get(id);
  EXPECT_EQ(got.customer().customer_id(), id);
  EXPECT_EQ(got.customer().display_name(), Masked(person.display_name()));
  EXPECT_EQ(got.customer().person().family_name(), Masked(person.person().family_name()));
  EXPECT_TRUE(got.redirected_from().empty());

  v1::GetCustomerRequest request;
  request.set_customer_id(kUnknownId);
  ExpectIdentifyError(StatusOf(&Stub::GetCustomer, request), StatusCode::NOT_FOUND,
                      "CUSTOMER_NOT_FOUND");
  request.set_customer_id("not-an-id");
  ExpectIdentifyError(StatusOf(&Stub::GetCustomer, request), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
  // Only callers allowed to see personal data get the full view.
  request.set_customer_id(id);
  request.set_view(v1::CUSTOMER_VIEW_FULL);
  ExpectIdentifyError(StatusOf(&Stub::GetCustomer, request), StatusCode::PERMISSION_DENIED,
                      "FULL_VIEW_NOT_ALLOWED");
}

// role:privacy_officer is the policy's full_view role: its FULL reads show everything in clear.
TEST(IdentifyContract, PrivacyOfficerReadsPersonalDataInFull) {
  const std::string email = UniqueEmail();
  v1::Customer person = Person({Email(email)});
  person.mutable_address()->set_street("Miller Street");
  const std::string id = Create(person).customer_id();

  v1::GetCustomerRequest get;
  get.set_customer_id(id);
  get.set_view(v1::CUSTOMER_VIEW_FULL);
  v1::GetCustomerResponse full;
  const grpc::Status got = Call(&Stub::GetCustomer, get, &full, Caller::kPrivacyOfficer);
  if (!Suite().secured()) {
    // Without trusted callers nobody is known to be a privacy officer.
    ExpectIdentifyError(got, StatusCode::PERMISSION_DENIED, "FULL_VIEW_NOT_ALLOWED");
    return;
  }
  EXPECT_TRUE(got.ok()) << got.error_message();
  if (got.ok()) {
    EXPECT_EQ(full.customer().display_name(), person.display_name());
    EXPECT_EQ(full.customer().person().given_name(), person.person().given_name());
    EXPECT_EQ(full.customer().address().street(), "Miller Street");
    ASSERT_EQ(full.customer().identifiers_size(), 1);
    EXPECT_EQ(full.customer().identifiers(0).value(), email);
  }

  v1::LookupCustomerRequest lookup = LookupRequest(Email(email));
  lookup.set_view(v1::CUSTOMER_VIEW_FULL);
  v1::LookupCustomerResponse found;
  const grpc::Status looked = Call(&Stub::LookupCustomer, lookup, &found, Caller::kPrivacyOfficer);
  EXPECT_TRUE(looked.ok()) << looked.error_message();
  if (looked.ok()) {
    EXPECT_EQ(found.customer().display_name(), person.display_name());
  }

  v1::GetCustomerHistoryRequest history;
  history.set_customer_id(id);
  history.set_view(v1::CUSTOMER_VIEW_FULL);
  v1::GetCustomerHistoryResponse entries;
  const grpc::Status read =
      Call(&Stub::GetCustomerHistory, history, &entries, Caller::kPrivacyOfficer);
  EXPECT_TRUE(read.ok()) << read.error_message();
  if (read.ok()) {
    EXPECT_EQ(
        Latest({entries.entries().begin(), entries.entries().end()}, "display_name").new_value(),
        person.display_name());
  }
}

TEST(IdentifyContract, UpdateChangesOnlyTheMaskedFields) {
  v1::Customer person = Person();
  person.mutable_person()->set_occupation("teacher");
  person.mutable_person()->set_employer("School No. 3");
  (*person.mutable_attributes())["tier"] = "gold";
  (*person.mutable_attributes())["channel"] = "web";
  const v1::Customer created = Create(person);

  v1::UpdateCustomerRequest update;
  update.set_request_id(Suite().Unique("update"));
  v1::Customer& change = *update.mutable_customer();
  change.set_customer_id(created.customer_id());
  change.mutable_person()->set_occupation("pilot");
  change.mutable_person()->set_employer("not in the mask");
  change.set_display_name("Not In The Mask");
  (*change.mutable_attributes())["tier"] = "platinum";
  (*change.mutable_attributes())["channel"] = "not in the mask";
  update.mutable_update_mask()->add_paths("person.occupation");
  update.mutable_update_mask()->add_paths("attributes.tier");
  update.set_etag(created.etag());
  v1::UpdateCustomerResponse updated;
  ASSERT_TRUE(Call(&Stub::UpdateCustomer, update, &updated).ok());
  EXPECT_NE(updated.customer().etag(), created.etag());

  const v1::Customer now = Get(created.customer_id()).customer();
  EXPECT_EQ(now.person().occupation(), "pilot");
  EXPECT_EQ(now.person().employer(), "School No. 3");
  EXPECT_EQ(now.display_name(), Masked(person.display_name()));
  EXPECT_EQ(now.attributes().at("tier"), "platinum");
  EXPECT_EQ(now.attributes().at("channel"), "web");
  EXPECT_EQ(now.etag(), updated.customer().etag());
  // Every changed field is in the history, newest first.
  const std::vector<v1::HistoryEntry> history = History(created.customer_id());
  const v1::HistoryEntry tier = Latest(history, "attributes.tier");
  EXPECT_EQ(tier.old_value(), "gold");
  EXPECT_EQ(tier.new_value(), "platinum");
  EXPECT_EQ(tier.source().channel(), v1::COLLECTION_CHANNEL_SERVICE);  // the default channel
  EXPECT_FALSE(Latest(history, "person.occupation").field().empty());
  EXPECT_EQ(std::count_if(history.begin(), history.end(),
                          [](const v1::HistoryEntry& e) { return e.field() == "person.employer"; }),
            1);  // only its creation

  // The replay changes nothing; the same id for a different change is refused.
  v1::UpdateCustomerResponse replayed;
  ASSERT_TRUE(Call(&Stub::UpdateCustomer, update, &replayed).ok());
  EXPECT_EQ(replayed.customer().etag(), updated.customer().etag());
  EXPECT_EQ(History(created.customer_id()).size(), history.size());
  change.mutable_person()->set_occupation("chef");
  ExpectIdentifyError(StatusOf(&Stub::UpdateCustomer, update), StatusCode::FAILED_PRECONDITION,
                      "IDEMPOTENCY_KEY_REUSED");
}

TEST(IdentifyContract, UpdateRefusesStaleEtagsBadMasksAndUnknownCustomers) {
  const v1::Customer created = Create(Person());
  auto request = [&](std::vector<std::string> paths) {
    v1::UpdateCustomerRequest update;
    update.mutable_customer()->set_customer_id(created.customer_id());
    update.mutable_customer()->set_category(v1::CUSTOMER_CATEGORY_INTERMEDIARY);
    for (const std::string& path : paths) update.mutable_update_mask()->add_paths(path);
    return update;
  };
  v1::UpdateCustomerRequest current = request({"category"});
  current.set_etag(created.etag());
  v1::UpdateCustomerResponse updated;
  ASSERT_TRUE(Call(&Stub::UpdateCustomer, current, &updated).ok());
  EXPECT_EQ(updated.customer().category(), v1::CUSTOMER_CATEGORY_INTERMEDIARY);
  // The etag read before that update is stale now.
  ExpectIdentifyError(StatusOf(&Stub::UpdateCustomer, current), StatusCode::ABORTED,
                      "ETAG_MISMATCH");

  for (const std::vector<std::string>& mask :
       std::vector<std::vector<std::string>>{{},
                                             {"person.shoe_size"},
                                             {"no_such_field"},
                                             {"identifiers"},
                                             {"kind"},
                                             {"lifecycle_status"}}) {
    SCOPED_TRACE(absl::StrJoin(mask, ","));
    ExpectIdentifyError(StatusOf(&Stub::UpdateCustomer, request(mask)),
                        StatusCode::INVALID_ARGUMENT, "INVALID_FIELD");
  }
  v1::UpdateCustomerRequest too_long = request({"display_name"});
  too_long.mutable_customer()->set_display_name(std::string(201, 'n'));
  ExpectIdentifyError(StatusOf(&Stub::UpdateCustomer, too_long), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
  v1::UpdateCustomerRequest unknown = request({"category"});
  unknown.mutable_customer()->set_customer_id(kUnknownId);
  ExpectIdentifyError(StatusOf(&Stub::UpdateCustomer, unknown), StatusCode::NOT_FOUND,
                      "CUSTOMER_NOT_FOUND");
  EXPECT_EQ(Get(created.customer_id()).customer().category(), v1::CUSTOMER_CATEGORY_INTERMEDIARY);
}

// Filtered pages in customer_id order, each customer once, merged customers left out.
TEST(IdentifyContract, ListCustomersPagesThroughFilteredLiveCustomers) {
  std::vector<std::string> mine;
  google::protobuf::Timestamp since;
  for (int i = 0; i < 4; ++i) {
    v1::Customer org;
    org.set_kind(v1::CUSTOMER_KIND_ORGANIZATION);
    org.set_category(v1::CUSTOMER_CATEGORY_PUBLIC_INTEREST);
    org.set_lifecycle_status(v1::LIFECYCLE_STATUS_LOYAL);
    org.set_display_name(absl::StrCat(UniqueWord(), " Association"));
    org.mutable_organization()->set_legal_name(org.display_name());
    const v1::Customer created = Create(org);
    if (i == 0) SetTime(TimeOf(created.create_time()) - absl::Seconds(1), &since);
    mine.push_back(created.customer_id());
  }
  Merge(mine[0], mine[3]);

  v1::ListCustomersRequest request;
  request.set_kind(v1::CUSTOMER_KIND_ORGANIZATION);
  request.set_category(v1::CUSTOMER_CATEGORY_PUBLIC_INTEREST);
  request.set_lifecycle_status(v1::LIFECYCLE_STATUS_LOYAL);
  *request.mutable_updated_since() = since;
  request.set_page_size(1);
  std::vector<std::string> listed;
  std::string second_token;
  for (int page = 0; page < 200; ++page) {
    v1::ListCustomersResponse response;
    const grpc::Status status = Call(&Stub::ListCustomers, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_LE(response.customers_size(), 1);
    for (const v1::Customer& c : response.customers()) {
      listed.push_back(c.customer_id());
      EXPECT_EQ(c.kind(), v1::CUSTOMER_KIND_ORGANIZATION);
      EXPECT_EQ(c.category(), v1::CUSTOMER_CATEGORY_PUBLIC_INTEREST);
      EXPECT_EQ(c.lifecycle_status(), v1::LIFECYCLE_STATUS_LOYAL);
      EXPECT_EQ(c.state(), v1::CUSTOMER_STATE_ACTIVE);
      EXPECT_GE(TimeOf(c.update_time()), TimeOf(since));
    }
    if (response.next_page_token().empty()) break;
    if (page == 0) second_token = response.next_page_token();
    request.set_page_token(response.next_page_token());
  }
  EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end()));
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()).size(), listed.size());
  for (int i = 0; i < 3; ++i) {
    EXPECT_NE(std::find(listed.begin(), listed.end(), mine[i]), listed.end()) << i;
  }
  EXPECT_EQ(std::find(listed.begin(), listed.end(), mine[3]), listed.end()) << "merged";

  // A token belongs to its filter; page sizes are 1-500.
  ASSERT_FALSE(second_token.empty());
  request.set_page_token(second_token);
  request.set_lifecycle_status(v1::LIFECYCLE_STATUS_REPEAT);
  ExpectIdentifyError(StatusOf(&Stub::ListCustomers, request), StatusCode::INVALID_ARGUMENT,
                      "INVALID_PAGE_TOKEN");
  request.set_page_token("not-a-token");
  ExpectIdentifyError(StatusOf(&Stub::ListCustomers, request), StatusCode::INVALID_ARGUMENT,
                      "INVALID_PAGE_TOKEN");
  request.clear_page_token();
  request.set_page_size(501);
  ExpectIdentifyError(StatusOf(&Stub::ListCustomers, request), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
  request.set_page_size(-1);
  ExpectIdentifyError(StatusOf(&Stub::ListCustomers, request), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
}

// ---- identifiers ----

TEST(IdentifyContract, AddIdentifierLinksANewValueOnceAndRefusesTakenOrJunkOnes) {
  const std::string id = CreateId();
  const std::string other = CreateId();
  const std::string card = UniqueCard();
  v1::AddIdentifierRequest add;
  add.set_customer_id(id);
  *add.mutable_identifier() = Card(absl::AsciiStrToLower(card));
  add.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_POINT_OF_SALE);
  v1::AddIdentifierResponse added;
  ASSERT_TRUE(Call(&Stub::AddIdentifier, add, &added).ok());
  EXPECT_EQ(added.identifier().type(), v1::IDENTIFIER_TYPE_MEMBER_CARD);
  EXPECT_NE(added.identifier().value(), card);  // masked
  EXPECT_EQ(added.identifier().value().substr(added.identifier().value().size() - 4),
            card.substr(card.size() - 4));
  EXPECT_EQ(added.identifier().source().channel(), v1::COLLECTION_CHANNEL_POINT_OF_SALE);
  EXPECT_EQ(HolderOf(Card(card)), id);
  // Adding it again is a no-op.
  ASSERT_TRUE(StatusOf(&Stub::AddIdentifier, add).ok());
  EXPECT_EQ(Get(id).customer().identifiers_size(), 1);

  add.set_customer_id(other);
  ExpectIdentifyError(StatusOf(&Stub::AddIdentifier, add), StatusCode::ALREADY_EXISTS,
                      "IDENTIFIER_TAKEN");
  *add.mutable_identifier() = Id(v1::IDENTIFIER_TYPE_PHONE, "+86 139 8888 8888");
  ExpectIdentifyError(StatusOf(&Stub::AddIdentifier, add), StatusCode::INVALID_ARGUMENT,
                      "JUNK_IDENTIFIER");
  *add.mutable_identifier() = Email("nobody@example.org");
  ExpectIdentifyError(StatusOf(&Stub::AddIdentifier, add), StatusCode::INVALID_ARGUMENT,
                      "JUNK_IDENTIFIER");
  *add.mutable_identifier() = Email("no at sign");
  ExpectIdentifyError(StatusOf(&Stub::AddIdentifier, add), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
  *add.mutable_identifier() = Id(v1::IDENTIFIER_TYPE_EXTERNAL_ID, "erp-1");  // no namespace
  ExpectIdentifyError(StatusOf(&Stub::AddIdentifier, add), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
  *add.mutable_identifier() = Card(UniqueCard());
  add.set_customer_id(kUnknownId);
  ExpectIdentifyError(StatusOf(&Stub::AddIdentifier, add), StatusCode::NOT_FOUND,
                      "CUSTOMER_NOT_FOUND");
}

TEST(IdentifyContract, RemoveIdentifierUnlinksItAndNotFoundWhenNotHeld) {
  const std::string email = UniqueEmail();
  const std::string id = CreateId({Email(email)});
  v1::RemoveIdentifierRequest remove;
  remove.set_customer_id(id);
  *remove.mutable_identifier() = Email(absl::AsciiStrToUpper(email));
  ASSERT_TRUE(StatusOf(&Stub::RemoveIdentifier, remove).ok());
  EXPECT_EQ(Get(id).customer().identifiers_size(), 0);
  ExpectIdentifyError(StatusOf(&Stub::LookupCustomer, LookupRequest(Email(email))),
                      StatusCode::NOT_FOUND, "IDENTIFIER_NOT_FOUND");
  const v1::HistoryEntry removed = Latest(History(id), "identifiers.EMAIL");
  EXPECT_FALSE(removed.old_value().empty());
  EXPECT_TRUE(removed.new_value().empty());

  ExpectIdentifyError(StatusOf(&Stub::RemoveIdentifier, remove), StatusCode::NOT_FOUND,
                      "IDENTIFIER_NOT_FOUND");
  remove.set_customer_id(kUnknownId);
  ExpectIdentifyError(StatusOf(&Stub::RemoveIdentifier, remove), StatusCode::NOT_FOUND,
                      "CUSTOMER_NOT_FOUND");
  remove.set_customer_id(id);
  remove.mutable_identifier()->clear_type();
  ExpectIdentifyError(StatusOf(&Stub::RemoveIdentifier, remove), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
}

TEST(IdentifyContract, LookupFindsTheHolderMaskedAndNotFoundOtherwise) {
  const std::string mobile = UniqueMobile();
  const v1::Customer person = Person({Id(v1::IDENTIFIER_TYPE_PHONE, mobile)});
  const std::string id = Create(person).customer_id();
  v1::LookupCustomerResponse found;
  ASSERT_TRUE(
      Call(&Stub::LookupCustomer,
           LookupRequest(Id(v1::IDENTIFIER_TYPE_PHONE,
                            absl::StrCat("+86 (", mobile.substr(0, 3), ") ", mobile.substr(3)))),
           &found)
          .ok());
  EXPECT_EQ(found.customer().customer_id(), id);
  EXPECT_EQ(found.customer().display_name(), Masked(person.display_name()));
  ASSERT_EQ(found.customer().identifiers_size(), 1);
  EXPECT_EQ(found.customer().identifiers(0).value(),
            absl::StrCat("+86", mobile.substr(0, 3), "****", mobile.substr(7)));

  ExpectIdentifyError(StatusOf(&Stub::LookupCustomer, LookupRequest(Card(UniqueCard()))),
                      StatusCode::NOT_FOUND, "IDENTIFIER_NOT_FOUND");
  ExpectIdentifyError(
      StatusOf(&Stub::LookupCustomer, LookupRequest(Id(v1::IDENTIFIER_TYPE_UNSPECIFIED, "x"))),
      StatusCode::INVALID_ARGUMENT, "INVALID_FIELD");
  v1::LookupCustomerRequest full = LookupRequest(Id(v1::IDENTIFIER_TYPE_PHONE, mobile));
  full.set_view(v1::CUSTOMER_VIEW_FULL);
  ExpectIdentifyError(StatusOf(&Stub::LookupCustomer, full), StatusCode::PERMISSION_DENIED,
                      "FULL_VIEW_NOT_ALLOWED");
}

// ---- history, lifecycle, contacts, consent ----

TEST(IdentifyContract, HistoryPagesNewestFirstWithoutDuplicates) {
  const v1::Customer created = Create(Person({Email(UniqueEmail())}));
  const std::string id = created.customer_id();
  for (const char* tier : {"silver", "gold", "platinum"}) {
    v1::UpdateCustomerRequest update;
    update.mutable_customer()->set_customer_id(id);
    (*update.mutable_customer()->mutable_attributes())["tier"] = tier;
    update.mutable_update_mask()->add_paths("attributes.tier");
    ASSERT_TRUE(StatusOf(&Stub::UpdateCustomer, update).ok());
  }
  const std::vector<v1::HistoryEntry> all = History(id);
  ASSERT_GE(all.size(), 6u);  // created fields, the e-mail, three tiers
  EXPECT_EQ(all[0].field(), "attributes.tier");
  EXPECT_EQ(all[0].old_value(), "gold");
  EXPECT_EQ(all[0].new_value(), "platinum");
  // Personal values are masked for role:admin.
  EXPECT_EQ(Latest(all, "display_name").new_value(), created.display_name());

  v1::GetCustomerHistoryRequest request;
  request.set_customer_id(id);
  request.set_page_size(2);
  std::vector<v1::HistoryEntry> paged;
  std::string token;
  for (int page = 0; page < 100; ++page) {
    v1::GetCustomerHistoryResponse response;
    ASSERT_TRUE(Call(&Stub::GetCustomerHistory, request, &response).ok());
    ASSERT_LE(response.entries_size(), 2);
    paged.insert(paged.end(), response.entries().begin(), response.entries().end());
    if (response.next_page_token().empty()) break;
    token = response.next_page_token();
    request.set_page_token(token);
  }
  ASSERT_EQ(paged.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(paged[i].SerializeAsString(), all[i].SerializeAsString()) << i;
    if (i > 0) {
      EXPECT_GE(TimeOf(paged[i - 1].change_time()), TimeOf(paged[i].change_time())) << i;
    }
  }

  // A token belongs to its customer.
  request.set_customer_id(CreateId());
  request.set_page_token(token);
  ExpectIdentifyError(StatusOf(&Stub::GetCustomerHistory, request), StatusCode::INVALID_ARGUMENT,
                      "INVALID_PAGE_TOKEN");
  request.set_customer_id(id);
  request.set_page_token("garbage");
  ExpectIdentifyError(StatusOf(&Stub::GetCustomerHistory, request), StatusCode::INVALID_ARGUMENT,
                      "INVALID_PAGE_TOKEN");
  request.clear_page_token();
  request.set_page_size(501);
  ExpectIdentifyError(StatusOf(&Stub::GetCustomerHistory, request), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
  request.set_page_size(0);
  request.set_view(v1::CUSTOMER_VIEW_FULL);
  ExpectIdentifyError(StatusOf(&Stub::GetCustomerHistory, request), StatusCode::PERMISSION_DENIED,
                      "FULL_VIEW_NOT_ALLOWED");
  request.set_view(v1::CUSTOMER_VIEW_MASKED);
  request.set_customer_id(kUnknownId);
  ExpectIdentifyError(StatusOf(&Stub::GetCustomerHistory, request), StatusCode::NOT_FOUND,
                      "CUSTOMER_NOT_FOUND");
}

TEST(IdentifyContract, SetLifecycleStatusKeepsTheReasonInTheHistory) {
  const std::string id = CreateId();
  v1::SetLifecycleStatusRequest request;
  request.set_customer_id(id);
  request.set_status(v1::LIFECYCLE_STATUS_TARGET);
  request.set_reason("campaign 42 audience");
  request.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_CAMPAIGN);
  request.mutable_source()->set_actor("marketing");
  v1::SetLifecycleStatusResponse set;
  ASSERT_TRUE(Call(&Stub::SetLifecycleStatus, request, &set).ok());
  EXPECT_EQ(set.customer().customer_id(), id);
  EXPECT_EQ(set.customer().lifecycle_status(), v1::LIFECYCLE_STATUS_TARGET);
  EXPECT_EQ(Get(id).customer().lifecycle_status(), v1::LIFECYCLE_STATUS_TARGET);
  const v1::HistoryEntry entry = Latest(History(id), "lifecycle_status");
  EXPECT_EQ(entry.old_value(), "LIFECYCLE_STATUS_POTENTIAL");
  EXPECT_EQ(entry.new_value(), "LIFECYCLE_STATUS_TARGET");
  EXPECT_EQ(entry.reason(), "campaign 42 audience");
  EXPECT_EQ(entry.source().channel(), v1::COLLECTION_CHANNEL_CAMPAIGN);
  EXPECT_EQ(entry.source().actor(), "marketing");

  v1::SetLifecycleStatusRequest bad = request;
  bad.clear_status();
  ExpectIdentifyError(StatusOf(&Stub::SetLifecycleStatus, bad), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
  bad = request;
  bad.clear_reason();
  ExpectIdentifyError(StatusOf(&Stub::SetLifecycleStatus, bad), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
  bad = request;
  bad.set_reason(std::string(501, 'r'));
  ExpectIdentifyError(StatusOf(&Stub::SetLifecycleStatus, bad), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
  bad = request;
  bad.set_customer_id(kUnknownId);
  ExpectIdentifyError(StatusOf(&Stub::SetLifecycleStatus, bad), StatusCode::NOT_FOUND,
                      "CUSTOMER_NOT_FOUND");
}

TEST(IdentifyContract, RecordContactIsIdempotentByRequestId) {
  const std::string id = CreateId();
  v1::RecordContactRequest request = ContactRequest(id, absl::Now() - absl::Hours(1));
  v1::RecordContactResponse first, again;
  ASSERT_TRUE(Call(&Stub::RecordContact, request, &first).ok());
  EXPECT_FALSE(first.contact().contact_id().empty());
  EXPECT_EQ(first.contact().customer_id(), id);
  EXPECT_EQ(first.contact().kind(), "enquiry");
  EXPECT_EQ(first.contact().reference(), request.contact().reference());
  ASSERT_TRUE(Call(&Stub::RecordContact, request, &again).ok());
  EXPECT_EQ(again.contact().contact_id(), first.contact().contact_id());
  v1::ListContactsRequest list;
  list.set_customer_id(id);
  v1::ListContactsResponse contacts;
  ASSERT_TRUE(Call(&Stub::ListContacts, list, &contacts).ok());
  EXPECT_EQ(contacts.contacts_size(), 1);

  request.mutable_contact()->set_kind("complaint");
  ExpectIdentifyError(StatusOf(&Stub::RecordContact, request), StatusCode::FAILED_PRECONDITION,
                      "IDEMPOTENCY_KEY_REUSED");
}

TEST(IdentifyContract, RecordContactRefusesBadContacts) {
  const std::string id = CreateId();
  struct Case {
    std::string what;
    std::function<void(v1::Contact&)> change;
    StatusCode code;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"no channel", [](v1::Contact& c) { c.clear_channel(); }, StatusCode::INVALID_ARGUMENT,
       "INVALID_FIELD"},
      {"no kind", [](v1::Contact& c) { c.clear_kind(); }, StatusCode::INVALID_ARGUMENT,
       "INVALID_FIELD"},
      {"kind of 65", [](v1::Contact& c) { c.set_kind(std::string(65, 'k')); },
       StatusCode::INVALID_ARGUMENT, "INVALID_FIELD"},
      {"note of 1001", [](v1::Contact& c) { c.set_note(std::string(1001, 'n')); },
       StatusCode::INVALID_ARGUMENT, "INVALID_FIELD"},
      {"in the future",
       [](v1::Contact& c) { SetTime(absl::Now() + absl::Hours(2), c.mutable_contact_time()); },
       StatusCode::INVALID_ARGUMENT, "INVALID_FIELD"},
      {"bad customer id", [](v1::Contact& c) { c.set_customer_id("nope"); },
       StatusCode::INVALID_ARGUMENT, "INVALID_FIELD"},
      {"unknown customer", [](v1::Contact& c) { c.set_customer_id(kUnknownId); },
       StatusCode::NOT_FOUND, "CUSTOMER_NOT_FOUND"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    v1::RecordContactRequest request = ContactRequest(id, absl::Now() - absl::Minutes(1));
    c.change(*request.mutable_contact());
    ExpectIdentifyError(StatusOf(&Stub::RecordContact, request), c.code, c.reason);
  }
}

TEST(IdentifyContract, ListContactsPagesNewestFirst) {
  const std::string id = CreateId();
  std::vector<std::string> recorded;  // oldest first
  for (int hours = 3; hours >= 1; --hours) {
    v1::RecordContactResponse contact;
    ASSERT_TRUE(
        Call(&Stub::RecordContact, ContactRequest(id, absl::Now() - absl::Hours(hours)), &contact)
            .ok());
    recorded.push_back(contact.contact().contact_id());
  }
  v1::ListContactsRequest request;
  request.set_customer_id(id);
  request.set_page_size(2);
  v1::ListContactsResponse first, second;
  ASSERT_TRUE(Call(&Stub::ListContacts, request, &first).ok());
  ASSERT_EQ(first.contacts_size(), 2);
  EXPECT_EQ(first.contacts(0).contact_id(), recorded[2]);
  EXPECT_EQ(first.contacts(1).contact_id(), recorded[1]);
  EXPECT_EQ(first.contacts(0).note(), "asked about opening hours");
  ASSERT_FALSE(first.next_page_token().empty());
  request.set_page_token(first.next_page_token());
  ASSERT_TRUE(Call(&Stub::ListContacts, request, &second).ok());
  ASSERT_EQ(second.contacts_size(), 1);
  EXPECT_EQ(second.contacts(0).contact_id(), recorded[0]);
  EXPECT_TRUE(second.next_page_token().empty());

  request.set_customer_id(CreateId());  // a token belongs to its customer
  ExpectIdentifyError(StatusOf(&Stub::ListContacts, request), StatusCode::INVALID_ARGUMENT,
                      "INVALID_PAGE_TOKEN");
  request.set_customer_id(id);
  request.set_page_token("%%%");
  ExpectIdentifyError(StatusOf(&Stub::ListContacts, request), StatusCode::INVALID_ARGUMENT,
                      "INVALID_PAGE_TOKEN");
  request.clear_page_token();
  request.set_customer_id(kUnknownId);
  ExpectIdentifyError(StatusOf(&Stub::ListContacts, request), StatusCode::NOT_FOUND,
                      "CUSTOMER_NOT_FOUND");
}

TEST(IdentifyContract, RecordConsentKeepsTheLatestDecisionPerPurpose) {
  const std::string id = CreateId();
  auto record = [&](v1::ConsentPurpose purpose, bool granted) {
    v1::RecordConsentRequest request;
    request.set_customer_id(id);
    request.set_purpose(purpose);
    request.set_granted(granted);
    request.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_WEBSITE);
    v1::RecordConsentResponse response;
    const grpc::Status status = Call(&Stub::RecordConsent, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::map<v1::ConsentPurpose, bool> consents;
    for (const v1::Consent& c : response.consents()) consents[c.purpose()] = c.granted();
    return consents;
  };
  using Consents = std::map<v1::ConsentPurpose, bool>;
  EXPECT_EQ(record(v1::CONSENT_PURPOSE_MARKETING, true),
            (Consents{{v1::CONSENT_PURPOSE_MARKETING, true}}));
  EXPECT_EQ(
      record(v1::CONSENT_PURPOSE_PROFILING, true),
      (Consents{{v1::CONSENT_PURPOSE_MARKETING, true}, {v1::CONSENT_PURPOSE_PROFILING, true}}));
  EXPECT_EQ(
      record(v1::CONSENT_PURPOSE_MARKETING, false),
      (Consents{{v1::CONSENT_PURPOSE_MARKETING, false}, {v1::CONSENT_PURPOSE_PROFILING, true}}));
  const v1::Customer customer = Get(id).customer();
  ASSERT_EQ(customer.consents_size(), 2);
  for (const v1::Consent& c : customer.consents()) {
    EXPECT_EQ(c.granted(), c.purpose() == v1::CONSENT_PURPOSE_PROFILING);
    EXPECT_EQ(c.source().channel(), v1::COLLECTION_CHANNEL_WEBSITE);
    EXPECT_TRUE(c.has_update_time());
  }
  int marketing_decisions = 0;
  for (const v1::HistoryEntry& e : History(id)) {
    if (e.field() == "consents.CONSENT_PURPOSE_MARKETING") ++marketing_decisions;
  }
  EXPECT_EQ(marketing_decisions, 2);

  v1::RecordConsentRequest bad;
  bad.set_customer_id(id);
  ExpectIdentifyError(StatusOf(&Stub::RecordConsent, bad), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
  bad.set_purpose(v1::CONSENT_PURPOSE_SURVEYS);
  bad.set_customer_id(kUnknownId);
  ExpectIdentifyError(StatusOf(&Stub::RecordConsent, bad), StatusCode::NOT_FOUND,
                      "CUSTOMER_NOT_FOUND");
}

// ---- erasure ----

TEST(IdentifyContract, EraseForgetsPersonalDataAndKeepsTheId) {
  const std::string email = UniqueEmail();
  v1::Customer person = Person({Email(email), Card(UniqueCard())});
  person.mutable_address()->set_street("Erase Street");
  const std::string id = Create(person).customer_id();
  ASSERT_TRUE(
      StatusOf(&Stub::RecordContact, ContactRequest(id, absl::Now() - absl::Minutes(5))).ok());

  v1::EraseCustomerResponse erased;
  const grpc::Status status =
      Call(&Stub::EraseCustomer, EraseRequest(id), &erased, Caller::kPrivacyOfficer);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(erased.customer().customer_id(), id);
  EXPECT_EQ(erased.customer().state(), v1::CUSTOMER_STATE_ERASED);

  const v1::Customer now = Get(id).customer();
  EXPECT_EQ(now.state(), v1::CUSTOMER_STATE_ERASED);
  EXPECT_EQ(now.identifiers_size(), 0);
  EXPECT_FALSE(now.has_person());
  EXPECT_FALSE(now.has_address());
  EXPECT_NE(now.display_name(), Masked(person.display_name()));
  ExpectIdentifyError(StatusOf(&Stub::LookupCustomer, LookupRequest(Email(email))),
                      StatusCode::NOT_FOUND, "IDENTIFIER_NOT_FOUND");
  for (const v1::HistoryEntry& e : History(id)) {
    if (e.field() == "state") continue;  // the erasure itself
    EXPECT_TRUE(e.old_value().empty() && e.new_value().empty()) << e.field();
  }
  v1::ListContactsRequest list;
  list.set_customer_id(id);
  v1::ListContactsResponse contacts;
  ASSERT_TRUE(Call(&Stub::ListContacts, list, &contacts).ok());
  ASSERT_EQ(contacts.contacts_size(), 1);
  EXPECT_TRUE(contacts.contacts(0).note().empty());

  // Erasing twice is a no-op.
  v1::EraseCustomerResponse twice;
  ASSERT_TRUE(Call(&Stub::EraseCustomer, EraseRequest(id), &twice, Caller::kPrivacyOfficer).ok());
  EXPECT_EQ(twice.customer().state(), v1::CUSTOMER_STATE_ERASED);
}

TEST(IdentifyContract, EraseRefusesMergedUnknownAndUnexplainedErasures) {
  const std::string survivor = CreateId();
  const std::string merged = CreateId();
  Merge(survivor, merged);
  ExpectIdentifyError(StatusOf(&Stub::EraseCustomer, EraseRequest(merged), Caller::kPrivacyOfficer),
                      StatusCode::FAILED_PRECONDITION, "CUSTOMER_MERGED");
  ExpectIdentifyError(
      StatusOf(&Stub::EraseCustomer, EraseRequest(kUnknownId), Caller::kPrivacyOfficer),
      StatusCode::NOT_FOUND, "CUSTOMER_NOT_FOUND");
  v1::EraseCustomerRequest no_reason = EraseRequest(survivor);
  no_reason.clear_reason();
  ExpectIdentifyError(StatusOf(&Stub::EraseCustomer, no_reason, Caller::kPrivacyOfficer),
                      StatusCode::INVALID_ARGUMENT, "INVALID_FIELD");
  EXPECT_EQ(Get(survivor).customer().state(), v1::CUSTOMER_STATE_ACTIVE);
}

TEST(IdentifyContract, OnlyAuthorisedCallersReachIdentify) {
  if (!Suite().secured()) GTEST_SKIP() << "plaintext suite: no authorisation to check";
  const grpc::Status anonymous =
      StatusOf(&Stub::GetMatchModel, v1::GetMatchModelRequest(), Caller::kNoToken);
  EXPECT_EQ(anonymous.error_code(), StatusCode::PERMISSION_DENIED) << anonymous.error_message();
  // Erasure is the privacy officer's alone, not even role:admin's.
  const std::string id = CreateId();
  const grpc::Status admin = StatusOf(&Stub::EraseCustomer, EraseRequest(id));
  EXPECT_EQ(admin.error_code(), StatusCode::PERMISSION_DENIED) << admin.error_message();
  EXPECT_EQ(Get(id).customer().state(), v1::CUSTOMER_STATE_ACTIVE);
}

// ---- merge and unmerge ----

TEST(IdentifyContract, MergeRedirectsTheMergedIdAndMovesItsIdentifiers) {
  const std::string email_a = UniqueEmail(), email_b = UniqueEmail(), card_b = UniqueCard();
  const std::string a = CreateId({Email(email_a)});
  const std::string b = CreateId({Email(email_b), Card(card_b)});
  const v1::MergeCustomersRequest request = MergeRequest(a, b);
  v1::MergeCustomersResponse merged;
  ASSERT_TRUE(Call(&Stub::MergeCustomers, request, &merged).ok());
  EXPECT_FALSE(merged.merge_id().empty());
  EXPECT_EQ(merged.survivor().customer_id(), a);
  EXPECT_EQ(merged.survivor().identifiers_size(), 3);

  const v1::GetCustomerResponse redirected = Get(b);
  EXPECT_EQ(redirected.customer().customer_id(), a);
  EXPECT_EQ(redirected.redirected_from(), b);
  EXPECT_EQ(HolderOf(Email(email_b)), a);
  EXPECT_EQ(HolderOf(Card(card_b)), a);

  // The replay answers the first merge; the id reused for another request is refused.
  v1::MergeCustomersResponse replayed;
  ASSERT_TRUE(Call(&Stub::MergeCustomers, request, &replayed).ok());
  EXPECT_EQ(replayed.merge_id(), merged.merge_id());
  v1::MergeCustomersRequest reused = request;
  reused.set_reason("another reason");
  ExpectIdentifyError(StatusOf(&Stub::MergeCustomers, reused), StatusCode::FAILED_PRECONDITION,
                      "IDEMPOTENCY_KEY_REUSED");
}

TEST(IdentifyContract, MergeRefusesSelfMergedErasedAndUnknownCustomers) {
  const std::string a = CreateId(), b = CreateId(), erased = CreateId();
  Merge(a, b);
  ASSERT_TRUE(StatusOf(&Stub::EraseCustomer, EraseRequest(erased), Caller::kPrivacyOfficer).ok());
  ExpectIdentifyError(StatusOf(&Stub::MergeCustomers, MergeRequest(a, a)),
                      StatusCode::INVALID_ARGUMENT, "INVALID_FIELD");
  ExpectIdentifyError(StatusOf(&Stub::MergeCustomers, MergeRequest(CreateId(), b)),
                      StatusCode::FAILED_PRECONDITION, "CUSTOMER_MERGED");
  ExpectIdentifyError(StatusOf(&Stub::MergeCustomers, MergeRequest(b, CreateId())),
                      StatusCode::FAILED_PRECONDITION, "CUSTOMER_MERGED");
  ExpectIdentifyError(StatusOf(&Stub::MergeCustomers, MergeRequest(a, erased)),
                      StatusCode::FAILED_PRECONDITION, "CUSTOMER_ERASED");
  ExpectIdentifyError(StatusOf(&Stub::MergeCustomers, MergeRequest(a, kUnknownId)),
                      StatusCode::NOT_FOUND, "CUSTOMER_NOT_FOUND");
  ExpectIdentifyError(StatusOf(&Stub::MergeCustomers, MergeRequest(a, "short")),
                      StatusCode::INVALID_ARGUMENT, "INVALID_FIELD");
  v1::MergeCustomersRequest no_reason = MergeRequest(a, CreateId());
  no_reason.clear_reason();
  ExpectIdentifyError(StatusOf(&Stub::MergeCustomers, no_reason), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
}

TEST(IdentifyContract, UnmergeRestoresBothCustomersOnce) {
  const std::string email_a = UniqueEmail(), email_b = UniqueEmail();
  const v1::Customer person_a = Person({Email(email_a)});
  const std::string a = Create(person_a).customer_id();
  const std::string b = CreateId({Email(email_b)});
  const std::string merge_id = Merge(a, b);
  // A survivor field changed after the merge keeps its new value.
  v1::UpdateCustomerRequest update;
  update.mutable_customer()->set_customer_id(a);
  update.mutable_customer()->set_display_name("Zoe Edited");
  update.mutable_update_mask()->add_paths("display_name");
  ASSERT_TRUE(StatusOf(&Stub::UpdateCustomer, update).ok());

  v1::UnmergeCustomersRequest request;
  request.set_request_id(Suite().Unique("unmerge"));
  request.set_merge_id(merge_id);
  request.set_reason("not the same person after all");
  v1::UnmergeCustomersResponse unmerged;
  const grpc::Status status = Call(&Stub::UnmergeCustomers, request, &unmerged);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(unmerged.survivor().customer_id(), a);
  EXPECT_EQ(unmerged.restored().customer_id(), b);
  EXPECT_EQ(unmerged.restored().state(), v1::CUSTOMER_STATE_ACTIVE);
  EXPECT_EQ(unmerged.survivor().display_name(), Masked("Zoe Edited"));

  const v1::GetCustomerResponse restored = Get(b);
  EXPECT_EQ(restored.customer().customer_id(), b);
  EXPECT_TRUE(restored.redirected_from().empty());
  EXPECT_EQ(HolderOf(Email(email_b)), b);
  EXPECT_EQ(HolderOf(Email(email_a)), a);
  EXPECT_EQ(Get(a).customer().identifiers_size(), 1);

  v1::UnmergeCustomersResponse replayed;
  ASSERT_TRUE(Call(&Stub::UnmergeCustomers, request, &replayed).ok());
  EXPECT_EQ(replayed.restored().customer_id(), b);
  request.set_request_id(Suite().Unique("unmerge"));
  ExpectIdentifyError(StatusOf(&Stub::UnmergeCustomers, request), StatusCode::FAILED_PRECONDITION,
                      "MERGE_ALREADY_UNDONE");
  request.set_merge_id(kUnknownId);
  ExpectIdentifyError(StatusOf(&Stub::UnmergeCustomers, request), StatusCode::NOT_FOUND,
                      "MERGE_NOT_FOUND");
  request.set_merge_id("bad");
  ExpectIdentifyError(StatusOf(&Stub::UnmergeCustomers, request), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
  request.set_merge_id(merge_id);
  request.clear_reason();
  ExpectIdentifyError(StatusOf(&Stub::UnmergeCustomers, request), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
}

// ---- resolution and review ----

TEST(IdentifyContract, ResolveMatchesOnAStrongIdentifierAndLinksNewOnes) {
  const std::string email = UniqueEmail();
  const std::string id = CreateId({Email(email)});
  const std::string mobile = UniqueMobile();
  v1::ResolveCustomerResponse resolved;
  ASSERT_TRUE(
      Call(&Stub::ResolveCustomer,
           ResolveRequest(
               {Email(absl::AsciiStrToUpper(email)), Id(v1::IDENTIFIER_TYPE_PHONE, mobile)}, true),
           &resolved)
          .ok());
  EXPECT_EQ(resolved.outcome(), v1::MATCH_OUTCOME_MATCHED);
  EXPECT_EQ(resolved.customer_id(), id);
  EXPECT_EQ(resolved.match_probability(), 1.0);
  EXPECT_EQ(resolved.matched_on(), "identifier:EMAIL");
  EXPECT_FALSE(resolved.created());
  EXPECT_EQ(HolderOf(Id(v1::IDENTIFIER_TYPE_PHONE, mobile)), id);  // linked
}

TEST(IdentifyContract, ResolveCreatesOnNoMatchAndRetriesSafely) {
  const std::string email = UniqueEmail();
  const v1::ResolveCustomerRequest request = ResolveRequest({Email(email)}, true);
  v1::ResolveCustomerRequest look_only = request;
  look_only.set_create_if_no_match(false);
  look_only.set_request_id(Suite().Unique("resolve"));
  v1::ResolveCustomerResponse looked;
  ASSERT_TRUE(Call(&Stub::ResolveCustomer, look_only, &looked).ok());
  EXPECT_EQ(looked.outcome(), v1::MATCH_OUTCOME_NO_MATCH);
  EXPECT_FALSE(looked.created());
  EXPECT_TRUE(looked.customer_id().empty());

  v1::ResolveCustomerResponse created, retried;
  ASSERT_TRUE(Call(&Stub::ResolveCustomer, request, &created).ok());
  EXPECT_EQ(created.outcome(), v1::MATCH_OUTCOME_NO_MATCH);
  EXPECT_TRUE(created.created());
  ASSERT_FALSE(created.customer_id().empty());
  EXPECT_EQ(HolderOf(Email(email)), created.customer_id());
  // Retrying with the same request_id creates no second customer.
  ASSERT_TRUE(Call(&Stub::ResolveCustomer, request, &retried).ok());
  EXPECT_EQ(retried.customer_id(), created.customer_id());
}

TEST(IdentifyContract, ResolveIgnoresJunkAndRefusesBadCandidates) {
  v1::ResolveCustomerResponse junk;
  ASSERT_TRUE(Call(&Stub::ResolveCustomer, ResolveRequest({Card("000000")}, false), &junk).ok());
  EXPECT_EQ(junk.outcome(), v1::MATCH_OUTCOME_NO_MATCH);
  EXPECT_EQ(std::vector<std::string>(junk.ignored_identifiers().begin(),
                                     junk.ignored_identifiers().end()),
            std::vector<std::string>{"MEMBER_CARD"});

  ExpectIdentifyError(StatusOf(&Stub::ResolveCustomer, ResolveRequest({}, true)),
                      StatusCode::INVALID_ARGUMENT, "NOTHING_TO_MATCH");
  v1::ResolveCustomerRequest long_id = ResolveRequest({Email(UniqueEmail())}, true);
  long_id.set_request_id(std::string(63, 'r'));
  ExpectIdentifyError(StatusOf(&Stub::ResolveCustomer, long_id), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
  std::vector<v1::Identifier> many;
  for (int i = 0; i < 21; ++i) many.push_back(Card(UniqueCard()));
  ExpectIdentifyError(StatusOf(&Stub::ResolveCustomer, ResolveRequest(many, false)),
                      StatusCode::INVALID_ARGUMENT, "INVALID_FIELD");
  ExpectIdentifyError(StatusOf(&Stub::ResolveCustomer,
                               ResolveRequest({Id(v1::IDENTIFIER_TYPE_PHONE, "12ab")}, false)),
                      StatusCode::INVALID_ARGUMENT, "INVALID_FIELD");
}

// Identifiers of two customers in one record: a review pairs them, nothing is created.
TEST(IdentifyContract, ConflictingIdentifiersQueueAReviewThatMergesWhenSame) {
  const std::string email_a = UniqueEmail(), card_b = UniqueCard();
  const std::string a = CreateId({Email(email_a)});
  const std::string b = CreateId({Card(card_b)});
  const std::string review_id = ConflictReview(email_a, card_b);
  const v1::MatchReview pending = FindReview(review_id, v1::REVIEW_STATUS_PENDING);
  EXPECT_EQ(pending.status(), v1::REVIEW_STATUS_PENDING);
  EXPECT_EQ(std::set<std::string>({pending.customer_id(), pending.candidate_customer_id()}),
            std::set<std::string>({a, b}));
  EXPECT_TRUE(pending.has_create_time());

  v1::DecideMatchReviewRequest decide;
  decide.set_review_id(review_id);
  decide.set_decision(v1::REVIEW_STATUS_SAME_CUSTOMER);
  decide.set_decided_by("reviewer-7");
  decide.set_note("same card holder");
  v1::DecideMatchReviewResponse decided;
  const grpc::Status status = Call(&Stub::DecideMatchReview, decide, &decided);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(decided.review().status(), v1::REVIEW_STATUS_SAME_CUSTOMER);
  EXPECT_EQ(decided.review().decided_by(), "reviewer-7");
  EXPECT_FALSE(decided.merge_id().empty());
  const std::string candidate = pending.candidate_customer_id();
  EXPECT_EQ(Get(candidate).redirected_from(), candidate);
  EXPECT_EQ(Get(candidate).customer().customer_id(), pending.customer_id());

  ExpectIdentifyError(StatusOf(&Stub::DecideMatchReview, decide), StatusCode::FAILED_PRECONDITION,
                      "REVIEW_ALREADY_DECIDED");
}

TEST(IdentifyContract, DecideMatchReviewRefusesBadDecisions) {
  const std::string email_a = UniqueEmail(), card_b = UniqueCard();
  const std::string a = CreateId({Email(email_a)});
  const std::string b = CreateId({Card(card_b)});
  v1::DecideMatchReviewRequest decide;
  decide.set_review_id(ConflictReview(email_a, card_b));
  decide.set_decided_by("reviewer-8");
  decide.set_decision(v1::REVIEW_STATUS_PENDING);
  ExpectIdentifyError(StatusOf(&Stub::DecideMatchReview, decide), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
  decide.set_decision(v1::REVIEW_STATUS_DIFFERENT_CUSTOMERS);
  decide.clear_decided_by();
  ExpectIdentifyError(StatusOf(&Stub::DecideMatchReview, decide), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
  v1::DecideMatchReviewRequest unknown = decide;
  unknown.set_decided_by("reviewer-8");
  unknown.set_review_id(kUnknownId);
  ExpectIdentifyError(StatusOf(&Stub::DecideMatchReview, unknown), StatusCode::NOT_FOUND,
                      "REVIEW_NOT_FOUND");
  // DIFFERENT_CUSTOMERS merges nothing.
  decide.set_decided_by("reviewer-8");
  v1::DecideMatchReviewResponse decided;
  ASSERT_TRUE(Call(&Stub::DecideMatchReview, decide, &decided).ok());
  EXPECT_EQ(decided.review().status(), v1::REVIEW_STATUS_DIFFERENT_CUSTOMERS);
  EXPECT_TRUE(decided.merge_id().empty());
  EXPECT_TRUE(Get(a).redirected_from().empty());
  EXPECT_TRUE(Get(b).redirected_from().empty());
  ExpectIdentifyError(StatusOf(&Stub::DecideMatchReview, decide), StatusCode::FAILED_PRECONDITION,
                      "REVIEW_ALREADY_DECIDED");
}

TEST(IdentifyContract, ListMatchReviewsPagesOldestFirst) {
  std::vector<std::string> mine;
  for (int i = 0; i < 3; ++i) {
    const std::string email = UniqueEmail(), card = UniqueCard();
    CreateId({Email(email)});
    CreateId({Card(card)});
    mine.push_back(ConflictReview(email, card));
  }
  v1::ListMatchReviewsRequest request;  // PENDING by default
  request.set_page_size(1);
  std::vector<v1::MatchReview> listed;
  std::string token;
  for (int page = 0; page < 3; ++page) {  // at least our three are pending
    v1::ListMatchReviewsResponse response;
    ASSERT_TRUE(Call(&Stub::ListMatchReviews, request, &response).ok());
    ASSERT_EQ(response.reviews_size(), 1);
    listed.push_back(response.reviews(0));
    if (page < 2) {
      ASSERT_FALSE(response.next_page_token().empty()) << page;
      token = response.next_page_token();
      request.set_page_token(token);
    }
  }
  for (size_t i = 0; i < listed.size(); ++i) {
    EXPECT_EQ(listed[i].status(), v1::REVIEW_STATUS_PENDING);
    if (i > 0) {
      EXPECT_LT(listed[i - 1].review_id(), listed[i].review_id());
      EXPECT_LE(TimeOf(listed[i - 1].create_time()), TimeOf(listed[i].create_time()));
    }
  }
  request.set_status(v1::REVIEW_STATUS_SAME_CUSTOMER);  // a token belongs to its status
  ExpectIdentifyError(StatusOf(&Stub::ListMatchReviews, request), StatusCode::INVALID_ARGUMENT,
                      "INVALID_PAGE_TOKEN");
  request.set_status(v1::REVIEW_STATUS_PENDING);
  request.set_page_token("bm90IGEgdG9rZW4");
  ExpectIdentifyError(StatusOf(&Stub::ListMatchReviews, request), StatusCode::INVALID_ARGUMENT,
                      "INVALID_PAGE_TOKEN");
  request.clear_page_token();
  request.set_page_size(501);
  ExpectIdentifyError(StatusOf(&Stub::ListMatchReviews, request), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");

  // Decided, they leave the pending queue (and a shared suite's queue stays short).
  for (const std::string& review_id : mine) {
    v1::DecideMatchReviewRequest decide;
    decide.set_review_id(review_id);
    decide.set_decision(v1::REVIEW_STATUS_DIFFERENT_CUSTOMERS);
    decide.set_decided_by("contract-tests");
    ASSERT_TRUE(StatusOf(&Stub::DecideMatchReview, decide).ok());
  }
  EXPECT_EQ(FindReview(mine[0], v1::REVIEW_STATUS_DIFFERENT_CUSTOMERS).decided_by(),
            "contract-tests");
}

// ---- bulk import ----

TEST(IdentifyContract, ImportResolvesEachLineRejectsBadOnesAndIsSafeToResend) {
  const std::string import_id = Suite().Unique("import");
  const std::string first = UniqueEmail(), second = UniqueEmail();
  const std::vector<v1::ImportCustomersRequest> file = {
      ImportLine(import_id, "1", {Email(first)}),
      ImportLine(import_id, "2", {Email(second)}),
      ImportLine(import_id, "3", {Email(absl::AsciiStrToUpper(first))}),  // line 1 again
      ImportLine(import_id, "4", {Id(v1::IDENTIFIER_TYPE_PHONE, "12ab")}),
      ImportLine(import_id, "2", {Email(UniqueEmail())}),  // a line_ref used twice
      ImportLine(import_id, "", {Email(UniqueEmail())}),
  };
  v1::ImportCustomersResponse summary;
  const grpc::Status status = Import(file, &summary);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(summary.received(), 6);
  EXPECT_EQ(summary.created(), 2);
  EXPECT_EQ(summary.matched(), 1);
  EXPECT_EQ(summary.queued_for_review(), 0);
  EXPECT_EQ(summary.rejected(), 3);
  ASSERT_EQ(summary.rejections_size(), 3);
  EXPECT_EQ(summary.rejections(0).line_ref(), "4");
  for (const v1::ImportRejection& r : summary.rejections()) {
    EXPECT_EQ(r.code(), "INVALID_ARGUMENT") << r.line_ref();
    EXPECT_EQ(r.reason(), "INVALID_FIELD") << r.line_ref();
    EXPECT_FALSE(r.message().empty());
  }
  const std::string holder = HolderOf(Email(first));
  EXPECT_EQ(holder.size(), 26u) << holder;
  EXPECT_EQ(Get(holder).customer().identifiers(0).source().channel(),
            v1::COLLECTION_CHANNEL_TRADE_FAIR);

  v1::ImportCustomersResponse again;
  ASSERT_TRUE(Import(file, &again).ok());
  EXPECT_EQ(again.created(), 0);
  EXPECT_EQ(again.matched(), 3);
  EXPECT_EQ(again.rejected(), 3);
  EXPECT_EQ(HolderOf(Email(first)), holder);

  v1::ImportCustomersResponse refused;
  ExpectIdentifyError(Import({ImportLine("has space", "1", {Email(UniqueEmail())})}, &refused),
                      StatusCode::INVALID_ARGUMENT, "INVALID_FIELD");
}

// ---- the match model and deduplication (over whatever data the suite holds) ----

TEST(IdentifyContract, EstimateMatchModelStoresANewCurrentVersion) {
  v1::EstimateMatchModelRequest bad;
  bad.set_upper_threshold(0.4);
  bad.set_lower_threshold(0.6);
  ExpectIdentifyError(StatusOf(&Stub::EstimateMatchModel, bad), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
  bad.set_upper_threshold(1.0);
  ExpectIdentifyError(StatusOf(&Stub::EstimateMatchModel, bad), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");

  auto estimate = [](v1::EstimateMatchModelResponse* response) {
    auto stub = v1::IdentifyService::NewStub(Suite().identify());
    auto context = As();
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
    return stub->EstimateMatchModel(context.get(), v1::EstimateMatchModelRequest(), response);
  };
  v1::EstimateMatchModelResponse estimated;
  grpc::Status status = estimate(&estimated);
  if (status.error_code() == StatusCode::FAILED_PRECONDITION) {
    // A young suite: give it the 100 customers an estimate needs.
    ExpectIdentifyError(status, StatusCode::FAILED_PRECONDITION, "TOO_FEW_RECORDS");
    const std::string import_id = Suite().Unique("model");
    std::vector<v1::ImportCustomersRequest> lines;
    for (int i = 0; i < 100; ++i) {
      lines.push_back(ImportLine(import_id, absl::StrCat(i), {Email(UniqueEmail())}));
      auto* person = lines.back().mutable_record()->mutable_person();
      person->set_given_name(UniqueWord());
      person->set_family_name(UniqueWord());
    }
    v1::ImportCustomersResponse summary;
    ASSERT_TRUE(Import(lines, &summary).ok());
    EXPECT_EQ(summary.rejected(), 0);
    status = estimate(&estimated);
  }
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::MatchModelInfo& model = estimated.model();
  EXPECT_GE(model.version(), 1);
  EXPECT_GE(model.records(), 100);
  EXPECT_GT(model.lambda(), 0);
  EXPECT_LT(model.lambda(), 1);
  EXPECT_GT(model.lower_threshold(), 0);
  EXPECT_LE(model.lower_threshold(), model.upper_threshold());
  EXPECT_LT(model.upper_threshold(), 1);
  EXPECT_TRUE(model.has_create_time());
  ASSERT_GT(model.fields_size(), 0);
  for (const v1::FieldModel& field : model.fields()) {
    EXPECT_FALSE(field.field().empty());
    EXPECT_GT(field.levels_size(), 0) << field.field();
    for (const v1::LevelModel& level : field.levels()) {
      EXPECT_GE(level.m(), 0) << field.field();
      EXPECT_LE(level.m(), 1) << field.field();
      EXPECT_GE(level.u(), 0) << field.field();
      EXPECT_LE(level.u(), 1) << field.field();
    }
  }
  // It is current from then on (replicas cache the model for a few seconds).
  v1::GetMatchModelResponse current;
  EXPECT_TRUE(Eventually([&] {
    return Call(&Stub::GetMatchModel, v1::GetMatchModelRequest(), &current).ok() &&
           current.model().version() >= model.version();
  })) << "current version "
      << current.model().version() << ", estimated " << model.version();
}

TEST(IdentifyContract, GetMatchModelDescribesTheCurrentModel) {
  v1::GetMatchModelResponse response;
  ASSERT_TRUE(Call(&Stub::GetMatchModel, v1::GetMatchModelRequest(), &response).ok());
  const v1::MatchModelInfo& model = response.model();
  EXPECT_GE(model.version(), 0);  // 0: the built-in starting model
  EXPECT_GT(model.lower_threshold(), 0);
  EXPECT_LE(model.lower_threshold(), model.upper_threshold());
  EXPECT_LT(model.upper_threshold(), 1);
  EXPECT_GT(model.fields_size(), 0);
}

TEST(IdentifyContract, DeduplicationJobRunsToATerminalState) {
  CreateId({Email(UniqueEmail())});  // at least one record to read
  v1::StartDeduplicationRequest request;
  request.set_auto_merge(false);  // only counts and queues reviews: safe on a shared suite
  v1::StartDeduplicationResponse started;
  grpc::Status status;
  // One job runs per replica: wait for someone else's to finish.
  ASSERT_TRUE(Eventually(
      [&] {
        status = Call(&Stub::StartDeduplication, request, &started);
        return status.error_code() != StatusCode::FAILED_PRECONDITION;
      },
      absl::Seconds(60)));
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::string job_id = started.job().job_id();
  EXPECT_EQ(job_id.size(), 26u);
  EXPECT_EQ(started.job().state(), v1::JOB_STATE_RUNNING);
  EXPECT_FALSE(started.job().auto_merge());

  v1::GetDeduplicationJobRequest get;
  get.set_job_id(job_id);
  v1::DeduplicationJob job;
  EXPECT_TRUE(Eventually(
      [&] {
        v1::GetDeduplicationJobResponse response;
        const grpc::Status got = Call(&Stub::GetDeduplicationJob, get, &response);
        EXPECT_TRUE(got.ok()) << got.error_message();
        job = response.job();
        return !got.ok() || job.state() != v1::JOB_STATE_RUNNING;
      },
      absl::Seconds(60)))
      << "still running at progress " << job.progress();
  EXPECT_EQ(job.job_id(), job_id);
  EXPECT_FALSE(job.auto_merge());
  EXPECT_TRUE(job.has_create_time());
  ASSERT_TRUE(job.state() == v1::JOB_STATE_SUCCEEDED || job.state() == v1::JOB_STATE_FAILED)
      << v1::JobState_Name(job.state());
  if (job.state() == v1::JOB_STATE_SUCCEEDED) {
    EXPECT_EQ(job.progress(), 1.0);
    EXPECT_GE(job.records(), 1);
    EXPECT_EQ(job.merged(), 0);  // without auto_merge
    EXPECT_GE(job.duplicates(), job.clusters());
    EXPECT_TRUE(job.has_finish_time());
  } else {
    EXPECT_FALSE(job.error().empty());
  }

  get.set_job_id(kUnknownId);
  ExpectIdentifyError(StatusOf(&Stub::GetDeduplicationJob, get), StatusCode::NOT_FOUND,
                      "JOB_NOT_FOUND");
  get.set_job_id("job-1");
  ExpectIdentifyError(StatusOf(&Stub::GetDeduplicationJob, get), StatusCode::INVALID_ARGUMENT,
                      "INVALID_FIELD");
}

}  // namespace
}  // namespace crm::contract
