#include "services/segment/engine/transactions.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace crm::segment {
namespace {

bool Digits(absl::string_view s, int* out) {
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return !s.empty();
}

absl::Status BadLine(int64_t line, absl::string_view why) {
  return Error(absl::StatusCode::kInvalidArgument, "MALFORMED_TRANSACTIONS",
               absl::StrCat("line ", line, ": ", why), {{"line", absl::StrCat(line)}});
}

}  // namespace

bool ParseDay(absl::string_view text, absl::CivilDay* day) {
  int y, m, d;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !Digits(text.substr(0, 4), &y) ||
      !Digits(text.substr(5, 2), &m) || !Digits(text.substr(8, 2), &d)) {
    return false;
  }
  *day = absl::CivilDay(y, m, d);
  return day->year() == y && day->month() == m && day->day() == d;
}

bool ParseCents(absl::string_view text, int64_t* cents) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  const size_t dot = text.find('.');
  const absl::string_view whole = text.substr(0, dot);
  absl::string_view fraction = dot == absl::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 15 || fraction.size() > 2) return false;
  int64_t value = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  for (int i = 0; i < 2; ++i) {
    const char c = i < static_cast<int>(fraction.size()) ? fraction[i] : '0';
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *cents = negative ? -value : value;
  return true;
}

absl::StatusOr<std::vector<CustomerHistory>> ParseTransactionsCsv(absl::string_view text,
                                                                  absl::CivilDay until) {
  std::vector<CustomerHistory> customers;
  absl::flat_hash_map<std::string, size_t> index;
  customers.reserve(text.size() / 256);  // about ten 25-byte rows a customer
  index.reserve(text.size() / 256);
  int64_t line_no = 0;
  size_t pos = 0;
  bool header = true;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == absl::string_view::npos) end = text.size();
    absl::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (header) {
      header = false;
      continue;
    }
    if (line.empty()) continue;
    const size_t c1 = line.find(',');
    const size_t c2 = c1 == absl::string_view::npos ? c1 : line.find(',', c1 + 1);
    if (c2 == absl::string_view::npos || line.find(',', c2 + 1) != absl::string_view::npos) {
      return BadLine(line_no, "expected customer_id,date,amount");
    }
    const absl::string_view id = line.substr(0, c1);
    if (id.empty()) return BadLine(line_no, "empty customer_id");
    absl::CivilDay day;
    if (!ParseDay(line.substr(c1 + 1, c2 - c1 - 1), &day)) {
      return BadLine(line_no, "date must be YYYY-MM-DD");
    }
    int64_t amount = 0;
    if (!ParseCents(line.substr(c2 + 1), &amount)) {
      return BadLine(line_no, "amount must be a number with at most two decimals");
    }
    if (day > until) continue;
    auto [it, fresh] = index.try_emplace(id, customers.size());
    if (fresh) customers.push_back({std::string(id), {}, 0, 0});
    CustomerHistory& c = customers[it->second];
    ++c.purchases;
    c.total_cents += amount;
    c.days.emplace_back(day, amount);
  }
  for (CustomerHistory& c : customers) {  // one entry per day, ascending
    std::sort(c.days.begin(), c.days.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    size_t out = 0;
    for (size_t i = 0; i < c.days.size(); ++i) {
      if (out > 0 && c.days[out - 1].first == c.days[i].first) {
        c.days[out - 1].second += c.days[i].second;
      } else {
        c.days[out++] = c.days[i];
      }
    }
    c.days.resize(out);
  }
  return customers;
}

absl::StatusOr<std::vector<CustomerHistory>> ReadTransactionsCsv(const std::string& path,
                                                                 absl::CivilDay until) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(absl::StatusCode::kNotFound, "FILE_NOT_FOUND",
                 absl::StrCat("cannot read ", path));
  }
  in.seekg(0, std::ios::end);
  std::string text(static_cast<size_t>(in.tellg()), '\0');
  in.seekg(0);
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) {
    return Error(absl::StatusCode::kUnavailable, "READ_FAILED", absl::StrCat("cannot read ", path));
  }
  return ParseTransactionsCsv(text, until);
}

}  // namespace crm::segment
