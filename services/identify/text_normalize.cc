#include "services/identify/text_normalize.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/text.h"

namespace crm::identify {

namespace {

bool IsSpace(int32_t cp) {
  return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xa0 || (cp >= 0x2000 && cp <= 0x200a) ||
         cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

// FoldWidthAndSpace, optionally keeping inner whitespace runs (as spaces).
std::string Fold(absl::string_view s, bool collapse) {
  std::string out;
  out.reserve(s.size());
  size_t pending_spaces = 0;
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    int32_t cp = DecodeUtf8CodePoint(s, i);
    if (cp < 0) ++i;
    if (IsSpace(cp)) {
      ++pending_spaces;
      continue;
    }
    if (pending_spaces > 0 && !out.empty()) out.append(collapse ? 1 : pending_spaces, ' ');
    pending_spaces = 0;
    if (cp >= 0xff01 && cp <= 0xff5e) {
      out.push_back(static_cast<char>(cp - 0xfee0));
    } else {
      out.append(s.data() + start, i - start);
    }
  }
  return out;
}

// National significant number rules per calling code.
struct Country {
  absl::string_view calling_code;
  absl::string_view name;
  size_t min_digits;
  size_t max_digits;
  bool trunk_zero;  // Nationally dialled with a leading '0' that E.164 omits.
};

constexpr Country kCountries[] = {
    {"1", "US/CA", 10, 10, false}, {"86", "CN", 10, 11, true}, {"44", "GB", 9, 10, true},
    {"61", "AU", 9, 9, true},      {"49", "DE", 6, 13, true},  {"33", "FR", 9, 9, true},
    {"81", "JP", 9, 10, true},     {"852", "HK", 8, 8, false}, {"65", "SG", 8, 8, false},
    {"886", "TW", 8, 9, true},
};

constexpr struct {
  absl::string_view iso;
  absl::string_view calling_code;
} kRegions[] = {
    {"CN", "86"}, {"US", "1"},  {"CA", "1"},   {"GB", "44"}, {"AU", "61"},  {"DE", "49"},
    {"FR", "33"}, {"JP", "81"}, {"HK", "852"}, {"SG", "65"}, {"TW", "886"},
};

// The known country whose calling code prefixes `digits` (calling codes are
// prefix-free), or nullptr.
const Country* FindCountry(absl::string_view digits) {
  for (const Country& country : kCountries) {
    if (absl::StartsWith(digits, country.calling_code)) return &country;
  }
  return nullptr;
}

absl::Status PhoneError(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("phone number ", what));
}

// Validates `digits` (E.164 without '+') and returns it with the '+'.
absl::StatusOr<std::string> ValidateInternational(std::string digits) {
  if (digits.empty()) return PhoneError("has no digits after the international prefix");
  if (digits[0] == '0') return PhoneError("has a country code starting with 0");
  const Country* country = FindCountry(digits);
  if (country == nullptr) {
    if (digits.size() < 8 || digits.size() > 15) return PhoneError("must have 8-15 digits");
    return absl::StrCat("+", digits);
  }
  std::string nsn = digits.substr(country->calling_code.size());
  // Tolerates the trunk '0' after the country code, as in "+44 (0)20 ...".
  if (country->trunk_zero && absl::StartsWith(nsn, "0")) nsn.erase(0, 1);
  if (nsn.size() < country->min_digits) {
    return PhoneError(absl::StrCat("has too few digits for ", country->name));
  }
  if (nsn.size() > country->max_digits) {
    return PhoneError(absl::StrCat("has too many digits for ", country->name));
  }
  if (nsn[0] == '0')
    return PhoneError(absl::StrCat("has a ", country->name, " prefix starting with 0"));
  if (country->calling_code == "1" && nsn[0] == '1') {
    return PhoneError("has a US/CA area code starting with 1");
  }
  if (country->calling_code == "86" && nsn[0] == '1') {
    if (nsn[1] == '0') {  // Beijing, area code 10, has 8-digit subscriber numbers.
      if (nsn.size() != 10) return PhoneError("has the wrong length for a CN Beijing landline");
    } else if (nsn[1] >= '3') {
      if (nsn.size() != 11) return PhoneError("must have 11 digits for a CN mobile");
    } else {
      return PhoneError("has an invalid CN prefix");
    }
  }
  return absl::StrCat("+", country->calling_code, nsn);
}

absl::Status EmailError(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("e-mail address ", what));
}

