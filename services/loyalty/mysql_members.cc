// Member listing and the level evaluation run of MysqlLoyaltyStore.
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/transaction.h"
#include "cppconn/resultset.h"
#include "services/loyalty/ledger_rows.h"
#include "services/loyalty/earning.h"
#include "services/loyalty/levels.h"
#include "services/loyalty/mysql_loyalty_store.h"

namespace crm::loyalty {
namespace {

constexpr int kEvaluationBatch = 500;

absl::StatusOr<int32_t> RulesVersionOf(sql::Connection& conn, absl::string_view program_id) {
  auto query = Prepare(conn, "SELECT rules_version FROM programs WHERE program_id = ?");
  query->setString(1, std::string(program_id));
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  if (!rs->next()) return rows::ProgramNotFound(program_id);
  return rs->getInt(1);
}

// A job over many members: `batch(conn, after)` lists the next member ids
// after `after`; `each` runs on each in its own transaction, under the
// member's lock, with its program's rules (loaded once per run); `done`
// takes each committed outcome. Stops at the first empty batch.
template <typename Outcome>
absl::Status ForEachMember(
    MysqlPool& pool, RulesCache& cache,
    absl::FunctionRef<std::vector<std::string>(sql::Connection&, const std::string&)> batch,
    absl::FunctionRef<absl::StatusOr<Outcome>(sql::Connection&, const rows::MemberRow&,
                                              const ProgramRulesHistory&)>
        each,
    absl::FunctionRef<void(const Outcome&)> done) {
  std::map<std::string, std::shared_ptr<const ProgramRulesHistory>> programs;
  std::string after;
  for (;;) {
    auto due = RunWithConnection<std::vector<std::string>>(
        pool, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<std::string>> {
          return batch(conn, after);
        });
    if (!due.ok()) return due.status();
    if (due->empty()) return absl::OkStatus();
    after = due->back();
    for (const std::string& member_id : *due) {
      auto outcome =
          RunInTransaction<Outcome>(pool, [&](sql::Connection& conn) -> absl::StatusOr<Outcome> {
            auto row = rows::LockMemberRow(conn, member_id);
            if (!row.ok()) return row.status();
            if (!row->merged_into.empty()) return Outcome{};  // its points moved on
            auto& history = programs[row->program_id];
            if (history == nullptr) {
              auto loaded = cache.Get(conn, row->program_id, 0);
              if (!loaded.ok()) return loaded.status();
              history = *std::move(loaded);
            }
            return each(conn, *row, *history);
          });
      if (!outcome.ok()) return outcome.status();
      done(*outcome);
    }
  }
}

}  // namespace

absl::StatusOr<std::vector<v1::Member>> MysqlLoyaltyStore::ListMembers(
    absl::string_view program_id, std::optional<int> rank, absl::string_view after, int limit,
    absl::Time now) {
  return RunWithConnection<std::vector<v1::Member>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<v1::Member>> {
        auto version = RulesVersionOf(conn, program_id);
        if (!version.ok()) return version.status();
        auto history = rules_.Get(conn, program_id, *version);
        if (!history.ok()) return history.status();
        const v1::ProgramRules* rules = (*history)->At(now);
        // Two statements, so each walks its own index in member id order.
        auto query = Prepare(
            conn, absl::StrCat("SELECT ", rows::kMemberColumns, ", m.member_id FROM members m ",
                               rank.has_value()
                                   ? "WHERE m.program_id = ? AND m.level_rank = ? "
                                   : "WHERE m.program_id = ? AND ? = 0 ",
                               "AND m.member_id > ? ORDER BY m.member_id LIMIT ?"));
        query->setString(1, std::string(program_id));
        query->setInt(2, rank.value_or(0));
        query->setString(3, std::string(after));
        query->setInt(4, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<v1::Member> out;
        while (rs->next()) {
          const rows::MemberRow row = rows::MemberRowFrom(*rs, std::string(rs->getString(15)));
          v1::Member& m = out.emplace_back(rows::MemberProto(row, now));
          if (rules != nullptr) DescribeLevel(rules->levels(), row.level, std::nullopt, m);
        }
        return out;
      });
}

absl::StatusOr<BonusRunOutcome> MysqlLoyaltyStore::GrantBirthdayBonuses(absl::Time as_of) {
  const absl::CivilDay day = absl::ToCivilDay(as_of, absl::UTCTimeZone());
  // 29 February birthdays are kept on 28 February in other years.
  const bool leap_day_stand_in =
      day.month() == 2 && day.day() == 28 && absl::CivilDay(day.year(), 2, 29).month() != 2;
  const std::string reference = absl::StrCat("birthday/", day.year());
  BonusRunOutcome total;
  absl::Status run = ForEachMember<int64_t>(
      *pool_, rules_,
      [&](sql::Connection& conn, const std::string& after) {
        auto query = Prepare(conn,
                             "SELECT member_id FROM members WHERE birth_month = ? "
                             "AND (birth_day = ? OR birth_day = ?) AND member_id > ? "
                             "ORDER BY member_id LIMIT ?");
        query->setInt(1, day.month());
        query->setInt(2, day.day());
        query->setInt(3, leap_day_stand_in ? 29 : day.day());
        query->setString(4, after);
        query->setInt(5, kEvaluationBatch);
        return rows::FirstColumn(*query);
      },
      [&](sql::Connection& conn, const rows::MemberRow& row,
          const ProgramRulesHistory& history) -> absl::StatusOr<int64_t> {
        const v1::ProgramRules* rules = history.At(as_of);
        const int64_t bonus = rules == nullptr ? 0 : rules->earning().birthday_bonus();
        if (bonus <= 0) return 0;
        auto earlier = Prepare(conn,
                               "SELECT 1 FROM ledger_entries WHERE member_id = ? "
                               "AND reference = ? AND kind = 2");
        earlier->setString(1, row.member_id);
        earlier->setString(2, reference);
        if (!rows::FirstColumn(*earlier).empty()) return 0;  // granted this year
        v1::LedgerEntry entry;
        entry.set_member_id(row.member_id);
        entry.set_kind(v1::LedgerEntry::KIND_BONUS);
        entry.set_points(bonus);
        entry.set_reference(reference);
        entry.set_reason("birthday bonus");
        ToProtoTimestamp(as_of, entry.mutable_create_time());
        rows::AppendEntry(conn, entry, as_of, ExpiryOf(rules->expiry(), as_of));
        rows::SettleDebt(conn, row.member_id, row.debt, as_of);
        return bonus;
      },
      [&](const int64_t& granted) {
        if (granted == 0) return;
        ++total.members;
        total.points += granted;
      });
  if (!run.ok()) return run;
  return total;
}

absl::StatusOr<std::string> MysqlLoyaltyStore::MemberOfCustomer(absl::string_view program_id,
                                                               absl::string_view customer_id) {
  return RunWithConnection<std::string>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::string> {
        auto query = Prepare(conn,
                             "SELECT member_id FROM members WHERE program_id = ? "
                             "AND customer_id = ?");
        query->setString(1, std::string(program_id));
        query->setString(2, std::string(customer_id));
        std::vector<std::string> found = rows::FirstColumn(*query);
        if (!found.empty()) return rows::FinalMember(conn, found[0]);
        return Error(absl::StatusCode::kNotFound, "NOT_A_MEMBER",
                     absl::StrCat("customer ", customer_id, " is not a member of program ",
                                  program_id),
                     {{"customer_id", std::string(customer_id)}});
      });
}

