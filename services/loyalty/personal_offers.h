#ifndef CRM_SERVICES_LOYALTY_PERSONAL_OFFERS_H_
#define CRM_SERVICES_LOYALTY_PERSONAL_OFFERS_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "crm/loyalty/v1/offers.pb.h"
#include "crm/loyalty/v1/program.pb.h"
#include "services/loyalty/loyalty_metrics.h"

// Personal shopping lists (the supermarket case of DOMAIN.md), free of
// storage.
namespace crm::loyalty {

// Which categories members buy together: from each member's set of
// categories, how many members buy each category and each pair.
class CategoryAffinity {
 public:
  // One member's categories (any order, repeats ignored).
  void AddMember(std::vector<std::string> categories);
  // Of the members who buy `given`, the share who also buy `other`.
  double AlsoBuys(const std::string& given, const std::string& other) const;
  const std::map<std::string, int64_t>& buyers() const { return buyers_; }

 private:
  std::map<std::string, int64_t> buyers_;
  std::map<std::pair<std::string, std::string>, int64_t> pairs_;
};

// The coupon size for a member: 5 % plus 3 per level above the entry level,
// 2 for a year of tenure, 3 for 6 or more purchases in the last 90 days; at
// most 20.
uint32_t OfferPercentOff(const MemberHistory& history, int level_rank, absl::Time now);

// The member's list at `now`: categories due again by its own repurchase
// cycle (soonest first), then its favourites by share of spend, then up to
// two discoveries from `affinity`; at most `max_items`, each with the
// campaign running on it under `rules` and `percent_off`. Coupon ids unset.
std::vector<v1::OfferItem> PlanOffers(const MemberHistory& history,
                                      const CategoryAffinity& affinity,
                                      const v1::ProgramRules& rules, uint32_t percent_off,
                                      absl::Time now, int max_items);

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_PERSONAL_OFFERS_H_
