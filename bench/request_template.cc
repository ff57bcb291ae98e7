#include "bench/request_template.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace crm::bench {

absl::StatusOr<RequestTemplate> RequestTemplate::Parse(absl::string_view text) {
  RequestTemplate result;
  absl::string_view rest = text;
  while (!rest.empty()) {
    size_t open = rest.find("{{");
    if (open == absl::string_view::npos) open = rest.size();
    if (open > 0) result.parts_.push_back({Part::kText, std::string(rest.substr(0, open)), 0});
    rest.remove_prefix(open);
    if (rest.empty()) break;
    size_t close = rest.find("}}");
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError("request template: '{{' without a closing '}}'");
    }
    absl::string_view name = rest.substr(2, close - 2);
    rest.remove_prefix(close + 2);
    uint64_t bound = 0;
    if (name == "seq") {
      result.parts_.push_back({Part::kSeq, "", 0});
    } else if (name == "uuid") {
      result.parts_.push_back({Part::kUuid, "", 0});
    } else if (absl::ConsumePrefix(&name, "rand:") && absl::SimpleAtoi(name, &bound) && bound > 0) {
      result.parts_.push_back({Part::kRand, "", bound});
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("request template: unknown placeholder '{{", name,
                       "}}'; use {{seq}}, {{uuid}} or {{rand:N}} with N >= 1"));
    }
  }
  return result;
}

bool RequestTemplate::is_constant() const {
  for (const Part& part : parts_) {
    if (part.kind != Part::kText) return false;
  }
  return true;
}

std::string RequestTemplate::Expand(uint64_t seq, Random random) const {
  std::string out;
  for (const Part& part : parts_) {
    switch (part.kind) {
      case Part::kText:
        out += part.text;
        break;
      case Part::kSeq:
        absl::StrAppend(&out, seq);
        break;
      case Part::kUuid: {
        uint64_t high = random();
        out += UuidV4(high, random());
        break;
      }
      case Part::kRand:
        absl::StrAppend(&out, random() % part.bound);
        break;
    }
  }
  return out;
}

std::string UuidV4(uint64_t high, uint64_t low) {
  high = (high & ~uint64_t{0xf000}) | 0x4000;                    // version 4
  low = (low & ~(uint64_t{0xc} << 60)) | (uint64_t{0x8} << 60);  // variant 10
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", high >> 32, (high >> 16) & 0xffff,
                         high & 0xffff, low >> 48, low & 0xffffffffffff);
}

}  // namespace crm::bench
