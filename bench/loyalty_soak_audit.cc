#include "bench/loyalty_soak_audit.h"

#include <iostream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/ids.h"
#include "grpcpp/client_context.h"
#include "common/parallel.h"

namespace crm::loyalty::soak {
namespace {

// The soak program's rules, recomputed independently: each line earns
// floor(amount x rate / 100) points, 2 per yuan on fresh food, 1 otherwise.
int64_t RecomputedLinePoints(const v1::Purchase& purchase) {
  int64_t points = 0;
  for (const v1::PurchaseLine& line : purchase.lines()) {
    points += line.amount_minor() * (line.category() == "fresh" ? 2 : 1) / 100;
  }
  return points;
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  return ctx;
}

absl::Status Failed(const char* what, const grpc::Status& s) {
  return absl::InternalError(absl::StrCat(what, ": ", s.error_code(), " ", s.error_message()));
}

}  // namespace

void MemberModel::Check(bool ok, const std::string& what) {
  if (!ok) problems_.push_back(absl::StrCat("member ", member_id, ": ", what));
}

void MemberModel::BookPurchase(const v1::Purchase& sent, const v1::RecordPurchaseResponse& a) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t lines = RecomputedLinePoints(sent);
  const int64_t earned = a.purchase().points_earned();
  Check(earned == lines || earned == lines + kFirstPurchaseBonus,
        absl::StrCat("purchase ", a.purchase().purchase_id(), " earned ", earned,
                     ", recomputed ", lines));
  if (earned == lines + kFirstPurchaseBonus && lines + kFirstPurchaseBonus != lines) {
    ++first_purchase_bonuses_;
  }
  Check(a.member().balance() >= 0, "a purchase answered a negative balance");
  expected_balance_ += earned;
  expected_earned_ += earned;
  line_points_[a.purchase().purchase_id()] = lines;
  transactions_.push_back(sent.source_transaction_id());
}

void MemberModel::BookReturn(const std::string& return_id, const v1::RecordReturnResponse& a) {
  std::lock_guard<std::mutex> lock(mu_);
  Check(a.member().balance() >= 0, "a return answered a negative balance");
  expected_balance_ -= a.points_reversed();
  returns_[return_id] = a.points_reversed();
}

void MemberModel::BookRedemption(const v1::RedeemRewardResponse& a) {
  std::lock_guard<std::mutex> lock(mu_);
  Check(a.member().available_points() >= 0, "a redemption overspent");
  expected_balance_ -= a.redemption().points();
  redemptions_[a.redemption().redemption_id()] = {a.redemption().points(),
                                                  a.redemption().reward_id()};
  active_redemptions_.push_back(a.redemption().redemption_id());
}

void MemberModel::BookCancellation(const v1::CancelRedemptionResponse& a) {
  std::lock_guard<std::mutex> lock(mu_);
  expected_balance_ += a.redemption().points_refunded();
  refunds_[a.redemption().redemption_id()] = a.redemption().points_refunded();
}

void MemberModel::BookAdjustment(const v1::AdjustPointsRequest& sent,
                                 const v1::AdjustPointsResponse& a) {
  std::lock_guard<std::mutex> lock(mu_);
  Check(a.member().available_points() >= 0, "an adjustment overspent");
  expected_balance_ += sent.points();
  adjustments_.insert(sent.request_id());
}

std::optional<std::string> MemberModel::SomePurchase(std::mt19937_64& rng) {
  std::lock_guard<std::mutex> lock(mu_);
  if (transactions_.empty()) return std::nullopt;
  return transactions_[rng() % transactions_.size()];
}

std::optional<std::string> MemberModel::TakeRedemption(std::mt19937_64& rng) {
  std::lock_guard<std::mutex> lock(mu_);
  if (active_redemptions_.empty()) return std::nullopt;
  const size_t i = rng() % active_redemptions_.size();
  std::string id = active_redemptions_[i];
  active_redemptions_.erase(active_redemptions_.begin() + i);
  return id;
}

int64_t MemberModel::ActiveUnits(const std::string& reward_id) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t units = 0;
  for (const auto& [id, r] : redemptions_) {
    if (r.reward_id == reward_id && !refunds_.contains(id)) ++units;
  }
  return units;
}

