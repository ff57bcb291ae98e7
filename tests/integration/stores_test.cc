// The MySQL stores of the four services against their real schemas.
#include "common/errors.h"
#include "common/ids.h"
#include "gtest/gtest.h"
#include "services/identify/mysql_identify_store.h"
#include "services/loyalty/mysql_loyalty_store.h"
#include "services/segment/mysql_segment_store.h"
#include "tests/support/test_database.h"

namespace crm {
namespace {

using testing::TestDatabase;

class StoresTest : public ::testing::Test {
 protected:
  FakeClock clock_{absl::FromUnixMicros(1'800'000'000'123'456)};
  IdGenerator ids_{&clock_};
};

TEST_F(StoresTest, IdentifyRoundTripsACustomer) {
  TestDatabase db(identify::Migrations());
  MysqlPool pool(db.AppConfig());
  const DataKey key = testing::TestDataKey();
  identify::MysqlIdentifyStore store(&pool, &clock_, &key);
  identify::NewCustomer input;
  identify::v1::Customer& c = input.customer;
  c.set_customer_id(ids_.Next());
  c.set_kind(identify::v1::CUSTOMER_KIND_ORGANIZATION);
  c.set_category(identify::v1::CUSTOMER_CATEGORY_PUBLIC_INTEREST);
  c.set_display_name("市工商联 Chamber");
  c.mutable_organization()->set_industry("association");
  c.set_lifecycle_status(identify::v1::LIFECYCLE_STATUS_TARGET);
  c.set_state(identify::v1::CUSTOMER_STATE_ACTIVE);
  c.mutable_create_time()->set_seconds(1'800'000'000);
  c.mutable_create_time()->set_nanos(123'456'000);
  *c.mutable_update_time() = c.create_time();
  c.set_etag("1");
  input.source.set_channel(identify::v1::COLLECTION_CHANNEL_BUSINESS_REGISTRY);
  ASSERT_TRUE(store.CreateCustomer({"CreateCustomer", "", ""}, input).ok());
  auto got = store.GetCustomer(c.customer_id());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->customer.SerializeAsString(), c.SerializeAsString());
  // Personal data is sealed at rest: the name is nowhere in clear.
  EXPECT_EQ(db.Query("SELECT COUNT(*) FROM customers WHERE display_name IS NULL "
                     "AND INSTR(sealed_data, 'Chamber') = 0"),
            "1");
  auto missing = store.GetCustomer(ids_.Next());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(missing.status()), "CUSTOMER_NOT_FOUND");
}

TEST_F(StoresTest, LoyaltyRoundTripsAProgram) {
  TestDatabase db(loyalty::Migrations());
  MysqlPool pool(db.AppConfig());
  loyalty::MysqlLoyaltyStore store(&pool, &clock_);
  loyalty::v1::Program p;
  p.set_program_id(ids_.Next());
  p.set_display_name("Club");
  p.set_currency_code("CNY");
  p.set_points_per_currency_unit(2);
  p.set_currency_exponent(2);
  p.mutable_create_time()->set_seconds(1'800'000'000);
  *p.mutable_update_time() = p.create_time();
  p.mutable_rules()->set_version(1);
  *p.mutable_rules()->mutable_effective_time() = p.create_time();
  p.mutable_rules()->mutable_earning()->set_points_per_currency_unit(2);
  p.mutable_rules()->set_pending_days(14);
  ASSERT_TRUE(store.CreateProgram({"CreateProgram", "", ""}, p).ok());
  auto got = store.GetProgram(p.program_id(), absl::FromUnixSeconds(1'800'000'000));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->SerializeAsString(), p.SerializeAsString());
  EXPECT_EQ(ReasonOf(store.GetProgram(ids_.Next(), clock_.Now()).status()), "PROGRAM_NOT_FOUND");
}

TEST_F(StoresTest, SegmentReplacesATierPolicyWithItsBenefits) {
  TestDatabase db(segment::Migrations());
  MysqlPool pool(db.AppConfig());
  segment::MysqlSegmentStore store(&pool);
  segment::v1::TierPolicy p;
  p.set_tier("vip");
  p.set_priority(900);
  p.set_sla_class("platinum");
  p.set_contact_channel(segment::v1::CONTACT_CHANNEL_KEY_ACCOUNT_MANAGER);
  p.add_benefits("fast lane");
  p.add_benefits("free delivery");
  ASSERT_TRUE(store.PutTierPolicy(p).ok());
  p.set_priority(950);
  p.clear_benefits();
  p.add_benefits("personal shopper");
  ASSERT_TRUE(store.PutTierPolicy(p).ok());
  auto got = store.GetTierPolicy("vip");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->priority(), 950);
  ASSERT_EQ(got->benefits_size(), 1);
  EXPECT_EQ(got->benefits(0), "personal shopper");
  EXPECT_EQ(ReasonOf(store.GetTierPolicy("small").status()), "TIER_POLICY_NOT_FOUND");
}

}  // namespace
}  // namespace crm
