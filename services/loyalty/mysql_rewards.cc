// The rewards catalogue and redemptions of MysqlLoyaltyStore.
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/transaction.h"
#include "cppconn/resultset.h"
#include "services/loyalty/ledger_rows.h"
#include "services/loyalty/mysql_loyalty_store.h"
#include "services/loyalty/rewards.h"

namespace crm::loyalty {
namespace {

constexpr absl::string_view kRewardColumns =
    "reward_id, program_id, display_name, cost_points, stock, starts_at, ends_at, "
    "allow_partial, min_points, created_at";

v1::Reward RewardFromRow(sql::ResultSet& rs) {
  v1::Reward r;
  r.set_reward_id(rs.getString(1));
  r.set_program_id(rs.getString(2));
  r.set_display_name(rs.getString(3));
  r.set_cost_points(rs.getInt64(4));
  if (!rs.isNull(5)) r.set_stock(rs.getInt64(5));
  ToProtoTimestamp(FromSqlDatetime(rs.getString(6)), r.mutable_start_time());
  if (!rs.isNull(7)) ToProtoTimestamp(FromSqlDatetime(rs.getString(7)), r.mutable_end_time());
  r.set_allow_partial(rs.getBoolean(8));
  r.set_min_points(rs.getInt64(9));
  ToProtoTimestamp(FromSqlDatetime(rs.getString(10)), r.mutable_create_time());
  return r;
}

absl::Status RewardNotFound(absl::string_view reward_id, absl::string_view why) {
  return Error(absl::StatusCode::kNotFound, "REWARD_NOT_FOUND",
               absl::StrCat("reward ", reward_id, why), {{"reward_id", std::string(reward_id)}});
}

absl::Status ProgramExists(sql::Connection& conn, absl::string_view program_id) {
  auto query = Prepare(conn, "SELECT 1 FROM programs WHERE program_id = ?");
  query->setString(1, std::string(program_id));
  if (std::unique_ptr<sql::ResultSet>(query->executeQuery())->next()) return absl::OkStatus();
  return rows::ProgramNotFound(program_id);
}

// The columns RedemptionFromRow reads, in order.
constexpr absl::string_view kColumns =
    "redemption_id, member_id, reward_id, quantity, points, full_points, state, "
    "created_at, cancelled_at, points_refunded, points_lapsed, cancel_reason";

v1::Redemption RedemptionFromRow(sql::ResultSet& rs) {
  v1::Redemption r;
  r.set_redemption_id(rs.getString(1));
  r.set_member_id(rs.getString(2));
  r.set_reward_id(rs.getString(3));
  r.set_quantity(rs.getInt(4));
  r.set_points(rs.getInt64(5));
  r.set_full_points(rs.getInt64(6));
  r.set_state(static_cast<v1::Redemption::State>(rs.getInt(7)));
  ToProtoTimestamp(FromSqlDatetime(rs.getString(8)), r.mutable_create_time());
  if (!rs.isNull(9)) ToProtoTimestamp(FromSqlDatetime(rs.getString(9)), r.mutable_cancel_time());
  r.set_points_refunded(rs.getInt64(10));
  r.set_points_lapsed(rs.getInt64(11));
  r.set_cancel_reason(rs.getString(12));
  return r;
}

}  // namespace

absl::StatusOr<v1::Reward> MysqlLoyaltyStore::CreateReward(const RequestKey& key,
                                                           const v1::Reward& reward) {
  return RunIdempotent<v1::Reward>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::Reward> {
        if (absl::Status s = ProgramExists(conn, reward.program_id()); !s.ok()) return s;
        auto insert = Prepare(conn, absl::StrCat("INSERT INTO rewards (", kRewardColumns,
                                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        insert->setString(1, reward.reward_id());
        insert->setString(2, reward.program_id());
        insert->setString(3, reward.display_name());
        insert->setInt64(4, reward.cost_points());
        if (reward.has_stock()) {
          insert->setInt64(5, reward.stock());
        } else {
          insert->setNull(5, 0);
        }
        insert->setString(6, ToSqlDatetime(FromProtoTimestamp(reward.start_time())));
        if (reward.has_end_time()) {
          insert->setString(7, ToSqlDatetime(FromProtoTimestamp(reward.end_time())));
        } else {
          insert->setNull(7, 0);
        }
        insert->setBoolean(8, reward.allow_partial());
        insert->setInt64(9, reward.min_points());
        insert->setString(10, ToSqlDatetime(FromProtoTimestamp(reward.create_time())));
        insert->executeUpdate();
        return reward;
      });
}

absl::StatusOr<std::vector<v1::Reward>> MysqlLoyaltyStore::ListRewards(
    absl::string_view program_id, absl::string_view after, bool include_unavailable,
    absl::Time now, int limit) {
  return RunWithConnection<std::vector<v1::Reward>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<v1::Reward>> {
        if (absl::Status s = ProgramExists(conn, program_id); !s.ok()) return s;
        auto query = Prepare(
            conn, absl::StrCat("SELECT ", kRewardColumns,
                               " FROM rewards WHERE program_id = ? AND reward_id > ? AND "
                               "(? OR (starts_at <= ? AND (ends_at IS NULL OR ends_at > ?) "
                               "AND (stock IS NULL OR stock > 0))) ORDER BY reward_id LIMIT ?"));
        const std::string at = ToSqlDatetime(now);
        query->setString(1, std::string(program_id));
        query->setString(2, std::string(after));
        query->setBoolean(3, include_unavailable);
        query->setString(4, at);
        query->setString(5, at);
        query->setInt(6, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<v1::Reward> out;
        while (rs->next()) out.push_back(RewardFromRow(*rs));
        return out;
      });
}

absl::StatusOr<RedemptionOutcome> MysqlLoyaltyStore::Redeem(const RequestKey& key,
                                                           const v1::Redemption& asked,
                                                           absl::Time now) {
  auto redeemed = RunIdempotent<v1::Redemption>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::Redemption> {
        // The member first, as every points change does; then the reward,
        // whose stock concurrent redemptions of other members share.
        auto member = rows::LockMember(conn, asked.member_id());
        if (!member.ok()) return member.status();
        v1::Reward reward;
        {
          auto query = Prepare(conn, absl::StrCat("SELECT ", kRewardColumns,
                                                  " FROM rewards WHERE reward_id = ? FOR UPDATE"));
          query->setString(1, asked.reward_id());
          std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
          if (!rs->next()) return RewardNotFound(asked.reward_id(), " does not exist");
          reward = RewardFromRow(*rs);
        }
        if (reward.program_id() != member->program_id) {
          return RewardNotFound(asked.reward_id(), " is not in the member's program");
        }
        auto points = RedemptionPoints(reward, asked.quantity(), asked.points(), now);
        if (!points.ok()) return points.status();
        std::vector<rows::Lot> taken;
        if (absl::Status s = rows::ConsumeLots(conn, asked.member_id(), *points, now, &taken);
            !s.ok()) {
          return s;
        }
        if (reward.has_stock()) {
          auto stock = Prepare(conn, "UPDATE rewards SET stock = stock - ? WHERE reward_id = ?");
          stock->setInt(1, asked.quantity());
          stock->setString(2, asked.reward_id());
          stock->executeUpdate();
        }
        v1::Redemption r = asked;
        r.set_points(*points);
        r.set_full_points(reward.cost_points() * asked.quantity());
        r.set_state(v1::Redemption::STATE_REDEEMED);
        v1::LedgerEntry entry;
        entry.set_member_id(r.member_id());
        entry.set_kind(v1::LedgerEntry::KIND_REDEEM);
        entry.set_points(-r.points());
        entry.set_reference(r.redemption_id());
        entry.set_reason(absl::StrCat(r.quantity(), " x ", reward.display_name()));
        *entry.mutable_create_time() = r.create_time();
        rows::RecordEntry(conn, entry);
        auto insert = Prepare(conn,
                              "INSERT INTO redemptions (redemption_id, member_id, reward_id, "
                              "quantity, points, full_points, state, created_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        insert->setString(1, r.redemption_id());
        insert->setString(2, r.member_id());
        insert->setString(3, r.reward_id());
        insert->setInt(4, r.quantity());
        insert->setInt64(5, r.points());
        insert->setInt64(6, r.full_points());
        insert->setInt(7, r.state());
        insert->setString(8, ToSqlDatetime(now));
        insert->executeUpdate();
        auto lot = Prepare(conn,
                           "INSERT INTO redemption_lots (redemption_id, entry_id, points) "
                           "VALUES (?, ?, ?)");
        for (const rows::Lot& part : taken) {
          lot->setString(1, r.redemption_id());
          lot->setInt64(2, part.entry_id);
          lot->setInt64(3, part.remaining);
          lot->executeUpdate();
        }
        return r;
      });
  if (!redeemed.ok()) return redeemed.status();
  auto member = GetMember(redeemed->member_id(), now);
  if (!member.ok()) return member.status();
  return RedemptionOutcome{*std::move(redeemed), *std::move(member)};
}

absl::StatusOr<RedemptionOutcome> MysqlLoyaltyStore::CancelRedemption(
    const RequestKey& key, absl::string_view redemption_id, absl::string_view reason,
    absl::Time now) {
  auto cancelled = RunIdempotent<v1::Redemption>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::Redemption> {
        auto read = Prepare(conn, absl::StrCat("SELECT ", kColumns,
                                               " FROM redemptions WHERE redemption_id = ?"));
        read->setString(1, std::string(redemption_id));
        std::unique_ptr<sql::ResultSet> found(read->executeQuery());
        if (!found->next()) {
          return Error(absl::StatusCode::kNotFound, "REDEMPTION_NOT_FOUND",
                       absl::StrCat("redemption ", redemption_id, " does not exist"),
                       {{"redemption_id", std::string(redemption_id)}});
        }
        const std::string member_id = found->getString(2);
        found.reset();
        auto member = rows::LockMember(conn, member_id);
        if (!member.ok()) return member.status();
        // Read again under the member's lock: a concurrent cancel is done by now.
        auto locked = Prepare(conn, absl::StrCat("SELECT ", kColumns,
                                                 " FROM redemptions WHERE redemption_id = ? "
                                                 "FOR UPDATE"));
        locked->setString(1, std::string(redemption_id));
        v1::Redemption r;
        {
          std::unique_ptr<sql::ResultSet> rs(locked->executeQuery());
          rs->next();
          r = RedemptionFromRow(*rs);
        }
        if (r.state() == v1::Redemption::STATE_CANCELLED) {
          return Error(absl::StatusCode::kFailedPrecondition, "ALREADY_CANCELLED",
                       absl::StrCat("redemption ", redemption_id, " was cancelled already"),
                       {{"redemption_id", std::string(redemption_id)}});
        }
        // Points of lots expired since would have expired anyway: they lapse.
        auto lots = Prepare(conn,
                            "SELECT r.entry_id, r.points FROM redemption_lots r "
                            "JOIN point_lots l ON l.entry_id = r.entry_id "
                            "WHERE r.redemption_id = ? AND l.expires_at > ? FOR UPDATE");
        lots->setString(1, std::string(redemption_id));
        lots->setString(2, ToSqlDatetime(now));
        std::vector<rows::Lot> back;
        {
          std::unique_ptr<sql::ResultSet> rs(lots->executeQuery());
          while (rs->next()) back.push_back({rs->getInt64(1), rs->getInt64(2)});
        }
        auto restore =
            Prepare(conn, "UPDATE point_lots SET remaining = remaining + ? WHERE entry_id = ?");
        int64_t refunded = 0;
        for (const rows::Lot& lot : back) {
          restore->setInt64(1, lot.remaining);
          restore->setInt64(2, lot.entry_id);
          restore->executeUpdate();
          refunded += lot.remaining;
        }
        if (refunded > 0) {
          v1::LedgerEntry entry;
          entry.set_member_id(member_id);
          entry.set_kind(v1::LedgerEntry::KIND_REFUND);
          entry.set_points(refunded);
          entry.set_reference(r.redemption_id());
          entry.set_reason(std::string(reason));
          ToProtoTimestamp(now, entry.mutable_create_time());
          rows::RecordEntry(conn, entry);
          rows::SettleDebt(conn, member_id, member->debt, now);
        }
        auto stock = Prepare(conn,
                             "UPDATE rewards SET stock = stock + ? "
                             "WHERE reward_id = ? AND stock IS NOT NULL");
        stock->setInt(1, r.quantity());
        stock->setString(2, r.reward_id());
        stock->executeUpdate();
        r.set_state(v1::Redemption::STATE_CANCELLED);
        ToProtoTimestamp(now, r.mutable_cancel_time());
        r.set_points_refunded(refunded);
        r.set_points_lapsed(r.points() - refunded);
        r.set_cancel_reason(std::string(reason));
        auto update = Prepare(conn,
                              "UPDATE redemptions SET state = ?, cancelled_at = ?, "
                              "points_refunded = ?, points_lapsed = ?, cancel_reason = ? "
                              "WHERE redemption_id = ?");
        update->setInt(1, r.state());
        update->setString(2, ToSqlDatetime(now));
        update->setInt64(3, r.points_refunded());
        update->setInt64(4, r.points_lapsed());
        update->setString(5, r.cancel_reason());
        update->setString(6, r.redemption_id());
        update->executeUpdate();
        return r;
      });
  if (!cancelled.ok()) return cancelled.status();
  auto member = GetMember(cancelled->member_id(), now);
  if (!member.ok()) return member.status();
  return RedemptionOutcome{*std::move(cancelled), *std::move(member)};
}

absl::StatusOr<std::vector<v1::Redemption>> MysqlLoyaltyStore::ListRedemptions(
    absl::string_view member_id, absl::string_view before, int limit) {
  return RunWithConnection<std::vector<v1::Redemption>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<v1::Redemption>> {
        auto member = rows::ReadMemberRow(conn, member_id);
        if (!member.ok()) return member.status();
        auto query = Prepare(conn, absl::StrCat("SELECT ", kColumns,
                                                " FROM redemptions WHERE member_id = ? "
                                                "AND redemption_id < ? "
                                                "ORDER BY redemption_id DESC LIMIT ?"));
        query->setString(1, std::string(member_id));
        query->setString(2, before.empty() ? std::string("~") : std::string(before));
        query->setInt(3, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<v1::Redemption> out;
        while (rs->next()) out.push_back(RedemptionFromRow(*rs));
        return out;
      });
}

}  // namespace crm::loyalty
