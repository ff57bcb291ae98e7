#include "services/identify/similarity.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "common/text.h"

namespace crm::identify {

namespace {

// Code points of `s` with ASCII lower-cased; an invalid byte b becomes
// 0x110000 + b, which equals no real code point.
std::u32string Decode(absl::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    int32_t cp = DecodeUtf8CodePoint(s, i);
    if (cp < 0) cp = 0x110000 + static_cast<unsigned char>(s[i++]);
    out.push_back(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
  }
  return out;
}

int EditDistance(const std::u32string& a, const std::u32string& b) {
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      int substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

bool IsDate(absl::string_view s) {
  return s.size() == 8 && std::all_of(s.begin(), s.end(), absl::ascii_isdigit);
}

// The integer formed by the leading digits, if any (and it fits).
std::optional<int64_t> LeadingInteger(absl::string_view s) {
  size_t n = 0;
  while (n < s.size() && absl::ascii_isdigit(s[n])) ++n;
  int64_t value;
  if (n == 0 || n > 18 || !absl::SimpleAtoi(s.substr(0, n), &value)) return std::nullopt;
  return value;
}

}  // namespace

double JaroWinkler(absl::string_view a, absl::string_view b) {
  std::u32string s1 = Decode(a), s2 = Decode(b);
  if (s1.empty() || s2.empty()) return 0.0;
  size_t window = std::max(s1.size(), s2.size()) / 2;
  window = window > 0 ? window - 1 : 0;
  std::vector<bool> matched1(s1.size()), matched2(s2.size());
  int matches = 0;
  for (size_t i = 0; i < s1.size(); ++i) {
    size_t end = std::min(i + window + 1, s2.size());
    for (size_t j = i > window ? i - window : 0; j < end; ++j) {
      if (!matched2[j] && s1[i] == s2[j]) {
        matched1[i] = matched2[j] = true;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;
  int half_transpositions = 0;
  for (size_t i = 0, k = 0; i < s1.size(); ++i) {
    if (!matched1[i]) continue;
    while (!matched2[k]) ++k;
    if (s1[i] != s2[k++]) ++half_transpositions;
  }
  double m = matches;
  double jaro = (m / static_cast<double>(s1.size()) + m / static_cast<double>(s2.size()) +
                 (m - half_transpositions / 2.0) / m) /
                3.0;
  int prefix = 0;
  while (prefix < 4 && prefix < static_cast<int>(std::min(s1.size(), s2.size())) &&
         s1[prefix] == s2[prefix]) {
    ++prefix;
  }
  return jaro + prefix * 0.1 * (1.0 - jaro);
}

int Levenshtein(absl::string_view a, absl::string_view b) {
  return EditDistance(Decode(a), Decode(b));
}

DateAgreement CompareDates(absl::string_view a, absl::string_view b) {
  if (!IsDate(a) || !IsDate(b)) return DateAgreement::kMissing;
  if (a == b) return DateAgreement::kExact;
  bool same_year = a.substr(0, 4) == b.substr(0, 4);
  if (same_year && a.substr(4, 2) == b.substr(6, 2) && a.substr(6, 2) == b.substr(4, 2)) {
    return DateAgreement::kTransposed;
  }
  std::vector<size_t> diffs;
  for (size_t i = 0; i < 8; ++i) {
    if (a[i] != b[i]) diffs.push_back(i);
  }
  if (diffs.size() == 1) return DateAgreement::kOneDigit;
  if (diffs.size() == 2 && diffs[1] == diffs[0] + 1 && a[diffs[0]] == b[diffs[1]] &&
      a[diffs[1]] == b[diffs[0]]) {
    return DateAgreement::kTransposed;
  }
  return same_year ? DateAgreement::kSameYear : DateAgreement::kDisagree;
}

NumberAgreement CompareNumbers(absl::string_view a, absl::string_view b, int close_within) {
  a = absl::StripAsciiWhitespace(a);
  b = absl::StripAsciiWhitespace(b);
  if (a.empty() || b.empty()) return NumberAgreement::kMissing;
  std::u32string s1 = Decode(a), s2 = Decode(b);
  if (s1 == s2) return NumberAgreement::kExact;
  std::optional<int64_t> x = LeadingInteger(a), y = LeadingInteger(b);
  if (x && y && (std::llabs(*x - *y) <= close_within || EditDistance(s1, s2) == 1)) {
    return NumberAgreement::kClose;
  }
  return NumberAgreement::kDisagree;
}

std::string Soundex(absl::string_view name) {
  // Codes of A..Z; '0' marks vowels (and H, W, Y, handled separately below).
  static constexpr char kCodes[] = "01230120022455012623010202";
  std::string letters;
  for (char c : name) {
    if (absl::ascii_isalpha(c)) letters.push_back(absl::ascii_toupper(c));
  }
  if (letters.empty()) {
    std::string prefix;
    int taken = 0;
    for (size_t i = 0; i < name.size() && taken < 2;) {
      size_t start = i;
      if (DecodeUtf8CodePoint(name, i) < 0) ++i;
      if (absl::ascii_isspace(name[start])) continue;
      prefix.append(name.data() + start, i - start);
      ++taken;
    }
    return prefix;
  }
  std::string code(1, letters[0]);
  char last = kCodes[letters[0] - 'A'];
  for (size_t i = 1; i < letters.size() && code.size() < 4; ++i) {
    char c = letters[i];
    // H and W do not separate letters with the same code; vowels do.
    if (c == 'H' || c == 'W') continue;
    char digit = kCodes[c - 'A'];
    if (digit != '0' && digit != last) code.push_back(digit);
    last = digit;
  }
  code.resize(4, '0');
  return code;
}

}  // namespace crm::identify
