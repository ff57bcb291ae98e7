#include "services/loyalty/coupons.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/text.h"

namespace crm::loyalty {
namespace {

constexpr int64_t kMaxBenefit = 1'000'000'000;

absl::Status NotUsable(const v1::Coupon& coupon, absl::string_view why) {
  return Error(absl::StatusCode::kFailedPrecondition, "COUPON_NOT_USABLE",
               absl::StrCat("coupon ", coupon.coupon_id(), " ", why),
               {{"coupon_id", coupon.coupon_id()}});
}

int64_t EligibleAmount(const v1::Coupon& coupon, const v1::Purchase& purchase) {
  int64_t amount = 0;
  for (const v1::PurchaseLine& line : purchase.lines()) {
    const bool covered =
        coupon.categories().empty() ||
        std::find(coupon.categories().begin(), coupon.categories().end(), line.category()) !=
            coupon.categories().end();
    if (covered) amount += line.amount_minor();
  }
  return amount;
}

}  // namespace

absl::Status ValidateCouponTemplate(v1::Coupon& c) {
  if (absl::Status s = CheckText("coupon.campaign", *c.mutable_campaign(), 1, 100); !s.ok()) {
    return s;
  }
  const int benefits = (c.amount_off_minor() != 0) + (c.percent_off() != 0) +
                       (c.bonus_points() != 0);
  if (benefits != 1) {
    return InvalidArgument("coupon", "needs exactly one of amount_off_minor, percent_off and "
                                     "bonus_points");
  }
  if (c.amount_off_minor() < 0 || c.amount_off_minor() > kMaxBenefit) {
    return InvalidArgument("coupon.amount_off_minor", "must be 1-1000000000");
  }
  if (c.percent_off() > 100) return InvalidArgument("coupon.percent_off", "must be 1-100");
  if (c.bonus_points() < 0 || c.bonus_points() > kMaxBenefit) {
    return InvalidArgument("coupon.bonus_points", "must be 1-1000000000");
  }
  if (c.categories_size() > 20) {
    return InvalidArgument("coupon.categories", "may hold at most 20 categories");
  }
  for (int i = 0; i < c.categories_size(); ++i) {
    if (absl::Status s = CheckText(absl::StrCat("coupon.categories[", i, "]"),
                                   *c.mutable_categories(i), 1, 100);
        !s.ok()) {
      return s;
    }
  }
  if (c.min_spend_minor() < 0 || c.min_spend_minor() > 1'000'000'000'000) {
    return InvalidArgument("coupon.min_spend_minor", "must be 0 to 10^12 minor units");
  }
  if (!c.has_start_time() || !c.has_end_time()) {
    return InvalidArgument(c.has_start_time() ? "coupon.end_time" : "coupon.start_time",
                           "is required");
  }
  if (!(FromProtoTimestamp(c.start_time()) < FromProtoTimestamp(c.end_time()))) {
    return InvalidArgument("coupon.end_time", "must be after start_time");
  }
  return absl::OkStatus();
}

v1::Coupon::State StateAt(const v1::Coupon& coupon, absl::Time now) {
  if (coupon.state() == v1::Coupon::STATE_ISSUED && now >= FromProtoTimestamp(coupon.end_time())) {
    return v1::Coupon::STATE_EXPIRED;
  }
  return coupon.state();
}

absl::StatusOr<v1::AppliedCoupon> ApplyCoupon(const v1::Coupon& coupon,
                                              const v1::Purchase& purchase) {
  if (coupon.member_id() != purchase.member_id()) {
    return NotUsable(coupon, "belongs to another member");
  }
  if (coupon.state() != v1::Coupon::STATE_ISSUED) return NotUsable(coupon, "was used already");
  const absl::Time at = FromProtoTimestamp(purchase.purchase_time());
  if (at < FromProtoTimestamp(coupon.start_time()) ||
      at >= FromProtoTimestamp(coupon.end_time())) {
    return NotUsable(coupon, "is not valid at the purchase time");
  }
  const int64_t eligible = EligibleAmount(coupon, purchase);
  if (eligible == 0 || eligible < coupon.min_spend_minor()) {
    return NotUsable(coupon, absl::StrCat("needs ", std::max<int64_t>(1, coupon.min_spend_minor()),
                                          " minor units of eligible lines; the purchase has ",
                                          eligible));
  }
  v1::AppliedCoupon applied;
  applied.set_coupon_id(coupon.coupon_id());
  applied.set_campaign(coupon.campaign());
  const int64_t left = purchase.total_minor() - purchase.discount_minor();
  int64_t discount = coupon.amount_off_minor();
  if (coupon.percent_off() > 0) {
    discount = static_cast<int64_t>(static_cast<__int128>(eligible) * coupon.percent_off() / 100);
  }
  applied.set_discount_minor(std::clamp<int64_t>(std::min(discount, eligible), 0, left));
  applied.set_bonus_points(coupon.bonus_points());
  return applied;
}

}  // namespace crm::loyalty
