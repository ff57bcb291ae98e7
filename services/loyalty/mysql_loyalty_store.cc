#include "services/loyalty/mysql_loyalty_store.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <sstream>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/outbox.h"
#include "common/sql_util.h"
#include "common/transaction.h"
#include "cppconn/exception.h"
#include "cppconn/resultset.h"
#include "crm/loyalty/v1/events.pb.h"
#include "services/loyalty/coupon_rows.h"
#include "services/loyalty/coupons.h"
#include "services/loyalty/ledger_rows.h"

namespace crm::loyalty {
namespace {

absl::Time UtcDayStart(absl::Time t) {
  return absl::FromCivil(absl::ToCivilDay(t, absl::UTCTimeZone()), absl::UTCTimeZone());
}

// The purchase recorded under the source transaction id of `purchase`:
// nullopt when none, the purchase when `content_hash` matches (a replay),
// else ALREADY_EXISTS / TRANSACTION_ID_REUSED. `committed_since_snapshot`
// makes it a locking read, for a row committed after this transaction's
// snapshot (after a duplicate-key insert); a plain read otherwise, which
// takes no gap lock that concurrent inserts would deadlock on.
absl::StatusOr<std::optional<v1::Purchase>> RecordedPurchase(sql::Connection& conn,
                                                             absl::string_view program_id,
                                                             const v1::Purchase& purchase,
                                                             absl::string_view content_hash,
                                                             bool committed_since_snapshot) {
  auto query = Prepare(conn, committed_since_snapshot
                                 ? "SELECT content_hash, purchase FROM purchases WHERE "
                                   "program_id = ? AND source_transaction_id = ? "
                                   "LOCK IN SHARE MODE"
                                 : "SELECT content_hash, purchase FROM purchases WHERE "
                                   "program_id = ? AND source_transaction_id = ?");
  query->setString(1, std::string(program_id));
  query->setString(2, purchase.source_transaction_id());
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  if (!rs->next()) return std::nullopt;
  if (rs->getString(1) != std::string(content_hash)) {
    return Error(absl::StatusCode::kAlreadyExists, "TRANSACTION_ID_REUSED",
                 absl::StrCat("source transaction ", purchase.source_transaction_id(),
                              " was recorded with different content"),
                 {{"source_transaction_id", purchase.source_transaction_id()}});
  }
  v1::Purchase recorded;
  recorded.ParseFromString(rs->getString(2));
  return recorded;
}

// Inserts the purchase; false when its source transaction id was recorded
// already.
bool InsertPurchase(sql::Connection& conn, const v1::Purchase& purchase,
                    absl::string_view program_id, absl::string_view content_hash, int64_t paid,
                    int64_t line_points, absl::Time now) {
  auto insert = Prepare(conn,
                        "INSERT INTO purchases (purchase_id, program_id, member_id, "
                        "source_transaction_id, content_hash, purchase, total_minor, "
                        "points_earned, purchased_at, recorded_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  std::istringstream bytes(purchase.SerializeAsString());
  insert->setString(1, purchase.purchase_id());
  insert->setString(2, std::string(program_id));
  insert->setString(3, purchase.member_id());
  insert->setString(4, purchase.source_transaction_id());
  insert->setString(5, std::string(content_hash));
  insert->setBlob(6, &bytes);
  insert->setInt64(7, paid);
  insert->setInt64(8, line_points);
  insert->setString(9, ToSqlDatetime(FromProtoTimestamp(purchase.purchase_time())));
  insert->setString(10, ToSqlDatetime(now));
  try {
    insert->executeUpdate();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() == 1062) return false;
    throw;
  }
  return true;
}

}  // namespace

absl::StatusOr<v1::Program> MysqlLoyaltyStore::CreateProgram(const RequestKey& key,
                                                             const v1::Program& program) {
  return RunIdempotent<v1::Program>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::Program> {
        auto insert = Prepare(conn,
                              "INSERT INTO programs (program_id, display_name, currency_code, "
                              "points_per_currency_unit, currency_exponent, created_at, "
                              "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
        insert->setString(1, program.program_id());
        insert->setString(2, program.display_name());
        insert->setString(3, program.currency_code());
        insert->setUInt(4, program.rules().earning().points_per_currency_unit());
        insert->setUInt(5, program.currency_exponent());
        insert->setString(6, ToSqlDatetime(FromProtoTimestamp(program.create_time())));
        insert->setString(7, ToSqlDatetime(FromProtoTimestamp(program.update_time())));
        insert->executeUpdate();
        v1::ProgramRules rules = program.rules();
        auto version = Prepare(conn,
                               "INSERT INTO program_rules (program_id, version, effective_at, "
                               "rules, created_at) VALUES (?, 1, ?, ?, ?)");
        std::istringstream bytes(rules.SerializeAsString());
        version->setString(1, program.program_id());
        version->setString(2, ToSqlDatetime(FromProtoTimestamp(rules.effective_time())));
        version->setBlob(3, &bytes);
        version->setString(4, ToSqlDatetime(FromProtoTimestamp(program.create_time())));
        version->executeUpdate();
        return program;
      });
}

absl::StatusOr<v1::ProgramRules> MysqlLoyaltyStore::AddRulesVersion(
    const RequestKey& key, absl::string_view program_id, const v1::ProgramRules& rules,
    absl::Time now) {
  return RunIdempotent<v1::ProgramRules>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::ProgramRules> {
        auto latest = Prepare(conn,
                              "SELECT rules_version FROM programs WHERE program_id = ? "
                              "FOR UPDATE");
        latest->setString(1, std::string(program_id));
        v1::ProgramRules added = rules;
        {
          std::unique_ptr<sql::ResultSet> rs(latest->executeQuery());
          if (!rs->next()) return rows::ProgramNotFound(program_id);
          added.set_version(rs->getInt(1) + 1);
        }
        auto insert = Prepare(conn,
                              "INSERT INTO program_rules (program_id, version, effective_at, "
                              "rules, created_at) VALUES (?, ?, ?, ?, ?)");
        std::istringstream bytes(added.SerializeAsString());
        insert->setString(1, std::string(program_id));
        insert->setInt(2, added.version());
        insert->setString(3, ToSqlDatetime(FromProtoTimestamp(added.effective_time())));
        insert->setBlob(4, &bytes);
        insert->setString(5, ToSqlDatetime(now));
        insert->executeUpdate();
        auto bump = Prepare(conn,
                            "UPDATE programs SET rules_version = ?, updated_at = ? "
                            "WHERE program_id = ?");
        bump->setInt(1, added.version());
        bump->setString(2, ToSqlDatetime(now));
        bump->setString(3, std::string(program_id));
        bump->executeUpdate();
        return added;
      });
}

