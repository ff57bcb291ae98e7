// How purchases move a customer's lifecycle status (DOMAIN.md: potential ->
// target -> first_time -> repeat -> loyal; lost customers are won back).
#include "gtest/gtest.h"
#include "services/identify/purchase_lifecycle.h"

namespace crm::identify {
namespace {

TEST(LifecycleTest, PurchasesMoveProspectsAndLostCustomersForward) {
  for (auto from : {v1::LIFECYCLE_STATUS_UNSPECIFIED, v1::LIFECYCLE_STATUS_POTENTIAL,
                    v1::LIFECYCLE_STATUS_TARGET, v1::LIFECYCLE_STATUS_LOST}) {
    EXPECT_EQ(AfterPurchase(from, 1), v1::LIFECYCLE_STATUS_FIRST_TIME) << from;
    EXPECT_EQ(AfterPurchase(from, 2), v1::LIFECYCLE_STATUS_REPEAT) << from;
  }
  EXPECT_EQ(AfterPurchase(v1::LIFECYCLE_STATUS_FIRST_TIME, 2), v1::LIFECYCLE_STATUS_REPEAT);
  EXPECT_EQ(AfterPurchase(v1::LIFECYCLE_STATUS_REPEAT, 9), v1::LIFECYCLE_STATUS_REPEAT);
}

TEST(LifecycleTest, LoyalAndNonCustomerAreNotChangedByAPurchase) {
  EXPECT_EQ(AfterPurchase(v1::LIFECYCLE_STATUS_LOYAL, 30), v1::LIFECYCLE_STATUS_LOYAL);
  EXPECT_EQ(AfterPurchase(v1::LIFECYCLE_STATUS_NON_CUSTOMER, 1), v1::LIFECYCLE_STATUS_NON_CUSTOMER);
}

}  // namespace
}  // namespace crm::identify
