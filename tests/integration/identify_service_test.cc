// IdentifyService over the MySQL store on a real MariaDB: normalisation,
// masking, sealing at rest, uniqueness, updates and history, paging, contacts.
#include "services/identify/identify_service.h"

#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "cppconn/statement.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/identify/identifier_rules.h"
#include "services/identify/mysql_identify_store.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_database.h"

namespace crm::identify {
namespace {

using Code = absl::StatusCode;

constexpr char kPhone[] = "138 0013 8000";
constexpr char kPhoneE164[] = "+8613800138000";
constexpr char kEmail[] = " Li.Lei@Corp-Mail.COM ";
constexpr char kEmailNormalized[] = "li.lei@corp-mail.com";
constexpr char kNationalId[] = "11010519491231002x";
constexpr char kNationalIdNormalized[] = "11010519491231002X";

v1::Identifier Id(v1::IdentifierType type, std::string value, std::string ns = "") {
  v1::Identifier id;
  id.set_type(type);
  id.set_value(std::move(value));
  id.set_namespace_(std::move(ns));
  return id;
}

// A minimal valid person.
v1::CreateCustomerRequest Person(std::string name, std::vector<v1::Identifier> ids = {}) {
  v1::CreateCustomerRequest r;
  v1::Customer& c = *r.mutable_customer();
  c.set_kind(v1::CUSTOMER_KIND_PERSON);
  c.set_category(v1::CUSTOMER_CATEGORY_CONSUMER);
  c.set_display_name(std::move(name));
  for (auto& id : ids) *c.add_identifiers() = std::move(id);
  r.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_POINT_OF_SALE);
  r.mutable_source()->set_system("pos-store-17");
  return r;
}

// 李雷 with a full profile, an address, attributes and four identifiers.
v1::CreateCustomerRequest LiLei() {
  v1::CreateCustomerRequest r =
      Person("李雷", {Id(v1::IDENTIFIER_TYPE_PHONE, kPhone),
                      Id(v1::IDENTIFIER_TYPE_PHONE, "＋８６ １３９００２２３３４４"),  // full width
                      Id(v1::IDENTIFIER_TYPE_EMAIL, kEmail),
                      Id(v1::IDENTIFIER_TYPE_NATIONAL_ID, kNationalId)});
  r.set_request_id("create-li-lei");
  v1::Customer& c = *r.mutable_customer();
  v1::PersonProfile& p = *c.mutable_person();
  p.set_given_name(" Lei ");
  p.set_family_name("Li");
  p.set_gender(v1::GENDER_MALE);
  p.mutable_birth_date()->set_year(1990);
  p.mutable_birth_date()->set_month(5);
  p.mutable_birth_date()->set_day(1);
  p.set_occupation("engineer");
  p.set_consumption_notes("prefers green tea");
  v1::PostalAddress& a = *c.mutable_address();
  a.set_street_number("88");
  a.set_street("Nanjing Road");
  a.set_locality("Huangpu");
  a.set_postcode("200001");
  a.set_country_code("cn");
  (*c.mutable_attributes())["tier"] = "gold";
  (*c.mutable_attributes())["home_store"] = "17";
  return r;
}

const Caller kAuditor{"auditor-1", "ipv4:10.0.0.8:5123", /*may_view_full=*/true};
const Caller kClerk{"clerk-1", "ipv4:10.0.0.9:5123", /*may_view_full=*/false};

using testing::IsError;

// The newest entry of `field`, or an empty entry.
v1::HistoryEntry Find(const std::vector<v1::HistoryEntry>& entries, const std::string& field) {
  for (const auto& e : entries) {
    if (e.field() == field) return e;
  }
  return v1::HistoryEntry();
}

class IdentifyServiceTest : public ::testing::Test {
 protected:
  IdentifyServiceTest()
      : db_(Migrations()),
        pool_(db_.AppConfig()),
        store_(&pool_, &clock_, &key_),
        service_(&store_, &clock_, &ids_, IdentifyOptions{}) {}

  v1::Customer Create(const v1::CreateCustomerRequest& request) {
    auto created = service_.CreateCustomer(request);
    EXPECT_TRUE(created.ok()) << Describe(created.status());
    return created.ok() ? created->customer() : v1::Customer();
  }

  v1::Customer Get(const std::string& id, v1::CustomerView view = v1::CUSTOMER_VIEW_FULL) {
    v1::GetCustomerRequest r;
    r.set_customer_id(id);
    r.set_view(view);
    auto got = service_.GetCustomer(r, kAuditor);
    EXPECT_TRUE(got.ok()) << Describe(got.status());
    return got.ok() ? got->customer() : v1::Customer();
  }

  absl::StatusOr<v1::Customer> Lookup(const v1::Identifier& id,
                                      v1::CustomerView view = v1::CUSTOMER_VIEW_MASKED) {
    v1::LookupCustomerRequest r;
    *r.mutable_identifier() = id;
    r.set_view(view);
    auto found = service_.LookupCustomer(r, kAuditor);
    if (!found.ok()) return found.status();
    return found->customer();
  }

  // The whole history, newest first.
  std::vector<v1::HistoryEntry> History(const std::string& id,
                                        v1::CustomerView view = v1::CUSTOMER_VIEW_FULL) {
    v1::GetCustomerHistoryRequest r;
    r.set_customer_id(id);
    r.set_page_size(500);
    r.set_view(view);
    auto history = service_.GetCustomerHistory(r, kAuditor);
    EXPECT_TRUE(history.ok()) << Describe(history.status());
    if (!history.ok()) return {};
    EXPECT_EQ(history->next_page_token(), "");
    return {history->entries().begin(), history->entries().end()};
  }

  absl::StatusOr<v1::Customer> Update(const v1::Customer& customer, std::vector<std::string> paths,
                                      std::string etag = "") {
    v1::UpdateCustomerRequest r;
    *r.mutable_customer() = customer;
    for (auto& path : paths) r.mutable_update_mask()->add_paths(std::move(path));
    r.set_etag(std::move(etag));
    r.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_CALL_CENTER);
    r.mutable_source()->set_actor("agent-7");
    auto updated = service_.UpdateCustomer(r);
    if (!updated.ok()) return updated.status();
    return updated->customer();
  }