absl::StatusOr<LevelRunOutcome> MysqlLoyaltyStore::EvaluateLevels(absl::Time as_of) {
  LevelRunOutcome total;
  absl::Status run = ForEachMember<LevelRunOutcome>(
      *pool_, rules_,
      [&](sql::Connection& conn, const std::string& after) {
        auto query = Prepare(conn,
                             "SELECT member_id FROM members WHERE member_id > ? "
                             "AND (level_rank > 0 OR level_grace_until IS NOT NULL) "
                             "AND (level_evaluated_at IS NULL OR level_evaluated_at < ?) "
                             "ORDER BY member_id LIMIT ?");
        query->setString(1, after);
        query->setString(2, ToSqlDatetime(as_of));
        query->setInt(3, kEvaluationBatch);
        return rows::FirstColumn(*query);
      },
      [&](sql::Connection& conn, const rows::MemberRow& row,
          const ProgramRulesHistory& history) -> absl::StatusOr<LevelRunOutcome> {
        LevelRunOutcome one;
        // Another run got here first.
        if (row.level_evaluated_at.has_value() && *row.level_evaluated_at >= as_of) return one;
        const v1::ProgramRules* rules = history.At(as_of);
        LevelState next;  // a program without levels has only the entry level
        if (rules != nullptr && rules->levels().levels_size() > 0) {
          const v1::LevelRules& levels = rules->levels();
          const int64_t value = rows::QualifyingValue(
              conn, row.member_id, levels.basis(), QualifyingWindowStart(levels, as_of), as_of);
          next = EvaluateLevel(levels, row.level, value, as_of);
          rows::AppendLevelChanged(conn, row, levels, row.level.rank, next.rank, "evaluation");
        }
        rows::SetLevel(conn, row.member_id, next, as_of);
        one.evaluated = 1;
        one.upgraded = next.rank > row.level.rank;
        one.downgraded = next.rank < row.level.rank;
        one.grace_started = next.grace_until.has_value() && !row.level.grace_until.has_value();
        return one;
      },
      [&](const LevelRunOutcome& one) {
        total.evaluated += one.evaluated;
        total.upgraded += one.upgraded;
        total.downgraded += one.downgraded;
        total.grace_started += one.grace_started;
      });
  if (!run.ok()) return run;
  return total;
}

