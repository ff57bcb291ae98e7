#ifndef CRM_COMMON_IDS_H_
#define CRM_COMMON_IDS_H_

#include "absl/strings/string_view.h"
#include <array>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "common/clock.h"

namespace crm {

// Generates ULIDs: 26 Crockford base32 characters, a 48-bit millisecond
// timestamp followed by 80 random bits. Ids sort by creation time as strings,
// are unique across replicas without coordination, and within one generator
// are strictly increasing even inside the same millisecond. Thread-safe.
class IdGenerator {
 public:
  explicit IdGenerator(const Clock* clock);
  std::string Next();

 private:
  const Clock* clock_;
  std::mutex mu_;
  std::mt19937_64 fallback_rng_ ABSL_GUARDED_BY(mu_);  // only if RAND_bytes fails
  uint64_t last_ms_ ABSL_GUARDED_BY(mu_) = 0;
  std::array<uint8_t, 10> last_random_ ABSL_GUARDED_BY(mu_){};
};

// True when `id` has the shape of an id made by IdGenerator.
bool IsValidId(absl::string_view id);

}  // namespace crm

#endif  // CRM_COMMON_IDS_H_
