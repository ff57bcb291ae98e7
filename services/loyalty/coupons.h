#ifndef CRM_SERVICES_LOYALTY_COUPONS_H_
#define CRM_SERVICES_LOYALTY_COUPONS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/loyalty/v1/coupons.pb.h"
#include "crm/loyalty/v1/ledger.pb.h"

// The rules of coupons, free of storage.
namespace crm::loyalty {

// Checks the coupon an issue hands out (campaign, one benefit, categories,
// minimum spend, validity) under field names `coupon.*`.
absl::Status ValidateCouponTemplate(v1::Coupon& coupon);

// The state as of `now`: an issued coupon past its end_time is EXPIRED.
v1::Coupon::State StateAt(const v1::Coupon& coupon, absl::Time now);

// What `coupon` does for `purchase` (whose discount_minor holds what
// earlier coupons took), or FAILED_PRECONDITION / COUPON_NOT_USABLE saying
// why: another member's, not valid at the purchase time, used, or short of
// its minimum spend.
absl::StatusOr<v1::AppliedCoupon> ApplyCoupon(const v1::Coupon& coupon,
                                              const v1::Purchase& purchase);

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_COUPONS_H_
