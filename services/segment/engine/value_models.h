#ifndef CRM_SERVICES_SEGMENT_ENGINE_VALUE_MODELS_H_
#define CRM_SERVICES_SEGMENT_ENGINE_VALUE_MODELS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace crm::segment {

// What the customer-base models know of one customer, in model time units
// (e.g. weeks): repeat transactions x (purchase days after the first), the
// time of the last one t_x and the time observed T (both from the first
// purchase), and the mean amount of the repeat transactions.
struct ModelCustomer {
  double x = 0;
  double t_x = 0;
  double T = 0;
  double mean_repeat_amount = 0;  // currency units; 0 without repeats
};

// BG/NBD (Fader, Hardie & Lee 2005): purchases follow a Poisson process
// with Gamma(r, alpha) rates across customers; after each purchase a
// customer drops out with probability p ~ Beta(a, b).
struct BgNbdParams {
  double r = 0, alpha = 0, a = 0, b = 0;
};

// Gamma-Gamma spend model (Fader, Hardie & Lee 2005b): a customer's
// transaction values are Gamma(p, nu), nu ~ Gamma(q, gamma) across customers.
struct GammaGammaParams {
  double p = 0, q = 0, gamma = 0;
};

struct FitOptions {
  // L2 penalty on the parameters (0: plain maximum likelihood), as in the
  // `lifetimes` package; a small one (0.001-0.1) steadies fits on sparse data.
  double penalty = 0;
  int max_iterations = 20000;
};

template <typename Params>
struct Fit {
  Params params;
  double log_likelihood = 0;  // without the penalty
  int iterations = 0;
  int customers = 0;
};

// Maximum likelihood by Nelder-Mead on the log parameters (GSL's
// nmsimplex2), restarted at its optimum until it stops improving.
// FAILED_PRECONDITION / INSUFFICIENT_DATA when the data cannot support a fit
// (fewer than 10 customers or 5 repeat buyers), MODEL_DID_NOT_CONVERGE when
// the optimum is not finite or runs off to a bound.
absl::StatusOr<Fit<BgNbdParams>> FitBgNbd(absl::Span<const ModelCustomer> customers,
                                         const FitOptions& options = {});
// Fits the customers with repeat transactions (positive mean amounts) only;
// INSUFFICIENT_DATA below 10 of them or when all their means are equal.
absl::StatusOr<Fit<GammaGammaParams>> FitGammaGamma(absl::Span<const ModelCustomer> customers,
                                                   const FitOptions& options = {});

double BgNbdLogLikelihood(const BgNbdParams& p, absl::Span<const ModelCustomer> customers);
double GammaGammaLogLikelihood(const GammaGammaParams& p,
                               absl::Span<const ModelCustomer> customers);

// P(the customer is still active at T).
double ProbabilityAlive(const BgNbdParams& p, const ModelCustomer& c);
// E[transactions in (T, T + t]] given the history (eq. 10 of the paper).
double ExpectedTransactions(const BgNbdParams& p, const ModelCustomer& c, double t);
// E[mean transaction value] given the history (needs q > 1).
double ExpectedAverageSpend(const GammaGammaParams& p, const ModelCustomer& c);

// Predicted lifetime value over `horizon` time units in `steps` equal
// steps: expected transactions of each step x expected spend x margin,
// discounted per step at `discount_per_step`.
double PredictedClv(const BgNbdParams& bgnbd, const GammaGammaParams& gg,
                    const ModelCustomer& c, double horizon, int steps, double margin,
                    double discount_per_step);

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_ENGINE_VALUE_MODELS_H_
