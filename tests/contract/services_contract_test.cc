// The four service binaries as clients see them: real processes, real gRPC
// over TCP, generated stubs, real MariaDB.
#include <csignal>

#include "absl/synchronization/notification.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "crm/complaints/v1/complaints.grpc.pb.h"
#include "crm/events/v1/events.grpc.pb.h"
#include "crm/identify/v1/events.pb.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "crm/segment/v1/segment.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/generic/generic_stub.h"
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

TEST(IdentifyContractTest, CreateGetReplayAndErrors) {
  ServiceProcess svc("identify");
  ASSERT_TRUE(WaitForHealth(svc.channel().get(), "SERVING", absl::Seconds(20)))
      << svc.process().Log();
  EXPECT_EQ(testing::HealthOf(svc.channel().get(), "crm.identify.v1.IdentifyService"), "SERVING");
  auto stub = identify::v1::IdentifyService::NewStub(svc.channel());

  identify::v1::CreateCustomerRequest create;
  create.set_request_id("contract-1");
  create.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
  create.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
  create.mutable_customer()->set_display_name("韩梅梅");
  identify::v1::CreateCustomerResponse created, replayed;
  ASSERT_TRUE(stub->CreateCustomer(Context().get(), create, &created).ok());
  ASSERT_TRUE(stub->CreateCustomer(Context().get(), create, &replayed).ok());
  EXPECT_EQ(replayed.customer().customer_id(), created.customer().customer_id());

  identify::v1::GetCustomerRequest get;
  get.set_customer_id(created.customer().customer_id());
  identify::v1::GetCustomerResponse got;
  ASSERT_TRUE(stub->GetCustomer(Context().get(), get, &got).ok());
  EXPECT_EQ(got.customer().display_name(), "韩**");  // masked by default
  EXPECT_EQ(got.customer().lifecycle_status(), identify::v1::LIFECYCLE_STATUS_POTENTIAL);
  get.set_view(identify::v1::CUSTOMER_VIEW_FULL);
  ExpectError(stub->GetCustomer(Context().get(), get, &got), grpc::StatusCode::PERMISSION_DENIED,
              "FULL_VIEW_NOT_ALLOWED", "identify.crm");
  get.clear_view();

  get.set_customer_id("01ARZ3NDEKTSV4RRFFQ69G5FAV");
  ExpectError(stub->GetCustomer(Context().get(), get, &got), grpc::StatusCode::NOT_FOUND,
              "CUSTOMER_NOT_FOUND", "identify.crm");
  create.mutable_customer()->set_display_name("someone else");
  ExpectError(stub->CreateCustomer(Context().get(), create, &created),
              grpc::StatusCode::FAILED_PRECONDITION, "IDEMPOTENCY_KEY_REUSED", "identify.crm");
  create.set_request_id("contract-2");
  create.mutable_customer()->clear_kind();
  ExpectError(stub->CreateCustomer(Context().get(), create, &created),
              grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD", "identify.crm");

  std::string metrics = testing::HttpGet(svc.metrics_port(), "/metrics");
  EXPECT_NE(metrics.find("crm_rpc_requests_total{code=\"OK\",method=\"/crm.identify.v1."
                         "IdentifyService/CreateCustomer\"} 2"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("code=\"NOT_FOUND\",method=\"/crm.identify.v1.IdentifyService/"
                         "GetCustomer\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("crm_build_info{"), std::string::npos);
  EXPECT_NE(metrics.find("crm_db_pool_connections_in_use"), std::string::npos);
  EXPECT_NE(svc.process().Log().find("\"msg\":\"rpc failed\""), std::string::npos);
}

// Every change to a customer is in identify's feed, in order, in the change's
// transaction, and no event carries personal data.
TEST(IdentifyContractTest, TheChangeFeedCarriesEveryChangeWithoutPersonalData) {
  ServiceProcess svc("identify");
  ASSERT_TRUE(WaitForHealth(svc.channel().get(), "SERVING", absl::Seconds(20)));
  auto stub = identify::v1::IdentifyService::NewStub(svc.channel());
  auto create = [&](const std::string& request_id, const std::string& name, const std::string& phone) {
    identify::v1::CreateCustomerRequest request;
    request.set_request_id(request_id);
    request.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
    request.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
    request.mutable_customer()->set_display_name(name);
    auto* id = request.mutable_customer()->add_identifiers();
    id->set_type(identify::v1::IDENTIFIER_TYPE_PHONE);
    id->set_value(phone);
    identify::v1::CreateCustomerResponse response;
    EXPECT_TRUE(stub->CreateCustomer(Context().get(), request, &response).ok());
    return response.customer().customer_id();
  };
  const std::string a = create("a", "Zhou Jielun", "13822417305");
  create("a", "Zhou Jielun", "13822417305");  // a replay adds no event
  identify::v1::UpdateCustomerRequest update;
  update.mutable_customer()->set_customer_id(a);
  update.mutable_customer()->set_display_name("Jay Chou");
  update.mutable_update_mask()->add_paths("display_name");
  identify::v1::UpdateCustomerResponse updated;
  ASSERT_TRUE(stub->UpdateCustomer(Context().get(), update, &updated).ok());
  const std::string b = create("b", "Zhou J.", "13651908874");
  identify::v1::MergeCustomersRequest merge;
  merge.set_request_id("m1");
  merge.set_survivor_id(a);
  merge.set_merged_id(b);
  merge.set_reason("same person");
  identify::v1::MergeCustomersResponse merged;
  ASSERT_TRUE(stub->MergeCustomers(Context().get(), merge, &merged).ok());
  identify::v1::UnmergeCustomersRequest unmerge;
  unmerge.set_request_id("u1");
  unmerge.set_merge_id(merged.merge_id());
  unmerge.set_reason("two people after all");
  identify::v1::UnmergeCustomersResponse unmerged;
  ASSERT_TRUE(stub->UnmergeCustomers(Context().get(), unmerge, &unmerged).ok());
  identify::v1::SetLifecycleStatusRequest lifecycle;
  lifecycle.set_customer_id(a);
  lifecycle.set_status(identify::v1::LIFECYCLE_STATUS_FIRST_TIME);
  lifecycle.set_reason("first purchase");
  identify::v1::SetLifecycleStatusResponse lifecycle_set;
  ASSERT_TRUE(stub->SetLifecycleStatus(Context().get(), lifecycle, &lifecycle_set).ok());
  identify::v1::EraseCustomerRequest erase;
  erase.set_customer_id(b);
  erase.set_reason("GDPR request 42");
  identify::v1::EraseCustomerResponse erased;
  ASSERT_TRUE(stub->EraseCustomer(Context().get(), erase, &erased).ok());

  auto feed = events::v1::EventFeedService::NewStub(svc.channel());
  auto ctx = Context();
  auto stream = feed->WatchEvents(ctx.get(), events::v1::WatchEventsRequest());
  std::vector<events::v1::Event> seen;
  events::v1::WatchEventsResponse batch;
  while (seen.size() < 7 && stream->Read(&batch)) {
    seen.insert(seen.end(), batch.events().begin(), batch.events().end());
  }
  ctx->TryCancel();
  ASSERT_EQ(seen.size(), 7u);
  std::vector<std::string> types;
  for (const auto& e : seen) {
    types.push_back(e.payload().type_url().substr(e.payload().type_url().rfind('.') + 1));
    for (const char* secret : {"Zhou", "Jay Chou", "13822417305", "13651908874"}) {
      EXPECT_EQ(e.payload().value().find(secret), std::string::npos) << types.back();
    }
  }
  EXPECT_EQ(types, (std::vector<std::string>{"CustomerCreated", "CustomerUpdated", "CustomerCreated",
                                             "CustomerMerged", "CustomerUnmerged", "LifecycleChanged",
                                             "CustomerErased"}));
  identify::v1::CustomerUpdated changed;
  ASSERT_TRUE(seen[1].payload().UnpackTo(&changed));
  EXPECT_EQ(changed.fields(0), "display_name");
  identify::v1::CustomerMerged merge_event;
  ASSERT_TRUE(seen[3].payload().UnpackTo(&merge_event));
  EXPECT_EQ(merge_event.merge_id(), merged.merge_id());
  EXPECT_EQ(merge_event.survivor_id(), a);
  EXPECT_EQ(merge_event.merged_id(), b);
  identify::v1::CustomerUnmerged unmerge_event;
  ASSERT_TRUE(seen[4].payload().UnpackTo(&unmerge_event));
  EXPECT_EQ(unmerge_event.restored_id(), b);
}

// Identify follows loyalty's purchases: a customer's first purchase makes it
// first_time, the second repeat, each with history and a feed event.
TEST(IdentifyContractTest, LifecycleFollowsLoyaltysPurchases) {
  ServiceProcess loyalty("loyalty", true, {"--identify_target=127.0.0.1:1"});
  ServiceProcess identify("identify", true, {"--loyalty_target=" + loyalty.address()});
  for (auto* svc : {&loyalty, &identify}) {
    ASSERT_TRUE(WaitForHealth(svc->channel().get(), "SERVING", absl::Seconds(20)));
  }
  auto customers = identify::v1::IdentifyService::NewStub(identify.channel());
  auto points = loyalty::v1::LoyaltyService::NewStub(loyalty.channel());
  identify::v1::CreateCustomerRequest create;
  create.set_request_id("c1");
  create.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
  create.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
  create.mutable_customer()->set_display_name("Lin Dan");
  identify::v1::CreateCustomerResponse created;
  ASSERT_TRUE(customers->CreateCustomer(Context().get(), create, &created).ok());
  const std::string customer = created.customer().customer_id();
  loyalty::v1::EnrollMemberResponse enrolled;
  *enrolled.mutable_member() = testing::EnrollInNewClub(*points, customer);
  auto buy = [&](const std::string& till) {
    loyalty::v1::RecordPurchaseRequest request;
    request.mutable_purchase()->set_member_id(enrolled.member().member_id());
    request.mutable_purchase()->set_source_transaction_id(till);
    auto* line = request.mutable_purchase()->add_lines();
    line->set_sku("racket");
    line->set_quantity(1);
    line->set_amount_minor(59900);
    loyalty::v1::RecordPurchaseResponse response;
    ASSERT_TRUE(points->RecordPurchase(Context().get(), request, &response).ok());
  };
  auto eventually = [&](identify::v1::LifecycleStatus want) {
    identify::v1::GetCustomerRequest get;
    get.set_customer_id(customer);
    identify::v1::GetCustomerResponse got;
    const absl::Time give_up = absl::Now() + absl::Seconds(15);
    do {
      EXPECT_TRUE(customers->GetCustomer(Context().get(), get, &got).ok());
      if (got.customer().lifecycle_status() == want) return true;
      absl::SleepFor(absl::Milliseconds(100));
    } while (absl::Now() < give_up);
    return false;
  };
  EXPECT_TRUE(eventually(identify::v1::LIFECYCLE_STATUS_POTENTIAL));
  buy("till-1");
  EXPECT_TRUE(eventually(identify::v1::LIFECYCLE_STATUS_FIRST_TIME)) << identify.process().Log();
  buy("till-2");
  EXPECT_TRUE(eventually(identify::v1::LIFECYCLE_STATUS_REPEAT));
  EXPECT_EQ(identify.db().Query("SELECT purchases FROM customer_purchase_counts"), "2");
  EXPECT_EQ(identify.db().Count("outbox_events", "event_type = 'crm.identify.v1.LifecycleChanged'"),
            2);
}

TEST(IdentifyContractTest, MalformedBytesAreInvalidArgumentAndWriteNothing) {
  ServiceProcess svc("identify");
  ASSERT_TRUE(WaitForHealth(svc.channel().get(), "SERVING", absl::Seconds(20)));
  grpc::GenericStub stub(svc.channel());
  const std::string garbage = "\xff\xff\xff";
  grpc::Slice slice(garbage);
  grpc::ByteBuffer request(&slice, 1), response;
  auto ctx = Context();
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(ctx.get(), "/crm.identify.v1.IdentifyService/CreateCustomer",
                 grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
                   status = s;
                   done.Notify();
                 });
  done.WaitForNotification();
  ExpectError(status, grpc::StatusCode::INVALID_ARGUMENT, "MALFORMED_REQUEST", "identify.crm");
  EXPECT_EQ(svc.db().Query("SELECT COUNT(*) FROM customers"), "0");
}

TEST(LoyaltyContractTest, ProgramsMembersPurchasesAndTheLedger) {
  ServiceProcess svc("loyalty");
  ASSERT_TRUE(WaitForHealth(svc.channel().get(), "SERVING", absl::Seconds(20)));
  auto stub = loyalty::v1::LoyaltyService::NewStub(svc.channel());
  loyalty::v1::CreateProgramRequest create;
  create.set_request_id("p1");
  create.mutable_program()->set_display_name("Dick's Club");
  create.mutable_program()->set_currency_code("USD");
  create.mutable_program()->set_points_per_currency_unit(1);
  loyalty::v1::CreateProgramResponse created;
  ASSERT_TRUE(stub->CreateProgram(Context().get(), create, &created).ok());
  loyalty::v1::GetProgramRequest get;
  get.set_program_id(created.program().program_id());
  loyalty::v1::GetProgramResponse got;
  ASSERT_TRUE(stub->GetProgram(Context().get(), get, &got).ok());
  EXPECT_EQ(got.program().currency_code(), "USD");
  EXPECT_EQ(got.program().currency_exponent(), 2u);  // cents unless told otherwise
  get.set_program_id("bad");
  ExpectError(stub->GetProgram(Context().get(), get, &got), grpc::StatusCode::INVALID_ARGUMENT,
              "INVALID_FIELD", "loyalty.crm");

  // A member buys, the till retries, a clerk compensates and over-spends.
  loyalty::v1::EnrollMemberRequest enroll;
  enroll.set_program_id(created.program().program_id());
  enroll.set_customer_id("01KBZ4QK8E3S9D1V7X5M2N6P0R");
  loyalty::v1::EnrollMemberResponse enrolled;
  ASSERT_TRUE(stub->EnrollMember(Context().get(), enroll, &enrolled).ok());
  ExpectError(stub->EnrollMember(Context().get(), enroll, &enrolled),
              grpc::StatusCode::ALREADY_EXISTS, "ALREADY_ENROLLED", "loyalty.crm");
  loyalty::v1::RecordPurchaseRequest buy;
  buy.mutable_purchase()->set_member_id(enrolled.member().member_id());
  buy.mutable_purchase()->set_source_transaction_id("till-9/000123");
  auto* line = buy.mutable_purchase()->add_lines();
  line->set_sku("milk");
  line->set_quantity(2);
  line->set_amount_minor(1250);
  loyalty::v1::RecordPurchaseResponse bought, replayed;
  ASSERT_TRUE(stub->RecordPurchase(Context().get(), buy, &bought).ok());
  EXPECT_EQ(bought.purchase().points_earned(), 12);
  EXPECT_EQ(bought.member().available_points(), 12);
  ASSERT_TRUE(stub->RecordPurchase(Context().get(), buy, &replayed).ok());
  EXPECT_TRUE(replayed.replayed());
  EXPECT_EQ(replayed.purchase().purchase_id(), bought.purchase().purchase_id());
  line->set_amount_minor(-1);
  ExpectError(stub->RecordPurchase(Context().get(), buy, &bought),
              grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD", "loyalty.crm");
  loyalty::v1::AdjustPointsRequest adjust;
  adjust.set_request_id("complaint-7/compensation");
  adjust.set_member_id(enrolled.member().member_id());
  adjust.set_points(-13);
  adjust.set_reason("redeemed at the service desk");
  loyalty::v1::AdjustPointsResponse adjusted;
  ExpectError(stub->AdjustPoints(Context().get(), adjust, &adjusted),
              grpc::StatusCode::FAILED_PRECONDITION, "INSUFFICIENT_POINTS", "loyalty.crm");
  adjust.set_points(-12);
  ASSERT_TRUE(stub->AdjustPoints(Context().get(), adjust, &adjusted).ok());
  EXPECT_EQ(adjusted.member().balance(), 0);
  loyalty::v1::ListLedgerEntriesRequest list;
  list.set_member_id(enrolled.member().member_id());
  loyalty::v1::ListLedgerEntriesResponse ledger;
  ASSERT_TRUE(stub->ListLedgerEntries(Context().get(), list, &ledger).ok());
  ASSERT_EQ(ledger.entries_size(), 2);
  EXPECT_EQ(ledger.entries(0).kind(), loyalty::v1::LedgerEntry::KIND_ADJUST);
  EXPECT_EQ(ledger.entries(1).kind(), loyalty::v1::LedgerEntry::KIND_EARN);

  // The member is given 20 points and spends 15 on the last voucher, twice.
  adjust.set_request_id("goodwill-1");
  adjust.set_points(20);
  ASSERT_TRUE(stub->AdjustPoints(Context().get(), adjust, &adjusted).ok());
  loyalty::v1::CreateRewardRequest reward;
  reward.mutable_reward()->set_program_id(created.program().program_id());
  reward.mutable_reward()->set_display_name("coffee voucher");
  reward.mutable_reward()->set_cost_points(15);
  reward.mutable_reward()->set_stock(1);
  loyalty::v1::CreateRewardResponse voucher;
  ASSERT_TRUE(stub->CreateReward(Context().get(), reward, &voucher).ok());
  loyalty::v1::RedeemRewardRequest redeem;
  redeem.set_request_id("app/redeem-1");
  redeem.set_member_id(enrolled.member().member_id());
  redeem.set_reward_id(voucher.reward().reward_id());
  loyalty::v1::RedeemRewardResponse redeemed;
  ASSERT_TRUE(stub->RedeemReward(Context().get(), redeem, &redeemed).ok());
  EXPECT_EQ(redeemed.member().available_points(), 5);
  redeem.set_request_id("app/redeem-2");
  ExpectError(stub->RedeemReward(Context().get(), redeem, &redeemed),
              grpc::StatusCode::FAILED_PRECONDITION, "OUT_OF_STOCK", "loyalty.crm");
  loyalty::v1::CancelRedemptionRequest cancel;
  cancel.set_request_id("app/cancel-1");
  cancel.set_redemption_id(redeemed.redemption().redemption_id());
  cancel.set_reason("not collected");
  loyalty::v1::CancelRedemptionResponse cancelled;
  ASSERT_TRUE(stub->CancelRedemption(Context().get(), cancel, &cancelled).ok());
  EXPECT_EQ(cancelled.member().available_points(), 20);
  loyalty::v1::ListRewardsRequest rewards;
  rewards.set_program_id(created.program().program_id());
  loyalty::v1::ListRewardsResponse catalogue;
  ASSERT_TRUE(stub->ListRewards(Context().get(), rewards, &catalogue).ok());
  ASSERT_EQ(catalogue.rewards_size(), 1);
  EXPECT_EQ(catalogue.rewards(0).stock(), 1);
}

TEST(LoyaltyContractTest, LevelsCouponsOffersAndReports) {
  ServiceProcess svc("loyalty");
  ASSERT_TRUE(WaitForHealth(svc.channel().get(), "SERVING", absl::Seconds(20)));
  auto stub = loyalty::v1::LoyaltyService::NewStub(svc.channel());
  loyalty::v1::CreateProgramRequest create;
  loyalty::v1::Program& p = *create.mutable_program();
  p.set_display_name("Club");
  p.set_currency_code("CNY");
  p.mutable_rules()->mutable_earning()->set_points_per_currency_unit(1);
  p.mutable_rules()->mutable_earning()->set_birthday_bonus(10);
  for (const auto& [name, threshold] : {std::pair{"silver", 0}, std::pair{"gold", 10000}}) {
    loyalty::v1::Level* level = p.mutable_rules()->mutable_levels()->add_levels();
    level->set_name(name);
    level->set_threshold(threshold);
  }
  loyalty::v1::CreateProgramResponse program;
  ASSERT_TRUE(stub->CreateProgram(Context().get(), create, &program).ok());
  const std::string program_id = program.program().program_id();
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  loyalty::v1::EnrollMemberRequest enroll;
  enroll.set_program_id(program_id);
  enroll.set_customer_id("01KBZ4QK8E3S9D1V7X5M2N6P0R");
  enroll.set_birth_month(today.month());
  enroll.set_birth_day(today.day());
  loyalty::v1::EnrollMemberResponse enrolled;
  ASSERT_TRUE(stub->EnrollMember(Context().get(), enroll, &enrolled).ok());
  const std::string member_id = enrolled.member().member_id();

  auto buy = [&](const std::string& txn, int64_t fen, const std::string& coupon) {
    loyalty::v1::RecordPurchaseRequest r;
    r.mutable_purchase()->set_member_id(member_id);
    r.mutable_purchase()->set_source_transaction_id(txn);
    auto* line = r.mutable_purchase()->add_lines();
    line->set_sku("tea");
    line->set_category("drinks");
    line->set_quantity(1);
    line->set_amount_minor(fen);
    if (!coupon.empty()) r.mutable_purchase()->add_coupon_ids(coupon);
    loyalty::v1::RecordPurchaseResponse out;
    EXPECT_TRUE(stub->RecordPurchase(Context().get(), r, &out).ok());
    return out;
  };
  EXPECT_EQ(buy("t1", 10000, "").member().level(), "gold");

  loyalty::v1::IssueCouponsRequest issue;
  issue.set_request_id("issue-1");
  issue.set_program_id(program_id);
  issue.add_member_ids(member_id);
  issue.mutable_coupon()->set_campaign("thanks");
  issue.mutable_coupon()->set_bonus_points(25);
  issue.mutable_coupon()->mutable_start_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 60);
  issue.mutable_coupon()->mutable_end_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) + 3600);
  loyalty::v1::IssueCouponsResponse issued;
  ASSERT_TRUE(stub->IssueCoupons(Context().get(), issue, &issued).ok());
  ASSERT_EQ(issued.coupons_size(), 1);
  const loyalty::v1::RecordPurchaseResponse with_coupon =
      buy("t2", 2000, issued.coupons(0).coupon_id());
  ASSERT_EQ(with_coupon.purchase().applied_coupons_size(), 1);
  EXPECT_EQ(with_coupon.purchase().points_earned(), 20 + 25);
  loyalty::v1::RecordPurchaseRequest again;
  again.mutable_purchase()->set_member_id(member_id);
  again.mutable_purchase()->set_source_transaction_id("t3");
  *again.mutable_purchase()->add_lines() = with_coupon.purchase().lines(0);
  again.mutable_purchase()->add_coupon_ids(issued.coupons(0).coupon_id());
  loyalty::v1::RecordPurchaseResponse refused;
  ExpectError(stub->RecordPurchase(Context().get(), again, &refused),
              grpc::StatusCode::FAILED_PRECONDITION, "COUPON_NOT_USABLE", "loyalty.crm");

  loyalty::v1::GetLoyaltyMetricsRequest metrics;
  metrics.set_member_id(member_id);
  loyalty::v1::GetLoyaltyMetricsResponse measured;
  ASSERT_TRUE(stub->GetLoyaltyMetrics(Context().get(), metrics, &measured).ok());
  EXPECT_EQ(measured.metrics().purchase_count(), 2);
  loyalty::v1::GetPointsLiabilityRequest liability;
  liability.set_program_id(program_id);
  loyalty::v1::GetPointsLiabilityResponse owed;
  ASSERT_TRUE(stub->GetPointsLiability(Context().get(), liability, &owed).ok());
  EXPECT_EQ(owed.liability().outstanding_points(), 100 + 20 + 25);  // gold multiplies by 1 here
  loyalty::v1::RunBirthdayBonusesResponse birthdays;
  ASSERT_TRUE(stub->RunBirthdayBonuses(Context().get(), {}, &birthdays).ok());
  EXPECT_EQ(birthdays.members(), 1);
  loyalty::v1::RunLevelEvaluationResponse evaluated;
  ASSERT_TRUE(stub->RunLevelEvaluation(Context().get(), {}, &evaluated).ok());
  EXPECT_EQ(evaluated.downgraded(), 0);
  loyalty::v1::GeneratePersonalOffersRequest offers;
  offers.set_request_id("offers-1");
  offers.set_program_id(program_id);
  offers.set_member_id(member_id);
  loyalty::v1::GeneratePersonalOffersResponse listed;
  ASSERT_TRUE(stub->GeneratePersonalOffers(Context().get(), offers, &listed).ok());
  ASSERT_EQ(listed.offers_size(), 1);
  ASSERT_GE(listed.offers(0).items_size(), 1);
  EXPECT_EQ(listed.offers(0).items(0).category(), "drinks");
}

TEST(LoyaltyContractTest, TheTillFindsTheMemberByCardThroughIdentify) {
  ServiceProcess identify("identify");
  ASSERT_TRUE(WaitForHealth(identify.channel().get(), "SERVING", absl::Seconds(20)));
  ServiceProcess loyalty("loyalty", true, {"--identify_target=" + identify.address()});
  ASSERT_TRUE(WaitForHealth(loyalty.channel().get(), "SERVING", absl::Seconds(20)));
  auto customers = identify::v1::IdentifyService::NewStub(identify.channel());
  auto stub = loyalty::v1::LoyaltyService::NewStub(loyalty.channel());
  auto card = [](const std::string& number) {
    identify::v1::Identifier id;
    id.set_type(identify::v1::IDENTIFIER_TYPE_MEMBER_CARD);
    id.set_value(number);
    return id;
  };
  auto create_customer = [&](const std::string& request_id, const std::string& number) {
    identify::v1::CreateCustomerRequest create;
    create.set_request_id(request_id);
    create.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
    create.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
    create.mutable_customer()->set_display_name("Li Lei");
    *create.mutable_customer()->add_identifiers() = card(number);
    identify::v1::CreateCustomerResponse created;
    EXPECT_TRUE(customers->CreateCustomer(Context().get(), create, &created).ok());
    return created.customer().customer_id();
  };
  const std::string customer = create_customer("c1", "8800123");
  create_customer("c2", "8800999");

  loyalty::v1::CreateProgramRequest program;
  program.mutable_program()->set_display_name("Club");
  program.mutable_program()->set_currency_code("CNY");
  program.mutable_program()->set_points_per_currency_unit(1);
  loyalty::v1::CreateProgramResponse created;
  ASSERT_TRUE(stub->CreateProgram(Context().get(), program, &created).ok());
  const std::string program_id = created.program().program_id();
  loyalty::v1::EnrollMemberRequest enroll;
  enroll.set_program_id(program_id);
  *enroll.mutable_customer_identifier() = card("8800-123");  // normalised by identify
  loyalty::v1::EnrollMemberResponse enrolled;
  ASSERT_TRUE(stub->EnrollMember(Context().get(), enroll, &enrolled).ok());
  EXPECT_EQ(enrolled.member().customer_id(), customer);

  // At the till: the card is scanned, the purchase goes in by it.
  loyalty::v1::RecordPurchaseRequest buy;
  buy.set_program_id(program_id);
  *buy.mutable_customer_identifier() = card("8800123");
  buy.mutable_purchase()->set_source_transaction_id("till-1/0001");
  auto* line = buy.mutable_purchase()->add_lines();
  line->set_sku("tea");
  line->set_quantity(1);
  line->set_amount_minor(2000);
  loyalty::v1::RecordPurchaseResponse bought, replayed;
  ASSERT_TRUE(stub->RecordPurchase(Context().get(), buy, &bought).ok());
  EXPECT_EQ(bought.purchase().member_id(), enrolled.member().member_id());
  EXPECT_EQ(bought.member().available_points(), 20);
  loyalty::v1::RecordPurchaseRequest by_id;
  *by_id.mutable_purchase() = buy.purchase();
  by_id.mutable_purchase()->set_member_id(enrolled.member().member_id());
  ASSERT_TRUE(stub->RecordPurchase(Context().get(), by_id, &replayed).ok());
  EXPECT_TRUE(replayed.replayed());

  loyalty::v1::IdentifyMemberRequest who;
  who.set_program_id(program_id);
  *who.mutable_identifier() = card("8800123");
  loyalty::v1::IdentifyMemberResponse found;
  ASSERT_TRUE(stub->IdentifyMember(Context().get(), who, &found).ok());
  EXPECT_EQ(found.member().member_id(), enrolled.member().member_id());
  *who.mutable_identifier() = card("8800999");
  ExpectError(stub->IdentifyMember(Context().get(), who, &found), grpc::StatusCode::NOT_FOUND,
              "NOT_A_MEMBER", "loyalty.crm");
  who.clear_identifier();
  ExpectError(stub->IdentifyMember(Context().get(), who, &found),
              grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD", "loyalty.crm");
  *who.mutable_identifier() = card("1234567");
  ExpectError(stub->IdentifyMember(Context().get(), who, &found), grpc::StatusCode::NOT_FOUND,
              "CUSTOMER_NOT_FOUND", "loyalty.crm");

  // Identify down: the till is told to retry, and nothing is recorded.
  identify.process().Signal(SIGTERM);
  ASSERT_TRUE(identify.process().Wait(absl::Seconds(20)).has_value());
  buy.mutable_purchase()->set_source_transaction_id("till-1/0002");
  ExpectError(stub->RecordPurchase(Context().get(), buy, &bought),
              grpc::StatusCode::UNAVAILABLE, "IDENTIFY_UNAVAILABLE", "loyalty.crm");
  EXPECT_EQ(loyalty.db().Query("SELECT COUNT(*) FROM purchases"), "1");
}

TEST(SegmentContractTest, SetAndGetTierPolicy) {
  ServiceProcess svc("segment", true,
                     {"--loyalty_target=", "--complaints_target=", "--identify_target="});
  ASSERT_TRUE(WaitForHealth(svc.channel().get(), "SERVING", absl::Seconds(20)));
  auto stub = segment::v1::SegmentService::NewStub(svc.channel());
  segment::v1::SetTierPolicyRequest set;
  set.mutable_policy()->set_tier("key");
  set.mutable_policy()->set_priority(800);
  set.mutable_policy()->set_sla_class("gold");
  set.mutable_policy()->set_contact_channel(segment::v1::CONTACT_CHANNEL_PHONE);
  segment::v1::SetTierPolicyResponse done;
  ASSERT_TRUE(stub->SetTierPolicy(Context().get(), set, &done).ok());
  segment::v1::GetTierPolicyRequest get;
  get.set_tier("key");
  segment::v1::GetTierPolicyResponse got;
  ASSERT_TRUE(stub->GetTierPolicy(Context().get(), get, &got).ok());
  EXPECT_EQ(got.policy().sla_class(), "gold");
  get.set_tier("small");
  ExpectError(stub->GetTierPolicy(Context().get(), get, &got), grpc::StatusCode::NOT_FOUND,
              "TIER_POLICY_NOT_FOUND", "segment.crm");

  segment::v1::GetCustomerTierRequest which;
  which.set_customer_id("01ARZ3NDEKTSV4RRFFQ69G5FAV");
  segment::v1::GetCustomerTierResponse tier;
  ExpectError(stub->GetCustomerTier(Context().get(), which, &tier), grpc::StatusCode::NOT_FOUND,
              "TIER_NOT_ASSIGNED", "segment.crm");
  segment::v1::AssignCustomerTierRequest assign;
  assign.mutable_tier()->set_customer_id(which.customer_id());
  assign.mutable_tier()->set_tier("key");
  segment::v1::AssignCustomerTierResponse assigned;
  ExpectError(stub->AssignCustomerTier(Context().get(), assign, &assigned),
              grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD", "segment.crm");  // no reason
  assign.mutable_tier()->set_reason("top 5% of spend");
  ASSERT_TRUE(stub->AssignCustomerTier(Context().get(), assign, &assigned).ok());
  ASSERT_TRUE(stub->GetCustomerTier(Context().get(), which, &tier).ok());
  EXPECT_EQ(tier.tier().tier(), "key");
  EXPECT_EQ(tier.policy().sla_class(), "gold");
  assign.mutable_tier()->set_tier("small");
  assign.mutable_tier()->set_reason("spend fell");
  ASSERT_TRUE(stub->AssignCustomerTier(Context().get(), assign, &assigned).ok());
  ASSERT_TRUE(stub->GetCustomerTier(Context().get(), which, &tier).ok());
  EXPECT_FALSE(tier.has_policy());  // "small" has none
  EXPECT_EQ(svc.db().Query("SELECT COUNT(*) FROM tier_changes"), "2");
}

TEST(ServiceLifecycleTest, NotServingUntilMigratedThenServingWithoutRestart) {
  ServiceProcess svc("identify", /*migrate=*/false);
  ASSERT_TRUE(WaitForHealth(svc.channel().get(), "NOT_SERVING", absl::Seconds(20)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(testing::HealthOf(svc.channel().get()), "NOT_SERVING");
  ASSERT_EQ(svc.Migrate(), 0);
  EXPECT_TRUE(WaitForHealth(svc.channel().get(), "SERVING", absl::Seconds(10)));
}

TEST(ServiceLifecycleTest, SigtermExitsZeroAndBadConfigExitsTwo) {
  ServiceProcess svc("segment", true,
                     {"--loyalty_target=", "--complaints_target=", "--identify_target="});
  ASSERT_TRUE(WaitForHealth(svc.channel().get(), "SERVING", absl::Seconds(20)));
  svc.process().Signal(SIGTERM);
  EXPECT_EQ(svc.process().Wait(absl::Seconds(10)), 0);
  EXPECT_NE(svc.process().Log().find("\"msg\":\"stopped\""), std::string::npos);

  testing::Subprocess bad({testing::BuildPath("services/segment/crm-segment"),
                           "--db_dsn=mysql://u:secret@h/s"},
                          ::testing::TempDir() + "/bad-config.log");
  EXPECT_EQ(bad.Wait(absl::Seconds(10)), 2);
  EXPECT_NE(bad.Log().find("BAD_DSN"), std::string::npos);
  EXPECT_EQ(bad.Log().find("secret"), std::string::npos);
}

}  // namespace
}  // namespace crm
