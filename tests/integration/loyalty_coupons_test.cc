// Coupons on a real MariaDB: issuing once per member and request, use at
// checkout inside RecordPurchase (owner, validity, minimum spend, one use),
// auto-applied offers, bonus-point coupons and the member's wallet.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/loyalty_fixture.h"
#include "tests/support/status_matchers.h"

namespace crm::loyalty {
namespace {

using Code = absl::StatusCode;
using testing::IsError;

class LoyaltyCouponsTest : public LoyaltyServiceTest {
 protected:
  // 10 yuan off fresh food from 50 yuan of it, valid for a week from now.
  v1::Coupon TenOffFresh() {
    v1::Coupon c;
    c.set_campaign("fresh week");
    c.set_amount_off_minor(1000);
    c.add_categories("fresh");
    c.set_min_spend_minor(5000);
    ToProtoTimestamp(clock_.Now(), c.mutable_start_time());
    ToProtoTimestamp(clock_.Now() + absl::Hours(24 * 7), c.mutable_end_time());
    return c;
  }

  absl::StatusOr<v1::IssueCouponsResponse> Issue(const std::string& program_id,
                                                 const v1::Coupon& coupon,
                                                 const std::vector<std::string>& members,
                                                 const std::string& request_id) {
    v1::IssueCouponsRequest r;
    r.set_request_id(request_id);
    r.set_program_id(program_id);
    *r.mutable_coupon() = coupon;
    for (const std::string& m : members) r.add_member_ids(m);
    return service_.IssueCoupons(r);
  }

  std::string IssueOne(const std::string& program_id, const v1::Coupon& coupon,
                       const std::string& member_id) {
    auto issued = Issue(program_id, coupon, {member_id}, ids_.Next());
    EXPECT_TRUE(issued.ok()) << Describe(issued.status());
    return issued.ok() && issued->coupons_size() == 1 ? issued->coupons(0).coupon_id() : "";
  }

