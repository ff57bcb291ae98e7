// crm-segment-recompute-bench: loads a purchase log into segment's purchase
// aggregates (multi-row inserts, as a bulk backfill would) and times a full
// recompute through the service's own Recomputer: read the aggregates, score
// (RFM, pyramid, stage, BG/NBD + Gamma-Gamma fitted, CLV), write every
// customer's value.
//
//   crm-segment-recompute-bench --transactions=tx.csv --as_of=2025-01-01
//       --db_dsn=mysql://segment_app@localhost/crm_segment?socket=...
//       --db_password_file=...
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/db_flags.h"
#include "common/ids.h"
#include "common/sql_util.h"
#include "common/transaction.h"
#include "services/segment/engine/transactions.h"
#include "services/segment/mysql_segments_store.h"
#include "services/segment/mysql_warnings_store.h"
#include "services/segment/recompute.h"

ABSL_FLAG(std::string, transactions, "", "customer_id,date,amount CSV to load first (optional)");
ABSL_FLAG(std::string, as_of, "", "Recompute as of this day (YYYY-MM-DD)");

namespace {

// Replaces the aggregates with the log's purchase days, 1,000 rows a statement.
absl::Status Load(crm::MysqlPool& pool, const std::vector<crm::segment::CustomerHistory>& all) {
  auto clear = crm::RunWithConnection(pool, [](sql::Connection& conn) -> absl::Status {
    crm::Prepare(conn, "DELETE FROM customer_purchase_days")->executeUpdate();
    return absl::OkStatus();
  });
  if (!clear.ok()) return clear;
  std::vector<std::tuple<const std::string*, std::string, int64_t, int>> rows;
  for (const auto& h : all) {
    for (const auto& [day, cents] : h.days) {
      rows.emplace_back(&h.customer_id, absl::FormatCivilTime(day), cents, 1);
    }
  }
  constexpr size_t kRows = 1000;
  for (size_t start = 0; start < rows.size(); start += 50 * kRows) {
    absl::Status s = crm::RunInTransaction(pool, [&](sql::Connection& conn) -> absl::Status {
      for (size_t at = start; at < std::min(rows.size(), start + 50 * kRows); at += kRows) {
        const size_t n = std::min(kRows, rows.size() - at);
        std::string sql =
            "INSERT INTO customer_purchase_days (customer_id, day, cents, purchases) VALUES ";
        for (size_t i = 0; i < n; ++i) absl::StrAppend(&sql, i ? ", " : "", "(?, ?, ?, ?)");
        auto insert = n == kRows ? crm::Prepare(conn, sql) : crm::PrepareUncached(conn, sql);
        for (size_t i = 0; i < n; ++i) {
          const auto& [id, day, cents, purchases] = rows[at + i];
          insert->setString(4 * i + 1, *id);
          insert->setString(4 * i + 2, day);
          insert->setInt64(4 * i + 3, cents);
          insert->setInt(4 * i + 4, purchases);
        }
        insert->executeUpdate();
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
  }
  std::cout << absl::StrFormat("loaded %d purchase days of %d customers\n", rows.size(),
                               all.size());
  return absl::OkStatus();
}

// Three segments for the recompute to evaluate, unless they exist.
absl::Status AddSegments(crm::segment::MysqlSegmentsStore& segments, crm::IdGenerator& ids) {
  const std::pair<const char*, const char*> rules[] = {
      {"bench: at risk", "rfm_segment in ('at risk', 'cannot lose')"},
      {"bench: valuable and lapsing", "tier in ('vip', 'key') and recency_days > 90"},
      {"bench: strategic A", "abc = 'A' and quadrant = 'strategic'"},
  };
  for (const auto& [name, rule] : rules) {
    crm::segment::v1::Segment segment;
    segment.set_segment_id(ids.Next());
    segment.set_name(name);
    segment.set_rule(rule);
    auto created = segments.Create({}, segment);
    if (!created.ok() && !absl::IsAlreadyExists(created.status())) return created.status();
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("crm-segment-recompute-bench --as_of=YYYY-MM-DD --db_dsn=...");
  absl::ParseCommandLine(argc, argv);
  absl::CivilDay as_of;
  auto config = crm::DbConfigFromFlags();
  if (!crm::segment::ParseDay(absl::GetFlag(FLAGS_as_of), &as_of) || !config.ok()) {
    std::cerr << "crm-segment-recompute-bench: need --as_of and the database flags\n";
    return 2;
  }
  crm::MysqlPool pool(*config);
  if (!absl::GetFlag(FLAGS_transactions).empty()) {
    const absl::Time began = absl::Now();
    auto histories = crm::segment::ReadTransactionsCsv(absl::GetFlag(FLAGS_transactions), as_of);
    if (!histories.ok() || !Load(pool, *histories).ok()) {
      std::cerr << "crm-segment-recompute-bench: loading failed\n";
      return 1;
    }
    std::cout << "load took " << absl::FormatDuration(absl::Now() - began) << "\n";
  }
  crm::segment::MysqlValueStore store(&pool);
  crm::IdGenerator ids(crm::SystemClock::Get());
  crm::segment::MysqlSegmentsStore segments(&pool, crm::SystemClock::Get());
  crm::segment::MysqlWarningsStore warnings(&pool, &ids);
  if (!AddSegments(segments, ids).ok()) {
    std::cerr << "crm-segment-recompute-bench: creating the segments failed\n";
    return 1;
  }
  crm::segment::Recomputer recomputer(&store, crm::SystemClock::Get(), &ids,
                                      {&segments, &warnings});
  const absl::Time began = absl::Now();
  auto job = recomputer.RunNow(as_of);
  const absl::Duration took = absl::Now() - began;
  if (!job.ok() || job->state() != crm::segment::v1::RecomputeJob::STATE_SUCCEEDED) {
    std::cerr << "recompute failed: " << (job.ok() ? job->error() : job.status().ToString())
              << "\n";
    return 1;
  }
  std::cout << absl::StrFormat(
      "recomputed %d customers in %s (%s)\n", job->customers_written(), absl::FormatDuration(took),
      job->model_note().empty() ? "with predicted CLV" : job->model_note());
  auto evaluated = segments.List("", 100);
  for (const auto& segment :
       evaluated.ok() ? *evaluated : std::vector<crm::segment::v1::Segment>{}) {
    std::cout << absl::StrFormat("  segment %-28s %8d members\n", segment.name(),
                                 segment.members());
  }
  crm::segment::WarningFilter churn;
  churn.kind = crm::segment::v1::Warning::KIND_CHURN;
  churn.open_only = true;
  auto open = warnings.List(churn, "", 1);
  std::cout << "  churn warnings open: " << (open.ok() && !open->empty() ? "yes" : "none") << "\n";
  for (const auto& tier : job->pyramid()) {
    std::cout << absl::StrFormat("  %-9s %8d customers  %5.1f %% of value\n", tier.tier(),
                                 tier.customers(), 100 * tier.value_share());
  }
  return 0;
}
