#include "services/segment/engine/value_models.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_hyperg.h>

#include <array>
#include <cmath>
#include <functional>
#include <vector>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace crm::segment {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

absl::Status Insufficient(absl::string_view why) {
  return Error(absl::StatusCode::kFailedPrecondition, "INSUFFICIENT_DATA", why);
}

// Minimises f over log-parameters with restarts; returns the optimum's
// log-parameters and the iterations used.
template <size_t N>
absl::StatusOr<std::pair<std::array<double, N>, int>> Minimise(
    const std::function<double(const std::array<double, N>&)>& f, std::array<double, N> start,
    int max_iterations) {
  struct Context {
    const std::function<double(const std::array<double, N>&)>* f;
  } context{&f};
  gsl_multimin_function fn;
  fn.n = N;
  fn.params = &context;
  fn.f = [](const gsl_vector* v, void* params) {
    std::array<double, N> x;
    for (size_t i = 0; i < N; ++i) x[i] = gsl_vector_get(v, i);
    const double value = (*static_cast<Context*>(params)->f)(x);
    return std::isfinite(value) ? value : 1e300;
  };
  gsl_set_error_handler_off();
  int iterations = 0;
  double best = kInf;
  for (int restart = 0; restart < 20 && iterations < max_iterations; ++restart) {
    gsl_vector* x = gsl_vector_alloc(N);
    gsl_vector* step = gsl_vector_alloc(N);
    for (size_t i = 0; i < N; ++i) {
      gsl_vector_set(x, i, start[i]);
      gsl_vector_set(step, i, 0.5);
    }
    gsl_multimin_fminimizer* s =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, N);
    gsl_multimin_fminimizer_set(s, &fn, x, step);
    int status = GSL_CONTINUE;
    while (status == GSL_CONTINUE && iterations < max_iterations) {
      ++iterations;
      if (gsl_multimin_fminimizer_iterate(s) != GSL_SUCCESS) break;
      status = gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), 1e-10);
    }
    for (size_t i = 0; i < N; ++i) start[i] = gsl_vector_get(s->x, i);
    const double value = s->fval;
    gsl_multimin_fminimizer_free(s);
    gsl_vector_free(step);
    gsl_vector_free(x);
    const bool improved = value < best - 1e-9 * std::max(1.0, std::abs(best));
    best = std::min(best, value);
    if (!improved) break;  // a fresh simplex at the optimum found nothing better
  }
  for (double v : start) {
    if (!std::isfinite(v) || std::abs(v) > 25) {  // a parameter beyond e^25 or below e^-25
      return Error(absl::StatusCode::kFailedPrecondition, "MODEL_DID_NOT_CONVERGE",
                   "the maximum-likelihood estimate runs off to a bound: the data do not "
                   "identify the model (try a penalty)");
    }
  }
  if (!std::isfinite(best) || best >= 1e299) {
    return Error(absl::StatusCode::kFailedPrecondition, "MODEL_DID_NOT_CONVERGE",
                 "the likelihood is not finite anywhere the search went");
  }
  return std::make_pair(start, iterations);
}

double Penalty(double coefficient, std::initializer_list<double> params) {
  double sum = 0;
  for (double p : params) sum += p * p;
  return coefficient * sum;
}

}  // namespace

double BgNbdLogLikelihood(const BgNbdParams& p, absl::Span<const ModelCustomer> customers) {
  const double shared = gsl_sf_lngamma(p.a + p.b) - gsl_sf_lngamma(p.b) - gsl_sf_lngamma(p.r) +
                        p.r * std::log(p.alpha);
  // x is a count: the Gamma terms depend on x alone, so each is computed
  // once per distinct x (a million customers have a few hundred).
  std::vector<double> by_x;
  auto gamma_terms = [&](double x) {
    const size_t i = static_cast<size_t>(x);
    if (static_cast<double>(i) != x || i > 100000) {
      return gsl_sf_lngamma(p.r + x) + gsl_sf_lngamma(p.b + x) - gsl_sf_lngamma(p.a + p.b + x);
    }
    if (i >= by_x.size()) by_x.resize(i + 1, kInf);
    if (by_x[i] == kInf) {
      by_x[i] = gsl_sf_lngamma(p.r + x) + gsl_sf_lngamma(p.b + x) - gsl_sf_lngamma(p.a + p.b + x);
    }
    return by_x[i];
  };
  const double log_a = std::log(p.a);
  double ll = 0;
  for (const ModelCustomer& c : customers) {
    const double a1 = gamma_terms(c.x) + shared;
    const double a3 = -(p.r + c.x) * std::log(p.alpha + c.T);
    if (c.x > 0) {
      const double a4 = log_a - std::log(p.b + c.x - 1) - (p.r + c.x) * std::log(p.alpha + c.t_x);
      const double top = std::max(a3, a4);
      ll += a1 + top + std::log(std::exp(a3 - top) + std::exp(a4 - top));
    } else {
      ll += a1 + a3;
    }
  }
  return ll;
}

double GammaGammaLogLikelihood(const GammaGammaParams& p,
                               absl::Span<const ModelCustomer> customers) {
  double ll = 0;
  for (const ModelCustomer& c : customers) {
    if (c.x <= 0 || c.mean_repeat_amount <= 0) continue;
    const double px = p.p * c.x;
    ll += gsl_sf_lngamma(px + p.q) - gsl_sf_lngamma(px) - gsl_sf_lngamma(p.q) +
          p.q * std::log(p.gamma) + (px - 1) * std::log(c.mean_repeat_amount) +
          px * std::log(c.x) - (px + p.q) * std::log(p.gamma + c.mean_repeat_amount * c.x);
  }
  return ll;
}