  absl::StatusOr<v1::RecordPurchaseResponse> BuyWith(const std::string& member_id,
                                                     const std::string& txn, int64_t fresh,
                                                     int64_t other,
                                                     const std::vector<std::string>& coupons) {
    v1::RecordPurchaseRequest r = Purchase(member_id, txn, fresh, other);
    for (const std::string& c : coupons) r.mutable_purchase()->add_coupon_ids(c);
    return service_.RecordPurchase(r);
  }
};

TEST_F(LoyaltyCouponsTest, AnIssueGivesEachMemberOneCouponEvenWhenRetried) {
  const std::string program = CreateProgram();
  const std::string a = Enroll(program).member_id();
  const std::string b = Enroll(program).member_id();
  auto issued = Issue(program, TenOffFresh(), {a, b, a}, "issue-1");
  ASSERT_TRUE(issued.ok()) << Describe(issued.status());
  EXPECT_EQ(issued->issued(), 2);
  EXPECT_EQ(issued->coupons(0).state(), v1::Coupon::STATE_ISSUED);
  auto retried = Issue(program, TenOffFresh(), {a, b, a}, "issue-1");
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(retried->issued(), 2);
  EXPECT_EQ(retried->coupons(0).coupon_id(), issued->coupons(0).coupon_id());
  v1::Coupon other = TenOffFresh();
  other.set_amount_off_minor(2000);
  EXPECT_TRUE(IsError(Issue(program, other, {a}, "issue-1").status(),
                      Code::kFailedPrecondition, "IDEMPOTENCY_KEY_REUSED"));
  EXPECT_TRUE(IsError(Issue(program, TenOffFresh(), {a, ids_.Next()}, "issue-2").status(),
                      Code::kNotFound, "MEMBER_NOT_FOUND"));
  EXPECT_EQ(db_.Query("SELECT COUNT(*) FROM coupons"), "2");  // issue-2 gave nothing

  v1::Coupon two_benefits = TenOffFresh();
  two_benefits.set_bonus_points(5);
  EXPECT_TRUE(IsError(Issue(program, two_benefits, {a}, "issue-3").status(),
                      Code::kInvalidArgument, "INVALID_FIELD", "coupon"));
  v1::Coupon backwards = TenOffFresh();
  backwards.mutable_end_time()->set_seconds(backwards.start_time().seconds());
  EXPECT_TRUE(IsError(Issue(program, backwards, {a}, "issue-4").status(),
                      Code::kInvalidArgument, "INVALID_FIELD", "coupon.end_time"));
  EXPECT_TRUE(IsError(Issue(program, TenOffFresh(), {}, "issue-5").status(),
                      Code::kInvalidArgument, "INVALID_FIELD", "member_ids"));
}

TEST_F(LoyaltyCouponsTest, ACouponTakesItsDiscountAtCheckoutOnceAndPointsFollowThePayment) {
  const std::string program = CreateProgram();
  const std::string member = Enroll(program).member_id();
  const std::string coupon = IssueOne(program, TenOffFresh(), member);
  // 60 yuan of fresh food (2 points per yuan) and 40 of soap: 160 points on
  // 100 yuan, 144 on the 90 paid; plus the 50-point first-purchase bonus.
  auto bought = BuyWith(member, "t1", 6000, 4000, {coupon});
  ASSERT_TRUE(bought.ok()) << Describe(bought.status());
  EXPECT_EQ(bought->purchase().discount_minor(), 1000);
  ASSERT_EQ(bought->purchase().applied_coupons_size(), 1);
  EXPECT_EQ(bought->purchase().applied_coupons(0).coupon_id(), coupon);
  EXPECT_EQ(bought->purchase().points_earned(), 144 + 50);
  auto replay = BuyWith(member, "t1", 6000, 4000, {coupon});
  ASSERT_TRUE(replay.ok()) << Describe(replay.status());
  EXPECT_TRUE(replay->replayed());
  EXPECT_EQ(replay->purchase().discount_minor(), 1000);
  EXPECT_TRUE(IsError(BuyWith(member, "t2", 6000, 0, {coupon}).status(),
                      Code::kFailedPrecondition, "COUPON_NOT_USABLE"));
  // A return can refund at most what was paid.
  EXPECT_TRUE(IsError(Return(member, "t1", "r1", 9001).status(), Code::kFailedPrecondition,
                      "RETURN_EXCEEDS_PURCHASE"));

  v1::ListCouponsRequest wallet;
  wallet.set_member_id(member);
  EXPECT_EQ(service_.ListCoupons(wallet)->coupons_size(), 0);
  wallet.set_include_inactive(true);
  auto all = service_.ListCoupons(wallet);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->coupons_size(), 1);
  EXPECT_EQ(all->coupons(0).state(), v1::Coupon::STATE_REDEEMED);
  EXPECT_EQ(all->coupons(0).purchase_id(), bought->purchase().purchase_id());
}

TEST_F(LoyaltyCouponsTest, MisusedCouponsRefuseThePurchaseAndRecordNothing) {
  const std::string program = CreateProgram();
  const std::string member = Enroll(program).member_id();
  const std::string other = Enroll(program).member_id();
  const std::string theirs = IssueOne(program, TenOffFresh(), other);
  const std::string mine = IssueOne(program, TenOffFresh(), member);
  v1::Coupon later = TenOffFresh();
  ToProtoTimestamp(clock_.Now() + absl::Hours(1), later.mutable_start_time());
  const std::string not_yet = IssueOne(program, later, member);

  EXPECT_TRUE(IsError(BuyWith(member, "t1", 6000, 0, {theirs}).status(),
                      Code::kFailedPrecondition, "COUPON_NOT_USABLE"));
  EXPECT_TRUE(IsError(BuyWith(member, "t2", 6000, 0, {not_yet}).status(),
                      Code::kFailedPrecondition, "COUPON_NOT_USABLE"));
  // 49.99 of fresh food, plenty of soap: the minimum counts eligible lines.
  EXPECT_TRUE(IsError(BuyWith(member, "t3", 4999, 90000, {mine}).status(),
                      Code::kFailedPrecondition, "COUPON_NOT_USABLE"));
  EXPECT_TRUE(IsError(BuyWith(member, "t4", 6000, 0, {ids_.Next()}).status(), Code::kNotFound,
                      "COUPON_NOT_FOUND"));
  EXPECT_TRUE(IsError(BuyWith(member, "t5", 6000, 0, {mine, mine}).status(),
                      Code::kInvalidArgument, "INVALID_FIELD", "purchase.coupon_ids[1]"));
  EXPECT_EQ(Get(member).purchase_count(), 0);
  clock_.Advance(absl::Hours(24 * 7));  // the end is exclusive
  EXPECT_TRUE(IsError(BuyWith(member, "t6", 6000, 0, {mine}).status(),
                      Code::kFailedPrecondition, "COUPON_NOT_USABLE"));
  v1::ListCouponsRequest wallet;
  wallet.set_member_id(member);
  wallet.set_include_inactive(true);
  auto all = service_.ListCoupons(wallet);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->coupons_size(), 2);
  EXPECT_EQ(all->coupons(1).state(), v1::Coupon::STATE_EXPIRED);
  EXPECT_EQ(Get(member).purchase_count(), 0);
}