std::vector<std::string> MemberModel::Audit(v1::LoyaltyService::Stub& stub) {
  std::lock_guard<std::mutex> lock(mu_);
  v1::GetMemberRequest get;
  get.set_member_id(member_id);
  v1::GetMemberResponse got;
  if (grpc::Status s = stub.GetMember(Context().get(), get, &got); !s.ok()) {
    return {absl::StrCat("member ", member_id, ": GetMember failed: ", s.error_message())};
  }
  const v1::Member& m = got.member();
  Check(m.balance() == expected_balance_,
        absl::StrCat("balance ", m.balance(), ", acknowledged answers add up to ",
                     expected_balance_));
  Check(m.balance() >= 0 && m.available_points() >= 0 && m.debt_points() == 0,
        "went below zero under REVERSE_WITHIN_BALANCE");
  // Nothing is pending or expires during a soak: the lots hold the balance.
  Check(m.available_points() + m.pending_points() + m.debt_points() == m.balance(),
        absl::StrCat("lots hold ", m.available_points() + m.pending_points(), ", balance is ",
                     m.balance()));
  Check(m.lifetime_earned() == expected_earned_,
        absl::StrCat("lifetime earned ", m.lifetime_earned(), ", answers add up to ",
                     expected_earned_));
  Check(m.purchase_count() == static_cast<int32_t>(line_points_.size()),
        absl::StrCat(m.purchase_count(), " purchases counted, ", line_points_.size(),
                     " acknowledged"));

  std::vector<v1::LedgerEntry> ledger;
  v1::ListLedgerEntriesRequest list;
  list.set_member_id(member_id);
  list.set_page_size(1000);
  for (;;) {
    v1::ListLedgerEntriesResponse page;
    if (grpc::Status s = stub.ListLedgerEntries(Context().get(), list, &page); !s.ok()) {
      return {absl::StrCat("member ", member_id, ": ListLedgerEntries failed")};
    }
    ledger.insert(ledger.end(), page.entries().begin(), page.entries().end());
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  int64_t sum = 0;
  std::map<std::pair<int, std::string>, int> by_reference;
  int first_bonuses = 0;
  for (const v1::LedgerEntry& e : ledger) {
    sum += e.points();
    const std::string key = e.kind() == v1::LedgerEntry::KIND_REVERSE ? e.reason() : e.reference();
    ++by_reference[{e.kind(), key}];
    if (e.kind() == v1::LedgerEntry::KIND_BONUS && e.reason() == "first purchase bonus") {
      ++first_bonuses;
    }
  }
  Check(sum == m.balance(), absl::StrCat("ledger sums to ", sum, ", balance is ", m.balance()));
  auto count = [&](v1::LedgerEntry::Kind kind, const std::string& key) {
    auto it = by_reference.find({kind, key});
    return it == by_reference.end() ? 0 : it->second;
  };
  // Every acknowledged request applied exactly once.
  for (const auto& [purchase, points] : line_points_) {
    Check(count(v1::LedgerEntry::KIND_EARN, purchase) == (points > 0 ? 1 : 0),
          absl::StrCat("purchase ", purchase, " has ", count(v1::LedgerEntry::KIND_EARN, purchase),
                       " earn entries"));
  }
  Check(first_bonuses == (line_points_.empty() ? 0 : 1) && first_bonuses == first_purchase_bonuses_,
        absl::StrCat(first_bonuses, " first-purchase bonuses"));
  for (const std::string& adjustment : adjustments_) {
    Check(count(v1::LedgerEntry::KIND_ADJUST, adjustment) == 1,
          absl::StrCat("adjustment ", adjustment, " applied ",
                       count(v1::LedgerEntry::KIND_ADJUST, adjustment), " times"));
  }
  for (const auto& [redemption, r] : redemptions_) {
    Check(count(v1::LedgerEntry::KIND_REDEEM, redemption) == 1,
          absl::StrCat("redemption ", redemption, " applied ",
                       count(v1::LedgerEntry::KIND_REDEEM, redemption), " times"));
  }
  for (const auto& [redemption, refunded] : refunds_) {
    Check(count(v1::LedgerEntry::KIND_REFUND, redemption) == (refunded > 0 ? 1 : 0),
          absl::StrCat("cancellation of ", redemption, " refunded ",
                       count(v1::LedgerEntry::KIND_REFUND, redemption), " times"));
  }
  for (const auto& [ret, reversed] : returns_) {
    const int n = count(v1::LedgerEntry::KIND_REVERSE, absl::StrCat("return ", ret));
    Check(n == (reversed > 0 ? 1 : 0), absl::StrCat("return ", ret, " reversed ", n, " times"));
  }
  int adjust_entries = 0, redeem_entries = 0;
  for (const v1::LedgerEntry& e : ledger) {
    adjust_entries += e.kind() == v1::LedgerEntry::KIND_ADJUST;
    redeem_entries += e.kind() == v1::LedgerEntry::KIND_REDEEM;
  }
  Check(adjust_entries == static_cast<int>(adjustments_.size()) &&
            redeem_entries == static_cast<int>(redemptions_.size()),
        "the ledger holds entries no acknowledged request made");
  return problems_;
}

void Model::Violation(const std::string& what) {
  std::lock_guard<std::mutex> lock(mu);
  violations.push_back(what);
}

void Model::Refused(const grpc::Status& status) {
  static const std::set<std::string> kByTheRules = {
      "INSUFFICIENT_POINTS", "OUT_OF_STOCK", "RETURN_EXCEEDS_PURCHASE", "ALREADY_CANCELLED",
      "REWARD_NOT_AVAILABLE"};
  const std::string reason = ReasonOf(FromGrpcStatus(status));
  std::lock_guard<std::mutex> lock(mu);
  if (kByTheRules.contains(reason)) {
    ++refusals[reason];
  } else {
    violations.push_back(absl::StrCat("an error the rules do not explain: ", status.error_code(),
                                      " ", reason, " ", status.error_message()));
  }
}

absl::Status Prepare(const std::shared_ptr<grpc::Channel>& channel, const v1::Program& program,
                     int members, int64_t scarce_stock, Model& model) {
  auto stub = v1::LoyaltyService::NewStub(channel);
  IdGenerator ids(SystemClock::Get());
  model.run = ids.Next();
  v1::CreateProgramRequest create;
  *create.mutable_program() = program;
  v1::CreateProgramResponse created;
  if (grpc::Status s = stub->CreateProgram(Context().get(), create, &created); !s.ok()) {
    return Failed("CreateProgram", s);
  }
  model.program_id = created.program().program_id();
  for (auto [stock, cost, id] : {std::tuple{int64_t{-1}, 400, &model.reward},
                                 std::tuple{scarce_stock, 10, &model.scarce_reward}}) {
    v1::CreateRewardRequest reward;
    reward.mutable_reward()->set_program_id(model.program_id);
    reward.mutable_reward()->set_display_name(absl::StrCat("soak reward ", cost));
    reward.mutable_reward()->set_cost_points(cost);
    if (stock >= 0) reward.mutable_reward()->set_stock(stock);
    v1::CreateRewardResponse made;
    if (grpc::Status s = stub->CreateReward(Context().get(), reward, &made); !s.ok()) {
      return Failed("CreateReward", s);
    }
    *id = made.reward().reward_id();
  }
  model.scarce_stock = scarce_stock;
  model.members = std::vector<MemberModel>(members);
  std::atomic<int> failures{0};
  ParallelFor(model.members.size(), 32, [&](size_t i) {
    v1::EnrollMemberRequest enroll;
    enroll.set_program_id(model.program_id);
    enroll.set_customer_id(ids.Next());
    v1::EnrollMemberResponse enrolled;
    if (!stub->EnrollMember(Context().get(), enroll, &enrolled).ok()) ++failures;
    model.members[i].member_id = enrolled.member().member_id();
  });
  if (failures > 0) return absl::InternalError("EnrollMember failed");
  std::cerr << absl::StrFormat("program %s, %d members\n", model.program_id, members);
  return absl::OkStatus();
}

bool Audit(const std::shared_ptr<grpc::Channel>& channel, Model& model) {
  auto stub = v1::LoyaltyService::NewStub(channel);
  std::vector<std::string> problems = model.violations;
  std::mutex mu;
  ParallelFor(model.members.size(), 16, [&](size_t i) {
    std::vector<std::string> found = model.members[i].Audit(*stub);
    std::lock_guard<std::mutex> lock(mu);
    problems.insert(problems.end(), found.begin(), found.end());
  });
  int64_t active = 0;
  for (MemberModel& m : model.members) active += m.ActiveUnits(model.scarce_reward);
  v1::ListRewardsRequest list;
  list.set_program_id(model.program_id);
  list.set_include_unavailable(true);
  v1::ListRewardsResponse rewards;
  if (!stub->ListRewards(Context().get(), list, &rewards).ok()) {
    problems.push_back("ListRewards failed");
  }
  for (const v1::Reward& r : rewards.rewards()) {
    if (r.reward_id() == model.scarce_reward && r.stock() + active != model.scarce_stock) {
      problems.push_back(absl::StrCat("scarce reward: stock ", r.stock(), " + ", active,
                                      " redeemed != ", model.scarce_stock));
    }
  }
  for (const auto& [reason, n] : model.refusals) {
    std::cerr << absl::StrFormat("refused (as the rules say): %d x %s\n", n, reason);
  }
  std::cerr << absl::StrFormat("points expired by expiry runs: %d\n", model.expired_points.load());
  for (size_t i = 0; i < problems.size() && i < 50; ++i) std::cerr << "VIOLATION " << problems[i] << "\n";
  std::cerr << absl::StrFormat(
      "audit: %d members, %d violations (balance = acknowledged answers = ledger sum = "
      "lots, never below zero, every request applied once, points recomputed, earnings "
      "and purchase counts, stock kept; no unexplained errors)\n",
      model.members.size(), problems.size());
  return problems.empty();
}

}  // namespace crm::loyalty::soak