absl::StatusOr<v1::Program> MysqlLoyaltyStore::GetProgram(absl::string_view program_id,
                                                          absl::Time now) {
  return RunWithConnection<v1::Program>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::Program> {
        v1::Program p;
        int32_t rules_version = 0;
        {
          auto query = Prepare(conn,
                               "SELECT display_name, currency_code, points_per_currency_unit, "
                               "currency_exponent, created_at, updated_at, rules_version "
                               "FROM programs WHERE program_id = ?");
          query->setString(1, std::string(program_id));
          std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
          if (!rs->next()) return rows::ProgramNotFound(program_id);
          p.set_program_id(std::string(program_id));
          p.set_display_name(rs->getString(1));
          p.set_currency_code(rs->getString(2));
          p.set_points_per_currency_unit(rs->getUInt(3));
          p.set_currency_exponent(rs->getUInt(4));
          ToProtoTimestamp(FromSqlDatetime(rs->getString(5)), p.mutable_create_time());
          ToProtoTimestamp(FromSqlDatetime(rs->getString(6)), p.mutable_update_time());
          rules_version = rs->getInt(7);
        }
        auto history = rules_.Get(conn, program_id, rules_version);
        if (!history.ok()) return history.status();
        if (const v1::ProgramRules* rules = (*history)->At(now)) *p.mutable_rules() = *rules;
        return p;
      });
}

absl::StatusOr<v1::Member> MysqlLoyaltyStore::ReadMember(sql::Connection& conn,
                                                         absl::string_view member_id,
                                                         absl::Time now) {
  auto row = rows::ReadMemberRow(conn, member_id);
  if (!row.ok()) return row.status();
  auto history = rules_.Get(conn, row->program_id, row->rules_version);
  if (!history.ok()) return history.status();
  v1::Member m = rows::MemberProto(*row, now);
  rows::AddLotBalances(conn, member_id, now, m);
  const v1::ProgramRules* rules = (*history)->At(now);
  if (rules != nullptr && rules->levels().levels_size() > 0) {
    const v1::LevelRules& levels = rules->levels();
    DescribeLevel(levels, row->level,
                  rows::QualifyingValue(conn, member_id, levels.basis(),
                                        QualifyingWindowStart(levels, now),
                                        absl::InfiniteFuture()),
                  m);
  }
  return m;
}

