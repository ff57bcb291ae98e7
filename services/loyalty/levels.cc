#include "services/loyalty/levels.h"

#include <algorithm>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/text.h"
#include "services/loyalty/earning.h"

namespace crm::loyalty {
namespace {

int TopRank(const v1::LevelRules& levels) { return std::max(0, levels.levels_size() - 1); }

int Clamp(const v1::LevelRules& levels, int rank) { return std::clamp(rank, 0, TopRank(levels)); }

}  // namespace

absl::Status ValidateLevels(v1::LevelRules& levels, absl::string_view prefix) {
  auto field = [&](absl::string_view name) { return absl::StrCat(prefix, ".", name); };
  if (!v1::LevelRules::Basis_IsValid(levels.basis())) {
    return InvalidArgument(field("basis"), "is not a known basis");
  }
  if (!v1::LevelRules::Downgrade_IsValid(levels.downgrade())) {
    return InvalidArgument(field("downgrade"), "is not a known downgrade");
  }
  if (levels.window_months() == 0) levels.set_window_months(12);
  if (levels.window_months() < 1 || levels.window_months() > 36) {
    return InvalidArgument(field("window_months"), "must be 1-36");
  }
  if (levels.grace_days() < 0 || levels.grace_days() > 730) {
    return InvalidArgument(field("grace_days"), "must be 0-730");
  }
  if (levels.levels_size() < 2 || levels.levels_size() > 10) {
    return InvalidArgument(field("levels"), "must hold 2-10 levels");
  }
  std::set<std::string> names;
  for (int i = 0; i < levels.levels_size(); ++i) {
    v1::Level& level = *levels.mutable_levels(i);
    const std::string name = field(absl::StrCat("levels[", i, "]"));
    if (absl::Status s = CheckText(name + ".name", *level.mutable_name(), 1, 50); !s.ok()) return s;
    if (!names.insert(level.name()).second) {
      return InvalidArgument(name + ".name", "repeats another level's name");
    }
    if (i == 0 && level.threshold() != 0) {
      return InvalidArgument(name + ".threshold", "must be 0: the first level is the entry level");
    }
    if (i > 0 && (level.threshold() <= levels.levels(i - 1).threshold() ||
                  level.threshold() > 1'000'000'000'000'000)) {
      return InvalidArgument(name + ".threshold",
                             "must be above the previous level's and at most 10^15");
    }
    if (level.multiplier_percent() == 0) level.set_multiplier_percent(100);
    if (level.multiplier_percent() < 100 || level.multiplier_percent() > 1000) {
      return InvalidArgument(name + ".multiplier_percent", "must be 100-1000");
    }
  }
  return absl::OkStatus();
}

absl::Time QualifyingWindowStart(const v1::LevelRules& levels, absl::Time end) {
  return AddMonths(end, -std::max(1, levels.window_months()));
}

int QualifiedRank(const v1::LevelRules& levels, int64_t value) {
  int rank = 0;
  for (int i = 1; i < levels.levels_size(); ++i) {
    if (value >= levels.levels(i).threshold()) rank = i;
  }
  return rank;
}

uint32_t LevelMultiplier(const v1::LevelRules& levels, int rank) {
  if (levels.levels_size() == 0) return 100;
  return std::max<uint32_t>(100, levels.levels(Clamp(levels, rank)).multiplier_percent());
}

LevelState UpgradeLevel(const v1::LevelRules& levels, const LevelState& state, int64_t value,
                        absl::Time now) {
  const int current = Clamp(levels, state.rank);
  const int qualified = QualifiedRank(levels, value);
  LevelState next = state;
  next.rank = current;
  if (qualified > current) {
    next = {qualified, now, std::nullopt};
  } else if (qualified == current) {
    next.grace_until.reset();
  }
  return next;
}

LevelState EvaluateLevel(const v1::LevelRules& levels, const LevelState& state, int64_t value,
                         absl::Time now) {
  LevelState next = UpgradeLevel(levels, state, value, now);
  const int qualified = QualifiedRank(levels, value);
  if (qualified >= next.rank) return next;
  if (!next.grace_until.has_value()) {
    next.grace_until = now + absl::Hours(24) * levels.grace_days();
  }
  if (now < *next.grace_until) return next;
  const int lowered = levels.downgrade() == v1::LevelRules::DOWNGRADE_TO_QUALIFIED
                          ? qualified
                          : next.rank - 1;
  // Still short of the lower level: a new grace period starts at the next run.
  return {lowered, now, std::nullopt};
}

void DescribeLevel(const v1::LevelRules& levels, const LevelState& state,
                   std::optional<int64_t> value, v1::Member& member) {
  if (levels.levels_size() == 0) return;
  const int rank = Clamp(levels, state.rank);
  member.set_level(levels.levels(rank).name());
  if (state.since.has_value()) ToProtoTimestamp(*state.since, member.mutable_level_since());
  if (state.grace_until.has_value()) {
    ToProtoTimestamp(*state.grace_until, member.mutable_level_grace_until());
  }
  if (!value.has_value()) return;
  v1::LevelProgress& progress = *member.mutable_level_progress();
  progress.set_qualifying_value(*value);
  progress.set_qualified_level(levels.levels(QualifiedRank(levels, *value)).name());
  if (rank < TopRank(levels)) {
    const v1::Level& next = levels.levels(rank + 1);
    progress.set_next_level(next.name());
    progress.set_next_threshold(next.threshold());
    progress.set_remaining(std::max<int64_t>(0, next.threshold() - *value));
  }
}

}  // namespace crm::loyalty
