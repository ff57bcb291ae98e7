// crm-segment-datagen: a purchase log for the segment engine benchmarks, in
// segment_engine's input format (customer_id,date,amount). Customers buy as
// in the BG/NBD story: a Gamma-distributed weekly rate, a chance to drop out
// after each purchase, and a Gamma-distributed spend level.
//
//   crm-segment-datagen --customers=1000000 --rows=10000000 --output=tx.csv
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <random>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/civil_time.h"

ABSL_FLAG(int64_t, customers, 1000000, "Customers");
ABSL_FLAG(int64_t, rows, 10000000, "Rows to write, about (the mean per customer is rows / customers)");
ABSL_FLAG(std::string, start, "2023-01-01", "First day of the log");
ABSL_FLAG(int, days, 730, "Length of the log in days");
ABSL_FLAG(std::string, output, "", "Output CSV");
ABSL_FLAG(uint64_t, seed, 7, "Random seed");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("crm-segment-datagen --customers=N --rows=N --output=FILE");
  absl::ParseCommandLine(argc, argv);
  std::FILE* out = std::fopen(absl::GetFlag(FLAGS_output).c_str(), "w");
  absl::CivilDay start;
  if (out == nullptr || !absl::ParseCivilTime(absl::GetFlag(FLAGS_start), &start)) {
    std::cerr << "crm-segment-datagen: need --output and a --start date\n";
    return 2;
  }
  const int64_t customers = absl::GetFlag(FLAGS_customers);
  const int days = absl::GetFlag(FLAGS_days);
  const double per_customer =
      static_cast<double>(absl::GetFlag(FLAGS_rows)) / static_cast<double>(customers);
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed));
  // Purchases per customer: 1 + Poisson(Gamma) around the requested mean,
  // spread over the rest of the log at the customer's own pace.
  std::gamma_distribution<double> propensity(0.8, (per_customer - 1) / 0.8);
  std::gamma_distribution<double> spend_level(3.0, 20.0);
  std::uniform_int_distribution<int> first_day(0, days - 1);
  std::fputs("customer_id,date,amount\n", out);
  for (int64_t c = 0; c < customers; ++c) {
    const int64_t n = 1 + std::poisson_distribution<int64_t>(propensity(rng))(rng);
    const int first = first_day(rng);
    std::exponential_distribution<double> gap(static_cast<double>(n) /
                                              std::max(1, days - first));
    std::gamma_distribution<double> amount(4.0, spend_level(rng) / 4.0);
    double day = first;
    for (int64_t i = 0; i < n; ++i) {
      const absl::CivilDay d = start + std::min(static_cast<int>(day), days - 1);
      std::fprintf(out, "01J%023lld,%04d-%02d-%02d,%.2f\n", static_cast<long long>(c),
                   static_cast<int>(d.year()), d.month(), d.day(), std::max(0.5, amount(rng)));
      day += gap(rng);
    }
  }
  return std::fclose(out) == 0 ? 0 : 1;
}
