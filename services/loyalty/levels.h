#ifndef CRM_SERVICES_LOYALTY_LEVELS_H_
#define CRM_SERVICES_LOYALTY_LEVELS_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "crm/loyalty/v1/ledger.pb.h"
#include "crm/loyalty/v1/program.pb.h"

// Membership levels (see LevelRules in program.proto), free of storage.
namespace crm::loyalty {

// Checks level rules and fills their defaults; INVALID_ARGUMENT /
// INVALID_FIELD under `prefix` otherwise.
absl::Status ValidateLevels(v1::LevelRules& levels, absl::string_view prefix);

// The start of the rolling window that ends at `end`.
absl::Time QualifyingWindowStart(const v1::LevelRules& levels, absl::Time end);

// The highest level `value` reaches (0 without levels).
int QualifiedRank(const v1::LevelRules& levels, int64_t value);

// The multiplier of the level at `rank` (100 without levels); a rank the
// rules no longer have counts as their top level.
uint32_t LevelMultiplier(const v1::LevelRules& levels, int rank);

struct LevelState {
  int rank = 0;
  std::optional<absl::Time> since;
  std::optional<absl::Time> grace_until;
  bool operator==(const LevelState&) const = default;
};

// At a purchase: up to the qualified level when it is higher; a member who
// qualifies for its level again leaves its grace period. Never lowers.
LevelState UpgradeLevel(const v1::LevelRules& levels, const LevelState& state, int64_t value,
                        absl::Time now);

// In the evaluation run: UpgradeLevel, and for a member below its level,
// starts the grace period or, once it has passed, lowers the level (one
// level, or to the qualified one, by the rules).
LevelState EvaluateLevel(const v1::LevelRules& levels, const LevelState& state, int64_t value,
                         absl::Time now);

// Sets the member's level, since and grace fields, and its progress when
// the qualifying `value` is given.
void DescribeLevel(const v1::LevelRules& levels, const LevelState& state,
                   std::optional<int64_t> value, v1::Member& member);

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_LEVELS_H_