TEST_F(LoyaltyCouponsTest, OffersApplyThemselvesWhenThePurchaseQualifiesAndBonusesArePoints) {
  const std::string program = CreateProgram();
  const std::string member = Enroll(program).member_id();
  v1::Coupon offer;
  offer.set_campaign("your fresh offer");
  offer.set_percent_off(10);
  offer.add_categories("fresh");
  offer.set_auto_apply(true);
  ToProtoTimestamp(clock_.Now(), offer.mutable_start_time());
  ToProtoTimestamp(clock_.Now() + absl::Hours(24 * 30), offer.mutable_end_time());
  const std::string offer_id = IssueOne(program, offer, member);
  v1::Coupon bonus;
  bonus.set_campaign("double up");
  bonus.set_bonus_points(300);
  *bonus.mutable_start_time() = offer.start_time();
  *bonus.mutable_end_time() = offer.end_time();
  const std::string bonus_id = IssueOne(program, bonus, member);

  auto soap = BuyWith(member, "t1", 0, 2000, {});
  ASSERT_TRUE(soap.ok()) << Describe(soap.status());
  EXPECT_EQ(soap->purchase().applied_coupons_size(), 0);  // no fresh food: the offer waits
  auto fresh = BuyWith(member, "t2", 3000, 1000, {bonus_id});
  ASSERT_TRUE(fresh.ok()) << Describe(fresh.status());
  ASSERT_EQ(fresh->purchase().applied_coupons_size(), 2);
  EXPECT_EQ(fresh->purchase().applied_coupons(0).bonus_points(), 300);
  EXPECT_EQ(fresh->purchase().applied_coupons(1).coupon_id(), offer_id);
  EXPECT_EQ(fresh->purchase().discount_minor(), 300);  // 10% of the 30 yuan of fresh food
  // (60 + 10) points on 40 yuan, paid 37: floor(70 x 37 / 40) = 64, plus 300.
  EXPECT_EQ(fresh->purchase().points_earned(), 64 + 300);
  auto again = BuyWith(member, "t3", 3000, 0, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->purchase().applied_coupons_size(), 0);  // used once
}

TEST_F(LoyaltyCouponsTest, ConcurrentCouponPurchasesOfDifferentMembersAllGoThrough) {
  const std::string program = CreateProgram();
  std::vector<std::pair<std::string, std::string>> holders;  // member, coupon
  for (int i = 0; i < 12; ++i) {
    const std::string member = Enroll(program).member_id();
    holders.emplace_back(member, IssueOne(program, TenOffFresh(), member));
  }
  constexpr char kDeadlocks[] =
      "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
      "WHERE VARIABLE_NAME = 'INNODB_DEADLOCKS'";
  const std::string deadlocks_before = db_.Query(kDeadlocks);
  std::vector<std::thread> tills;
  std::atomic<int> ok{0};
  for (int i = 0; i < 12; ++i) {
    tills.emplace_back([&, i] {
      // Increasing transaction ids: every insert goes to the end of the index.
      if (BuyWith(holders[i].first, absl::StrCat("till-", 1000 + i), 6000, 0,
                  {holders[i].second})
              .ok()) {
        ++ok;
      }
    });
  }
  for (std::thread& t : tills) t.join();
  EXPECT_EQ(ok.load(), 12);
  // Not even retried ones: the replay check takes no gap lock.
  EXPECT_EQ(db_.Query(kDeadlocks), deadlocks_before);
}

