// Domain rules of the four services, over in-memory stores: what each
// service accepts, fills in and refuses before anything reaches a database.
#include "common/errors.h"
#include "gtest/gtest.h"
#include "services/loyalty/loyalty_service.h"
#include "services/segment/segment_service.h"

namespace crm {
namespace {

class ServicesTest : public ::testing::Test {
 protected:
  FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  IdGenerator ids_{&clock_};
};

void ExpectInvalidField(const absl::Status& s, const std::string& field) {
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(ReasonOf(s), "INVALID_FIELD");
  EXPECT_EQ(MetadataOf(s)["field"], field);
}

class NullLoyaltyStore : public loyalty::LoyaltyStore {
 public:
  absl::StatusOr<loyalty::v1::Program> CreateProgram(const RequestKey&,
                                                     const loyalty::v1::Program& p) override {
    return p;
  }
  absl::StatusOr<loyalty::v1::Program> GetProgram(absl::string_view, absl::Time) override {
    return absl::NotFoundError("");
  }
  absl::StatusOr<loyalty::v1::Member> Enroll(const RequestKey&, const loyalty::v1::Member&,
                                             int64_t, absl::Time) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<loyalty::v1::Member> GetMember(absl::string_view, absl::Time) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<loyalty::PurchaseOutcome> RecordPurchase(
      const loyalty::v1::Purchase&, absl::string_view, absl::Time,
      absl::FunctionRef<loyalty::Earning(const loyalty::EarningInputs&)>) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<loyalty::AdjustOutcome> Adjust(const RequestKey&, absl::string_view, int64_t,
                                                absl::string_view, absl::string_view, absl::Time,
                                                absl::Time) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<loyalty::ReturnOutcome> RecordReturn(const loyalty::v1::RecordReturnRequest&,
                                                      absl::string_view, absl::Time) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<loyalty::ExpiryOutcome> ExpirePoints(absl::Time, absl::Time) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::vector<loyalty::v1::LedgerEntry>> ListLedger(absl::string_view, int64_t,
                                                                   int) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::string> MemberOfCustomer(absl::string_view, absl::string_view) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<loyalty::v1::ProgramRules> AddRulesVersion(const RequestKey&, absl::string_view,
                                                            const loyalty::v1::ProgramRules&,
                                                            absl::Time) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::vector<loyalty::v1::Member>> ListMembers(absl::string_view,
                                                              std::optional<int>,
                                                              absl::string_view, int,
                                                              absl::Time) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<loyalty::LevelRunOutcome> EvaluateLevels(absl::Time) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<loyalty::BonusRunOutcome> GrantBirthdayBonuses(absl::Time) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<loyalty::v1::PointsLiability> Liability(absl::string_view,
                                                         absl::Time) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<loyalty::MemberHistory> History(absl::string_view, absl::Time, int,
                                                 absl::Time) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::vector<std::vector<std::string>>> CategoryBaskets(absl::string_view,
                                                                        absl::Time,
                                                                        int) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::vector<std::string>> MembersBySpend(absl::string_view, absl::Time,
                                                         absl::Time, int64_t) override {
    return absl::UnimplementedError("");
  }
  absl::Status IssueCoupons(absl::string_view, absl::string_view, const loyalty::v1::Coupon&,
                            const std::vector<loyalty::CouponTarget>&, absl::Time) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<loyalty::IssuedCoupons> CouponsOfIssue(absl::string_view, int,
                                                        absl::Time) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::vector<loyalty::v1::Coupon>> ListCoupons(absl::string_view, bool,
                                                              absl::string_view, int,
                                                              absl::Time) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<loyalty::v1::Reward> CreateReward(const RequestKey&,
                                                   const loyalty::v1::Reward&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::vector<loyalty::v1::Reward>> ListRewards(absl::string_view,
                                                              absl::string_view, bool, absl::Time,
                                                              int) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<loyalty::RedemptionOutcome> Redeem(const RequestKey&,
                                                    const loyalty::v1::Redemption&,
                                                    absl::Time) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::vector<loyalty::v1::Redemption>> ListRedemptions(absl::string_view,
                                                                      absl::string_view,
                                                                      int) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<loyalty::RedemptionOutcome> CancelRedemption(const RequestKey&,
                                                              absl::string_view, absl::string_view,
                                                              absl::Time) override {
    return absl::UnimplementedError("");
  }
};

TEST_F(ServicesTest, ProgramNeedsCurrencyAndSaneRate) {
  NullLoyaltyStore store;
  loyalty::LoyaltyService service(&store, &clock_, &ids_);
  loyalty::v1::CreateProgramRequest req;
  req.mutable_program()->set_display_name("Dick's Club");
  req.mutable_program()->set_currency_code("cny");
  ExpectInvalidField(service.CreateProgram(req).status(), "program.currency_code");
  req.mutable_program()->set_currency_code("CNY");
  req.mutable_program()->set_points_per_currency_unit(10001);
  ExpectInvalidField(service.CreateProgram(req).status(), "program.points_per_currency_unit");
  req.mutable_program()->set_points_per_currency_unit(1);
  auto created = service.CreateProgram(req);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(IsValidId(created->program().program_id()));
}

class NullSegmentStore : public segment::SegmentStore {
 public:
  absl::Status PutTierPolicy(const segment::v1::TierPolicy&) override { return absl::OkStatus(); }
  absl::StatusOr<segment::v1::CustomerTier> AssignTier(
      const segment::v1::CustomerTier& tier) override {
    return tier;
  }
  absl::StatusOr<segment::v1::CustomerTier> GetTier(absl::string_view) override {
    return absl::NotFoundError("");
  }
  absl::StatusOr<segment::v1::TierPolicy> GetTierPolicy(absl::string_view) override {
    return absl::NotFoundError("");
  }
};

TEST_F(ServicesTest, TierPolicyValidation) {
  NullSegmentStore store;
  segment::SegmentService service(&store, &clock_);
  segment::v1::SetTierPolicyRequest req;
  auto* p = req.mutable_policy();
  p->set_tier("VIP");
  ExpectInvalidField(service.SetTierPolicy(req).status(), "policy.tier");
  p->set_tier("vip");
  p->set_sla_class("gold");
  p->set_priority(1001);
  ExpectInvalidField(service.SetTierPolicy(req).status(), "policy.priority");
  p->set_priority(900);
  ExpectInvalidField(service.SetTierPolicy(req).status(), "policy.contact_channel");
  p->set_contact_channel(segment::v1::CONTACT_CHANNEL_KEY_ACCOUNT_MANAGER);
  p->add_benefits("");
  ExpectInvalidField(service.SetTierPolicy(req).status(), "policy.benefits[0]");
  p->set_benefits(0, "fast lane");
  EXPECT_TRUE(service.SetTierPolicy(req).ok());
  EXPECT_TRUE(segment::IsValidTierName("key_2"));
  EXPECT_FALSE(segment::IsValidTierName("2key"));
  EXPECT_FALSE(segment::IsValidTierName(std::string(33, 'a')));
}

}  // namespace
}  // namespace crm
