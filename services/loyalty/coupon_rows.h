#ifndef CRM_SERVICES_LOYALTY_COUPON_ROWS_H_
#define CRM_SERVICES_LOYALTY_COUPON_ROWS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cppconn/connection.h"
#include "cppconn/resultset.h"
#include "crm/loyalty/v1/coupons.pb.h"

// Row-level reads and writes of coupons, inside a caller's transaction.
namespace crm::loyalty::rows {

// The columns CouponFrom reads, in order (of `coupons`).
extern const absl::string_view kCouponColumns;
v1::Coupon CouponFrom(sql::ResultSet& rs);

// The coupon, locked; NOT_FOUND / COUPON_NOT_FOUND.
absl::StatusOr<v1::Coupon> LockCoupon(sql::Connection& conn, absl::string_view coupon_id);

// The member's unused auto-apply coupons valid at `at`, locked, oldest first.
std::vector<v1::Coupon> LockAutoOffers(sql::Connection& conn, absl::string_view member_id,
                                       absl::Time at);

void MarkRedeemed(sql::Connection& conn, absl::string_view coupon_id,
                  absl::string_view purchase_id, absl::Time now);

// Inserts `coupon` (ids, owner and create_time set) under `issue_key`
// unless the member has this issue's coupon already; false then.
bool InsertCoupon(sql::Connection& conn, const v1::Coupon& coupon, absl::string_view issue_key);

}  // namespace crm::loyalty::rows

#endif  // CRM_SERVICES_LOYALTY_COUPON_ROWS_H_
