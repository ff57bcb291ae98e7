#include "services/loyalty/coupon_rows.h"

#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "cppconn/exception.h"

namespace crm::loyalty::rows {

const absl::string_view kCouponColumns = "coupon, state, purchase_id, redeemed_at";

v1::Coupon CouponFrom(sql::ResultSet& rs) {
  v1::Coupon c;
  c.ParseFromString(rs.getString(1));
  c.set_state(static_cast<v1::Coupon::State>(rs.getInt(2)));
  if (!rs.isNull(3)) c.set_purchase_id(rs.getString(3));
  if (!rs.isNull(4)) ToProtoTimestamp(FromSqlDatetime(rs.getString(4)), c.mutable_redeem_time());
  return c;
}

absl::StatusOr<v1::Coupon> LockCoupon(sql::Connection& conn, absl::string_view coupon_id) {
  auto query = Prepare(conn, absl::StrCat("SELECT ", kCouponColumns,
                                          " FROM coupons WHERE coupon_id = ? FOR UPDATE"));
  query->setString(1, std::string(coupon_id));
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  if (!rs->next()) {
    return Error(absl::StatusCode::kNotFound, "COUPON_NOT_FOUND",
                 absl::StrCat("coupon ", coupon_id, " does not exist"),
                 {{"coupon_id", std::string(coupon_id)}});
  }
  return CouponFrom(*rs);
}

std::vector<v1::Coupon> LockAutoOffers(sql::Connection& conn, absl::string_view member_id,
                                       absl::Time at) {
  auto query = Prepare(conn, absl::StrCat("SELECT ", kCouponColumns,
                                          " FROM coupons WHERE member_id = ? AND state = 1 "
                                          "AND ends_at > ? AND starts_at <= ? AND auto_apply "
                                          "ORDER BY coupon_id FOR UPDATE"));
  const std::string when = ToSqlDatetime(at);
  query->setString(1, std::string(member_id));
  query->setString(2, when);
  query->setString(3, when);
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  std::vector<v1::Coupon> out;
  while (rs->next()) out.push_back(CouponFrom(*rs));
  return out;
}

void MarkRedeemed(sql::Connection& conn, absl::string_view coupon_id,
                  absl::string_view purchase_id, absl::Time now) {
  auto update = Prepare(conn,
                        "UPDATE coupons SET state = 2, purchase_id = ?, redeemed_at = ? "
                        "WHERE coupon_id = ?");
  update->setString(1, std::string(purchase_id));
  update->setString(2, ToSqlDatetime(now));
  update->setString(3, std::string(coupon_id));
  update->executeUpdate();
}

bool InsertCoupon(sql::Connection& conn, const v1::Coupon& coupon, absl::string_view issue_key) {
  auto insert = Prepare(conn,
                        "INSERT INTO coupons (coupon_id, program_id, member_id, issue_key, "
                        "coupon, auto_apply, state, starts_at, ends_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)");
  std::istringstream bytes(coupon.SerializeAsString());
  insert->setString(1, coupon.coupon_id());
  insert->setString(2, coupon.program_id());
  insert->setString(3, coupon.member_id());
  insert->setString(4, std::string(issue_key));
  insert->setBlob(5, &bytes);
  insert->setBoolean(6, coupon.auto_apply());
  insert->setString(7, ToSqlDatetime(FromProtoTimestamp(coupon.start_time())));
  insert->setString(8, ToSqlDatetime(FromProtoTimestamp(coupon.end_time())));
  try {
    insert->executeUpdate();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() == 1062) return false;  // this issue reached the member before
    throw;
  }
  return true;
}

}  // namespace crm::loyalty::rows
