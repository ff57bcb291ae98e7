#ifndef CRM_BENCH_REQUEST_TEMPLATE_H_
#define CRM_BENCH_REQUEST_TEMPLATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace crm::bench {

// A request text with placeholders filled in per request:
//   {{seq}}     the request's sequence number (0, 1, 2, ... across the run)
//   {{uuid}}    a random UUID v4, lower-case hex
//   {{rand:N}}  a random integer in [0, N), N >= 1
// Placeholders are substituted as bare text, so they work inside JSON strings
// ("{{uuid}}") and as numbers ({{rand:100}}). Any other "{{" is an error.
class RequestTemplate {
 public:
  // Random 64-bit words; the caller owns the generator (one per thread).
  using Random = absl::FunctionRef<uint64_t()>;

  static absl::StatusOr<RequestTemplate> Parse(absl::string_view text);

  // True when there are no placeholders: every expansion is the same text.
  bool is_constant() const;

  std::string Expand(uint64_t seq, Random random) const;

 private:
  struct Part {
    enum Kind { kText, kSeq, kUuid, kRand } kind;
    std::string text;    // kText
    uint64_t bound = 0;  // kRand
  };

  std::vector<Part> parts_;
};

// A UUID v4 built from two random words (version and variant bits forced).
std::string UuidV4(uint64_t high, uint64_t low);

}  // namespace crm::bench

#endif  // CRM_BENCH_REQUEST_TEMPLATE_H_