absl::StatusOr<v1::Member> MysqlLoyaltyStore::Enroll(const RequestKey& key,
                                                     const v1::Member& member, int64_t bonus,
                                                     absl::Time bonus_expiry) {
  const absl::Time now = FromProtoTimestamp(member.enroll_time());
  auto enrolled = RunIdempotent<v1::Member>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::Member> {
        auto program = Prepare(conn, "SELECT 1 FROM programs WHERE program_id = ?");
        program->setString(1, member.program_id());
        if (!std::unique_ptr<sql::ResultSet>(program->executeQuery())->next()) {
          return rows::ProgramNotFound(member.program_id());
        }
        auto existing = Prepare(conn,
                                "SELECT member_id FROM members WHERE program_id = ? "
                                "AND customer_id = ?");
        existing->setString(1, member.program_id());
        existing->setString(2, member.customer_id());
        if (std::unique_ptr<sql::ResultSet> rs(existing->executeQuery()); rs->next()) {
          const std::string member_id = rs->getString(1);
          return Error(absl::StatusCode::kAlreadyExists, "ALREADY_ENROLLED",
                       absl::StrCat("customer ", member.customer_id(), " is member ", member_id,
                                    " of this program"),
                       {{"member_id", member_id}});
        }
        // A customer whose membership went to a survivor with a merge gets it
        // back with the unmerge; a second one would collide then.
        auto moved = Prepare(conn,
                             "SELECT mv.merge_id FROM merge_member_moves mv JOIN members m "
                             "ON m.member_id = mv.member_id WHERE mv.from_customer = ? "
                             "AND mv.into_member IS NULL AND m.program_id = ?");
        moved->setString(1, member.customer_id());
        moved->setString(2, member.program_id());
        if (std::unique_ptr<sql::ResultSet> rs(moved->executeQuery()); rs->next()) {
          return Error(absl::StatusCode::kFailedPrecondition, "CUSTOMER_MERGED",
                       absl::StrCat("customer ", member.customer_id(),
                                    " is merged; its membership is with the survivor"),
                       {{"merge_id", rs->getString(1)}});
        }
        auto insert = Prepare(conn,
                              "INSERT INTO members (member_id, program_id, customer_id, "
                              "enrolled_at, birth_month, birth_day) "
                              "VALUES (?, ?, ?, ?, NULLIF(?, 0), NULLIF(?, 0))");
        insert->setString(1, member.member_id());
        insert->setString(2, member.program_id());
        insert->setString(3, member.customer_id());
        insert->setString(4, ToSqlDatetime(now));
        insert->setInt(5, member.birth_month());
        insert->setInt(6, member.birth_day());
        try {
          insert->executeUpdate();
        } catch (const sql::SQLException& e) {
          if (e.getErrorCode() == 1062) {
            // Enrolled concurrently: the twin committed after this
            // transaction's snapshot, so only a locking read sees it.
            auto twin = Prepare(conn,
                                "SELECT member_id FROM members WHERE program_id = ? "
                                "AND customer_id = ? LOCK IN SHARE MODE");
            twin->setString(1, member.program_id());
            twin->setString(2, member.customer_id());
            const std::vector<std::string> found = rows::FirstColumn(*twin);
            const std::string member_id = found.empty() ? "" : found[0];
            return Error(absl::StatusCode::kAlreadyExists, "ALREADY_ENROLLED",
                         absl::StrCat("customer ", member.customer_id(), " is member ",
                                      member_id, " of this program"),
                         {{"member_id", member_id}});
          }
          throw;
        }
        if (bonus > 0) {
          v1::LedgerEntry entry;
          entry.set_member_id(member.member_id());
          entry.set_kind(v1::LedgerEntry::KIND_BONUS);
          entry.set_points(bonus);
          entry.set_reference("enrollment");
          entry.set_reason("enrollment bonus");
          ToProtoTimestamp(now, entry.mutable_create_time());
          rows::AppendEntry(conn, entry, now, bonus_expiry);
        }
        v1::Member ids;  // the stored response holds the id only
        ids.set_member_id(member.member_id());
        return ids;
      });
  if (!enrolled.ok()) return enrolled.status();
  return GetMember(enrolled->member_id(), now);
}

absl::StatusOr<v1::Member> MysqlLoyaltyStore::GetMember(absl::string_view member_id,
                                                        absl::Time now) {
  return RunWithConnection<v1::Member>(*pool_, [&](sql::Connection& conn) {
    return ReadMember(conn, member_id, now);
  });
}

