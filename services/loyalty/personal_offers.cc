#include "services/loyalty/personal_offers.h"

#include <algorithm>
#include <set>

#include "common/sql_util.h"

namespace crm::loyalty {
namespace {

constexpr int kMaxDiscoveries = 2;
// A category is due once this share of its cycle has passed.
constexpr double kDueAt = 0.8;
// Discoveries need enough buyers to say anything.
constexpr int64_t kMinBuyers = 5;

struct CategoryHistory {
  int64_t spend = 0;
  std::vector<absl::Time> bought;  // purchase times, oldest first
};

// The running campaign with the largest multiplier covering `category`.
std::pair<std::string, uint32_t> PromotionOf(const v1::ProgramRules& rules,
                                             const std::string& category, absl::Time now) {
  std::pair<std::string, uint32_t> best{"", 0};
  for (const v1::Campaign& c : rules.earning().campaigns()) {
    if (now < FromProtoTimestamp(c.start_time()) || now >= FromProtoTimestamp(c.end_time())) {
      continue;
    }
    const bool covers = c.categories().empty() ||
                        std::find(c.categories().begin(), c.categories().end(), category) !=
                            c.categories().end();
    if (covers && c.multiplier_percent() > best.second) best = {c.name(), c.multiplier_percent()};
  }
  return best;
}

}  // namespace

void CategoryAffinity::AddMember(std::vector<std::string> categories) {
  std::sort(categories.begin(), categories.end());
  categories.erase(std::unique(categories.begin(), categories.end()), categories.end());
  for (size_t i = 0; i < categories.size(); ++i) {
    ++buyers_[categories[i]];
    for (size_t j = 0; j < categories.size(); ++j) {
      if (i != j) ++pairs_[{categories[i], categories[j]}];
    }
  }
}

double CategoryAffinity::AlsoBuys(const std::string& given, const std::string& other) const {
  auto buyers = buyers_.find(given);
  auto both = pairs_.find({given, other});
  if (buyers == buyers_.end() || both == pairs_.end()) return 0;
  return static_cast<double>(both->second) / static_cast<double>(buyers->second);
}

uint32_t OfferPercentOff(const MemberHistory& history, int level_rank, absl::Time now) {
  uint32_t percent = 5 + 3 * static_cast<uint32_t>(std::max(0, level_rank));
  if (history.member.tenure_days() >= 365) percent += 2;
  int recent = 0;
  for (const v1::Purchase& p : history.purchases) {
    if (FromProtoTimestamp(p.purchase_time()) > now - absl::Hours(24 * 90)) ++recent;
  }
  if (recent >= 6) percent += 3;
  return std::min<uint32_t>(percent, 20);
}

std::vector<v1::OfferItem> PlanOffers(const MemberHistory& history,
                                      const CategoryAffinity& affinity,
                                      const v1::ProgramRules& rules, uint32_t percent_off,
                                      absl::Time now, int max_items) {
  std::map<std::string, CategoryHistory> categories;
  int64_t total = 0;
  for (const v1::Purchase& p : history.purchases) {
    const absl::Time at = FromProtoTimestamp(p.purchase_time());
    std::set<std::string> in_purchase;
    for (const v1::PurchaseLine& line : p.lines()) {
      if (line.category().empty()) continue;
      categories[line.category()].spend += line.amount_minor();
      total += line.amount_minor();
      in_purchase.insert(line.category());
    }
    for (const std::string& c : in_purchase) categories[c].bought.push_back(at);
  }

  std::vector<v1::OfferItem> due, favourites;
  for (const auto& [name, h] : categories) {
    v1::OfferItem item;
    item.set_category(name);
    item.set_affinity(total > 0 ? static_cast<double>(h.spend) / static_cast<double>(total) : 0);
    if (h.bought.size() >= 2) {
      const absl::Duration cycle = (h.bought.back() - h.bought.front()) / (h.bought.size() - 1);
      item.set_cycle_days(absl::ToDoubleHours(cycle) / 24);
      ToProtoTimestamp(h.bought.back() + cycle, item.mutable_due_time());
      if (cycle > absl::ZeroDuration() && now - h.bought.back() >= cycle * kDueAt) {
        item.set_reason(v1::OfferItem::REASON_DUE);
        due.push_back(item);
        continue;
      }
    }
    item.set_reason(v1::OfferItem::REASON_FAVOURITE);
    favourites.push_back(item);
  }
  std::stable_sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
    return FromProtoTimestamp(a.due_time()) < FromProtoTimestamp(b.due_time());
  });
  std::stable_sort(favourites.begin(), favourites.end(),
                   [](const auto& a, const auto& b) { return a.affinity() > b.affinity(); });

  // Discoveries: the categories the member's own categories most often go
  // with among other members, that it never bought.
  std::vector<std::pair<double, std::string>> discoveries;
  for (const auto& [candidate, buyers] : affinity.buyers()) {
    if (categories.contains(candidate) || buyers < kMinBuyers) continue;
    double score = 0;
    for (const auto& [own, h] : categories) {
      score = std::max(score, affinity.AlsoBuys(own, candidate));
    }
    if (score > 0) discoveries.emplace_back(score, candidate);
  }
  std::stable_sort(discoveries.begin(), discoveries.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });

  std::vector<v1::OfferItem> list;
  const int discovery_slots =
      std::min<int>({kMaxDiscoveries, static_cast<int>(discoveries.size()), max_items});
  for (const auto* group : {&due, &favourites}) {
    for (const v1::OfferItem& item : *group) {
      if (static_cast<int>(list.size()) >= max_items - discovery_slots) break;
      list.push_back(item);
    }
  }
  for (int i = 0; i < discovery_slots; ++i) {
    v1::OfferItem& item = list.emplace_back();
    item.set_category(discoveries[i].second);
    item.set_reason(v1::OfferItem::REASON_DISCOVERY);
    item.set_affinity(discoveries[i].first);
  }
  for (v1::OfferItem& item : list) {
    const auto [promotion, multiplier] = PromotionOf(rules, item.category(), now);
    item.set_promotion(promotion);
    item.set_promotion_multiplier_percent(multiplier);
    item.set_percent_off(percent_off);
  }
  return list;
}

}  // namespace crm::loyalty
