#include "common/ids.h"

#include <openssl/rand.h>

#include <algorithm>

namespace crm {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

std::string Encode(uint64_t ms, const std::array<uint8_t, 10>& random) {
  // 128 bits: 48 of time then 80 of randomness, written as 26 5-bit digits
  // (the first digit carries only 3 bits).
  std::array<uint8_t, 16> bytes{};
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  std::copy(random.begin(), random.end(), bytes.begin() + 6);
  std::string out(26, '0');
  for (int digit = 25, bit = 0; digit >= 0; --digit, bit += 5) {
    int value = 0;
    for (int b = 0; b < 5 && bit + b < 128; ++b) {
      int pos = 127 - (bit + b);
      if (bytes[pos / 8] & (0x80 >> (pos % 8))) value |= 1 << b;
    }
    out[digit] = kCrockford[value];
  }
  return out;
}

// Adds one to a big-endian number; false on overflow.
bool Increment(std::array<uint8_t, 10>& n) {
  for (int i = 9; i >= 0; --i) {
    if (++n[i] != 0) return true;
  }
  return false;
}

}  // namespace

IdGenerator::IdGenerator(const Clock* clock)
    : clock_(clock), fallback_rng_(std::random_device{}()) {}

std::string IdGenerator::Next() {
  uint64_t ms = static_cast<uint64_t>(absl::ToUnixMillis(clock_->Now()));
  std::lock_guard lock(mu_);
  if (ms <= last_ms_ && Increment(last_random_)) {
    ms = last_ms_;  // same (or a stepped-back) millisecond: stay monotonic
  } else {
    if (ms <= last_ms_) ms = last_ms_ + 1;
    // Unpredictable and independent per replica (a seeded PRNG is neither).
    if (RAND_bytes(last_random_.data(), static_cast<int>(last_random_.size())) != 1) {
      for (auto& b : last_random_) b = static_cast<uint8_t>(fallback_rng_());
    }
    last_random_[0] &= 0x7f;  // room to increment within the millisecond
  }
  last_ms_ = ms;
  return Encode(ms, last_random_);
}

bool IsValidId(absl::string_view id) {
  if (id.size() != 26 || id[0] > '7') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::string_view(kCrockford).find(c) != absl::string_view::npos;
  });
}

}  // namespace crm