namespace {

// The coupons the purchase presents, then the member's auto-applied offers
// it qualifies for (when `auto_offers` says there are any), locked and
// applied in that order: the discounts and bonuses they give.
absl::StatusOr<std::vector<v1::AppliedCoupon>> ApplyCoupons(sql::Connection& conn,
                                                            v1::Purchase& purchase,
                                                            int64_t auto_offers) {
  std::vector<v1::AppliedCoupon> applied;
  auto apply = [&](const v1::Coupon& coupon) -> absl::Status {
    auto one = ApplyCoupon(coupon, purchase);
    if (!one.ok()) return one.status();
    purchase.set_discount_minor(purchase.discount_minor() + one->discount_minor());
    applied.push_back(*std::move(one));
    return absl::OkStatus();
  };
  for (const std::string& id : purchase.coupon_ids()) {
    auto coupon = rows::LockCoupon(conn, id);
    if (!coupon.ok()) return coupon.status();
    if (absl::Status s = apply(*coupon); !s.ok()) return s;
  }
  if (auto_offers > 0) {
    for (const v1::Coupon& offer :
         rows::LockAutoOffers(conn, purchase.member_id(), FromProtoTimestamp(purchase.purchase_time()))) {
      const bool presented = std::find(purchase.coupon_ids().begin(), purchase.coupon_ids().end(),
                                       offer.coupon_id()) != purchase.coupon_ids().end();
      if (!presented) apply(offer).IgnoreError();  // an offer the purchase misses stays
    }
  }
  return applied;
}

// Appends the purchase's entries (earned points, first-purchase bonus,
// coupon bonuses) and marks its coupons used; returns the points added.
int64_t WriteEarning(sql::Connection& conn, const v1::Purchase& purchase, const Earning& earning,
                     absl::Time now) {
  std::vector<std::tuple<v1::LedgerEntry::Kind, int64_t, std::string, std::string>> entries = {
      {v1::LedgerEntry::KIND_EARN, earning.line_points, purchase.purchase_id(), "purchase"},
      {v1::LedgerEntry::KIND_BONUS, earning.bonus_points, purchase.purchase_id(),
       "first purchase bonus"}};
  for (const v1::AppliedCoupon& coupon : purchase.applied_coupons()) {
    rows::MarkRedeemed(conn, coupon.coupon_id(), purchase.purchase_id(), now);
    entries.emplace_back(v1::LedgerEntry::KIND_BONUS, coupon.bonus_points(), coupon.coupon_id(),
                         absl::StrCat("coupon ", coupon.campaign()));
  }
  int64_t added = 0;
  for (const auto& [kind, points, reference, reason] : entries) {
    if (points <= 0) continue;
    v1::LedgerEntry entry;
    entry.set_member_id(purchase.member_id());
    entry.set_kind(kind);
    entry.set_points(points);
    entry.set_reference(reference);
    entry.set_reason(reason);
    ToProtoTimestamp(now, entry.mutable_create_time());
    rows::AppendEntry(conn, entry, earning.available_at, earning.expires_at);
    added += points;
  }
  return added;
}

}  // namespace