  absl::Status AddId(const std::string& customer_id, const v1::Identifier& id) {
    v1::AddIdentifierRequest r;
    r.set_customer_id(customer_id);
    *r.mutable_identifier() = id;
    r.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_WEBSITE);
    return service_.AddIdentifier(r).status();
  }

  absl::Status RemoveId(const std::string& customer_id, const v1::Identifier& id) {
    v1::RemoveIdentifierRequest r;
    r.set_customer_id(customer_id);
    *r.mutable_identifier() = id;
    return service_.RemoveIdentifier(r).status();
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
  IdentifyService service_;
};

// --- 1. Create: normalisation, masking, sealing -----------------------------

TEST_F(IdentifyServiceTest, CreateNormalisesIdentifiersAndAnswersMasked) {
  const v1::Customer c = Create(LiLei());
  ASSERT_EQ(c.customer_id().size(), 26u);
  EXPECT_EQ(c.display_name(), "李*");
  EXPECT_EQ(c.person().given_name(), "L**");
  EXPECT_EQ(c.person().family_name(), "L*");
  EXPECT_EQ(c.person().birth_date().year(), 1990);
  EXPECT_EQ(c.person().birth_date().month(), 0);
  EXPECT_EQ(c.person().consumption_notes(), "***");
  EXPECT_EQ(c.address().street(), "***");
  EXPECT_EQ(c.address().locality(), "Huangpu");
  EXPECT_EQ(c.address().country_code(), "CN");
  EXPECT_EQ(c.attributes().at("tier"), "gold");
  EXPECT_EQ(c.lifecycle_status(), v1::LIFECYCLE_STATUS_POTENTIAL);
  EXPECT_EQ(c.state(), v1::CUSTOMER_STATE_ACTIVE);
  EXPECT_EQ(c.etag(), "1");
  EXPECT_EQ(c.create_time().seconds(), 1'800'000'000);

  std::multiset<std::string> masked;
  for (const auto& id : c.identifiers()) masked.insert(id.value());
  EXPECT_EQ(masked, (std::multiset<std::string>{"+86138****8000", "+86139****3344",
                                                "l***@corp-mail.com", "****"}));
  EXPECT_EQ(MaskIdentifierValue(v1::IDENTIFIER_TYPE_PHONE, kPhoneE164), "+86138****8000");

  // The full view has the normalised values; the national id stays hidden.
  const v1::Customer full = Get(c.customer_id());
  EXPECT_EQ(full.display_name(), "李雷");
  EXPECT_EQ(full.person().given_name(), "Lei");
  EXPECT_EQ(full.address().street(), "Nanjing Road");
  std::multiset<std::string> clear;
  for (const auto& id : full.identifiers()) {
    clear.insert(id.value());
    EXPECT_EQ(id.source().channel(), v1::COLLECTION_CHANNEL_POINT_OF_SALE);
    EXPECT_EQ(id.source().system(), "pos-store-17");
  }
  EXPECT_EQ(clear,
            (std::multiset<std::string>{kPhoneE164, "+8613900223344", kEmailNormalized, "****"}));

  // Lookups normalise too, in whatever format they come.
  for (const v1::Identifier& key : {Id(v1::IDENTIFIER_TYPE_PHONE, kPhoneE164),
                                    Id(v1::IDENTIFIER_TYPE_PHONE, "0086-138-0013-8000"),
                                    Id(v1::IDENTIFIER_TYPE_PHONE, "13900223344"),
                                    Id(v1::IDENTIFIER_TYPE_EMAIL, kEmailNormalized),
                                    Id(v1::IDENTIFIER_TYPE_NATIONAL_ID, kNationalIdNormalized),
                                    Id(v1::IDENTIFIER_TYPE_NATIONAL_ID, kNationalId)}) {
    auto found = Lookup(key);
    ASSERT_TRUE(found.ok()) << key.value() << ": " << Describe(found.status());
    EXPECT_EQ(found->customer_id(), c.customer_id());
    EXPECT_EQ(found->display_name(), "李*");
  }
  EXPECT_TRUE(IsError(Lookup(Id(v1::IDENTIFIER_TYPE_PHONE, "13800138001")).status(),
                      Code::kNotFound, "IDENTIFIER_NOT_FOUND"));
}

TEST_F(IdentifyServiceTest, CreateStoresNoPersonalDataInClear) {
  const v1::Customer c = Create(LiLei());
  ASSERT_FALSE(c.customer_id().empty());
  // The probe finds what is there in clear.
  ASSERT_GT(RowsContaining("customer_history", "field", "identifiers.PHONE"), 0);
  EXPECT_EQ(Rows("customers", "display_name IS NULL AND sealed_data IS NOT NULL"), 1);
  EXPECT_EQ(Rows("customer_identifiers", "type = 4 AND sealed_value IS NULL"), 1);
  for (const std::string text : {"李雷", "Nanjing Road", "prefers green tea", "13800138000",
                                 "13900223344", kEmailNormalized, kNationalIdNormalized}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(RowsContaining("customers", "sealed_data", text), 0);
    EXPECT_EQ(RowsContaining("customer_identifiers", "sealed_value", text), 0);
    EXPECT_EQ(RowsContaining("customer_history", "old_sealed", text), 0);
    EXPECT_EQ(RowsContaining("customer_history", "new_sealed", text), 0);
    // The stored response of an idempotent create is data at rest too.
    EXPECT_EQ(RowsContaining("idempotency_keys", "response", text), 0);
  }
}

TEST_F(IdentifyServiceTest, NationalIdIsNeverReturnedInClear) {
  const v1::Customer c = Create(LiLei());
  ASSERT_FALSE(c.customer_id().empty());
  auto looked_up = Lookup(Id(v1::IDENTIFIER_TYPE_NATIONAL_ID, kNationalId), v1::CUSTOMER_VIEW_FULL);
  ASSERT_TRUE(looked_up.ok()) << Describe(looked_up.status());
  for (const auto& id : looked_up->identifiers()) {
    if (id.type() == v1::IDENTIFIER_TYPE_NATIONAL_ID) {
      EXPECT_EQ(id.value(), "****");
    }
  }
  for (v1::CustomerView view : {v1::CUSTOMER_VIEW_MASKED, v1::CUSTOMER_VIEW_FULL}) {
    const auto history = History(c.customer_id(), view);
    const v1::HistoryEntry entry = Find(history, "identifiers.NATIONAL_ID");
    ASSERT_EQ(entry.field(), "identifiers.NATIONAL_ID");
    EXPECT_EQ(entry.new_value(), "****") << v1::CustomerView_Name(view);
  }
}

// --- 2. Bad input -----------------------------------------------------------

TEST_F(IdentifyServiceTest, BadInputIsRefusedAndWritesNothing) {
  struct Case {
    std::string name;
    std::function<void(v1::CreateCustomerRequest&)> change;
    std::string reason;
    std::string field;
  };
  auto with_id = [](v1::Identifier id) {
    return [id](v1::CreateCustomerRequest& r) {
      *r.mutable_customer()->add_identifiers() = Id(v1::IDENTIFIER_TYPE_PHONE, "13912341234");
      *r.mutable_customer()->add_identifiers() = id;
    };
  };
  const std::vector<Case> cases = {
      {"malformed phone", with_id(Id(v1::IDENTIFIER_TYPE_PHONE, "12ab")), "INVALID_FIELD",
       "customer.identifiers[1].value"},
      {"unknown type", with_id(Id(static_cast<v1::IdentifierType>(99), "x")), "INVALID_FIELD",
       "customer.identifiers[1].type"},
      {"external id without namespace", with_id(Id(v1::IDENTIFIER_TYPE_EXTERNAL_ID, "C-1")),
       "INVALID_FIELD", "customer.identifiers[1].namespace"},
      {"oversize name",
       [](auto& r) {
         std::string name;
         for (int i = 0; i < 201; ++i) name += "名";
         r.mutable_customer()->set_display_name(name);
       },
       "INVALID_FIELD", "customer.display_name"},
      {"impossible birth date",
       [](auto& r) {
         auto& d = *r.mutable_customer()->mutable_person()->mutable_birth_date();
         d.set_year(2023);
         d.set_month(2);
         d.set_day(30);
       },
       "INVALID_FIELD", "customer.person.birth_date"},
      {"upper-case attribute key",
       [](auto& r) { (*r.mutable_customer()->mutable_attributes())["Tier"] = "gold"; },
       "INVALID_FIELD", "customer.attributes"},
      {"placeholder member card", with_id(Id(v1::IDENTIFIER_TYPE_MEMBER_CARD, "000000")),
       "JUNK_IDENTIFIER", "customer.identifiers[1]"},
      {"test e-mail", with_id(Id(v1::IDENTIFIER_TYPE_EMAIL, "test@example.com")), "JUNK_IDENTIFIER",
       "customer.identifiers[1]"},
      {"repeated-digit phone", with_id(Id(v1::IDENTIFIER_TYPE_PHONE, "138 8888 8888")),
       "JUNK_IDENTIFIER", "customer.identifiers[1]"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(c.name);
    v1::CreateCustomerRequest r = Person("Han Meimei");
    r.set_request_id(absl::StrCat("bad-", i));
    c.change(r);
    EXPECT_TRUE(
        IsError(service_.CreateCustomer(r).status(), Code::kInvalidArgument, c.reason, c.field));
  }
  for (const char* table :
       {"customers", "customer_identifiers", "customer_history", "idempotency_keys"}) {
    EXPECT_EQ(Rows(table), 0) << table;
  }
  // The limits are inclusive.
  std::string name;
  for (int i = 0; i < 200; ++i) name += "名";
  EXPECT_TRUE(service_.CreateCustomer(Person(name)).ok());
}

// --- 3. Identifier uniqueness -----------------------------------------------

TEST_F(IdentifyServiceTest, APhoneBelongsToOneCustomer) {
  Create(Person("Li Lei", {Id(v1::IDENTIFIER_TYPE_PHONE, kPhone)}));
  auto second = service_.CreateCustomer(
      Person("Lei Li", {Id(v1::IDENTIFIER_TYPE_PHONE, "+86 (138) 0013-8000")}));
  EXPECT_TRUE(IsError(second.status(), Code::kAlreadyExists, "IDENTIFIER_TAKEN"));
  EXPECT_EQ(MetadataOf(second.status())["identifier_type"], "IDENTIFIER_TYPE_PHONE");
  EXPECT_EQ(Rows("customers"), 1);
  EXPECT_EQ(Rows("customer_identifiers"), 1);
}

TEST_F(IdentifyServiceTest, ConcurrentCreatesWithOnePhoneMakeOneCustomer) {
  constexpr int kThreads = 8;
  std::vector<absl::Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      v1::CreateCustomerRequest r =
          Person(absl::StrCat("Racer ", i), {Id(v1::IDENTIFIER_TYPE_PHONE, kPhone)});
      r.set_request_id(absl::StrCat("race-", i));
      results[i] = service_.CreateCustomer(r).status();
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0;
  for (const absl::Status& s : results) {
    if (s.ok()) {
      ++ok;
    } else {
      EXPECT_TRUE(IsError(s, Code::kAlreadyExists, "IDENTIFIER_TAKEN"));
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(Rows("customers"), 1);
  EXPECT_EQ(Rows("customer_identifiers"), 1);
  EXPECT_EQ(Rows("idempotency_keys"), 1);
}

// --- 4. UpdateCustomer and history ------------------------------------------

TEST_F(IdentifyServiceTest, UpdateChangesOnlyTheMaskedFields) {
  const v1::Customer c = Create(LiLei());
  v1::Customer change;
  change.set_customer_id(c.customer_id());
  change.set_display_name("Ignored");
  change.mutable_person()->set_given_name("Ray");
  change.mutable_person()->set_family_name("Ignored");
  (*change.mutable_attributes())["tier"] = "platinum";
  (*change.mutable_attributes())["home_store"] = "ignored";
  clock_.Advance(absl::Hours(1));
  auto updated = Update(change, {"person.given_name", "attributes.tier"}, c.etag());
  ASSERT_TRUE(updated.ok()) << Describe(updated.status());
  EXPECT_EQ(updated->etag(), "2");
  EXPECT_EQ(updated->person().given_name(), "R**");  // masked

  const v1::Customer full = Get(c.customer_id());
  EXPECT_EQ(full.display_name(), "李雷");
  EXPECT_EQ(full.person().given_name(), "Ray");
  EXPECT_EQ(full.person().family_name(), "Li");
  EXPECT_EQ(full.person().occupation(), "engineer");
  EXPECT_EQ(full.address().street(), "Nanjing Road");
  EXPECT_EQ(full.attributes().at("tier"), "platinum");
  EXPECT_EQ(full.attributes().at("home_store"), "17");
  EXPECT_EQ(full.identifiers_size(), 4);
  EXPECT_EQ(full.update_time().seconds(), 1'800'000'000 + 3600);
  EXPECT_EQ(full.create_time().seconds(), 1'800'000'000);
}

TEST_F(IdentifyServiceTest, UpdateRefusesAStaleEtagAndBadMasks) {
  const v1::Customer c = Create(Person("Li Lei"));
  v1::Customer change;
  change.set_customer_id(c.customer_id());
  change.set_display_name("Li Leo");
  change.set_kind(v1::CUSTOMER_KIND_ORGANIZATION);
  change.set_lifecycle_status(v1::LIFECYCLE_STATUS_LOYAL);
  ASSERT_TRUE(Update(change, {"display_name"}, c.etag()).ok());

  auto stale = Update(change, {"display_name"}, c.etag());
  EXPECT_TRUE(IsError(stale.status(), Code::kAborted, "ETAG_MISMATCH"));
  EXPECT_EQ(MetadataOf(stale.status())["current_etag"], "2");
  for (const std::vector<std::string>& mask :
       std::vector<std::vector<std::string>>{{},
                                             {"kind"},
                                             {"lifecycle_status"},
                                             {"display_name", "identifiers"},
                                             {"no_such_field"}}) {
    EXPECT_TRUE(IsError(Update(change, mask).status(), Code::kInvalidArgument, "INVALID_FIELD",
                        "update_mask"))
        << (mask.empty() ? "(empty)" : mask.back());
  }
  const v1::Customer full = Get(c.customer_id());
  EXPECT_EQ(full.etag(), "2");
  EXPECT_EQ(full.kind(), v1::CUSTOMER_KIND_PERSON);
  EXPECT_EQ(full.lifecycle_status(), v1::LIFECYCLE_STATUS_POTENTIAL);
  EXPECT_EQ(Rows("customer_history", "field = 'display_name'"), 2);  // create + one update
}

TEST_F(IdentifyServiceTest, AnAttributeNamedInTheMaskButAbsentIsDeleted) {
  const v1::Customer c = Create(LiLei());
  v1::Customer change;
  change.set_customer_id(c.customer_id());
  ASSERT_TRUE(Update(change, {"attributes.home_store"}).ok());
  const v1::Customer full = Get(c.customer_id());
  EXPECT_FALSE(full.attributes().contains("home_store"));
  EXPECT_EQ(full.attributes().at("tier"), "gold");
  const v1::HistoryEntry entry = Find(History(c.customer_id()), "attributes.home_store");
  ASSERT_EQ(entry.field(), "attributes.home_store");
  EXPECT_EQ(entry.old_value(), "17");
  EXPECT_EQ(entry.new_value(), "");
}

TEST_F(IdentifyServiceTest, HistoryKeepsOldAndNewValuesAndMasksNames) {
  const v1::Customer c = Create(LiLei());
  v1::Customer change;
  change.set_customer_id(c.customer_id());
  change.mutable_person()->set_given_name("Ray");
  (*change.mutable_attributes())["tier"] = "platinum";
  clock_.Advance(absl::Minutes(5));
  ASSERT_TRUE(Update(change, {"person.given_name", "attributes.tier"}).ok());

  const auto full = History(c.customer_id(), v1::CUSTOMER_VIEW_FULL);
  // Newest first: the two changes of the update precede the create's entries.
  ASSERT_GE(full.size(), 2u);
  std::set<std::string> newest = {full[0].field(), full[1].field()};
  EXPECT_EQ(newest, (std::set<std::string>{"person.given_name", "attributes.tier"}));
  const v1::HistoryEntry name = Find(full, "person.given_name");
  EXPECT_EQ(name.old_value(), "Lei");
  EXPECT_EQ(name.new_value(), "Ray");
  EXPECT_EQ(name.source().channel(), v1::COLLECTION_CHANNEL_CALL_CENTER);
  EXPECT_EQ(name.source().actor(), "agent-7");
  EXPECT_EQ(name.change_time().seconds(), 1'800'000'000 + 300);
  EXPECT_EQ(Find(full, "attributes.tier").old_value(), "gold");
  EXPECT_EQ(Find(full, "attributes.tier").new_value(), "platinum");
  // The create is in the history too, from its own channel.
  const v1::HistoryEntry phone = Find(full, "identifiers.PHONE");
  EXPECT_EQ(phone.source().channel(), v1::COLLECTION_CHANNEL_POINT_OF_SALE);
  EXPECT_EQ(phone.source().system(), "pos-store-17");
  EXPECT_EQ(phone.reason(), "created");

  const auto masked = History(c.customer_id(), v1::CUSTOMER_VIEW_MASKED);
  ASSERT_EQ(masked.size(), full.size());
  EXPECT_EQ(Find(masked, "person.given_name").old_value(), "L**");
  EXPECT_EQ(Find(masked, "person.given_name").new_value(), "R**");
  EXPECT_EQ(Find(masked, "display_name").new_value(), "李*");
  EXPECT_EQ(Find(masked, "attributes.tier").new_value(), "platinum");
  EXPECT_EQ(Find(masked, "person.birth_date").new_value(), "1990-**-**");
  EXPECT_EQ(Find(masked, "address.street").new_value(), "***");
  std::multiset<std::string> phones;
  for (const auto& e : masked) {
    if (e.field() == "identifiers.PHONE") phones.insert(e.new_value());
  }
  EXPECT_EQ(phones, (std::multiset<std::string>{"+86138****8000", "+86139****3344"}));
}

TEST_F(IdentifyServiceTest, FullViewIsAuditedAndNeedsPermission) {
  const v1::Customer c = Create(LiLei());
  History(c.customer_id(), v1::CUSTOMER_VIEW_MASKED);
  Get(c.customer_id(), v1::CUSTOMER_VIEW_MASKED);
  EXPECT_EQ(Rows("access_audit"), 0);

  History(c.customer_id(), v1::CUSTOMER_VIEW_FULL);
  Get(c.customer_id(), v1::CUSTOMER_VIEW_FULL);
  ASSERT_TRUE(Lookup(Id(v1::IDENTIFIER_TYPE_PHONE, kPhone), v1::CUSTOMER_VIEW_FULL).ok());
  EXPECT_EQ(Rows("access_audit", absl::StrCat("principal = 'auditor-1' AND peer = "
                                              "'ipv4:10.0.0.8:5123' AND customer_id = '",
                                              c.customer_id(), "'")),
            3);
  EXPECT_EQ(db_.Query("SELECT GROUP_CONCAT(method ORDER BY audit_id) FROM access_audit"),
            "GetCustomerHistory,GetCustomer,LookupCustomer");

  v1::GetCustomerHistoryRequest history;
  history.set_customer_id(c.customer_id());
  history.set_view(v1::CUSTOMER_VIEW_FULL);
  EXPECT_TRUE(IsError(service_.GetCustomerHistory(history, kClerk).status(),
                      Code::kPermissionDenied, "FULL_VIEW_NOT_ALLOWED"));
  v1::GetCustomerRequest get;
  get.set_customer_id(c.customer_id());
  get.set_view(v1::CUSTOMER_VIEW_FULL);
  EXPECT_TRUE(IsError(service_.GetCustomer(get, kClerk).status(), Code::kPermissionDenied,
                      "FULL_VIEW_NOT_ALLOWED"));
  EXPECT_EQ(Rows("access_audit"), 3);
  // The clerk still gets the masked view.
  get.set_view(v1::CUSTOMER_VIEW_MASKED);
  auto masked = service_.GetCustomer(get, kClerk);
  ASSERT_TRUE(masked.ok()) << Describe(masked.status());
  EXPECT_EQ(masked->customer().display_name(), "李*");
}

// --- 5. ListCustomers -------------------------------------------------------

TEST_F(IdentifyServiceTest, ListCustomersPagesInIdOrder) {
  std::vector<std::string> created;
  for (int i = 0; i < 7; ++i) {
    created.push_back(Create(Person(absl::StrCat("Person ", i))).customer_id());
  }
  std::vector<std::string> listed;
  std::vector<int> page_sizes;
  v1::ListCustomersRequest r;
  r.set_page_size(3);
  do {
    auto page = service_.ListCustomers(r);
    ASSERT_TRUE(page.ok()) << Describe(page.status());
    page_sizes.push_back(page->customers_size());
    for (const auto& c : page->customers()) {
      listed.push_back(c.customer_id());
      EXPECT_EQ(c.display_name().substr(0, 1), "P");
      EXPECT_NE(c.display_name(), "Person 0");  // masked
    }
    r.set_page_token(page->next_page_token());
    ASSERT_LE(page_sizes.size(), 4u);
  } while (!r.page_token().empty());
  EXPECT_EQ(page_sizes, (std::vector<int>{3, 3, 1}));
  EXPECT_EQ(listed, created);
}

TEST_F(IdentifyServiceTest, ListCustomersFiltersAndGuardsItsTokens) {
  std::vector<std::string> intermediaries;
  for (int i = 0; i < 5; ++i) {
    v1::CreateCustomerRequest r = Person(absl::StrCat("Shop ", i));
    if (i % 2 == 1) r.mutable_customer()->set_category(v1::CUSTOMER_CATEGORY_INTERMEDIARY);
    const std::string id = Create(r).customer_id();
    if (i % 2 == 1) intermediaries.push_back(id);
  }
  v1::ListCustomersRequest r;
  r.set_category(v1::CUSTOMER_CATEGORY_INTERMEDIARY);
  r.set_page_size(2);
  auto page = service_.ListCustomers(r);
  ASSERT_TRUE(page.ok()) << Describe(page.status());
  ASSERT_EQ(page->customers_size(), 2);
  EXPECT_EQ(page->customers(0).customer_id(), intermediaries[0]);
  EXPECT_EQ(page->customers(1).customer_id(), intermediaries[1]);
  EXPECT_EQ(page->next_page_token(), "");  // exactly one full page

  // A token of one query is refused by another.
  r.clear_category();
  auto first = service_.ListCustomers(r);
  ASSERT_TRUE(first.ok()) << Describe(first.status());
  ASSERT_NE(first->next_page_token(), "");
  r.set_page_token(first->next_page_token());
  r.set_category(v1::CUSTOMER_CATEGORY_CONSUMER);
  EXPECT_TRUE(IsError(service_.ListCustomers(r).status(), Code::kInvalidArgument,
                      "INVALID_PAGE_TOKEN", "page_token"));
  r.clear_category();
  r.set_page_size(1);  // page_size may change between pages
  EXPECT_TRUE(service_.ListCustomers(r).ok());

  v1::ListCustomersRequest too_big;
  too_big.set_page_size(501);
  EXPECT_TRUE(IsError(service_.ListCustomers(too_big).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "page_size"));
  too_big.set_page_size(500);
  EXPECT_TRUE(service_.ListCustomers(too_big).ok());

  // updated_since keeps only customers changed from then on.
  clock_.Advance(absl::Hours(1));
  v1::Customer change;
  change.set_customer_id(intermediaries[1]);
  change.set_display_name("Renamed shop");
  ASSERT_TRUE(Update(change, {"display_name"}).ok());
  v1::ListCustomersRequest recent;
  ToProtoTimestamp(clock_.Now(), recent.mutable_updated_since());
  auto updated = service_.ListCustomers(recent);
  ASSERT_TRUE(updated.ok()) << Describe(updated.status());
  ASSERT_EQ(updated->customers_size(), 1);
  EXPECT_EQ(updated->customers(0).customer_id(), intermediaries[1]);
}

// --- 6. Add / RemoveIdentifier ----------------------------------------------

TEST_F(IdentifyServiceTest, IdentifiersCanBeAddedAndRemoved) {
  const v1::Customer c = Create(Person("Li Lei"));
  const v1::Identifier card = Id(v1::IDENTIFIER_TYPE_MEMBER_CARD, "vip-0012 3456");

  v1::AddIdentifierRequest add;
  add.set_customer_id(c.customer_id());
  *add.mutable_identifier() = card;
  add.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_WEBSITE);
  auto added = service_.AddIdentifier(add);
  ASSERT_TRUE(added.ok()) << Describe(added.status());
  EXPECT_EQ(added->identifier().value(), "VI****3456");
  EXPECT_EQ(added->identifier().type(), v1::IDENTIFIER_TYPE_MEMBER_CARD);
  EXPECT_EQ(added->identifier().source().channel(), v1::COLLECTION_CHANNEL_WEBSITE);
  auto found = Lookup(Id(v1::IDENTIFIER_TYPE_MEMBER_CARD, "VIP00123456"));
  ASSERT_TRUE(found.ok()) << Describe(found.status());
  EXPECT_EQ(found->customer_id(), c.customer_id());
  const std::string etag = Get(c.customer_id()).etag();
  EXPECT_EQ(etag, "2");

  // Adding it again changes nothing; another customer cannot have it.
  EXPECT_TRUE(AddId(c.customer_id(), Id(v1::IDENTIFIER_TYPE_MEMBER_CARD, "VIP00123456")).ok());
  EXPECT_EQ(Get(c.customer_id()).etag(), etag);
  EXPECT_EQ(Rows("customer_identifiers"), 1);
  const v1::Customer other = Create(Person("Han Meimei"));
  EXPECT_TRUE(IsError(AddId(other.customer_id(), card), Code::kAlreadyExists, "IDENTIFIER_TAKEN"));

  ASSERT_TRUE(RemoveId(c.customer_id(), Id(v1::IDENTIFIER_TYPE_MEMBER_CARD, "VIP 0012-3456")).ok());
  EXPECT_TRUE(IsError(Lookup(card).status(), Code::kNotFound, "IDENTIFIER_NOT_FOUND"));
  EXPECT_TRUE(IsError(RemoveId(c.customer_id(), card), Code::kNotFound, "IDENTIFIER_NOT_FOUND"));
  EXPECT_EQ(Rows("customer_identifiers"), 0);

  std::vector<v1::HistoryEntry> entries;
  for (const auto& e : History(c.customer_id())) {
    if (e.field() == "identifiers.MEMBER_CARD") entries.push_back(e);
  }
  ASSERT_EQ(entries.size(), 2u);  // newest first: removed, added
  EXPECT_EQ(entries[0].old_value(), "VIP00123456");
  EXPECT_EQ(entries[0].new_value(), "");
  EXPECT_EQ(entries[1].old_value(), "");
  EXPECT_EQ(entries[1].new_value(), "VIP00123456");
  EXPECT_EQ(entries[1].source().channel(), v1::COLLECTION_CHANNEL_WEBSITE);
  EXPECT_EQ(entries[0].source().channel(), v1::COLLECTION_CHANNEL_SERVICE);  // the default
  EXPECT_EQ(Find(History(c.customer_id(), v1::CUSTOMER_VIEW_MASKED), "identifiers.MEMBER_CARD")
                .old_value(),
            "VI****3456");

  // Once released, another customer may take it.
  EXPECT_TRUE(AddId(other.customer_id(), card).ok());
}

// Reads come from the sealed copy of identifiers and consents in the
// customer row; every change rewrites it, and a row without one (written
// before it existed) is read from the tables.
TEST_F(IdentifyServiceTest, ReadsSeeEveryIdentifierAndConsentChange) {
  const v1::Customer c = Create(LiLei());
  ASSERT_EQ(Get(c.customer_id()).identifiers_size(), 4);
  const v1::Identifier card = Id(v1::IDENTIFIER_TYPE_MEMBER_CARD, "VIP00123456");
  ASSERT_TRUE(AddId(c.customer_id(), card).ok());
  EXPECT_EQ(Get(c.customer_id()).identifiers_size(), 5);
  v1::RecordConsentRequest consent;
  consent.set_customer_id(c.customer_id());
  consent.set_purpose(v1::CONSENT_PURPOSE_MARKETING);
  consent.set_granted(true);
  ASSERT_TRUE(service_.RecordConsent(consent).ok());
  ASSERT_TRUE(RemoveId(c.customer_id(), Id(v1::IDENTIFIER_TYPE_EMAIL, kEmail)).ok());

  const v1::Customer got = Get(c.customer_id());
  EXPECT_EQ(got.identifiers_size(), 4);
  for (const auto& id : got.identifiers()) EXPECT_NE(id.type(), v1::IDENTIFIER_TYPE_EMAIL);
  ASSERT_EQ(got.consents_size(), 1);
  EXPECT_TRUE(got.consents(0).granted());
  auto looked_up = Lookup(card, v1::CUSTOMER_VIEW_FULL);
  ASSERT_TRUE(looked_up.ok()) << Describe(looked_up.status());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*looked_up, got));
  EXPECT_EQ(Rows("customers", "sealed_view IS NULL"), 0);
  EXPECT_EQ(db_.CountContaining("customers", "sealed_view", "VIP00123456"), 0);  // sealed

  auto conn = db_.Connect();
  // A write by a replica that does not know the view: readers use the tables.
  std::unique_ptr<sql::Statement>(conn->createStatement())
      ->executeUpdate("UPDATE customers SET version = version + 1");
  auto stale = Lookup(card, v1::CUSTOMER_VIEW_FULL);
  ASSERT_TRUE(stale.ok()) << Describe(stale.status());
  EXPECT_EQ(stale->identifiers_size(), got.identifiers_size());
  EXPECT_EQ(stale->consents_size(), 1);
  // Rows written before views existed, likewise.
  std::unique_ptr<sql::Statement>(conn->createStatement())
      ->executeUpdate("UPDATE customers SET sealed_view = NULL, version = version - 1");
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(Get(c.customer_id()), got));
  auto legacy = Lookup(card, v1::CUSTOMER_VIEW_FULL);
  ASSERT_TRUE(legacy.ok()) << Describe(legacy.status());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*legacy, got));
}

TEST_F(IdentifyServiceTest, NamespacedIdentifiersAreDistinctPerNamespace) {
  const v1::Customer a = Create(Person("Li Lei"));
  const v1::Customer b = Create(Person("Han Meimei"));
  ASSERT_TRUE(AddId(a.customer_id(), Id(v1::IDENTIFIER_TYPE_EXTERNAL_ID, "C-001", " ERP ")).ok());
  ASSERT_TRUE(AddId(b.customer_id(), Id(v1::IDENTIFIER_TYPE_EXTERNAL_ID, "C-001", "crm2")).ok());
  auto found = Lookup(Id(v1::IDENTIFIER_TYPE_EXTERNAL_ID, "C-001", "erp"));
  ASSERT_TRUE(found.ok()) << Describe(found.status());
  EXPECT_EQ(found->customer_id(), a.customer_id());
  EXPECT_EQ(Find(History(a.customer_id()), "identifiers.EXTERNAL_ID:erp").new_value(), "C-001");
}

// --- 7. SetLifecycleStatus --------------------------------------------------

TEST_F(IdentifyServiceTest, LifecycleChangesKeepTheirReason) {
  const v1::Customer c = Create(Person("Li Lei"));
  v1::SetLifecycleStatusRequest r;
  r.set_customer_id(c.customer_id());
  r.set_status(v1::LIFECYCLE_STATUS_LOYAL);
  r.set_reason(" 5 purchases in 90 days ");
  r.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_CALL_CENTER);
  auto set = service_.SetLifecycleStatus(r);
  ASSERT_TRUE(set.ok()) << Describe(set.status());
  EXPECT_EQ(set->customer().lifecycle_status(), v1::LIFECYCLE_STATUS_LOYAL);
  EXPECT_EQ(set->customer().display_name(), "L* L**");  // masked
  EXPECT_EQ(Get(c.customer_id()).lifecycle_status(), v1::LIFECYCLE_STATUS_LOYAL);

  const auto history = History(c.customer_id());
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history[0].field(), "lifecycle_status");
  EXPECT_EQ(history[0].old_value(), "LIFECYCLE_STATUS_POTENTIAL");
  EXPECT_EQ(history[0].new_value(), "LIFECYCLE_STATUS_LOYAL");
  EXPECT_EQ(history[0].reason(), "5 purchases in 90 days");
  EXPECT_EQ(history[0].source().channel(), v1::COLLECTION_CHANNEL_CALL_CENTER);

  const int entries = Rows("customer_history");
  r.set_status(v1::LIFECYCLE_STATUS_LOST);
  for (const char* reason : {"", "   "}) {
    r.set_reason(reason);
    EXPECT_TRUE(IsError(service_.SetLifecycleStatus(r).status(), Code::kInvalidArgument,
                        "INVALID_FIELD", "reason"));
  }
  r.set_reason(std::string(501, 'r'));
  EXPECT_TRUE(IsError(service_.SetLifecycleStatus(r).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "reason"));
  r.set_reason("no purchase for a year");
  r.set_status(v1::LIFECYCLE_STATUS_UNSPECIFIED);
  EXPECT_TRUE(IsError(service_.SetLifecycleStatus(r).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "status"));
  EXPECT_EQ(Rows("customer_history"), entries);
  EXPECT_EQ(Get(c.customer_id()).lifecycle_status(), v1::LIFECYCLE_STATUS_LOYAL);
}