TEST_F(LoyaltyCouponsTest, PersonalOffersBecomeAutoAppliedCouponsOncePerRequest) {
  const std::string program = CreateProgram();
  auto buy = [&](const std::string& member, const std::string& txn,
                 const std::vector<std::string>& categories, int64_t each) {
    v1::RecordPurchaseRequest r = Purchase(member, txn, 0, 0);
    for (const std::string& category : categories) {
      v1::PurchaseLine* line = r.mutable_purchase()->add_lines();
      line->set_sku(category + "-1");
      line->set_category(category);
      line->set_quantity(1);
      line->set_amount_minor(each);
    }
    ASSERT_TRUE(service_.RecordPurchase(r).ok());
  };
  for (int i = 0; i < 6; ++i) {
    buy(Enroll(program).member_id(), absl::StrCat("n", i), {"fresh", "bakery"}, 500);
  }
  const std::string member = Enroll(program).member_id();
  const absl::Time start = clock_.Now();
  buy(member, "s0", {"household"}, 20000);
  for (int week = 0; week < 3; ++week) {
    clock_.Set(start + absl::Hours(24 * 7 * week) + absl::Minutes(1));
    buy(member, absl::StrCat("s", week + 1), {"fresh"}, 3000);
  }
  clock_.Set(start + absl::Hours(24 * 20));

  v1::GeneratePersonalOffersRequest generate;
  generate.set_request_id("offers-2026-w1");
  generate.set_program_id(program);
  generate.set_member_id(member);
  auto offers = service_.GeneratePersonalOffers(generate);
  ASSERT_TRUE(offers.ok()) << Describe(offers.status());
  ASSERT_EQ(offers->offers_size(), 1);
  const v1::PersonalOffer& list = offers->offers(0);
  ASSERT_EQ(list.items_size(), 3);
  EXPECT_EQ(list.items(0).category(), "fresh");
  EXPECT_EQ(list.items(0).reason(), v1::OfferItem::REASON_DUE);
  EXPECT_EQ(list.items(1).category(), "household");
  EXPECT_EQ(list.items(1).reason(), v1::OfferItem::REASON_FAVOURITE);
  EXPECT_EQ(list.items(2).category(), "bakery");
  EXPECT_EQ(list.items(2).reason(), v1::OfferItem::REASON_DISCOVERY);
  EXPECT_EQ(list.items(0).percent_off(), 5u);
  auto retried = service_.GeneratePersonalOffers(generate);
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(retried->offers(0).items(0).coupon_id(), list.items(0).coupon_id());
  v1::ListCouponsRequest wallet;
  wallet.set_member_id(member);
  EXPECT_EQ(service_.ListCoupons(wallet)->coupons_size(), 3);

  // The next fresh purchase takes the offer by itself: 5 % of 40 yuan.
  v1::RecordPurchaseRequest next = Purchase(member, "s4", 4000, 0);
  auto bought = service_.RecordPurchase(next);
  ASSERT_TRUE(bought.ok()) << Describe(bought.status());
  ASSERT_EQ(bought->purchase().applied_coupons_size(), 1);
  EXPECT_EQ(bought->purchase().applied_coupons(0).coupon_id(), list.items(0).coupon_id());
  EXPECT_EQ(bought->purchase().discount_minor(), 200);

  // Everyone who spent 300 yuan or more this month: only this member.
  v1::GeneratePersonalOffersRequest bulk;
  bulk.set_request_id("offers-2026-w1-bulk");
  bulk.set_program_id(program);
  ToProtoTimestamp(start, bulk.mutable_period_start());
  ToProtoTimestamp(clock_.Now() + absl::Seconds(1), bulk.mutable_period_end());
  bulk.set_min_spend_minor(30000);
  auto many = service_.GeneratePersonalOffers(bulk);
  ASSERT_TRUE(many.ok()) << Describe(many.status());
  EXPECT_EQ(many->members(), 1);
  generate.set_member_id(ids_.Next());
  generate.set_request_id("offers-unknown");
  EXPECT_TRUE(IsError(service_.GeneratePersonalOffers(generate).status(), Code::kNotFound,
                      "MEMBER_NOT_FOUND"));
}

}  // namespace
}  // namespace crm::loyalty