absl::StatusOr<PurchaseOutcome> MysqlLoyaltyStore::RecordPurchase(
    const v1::Purchase& purchase, absl::string_view content_hash, absl::Time now,
    absl::FunctionRef<Earning(const EarningInputs&)> decide) {
  const absl::Time at = FromProtoTimestamp(purchase.purchase_time());
  return RunInTransaction<PurchaseOutcome>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<PurchaseOutcome> {
        auto member = rows::LockMember(conn, purchase.member_id());
        if (!member.ok()) return member.status();
        PurchaseOutcome out;
        auto replay = [&]() -> absl::StatusOr<PurchaseOutcome> {
          auto recorded = RecordedPurchase(conn, member->program_id, purchase, content_hash,
                                           /*committed_since_snapshot=*/true);
          if (!recorded.ok()) return recorded.status();
          if (!recorded->has_value()) {
            return absl::InternalError("a purchase refused as a duplicate cannot be found");
          }
          out.purchase = **recorded;
          out.replayed = true;
          auto current = ReadMember(conn, purchase.member_id(), now);
          if (!current.ok()) return current.status();
          out.member = *std::move(current);
          return out;
        };
        // A replay would find its own coupons used: it is looked for first
        // (a twin of this member's committed before its lock was granted).
        if (purchase.coupon_ids_size() > 0) {
          auto recorded = RecordedPurchase(conn, member->program_id, purchase, content_hash,
                                           /*committed_since_snapshot=*/false);
          if (!recorded.ok()) return recorded.status();
          if (recorded->has_value()) return replay();
        }
        // The cached rules say which window the level needs; the facts say
        // whether the cache is current (else it reloads and asks again).
        std::shared_ptr<const ProgramRulesHistory> history = rules_.Peek(member->program_id);
        auto read_facts = [&]() -> absl::StatusOr<rows::PurchaseFacts> {
          const v1::ProgramRules* now_rules = history ? history->At(now) : nullptr;
          const bool levelled = now_rules != nullptr && now_rules->levels().levels_size() > 0;
          return rows::ReadPurchaseFacts(
              conn, member->program_id, purchase.member_id(), at, UtcDayStart(at),
              levelled ? now_rules->levels().basis() : v1::LevelRules::BASIS_UNSPECIFIED,
              levelled ? QualifyingWindowStart(now_rules->levels(), now) : absl::InfiniteFuture());
        };
        auto facts = read_facts();
        if (!facts.ok()) return facts.status();
        if (history == nullptr || history->latest_version != facts->rules_version) {
          auto loaded = rules_.Get(conn, member->program_id, facts->rules_version);
          if (!loaded.ok()) return loaded.status();
          history = *std::move(loaded);
          facts = read_facts();
          if (!facts.ok()) return facts.status();
        }
        const v1::ProgramRules* rules = history->At(at);
        if (rules == nullptr) {
          return Error(absl::StatusCode::kFailedPrecondition, "NO_RULES_IN_FORCE",
                       "the program had no rules in force at the purchase time");
        }
        // The version in force now: at least `rules` unless the clock stepped.
        const v1::ProgramRules* rules_now = history->At(now);
        const v1::LevelRules& levels = (rules_now != nullptr ? rules_now : rules)->levels();
        out.purchase = purchase;
        auto coupons = ApplyCoupons(conn, out.purchase, facts->auto_offers);
        if (!coupons.ok()) return coupons.status();
        *out.purchase.mutable_applied_coupons() = {coupons->begin(), coupons->end()};
        EarningInputs inputs;
        inputs.purchase_count = member->purchase_count;
        inputs.rules = *rules;
        inputs.currency_exponent = history->currency_exponent;
        inputs.earned_today = facts->earned_today;
        inputs.level_percent = LevelMultiplier(levels, member->level.rank);
        inputs.discount_minor = out.purchase.discount_minor();
        const Earning earning = decide(inputs);
        int64_t coupon_bonus = 0;
        for (const v1::AppliedCoupon& c : *coupons) coupon_bonus += c.bonus_points();
        out.purchase.set_points_earned(earning.line_points + earning.bonus_points + coupon_bonus);
        out.purchase.set_rules_version(rules->version());
        const int64_t paid = out.purchase.total_minor() - out.purchase.discount_minor();
        if (!InsertPurchase(conn, out.purchase, member->program_id, content_hash, paid,
                            earning.line_points, now)) {
          return replay();  // recorded before: a replay, or a reuse of the id
        }
        const int64_t earned = WriteEarning(conn, out.purchase, earning, now);
        member->debt -= rows::SettleDebt(conn, purchase.member_id(), member->debt, now);
        member->balance += earned;
        member->lifetime_earned += earned;
        member->purchase_count += 1;
        out.member = rows::MemberProto(*member, now);
        rows::AddLotBalances(conn, purchase.member_id(), now, out.member);
        if (levels.levels_size() > 0) {
          int64_t value = facts->qualifying;
          if (at > QualifyingWindowStart(levels, now)) {
            value += levels.basis() == v1::LevelRules::BASIS_QUALIFYING_POINTS
                         ? earning.line_points
                         : paid;
          }
          const LevelState level = UpgradeLevel(levels, member->level, value, now);
          if (!(level == member->level)) {
            rows::SetLevel(conn, purchase.member_id(), level);
            rows::AppendLevelChanged(conn, *member, levels, member->level.rank, level.rank,
                                     "purchase");
          }
          DescribeLevel(levels, level, value, out.member);
        }
        v1::PurchaseRecorded event;
        *event.mutable_purchase() = out.purchase;
        event.set_customer_id(member->customer_id);
        event.set_program_id(member->program_id);
        event.set_balance(out.member.balance());
        event.set_level(out.member.level());
        AppendEvent(conn, purchase.member_id(), event, now);
        return out;
      });
}