absl::StatusOr<Fit<BgNbdParams>> FitBgNbd(absl::Span<const ModelCustomer> customers,
                                         const FitOptions& options) {
  int repeaters = 0;
  double max_t = 0;
  for (const ModelCustomer& c : customers) {
    if (c.x < 0 || c.t_x < 0 || c.T < c.t_x || (c.x > 0 && c.t_x <= 0)) {
      return InvalidArgument("customers", "need x >= 0 and 0 <= t_x <= T (t_x > 0 when x > 0)");
    }
    repeaters += c.x > 0;
    max_t = std::max(max_t, c.T);
  }
  if (customers.size() < 10 || repeaters < 5) {
    return Insufficient(absl::StrCat("BG/NBD needs at least 10 customers of whom 5 bought again; "
                                     "got ",
                                     customers.size(), " and ", repeaters));
  }
  auto objective = [&](const std::array<double, 4>& v) {
    const BgNbdParams p{std::exp(v[0]), std::exp(v[1]), std::exp(v[2]), std::exp(v[3])};
    return -BgNbdLogLikelihood(p, customers) / customers.size() +
           Penalty(options.penalty, {p.r, p.alpha, p.a, p.b}) / customers.size();
  };
  // Rates start at the observed purchase rate, the dropout at a neutral Beta.
  auto best = Minimise<4>(objective, {0.0, std::log(std::max(max_t, 1e-6) / 2), 0.0, 0.0},
                          options.max_iterations);
  if (!best.ok()) return best.status();
  const auto& [v, iterations] = *best;
  Fit<BgNbdParams> fit;
  fit.params = {std::exp(v[0]), std::exp(v[1]), std::exp(v[2]), std::exp(v[3])};
  fit.log_likelihood = BgNbdLogLikelihood(fit.params, customers);
  fit.iterations = iterations;
  fit.customers = static_cast<int>(customers.size());
  return fit;
}

absl::StatusOr<Fit<GammaGammaParams>> FitGammaGamma(absl::Span<const ModelCustomer> customers,
                                                   const FitOptions& options) {
  int repeaters = 0;
  double lowest = kInf, highest = 0, sum = 0;
  for (const ModelCustomer& c : customers) {
    if (c.x <= 0 || c.mean_repeat_amount <= 0) continue;
    ++repeaters;
    lowest = std::min(lowest, c.mean_repeat_amount);
    highest = std::max(highest, c.mean_repeat_amount);
    sum += c.mean_repeat_amount;
  }
  if (repeaters < 10 || lowest == highest) {
    return Insufficient(absl::StrCat("Gamma-Gamma needs at least 10 repeat buyers with positive, "
                                     "unequal mean spend; got ",
                                     repeaters));
  }
  auto objective = [&](const std::array<double, 3>& v) {
    const GammaGammaParams p{std::exp(v[0]), std::exp(v[1]), std::exp(v[2])};
    return -GammaGammaLogLikelihood(p, customers) / repeaters +
           Penalty(options.penalty, {p.p, p.q, p.gamma}) / repeaters;
  };
  // Start near the method of moments for the mean: E[M] = p gamma / (q - 1).
  const double mean = sum / repeaters;
  auto best = Minimise<3>(objective, {0.0, std::log(2.0), std::log(mean)},
                          options.max_iterations);
  if (!best.ok()) return best.status();
  const auto& [v, iterations] = *best;
  Fit<GammaGammaParams> fit;
  fit.params = {std::exp(v[0]), std::exp(v[1]), std::exp(v[2])};
  fit.log_likelihood = GammaGammaLogLikelihood(fit.params, customers);
  fit.iterations = iterations;
  fit.customers = repeaters;
  return fit;
}

double ProbabilityAlive(const BgNbdParams& p, const ModelCustomer& c) {
  if (c.x <= 0) return 1.0;
  return 1.0 / (1.0 + (p.a / (p.b + c.x - 1)) *
                          std::pow((p.alpha + c.T) / (p.alpha + c.t_x), p.r + c.x));
}

double ExpectedTransactions(const BgNbdParams& p, const ModelCustomer& c, double t) {
  if (t <= 0) return 0;
  const double a = p.a == 1 ? 1 + 1e-9 : p.a;  // the formula's removable singularity
  const double z = t / (p.alpha + c.T + t);
  const double hyp = gsl_sf_hyperg_2F1(p.r + c.x, p.b + c.x, a + p.b + c.x - 1, z);
  const double numerator =
      (a + p.b + c.x - 1) / (a - 1) *
      (1 - std::pow((p.alpha + c.T) / (p.alpha + c.T + t), p.r + c.x) * hyp);
  const double denominator =
      1 + (c.x > 0 ? (p.a / (p.b + c.x - 1)) *
                         std::pow((p.alpha + c.T) / (p.alpha + c.t_x), p.r + c.x)
                   : 0);
  return numerator / denominator;
}

double ExpectedAverageSpend(const GammaGammaParams& p, const ModelCustomer& c) {
  const double px = p.p * c.x;
  const double population = p.p * p.gamma / (p.q - 1);
  if (c.x <= 0 || c.mean_repeat_amount <= 0) return population;
  const double weight = px / (px + p.q - 1);
  return (1 - weight) * population + weight * c.mean_repeat_amount;
}

double PredictedClv(const BgNbdParams& bgnbd, const GammaGammaParams& gg, const ModelCustomer& c,
                    double horizon, int steps, double margin, double discount_per_step) {
  const double spend = ExpectedAverageSpend(gg, c) * margin;
  double clv = 0, before = 0;
  for (int k = 1; k <= steps; ++k) {
    const double upto = ExpectedTransactions(bgnbd, c, horizon * k / steps);
    clv += (upto - before) * spend / std::pow(1 + discount_per_step, k);
    before = upto;
  }
  return clv;
}

}  // namespace crm::segment