bool IsControlByte(absl::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x20 || c == 0x7f) return true;
  // C1 controls U+0080..U+009F are encoded as C2 80..C2 9F.
  return c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9f;
}

}  // namespace

std::string FoldWidthAndSpace(absl::string_view utf8) { return Fold(utf8, /*collapse=*/true); }

absl::StatusOr<std::string> NormalizePhone(absl::string_view raw,
                                           absl::string_view default_region) {
  std::string folded = FoldWidthAndSpace(raw);
  if (folded.empty()) return PhoneError("is empty");
  std::string digits;
  bool plus = false;
  for (char c : folded) {
    if (absl::ascii_isdigit(c)) {
      digits.push_back(c);
    } else if (c == '+' && !plus && digits.empty()) {
      plus = true;
    } else if (absl::ascii_isalpha(c)) {
      return PhoneError("contains letters");
    } else if (!absl::StrContains(" -.()/", c)) {
      return PhoneError("contains an invalid character");
    }
  }
  if (digits.empty() && !plus) return PhoneError("has no digits");

  const Country* region = nullptr;
  if (!default_region.empty()) {
    std::string iso = absl::AsciiStrToUpper(default_region);
    for (const auto& r : kRegions) {
      if (r.iso == iso) region = FindCountry(r.calling_code);
    }
    if (region == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown default region \"", default_region, "\" for phone numbers"));
    }
  }

  if (plus) return ValidateInternational(std::move(digits));
  if (absl::StartsWith(digits, "00")) return ValidateInternational(digits.substr(2));
  if (region == nullptr) return PhoneError("needs a country code");
  absl::string_view national = digits;
  if (region->trunk_zero) absl::ConsumePrefix(&national, "0");
  if (region->calling_code == "1" && national.size() == 11) absl::ConsumePrefix(&national, "1");
  return ValidateInternational(absl::StrCat(region->calling_code, national));
}

absl::StatusOr<std::string> NormalizeEmail(absl::string_view raw) {
  std::string email = absl::AsciiStrToLower(FoldWidthAndSpace(raw));
  if (email.empty()) return EmailError("is empty");
  if (email.size() > 254) return EmailError("is longer than 254 bytes");
  for (size_t i = 0; i < email.size(); ++i) {
    if (email[i] == ' ' || IsControlByte(email, i)) {
      return EmailError("contains whitespace or control characters");
    }
  }
  size_t at = email.find('@');
  if (at == std::string::npos) return EmailError("has no '@'");
  if (email.find('@', at + 1) != std::string::npos) return EmailError("has more than one '@'");
  if (at == 0) return EmailError("has an empty local part");
  if (at > 64) return EmailError("has a local part longer than 64 bytes");
  absl::string_view domain = absl::string_view(email).substr(at + 1);
  if (domain.empty()) return EmailError("has no domain");
  if (!absl::StrContains(domain, '.')) return EmailError("has a domain without a dot");
  for (absl::string_view label : absl::StrSplit(domain, '.')) {
    if (label.empty()) return EmailError("has an empty domain label");
    if (label.size() > 63) return EmailError("has a domain label longer than 63 bytes");
    for (char c : label) {
      if (!absl::ascii_isalnum(c) && c != '-') {
        return EmailError("has a domain with characters other than letters, digits and '-'");
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return EmailError("has a domain label starting or ending with '-'");
    }
  }
  return email;
}

absl::StatusOr<std::string> NormalizeCode(absl::string_view raw, bool upper_case) {
  std::string code = Fold(raw, /*collapse=*/upper_case);
  if (upper_case) {
    code.erase(
        std::remove_if(code.begin(), code.end(), [](char c) { return c == ' ' || c == '-'; }),
        code.end());
    absl::AsciiStrToUpper(&code);
  }
  if (code.empty()) return absl::InvalidArgumentError("value is empty");
  if (code.size() > 128) return absl::InvalidArgumentError("value is longer than 128 bytes");
  for (size_t i = 0; i < code.size(); ++i) {
    if (IsControlByte(code, i)) {
      return absl::InvalidArgumentError("value contains control characters");
    }
  }
  return code;
}

}  // namespace crm::identify