namespace {

// floor(points x part / whole), exactly.
int64_t Share(int64_t points, int64_t part, int64_t whole) {
  if (whole <= 0) return 0;
  return static_cast<int64_t>(static_cast<__int128>(points) * part / whole);
}

absl::StatusOr<v1::ReturnPolicy> ReturnPolicyOf(sql::Connection& conn,
                                                absl::string_view program_id, int32_t version) {
  auto query = Prepare(conn, "SELECT rules FROM program_rules WHERE program_id = ? AND version = ?");
  query->setString(1, std::string(program_id));
  query->setInt(2, version);
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  v1::ProgramRules rules;
  if (rs->next()) rules.ParseFromString(rs->getString(1));
  return rules.return_policy();
}

// Takes up to `due` points for a return of `purchase_id` under `policy`
// (under ALLOW_NEGATIVE all of it, the missing part as debt).
int64_t TakeBack(sql::Connection& conn, absl::string_view member_id,
                 absl::string_view purchase_id, v1::ReturnPolicy policy, int64_t due,
                 absl::Time now) {
  const std::string at = ToSqlDatetime(now);
  const bool negative = policy == v1::RETURN_POLICY_ALLOW_NEGATIVE;
  const bool pending_only = !negative && policy != v1::RETURN_POLICY_REVERSE_WITHIN_BALANCE;
  // The purchase's earn lot, or the lots a customer merge moved its points to.
  auto own = Prepare(conn,
                     "SELECT l.entry_id, l.remaining FROM point_lots l "
                     "JOIN ledger_entries e ON e.entry_id = COALESCE(l.origin_entry, l.entry_id) "
                     "WHERE l.member_id = ? AND e.reference = ? AND e.kind = 1 "
                     "AND l.remaining > 0 AND l.expires_at > ? AND (? = 0 OR l.available_at > ?) "
                     "ORDER BY l.entry_id FOR UPDATE");
  own->setString(1, std::string(member_id));
  own->setString(2, std::string(purchase_id));
  own->setString(3, at);
  own->setInt(4, pending_only ? 1 : 0);
  own->setString(5, at);
  std::vector<rows::Lot> lots;
  {
    std::unique_ptr<sql::ResultSet> rs(own->executeQuery());
    while (rs->next()) lots.push_back({rs->getInt64(1), rs->getInt64(2)});
  }
  int64_t taken = rows::TakeFromLots(conn, lots, due);
  if (!pending_only && taken < due) {
    taken += rows::TakeFromLots(conn, rows::SpendableLots(conn, member_id, now, negative),
                                due - taken);
  }
  if (negative && taken < due) {
    rows::AddDebt(conn, member_id, due - taken);
    taken = due;
  }
  return taken;
}

}  // namespace

