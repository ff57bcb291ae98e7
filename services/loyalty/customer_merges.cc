#include "services/loyalty/customer_merges.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/sql_util.h"
#include "cppconn/prepared_statement.h"
#include "cppconn/resultset.h"
#include "services/loyalty/ledger_rows.h"

namespace crm::loyalty {
namespace {

constexpr int kTransfer = v1::LedgerEntry::KIND_TRANSFER;

// A lot with points left, as stored (times as the database spells them).
struct HeldLot {
  int64_t entry_id = 0;
  int64_t remaining = 0;
  std::string available_at;
  std::string expires_at;
  int64_t origin = 0;
  std::string holder;  // the member holding it
};

struct Moved {
  int64_t from_entry = 0;
  int64_t to_entry = 0;
  int64_t points = 0;
};

std::vector<HeldLot> HeldLots(sql::PreparedStatement& query) {
  std::unique_ptr<sql::ResultSet> rs(query.executeQuery());
  std::vector<HeldLot> lots;
  while (rs->next()) {
    lots.push_back({rs->getInt64(1), rs->getInt64(2), rs->getString(3), rs->getString(4),
                    rs->getInt64(5), rs->getString(6)});
  }
  return lots;
}

constexpr absl::string_view kLotColumns =
    "l.entry_id, l.remaining, l.available_at, l.expires_at, COALESCE(l.origin_entry, l.entry_id), "
    "l.member_id";

void InsertTransfer(sql::Connection& conn, absl::string_view member_id, int64_t points,
                    absl::string_view merge_id, absl::string_view reason, absl::Time now,
                    const HeldLot* lot) {
  // The event first: LAST_INSERT_ID() must name the entry afterwards.
  rows::AppendPointsChanged(conn, member_id, v1::LedgerEntry::KIND_TRANSFER, points, merge_id);
  auto insert = Prepare(conn,
                        "INSERT INTO ledger_entries (member_id, kind, points, reference, reason, "
                        "created_at, available_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  insert->setString(1, std::string(member_id));
  insert->setInt(2, kTransfer);
  insert->setInt64(3, points);
  insert->setString(4, std::string(merge_id));
  insert->setString(5, std::string(reason));
  insert->setString(6, ToSqlDatetime(now));
  if (lot != nullptr) {
    insert->setString(7, lot->available_at);
    insert->setString(8, lot->expires_at);
  } else {
    insert->setNull(7, 0);
    insert->setNull(8, 0);
  }
  insert->executeUpdate();
}

// Empties `lots` into new lots of `to` (same availability, expiry and
// origin), debits their owner `from` by the total, as TRANSFER entries, and
// lets `to`'s new points pay its debt. Earlier merges that moved a lot now
// name its new place, so merges and unmerges chain in any order.
std::vector<Moved> MoveLots(sql::Connection& conn, const std::vector<HeldLot>& lots,
                            absl::string_view from, absl::string_view to,
                            absl::string_view merge_id, absl::string_view why, absl::Time now) {
  std::vector<Moved> moved;
  int64_t total = 0;
  for (const HeldLot& lot : lots) {
    InsertTransfer(conn, to, lot.remaining, merge_id, absl::StrCat(why, " from member ", from), now,
                   &lot);
    const int64_t to_entry = rows::LastEntryId(conn);
    auto origin = Prepare(conn, "UPDATE point_lots SET origin_entry = ? WHERE entry_id = ?");
    origin->setInt64(1, lot.origin);
    origin->setInt64(2, to_entry);
    origin->executeUpdate();
    auto empty = Prepare(conn, "UPDATE point_lots SET remaining = 0 WHERE entry_id = ?");
    empty->setInt64(1, lot.entry_id);
    empty->executeUpdate();
    auto follow = Prepare(conn, "UPDATE merge_lot_moves SET to_entry = ? WHERE to_entry = ?");
    follow->setInt64(1, to_entry);
    follow->setInt64(2, lot.entry_id);
    follow->executeUpdate();
    moved.push_back({lot.entry_id, to_entry, lot.remaining});
    total += lot.remaining;
  }
  if (total > 0) {
    InsertTransfer(conn, from, -total, merge_id, absl::StrCat(why, " to member ", to), now,
                   nullptr);
    if (auto receiver = rows::LockMemberRow(conn, to); receiver.ok() && receiver->debt > 0) {
      rows::SettleDebt(conn, to, receiver->debt, now);
    }
  }
  return moved;
}

std::optional<std::string> MemberIn(sql::Connection& conn, absl::string_view program_id,
                                    absl::string_view customer_id) {
  auto query = Prepare(conn,
                       "SELECT member_id FROM members WHERE program_id = ? AND customer_id = ? "
                       "AND merged_into IS NULL FOR UPDATE");
  query->setString(1, std::string(program_id));
  query->setString(2, std::string(customer_id));
  std::vector<std::string> found = rows::FirstColumn(*query);
  if (found.empty()) return std::nullopt;
  return found[0];
}

void RecordMemberMove(sql::Connection& conn, absl::string_view merge_id,
                      absl::string_view member_id, absl::string_view from_customer,
                      const std::optional<std::string>& into) {
  auto record = Prepare(conn,
                        "INSERT INTO merge_member_moves (merge_id, member_id, from_customer, "
                        "into_member) VALUES (?, ?, ?, ?)");
  record->setString(1, std::string(merge_id));
  record->setString(2, std::string(member_id));
  record->setString(3, std::string(from_customer));
  if (into.has_value()) {
    record->setString(4, *into);
  } else {
    record->setNull(4, 0);
  }
  record->executeUpdate();
}

void SetMergedInto(sql::Connection& conn, absl::string_view member_id,
                   const std::optional<std::string>& into) {
  auto update = Prepare(conn, "UPDATE members SET merged_into = ? WHERE member_id = ?");
  if (into.has_value()) {
    update->setString(1, *into);
  } else {
    update->setNull(1, 0);
  }
  update->setString(2, std::string(member_id));
  update->executeUpdate();
}

void SetCustomer(sql::Connection& conn, absl::string_view member_id,
                 absl::string_view customer_id) {
  auto update = Prepare(conn, "UPDATE members SET customer_id = ? WHERE member_id = ?");
  update->setString(1, std::string(customer_id));
  update->setString(2, std::string(member_id));
  update->executeUpdate();
}

// Empties member `from` into member `to` for merge `merge_id`.
void MergeMembership(sql::Connection& conn, absl::string_view merge_id, absl::string_view from,
                     absl::string_view to, absl::Time now) {
  auto held = Prepare(conn, absl::StrCat("SELECT ", kLotColumns,
                                         " FROM point_lots l WHERE l.member_id = ? "
                                         "AND l.remaining > 0 ORDER BY l.entry_id FOR UPDATE"));
  held->setString(1, std::string(from));
  for (const Moved& m : MoveLots(conn, HeldLots(*held), from, to, merge_id, "merge", now)) {
    auto record = Prepare(conn,
                          "INSERT INTO merge_lot_moves (merge_id, from_entry, to_entry, points) "
                          "VALUES (?, ?, ?, ?)");
    record->setString(1, std::string(merge_id));
    record->setInt64(2, m.from_entry);
    record->setInt64(3, m.to_entry);
    record->setInt64(4, m.points);
    record->executeUpdate();
  }
  // Coupons of an issue the survivor holds one of already stay behind.
  auto remember = Prepare(conn,
                          "INSERT INTO merge_coupon_moves (merge_id, coupon_id, from_member) "
                          "SELECT ?, c.coupon_id, c.member_id FROM coupons c "
                          "WHERE c.member_id = ? AND c.state = 1 AND NOT EXISTS ("
                          "SELECT 1 FROM coupons s WHERE s.member_id = ? "
                          "AND s.issue_key = c.issue_key)");
  remember->setString(1, std::string(merge_id));
  remember->setString(2, std::string(from));
  remember->setString(3, std::string(to));
  remember->executeUpdate();
  auto give = Prepare(conn,
                      "UPDATE coupons c JOIN merge_coupon_moves m ON m.coupon_id = c.coupon_id "
                      "SET c.member_id = ? WHERE m.merge_id = ? AND m.from_member = ?");
  give->setString(1, std::string(to));
  give->setString(2, std::string(merge_id));
  give->setString(3, std::string(from));
  give->executeUpdate();
  SetMergedInto(conn, from, std::string(to));
}

// Gives member `restored` back what merge `merge_id` moved from it to
// `survivor` and is still there.
void SplitMembership(sql::Connection& conn, absl::string_view merge_id, absl::string_view restored,
                     absl::string_view survivor, absl::Time now) {
  // Wherever the moved lots are now: the survivor's, or a member a later
  // merge moved them to.
  auto held = Prepare(conn, absl::StrCat("SELECT ", kLotColumns,
                                         " FROM merge_lot_moves m "
                                         "JOIN point_lots l ON l.entry_id = m.to_entry "
                                         "WHERE m.merge_id = ? AND l.remaining > 0 "
                                         "ORDER BY l.member_id, l.entry_id FOR UPDATE"));
  held->setString(1, std::string(merge_id));
  std::map<std::string, std::vector<HeldLot>> by_holder;
  for (HeldLot& lot : HeldLots(*held)) by_holder[lot.holder].push_back(std::move(lot));
  for (const auto& [holder, lots] : by_holder) {
    if (!rows::LockMemberRow(conn, holder).ok()) continue;
    MoveLots(conn, lots, holder, restored, merge_id, "unmerge", now);
  }
  auto give_back =
      Prepare(conn,
              "UPDATE coupons c JOIN merge_coupon_moves m ON m.coupon_id = c.coupon_id "
              "SET c.member_id = m.from_member "
              "WHERE m.merge_id = ? AND m.from_member = ? AND c.member_id = ? "
              "AND c.state = 1");
  give_back->setString(1, std::string(merge_id));
  give_back->setString(2, std::string(restored));
  give_back->setString(3, std::string(survivor));
  give_back->executeUpdate();
  SetMergedInto(conn, restored, std::nullopt);
}

}  // namespace

void MoveToSurvivor(sql::Connection& conn, const identify::v1::CustomerMerged& merge,
                    absl::Time now) {
  auto memberships = Prepare(conn,
                             "SELECT member_id, program_id FROM members WHERE customer_id = ? "
                             "AND merged_into IS NULL ORDER BY member_id FOR UPDATE");
  memberships->setString(1, merge.merged_id());
  std::vector<std::pair<std::string, std::string>> found;
  {
    std::unique_ptr<sql::ResultSet> rs(memberships->executeQuery());
    while (rs->next()) found.emplace_back(rs->getString(1), rs->getString(2));
  }
  for (const auto& [member_id, program_id] : found) {
    const std::optional<std::string> survivor = MemberIn(conn, program_id, merge.survivor_id());
    RecordMemberMove(conn, merge.merge_id(), member_id, merge.merged_id(), survivor);
    if (survivor.has_value()) {
      MergeMembership(conn, merge.merge_id(), member_id, *survivor, now);
    } else {
      SetCustomer(conn, member_id, merge.survivor_id());
    }
  }
}

void MoveBack(sql::Connection& conn, const identify::v1::CustomerUnmerged& unmerge,
              absl::Time now) {
  auto moves = Prepare(conn,
                       "SELECT mv.member_id, mv.from_customer, COALESCE(mv.into_member, '') "
                       "FROM merge_member_moves mv JOIN members m ON m.member_id = mv.member_id "
                       "WHERE mv.merge_id = ? ORDER BY mv.member_id FOR UPDATE");
  moves->setString(1, unmerge.merge_id());
  struct Move {
    std::string member_id, from_customer, into;
  };
  std::vector<Move> found;
  {
    std::unique_ptr<sql::ResultSet> rs(moves->executeQuery());
    while (rs->next()) found.push_back({rs->getString(1), rs->getString(2), rs->getString(3)});
  }
  for (const Move& move : found) {
    if (move.into.empty()) {
      SetCustomer(conn, move.member_id, move.from_customer);
      continue;
    }
    auto lock_survivor =
        Prepare(conn, "SELECT member_id FROM members WHERE member_id = ? FOR UPDATE");
    lock_survivor->setString(1, move.into);
    rows::FirstColumn(*lock_survivor);
    SplitMembership(conn, unmerge.merge_id(), move.member_id, move.into, now);
  }
  for (const char* table : {"merge_member_moves", "merge_lot_moves", "merge_coupon_moves"}) {
    auto forget = Prepare(conn, absl::StrCat("DELETE FROM ", table, " WHERE merge_id = ?"));
    forget->setString(1, unmerge.merge_id());
    forget->executeUpdate();
  }
}

}  // namespace crm::loyalty
