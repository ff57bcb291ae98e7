// The points liability report of MysqlLoyaltyStore.
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/sql_util.h"
#include "common/transaction.h"
#include "cppconn/resultset.h"
#include "services/loyalty/ledger_rows.h"
#include "services/loyalty/mysql_loyalty_store.h"

namespace crm::loyalty {

absl::StatusOr<v1::PointsLiability> MysqlLoyaltyStore::Liability(absl::string_view program_id,
                                                                 absl::Time now) {
  return RunWithConnection<v1::PointsLiability>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::PointsLiability> {
        v1::PointsLiability out;
        out.set_program_id(std::string(program_id));
        ToProtoTimestamp(now, out.mutable_as_of());
        {
          auto members = Prepare(conn,
                                 "SELECT COUNT(m.member_id) FROM programs p LEFT JOIN members m "
                                 "ON m.program_id = p.program_id WHERE p.program_id = ? "
                                 "GROUP BY p.program_id");
          members->setString(1, std::string(program_id));
          std::unique_ptr<sql::ResultSet> rs(members->executeQuery());
          if (!rs->next()) return rows::ProgramNotFound(program_id);
          out.set_members(rs->getInt64(1));
        }
        const absl::TimeZone utc = absl::UTCTimeZone();
        const absl::CivilMonth first = absl::ToCivilMonth(now, utc);
        const std::string at = ToSqlDatetime(now);
        const std::string horizon = ToSqlDatetime(absl::FromCivil(first + 12, utc));
        // Lots by state, and by expiry month within the next 12 months.
        auto lots = Prepare(conn,
                            "SELECT CASE WHEN l.expires_at <= ? THEN 'lapsed' "
                            "WHEN l.available_at > ? THEN 'pending' ELSE 'outstanding' END, "
                            "CASE WHEN l.expires_at > ? AND l.expires_at < ? "
                            "THEN DATE_FORMAT(l.expires_at, '%Y-%m') ELSE '' END, "
                            "SUM(l.remaining) FROM point_lots l JOIN members m "
                            "ON m.member_id = l.member_id WHERE m.program_id = ? "
                            "AND l.remaining > 0 GROUP BY 1, 2 ORDER BY 2");
        lots->setString(1, at);
        lots->setString(2, at);
        lots->setString(3, at);
        lots->setString(4, horizon);
        lots->setString(5, std::string(program_id));
        std::unique_ptr<sql::ResultSet> rs(lots->executeQuery());
        std::map<std::string, int64_t> by_month;
        for (int i = 0; i < 12; ++i) by_month[absl::FormatCivilTime(first + i).substr(0, 7)] = 0;
        while (rs->next()) {
          const std::string state = rs->getString(1);
          const std::string month = rs->getString(2);
          const int64_t points = rs->getInt64(3);
          if (state == "lapsed") {
            out.set_lapsed_unswept_points(out.lapsed_unswept_points() + points);
            continue;
          }
          if (state == "pending") {
            out.set_pending_points(out.pending_points() + points);
          } else {
            out.set_outstanding_points(out.outstanding_points() + points);
          }
          if (month.empty()) {
            out.set_later_or_never_points(out.later_or_never_points() + points);
          } else {
            by_month[month] += points;
          }
        }
        for (const auto& [month, points] : by_month) {
          v1::MonthlyExpiry* e = out.add_expiring_by_month();
          e->set_month(month);
          e->set_points(points);
        }
        auto ledger = Prepare(conn,
                              "SELECT e.kind, SUM(e.points) FROM ledger_entries e "
                              "JOIN members m ON m.member_id = e.member_id "
                              "WHERE m.program_id = ? GROUP BY e.kind");
        ledger->setString(1, std::string(program_id));
        std::unique_ptr<sql::ResultSet> kinds(ledger->executeQuery());
        while (kinds->next()) {
          const int64_t points = kinds->getInt64(2);
          switch (kinds->getInt(1)) {
            case v1::LedgerEntry::KIND_EARN:
            case v1::LedgerEntry::KIND_BONUS:
              out.set_earned_points(out.earned_points() + points);
              break;
            case v1::LedgerEntry::KIND_REDEEM:
            case v1::LedgerEntry::KIND_REFUND:
              out.set_redeemed_points(out.redeemed_points() - points);
              break;
            case v1::LedgerEntry::KIND_EXPIRE:
              out.set_expired_points(-points);
              break;
            default:
              break;
          }
        }
        if (out.earned_points() > 0) {
          out.set_breakage_rate(static_cast<double>(out.expired_points()) /
                                static_cast<double>(out.earned_points()));
        }
        return out;
      });
}

}  // namespace crm::loyalty