absl::StatusOr<ReturnOutcome> MysqlLoyaltyStore::RecordReturn(
    const v1::RecordReturnRequest& request, absl::string_view content_hash, absl::Time now) {
  return RunInTransaction<ReturnOutcome>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<ReturnOutcome> {
        auto member = rows::LockMember(conn, request.member_id());
        if (!member.ok()) return member.status();
        ReturnOutcome out;
        auto earlier = Prepare(conn,
                               "SELECT content_hash, points_reversed, points_kept "
                               "FROM purchase_returns WHERE program_id = ? AND source_return_id = ?");
        earlier->setString(1, member->program_id);
        earlier->setString(2, request.source_return_id());
        std::optional<std::string> earlier_hash;
        {
          std::unique_ptr<sql::ResultSet> rs(earlier->executeQuery());
          if (rs->next()) {
            earlier_hash = rs->getString(1);
            out.reversed = rs->getInt64(2);
            out.kept = rs->getInt64(3);
          }
        }
        if (earlier_hash.has_value()) {
          if (*earlier_hash != std::string(content_hash)) {
            return Error(absl::StatusCode::kAlreadyExists, "RETURN_ID_REUSED",
                         absl::StrCat("return ", request.source_return_id(),
                                      " was recorded with different content"));
          }
          out.replayed = true;
        } else {
          auto bought = Prepare(conn,
                                "SELECT purchase_id, total_minor, returned_minor, points_earned, "
                                "purchase, member_id FROM purchases WHERE program_id = ? "
                                "AND source_transaction_id = ? FOR UPDATE");
          bought->setString(1, member->program_id);
          bought->setString(2, request.source_transaction_id());
          std::string purchase_id, buyer;
          int64_t total = 0, returned = 0, line_points = 0;
          v1::Purchase purchase;
          {
            std::unique_ptr<sql::ResultSet> rs(bought->executeQuery());
            if (rs->next()) {
              purchase_id = rs->getString(1);
              total = rs->getInt64(2);
              returned = rs->getInt64(3);
              line_points = rs->getInt64(4);
              purchase.ParseFromString(rs->getString(5));
              buyer = rs->getString(6);
            }
          }
          // The member's own, or of a member merged into it (whose points it holds).
          if (purchase_id.empty() || (buyer != request.member_id() &&
                                      rows::FinalMember(conn, buyer) != request.member_id())) {
            return Error(absl::StatusCode::kNotFound, "PURCHASE_NOT_FOUND",
                         absl::StrCat("member ", request.member_id(), " has no purchase ",
                                      request.source_transaction_id()),
                         {{"source_transaction_id", request.source_transaction_id()}});
          }
          const int64_t amount = request.amount_minor() == 0 ? total - returned
                                                              : request.amount_minor();
          if (amount > total - returned || total - returned == 0) {
            return Error(absl::StatusCode::kFailedPrecondition, "RETURN_EXCEEDS_PURCHASE",
                         absl::StrCat("only ", total - returned, " of the purchase's ", total,
                                      " minor units are left to return"),
                         {{"returnable_minor", absl::StrCat(total - returned)}});
          }
          const int64_t due = Share(line_points, returned + amount, total) -
                              Share(line_points, returned, total);
          auto policy = ReturnPolicyOf(conn, member->program_id, purchase.rules_version());
          if (!policy.ok()) return policy.status();
          out.reversed = TakeBack(conn, request.member_id(), purchase_id, *policy, due, now);
          out.kept = due - out.reversed;
          if (out.reversed > 0) {
            v1::LedgerEntry entry;
            entry.set_member_id(request.member_id());
            entry.set_kind(v1::LedgerEntry::KIND_REVERSE);
            entry.set_points(-out.reversed);
            entry.set_reference(purchase_id);
            entry.set_reason(absl::StrCat("return ", request.source_return_id()));
            ToProtoTimestamp(now, entry.mutable_create_time());
            rows::AppendEntry(conn, entry, now, absl::InfiniteFuture());
          }
          auto mark = Prepare(conn,
                              "UPDATE purchases SET returned_minor = returned_minor + ? "
                              "WHERE purchase_id = ?");
          mark->setInt64(1, amount);
          mark->setString(2, purchase_id);
          mark->executeUpdate();
          auto insert = Prepare(conn,
                                "INSERT INTO purchase_returns (program_id, source_return_id, "
                                "purchase_id, content_hash, amount_minor, points_reversed, "
                                "points_kept, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
          insert->setString(1, member->program_id);
          insert->setString(2, request.source_return_id());
          insert->setString(3, purchase_id);
          insert->setString(4, std::string(content_hash));
          insert->setInt64(5, amount);
          insert->setInt64(6, out.reversed);
          insert->setInt64(7, out.kept);
          insert->setString(8, ToSqlDatetime(now));
          insert->executeUpdate();
          v1::PurchaseReturned event;
          event.set_purchase_id(purchase_id);
          event.set_customer_id(member->customer_id);
          event.set_program_id(member->program_id);
          event.set_source_return_id(request.source_return_id());
          event.set_amount_minor(amount);
          event.set_points_reversed(out.reversed);
          AppendEvent(conn, request.member_id(), event, now);
        }
        auto after = ReadMember(conn, request.member_id(), now);
        if (!after.ok()) return after.status();
        out.member = *std::move(after);
        return out;
      });
}

absl::StatusOr<AdjustOutcome> MysqlLoyaltyStore::Adjust(const RequestKey& key,
                                                        absl::string_view member_id,
                                                        int64_t points, absl::string_view reason,
                                                        absl::string_view reference,
                                                        absl::Time now, absl::Time expiry) {
  auto entry = RunIdempotent<v1::LedgerEntry>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::LedgerEntry> {
        auto member = rows::LockMember(conn, member_id);
        if (!member.ok()) return member.status();
        if (points < 0) {
          if (absl::Status s = rows::ConsumeLots(conn, member_id, -points, now); !s.ok()) return s;
        }
        v1::LedgerEntry e;
        e.set_member_id(std::string(member_id));
        e.set_kind(v1::LedgerEntry::KIND_ADJUST);
        e.set_points(points);
        e.set_reason(std::string(reason));
        e.set_reference(std::string(reference));
        ToProtoTimestamp(now, e.mutable_create_time());
        v1::LedgerEntry stored = rows::AppendEntry(conn, e, now, expiry);
        stored.set_entry_id(rows::LastEntryId(conn));
        if (points > 0) rows::SettleDebt(conn, member_id, member->debt, now);
        return stored;
      });
  if (!entry.ok()) return entry.status();
  auto member = GetMember(member_id, clock_->Now());
  if (!member.ok()) return member.status();
  return AdjustOutcome{*std::move(entry), *std::move(member)};
}

