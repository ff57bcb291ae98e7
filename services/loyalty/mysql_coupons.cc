// Coupon issues and wallets of MysqlLoyaltyStore (their use at checkout is
// part of RecordPurchase).
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/transaction.h"
#include "cppconn/resultset.h"
#include "services/loyalty/coupon_rows.h"
#include "services/loyalty/coupons.h"
#include "services/loyalty/mysql_loyalty_store.h"

namespace crm::loyalty {
namespace {

// Records the issue on its first call; a reused key with other content fails.
absl::Status ClaimIssue(sql::Connection& conn, absl::string_view issue_key,
                        absl::string_view fingerprint, absl::string_view program_id,
                        absl::Time now) {
  auto claim = Prepare(conn,
                       "INSERT INTO coupon_issues (issue_key, fingerprint, program_id, created_at) "
                       "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE issue_key = issue_key");
  claim->setString(1, std::string(issue_key));
  claim->setString(2, std::string(fingerprint));
  claim->setString(3, std::string(program_id));
  claim->setString(4, ToSqlDatetime(now));
  claim->executeUpdate();
  auto check = Prepare(conn, "SELECT fingerprint FROM coupon_issues WHERE issue_key = ?");
  check->setString(1, std::string(issue_key));
  std::unique_ptr<sql::ResultSet> rs(check->executeQuery());
  rs->next();
  if (rs->getString(1) == std::string(fingerprint)) return absl::OkStatus();
  return Error(absl::StatusCode::kFailedPrecondition, "IDEMPOTENCY_KEY_REUSED",
               "request_id was used before for a different coupon issue");
}

bool IsMemberOf(sql::Connection& conn, absl::string_view member_id,
                absl::string_view program_id) {
  auto query = Prepare(conn, "SELECT 1 FROM members WHERE member_id = ? AND program_id = ?");
  query->setString(1, std::string(member_id));
  query->setString(2, std::string(program_id));
  return std::unique_ptr<sql::ResultSet>(query->executeQuery())->next();
}

}  // namespace

absl::Status MysqlLoyaltyStore::IssueCoupons(absl::string_view issue_key,
                                             absl::string_view fingerprint,
                                             const v1::Coupon& coupon,
                                             const std::vector<CouponTarget>& targets,
                                             absl::Time now) {
  return RunInTransaction(*pool_, [&](sql::Connection& conn) -> absl::Status {
    if (absl::Status s = ClaimIssue(conn, issue_key, fingerprint, coupon.program_id(), now);
        !s.ok()) {
      return s;
    }
    for (const CouponTarget& target : targets) {
      if (!IsMemberOf(conn, target.member_id, coupon.program_id())) {
        return Error(absl::StatusCode::kNotFound, "MEMBER_NOT_FOUND",
                     absl::StrCat("member ", target.member_id, " is not in program ",
                                  coupon.program_id()),
                     {{"member_id", target.member_id}});
      }
      v1::Coupon c = coupon;
      c.set_coupon_id(target.coupon_id);
      c.set_member_id(target.member_id);
      c.set_state(v1::Coupon::STATE_ISSUED);
      ToProtoTimestamp(now, c.mutable_create_time());
      rows::InsertCoupon(conn, c, issue_key);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<IssuedCoupons> MysqlLoyaltyStore::CouponsOfIssue(absl::string_view issue_key,
                                                                int limit, absl::Time now) {
  return RunWithConnection<IssuedCoupons>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<IssuedCoupons> {
        IssuedCoupons out;
        auto count = Prepare(conn, "SELECT COUNT(*) FROM coupons WHERE issue_key = ?");
        count->setString(1, std::string(issue_key));
        {
          std::unique_ptr<sql::ResultSet> rs(count->executeQuery());
          rs->next();
          out.count = rs->getInt64(1);
        }
        auto first = Prepare(conn, absl::StrCat("SELECT ", rows::kCouponColumns,
                                                " FROM coupons WHERE issue_key = ? "
                                                "ORDER BY member_id LIMIT ?"));
        first->setString(1, std::string(issue_key));
        first->setInt(2, limit);
        std::unique_ptr<sql::ResultSet> rs(first->executeQuery());
        while (rs->next()) {
          v1::Coupon& c = out.first.emplace_back(rows::CouponFrom(*rs));
          c.set_state(StateAt(c, now));
        }
        return out;
      });
}

absl::StatusOr<std::vector<v1::Coupon>> MysqlLoyaltyStore::ListCoupons(
    absl::string_view member_id, bool include_inactive, absl::string_view before, int limit,
    absl::Time now) {
  return RunWithConnection<std::vector<v1::Coupon>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<v1::Coupon>> {
        auto member = rows::ReadMemberRow(conn, member_id);
        if (!member.ok()) return member.status();
        auto query = Prepare(conn, absl::StrCat("SELECT ", rows::kCouponColumns,
                                                " FROM coupons WHERE member_id = ? "
                                                "AND coupon_id < ? AND (? OR (state = 1 "
                                                "AND ends_at > ?)) "
                                                "ORDER BY coupon_id DESC LIMIT ?"));
        query->setString(1, std::string(member_id));
        query->setString(2, before.empty() ? std::string("~") : std::string(before));
        query->setBoolean(3, include_inactive);
        query->setString(4, ToSqlDatetime(now));
        query->setInt(5, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<v1::Coupon> out;
        while (rs->next()) {
          v1::Coupon& c = out.emplace_back(rows::CouponFrom(*rs));
          c.set_state(StateAt(c, now));
        }
        return out;
      });
}

}  // namespace crm::loyalty
