#include "common/clock.h"

namespace crm {

SystemClock* SystemClock::Get() {
  static auto* clock = new SystemClock();
  return clock;
}

absl::Time FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

void FakeClock::Set(absl::Time t) {
  std::lock_guard lock(mu_);
  now_ = t;
}

void FakeClock::Advance(absl::Duration d) {
  std::lock_guard lock(mu_);
  now_ += d;
}

}  // namespace crm