absl::StatusOr<ExpiryOutcome> MysqlLoyaltyStore::ExpirePoints(absl::Time as_of, absl::Time now) {
  const std::string cutoff = ToSqlDatetime(as_of);
  // Lots spent to zero whose expiry passed change no sum: drop them first.
  for (int deleted = 1; deleted > 0;) {
    TransactionOptions read_committed;  // locks only the rows it deletes
    read_committed.read_committed = true;
    auto pruned = RunInTransaction<int>(*pool_, [&](sql::Connection& conn) -> absl::StatusOr<int> {
      auto prune = Prepare(conn,
                           "DELETE FROM point_lots WHERE expires_at <= ? AND remaining = 0 "
                           "LIMIT 5000");
      prune->setString(1, cutoff);
      return prune->executeUpdate();
    }, read_committed);
    if (!pruned.ok()) return pruned.status();
    deleted = *pruned;
  }
  ExpiryOutcome total;
  for (;;) {
    auto due = RunWithConnection<std::vector<std::string>>(
        *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<std::string>> {
          auto query = Prepare(conn,
                               "SELECT DISTINCT member_id FROM point_lots "
                               "WHERE expires_at <= ? AND remaining > 0 LIMIT 500");
          query->setString(1, cutoff);
          return rows::FirstColumn(*query);
        });
    if (!due.ok()) return due.status();
    if (due->empty()) return total;
    for (const std::string& member_id : *due) {
      auto expired =
          RunInTransaction<int64_t>(*pool_, [&](sql::Connection& conn) -> absl::StatusOr<int64_t> {
            auto member = rows::LockMemberRow(conn, member_id);
            if (!member.ok()) return member.status();
            if (!member->merged_into.empty()) return 0;  // its lots moved on
            auto lots = Prepare(conn,
                                "SELECT COALESCE(SUM(remaining), 0) FROM point_lots "
                                "WHERE member_id = ? AND expires_at <= ? AND remaining > 0 "
                                "FOR UPDATE");
            lots->setString(1, member_id);
            lots->setString(2, cutoff);
            int64_t points = 0;
            {
              std::unique_ptr<sql::ResultSet> rs(lots->executeQuery());
              if (rs->next()) points = rs->getInt64(1);
            }
            if (points == 0) return 0;  // another run got here first
            // Lots past expiry hold nothing any more: they go, so later runs
            // do not scan them again.
            auto clear = Prepare(conn,
                                 "DELETE FROM point_lots WHERE member_id = ? AND expires_at <= ?");
            clear->setString(1, member_id);
            clear->setString(2, cutoff);
            clear->executeUpdate();
            v1::LedgerEntry entry;
            entry.set_member_id(member_id);
            entry.set_kind(v1::LedgerEntry::KIND_EXPIRE);
            entry.set_points(-points);
            entry.set_reference("expiry");
            entry.set_reason(absl::StrCat("points expired as of ", absl::FormatTime(as_of)));
            ToProtoTimestamp(now, entry.mutable_create_time());
            rows::AppendEntry(conn, entry, now, absl::InfiniteFuture());
            return points;
          });
      if (!expired.ok()) return expired.status();
      if (*expired > 0) {
        ++total.members;
        total.points += *expired;
      }
    }
  }
}

absl::StatusOr<std::vector<v1::LedgerEntry>> MysqlLoyaltyStore::ListLedger(
    absl::string_view member_id, int64_t before_entry, int limit) {
  return RunWithConnection<std::vector<v1::LedgerEntry>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<v1::LedgerEntry>> {
        auto exists = rows::ReadMemberRow(conn, member_id);
        if (!exists.ok()) return exists.status();
        auto query = Prepare(conn,
                             "SELECT entry_id, kind, points, reference, reason, created_at, "
                             "available_at, expires_at FROM ledger_entries "
                             "WHERE member_id = ? AND entry_id < ? "
                             "ORDER BY entry_id DESC LIMIT ?");
        query->setString(1, std::string(member_id));
        query->setInt64(2, before_entry == 0 ? INT64_MAX : before_entry);
        query->setInt(3, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<v1::LedgerEntry> out;
        while (rs->next()) {
          v1::LedgerEntry& e = out.emplace_back();
          e.set_entry_id(rs->getInt64(1));
          e.set_member_id(std::string(member_id));
          e.set_kind(static_cast<v1::LedgerEntry::Kind>(rs->getInt(2)));
          e.set_points(rs->getInt64(3));
          e.set_reference(rs->getString(4));
          e.set_reason(rs->getString(5));
          ToProtoTimestamp(FromSqlDatetime(rs->getString(6)), e.mutable_create_time());
          if (!rs->isNull(7)) {
            ToProtoTimestamp(FromSqlDatetime(rs->getString(7)), e.mutable_available_time());
          }
          if (!rs->isNull(8) && rs->getString(8)->rfind("9999-", 0) != 0) {
            ToProtoTimestamp(FromSqlDatetime(rs->getString(8)), e.mutable_expire_time());
          }
        }
        return out;
      });
}

}  // namespace crm::loyalty
