#ifndef CRM_SERVICES_LOYALTY_LEDGER_ROWS_H_
#define CRM_SERVICES_LOYALTY_LEDGER_ROWS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cppconn/connection.h"
#include "cppconn/prepared_statement.h"
#include "cppconn/resultset.h"
#include "crm/loyalty/v1/ledger.pb.h"
#include "crm/loyalty/v1/program.pb.h"
#include "services/loyalty/levels.h"

// Row-level reads and writes of the loyalty schema, inside a caller's
// transaction.
namespace crm::loyalty::rows {

// A member row as stored.
struct MemberRow {
  std::string member_id;
  std::string program_id;
  std::string customer_id;
  absl::Time enrolled_at;
  int64_t balance = 0;
  int64_t lifetime_earned = 0;
  int32_t purchase_count = 0;
  LevelState level;
  std::optional<absl::Time> level_evaluated_at;
  int64_t debt = 0;
  int32_t birth_month = 0;  // 0: not given
  int32_t birth_day = 0;
  std::string merged_into;    // the surviving member of a customer merge, or ""
  int32_t rules_version = 0;  // the program's, read by ReadMemberRow only
};

// Locks the member row (every points change starts here, so changes of one
// member are serialised); NOT_FOUND / MEMBER_NOT_FOUND, FAILED_PRECONDITION /
// MEMBER_MERGED while its points are with the member it was merged into.
absl::StatusOr<MemberRow> LockMember(sql::Connection& conn, absl::string_view member_id);
// LockMember for merges themselves: a merged member too.
absl::StatusOr<MemberRow> LockMemberRow(sql::Connection& conn, absl::string_view member_id);

// The member that holds `member_id`'s points: itself, or the end of the
// chain of members it was merged into.
std::string FinalMember(sql::Connection& conn, absl::string_view member_id);

// The member row and its program's rules_version, without a lock;
// MEMBER_NOT_FOUND.
absl::StatusOr<MemberRow> ReadMemberRow(sql::Connection& conn, absl::string_view member_id);

// The member columns (of `members m`) MemberRowFrom reads, in order.
extern const absl::string_view kMemberColumns;
MemberRow MemberRowFrom(sql::ResultSet& rs, absl::string_view member_id);

// The member's stored fields (no balances from lots, no level names).
v1::Member MemberProto(const MemberRow& row, absl::Time now);

// Adds available, pending and expiring points as of `now`, from the lots.
void AddLotBalances(sql::Connection& conn, absl::string_view member_id, absl::Time now,
                    v1::Member& member);

// The member's qualifying value (spend or points by `basis`) of purchases
// in (from, to]; `to` may be InfiniteFuture.
int64_t QualifyingValue(sql::Connection& conn, absl::string_view member_id,
                        v1::LevelRules::Basis basis, absl::Time from, absl::Time to);

// Stores the member's level state (and the evaluation time, when given).
void SetLevel(sql::Connection& conn, absl::string_view member_id, const LevelState& level,
              std::optional<absl::Time> evaluated_at = std::nullopt);

// Write the outbox events of points and level changes (events.proto), in
// the caller's transaction. RecordEntry and AppendEntry write PointsChanged
// themselves.
void AppendPointsChanged(sql::Connection& conn, absl::string_view member_id,
                         v1::LedgerEntry::Kind kind, int64_t points, absl::string_view reference);
// Nothing when `from` == `to` (ranks into `levels`).
void AppendLevelChanged(sql::Connection& conn, const MemberRow& member,
                        const v1::LevelRules& levels, int from, int to, absl::string_view cause);

// Inserts `entry` as it is (available_time and expire_time are stored only
// when available_time is set; an unset expire_time then means never) and
// creates no lot: for entries whose points leave or return to existing lots.
void RecordEntry(sql::Connection& conn, const v1::LedgerEntry& entry);

// Appends `entry` (member, kind, points, reference, reason, create_time set);
// a positive entry also becomes a lot available at `available_at` and
// expiring at `expires_at`. The database's triggers (V0011) add it to the
// member's balance and create the lot. Returns the entry without its id
// (LastEntryId has it).
v1::LedgerEntry AppendEntry(sql::Connection& conn, v1::LedgerEntry entry,
                            absl::Time available_at, absl::Time expires_at);

// The entry_id of the entry AppendEntry inserted last on this connection.
int64_t LastEntryId(sql::Connection& conn);

// Adds `points` (either sign) to what the member owes.
void AddDebt(sql::Connection& conn, absl::string_view member_id, int64_t points);

struct Lot {
  int64_t entry_id = 0;
  int64_t remaining = 0;
};

// The member's spendable lots at `now` (also the pending ones, when
// `with_pending`), earliest-expiring first, locked.
std::vector<Lot> SpendableLots(sql::Connection& conn, absl::string_view member_id,
                               absl::Time now, bool with_pending = false);

// Pays up to `debt` owed by the member from its unexpired lots (pending
// ones too), earliest-expiring first; returns what it paid, already taken
// off the member's debt.
int64_t SettleDebt(sql::Connection& conn, absl::string_view member_id, int64_t debt,
                   absl::Time now);

// Takes up to `points` from `lots` in order; returns what it took, and adds
// what it took from each lot to `taken_from` when given.
int64_t TakeFromLots(sql::Connection& conn, const std::vector<Lot>& lots, int64_t points,
                     std::vector<Lot>* taken_from = nullptr);

// Takes `points` (> 0) from the member's spendable lots at `now`,
// earliest-expiring first; FAILED_PRECONDITION / INSUFFICIENT_POINTS (and
// nothing taken) when they hold less.
absl::Status ConsumeLots(sql::Connection& conn, absl::string_view member_id, int64_t points,
                         absl::Time now, std::vector<Lot>* taken_from = nullptr);

struct PurchaseFacts {
  int32_t rules_version = 0;  // the program's newest
  int64_t earned_today = 0;   // by the member's purchases in [day_start, +24h)
  int64_t qualifying = 0;     // QualifyingValue(basis, window_start)
  int64_t auto_offers = 0;    // the member's unused auto-apply coupons not ended at `at`
};
// What earning a purchase depends on, in one round trip; PROGRAM_NOT_FOUND
// when the program is gone.
absl::StatusOr<PurchaseFacts> ReadPurchaseFacts(sql::Connection& conn,
                                                absl::string_view program_id,
                                                absl::string_view member_id, absl::Time at,
                                                absl::Time day_start,
                                                v1::LevelRules::Basis basis,
                                                absl::Time window_start);

absl::Status ProgramNotFound(absl::string_view program_id);

// Runs `query` and returns its first column, e.g. a batch of member ids.
std::vector<std::string> FirstColumn(sql::PreparedStatement& query);

}  // namespace crm::loyalty::rows

#endif  // CRM_SERVICES_LOYALTY_LEDGER_ROWS_H_
