// crm-complaints-sla-bench: fills the complaints schema with open
// complaints filed over a past week, through the service's own code
// (ComplaintsService on MysqlComplaintsStore, a clock that walks through
// the week), then times RunSlaSweep: the catch-up over everything that
// crossed a threshold during the week, then the steady state of a sweep
// every 30 s, where only the complaints whose SLA state changed are touched.
//
//   crm-complaints-sla-bench --db_dsn=mysql://complaints_app@localhost/crm_complaints?socket=...
//     --db_password_file=.crm/secrets/complaints_app.password --complaints=1000000
#include <atomic>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/db_flags.h"
#include "common/ids.h"
#include "common/mysql_pool.h"
#include "common/parallel.h"
#include "common/sql_util.h"
#include "services/complaints/complaints_service.h"
#include "services/complaints/mysql_complaints_store.h"

ABSL_FLAG(int, complaints, 1000000, "Open complaints to file (0: use what is there)");
ABSL_FLAG(absl::Duration, spread, absl::Hours(7 * 24), "Filed evenly over this past period");
ABSL_FLAG(int, threads, 8, "Parallel filings");

namespace cc = crm::complaints;

namespace {

cc::v1::FileComplaintRequest Complaint(int i) {
  cc::v1::FileComplaintRequest r;
  cc::v1::Complaint& c = *r.mutable_complaint();
  c.set_channel(static_cast<cc::v1::Channel>(1 + i % 6));
  c.set_severity(static_cast<cc::v1::Severity>(1 + i % 4));
  c.set_subject("late delivery");
  c.set_description(absl::StrCat("Benchmark complaint ", i, ": the parcel came late."));
  return r;
}

void Report(const char* what, const cc::v1::RunSlaSweepResponse& r, absl::Duration took) {
  std::cout << absl::StrFormat("%-34s checked %8d  escalations %8d  in %8.3f s (%.0f/s)\n", what,
                               r.complaints_checked(), r.escalations(),
                               absl::ToDoubleSeconds(took),
                               r.complaints_checked() / std::max(1e-9, absl::ToDoubleSeconds(took)));
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("crm-complaints-sla-bench --db_dsn=... --db_password_file=...");
  absl::ParseCommandLine(argc, argv);
  auto config = crm::DbConfigFromFlags();
  if (!config.ok()) {
    std::cerr << config.status() << "\n";
    return 2;
  }
  crm::MysqlPool pool(*config);
  // The week ends at 15:00 UTC on the latest weekday, inside the default
  // calendar's working hours, so the steady-state windows run the clocks.
  absl::CivilDay day = absl::ToCivilDay(absl::Now() - absl::Hours(15), absl::UTCTimeZone());
  while (absl::GetWeekday(day) == absl::Weekday::saturday ||
         absl::GetWeekday(day) == absl::Weekday::sunday) {
    --day;
  }
  const absl::Time end = absl::FromCivil(absl::CivilHour(day) + 15, absl::UTCTimeZone());
  const absl::Time start = end - absl::GetFlag(FLAGS_spread);
  const int n = absl::GetFlag(FLAGS_complaints);
  if (n > 0) {
    std::atomic<int> failures{0};
    const absl::Time began = absl::Now();
    const int threads = absl::GetFlag(FLAGS_threads);
    crm::ParallelFor(threads, threads, [&](size_t t) {
      crm::FakeClock clock(start);
      crm::IdGenerator ids(&clock);
      cc::MysqlComplaintsStore store(&pool, &clock);
      cc::ComplaintsService service(&store, &clock, &ids);
      for (int i = static_cast<int>(t); i < n; i += threads) {
        clock.Set(start + absl::GetFlag(FLAGS_spread) * i / n);
        if (!service.FileComplaint(Complaint(i)).ok()) ++failures;
      }
    });
    const absl::Duration took = absl::Now() - began;
    std::cout << absl::StrFormat("filed %d complaints (%d failed) in %s (%.0f/s)\n", n,
                                 failures.load(), absl::FormatDuration(took),
                                 n / absl::ToDoubleSeconds(took));
  }
  crm::SystemClock* clock = crm::SystemClock::Get();
  crm::IdGenerator ids(clock);
  cc::MysqlComplaintsStore store(&pool, clock);
  cc::ComplaintsService service(&store, clock, &ids);
  auto sweep = [&](const char* what, absl::Time as_of) {
    cc::v1::RunSlaSweepRequest request;
    crm::ToProtoTimestamp(as_of, request.mutable_as_of());
    request.set_limit(100000);
    cc::v1::RunSlaSweepResponse total;
    const absl::Time began = absl::Now();
    for (;;) {  // the catch-up takes several calls of `limit`
      auto swept = service.RunSlaSweep(request);
      if (!swept.ok()) {
        std::cerr << swept.status() << "\n";
        std::exit(1);
      }
      total.set_complaints_checked(total.complaints_checked() + swept->complaints_checked());
      total.set_escalations(total.escalations() + swept->escalations());
      if (swept->complaints_checked() < request.limit()) break;
    }
    Report(what, total, absl::Now() - began);
  };
  sweep("catch-up (everything due now)", end);
  sweep("again at the same time", end);
  for (int step = 1; step <= 4; ++step) {
    sweep(absl::StrFormat("steady state: +%d s", 30 * step).c_str(),
          end + absl::Seconds(30 * step));
  }
  sweep("one hour later", end + absl::Hours(1));
  return 0;
}
