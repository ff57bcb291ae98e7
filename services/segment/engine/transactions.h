#ifndef CRM_SERVICES_SEGMENT_ENGINE_TRANSACTIONS_H_
#define CRM_SERVICES_SEGMENT_ENGINE_TRANSACTIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace crm::segment {

// One customer's purchase history, as the engine needs it: the amount per
// purchase day (several purchases on one day are one transaction, as in the
// customer-base literature) and the number of raw purchase rows.
struct CustomerHistory {
  std::string customer_id;
  // Ascending by day, one entry per day: {day, amount of the day in cents}.
  // Amounts are exact integers so that sums and ties never depend on the
  // order of addition.
  std::vector<std::pair<absl::CivilDay, int64_t>> days;
  int64_t purchases = 0;    // rows, before same-day purchases are combined
  int64_t total_cents = 0;

  absl::CivilDay first() const { return days.front().first; }
  absl::CivilDay last() const { return days.back().first; }
};

// Reads `customer_id,date,amount` CSV (a header line first; dates
// YYYY-MM-DD; amounts with at most two decimals, negative for returns).
// Rows after
// `until` are ignored. INVALID_ARGUMENT naming the line for a malformed row.
// Customers come out in the order of their first row.
absl::StatusOr<std::vector<CustomerHistory>> ReadTransactionsCsv(const std::string& path,
                                                                 absl::CivilDay until);

// The same from text already in memory (for tests and for the service).
absl::StatusOr<std::vector<CustomerHistory>> ParseTransactionsCsv(absl::string_view text,
                                                                  absl::CivilDay until);

// "YYYY-MM-DD" -> day; false when it is not a date.
bool ParseDay(absl::string_view text, absl::CivilDay* day);
// "-12.5" -> -1250; false unless digits with at most two decimals.
bool ParseCents(absl::string_view text, int64_t* cents);

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_ENGINE_TRANSACTIONS_H_