absl::StatusOr<MemberHistory> MysqlLoyaltyStore::History(absl::string_view member_id,
                                                         absl::Time since, int limit,
                                                         absl::Time now) {
  return RunWithConnection<MemberHistory>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<MemberHistory> {
        MemberHistory history;
        auto member = ReadMember(conn, member_id, now);
        if (!member.ok()) return member.status();
        history.member = *std::move(member);
        auto purchases = Prepare(conn,
                                 "SELECT purchase, returned_minor FROM purchases "
                                 "WHERE member_id = ? AND purchased_at >= ? "
                                 "ORDER BY purchased_at DESC LIMIT ?");
        purchases->setString(1, std::string(member_id));
        purchases->setString(2, ToSqlDatetime(since));
        purchases->setInt(3, limit);
        {
          std::unique_ptr<sql::ResultSet> rs(purchases->executeQuery());
          while (rs->next()) {
            v1::Purchase& p = history.purchases.emplace_back();
            p.ParseFromString(rs->getString(1));
            p.set_returned_minor(rs->getInt64(2));
          }
        }
        std::reverse(history.purchases.begin(), history.purchases.end());
        auto burned = Prepare(conn,
                              "SELECT COALESCE(-SUM(points), 0) FROM ledger_entries "
                              "WHERE member_id = ? AND kind IN (4, 7)");  // REDEEM, REFUND
        burned->setString(1, std::string(member_id));
        std::unique_ptr<sql::ResultSet> rs(burned->executeQuery());
        rs->next();
        history.points_burned = rs->getInt64(1);
        return history;
      });
}

absl::StatusOr<std::vector<std::vector<std::string>>> MysqlLoyaltyStore::CategoryBaskets(
    absl::string_view program_id, absl::Time since, int limit) {
  return RunWithConnection<std::vector<std::vector<std::string>>>(
      *pool_,
      [&](sql::Connection& conn) -> absl::StatusOr<std::vector<std::vector<std::string>>> {
        auto query = Prepare(conn,
                             "SELECT member_id, purchase FROM purchases "
                             "WHERE program_id = ? AND purchased_at >= ? "
                             "ORDER BY purchased_at DESC LIMIT ?");
        query->setString(1, std::string(program_id));
        query->setString(2, ToSqlDatetime(since));
        query->setInt(3, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::map<std::string, std::vector<std::string>> by_member;
        while (rs->next()) {
          v1::Purchase p;
          p.ParseFromString(rs->getString(2));
          std::vector<std::string>& basket = by_member[rs->getString(1)];
          for (const v1::PurchaseLine& line : p.lines()) {
            if (!line.category().empty()) basket.push_back(line.category());
          }
        }
        std::vector<std::vector<std::string>> out;
        for (auto& [member, basket] : by_member) out.push_back(std::move(basket));
        return out;
      });
}

absl::StatusOr<std::vector<std::string>> MysqlLoyaltyStore::MembersBySpend(
    absl::string_view program_id, absl::Time start, absl::Time end, int64_t min_spend) {
  return RunWithConnection<std::vector<std::string>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<std::string>> {
        auto query = Prepare(conn,
                             "SELECT member_id FROM purchases WHERE program_id = ? "
                             "AND purchased_at >= ? AND purchased_at < ? GROUP BY member_id "
                             "HAVING SUM(total_minor - returned_minor) >= ? ORDER BY member_id");
        query->setString(1, std::string(program_id));
        query->setString(2, ToSqlDatetime(start));
        query->setString(3, ToSqlDatetime(end));
        query->setInt64(4, min_spend);
        return rows::FirstColumn(*query);
      });
}

}  // namespace crm::loyalty
