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
#include "crm/loyalty/v1/ledger.pb.h"
#include "crm/loyalty/v1/program.pb.h"

// Row-level reads and writes of the loyalty schema, inside a caller's
// transaction.
namespace crm::loyalty::rows {

struct LockedMember {
  std::string program_id;
  int32_t purchase_count = 0;
};

// Locks the member row (every points change starts here, so changes of one
// member are serialised); NOT_FOUND / MEMBER_NOT_FOUND.
absl::StatusOr<LockedMember> LockMember(sql::Connection& conn, absl::string_view member_id);

// The member with its balances as of `now` (from its lots), or
// MEMBER_NOT_FOUND.
absl::StatusOr<v1::Member> ReadMember(sql::Connection& conn, absl::string_view member_id,
                                      absl::Time now);

// Inserts `entry` as it is (available_time and expire_time are stored only
// when available_time is set; an unset expire_time then means never) and
// creates no lot: for entries whose points leave or return to existing lots.
void RecordEntry(sql::Connection& conn, const v1::LedgerEntry& entry);

// Appends `entry` (member, kind, points, reference, reason, create_time set);
// a positive entry also becomes a lot available at `available_at` and
// expiring at `expires_at`. The caller applies the points to the member
// (ApplyToMember) in the same transaction. Returns the entry without its id
// (LastEntryId has it).
v1::LedgerEntry AppendEntry(sql::Connection& conn, v1::LedgerEntry entry,
                            absl::Time available_at, absl::Time expires_at);

// The entry_id of the entry AppendEntry inserted last on this connection.
int64_t LastEntryId(sql::Connection& conn);

struct MemberDelta {
  int64_t points = 0;     // added to the balance: the sum of the new entries
  int64_t earned = 0;     // added to lifetime earnings (EARN and BONUS entries)
  int32_t purchases = 0;  // added to the purchase count
};
void ApplyToMember(sql::Connection& conn, absl::string_view member_id, const MemberDelta& delta);

struct Lot {
  int64_t entry_id = 0;
  int64_t remaining = 0;
};

// The member's spendable lots at `now`, earliest-expiring first, locked.
std::vector<Lot> SpendableLots(sql::Connection& conn, absl::string_view member_id,
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

// The rules version in force at `time`, or nullopt before the first one.
absl::StatusOr<std::optional<v1::ProgramRules>> RulesAt(sql::Connection& conn,
                                                        absl::string_view program_id,
                                                        absl::Time time);

struct PurchaseFacts {
  std::optional<v1::ProgramRules> rules;  // in force at the purchase time
  uint32_t currency_exponent = 2;
  int64_t earned_today = 0;  // by the member's purchases in [day_start, +24h)
};
// What earning a purchase at `time` depends on, in one round trip;
// PROGRAM_NOT_FOUND when the program is gone.
absl::StatusOr<PurchaseFacts> ReadPurchaseFacts(sql::Connection& conn,
                                                absl::string_view program_id,
                                                absl::string_view member_id, absl::Time time,
                                                absl::Time day_start);

absl::Status ProgramNotFound(absl::string_view program_id);

}  // namespace crm::loyalty::rows

#endif  // CRM_SERVICES_LOYALTY_LEDGER_ROWS_H_
