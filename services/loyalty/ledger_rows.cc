#include "services/loyalty/ledger_rows.h"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/outbox.h"
#include "common/sql_util.h"
#include "cppconn/prepared_statement.h"
#include "cppconn/resultset.h"
#include "crm/loyalty/v1/events.pb.h"

namespace crm::loyalty::rows {
namespace {

// Lots that never expire carry the largest DATETIME instead of NULL, so one
// index orders every lot by expiry.
constexpr absl::string_view kNever = "9999-12-31 23:59:59.999999";

std::string ExpiryValue(absl::Time t) {
  return t == absl::InfiniteFuture() ? std::string(kNever) : ToSqlDatetime(t);
}

bool IsNever(const std::string& value) { return value.rfind("9999-", 0) == 0; }

absl::Status MemberNotFound(absl::string_view member_id) {
  return Error(absl::StatusCode::kNotFound, "MEMBER_NOT_FOUND",
               absl::StrCat("member ", member_id, " does not exist"),
               {{"member_id", std::string(member_id)}});
}

}  // namespace

absl::Status ProgramNotFound(absl::string_view program_id) {
  return Error(absl::StatusCode::kNotFound, "PROGRAM_NOT_FOUND",
               absl::StrCat("program ", program_id, " does not exist"),
               {{"program_id", std::string(program_id)}});
}

const absl::string_view kMemberColumns =
    "m.program_id, m.customer_id, m.enrolled_at, m.balance, m.lifetime_earned, "
    "m.purchase_count, m.level_rank, m.level_since, m.level_grace_until, m.level_evaluated_at, "
    "m.debt_points, COALESCE(m.birth_month, 0), COALESCE(m.birth_day, 0), "
    "COALESCE(m.merged_into, '')";

namespace {

std::optional<absl::Time> OptionalTime(sql::ResultSet& rs, int column) {
  if (rs.isNull(column)) return std::nullopt;
  return FromSqlDatetime(rs.getString(column));
}

}  // namespace

MemberRow MemberRowFrom(sql::ResultSet& rs, absl::string_view member_id) {
  MemberRow row;
  row.member_id = std::string(member_id);
  row.program_id = rs.getString(1);
  row.customer_id = rs.getString(2);
  row.enrolled_at = FromSqlDatetime(rs.getString(3));
  row.balance = rs.getInt64(4);
  row.lifetime_earned = rs.getInt64(5);
  row.purchase_count = rs.getInt(6);
  row.level.rank = rs.getInt(7);
  row.level.since = OptionalTime(rs, 8);
  row.level.grace_until = OptionalTime(rs, 9);
  row.level_evaluated_at = OptionalTime(rs, 10);
  row.debt = rs.getInt64(11);
  row.birth_month = rs.getInt(12);
  row.birth_day = rs.getInt(13);
  row.merged_into = rs.getString(14);
  return row;
}

namespace {

void SetOptionalTime(sql::PreparedStatement& statement, int index,
                     const std::optional<absl::Time>& t) {
  if (t.has_value()) {
    statement.setString(index, ToSqlDatetime(*t));
  } else {
    statement.setNull(index, 0);
  }
}

// Qualifying value of the purchases after a time: spend net of returns, or
// the points earned in proportion to what was not returned. Parameters: the
// basis (true: spend), the member, the window's exclusive start and
// inclusive end.
constexpr absl::string_view kQualifyingValue =
    "SELECT COALESCE(SUM(CASE WHEN ? THEN total_minor - returned_minor "
    "WHEN total_minor = 0 THEN 0 "
    "ELSE CAST(points_earned AS DECIMAL(38, 0)) * (total_minor - returned_minor) DIV total_minor "
    "END), 0) FROM purchases WHERE member_id = ? AND purchased_at > ? AND purchased_at <= ?";

bool SpendBasis(v1::LevelRules::Basis basis) {
  return basis != v1::LevelRules::BASIS_QUALIFYING_POINTS;
}

}  // namespace

std::vector<std::string> FirstColumn(sql::PreparedStatement& query) {
  std::unique_ptr<sql::ResultSet> rs(query.executeQuery());
  std::vector<std::string> values;
  while (rs->next()) values.push_back(rs->getString(1));
  return values;
}

absl::StatusOr<MemberRow> LockMemberRow(sql::Connection& conn, absl::string_view member_id) {
  auto query = Prepare(conn, absl::StrCat("SELECT ", kMemberColumns,
                                          " FROM members m WHERE m.member_id = ? FOR UPDATE"));
  query->setString(1, std::string(member_id));
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  if (!rs->next()) return MemberNotFound(member_id);
  return MemberRowFrom(*rs, member_id);
}

absl::StatusOr<MemberRow> LockMember(sql::Connection& conn, absl::string_view member_id) {
  auto row = LockMemberRow(conn, member_id);
  if (row.ok() && !row->merged_into.empty()) {
    return Error(
        absl::StatusCode::kFailedPrecondition, "MEMBER_MERGED",
        absl::StrCat("member ", member_id, " was merged into member ", row->merged_into,
                     ", which holds its points now"),
        {{"member_id", std::string(member_id)}, {"merged_into_member_id", row->merged_into}});
  }
  return row;
}

std::string FinalMember(sql::Connection& conn, absl::string_view member_id) {
  std::string member(member_id);
  for (int hop = 0; hop < 32; ++hop) {  // merges chain a few times at most
    auto query = Prepare(conn, "SELECT merged_into FROM members WHERE member_id = ?");
    query->setString(1, member);
    std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
    if (!rs->next() || rs->isNull(1)) break;
    member = rs->getString(1);
  }
  return member;
}

absl::StatusOr<MemberRow> ReadMemberRow(sql::Connection& conn, absl::string_view member_id) {
  auto query = Prepare(conn, absl::StrCat("SELECT ", kMemberColumns,
                                          ", p.rules_version FROM members m JOIN programs p "
                                          "ON p.program_id = m.program_id WHERE m.member_id = ?"));
  query->setString(1, std::string(member_id));
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  if (!rs->next()) return MemberNotFound(member_id);
  MemberRow row = MemberRowFrom(*rs, member_id);
  row.rules_version = rs->getInt(15);
  return row;
}

v1::Member MemberProto(const MemberRow& row, absl::Time now) {
  v1::Member m;
  m.set_member_id(row.member_id);
  m.set_program_id(row.program_id);
  m.set_customer_id(row.customer_id);
  ToProtoTimestamp(row.enrolled_at, m.mutable_enroll_time());
  m.set_balance(row.balance);
  m.set_lifetime_earned(row.lifetime_earned);
  m.set_purchase_count(row.purchase_count);
  m.set_debt_points(row.debt);
  m.set_birth_month(row.birth_month);
  m.set_birth_day(row.birth_day);
  m.set_merged_into_member_id(row.merged_into);
  m.set_tenure_days(static_cast<int32_t>(
      std::max<int64_t>(0, absl::ToInt64Hours(now - row.enrolled_at) / 24)));
  return m;
}

void AddLotBalances(sql::Connection& conn, absl::string_view member_id, absl::Time now,
                    v1::Member& m) {
  const std::string at = ToSqlDatetime(now);
  auto lots = Prepare(conn,
                      "SELECT available_at <= ?, expires_at, SUM(remaining) FROM point_lots "
                      "WHERE member_id = ? AND remaining > 0 AND expires_at > ? "
                      "GROUP BY available_at <= ?, expires_at ORDER BY expires_at");
  lots->setString(1, at);
  lots->setString(2, std::string(member_id));
  lots->setString(3, at);
  lots->setString(4, at);
  std::unique_ptr<sql::ResultSet> rs(lots->executeQuery());
  while (rs->next()) {
    const int64_t points = rs->getInt64(3);
    if (rs->getBoolean(1)) {
      m.set_available_points(m.available_points() + points);
    } else {
      m.set_pending_points(m.pending_points() + points);
    }
    const std::string expires = rs->getString(2);
    if (IsNever(expires)) continue;
    const absl::Time when = FromSqlDatetime(expires);
    const int n = m.expiring_size();
    if (n > 0 && FromProtoTimestamp(m.expiring(n - 1).expire_time()) == when) {
      m.mutable_expiring(n - 1)->set_points(m.expiring(n - 1).points() + points);
    } else if (m.expiring_size() < 12) {
      v1::ExpiringPoints* e = m.add_expiring();
      e->set_points(points);
      ToProtoTimestamp(when, e->mutable_expire_time());
    }
  }
  m.set_available_points(m.available_points() - m.debt_points());
}

int64_t QualifyingValue(sql::Connection& conn, absl::string_view member_id,
                        v1::LevelRules::Basis basis, absl::Time from, absl::Time to) {
  auto query = Prepare(conn, kQualifyingValue);
  query->setBoolean(1, SpendBasis(basis));
  query->setString(2, std::string(member_id));
  query->setString(3, ToSqlDatetime(from));
  query->setString(4, ExpiryValue(to));
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  rs->next();
  return rs->getInt64(1);
}

void SetLevel(sql::Connection& conn, absl::string_view member_id, const LevelState& level,
              std::optional<absl::Time> evaluated_at) {
  auto update = Prepare(conn,
                        "UPDATE members SET level_rank = ?, level_since = ?, "
                        "level_grace_until = ?, "
                        "level_evaluated_at = COALESCE(?, level_evaluated_at) "
                        "WHERE member_id = ?");
  update->setInt(1, level.rank);
  SetOptionalTime(*update, 2, level.since);
  SetOptionalTime(*update, 3, level.grace_until);
  SetOptionalTime(*update, 4, evaluated_at);
  update->setString(5, std::string(member_id));
  update->executeUpdate();
}

void AppendPointsChanged(sql::Connection& conn, absl::string_view member_id,
                         v1::LedgerEntry::Kind kind, int64_t points, absl::string_view reference) {
  v1::PointsChanged event;
  event.set_member_id(std::string(member_id));
  event.set_kind(kind);
  event.set_points(points);
  event.set_reference(std::string(reference));
  AppendEvent(conn, member_id, event, absl::Now());
}

void AppendLevelChanged(sql::Connection& conn, const MemberRow& member,
                        const v1::LevelRules& levels, int from, int to, absl::string_view cause) {
  if (from == to) return;
  auto name = [&](int rank) {
    return rank >= 0 && rank < levels.levels_size() ? levels.levels(rank).name() : std::string();
  };
  v1::LevelChanged event;
  event.set_member_id(member.member_id);
  event.set_customer_id(member.customer_id);
  event.set_program_id(member.program_id);
  event.set_previous_level(name(from));
  event.set_level(name(to));
  event.set_cause(std::string(cause));
  AppendEvent(conn, member.member_id, event, absl::Now());
}

void RecordEntry(sql::Connection& conn, const v1::LedgerEntry& entry) {
  // The event goes first: LAST_INSERT_ID() must name the entry afterwards
  // (LastEntryId). Purchases and returns carry their points in their own
  // events.
  if (entry.kind() != v1::LedgerEntry::KIND_EARN && entry.kind() != v1::LedgerEntry::KIND_REVERSE) {
    AppendPointsChanged(conn, entry.member_id(), entry.kind(), entry.points(), entry.reference());
  }
  const bool holds = entry.has_available_time();
  auto insert = Prepare(conn,
                        "INSERT INTO ledger_entries (member_id, kind, points, reference, reason, "
                        "created_at, available_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  insert->setString(1, entry.member_id());
  insert->setInt(2, entry.kind());
  insert->setInt64(3, entry.points());
  insert->setString(4, entry.reference());
  insert->setString(5, entry.reason());
  insert->setString(6, ToSqlDatetime(FromProtoTimestamp(entry.create_time())));
  if (holds) {
    insert->setString(7, ToSqlDatetime(FromProtoTimestamp(entry.available_time())));
    insert->setString(8, entry.has_expire_time()
                             ? ToSqlDatetime(FromProtoTimestamp(entry.expire_time()))
                             : std::string(kNever));
  } else {
    insert->setNull(7, 0);
    insert->setNull(8, 0);
  }
  insert->executeUpdate();
}

v1::LedgerEntry AppendEntry(sql::Connection& conn, v1::LedgerEntry entry,
                            absl::Time available_at, absl::Time expires_at) {
  const bool holds = entry.points() > 0;
  if (holds) {
    ToProtoTimestamp(available_at, entry.mutable_available_time());
    if (expires_at != absl::InfiniteFuture()) {
      ToProtoTimestamp(expires_at, entry.mutable_expire_time());
    }
  }
  RecordEntry(conn, entry);
  return entry;
}

int64_t LastEntryId(sql::Connection& conn) {
  auto id = Prepare(conn, "SELECT LAST_INSERT_ID()");
  std::unique_ptr<sql::ResultSet> rs(id->executeQuery());
  rs->next();
  return rs->getInt64(1);
}

void AddDebt(sql::Connection& conn, absl::string_view member_id, int64_t points) {
  auto update = Prepare(conn, "UPDATE members SET debt_points = debt_points + ? WHERE member_id = ?");
  update->setInt64(1, points);
  update->setString(2, std::string(member_id));
  update->executeUpdate();
}

std::vector<Lot> SpendableLots(sql::Connection& conn, absl::string_view member_id,
                               absl::Time now, bool with_pending) {
  const std::string at = ToSqlDatetime(now);
  auto query = Prepare(conn,
                       "SELECT entry_id, remaining FROM point_lots WHERE member_id = ? "
                       "AND remaining > 0 AND (? OR available_at <= ?) AND expires_at > ? "
                       "ORDER BY expires_at, entry_id FOR UPDATE");
  query->setString(1, std::string(member_id));
  query->setBoolean(2, with_pending);
  query->setString(3, at);
  query->setString(4, at);
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  std::vector<Lot> lots;
  while (rs->next()) lots.push_back({rs->getInt64(1), rs->getInt64(2)});
  return lots;
}

int64_t SettleDebt(sql::Connection& conn, absl::string_view member_id, int64_t debt,
                   absl::Time now) {
  if (debt <= 0) return 0;
  const int64_t paid =
      TakeFromLots(conn, SpendableLots(conn, member_id, now, /*with_pending=*/true), debt);
  if (paid > 0) AddDebt(conn, member_id, -paid);
  return paid;
}

int64_t TakeFromLots(sql::Connection& conn, const std::vector<Lot>& lots, int64_t points,
                     std::vector<Lot>* taken_from) {
  auto take = Prepare(conn, "UPDATE point_lots SET remaining = remaining - ? WHERE entry_id = ?");
  int64_t taken = 0;
  for (const Lot& lot : lots) {
    if (taken == points) break;
    const int64_t part = std::min(points - taken, lot.remaining);
    take->setInt64(1, part);
    take->setInt64(2, lot.entry_id);
    take->executeUpdate();
    taken += part;
    if (taken_from != nullptr) taken_from->push_back({lot.entry_id, part});
  }
  return taken;
}

absl::Status ConsumeLots(sql::Connection& conn, absl::string_view member_id, int64_t points,
                         absl::Time now, std::vector<Lot>* taken_from) {
  const std::vector<Lot> lots = SpendableLots(conn, member_id, now);
  int64_t available = 0;
  for (const Lot& lot : lots) available += lot.remaining;
  if (available < points) {
    return Error(absl::StatusCode::kFailedPrecondition, "INSUFFICIENT_POINTS",
                 absl::StrCat("member ", member_id, " has ", available,
                              " spendable points; ", points, " needed"),
                 {{"member_id", std::string(member_id)},
                  {"available_points", absl::StrCat(available)}});
  }
  TakeFromLots(conn, lots, points, taken_from);
  return absl::OkStatus();
}

absl::StatusOr<PurchaseFacts> ReadPurchaseFacts(sql::Connection& conn,
                                                absl::string_view program_id,
                                                absl::string_view member_id, absl::Time at,
                                                absl::Time day_start,
                                                v1::LevelRules::Basis basis,
                                                absl::Time window_start) {
  auto query = Prepare(
      conn, absl::StrCat("SELECT p.rules_version, "
                         "(SELECT COALESCE(SUM(points_earned), 0) FROM purchases "
                         "WHERE member_id = ? AND purchased_at >= ? AND purchased_at < ?), (",
                         kQualifyingValue, "), "
                         "(SELECT COUNT(*) FROM coupons WHERE member_id = ? AND state = 1 "
                         "AND ends_at > ? AND auto_apply) "
                         "FROM programs p WHERE p.program_id = ?"));
  const std::string member(member_id);
  query->setString(1, member);
  query->setString(2, ToSqlDatetime(day_start));
  query->setString(3, ToSqlDatetime(day_start + absl::Hours(24)));
  query->setBoolean(4, SpendBasis(basis));
  query->setString(5, member);
  query->setString(6, ExpiryValue(window_start));
  query->setString(7, std::string(kNever));
  query->setString(8, member);
  query->setString(9, ToSqlDatetime(at));
  query->setString(10, std::string(program_id));
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  if (!rs->next()) return ProgramNotFound(program_id);
  return PurchaseFacts{rs->getInt(1), rs->getInt64(2), rs->getInt64(3), rs->getInt64(4)};
}

}  // namespace crm::loyalty::rows