// --- 8. Contacts ------------------------------------------------------------

TEST_F(IdentifyServiceTest, RecordContactIsIdempotent) {
  const v1::Customer c = Create(Person("Li Lei"));
  v1::RecordContactRequest r;
  r.set_request_id("contact-1");
  r.mutable_contact()->set_customer_id(c.customer_id());
  r.mutable_contact()->set_channel(v1::COLLECTION_CHANNEL_COMPLAINT);
  r.mutable_contact()->set_kind(" complaint ");
  r.mutable_contact()->set_reference("CMP-42");
  r.mutable_contact()->set_note("called about a noisy neighbour");
  auto first = service_.RecordContact(r);
  ASSERT_TRUE(first.ok()) << Describe(first.status());
  EXPECT_EQ(first->contact().contact_id().size(), 26u);
  EXPECT_EQ(first->contact().kind(), "complaint");
  EXPECT_EQ(first->contact().note(), "called about a noisy neighbour");
  // The stored idempotent response holds ids only, so erasure can reach the note.
  EXPECT_EQ(RowsContaining("idempotency_keys", "response", "noisy neighbour"), 0);
  EXPECT_EQ(first->contact().contact_time().seconds(), 1'800'000'000);  // defaults to now

  clock_.Advance(absl::Minutes(1));
  auto replay = service_.RecordContact(r);
  ASSERT_TRUE(replay.ok()) << Describe(replay.status());
  EXPECT_EQ(replay->contact().contact_id(), first->contact().contact_id());
  EXPECT_EQ(replay->contact().contact_time().seconds(), 1'800'000'000);
  EXPECT_EQ(Rows("customer_contacts"), 1);

  r.mutable_contact()->set_note("different");
  EXPECT_TRUE(IsError(service_.RecordContact(r).status(), Code::kFailedPrecondition,
                      "IDEMPOTENCY_KEY_REUSED"));

  r.set_request_id("contact-2");
  r.mutable_contact()->set_customer_id(ids_.Next());
  EXPECT_TRUE(IsError(service_.RecordContact(r).status(), Code::kNotFound, "CUSTOMER_NOT_FOUND"));
  v1::ListContactsRequest list;
  list.set_customer_id(r.contact().customer_id());
  EXPECT_TRUE(IsError(service_.ListContacts(list).status(), Code::kNotFound, "CUSTOMER_NOT_FOUND"));
  EXPECT_EQ(Rows("customer_contacts"), 1);
  EXPECT_EQ(Rows("idempotency_keys", "method = 'RecordContact'"), 1);
}

TEST_F(IdentifyServiceTest, ListContactsPagesNewestFirstAcrossEqualTimes) {
  const v1::Customer c = Create(Person("Li Lei"));
  const v1::Customer other = Create(Person("Han Meimei"));
  const absl::Time when = absl::FromUnixMicros(1'799'990'000'250'000);
  auto record = [&](const std::string& customer_id, absl::Time at) {
    v1::RecordContactRequest r;
    r.mutable_contact()->set_customer_id(customer_id);
    r.mutable_contact()->set_channel(v1::COLLECTION_CHANNEL_POINT_OF_SALE);
    r.mutable_contact()->set_kind("purchase");
    ToProtoTimestamp(at, r.mutable_contact()->mutable_contact_time());
    auto recorded = service_.RecordContact(r);
    EXPECT_TRUE(recorded.ok()) << Describe(recorded.status());
    return recorded.ok() ? recorded->contact().contact_id() : "";
  };
  const std::string oldest = record(c.customer_id(), when - absl::Hours(1));
  std::vector<std::string> same_time;
  for (int i = 0; i < 5; ++i) same_time.push_back(record(c.customer_id(), when));
  record(other.customer_id(), when + absl::Hours(1));

  // Equal times come newest id first; the older contact last.
  std::vector<std::string> expected(same_time.rbegin(), same_time.rend());
  expected.push_back(oldest);
  std::vector<std::string> listed;
  std::vector<int> page_sizes;
  v1::ListContactsRequest r;
  r.set_customer_id(c.customer_id());
  r.set_page_size(2);
  do {
    auto page = service_.ListContacts(r);
    ASSERT_TRUE(page.ok()) << Describe(page.status());
    page_sizes.push_back(page->contacts_size());
    for (const auto& contact : page->contacts()) {
      listed.push_back(contact.contact_id());
      EXPECT_EQ(contact.customer_id(), c.customer_id());
    }
    r.set_page_token(page->next_page_token());
    ASSERT_LE(page_sizes.size(), 4u);
  } while (!r.page_token().empty());
  EXPECT_EQ(page_sizes, (std::vector<int>{2, 2, 2}));
  EXPECT_EQ(listed, expected);

  // A token is bound to its customer.
  auto first = service_.ListContacts(r);
  ASSERT_TRUE(first.ok());
  r.set_page_token(first->next_page_token());
  r.set_customer_id(other.customer_id());
  EXPECT_TRUE(
      IsError(service_.ListContacts(r).status(), Code::kInvalidArgument, "INVALID_PAGE_TOKEN"));
}

// --- Consent and erasure ------------------------------------------------------

TEST_F(IdentifyServiceTest, ConsentIsKeptPerPurposeWithHistory) {
  const v1::Customer c = Create(LiLei());
  v1::RecordConsentRequest r;
  r.set_customer_id(c.customer_id());
  r.set_purpose(v1::CONSENT_PURPOSE_MARKETING);
  r.set_granted(true);
  r.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_WEBSITE);
  ASSERT_TRUE(service_.RecordConsent(r).ok());
  r.set_granted(false);
  auto withdrawn = service_.RecordConsent(r);
  ASSERT_TRUE(withdrawn.ok()) << Describe(withdrawn.status());
  ASSERT_EQ(withdrawn->consents_size(), 1);
  EXPECT_FALSE(withdrawn->consents(0).granted());
  EXPECT_EQ(withdrawn->consents(0).source().channel(), v1::COLLECTION_CHANNEL_WEBSITE);
  const v1::Customer got = Get(c.customer_id());
  ASSERT_EQ(got.consents_size(), 1);
  EXPECT_EQ(got.consents(0).purpose(), v1::CONSENT_PURPOSE_MARKETING);
  EXPECT_EQ(Rows("customer_history", "field = 'consents.CONSENT_PURPOSE_MARKETING'"), 2);
  r.set_purpose(v1::CONSENT_PURPOSE_UNSPECIFIED);
  EXPECT_TRUE(IsError(service_.RecordConsent(r).status(), Code::kInvalidArgument, "INVALID_FIELD",
                      "purpose"));
}

TEST_F(IdentifyServiceTest, EraseKeepsTheIdAndRemovesPersonalData) {
  const v1::Customer c = Create(LiLei());
  v1::EraseCustomerRequest r;
  r.set_customer_id(c.customer_id());
  r.set_reason("data subject request 2026-118");
  auto erased = service_.EraseCustomer(r);
  ASSERT_TRUE(erased.ok()) << Describe(erased.status());
  EXPECT_EQ(erased->customer().state(), v1::CUSTOMER_STATE_ERASED);
  const v1::Customer got = Get(c.customer_id());
  EXPECT_EQ(got.customer_id(), c.customer_id());
  EXPECT_EQ(got.display_name(), "(erased)");
  EXPECT_FALSE(got.has_person());
  EXPECT_EQ(got.identifiers_size(), 0);
  EXPECT_TRUE(IsError(Lookup(Id(v1::IDENTIFIER_TYPE_PHONE, kPhone)).status(), Code::kNotFound,
                      "IDENTIFIER_NOT_FOUND"));
  EXPECT_EQ(Rows("customer_history", absl::StrCat("customer_id = '", c.customer_id(),
                                                  "' AND new_sealed IS NOT NULL AND field <> 'state'")),
            0);
  EXPECT_EQ(Rows("match_records"), 0);
  // Erasing twice changes nothing; updating an erased customer is refused.
  EXPECT_TRUE(service_.EraseCustomer(r).ok());
  v1::UpdateCustomerRequest update;
  update.mutable_customer()->set_customer_id(c.customer_id());
  update.mutable_customer()->set_display_name("back");
  update.mutable_update_mask()->add_paths("display_name");
  EXPECT_TRUE(IsError(service_.UpdateCustomer(update).status(), Code::kFailedPrecondition,
                      "CUSTOMER_ERASED"));
  r.clear_reason();
  EXPECT_TRUE(IsError(service_.EraseCustomer(r).status(), Code::kInvalidArgument, "INVALID_FIELD",
                      "reason"));
}

}  // namespace
}  // namespace crm::identify
