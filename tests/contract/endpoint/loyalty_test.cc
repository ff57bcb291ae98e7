// The loyalty service's contract, by address: programs and their rules,
// members, purchases and returns, the ledger, rewards and redemptions,
// coupons and personal offers, the reports and the scheduled runs. Each test
// makes its own program, so it sees only its own members, whatever else the
// suite holds.
#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <source_location>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "common/ids.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "tests/contract/endpoint/contract_test_util.h"

namespace crm::contract {
namespace {

namespace lv1 = loyalty::v1;
using grpc::StatusCode;
using Rules = std::function<void(lv1::ProgramRules&)>;

constexpr char kDomain[] = "loyalty.crm";

lv1::LoyaltyService::Stub& Loyalty() {
  static auto* stub = lv1::LoyaltyService::NewStub(Suite().loyalty()).release();
  return *stub;
}

::testing::AssertionResult Ok(const grpc::Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "status " << status.error_code() << ": " << status.error_message();
}

// The call was refused with `code` and `reason` in the loyalty domain; a
// failure names the line of the call.
void Refused(const grpc::Status& status, StatusCode code, const std::string& reason,
             std::source_location where = std::source_location::current()) {
  ::testing::ScopedTrace trace(where.file_name(), where.line(), reason);
  ExpectError(status, code, reason, kDomain);
}

google::protobuf::Timestamp At(absl::Time time) {
  google::protobuf::Timestamp out;
  out.set_seconds(absl::ToUnixSeconds(time));
  return out;
}

// An id of the service's shape (a ULID) that nothing in the suite has.
std::string NewId() {
  static auto* ids = new IdGenerator(SystemClock::Get());
  return ids->Next();
}

identify::v1::Identifier Card(const std::string& number) {
  identify::v1::Identifier card;
  card.set_type(identify::v1::IDENTIFIER_TYPE_MEMBER_CARD);
  card.set_value(number);
  return card;
}

// A customer in identify holding `card`; its customer id.
std::string NewCustomer(const std::string& name, const std::string& card) {
  static auto* customers = identify::v1::IdentifyService::NewStub(Suite().identify()).release();
  identify::v1::CreateCustomerRequest create;
  create.set_request_id(Suite().Unique("loyalty-customer"));
  create.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
  create.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
  create.mutable_customer()->set_display_name(name);
  *create.mutable_customer()->add_identifiers() = Card(card);
  identify::v1::CreateCustomerResponse created;
  EXPECT_TRUE(Ok(customers->CreateCustomer(As().get(), create, &created)));
  return created.customer().customer_id();
}

// A program of its own for each test: CNY, 1 point per yuan, changed by `rules`.
lv1::CreateProgramRequest ProgramRequest(const Rules& rules = nullptr) {
  lv1::CreateProgramRequest request;
  request.set_request_id(Suite().Unique("program"));
  request.mutable_program()->set_display_name(Suite().Unique("Contract Club"));
  request.mutable_program()->set_currency_code("CNY");
  lv1::ProgramRules& r = *request.mutable_program()->mutable_rules();
  r.mutable_earning()->set_points_per_currency_unit(1);
  if (rules) rules(r);
  return request;
}

std::string NewProgram(const Rules& rules = nullptr) {
  lv1::CreateProgramResponse response;
  EXPECT_TRUE(Ok(Loyalty().CreateProgram(As().get(), ProgramRequest(rules), &response)));
  return response.program().program_id();
}

// Rules whose first version was in force 100 days ago, for back-dated purchases.
void InForceSince100DaysAgo(lv1::ProgramRules& rules) {
  *rules.mutable_effective_time() = At(absl::Now() - absl::Hours(24 * 100));
}

// Two levels by qualifying spend: silver from 0, gold from 100 yuan; no grace.
void SilverAndGold(lv1::ProgramRules& rules) {
  lv1::LevelRules& levels = *rules.mutable_levels();
  for (const auto& [name, threshold] : {std::pair{"silver", 0}, std::pair{"gold", 10000}}) {
    lv1::Level& level = *levels.add_levels();
    level.set_name(name);
    level.set_threshold(threshold);
  }
  levels.set_window_months(12);
  levels.set_grace_days(0);
}

lv1::EnrollMemberRequest EnrollRequest(const std::string& program_id) {
  lv1::EnrollMemberRequest request;
  request.set_request_id(Suite().Unique("enroll"));
  request.set_program_id(program_id);
  request.set_customer_id(NewId());
  return request;
}

lv1::Member Enroll(const std::string& program_id, int birth_month = 0, int birth_day = 0) {
  lv1::EnrollMemberRequest request = EnrollRequest(program_id);
  request.set_birth_month(birth_month);
  request.set_birth_day(birth_day);
  lv1::EnrollMemberResponse response;
  EXPECT_TRUE(Ok(Loyalty().EnrollMember(As().get(), request, &response)));
  return response.member();
}

lv1::Member GetMember(const std::string& member_id) {
  lv1::GetMemberRequest request;
  request.set_member_id(member_id);
  lv1::GetMemberResponse response;
  EXPECT_TRUE(Ok(Loyalty().GetMember(As().get(), request, &response)));
  return response.member();
}

// One line of `amount_minor` fen in `category`, with a fresh transaction id.
lv1::RecordPurchaseRequest PurchaseRequest(const std::string& member_id, int64_t amount_minor,
                                           const std::string& category = "grocery") {
  lv1::RecordPurchaseRequest request;
  lv1::Purchase& purchase = *request.mutable_purchase();
  purchase.set_member_id(member_id);
  purchase.set_source_transaction_id(Suite().Unique("till"));
  lv1::PurchaseLine& line = *purchase.add_lines();
  line.set_sku(absl::StrCat(category, "-sku"));
  line.set_category(category);
  line.set_quantity(1);
  line.set_amount_minor(amount_minor);
  return request;
}

lv1::RecordPurchaseResponse Record(const lv1::RecordPurchaseRequest& request) {
  lv1::RecordPurchaseResponse response;
  EXPECT_TRUE(Ok(Loyalty().RecordPurchase(As().get(), request, &response)));
  return response;
}

lv1::RecordPurchaseResponse Buy(const std::string& member_id, int64_t amount_minor,
                                const std::string& category = "grocery") {
  return Record(PurchaseRequest(member_id, amount_minor, category));
}

lv1::RecordReturnRequest ReturnRequest(const std::string& member_id,
                                       const std::string& transaction_id, int64_t amount_minor) {
  lv1::RecordReturnRequest request;
  request.set_member_id(member_id);
  request.set_source_transaction_id(transaction_id);
  request.set_source_return_id(Suite().Unique("return"));
  request.set_amount_minor(amount_minor);
  return request;
}

lv1::AdjustPointsRequest AdjustRequest(const std::string& member_id, int64_t points) {
  lv1::AdjustPointsRequest request;
  request.set_request_id(Suite().Unique("adjust"));
  request.set_member_id(member_id);
  request.set_points(points);
  request.set_reason("goodwill");
  return request;
}

lv1::AdjustPointsResponse Adjust(const std::string& member_id, int64_t points) {
  lv1::AdjustPointsResponse response;
  EXPECT_TRUE(Ok(Loyalty().AdjustPoints(As().get(), AdjustRequest(member_id, points), &response)));
  return response;
}

lv1::Reward NewReward(const std::string& program_id, int64_t cost_points,
                      const std::function<void(lv1::Reward&)>& change = nullptr) {
  lv1::CreateRewardRequest request;
  request.set_request_id(Suite().Unique("reward"));
  request.mutable_reward()->set_program_id(program_id);
  request.mutable_reward()->set_display_name(Suite().Unique("voucher"));
  request.mutable_reward()->set_cost_points(cost_points);
  if (change) change(*request.mutable_reward());
  lv1::CreateRewardResponse response;
  EXPECT_TRUE(Ok(Loyalty().CreateReward(As().get(), request, &response)));
  return response.reward();
}

lv1::RedeemRewardRequest RedeemRequest(const std::string& member_id, const std::string& reward_id) {
  lv1::RedeemRewardRequest request;
  request.set_request_id(Suite().Unique("redeem"));
  request.set_member_id(member_id);
  request.set_reward_id(reward_id);
  return request;
}

lv1::RedeemRewardResponse Redeem(const std::string& member_id, const std::string& reward_id) {
  lv1::RedeemRewardResponse response;
  EXPECT_TRUE(
      Ok(Loyalty().RedeemReward(As().get(), RedeemRequest(member_id, reward_id), &response)));
  return response;
}

lv1::CancelRedemptionRequest CancelRequest(const std::string& redemption_id) {
  lv1::CancelRedemptionRequest request;
  request.set_request_id(Suite().Unique("cancel"));
  request.set_redemption_id(redemption_id);
  request.set_reason("not collected");
  return request;
}

// A coupon valid from a minute ago for a day.
lv1::IssueCouponsRequest IssueRequest(const std::string& program_id,
                                      const std::vector<std::string>& member_ids) {
  lv1::IssueCouponsRequest request;
  request.set_request_id(Suite().Unique("issue"));
  request.set_program_id(program_id);
  for (const std::string& id : member_ids) request.add_member_ids(id);
  lv1::Coupon& coupon = *request.mutable_coupon();
  coupon.set_campaign("thank you");
  coupon.set_amount_off_minor(500);
  *coupon.mutable_start_time() = At(absl::Now() - absl::Minutes(1));
  *coupon.mutable_end_time() = At(absl::Now() + absl::Hours(24));
  return request;
}

lv1::IssueCouponsResponse Issue(const lv1::IssueCouponsRequest& request) {
  lv1::IssueCouponsResponse response;
  EXPECT_TRUE(Ok(Loyalty().IssueCoupons(As().get(), request, &response)));
  return response;
}

// Reads every page of a List call: `page` fetches the page of a token,
// appends its items and returns the next token.
template <typename Item>
std::vector<Item> AllPages(
    const std::function<std::string(const std::string&, std::vector<Item>&)>& page) {
  std::vector<Item> items;
  std::string token;
  for (int pages = 0; pages < 100; ++pages) {
    token = page(token, items);
    if (token.empty()) break;
  }
  EXPECT_TRUE(token.empty()) << "more than 100 pages";
  return items;
}

std::vector<lv1::LedgerEntry> Ledger(const std::string& member_id, int page_size = 1000) {
  return AllPages<lv1::LedgerEntry>([&](const std::string& token, auto& out) {
    lv1::ListLedgerEntriesRequest request;
    request.set_member_id(member_id);
    request.set_page_size(page_size);
    request.set_page_token(token);
    lv1::ListLedgerEntriesResponse response;
    EXPECT_TRUE(Ok(Loyalty().ListLedgerEntries(As().get(), request, &response)));
    EXPECT_LE(response.entries_size(), page_size);
    out.insert(out.end(), response.entries().begin(), response.entries().end());
    return response.next_page_token();
  });
}

std::vector<lv1::Member> Members(const std::string& program_id, int page_size,
                                 const std::string& level = "") {
  return AllPages<lv1::Member>([&](const std::string& token, auto& out) {
    lv1::ListMembersRequest request;
    request.set_program_id(program_id);
    request.set_level(level);
    request.set_page_size(page_size);
    request.set_page_token(token);
    lv1::ListMembersResponse response;
    EXPECT_TRUE(Ok(Loyalty().ListMembers(As().get(), request, &response)));
    EXPECT_LE(response.members_size(), page_size);
    out.insert(out.end(), response.members().begin(), response.members().end());
    return response.next_page_token();
  });
}

std::vector<lv1::Reward> Rewards(const std::string& program_id, int page_size,
                                 bool include_unavailable) {
  return AllPages<lv1::Reward>([&](const std::string& token, auto& out) {
    lv1::ListRewardsRequest request;
    request.set_program_id(program_id);
    request.set_page_size(page_size);
    request.set_page_token(token);
    request.set_include_unavailable(include_unavailable);
    lv1::ListRewardsResponse response;
    EXPECT_TRUE(Ok(Loyalty().ListRewards(As().get(), request, &response)));
    EXPECT_LE(response.rewards_size(), page_size);
    out.insert(out.end(), response.rewards().begin(), response.rewards().end());
    return response.next_page_token();
  });
}

std::vector<lv1::Redemption> Redemptions(const std::string& member_id, int page_size) {
  return AllPages<lv1::Redemption>([&](const std::string& token, auto& out) {
    lv1::ListRedemptionsRequest request;
    request.set_member_id(member_id);
    request.set_page_size(page_size);
    request.set_page_token(token);
    lv1::ListRedemptionsResponse response;
    EXPECT_TRUE(Ok(Loyalty().ListRedemptions(As().get(), request, &response)));
    EXPECT_LE(response.redemptions_size(), page_size);
    out.insert(out.end(), response.redemptions().begin(), response.redemptions().end());
    return response.next_page_token();
  });
}

std::vector<lv1::Coupon> Coupons(const std::string& member_id, int page_size = 1000,
                                 bool include_inactive = false) {
  return AllPages<lv1::Coupon>([&](const std::string& token, auto& out) {
    lv1::ListCouponsRequest request;
    request.set_member_id(member_id);
    request.set_page_size(page_size);
    request.set_page_token(token);
    request.set_include_inactive(include_inactive);
    lv1::ListCouponsResponse response;
    EXPECT_TRUE(Ok(Loyalty().ListCoupons(As().get(), request, &response)));
    EXPECT_LE(response.coupons_size(), page_size);
    out.insert(out.end(), response.coupons().begin(), response.coupons().end());
    return response.next_page_token();
  });
}

// The ids of `items` by `id_of`, checking that none repeats.
template <typename Item, typename IdOf>
std::vector<std::string> DistinctIds(const std::vector<Item>& items, IdOf id_of) {
  std::vector<std::string> ids;
  for (const Item& item : items) ids.push_back(id_of(item));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size())
      << "an item came twice across the pages";
  return ids;
}

int64_t Sum(const std::vector<lv1::LedgerEntry>& entries) {
  int64_t sum = 0;
  for (const lv1::LedgerEntry& e : entries) sum += e.points();
  return sum;
}

int Count(const std::vector<lv1::LedgerEntry>& entries, lv1::LedgerEntry::Kind kind) {
  return std::count_if(entries.begin(), entries.end(),
                       [&](const lv1::LedgerEntry& e) { return e.kind() == kind; });
}

// The ledger invariant as the API shows it: the balance is the sum of the
// ledger, and available + pending when nothing lapsed unswept.
void ExpectBalanceIsTheLedger(const std::string& member_id) {
  const lv1::Member member = GetMember(member_id);
  EXPECT_EQ(member.balance(), Sum(Ledger(member_id, 3))) << member.DebugString();
  EXPECT_EQ(member.balance(), member.available_points() + member.pending_points())
      << member.DebugString();
  EXPECT_GE(member.available_points(), -member.debt_points()) << "only a debt goes below zero";
}

// ---------------------------------------------------------------------------
// Programs and rules

TEST(LoyaltyContract, ProgramsAreCreatedOnceAndReadWithTheirRules) {
  const lv1::CreateProgramRequest create = ProgramRequest([](lv1::ProgramRules& r) {
    r.mutable_earning()->set_enrollment_bonus(100);
    r.set_pending_days(7);
  });
  lv1::CreateProgramResponse created, replayed;
  ASSERT_TRUE(Ok(Loyalty().CreateProgram(As().get(), create, &created)));
  const lv1::Program& program = created.program();
  EXPECT_EQ(program.program_id().size(), 26u);
  EXPECT_EQ(program.currency_exponent(), 2u);  // fen unless told otherwise
  EXPECT_EQ(program.rules().version(), 1);
  EXPECT_TRUE(program.rules().has_effective_time());

  // The same request_id answers the first program; with another program it is refused.
  ASSERT_TRUE(Ok(Loyalty().CreateProgram(As().get(), create, &replayed)));
  EXPECT_EQ(replayed.program().program_id(), program.program_id());
  lv1::CreateProgramRequest other = create;
  other.mutable_program()->set_display_name("Another Club");
  Refused(Loyalty().CreateProgram(As().get(), other, &replayed), StatusCode::FAILED_PRECONDITION,
          "IDEMPOTENCY_KEY_REUSED");

  lv1::GetProgramRequest get;
  get.set_program_id(program.program_id());
  lv1::GetProgramResponse got;
  ASSERT_TRUE(Ok(Loyalty().GetProgram(As().get(), get, &got)));
  EXPECT_EQ(got.program().display_name(), create.program().display_name());
  EXPECT_EQ(got.program().currency_code(), "CNY");
  EXPECT_EQ(got.program().rules().version(), 1);
  EXPECT_EQ(got.program().rules().earning().enrollment_bonus(), 100);
  EXPECT_EQ(got.program().rules().pending_days(), 7);

  get.set_program_id(NewId());
  Refused(Loyalty().GetProgram(As().get(), get, &got), StatusCode::NOT_FOUND, "PROGRAM_NOT_FOUND");
  get.set_program_id("not-an-id");
  Refused(Loyalty().GetProgram(As().get(), get, &got), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
}

TEST(LoyaltyContract, CreateProgramRefusesBadFields) {
  const std::vector<std::pair<std::string, std::function<void(lv1::Program&)>>> cases = {
      {"empty name", [](lv1::Program& p) { p.set_display_name(""); }},
      {"currency", [](lv1::Program& p) { p.set_currency_code("yuan"); }},
      {"exponent", [](lv1::Program& p) { p.set_currency_exponent(4); }},
      {"future rules",
       [](lv1::Program& p) {
         *p.mutable_rules()->mutable_effective_time() = At(absl::Now() + absl::Hours(1));
       }},
      {"pending days", [](lv1::Program& p) { p.mutable_rules()->set_pending_days(366); }},
      {"entry level threshold",
       [](lv1::Program& p) {
         SilverAndGold(*p.mutable_rules());
         p.mutable_rules()->mutable_levels()->mutable_levels(0)->set_threshold(5);
       }},
  };
  for (const auto& [name, change] : cases) {
    SCOPED_TRACE(name);
    lv1::CreateProgramRequest request = ProgramRequest();
    change(*request.mutable_program());
    lv1::CreateProgramResponse response;
    Refused(Loyalty().CreateProgram(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
            "INVALID_FIELD");
  }
}

// A new rules version applies from its effective time; purchases dated before
// it earn by the version in force then.
TEST(LoyaltyContract, RulesVersionsApplyFromTheirEffectiveTime) {
  const std::string program_id = NewProgram(InForceSince100DaysAgo);
  const std::string member_id = Enroll(program_id).member_id();

  lv1::UpdateProgramRulesRequest update;
  update.set_request_id(Suite().Unique("rules"));
  update.set_program_id(program_id);
  update.mutable_rules()->mutable_earning()->set_points_per_currency_unit(3);
  lv1::UpdateProgramRulesResponse v2, replayed;
  ASSERT_TRUE(Ok(Loyalty().UpdateProgramRules(As().get(), update, &v2)));
  EXPECT_EQ(v2.rules().version(), 2);
  ASSERT_TRUE(Ok(Loyalty().UpdateProgramRules(As().get(), update, &replayed)));
  EXPECT_EQ(replayed.rules().version(), 2) << "a replay adds no version";

  const lv1::RecordPurchaseResponse today = Buy(member_id, 1000);
  EXPECT_EQ(today.purchase().rules_version(), 2);
  EXPECT_EQ(today.purchase().points_earned(), 30);
  lv1::RecordPurchaseRequest last_month = PurchaseRequest(member_id, 1000);
  *last_month.mutable_purchase()->mutable_purchase_time() = At(absl::Now() - absl::Hours(24 * 30));
  const lv1::RecordPurchaseResponse old = Record(last_month);
  EXPECT_EQ(old.purchase().rules_version(), 1);
  EXPECT_EQ(old.purchase().points_earned(), 10);

  // A version for tomorrow is kept but not yet in force.
  update.set_request_id(Suite().Unique("rules"));
  update.mutable_rules()->mutable_earning()->set_points_per_currency_unit(5);
  *update.mutable_rules()->mutable_effective_time() = At(absl::Now() + absl::Hours(24));
  lv1::UpdateProgramRulesResponse v3;
  ASSERT_TRUE(Ok(Loyalty().UpdateProgramRules(As().get(), update, &v3)));
  EXPECT_EQ(v3.rules().version(), 3);
  lv1::GetProgramRequest get;
  get.set_program_id(program_id);
  lv1::GetProgramResponse got;
  ASSERT_TRUE(Ok(Loyalty().GetProgram(As().get(), get, &got)));
  EXPECT_EQ(got.program().rules().version(), 2);
  EXPECT_EQ(got.program().rules().earning().points_per_currency_unit(), 3u);
  EXPECT_EQ(Buy(member_id, 1000).purchase().points_earned(), 30);

  // Refusals: the same request_id with other rules, a past effective time, bad
  // rules, an unknown program.
  lv1::UpdateProgramRulesRequest other = update;
  other.mutable_rules()->mutable_earning()->set_points_per_currency_unit(6);
  Refused(Loyalty().UpdateProgramRules(As().get(), other, &v3), StatusCode::FAILED_PRECONDITION,
          "IDEMPOTENCY_KEY_REUSED");
  update.set_request_id(Suite().Unique("rules"));
  *update.mutable_rules()->mutable_effective_time() = At(absl::Now() - absl::Hours(1));
  Refused(Loyalty().UpdateProgramRules(As().get(), update, &v3), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
  update.mutable_rules()->clear_effective_time();
  update.mutable_rules()->mutable_expiry()->set_kind(lv1::ExpiryPolicy::KIND_MONTHS_AFTER_EARNING);
  update.mutable_rules()->mutable_expiry()->set_months(0);
  Refused(Loyalty().UpdateProgramRules(As().get(), update, &v3), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
  update.mutable_rules()->clear_expiry();
  update.set_program_id(NewId());
  Refused(Loyalty().UpdateProgramRules(As().get(), update, &v3), StatusCode::NOT_FOUND,
          "PROGRAM_NOT_FOUND");
}

// ---------------------------------------------------------------------------
// Members

TEST(LoyaltyContract, EnrollmentGrantsTheBonusOnceAndRefusesASecondEnrollment) {
  const std::string program_id =
      NewProgram([](lv1::ProgramRules& r) { r.mutable_earning()->set_enrollment_bonus(100); });
  const lv1::EnrollMemberRequest enroll = EnrollRequest(program_id);
  lv1::EnrollMemberResponse enrolled, again;
  ASSERT_TRUE(Ok(Loyalty().EnrollMember(As().get(), enroll, &enrolled)));
  const lv1::Member& member = enrolled.member();
  EXPECT_EQ(member.program_id(), program_id);
  EXPECT_EQ(member.customer_id(), enroll.customer_id());
  EXPECT_EQ(member.balance(), 100);
  EXPECT_EQ(member.available_points(), 100);
  EXPECT_EQ(member.lifetime_earned(), 100);

  // A retry with the same request_id is the first enrollment, not a second one.
  ASSERT_TRUE(Ok(Loyalty().EnrollMember(As().get(), enroll, &again)));
  EXPECT_EQ(again.member().member_id(), member.member_id());
  lv1::EnrollMemberRequest reused = enroll;
  reused.set_customer_id(NewId());
  Refused(Loyalty().EnrollMember(As().get(), reused, &again), StatusCode::FAILED_PRECONDITION,
          "IDEMPOTENCY_KEY_REUSED");
  lv1::EnrollMemberRequest second = enroll;
  second.set_request_id(Suite().Unique("enroll"));
  const grpc::Status status = Loyalty().EnrollMember(As().get(), second, &again);
  Refused(status, StatusCode::ALREADY_EXISTS, "ALREADY_ENROLLED");
  EXPECT_EQ(ErrorMetadata(status)["member_id"], member.member_id());

  const lv1::Member read = GetMember(member.member_id());
  EXPECT_EQ(read.balance(), 100) << "the bonus is granted once";
  EXPECT_EQ(Ledger(member.member_id()).size(), 1u);

  lv1::GetMemberRequest get;
  get.set_member_id(NewId());
  lv1::GetMemberResponse got;
  Refused(Loyalty().GetMember(As().get(), get, &got), StatusCode::NOT_FOUND, "MEMBER_NOT_FOUND");
  get.set_member_id("42");
  Refused(Loyalty().GetMember(As().get(), get, &got), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
}

TEST(LoyaltyContract, EnrollMemberRefusesBadFieldsAndUnknownPrograms) {
  const std::string program_id = NewProgram();
  const std::vector<std::pair<std::string, std::function<void(lv1::EnrollMemberRequest&)>>> cases =
      {
          {"customer id", [](auto& r) { r.set_customer_id("someone"); }},
          {"no customer", [](auto& r) { r.clear_customer_id(); }},
          {"30 February", [](auto& r) { r.set_birth_month(2), r.set_birth_day(30); }},
          {"month only", [](auto& r) { r.set_birth_month(5); }},
          {"month 13", [](auto& r) { r.set_birth_month(13), r.set_birth_day(1); }},
          {"program id", [](auto& r) { r.set_program_id("club"); }},
      };
  lv1::EnrollMemberResponse response;
  for (const auto& [name, change] : cases) {
    SCOPED_TRACE(name);
    lv1::EnrollMemberRequest request = EnrollRequest(program_id);
    change(request);
    Refused(Loyalty().EnrollMember(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
            "INVALID_FIELD");
  }
  lv1::EnrollMemberRequest leap = EnrollRequest(program_id);
  leap.set_birth_month(2);
  leap.set_birth_day(29);
  ASSERT_TRUE(Ok(Loyalty().EnrollMember(As().get(), leap, &response)));
  EXPECT_EQ(response.member().birth_month(), 2);
  EXPECT_EQ(response.member().birth_day(), 29);
  Refused(Loyalty().EnrollMember(As().get(), EnrollRequest(NewId()), &response),
          StatusCode::NOT_FOUND, "PROGRAM_NOT_FOUND");
}

// The till scans a member card: identify resolves it to the customer, loyalty
// to the customer's member of the program.
TEST(LoyaltyContract, IdentifyMemberFindsTheMemberByTheCardHeldInIdentify) {
  const std::string member_card = Suite().Unique("card");
  const std::string other_card = Suite().Unique("card");
  const std::string customer_id = NewCustomer("Han Meimei", member_card);
  NewCustomer("Li Lei", other_card);

  const std::string program_id = NewProgram();
  lv1::EnrollMemberRequest enroll;
  enroll.set_program_id(program_id);
  *enroll.mutable_customer_identifier() = Card(member_card);
  lv1::EnrollMemberResponse enrolled;
  ASSERT_TRUE(Ok(Loyalty().EnrollMember(As().get(), enroll, &enrolled)));
  EXPECT_EQ(enrolled.member().customer_id(), customer_id);

  lv1::IdentifyMemberRequest who;
  who.set_program_id(program_id);
  *who.mutable_identifier() = Card(member_card);
  lv1::IdentifyMemberResponse found;
  ASSERT_TRUE(Ok(Loyalty().IdentifyMember(As().get(), who, &found)));
  EXPECT_EQ(found.member().member_id(), enrolled.member().member_id());

  // The purchase goes in by the card too, and a retry by member id is its replay.
  lv1::RecordPurchaseRequest by_card = PurchaseRequest("", 2000);
  by_card.set_program_id(program_id);
  *by_card.mutable_customer_identifier() = Card(member_card);
  const lv1::RecordPurchaseResponse bought = Record(by_card);
  EXPECT_EQ(bought.purchase().member_id(), enrolled.member().member_id());
  EXPECT_EQ(bought.member().balance(), 20);
  lv1::RecordPurchaseRequest by_id = by_card;
  by_id.clear_customer_identifier();
  by_id.mutable_purchase()->set_member_id(enrolled.member().member_id());
  EXPECT_TRUE(Record(by_id).replayed());

  *who.mutable_identifier() = Card(other_card);
  Refused(Loyalty().IdentifyMember(As().get(), who, &found), StatusCode::NOT_FOUND, "NOT_A_MEMBER");
  *who.mutable_identifier() = Card(Suite().Unique("nocard"));
  Refused(Loyalty().IdentifyMember(As().get(), who, &found), StatusCode::NOT_FOUND,
          "CUSTOMER_NOT_FOUND");
  who.clear_identifier();
  Refused(Loyalty().IdentifyMember(As().get(), who, &found), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
  *who.mutable_identifier() = Card(member_card);
  who.set_program_id("club");
  Refused(Loyalty().IdentifyMember(As().get(), who, &found), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
}

TEST(LoyaltyContract, ListMembersPagesByMemberIdWithoutDuplicates) {
  const std::string program_id = NewProgram(SilverAndGold);
  std::vector<std::string> enrolled;
  for (int i = 0; i < 5; ++i) enrolled.push_back(Enroll(program_id).member_id());
  std::sort(enrolled.begin(), enrolled.end());

  const std::vector<lv1::Member> members = Members(program_id, 2);
  EXPECT_EQ(DistinctIds(members, [](const lv1::Member& m) { return m.member_id(); }), enrolled)
      << "every member once, by member id";
  for (const lv1::Member& m : members) EXPECT_EQ(m.level(), "silver");

  // One member reaches gold: the level filter lists only it.
  Buy(enrolled[2], 10000);
  const std::vector<lv1::Member> gold = Members(program_id, 1, "gold");
  ASSERT_EQ(gold.size(), 1u);
  EXPECT_EQ(gold[0].member_id(), enrolled[2]);
  EXPECT_EQ(Members(program_id, 1000, "silver").size(), 4u);

  lv1::ListMembersRequest request;
  request.set_program_id(program_id);
  request.set_page_size(2);
  lv1::ListMembersResponse first, response;
  ASSERT_TRUE(Ok(Loyalty().ListMembers(As().get(), request, &first)));
  ASSERT_FALSE(first.next_page_token().empty());
  request.set_page_token("bm90IGEgdG9rZW4gYXQgYWxsIQ");
  Refused(Loyalty().ListMembers(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_PAGE_TOKEN");
  request.set_page_token(first.next_page_token());
  request.set_level("gold");  // the token was for all levels
  Refused(Loyalty().ListMembers(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_PAGE_TOKEN");
  request.clear_page_token();
  request.set_level("platinum");
  Refused(Loyalty().ListMembers(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
  request.clear_level();
  request.set_page_size(1001);
  Refused(Loyalty().ListMembers(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
  request.set_page_size(10);
  request.set_program_id(NewId());
  Refused(Loyalty().ListMembers(As().get(), request, &response), StatusCode::NOT_FOUND,
          "PROGRAM_NOT_FOUND");
}

// ---------------------------------------------------------------------------
// Purchases, returns and adjustments

TEST(LoyaltyContract, PurchasesEarnOnceAndReplayByTransactionId) {
  const std::string program_id =
      NewProgram([](lv1::ProgramRules& r) { r.mutable_earning()->set_first_purchase_bonus(50); });
  const std::string member_id = Enroll(program_id).member_id();

  const lv1::RecordPurchaseRequest buy = PurchaseRequest(member_id, 12550);  // 125.50 yuan
  lv1::RecordPurchaseResponse first, replay;
  ASSERT_TRUE(Ok(Loyalty().RecordPurchase(As().get(), buy, &first)));
  EXPECT_FALSE(first.replayed());
  EXPECT_EQ(first.purchase().total_minor(), 12550);
  EXPECT_EQ(first.purchase().points_earned(), 125 + 50);
  EXPECT_EQ(first.member().balance(), 175);
  EXPECT_EQ(first.member().purchase_count(), 1);

  ASSERT_TRUE(Ok(Loyalty().RecordPurchase(As().get(), buy, &replay)));
  EXPECT_TRUE(replay.replayed());
  EXPECT_EQ(replay.purchase().purchase_id(), first.purchase().purchase_id());
  EXPECT_EQ(replay.purchase().points_earned(), first.purchase().points_earned());
  EXPECT_EQ(GetMember(member_id).balance(), 175) << "a replay adds nothing";

  lv1::RecordPurchaseRequest changed = buy;
  changed.mutable_purchase()->mutable_lines(0)->set_amount_minor(99999);
  Refused(Loyalty().RecordPurchase(As().get(), changed, &replay), StatusCode::ALREADY_EXISTS,
          "TRANSACTION_ID_REUSED");

  // The first-purchase bonus comes once.
  EXPECT_EQ(Buy(member_id, 1000).purchase().points_earned(), 10);
  const lv1::Member member = GetMember(member_id);
  EXPECT_EQ(member.purchase_count(), 2);
  EXPECT_EQ(member.balance(), 185);
  ExpectBalanceIsTheLedger(member_id);

  lv1::RecordPurchaseRequest unknown = PurchaseRequest(NewId(), 1000);
  Refused(Loyalty().RecordPurchase(As().get(), unknown, &replay), StatusCode::NOT_FOUND,
          "MEMBER_NOT_FOUND");
}

TEST(LoyaltyContract, RecordPurchaseRefusesBadFields) {
  const std::string member_id = Enroll(NewProgram()).member_id();
  const std::vector<std::pair<std::string, std::function<void(lv1::Purchase&)>>> cases = {
      {"member id", [](lv1::Purchase& p) { p.set_member_id("m1"); }},
      {"no transaction id", [](lv1::Purchase& p) { p.clear_source_transaction_id(); }},
      {"no lines", [](lv1::Purchase& p) { p.clear_lines(); }},
      {"negative amount", [](lv1::Purchase& p) { p.mutable_lines(0)->set_amount_minor(-1); }},
      {"quantity 0", [](lv1::Purchase& p) { p.mutable_lines(0)->set_quantity(0); }},
      {"no sku", [](lv1::Purchase& p) { p.mutable_lines(0)->clear_sku(); }},
      {"future",
       [](lv1::Purchase& p) { *p.mutable_purchase_time() = At(absl::Now() + absl::Hours(1)); }},
      {"bad coupon id", [](lv1::Purchase& p) { p.add_coupon_ids("coupon-1"); }},
  };
  for (const auto& [name, change] : cases) {
    SCOPED_TRACE(name);
    lv1::RecordPurchaseRequest request = PurchaseRequest(member_id, 1000);
    change(*request.mutable_purchase());
    lv1::RecordPurchaseResponse response;
    Refused(Loyalty().RecordPurchase(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
            "INVALID_FIELD");
  }
  EXPECT_EQ(GetMember(member_id).purchase_count(), 0) << "nothing was recorded";
}

// Points come back in proportion to the amount returned, never more than the
// purchase; the return is idempotent by its source return id.
TEST(LoyaltyContract, ReturnsTakeBackPointsInProportionOnce) {
  const std::string program_id = NewProgram([](lv1::ProgramRules& r) { r.set_pending_days(30); });
  const std::string member_id = Enroll(program_id).member_id();
  const lv1::RecordPurchaseResponse bought = Buy(member_id, 10000);
  ASSERT_EQ(bought.member().pending_points(), 100);
  const std::string txn = bought.purchase().source_transaction_id();

  const lv1::RecordReturnRequest quarter = ReturnRequest(member_id, txn, 2500);
  lv1::RecordReturnResponse returned, replay;
  ASSERT_TRUE(Ok(Loyalty().RecordReturn(As().get(), quarter, &returned)));
  EXPECT_FALSE(returned.replayed());
  EXPECT_EQ(returned.points_reversed(), 25);
  EXPECT_EQ(returned.points_not_reversed(), 0);
  EXPECT_EQ(returned.member().pending_points(), 75);
  ASSERT_TRUE(Ok(Loyalty().RecordReturn(As().get(), quarter, &replay)));
  EXPECT_TRUE(replay.replayed());
  EXPECT_EQ(replay.points_reversed(), 25);
  EXPECT_EQ(GetMember(member_id).balance(), 75) << "a replay takes nothing more";

  // The proto names no error for a return id reused with another amount: the
  // service answers ALREADY_EXISTS / RETURN_ID_REUSED.
  lv1::RecordReturnRequest reused = quarter;
  reused.set_amount_minor(1000);
  Refused(Loyalty().RecordReturn(As().get(), reused, &replay), StatusCode::ALREADY_EXISTS,
          "RETURN_ID_REUSED");
  lv1::RecordReturnRequest too_much = ReturnRequest(member_id, txn, 7501);
  Refused(Loyalty().RecordReturn(As().get(), too_much, &returned), StatusCode::FAILED_PRECONDITION,
          "RETURN_EXCEEDS_PURCHASE");
  // 0 returns the rest; after that nothing is left to return.
  ASSERT_TRUE(Ok(Loyalty().RecordReturn(As().get(), ReturnRequest(member_id, txn, 0), &returned)));
  EXPECT_EQ(returned.points_reversed(), 75);
  EXPECT_EQ(returned.member().balance(), 0);
  Refused(Loyalty().RecordReturn(As().get(), ReturnRequest(member_id, txn, 1), &returned),
          StatusCode::FAILED_PRECONDITION, "RETURN_EXCEEDS_PURCHASE");
  const std::vector<lv1::LedgerEntry> ledger = Ledger(member_id);
  EXPECT_EQ(Count(ledger, lv1::LedgerEntry::KIND_REVERSE), 2);
  ExpectBalanceIsTheLedger(member_id);

  Refused(Loyalty().RecordReturn(As().get(), ReturnRequest(member_id, Suite().Unique("till"), 100),
                                 &returned),
          StatusCode::NOT_FOUND, "PURCHASE_NOT_FOUND");
  // Another member's purchase is not this member's to return.
  const std::string other = Enroll(program_id).member_id();
  Refused(Loyalty().RecordReturn(As().get(), ReturnRequest(other, txn, 100), &returned),
          StatusCode::NOT_FOUND, "PURCHASE_NOT_FOUND");
  lv1::RecordReturnRequest bad = ReturnRequest(member_id, txn, 100);
  bad.clear_source_return_id();
  Refused(Loyalty().RecordReturn(As().get(), bad, &returned), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
  bad = ReturnRequest(member_id, txn, -5);
  Refused(Loyalty().RecordReturn(As().get(), bad, &returned), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
}

// What a return takes back depends on the program's return policy.
TEST(LoyaltyContract, ReturnPoliciesDecideWhatIsTakenBack) {
  auto returned_after_spending = [](lv1::ReturnPolicy policy) {
    const std::string program_id =
        NewProgram([&](lv1::ProgramRules& r) { r.set_return_policy(policy); });
    const std::string member_id = Enroll(program_id).member_id();
    const lv1::RecordPurchaseResponse bought = Buy(member_id, 10000);  // 100, spendable now
    Adjust(member_id, -60);
    lv1::RecordReturnResponse returned;
    EXPECT_TRUE(Ok(Loyalty().RecordReturn(
        As().get(), ReturnRequest(member_id, bought.purchase().source_transaction_id(), 0),
        &returned)));
    ExpectBalanceIsTheLedger(member_id);
    return returned;
  };
  const lv1::RecordReturnResponse pending_only =
      returned_after_spending(lv1::RETURN_POLICY_REVERSE_PENDING_ONLY);
  EXPECT_EQ(pending_only.points_reversed(), 0);
  EXPECT_EQ(pending_only.points_not_reversed(), 100);
  EXPECT_EQ(pending_only.member().balance(), 40);

  const lv1::RecordReturnResponse within =
      returned_after_spending(lv1::RETURN_POLICY_REVERSE_WITHIN_BALANCE);
  EXPECT_EQ(within.points_reversed(), 40);
  EXPECT_EQ(within.points_not_reversed(), 60);
  EXPECT_EQ(within.member().balance(), 0);

  const lv1::RecordReturnResponse negative =
      returned_after_spending(lv1::RETURN_POLICY_ALLOW_NEGATIVE);
  EXPECT_EQ(negative.points_reversed(), 100);
  EXPECT_EQ(negative.points_not_reversed(), 0);
  EXPECT_EQ(negative.member().debt_points(), 60);
  EXPECT_EQ(negative.member().balance(), -60);
}

TEST(LoyaltyContract, AdjustmentsApplyOnceAndNeverOverdraw) {
  const std::string member_id = Enroll(NewProgram()).member_id();
  lv1::AdjustPointsRequest add = AdjustRequest(member_id, 50);
  add.set_reference("complaint-7");
  lv1::AdjustPointsResponse added, replay;
  ASSERT_TRUE(Ok(Loyalty().AdjustPoints(As().get(), add, &added)));
  EXPECT_EQ(added.entry().kind(), lv1::LedgerEntry::KIND_ADJUST);
  EXPECT_EQ(added.entry().points(), 50);
  EXPECT_EQ(added.entry().reason(), "goodwill");
  EXPECT_EQ(added.member().available_points(), 50);
  ASSERT_TRUE(Ok(Loyalty().AdjustPoints(As().get(), add, &replay)));
  EXPECT_EQ(replay.entry().entry_id(), added.entry().entry_id());
  EXPECT_EQ(GetMember(member_id).balance(), 50) << "the replay applied nothing";
  lv1::AdjustPointsRequest changed = add;
  changed.set_points(60);
  Refused(Loyalty().AdjustPoints(As().get(), changed, &replay), StatusCode::FAILED_PRECONDITION,
          "IDEMPOTENCY_KEY_REUSED");

  const grpc::Status overdraw =
      Loyalty().AdjustPoints(As().get(), AdjustRequest(member_id, -51), &replay);
  Refused(overdraw, StatusCode::FAILED_PRECONDITION, "INSUFFICIENT_POINTS");
  EXPECT_EQ(ErrorMetadata(overdraw)["available_points"], "50");
  EXPECT_EQ(Adjust(member_id, -50).member().balance(), 0);

  const std::vector<std::pair<std::string, std::function<void(lv1::AdjustPointsRequest&)>>> cases =
      {
          {"no request id", [](auto& r) { r.clear_request_id(); }},
          {"zero points", [](auto& r) { r.set_points(0); }},
          {"too many points", [](auto& r) { r.set_points(1'000'000'001); }},
          {"no reason", [](auto& r) { r.clear_reason(); }},
          {"long reference", [](auto& r) { r.set_reference(std::string(101, 'r')); }},
          {"member id", [](auto& r) { r.set_member_id("member"); }},
      };
  for (const auto& [name, change] : cases) {
    SCOPED_TRACE(name);
    lv1::AdjustPointsRequest request = AdjustRequest(member_id, 5);
    change(request);
    Refused(Loyalty().AdjustPoints(As().get(), request, &replay), StatusCode::INVALID_ARGUMENT,
            "INVALID_FIELD");
  }
  Refused(Loyalty().AdjustPoints(As().get(), AdjustRequest(NewId(), 5), &replay),
          StatusCode::NOT_FOUND, "MEMBER_NOT_FOUND");
}

// ---------------------------------------------------------------------------
// The ledger

// balance = sum of the ledger, whatever happened to the member.
TEST(LoyaltyContract, TheBalanceIsTheSumOfTheLedger) {
  const std::string program_id = NewProgram([](lv1::ProgramRules& r) {
    r.mutable_earning()->set_enrollment_bonus(20);
    r.mutable_earning()->set_first_purchase_bonus(5);
    r.set_return_policy(lv1::RETURN_POLICY_REVERSE_WITHIN_BALANCE);
  });
  const std::string member_id = Enroll(program_id).member_id();
  const lv1::RecordPurchaseResponse bought = Buy(member_id, 30000);
  Buy(member_id, 4599);
  Adjust(member_id, 33);
  Adjust(member_id, -7);
  const lv1::Reward reward = NewReward(program_id, 40);
  const lv1::RedeemRewardResponse kept = Redeem(member_id, reward.reward_id());
  const lv1::RedeemRewardResponse undone = Redeem(member_id, reward.reward_id());
  lv1::CancelRedemptionResponse cancelled;
  ASSERT_TRUE(Ok(Loyalty().CancelRedemption(
      As().get(), CancelRequest(undone.redemption().redemption_id()), &cancelled)));
  lv1::RecordReturnResponse returned;
  ASSERT_TRUE(Ok(Loyalty().RecordReturn(
      As().get(), ReturnRequest(member_id, bought.purchase().source_transaction_id(), 10000),
      &returned)));

  const std::vector<lv1::LedgerEntry> ledger = Ledger(member_id);
  const int64_t expected = 20 + 300 + 5 + 45 + 33 - 7 - 40 - 40 + 40 - 100;
  EXPECT_EQ(Sum(ledger), expected);
  EXPECT_EQ(GetMember(member_id).balance(), expected);
  ExpectBalanceIsTheLedger(member_id);
  int64_t earned = 0;
  for (const lv1::LedgerEntry& e : ledger) {
    EXPECT_EQ(e.member_id(), member_id);
    if (e.kind() == lv1::LedgerEntry::KIND_EARN || e.kind() == lv1::LedgerEntry::KIND_BONUS) {
      earned += e.points();
    }
  }
  EXPECT_EQ(GetMember(member_id).lifetime_earned(), earned);
  EXPECT_EQ(Count(ledger, lv1::LedgerEntry::KIND_REDEEM), 2);
  EXPECT_EQ(Count(ledger, lv1::LedgerEntry::KIND_REFUND), 1);
  EXPECT_EQ(Count(ledger, lv1::LedgerEntry::KIND_REVERSE), 1);
  EXPECT_EQ(kept.redemption().points(), 40);
}

TEST(LoyaltyContract, LedgerPagesNewestFirstWithoutDuplicates) {
  const std::string member_id = Enroll(NewProgram()).member_id();
  for (int i = 1; i <= 7; ++i) Adjust(member_id, i);
  const std::vector<lv1::LedgerEntry> entries = Ledger(member_id, 3);
  ASSERT_EQ(entries.size(), 7u);
  DistinctIds(entries, [](const lv1::LedgerEntry& e) { return absl::StrCat(e.entry_id()); });
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].points(), 7 - static_cast<int64_t>(i)) << "newest first";
    if (i > 0) {
      EXPECT_LT(entries[i].entry_id(), entries[i - 1].entry_id());
    }
  }

  lv1::ListLedgerEntriesRequest request;
  request.set_member_id(member_id);
  request.set_page_size(3);
  lv1::ListLedgerEntriesResponse first, response;
  ASSERT_TRUE(Ok(Loyalty().ListLedgerEntries(As().get(), request, &first)));
  EXPECT_EQ(first.entries_size(), 3);
  request.set_page_token("garbage");
  Refused(Loyalty().ListLedgerEntries(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_PAGE_TOKEN");
  // A token belongs to its member.
  request.set_member_id(Enroll(NewProgram()).member_id());
  request.set_page_token(first.next_page_token());
  Refused(Loyalty().ListLedgerEntries(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_PAGE_TOKEN");
  request.clear_page_token();
  request.set_page_size(-1);
  Refused(Loyalty().ListLedgerEntries(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
  request.set_page_size(1001);
  Refused(Loyalty().ListLedgerEntries(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
  request.set_page_size(10);
  request.set_member_id(NewId());
  Refused(Loyalty().ListLedgerEntries(As().get(), request, &response), StatusCode::NOT_FOUND,
          "MEMBER_NOT_FOUND");
}

// ---------------------------------------------------------------------------
// Rewards and redemptions

TEST(LoyaltyContract, RewardsAreListedWhileRedeemable) {
  const std::string program_id = NewProgram();
  lv1::CreateRewardRequest create;
  create.set_request_id(Suite().Unique("reward"));
  create.mutable_reward()->set_program_id(program_id);
  create.mutable_reward()->set_display_name("coffee");
  create.mutable_reward()->set_cost_points(15);
  create.mutable_reward()->set_stock(3);
  lv1::CreateRewardResponse coffee, replay;
  ASSERT_TRUE(Ok(Loyalty().CreateReward(As().get(), create, &coffee)));
  EXPECT_EQ(coffee.reward().stock(), 3);
  EXPECT_EQ(coffee.reward().min_points(), 15) << "not partial: the full cost";
  ASSERT_TRUE(Ok(Loyalty().CreateReward(As().get(), create, &replay)));
  EXPECT_EQ(replay.reward().reward_id(), coffee.reward().reward_id());
  lv1::CreateRewardRequest changed = create;
  changed.mutable_reward()->set_cost_points(16);
  Refused(Loyalty().CreateReward(As().get(), changed, &replay), StatusCode::FAILED_PRECONDITION,
          "IDEMPOTENCY_KEY_REUSED");

  const std::string tea = NewReward(program_id, 10).reward_id();
  const std::string cake = NewReward(program_id, 20).reward_id();
  const std::string later = NewReward(program_id, 10, [](lv1::Reward& r) {
                              *r.mutable_start_time() = At(absl::Now() + absl::Hours(24));
                            }).reward_id();
  const std::string gone =
      NewReward(program_id, 10, [](lv1::Reward& r) { r.set_stock(0); }).reward_id();
  std::vector<std::string> available = {coffee.reward().reward_id(), tea, cake};
  std::vector<std::string> all = {coffee.reward().reward_id(), tea, cake, later, gone};
  std::sort(available.begin(), available.end());
  std::sort(all.begin(), all.end());
  auto id = [](const lv1::Reward& r) { return r.reward_id(); };
  EXPECT_EQ(DistinctIds(Rewards(program_id, 2, false), id), available);
  EXPECT_EQ(DistinctIds(Rewards(program_id, 2, true), id), all);

  lv1::ListRewardsRequest request;
  request.set_program_id(program_id);
  request.set_page_size(1);
  lv1::ListRewardsResponse first, response;
  ASSERT_TRUE(Ok(Loyalty().ListRewards(As().get(), request, &first)));
  request.set_page_token(first.next_page_token());
  request.set_include_unavailable(true);  // the token was for the available ones
  Refused(Loyalty().ListRewards(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_PAGE_TOKEN");
  request.set_page_token("x");
  Refused(Loyalty().ListRewards(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_PAGE_TOKEN");
  request.clear_page_token();
  request.set_page_size(1001);
  Refused(Loyalty().ListRewards(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
  request.set_page_size(10);
  request.set_program_id(NewId());
  Refused(Loyalty().ListRewards(As().get(), request, &response), StatusCode::NOT_FOUND,
          "PROGRAM_NOT_FOUND");

  const std::vector<std::pair<std::string, std::function<void(lv1::Reward&)>>> cases = {
      {"no cost", [](lv1::Reward& r) { r.set_cost_points(0); }},
      {"no name", [](lv1::Reward& r) { r.clear_display_name(); }},
      {"negative stock", [](lv1::Reward& r) { r.set_stock(-1); }},
      {"ends before it starts",
       [](lv1::Reward& r) { *r.mutable_end_time() = At(absl::Now() - absl::Hours(1)); }},
      {"partial below 1", [](lv1::Reward& r) { r.set_allow_partial(true), r.set_min_points(0); }},
      {"program id", [](lv1::Reward& r) { r.set_program_id("p"); }},
  };
  for (const auto& [name, change] : cases) {
    SCOPED_TRACE(name);
    lv1::CreateRewardRequest bad = create;
    bad.set_request_id(Suite().Unique("reward"));
    change(*bad.mutable_reward());
    Refused(Loyalty().CreateReward(As().get(), bad, &replay), StatusCode::INVALID_ARGUMENT,
            "INVALID_FIELD");
  }
  lv1::CreateRewardRequest elsewhere = create;
  elsewhere.set_request_id(Suite().Unique("reward"));
  elsewhere.mutable_reward()->set_program_id(NewId());
  Refused(Loyalty().CreateReward(As().get(), elsewhere, &replay), StatusCode::NOT_FOUND,
          "PROGRAM_NOT_FOUND");
}

TEST(LoyaltyContract, RedemptionsSpendPointsOnceAndRefuseWhatTheyCannot) {
  const std::string program_id = NewProgram();
  const std::string member_id = Enroll(program_id).member_id();
  Adjust(member_id, 100);
  const lv1::Reward reward = NewReward(program_id, 30, [](lv1::Reward& r) { r.set_stock(5); });

  const lv1::RedeemRewardRequest redeem = RedeemRequest(member_id, reward.reward_id());
  lv1::RedeemRewardResponse first, replay;
  ASSERT_TRUE(Ok(Loyalty().RedeemReward(As().get(), redeem, &first)));
  EXPECT_EQ(first.redemption().state(), lv1::Redemption::STATE_REDEEMED);
  EXPECT_EQ(first.redemption().points(), 30);
  EXPECT_EQ(first.redemption().full_points(), 30);
  EXPECT_EQ(first.redemption().quantity(), 1);
  EXPECT_EQ(first.member().available_points(), 70);
  ASSERT_TRUE(Ok(Loyalty().RedeemReward(As().get(), redeem, &replay)));
  EXPECT_EQ(replay.redemption().redemption_id(), first.redemption().redemption_id());
  EXPECT_EQ(GetMember(member_id).available_points(), 70) << "the replay spent nothing";
  lv1::RedeemRewardRequest changed = redeem;
  changed.set_quantity(2);
  Refused(Loyalty().RedeemReward(As().get(), changed, &replay), StatusCode::FAILED_PRECONDITION,
          "IDEMPOTENCY_KEY_REUSED");

  // Three more units cost 90 of the 70 left.
  lv1::RedeemRewardRequest three = RedeemRequest(member_id, reward.reward_id());
  three.set_quantity(3);
  Refused(Loyalty().RedeemReward(As().get(), three, &replay), StatusCode::FAILED_PRECONDITION,
          "INSUFFICIENT_POINTS");
  lv1::RedeemRewardRequest two = RedeemRequest(member_id, reward.reward_id());
  two.set_quantity(2);
  ASSERT_TRUE(Ok(Loyalty().RedeemReward(As().get(), two, &replay)));
  EXPECT_EQ(replay.redemption().points(), 60);
  EXPECT_EQ(replay.member().available_points(), 10);

  Adjust(member_id, 1000);
  lv1::RedeemRewardRequest six = RedeemRequest(member_id, reward.reward_id());
  six.set_quantity(3);  // 2 of the 5 are left
  Refused(Loyalty().RedeemReward(As().get(), six, &replay), StatusCode::FAILED_PRECONDITION,
          "OUT_OF_STOCK");
  const lv1::Reward later = NewReward(program_id, 10, [](lv1::Reward& r) {
    *r.mutable_start_time() = At(absl::Now() + absl::Hours(24));
  });
  Refused(Loyalty().RedeemReward(As().get(), RedeemRequest(member_id, later.reward_id()), &replay),
          StatusCode::FAILED_PRECONDITION, "REWARD_NOT_AVAILABLE");
  const lv1::Reward elsewhere = NewReward(NewProgram(), 10);
  Refused(
      Loyalty().RedeemReward(As().get(), RedeemRequest(member_id, elsewhere.reward_id()), &replay),
      StatusCode::NOT_FOUND, "REWARD_NOT_FOUND");
  Refused(Loyalty().RedeemReward(As().get(), RedeemRequest(NewId(), reward.reward_id()), &replay),
          StatusCode::NOT_FOUND, "MEMBER_NOT_FOUND");

  // Partly in points: at least min_points per unit.
  const lv1::Reward partial = NewReward(program_id, 100, [](lv1::Reward& r) {
    r.set_allow_partial(true);
    r.set_min_points(40);
  });
  lv1::RedeemRewardRequest part = RedeemRequest(member_id, partial.reward_id());
  part.set_points(50);
  ASSERT_TRUE(Ok(Loyalty().RedeemReward(As().get(), part, &replay)));
  EXPECT_EQ(replay.redemption().points(), 50);
  EXPECT_EQ(replay.redemption().full_points(), 100);
  part = RedeemRequest(member_id, partial.reward_id());
  part.set_points(39);
  Refused(Loyalty().RedeemReward(As().get(), part, &replay), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
  part = RedeemRequest(member_id, reward.reward_id());
  part.set_points(10);  // not a partial reward
  Refused(Loyalty().RedeemReward(As().get(), part, &replay), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");

  const std::vector<std::pair<std::string, std::function<void(lv1::RedeemRewardRequest&)>>> cases =
      {
          {"no request id", [](auto& r) { r.clear_request_id(); }},
          {"quantity", [](auto& r) { r.set_quantity(1001); }},
          {"negative points", [](auto& r) { r.set_points(-1); }},
          {"reward id", [](auto& r) { r.set_reward_id("coffee"); }},
      };
  for (const auto& [name, change] : cases) {
    SCOPED_TRACE(name);
    lv1::RedeemRewardRequest bad = RedeemRequest(member_id, reward.reward_id());
    change(bad);
    Refused(Loyalty().RedeemReward(As().get(), bad, &replay), StatusCode::INVALID_ARGUMENT,
            "INVALID_FIELD");
  }
  ExpectBalanceIsTheLedger(member_id);
}

// Four concurrent redemptions of 40 points by a member holding 100: exactly
// two are paid, the others are refused, the balance never goes below zero.
TEST(LoyaltyContract, ConcurrentRedemptionsNeverOverspend) {
  const std::string program_id = NewProgram();
  const std::string member_id = Enroll(program_id).member_id();
  Adjust(member_id, 100);
  const lv1::Reward reward = NewReward(program_id, 40);
  std::vector<grpc::Status> outcomes(4);
  std::vector<std::thread> spenders;
  std::vector<lv1::RedeemRewardRequest> requests;
  for (int i = 0; i < 4; ++i) requests.push_back(RedeemRequest(member_id, reward.reward_id()));
  for (int i = 0; i < 4; ++i) {
    spenders.emplace_back([&, i] {
      lv1::RedeemRewardResponse response;
      outcomes[i] = Loyalty().RedeemReward(As().get(), requests[i], &response);
    });
  }
  for (std::thread& t : spenders) t.join();
  int paid = 0;
  for (const grpc::Status& status : outcomes) {
    if (status.ok()) {
      ++paid;
    } else {
      Refused(status, StatusCode::FAILED_PRECONDITION, "INSUFFICIENT_POINTS");
    }
  }
  EXPECT_EQ(paid, 2);
  const lv1::Member member = GetMember(member_id);
  EXPECT_EQ(member.available_points(), 20);
  EXPECT_EQ(member.balance(), 20);
  EXPECT_EQ(Redemptions(member_id, 10).size(), 2u);
  ExpectBalanceIsTheLedger(member_id);
}

TEST(LoyaltyContract, CancellationGivesThePointsAndStockBackOnce) {
  const std::string program_id = NewProgram();
  const std::string member_id = Enroll(program_id).member_id();
  Adjust(member_id, 50);
  const lv1::Reward reward = NewReward(program_id, 30, [](lv1::Reward& r) { r.set_stock(1); });
  const lv1::RedeemRewardResponse redeemed = Redeem(member_id, reward.reward_id());
  EXPECT_TRUE(Rewards(program_id, 10, false).empty()) << "the last unit is gone";

  const lv1::CancelRedemptionRequest cancel = CancelRequest(redeemed.redemption().redemption_id());
  lv1::CancelRedemptionResponse cancelled, replay;
  ASSERT_TRUE(Ok(Loyalty().CancelRedemption(As().get(), cancel, &cancelled)));
  EXPECT_EQ(cancelled.redemption().state(), lv1::Redemption::STATE_CANCELLED);
  EXPECT_EQ(cancelled.redemption().points_refunded(), 30);
  EXPECT_EQ(cancelled.redemption().points_lapsed(), 0);
  EXPECT_EQ(cancelled.redemption().cancel_reason(), "not collected");
  EXPECT_TRUE(cancelled.redemption().has_cancel_time());
  EXPECT_EQ(cancelled.member().available_points(), 50);
  const std::vector<lv1::Reward> back = Rewards(program_id, 10, false);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].stock(), 1);

  ASSERT_TRUE(Ok(Loyalty().CancelRedemption(As().get(), cancel, &replay)));
  EXPECT_EQ(replay.redemption().state(), lv1::Redemption::STATE_CANCELLED);
  EXPECT_EQ(GetMember(member_id).available_points(), 50) << "refunded once";
  Refused(Loyalty().CancelRedemption(As().get(),
                                     CancelRequest(redeemed.redemption().redemption_id()), &replay),
          StatusCode::FAILED_PRECONDITION, "ALREADY_CANCELLED");
  lv1::CancelRedemptionRequest changed = cancel;
  changed.set_reason("changed my mind");
  Refused(Loyalty().CancelRedemption(As().get(), changed, &replay), StatusCode::FAILED_PRECONDITION,
          "IDEMPOTENCY_KEY_REUSED");

  lv1::CancelRedemptionRequest bad = CancelRequest(redeemed.redemption().redemption_id());
  bad.clear_reason();
  Refused(Loyalty().CancelRedemption(As().get(), bad, &replay), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
  bad = CancelRequest(redeemed.redemption().redemption_id());
  bad.clear_request_id();
  Refused(Loyalty().CancelRedemption(As().get(), bad, &replay), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
  Refused(Loyalty().CancelRedemption(As().get(), CancelRequest(NewId()), &replay),
          StatusCode::NOT_FOUND, "REDEMPTION_NOT_FOUND");
  ExpectBalanceIsTheLedger(member_id);
}

TEST(LoyaltyContract, RedemptionsPageNewestFirstWithCancelledOnes) {
  const std::string program_id = NewProgram();
  const std::string member_id = Enroll(program_id).member_id();
  Adjust(member_id, 100);
  const std::string reward_id = NewReward(program_id, 10).reward_id();
  std::vector<std::string> made;
  for (int i = 0; i < 5; ++i)
    made.push_back(Redeem(member_id, reward_id).redemption().redemption_id());
  lv1::CancelRedemptionResponse cancelled;
  ASSERT_TRUE(Ok(Loyalty().CancelRedemption(As().get(), CancelRequest(made[1]), &cancelled)));

  const std::vector<lv1::Redemption> listed = Redemptions(member_id, 2);
  std::vector<std::string> newest_first(made.rbegin(), made.rend());
  EXPECT_EQ(DistinctIds(listed, [](const lv1::Redemption& r) { return r.redemption_id(); }),
            newest_first);
  ASSERT_EQ(listed.size(), 5u);
  EXPECT_EQ(listed[3].state(), lv1::Redemption::STATE_CANCELLED);
  EXPECT_EQ(listed[0].state(), lv1::Redemption::STATE_REDEEMED);

  lv1::ListRedemptionsRequest request;
  request.set_member_id(member_id);
  request.set_page_token("AAAA");
  lv1::ListRedemptionsResponse response;
  Refused(Loyalty().ListRedemptions(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_PAGE_TOKEN");
  request.clear_page_token();
  request.set_page_size(1001);
  Refused(Loyalty().ListRedemptions(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
  request.set_page_size(0);
  request.set_member_id(NewId());
  Refused(Loyalty().ListRedemptions(As().get(), request, &response), StatusCode::NOT_FOUND,
          "MEMBER_NOT_FOUND");
}

// ---------------------------------------------------------------------------
// Coupons and personal offers

TEST(LoyaltyContract, CouponsAreIssuedOncePerMemberAndUsedOnce) {
  const std::string program_id = NewProgram();
  const std::string ann = Enroll(program_id).member_id();
  const std::string bob = Enroll(program_id).member_id();
  lv1::IssueCouponsRequest issue = IssueRequest(program_id, {ann, bob, ann});
  issue.mutable_coupon()->set_min_spend_minor(2000);
  const lv1::IssueCouponsResponse issued = Issue(issue);
  EXPECT_EQ(issued.issued(), 2) << "one coupon per member";
  ASSERT_EQ(issued.coupons_size(), 2);
  const lv1::IssueCouponsResponse retried = Issue(issue);
  EXPECT_EQ(retried.issued(), 2);
  std::set<std::string> first_ids, retried_ids;
  std::map<std::string, std::string> coupon_of;
  for (const lv1::Coupon& c : issued.coupons()) {
    first_ids.insert(c.coupon_id());
    coupon_of[c.member_id()] = c.coupon_id();
    EXPECT_EQ(c.state(), lv1::Coupon::STATE_ISSUED);
    EXPECT_EQ(c.program_id(), program_id);
  }
  for (const lv1::Coupon& c : retried.coupons()) retried_ids.insert(c.coupon_id());
  EXPECT_EQ(retried_ids, first_ids);
  lv1::IssueCouponsRequest changed = issue;
  changed.mutable_coupon()->set_amount_off_minor(700);
  lv1::IssueCouponsResponse refused;
  Refused(Loyalty().IssueCoupons(As().get(), changed, &refused), StatusCode::FAILED_PRECONDITION,
          "IDEMPOTENCY_KEY_REUSED");
  ASSERT_EQ(Coupons(ann).size(), 1u);

  // Refused at checkout: below the minimum spend, another member's; nothing recorded.
  lv1::RecordPurchaseRequest small = PurchaseRequest(ann, 1999);
  small.mutable_purchase()->add_coupon_ids(coupon_of[ann]);
  lv1::RecordPurchaseResponse bought;
  const grpc::Status too_small = Loyalty().RecordPurchase(As().get(), small, &bought);
  Refused(too_small, StatusCode::FAILED_PRECONDITION, "COUPON_NOT_USABLE");
  EXPECT_EQ(ErrorMetadata(too_small)["coupon_id"], coupon_of[ann]);
  lv1::RecordPurchaseRequest not_hers = PurchaseRequest(bob, 5000);
  not_hers.mutable_purchase()->add_coupon_ids(coupon_of[ann]);
  Refused(Loyalty().RecordPurchase(As().get(), not_hers, &bought), StatusCode::FAILED_PRECONDITION,
          "COUPON_NOT_USABLE");
  lv1::RecordPurchaseRequest unknown = PurchaseRequest(ann, 5000);
  unknown.mutable_purchase()->add_coupon_ids(NewId());
  Refused(Loyalty().RecordPurchase(As().get(), unknown, &bought), StatusCode::NOT_FOUND,
          "COUPON_NOT_FOUND");
  EXPECT_EQ(GetMember(ann).purchase_count(), 0);
  EXPECT_EQ(GetMember(bob).purchase_count(), 0);

  // Used: 5 yuan off 30, points on the 25 paid; a second use is refused.
  lv1::RecordPurchaseRequest use = PurchaseRequest(ann, 3000);
  use.mutable_purchase()->add_coupon_ids(coupon_of[ann]);
  bought = Record(use);
  const std::string used_by = bought.purchase().purchase_id();
  EXPECT_EQ(bought.purchase().discount_minor(), 500);
  ASSERT_EQ(bought.purchase().applied_coupons_size(), 1);
  EXPECT_EQ(bought.purchase().applied_coupons(0).coupon_id(), coupon_of[ann]);
  EXPECT_EQ(bought.purchase().points_earned(), 25);
  lv1::RecordPurchaseRequest again = PurchaseRequest(ann, 3000);
  again.mutable_purchase()->add_coupon_ids(coupon_of[ann]);
  Refused(Loyalty().RecordPurchase(As().get(), again, &bought), StatusCode::FAILED_PRECONDITION,
          "COUPON_NOT_USABLE");

  EXPECT_TRUE(Coupons(ann).empty()) << "a used coupon is not usable";
  const std::vector<lv1::Coupon> all = Coupons(ann, 10, true);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].state(), lv1::Coupon::STATE_REDEEMED);
  EXPECT_EQ(all[0].purchase_id(), used_by);
}

TEST(LoyaltyContract, IssueCouponsByLevelAndRefusesBadRequests) {
  const std::string program_id = NewProgram(SilverAndGold);
  const std::string silver = Enroll(program_id).member_id();
  const std::string gold = Enroll(program_id).member_id();
  Buy(gold, 10000);
  lv1::IssueCouponsRequest by_level = IssueRequest(program_id, {});
  by_level.set_level("gold");
  const lv1::IssueCouponsResponse issued = Issue(by_level);
  EXPECT_EQ(issued.issued(), 1);
  ASSERT_EQ(issued.coupons_size(), 1);
  EXPECT_EQ(issued.coupons(0).member_id(), gold);
  EXPECT_TRUE(Coupons(silver).empty());

  const std::vector<std::pair<std::string, std::function<void(lv1::IssueCouponsRequest&)>>> cases =
      {
          {"no request id", [](auto& r) { r.clear_request_id(); }},
          {"two benefits", [](auto& r) { r.mutable_coupon()->set_bonus_points(10); }},
          {"no benefit", [](auto& r) { r.mutable_coupon()->clear_amount_off_minor(); }},
          {"percent 101",
           [](auto& r) {
             r.mutable_coupon()->clear_amount_off_minor();
             r.mutable_coupon()->set_percent_off(101);
           }},
          {"no campaign", [](auto& r) { r.mutable_coupon()->clear_campaign(); }},
          {"no end", [](auto& r) { r.mutable_coupon()->clear_end_time(); }},
          {"ends before it starts",
           [](auto& r) {
             *r.mutable_coupon()->mutable_end_time() = At(absl::Now() - absl::Hours(1));
           }},
          {"members and level", [](auto& r) { r.set_level("gold"); }},
          {"neither", [](auto& r) { r.clear_member_ids(); }},
          {"unknown level", [](auto& r) { r.clear_member_ids(), r.set_level("platinum"); }},
          {"member id", [](auto& r) { r.add_member_ids("bob"); }},
      };
  lv1::IssueCouponsResponse response;
  for (const auto& [name, change] : cases) {
    SCOPED_TRACE(name);
    lv1::IssueCouponsRequest request = IssueRequest(program_id, {silver});
    change(request);
    Refused(Loyalty().IssueCoupons(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
            "INVALID_FIELD");
  }
  // A member of another program is not this program's.
  const std::string stranger = Enroll(NewProgram()).member_id();
  Refused(Loyalty().IssueCoupons(As().get(), IssueRequest(program_id, {stranger}), &response),
          StatusCode::NOT_FOUND, "MEMBER_NOT_FOUND");
  EXPECT_TRUE(Coupons(stranger).empty());
}

TEST(LoyaltyContract, CouponListsPageNewestFirst) {
  const std::string program_id = NewProgram();
  const std::string member_id = Enroll(program_id).member_id();
  std::vector<std::string> issued;
  for (int i = 0; i < 5; ++i) {
    issued.push_back(Issue(IssueRequest(program_id, {member_id})).coupons(0).coupon_id());
  }
  std::vector<std::string> newest_first(issued.rbegin(), issued.rend());
  EXPECT_EQ(DistinctIds(Coupons(member_id, 2), [](const lv1::Coupon& c) { return c.coupon_id(); }),
            newest_first);
  EXPECT_EQ(Coupons(member_id, 2, true).size(), 5u);

  lv1::ListCouponsRequest request;
  request.set_member_id(member_id);
  request.set_page_size(2);
  lv1::ListCouponsResponse first, response;
  ASSERT_TRUE(Ok(Loyalty().ListCoupons(As().get(), request, &first)));
  request.set_page_token(first.next_page_token());
  request.set_include_inactive(true);  // the token was for the usable ones
  Refused(Loyalty().ListCoupons(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_PAGE_TOKEN");
  request.set_page_token("%%%");
  Refused(Loyalty().ListCoupons(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_PAGE_TOKEN");
  request.clear_page_token();
  request.set_page_size(1001);
  Refused(Loyalty().ListCoupons(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
  request.set_page_size(0);
  request.set_member_id(NewId());
  Refused(Loyalty().ListCoupons(As().get(), request, &response), StatusCode::NOT_FOUND,
          "MEMBER_NOT_FOUND");
}

// A member's shopping list becomes auto-applied coupons; the next purchase in
// the category takes its coupon by itself; a retry issues nothing twice.
TEST(LoyaltyContract, PersonalOffersBecomeAutoAppliedCouponsOnce) {
  const std::string program_id = NewProgram();
  const std::string member_id = Enroll(program_id).member_id();
  Buy(member_id, 3000, "drinks");
  Buy(member_id, 1000, "snacks");

  lv1::GeneratePersonalOffersRequest offers;
  offers.set_request_id(Suite().Unique("offers"));
  offers.set_program_id(program_id);
  offers.set_member_id(member_id);
  lv1::GeneratePersonalOffersResponse generated, retried;
  ASSERT_TRUE(Ok(Loyalty().GeneratePersonalOffers(As().get(), offers, &generated)));
  EXPECT_EQ(generated.members(), 1);
  ASSERT_EQ(generated.offers_size(), 1);
  const lv1::PersonalOffer& list = generated.offers(0);
  EXPECT_EQ(list.member_id(), member_id);
  ASSERT_GE(list.items_size(), 1);
  EXPECT_EQ(list.items(0).category(), "drinks") << "the largest share of spend first";
  std::set<std::string> offered;
  for (const lv1::OfferItem& item : list.items()) {
    EXPECT_FALSE(item.coupon_id().empty());
    EXPECT_GE(item.percent_off(), 5u);
    offered.insert(item.coupon_id());
  }
  const std::vector<lv1::Coupon> coupons = Coupons(member_id);
  EXPECT_EQ(coupons.size(), offered.size());
  for (const lv1::Coupon& c : coupons) {
    EXPECT_TRUE(c.auto_apply());
    EXPECT_TRUE(offered.contains(c.coupon_id()));
  }

  ASSERT_TRUE(Ok(Loyalty().GeneratePersonalOffers(As().get(), offers, &retried)));
  ASSERT_EQ(retried.offers_size(), 1);
  std::set<std::string> retried_ids;
  for (const lv1::OfferItem& item : retried.offers(0).items()) retried_ids.insert(item.coupon_id());
  EXPECT_EQ(retried_ids, offered);
  EXPECT_EQ(Coupons(member_id).size(), offered.size()) << "a retry issues no second coupon";

  // The next drinks purchase takes the drinks coupon without presenting it.
  const lv1::RecordPurchaseResponse bought = Buy(member_id, 2000, "drinks");
  ASSERT_EQ(bought.purchase().applied_coupons_size(), 1);
  EXPECT_EQ(bought.purchase().applied_coupons(0).coupon_id(), list.items(0).coupon_id());
  EXPECT_EQ(bought.purchase().discount_minor(), 2000 * list.items(0).percent_off() / 100);

  // Everyone with spend in a period: this program has the one member.
  lv1::GeneratePersonalOffersRequest by_spend;
  by_spend.set_request_id(Suite().Unique("offers"));
  by_spend.set_program_id(program_id);
  *by_spend.mutable_period_start() = At(absl::Now() - absl::Hours(24));
  *by_spend.mutable_period_end() = At(absl::Now() + absl::Hours(1));
  by_spend.set_min_spend_minor(1000);
  ASSERT_TRUE(Ok(Loyalty().GeneratePersonalOffers(As().get(), by_spend, &generated)));
  EXPECT_EQ(generated.members(), 1);
  by_spend.set_request_id(Suite().Unique("offers"));
  by_spend.set_min_spend_minor(1'000'000);
  ASSERT_TRUE(Ok(Loyalty().GeneratePersonalOffers(As().get(), by_spend, &generated)));
  EXPECT_EQ(generated.members(), 0);
}

TEST(LoyaltyContract, GeneratePersonalOffersRefusesBadRequests) {
  const std::string program_id = NewProgram();
  const std::string member_id = Enroll(program_id).member_id();
  Buy(member_id, 1000, "drinks");
  auto request = [&] {
    lv1::GeneratePersonalOffersRequest r;
    r.set_request_id(Suite().Unique("offers"));
    r.set_program_id(program_id);
    r.set_member_id(member_id);
    return r;
  };
  const std::vector<
      std::pair<std::string, std::function<void(lv1::GeneratePersonalOffersRequest&)>>>
      cases = {
          {"no request id", [](auto& r) { r.clear_request_id(); }},
          {"valid days", [](auto& r) { r.set_valid_days(91); }},
          {"max items", [](auto& r) { r.set_max_items(21); }},
          {"no member, no period", [](auto& r) { r.clear_member_id(); }},
          {"empty period",
           [](auto& r) {
             r.clear_member_id();
             *r.mutable_period_start() = At(absl::Now());
             *r.mutable_period_end() = At(absl::Now() - absl::Hours(1));
           }},
          {"member id", [](auto& r) { r.set_member_id("m"); }},
      };
  lv1::GeneratePersonalOffersResponse response;
  for (const auto& [name, change] : cases) {
    SCOPED_TRACE(name);
    lv1::GeneratePersonalOffersRequest bad = request();
    change(bad);
    Refused(Loyalty().GeneratePersonalOffers(As().get(), bad, &response),
            StatusCode::INVALID_ARGUMENT, "INVALID_FIELD");
  }
  lv1::GeneratePersonalOffersRequest stranger = request();
  stranger.set_member_id(Enroll(NewProgram()).member_id());
  Refused(Loyalty().GeneratePersonalOffers(As().get(), stranger, &response), StatusCode::NOT_FOUND,
          "MEMBER_NOT_FOUND");
  lv1::GeneratePersonalOffersRequest nowhere = request();
  nowhere.set_program_id(NewId());
  Refused(Loyalty().GeneratePersonalOffers(As().get(), nowhere, &response), StatusCode::NOT_FOUND,
          "PROGRAM_NOT_FOUND");
  lv1::GeneratePersonalOffersRequest first = request();
  ASSERT_TRUE(Ok(Loyalty().GeneratePersonalOffers(As().get(), first, &response)));
  first.set_valid_days(30);
  Refused(Loyalty().GeneratePersonalOffers(As().get(), first, &response),
          StatusCode::FAILED_PRECONDITION, "IDEMPOTENCY_KEY_REUSED");
}

// AIP-155 as the service comment documents it: a request_id comes back with a
// different request -> IDEMPOTENCY_KEY_REUSED, also when the first call had
// nothing to issue (a member without purchases, a level without members).
TEST(LoyaltyContract, RequestIdsOfIssuesThatIssuedNothingAreStillBound) {
  const std::string program_id = NewProgram(SilverAndGold);
  const std::string member_id = Enroll(program_id).member_id();  // no purchases
  lv1::GeneratePersonalOffersRequest offers;
  offers.set_request_id(Suite().Unique("offers"));
  offers.set_program_id(program_id);
  offers.set_member_id(member_id);
  lv1::GeneratePersonalOffersResponse listed;
  ASSERT_TRUE(Ok(Loyalty().GeneratePersonalOffers(As().get(), offers, &listed)));
  EXPECT_EQ(listed.members(), 1);
  offers.set_member_id(Enroll(program_id).member_id());
  Refused(Loyalty().GeneratePersonalOffers(As().get(), offers, &listed),
          StatusCode::FAILED_PRECONDITION, "IDEMPOTENCY_KEY_REUSED");

  lv1::IssueCouponsRequest issue = IssueRequest(program_id, {});
  issue.set_level("gold");  // nobody is gold yet
  EXPECT_EQ(Issue(issue).issued(), 0);
  issue.mutable_coupon()->set_amount_off_minor(900);
  lv1::IssueCouponsResponse issued;
  Refused(Loyalty().IssueCoupons(As().get(), issue, &issued), StatusCode::FAILED_PRECONDITION,
          "IDEMPOTENCY_KEY_REUSED");
}

// ---------------------------------------------------------------------------
// Reports

TEST(LoyaltyContract, LoyaltyMetricsDescribeTheMembersHistory) {
  const std::string program_id = NewProgram(InForceSince100DaysAgo);
  const std::string member_id = Enroll(program_id).member_id();
  const absl::Time now = absl::Now();
  for (const auto& [days_ago, amount, category] :
       {std::tuple{30, 3000, "drinks"}, std::tuple{10, 1000, "snacks"}}) {
    lv1::RecordPurchaseRequest buy = PurchaseRequest(member_id, amount, category);
    *buy.mutable_purchase()->mutable_purchase_time() = At(now - absl::Hours(24 * days_ago));
    Record(buy);
  }
  Adjust(member_id, 60);
  Redeem(member_id, NewReward(program_id, 50).reward_id());

  lv1::GetLoyaltyMetricsRequest request;
  request.set_member_id(member_id);
  lv1::GetLoyaltyMetricsResponse response;
  ASSERT_TRUE(Ok(Loyalty().GetLoyaltyMetrics(As().get(), request, &response)));
  const lv1::LoyaltyMetrics& m = response.metrics();
  EXPECT_EQ(m.member_id(), member_id);
  EXPECT_EQ(m.purchase_count(), 2);
  EXPECT_EQ(m.repeat_purchase_count(), 1);
  EXPECT_NEAR(m.average_interval_days(), 20, 0.01);
  EXPECT_NEAR(m.days_since_last_purchase(), 10, 0.1);
  EXPECT_EQ(m.spend_last_90_days_minor(), 4000);
  EXPECT_EQ(m.spend_previous_90_days_minor(), 0);
  ASSERT_EQ(m.category_shares_size(), 2);
  EXPECT_EQ(m.category_shares(0).category(), "drinks");
  EXPECT_NEAR(m.category_shares(0).share(), 0.75, 1e-9);
  EXPECT_EQ(m.points_earned(), 40);
  EXPECT_EQ(m.points_burned(), 50);
  EXPECT_FALSE(m.churn_risk()) << "10 days since, against one interval of 20";

  request.set_member_id(NewId());
  Refused(Loyalty().GetLoyaltyMetrics(As().get(), request, &response), StatusCode::NOT_FOUND,
          "MEMBER_NOT_FOUND");
  request.set_member_id("");
  Refused(Loyalty().GetLoyaltyMetrics(As().get(), request, &response), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
}

TEST(LoyaltyContract, PointsLiabilityReportsWhatTheProgramOwes) {
  const std::string program_id = NewProgram([](lv1::ProgramRules& r) {
    r.mutable_earning()->set_enrollment_bonus(100);
    r.set_pending_days(7);
    r.mutable_expiry()->set_kind(lv1::ExpiryPolicy::KIND_MONTHS_AFTER_EARNING);
    r.mutable_expiry()->set_months(6);
  });
  const std::string ann = Enroll(program_id).member_id();
  Enroll(program_id);
  Buy(ann, 5000);  // 50 pending
  Redeem(ann, NewReward(program_id, 30).reward_id());

  lv1::GetPointsLiabilityRequest request;
  request.set_program_id(program_id);
  lv1::GetPointsLiabilityResponse response;
  ASSERT_TRUE(Ok(Loyalty().GetPointsLiability(As().get(), request, &response)));
  const lv1::PointsLiability& owed = response.liability();
  EXPECT_EQ(owed.program_id(), program_id);
  EXPECT_EQ(owed.members(), 2);
  EXPECT_EQ(owed.outstanding_points(), 100 + 100 - 30);
  EXPECT_EQ(owed.pending_points(), 50);
  EXPECT_EQ(owed.lapsed_unswept_points(), 0);
  EXPECT_EQ(owed.earned_points(), 250);
  EXPECT_EQ(owed.redeemed_points(), 30);
  EXPECT_EQ(owed.expired_points(), 0);
  EXPECT_EQ(owed.breakage_rate(), 0);
  int64_t by_month = owed.later_or_never_points();
  for (const lv1::MonthlyExpiry& month : owed.expiring_by_month()) by_month += month.points();
  EXPECT_EQ(by_month, owed.outstanding_points() + owed.pending_points());
  EXPECT_LE(owed.expiring_by_month_size(), 12);

  request.set_program_id(NewId());
  Refused(Loyalty().GetPointsLiability(As().get(), request, &response), StatusCode::NOT_FOUND,
          "PROGRAM_NOT_FOUND");
  request.set_program_id("p");
  Refused(Loyalty().GetPointsLiability(As().get(), request, &response),
          StatusCode::INVALID_ARGUMENT, "INVALID_FIELD");
}

// ---------------------------------------------------------------------------
// The scheduled runs, which act on every program: only what holds for any data.

// Points earned two months ago under a one-month expiry are written off by one
// EXPIRE entry, once however often the run comes.
TEST(LoyaltyContract, ExpiryWritesOffDuePointsExactlyOnce) {
  const std::string program_id = NewProgram([](lv1::ProgramRules& r) {
    InForceSince100DaysAgo(r);
    r.mutable_expiry()->set_kind(lv1::ExpiryPolicy::KIND_MONTHS_AFTER_EARNING);
    r.mutable_expiry()->set_months(1);
  });
  const std::string member_id = Enroll(program_id).member_id();
  lv1::RecordPurchaseRequest old = PurchaseRequest(member_id, 7000);
  *old.mutable_purchase()->mutable_purchase_time() = At(absl::Now() - absl::Hours(24 * 60));
  Record(old);
  Buy(member_id, 2000);  // expires next month
  const lv1::Member before = GetMember(member_id);
  EXPECT_EQ(before.available_points(), 20) << "lapsed points are not spendable";
  EXPECT_EQ(before.balance(), 90) << "until the run writes them off";

  lv1::RunExpiryRequest run;
  lv1::RunExpiryResponse expired;
  ASSERT_TRUE(Ok(Loyalty().RunExpiry(As().get(), run, &expired)));
  if (Suite().private_suite()) {  // else another caller's run may have come first
    EXPECT_GE(expired.members(), 1);
    EXPECT_GE(expired.points_expired(), 70);
  }
  ASSERT_TRUE(Ok(Loyalty().RunExpiry(As().get(), run, &expired)));
  const std::vector<lv1::LedgerEntry> ledger = Ledger(member_id);
  ASSERT_EQ(Count(ledger, lv1::LedgerEntry::KIND_EXPIRE), 1);
  EXPECT_EQ(ledger[0].kind(), lv1::LedgerEntry::KIND_EXPIRE);
  EXPECT_EQ(ledger[0].points(), -70);
  const lv1::Member after = GetMember(member_id);
  EXPECT_EQ(after.balance(), 20);
  EXPECT_EQ(after.available_points(), 20);
  ExpectBalanceIsTheLedger(member_id);

  lv1::GetPointsLiabilityRequest liability;
  liability.set_program_id(program_id);
  lv1::GetPointsLiabilityResponse owed;
  ASSERT_TRUE(Ok(Loyalty().GetPointsLiability(As().get(), liability, &owed)));
  EXPECT_EQ(owed.liability().expired_points(), 70);
  EXPECT_NEAR(owed.liability().breakage_rate(), 70.0 / 90.0, 1e-9);

  *run.mutable_as_of() = At(absl::Now() + absl::Hours(1));
  Refused(Loyalty().RunExpiry(As().get(), run, &expired), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
}

// A gold member whose qualifying spend is returned is lowered by the run (no
// grace in this program); a member still qualified keeps its level.
TEST(LoyaltyContract, LevelEvaluationLowersOnlyMembersBelowTheirLevel) {
  const std::string program_id = NewProgram(SilverAndGold);
  const std::string keeps = Enroll(program_id).member_id();
  const std::string loses = Enroll(program_id).member_id();
  EXPECT_EQ(Buy(keeps, 10000).member().level(), "gold");
  const lv1::RecordPurchaseResponse bought = Buy(loses, 10000);
  EXPECT_EQ(bought.member().level(), "gold") << "upgraded by the purchase";
  lv1::RecordReturnResponse returned;
  ASSERT_TRUE(Ok(Loyalty().RecordReturn(
      As().get(), ReturnRequest(loses, bought.purchase().source_transaction_id(), 0), &returned)));
  EXPECT_EQ(GetMember(loses).level_progress().qualified_level(), "silver");

  lv1::RunLevelEvaluationRequest run;
  lv1::RunLevelEvaluationResponse evaluated;
  ASSERT_TRUE(Ok(Loyalty().RunLevelEvaluation(As().get(), run, &evaluated)));
  if (Suite().private_suite()) {
    EXPECT_GE(evaluated.members_evaluated(), 2);
    EXPECT_GE(evaluated.downgraded(), 1);
  }
  EXPECT_EQ(GetMember(loses).level(), "silver");
  const lv1::Member kept = GetMember(keeps);
  EXPECT_EQ(kept.level(), "gold");
  EXPECT_FALSE(kept.has_level_grace_until());

  *run.mutable_as_of() = At(absl::Now() + absl::Hours(1));
  Refused(Loyalty().RunLevelEvaluation(As().get(), run, &evaluated), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
}

// The birthday bonus is granted on the member's birthday, once a year.
TEST(LoyaltyContract, BirthdayBonusesAreGrantedOncePerYear) {
  const std::string program_id = NewProgram([](lv1::ProgramRules& r) {
    InForceSince100DaysAgo(r);  // in force at as_of, a minute ago
    r.mutable_earning()->set_birthday_bonus(10);
  });
  const absl::Time as_of = absl::Now() - absl::Minutes(1);
  const absl::CivilDay today = absl::ToCivilDay(as_of, absl::UTCTimeZone());
  const absl::CivilDay other_day = today + 40;
  const std::string birthday = Enroll(program_id, today.month(), today.day()).member_id();
  const std::string not_today = Enroll(program_id, other_day.month(), other_day.day()).member_id();

  lv1::RunBirthdayBonusesRequest run;
  *run.mutable_as_of() = At(as_of);
  lv1::RunBirthdayBonusesResponse granted;
  ASSERT_TRUE(Ok(Loyalty().RunBirthdayBonuses(As().get(), run, &granted)));
  if (Suite().private_suite()) {
    EXPECT_GE(granted.members(), 1);
    EXPECT_GE(granted.points(), 10);
  }
  ASSERT_TRUE(Ok(Loyalty().RunBirthdayBonuses(As().get(), run, &granted)));
  const std::vector<lv1::LedgerEntry> ledger = Ledger(birthday);
  ASSERT_EQ(ledger.size(), 1u) << "granted once";
  EXPECT_EQ(ledger[0].kind(), lv1::LedgerEntry::KIND_BONUS);
  EXPECT_EQ(ledger[0].points(), 10);
  EXPECT_EQ(ledger[0].reference(), absl::StrCat("birthday/", today.year()));
  EXPECT_EQ(GetMember(birthday).balance(), 10);
  EXPECT_TRUE(Ledger(not_today).empty());

  *run.mutable_as_of() = At(absl::Now() + absl::Hours(1));
  Refused(Loyalty().RunBirthdayBonuses(As().get(), run, &granted), StatusCode::INVALID_ARGUMENT,
          "INVALID_FIELD");
}

// ---------------------------------------------------------------------------
// Customer merges in identify

// Both customers are members: the merged member's points move to the
// survivor's member (within seconds, through identify's feed), the emptied
// member refuses points changes, and its card finds the survivor's member.
TEST(LoyaltyContract, AMergedMembersPointsMoveToTheSurvivor) {
  const std::string survivor_card = Suite().Unique("card");
  const std::string merged_card = Suite().Unique("card");
  const std::string survivor = NewCustomer("Wang Fang", survivor_card);
  const std::string merged = NewCustomer("Wang F.", merged_card);
  const std::string program_id = NewProgram();
  lv1::EnrollMemberRequest enroll = EnrollRequest(program_id);
  enroll.set_customer_id(survivor);
  lv1::EnrollMemberResponse kept, emptied;
  ASSERT_TRUE(Ok(Loyalty().EnrollMember(As().get(), enroll, &kept)));
  enroll = EnrollRequest(program_id);
  enroll.set_customer_id(merged);
  ASSERT_TRUE(Ok(Loyalty().EnrollMember(As().get(), enroll, &emptied)));
  Adjust(kept.member().member_id(), 20);
  Adjust(emptied.member().member_id(), 30);

  auto customers = identify::v1::IdentifyService::NewStub(Suite().identify());
  identify::v1::MergeCustomersRequest merge;
  merge.set_request_id(Suite().Unique("merge"));
  merge.set_survivor_id(survivor);
  merge.set_merged_id(merged);
  merge.set_reason("same person");
  identify::v1::MergeCustomersResponse merged_done;
  ASSERT_TRUE(Ok(customers->MergeCustomers(As().get(), merge, &merged_done)));

  const std::string into = kept.member().member_id();
  ASSERT_TRUE(Eventually([&] {
    return GetMember(emptied.member().member_id()).merged_into_member_id() == into;
  })) << GetMember(emptied.member().member_id()).DebugString();
  EXPECT_EQ(GetMember(into).balance(), 50);
  EXPECT_EQ(GetMember(emptied.member().member_id()).balance(), 0);
  EXPECT_EQ(Count(Ledger(into), lv1::LedgerEntry::KIND_TRANSFER), 1);
  ExpectBalanceIsTheLedger(into);
  ExpectBalanceIsTheLedger(emptied.member().member_id());

  lv1::AdjustPointsResponse adjusted;
  Refused(
      Loyalty().AdjustPoints(As().get(), AdjustRequest(emptied.member().member_id(), 5), &adjusted),
      StatusCode::FAILED_PRECONDITION, "MEMBER_MERGED");
  lv1::IdentifyMemberRequest who;
  who.set_program_id(program_id);
  *who.mutable_identifier() = Card(merged_card);
  lv1::IdentifyMemberResponse found;
  ASSERT_TRUE(Ok(Loyalty().IdentifyMember(As().get(), who, &found)));
  EXPECT_EQ(found.member().member_id(), into);
}

// ---------------------------------------------------------------------------
// Authorisation

TEST(LoyaltyContract, CallsWithoutATokenAreDenied) {
  if (!Suite().secured()) GTEST_SKIP() << "plaintext suite: no authorisation to check";
  lv1::GetProgramRequest request;
  request.set_program_id(NewProgram());
  lv1::GetProgramResponse response;
  const grpc::Status denied = Loyalty().GetProgram(As(Caller::kNoToken).get(), request, &response);
  EXPECT_EQ(denied.error_code(), StatusCode::PERMISSION_DENIED) << denied.error_message();
  lv1::RecordPurchaseResponse bought;
  const grpc::Status till =
      Loyalty().RecordPurchase(As(Caller::kNoToken).get(), PurchaseRequest(NewId(), 100), &bought);
  EXPECT_EQ(till.error_code(), StatusCode::PERMISSION_DENIED) << till.error_message();
}

}  // namespace
}  // namespace crm::contract
