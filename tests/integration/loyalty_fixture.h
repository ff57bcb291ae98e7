// A loyalty service on a real MariaDB, with helpers to build programs,
// members and purchases. After every test the ledger invariants are checked:
// each member's cached balance equals the sum of its ledger entries and the
// sum of its lots less its debt, and no lot is negative.
#ifndef CRM_TESTS_INTEGRATION_LOYALTY_FIXTURE_H_
#define CRM_TESTS_INTEGRATION_LOYALTY_FIXTURE_H_

#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "gtest/gtest.h"
#include "services/loyalty/loyalty_service.h"
#include "services/loyalty/mysql_loyalty_store.h"
#include "tests/support/test_database.h"

namespace crm::loyalty {

class LoyaltyServiceTest : public ::testing::Test {
 protected:
  LoyaltyServiceTest()
      : db_(Migrations()), pool_(db_.AppConfig()), store_(&pool_, &clock_),
        service_(&store_, &clock_, &ids_) {}

  void TearDown() override {
    EXPECT_EQ(db_.Query("SELECT COUNT(*) FROM members m WHERE balance <> "
                        "(SELECT COALESCE(SUM(points), 0) FROM ledger_entries e "
                        "WHERE e.member_id = m.member_id)"),
              "0");
    EXPECT_EQ(db_.Query("SELECT COUNT(*) FROM members m WHERE balance <> "
                        "(SELECT COALESCE(SUM(remaining), 0) FROM point_lots l "
                        "WHERE l.member_id = m.member_id) - debt_points"),
              "0");
    // A member in debt holds no unexpired points: they would have paid it.
    EXPECT_EQ(db_.Query(absl::StrCat("SELECT COUNT(*) FROM members m JOIN point_lots l "
                                     "ON l.member_id = m.member_id WHERE m.debt_points > 0 "
                                     "AND l.remaining > 0 AND l.expires_at > '",
                                     ToSqlDatetime(clock_.Now()), "'")),
              "0");
    EXPECT_EQ(db_.Query("SELECT COUNT(*) FROM point_lots WHERE remaining < 0"), "0");
  }

  // 1 point per yuan, 2 on fresh food; 7 pending days; 12-month expiry;
  // 100 points for enrolling, 50 for the first purchase.
  std::string CreateProgram(int64_t max_per_day = 0,
                            v1::ReturnPolicy policy = v1::RETURN_POLICY_UNSPECIFIED) {
    v1::CreateProgramRequest r;
    v1::Program& p = *r.mutable_program();
    p.set_display_name("Dick's Club");
    p.set_currency_code("CNY");
    p.set_currency_exponent(2);
    v1::ProgramRules& rules = *p.mutable_rules();
    rules.mutable_earning()->set_points_per_currency_unit(1);
    auto* fresh = rules.mutable_earning()->add_category_rates();
    fresh->set_category("fresh");
    fresh->set_points_per_currency_unit(2);
    rules.mutable_earning()->set_enrollment_bonus(100);
    rules.mutable_earning()->set_first_purchase_bonus(50);
    rules.mutable_earning()->set_max_points_per_day(max_per_day);
    rules.mutable_expiry()->set_kind(v1::ExpiryPolicy::KIND_MONTHS_AFTER_EARNING);
    rules.mutable_expiry()->set_months(12);
    rules.set_pending_days(7);
    rules.set_return_policy(policy);
    auto created = service_.CreateProgram(r);
    EXPECT_TRUE(created.ok()) << Describe(created.status());
    return created.ok() ? created->program().program_id() : "";
  }

  v1::Member Enroll(const std::string& program_id) {
    v1::EnrollMemberRequest r;
    r.set_program_id(program_id);
    r.set_customer_id(ids_.Next());
    auto enrolled = service_.EnrollMember(r);
    EXPECT_TRUE(enrolled.ok()) << Describe(enrolled.status());
    return enrolled.ok() ? enrolled->member() : v1::Member();
  }

  v1::RecordPurchaseRequest Purchase(const std::string& member_id, const std::string& txn,
                                     int64_t fresh_fen, int64_t other_fen) {
    v1::RecordPurchaseRequest r;
    v1::Purchase& p = *r.mutable_purchase();
    p.set_member_id(member_id);
    p.set_source_transaction_id(txn);
    ToProtoTimestamp(clock_.Now(), p.mutable_purchase_time());
    p.set_channel("pos");
    p.set_store_id("17");
    for (const auto& [sku, category, amount] :
         {std::tuple{"apple", "fresh", fresh_fen}, std::tuple{"soap", "household", other_fen}}) {
      if (amount == 0) continue;
      v1::PurchaseLine& line = *p.add_lines();
      line.set_sku(sku);
      line.set_category(category);
      line.set_quantity(1);
      line.set_amount_minor(amount);
    }
    return r;
  }

  absl::StatusOr<v1::AdjustPointsResponse> Adjust(const std::string& member_id, int64_t points,
                                                  const std::string& request_id) {
    v1::AdjustPointsRequest r;
    r.set_request_id(request_id);
    r.set_member_id(member_id);
    r.set_points(points);
    r.set_reason("complaint compensation");
    r.set_reference("complaint-1");
    return service_.AdjustPoints(r);
  }

  absl::StatusOr<v1::RecordReturnResponse> Return(const std::string& member_id,
                                                  const std::string& txn,
                                                  const std::string& return_id, int64_t amount) {
    v1::RecordReturnRequest r;
    r.set_member_id(member_id);
    r.set_source_transaction_id(txn);
    r.set_source_return_id(return_id);
    r.set_amount_minor(amount);
    return service_.RecordReturn(r);
  }

  v1::Member Get(const std::string& member_id) {
    v1::GetMemberRequest r;
    r.set_member_id(member_id);
    auto got = service_.GetMember(r);
    EXPECT_TRUE(got.ok()) << Describe(got.status());
    return got.ok() ? got->member() : v1::Member();
  }

  testing::TestDatabase db_;
  MysqlPool pool_;
  FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  IdGenerator ids_{&clock_};
  MysqlLoyaltyStore store_;
  LoyaltyService service_;
};

}  // namespace crm::loyalty

#endif  // CRM_TESTS_INTEGRATION_LOYALTY_FIXTURE_H_
