#ifndef CRM_COMMON_LOG_H_
#define CRM_COMMON_LOG_H_

#include "absl/strings/string_view.h"
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace crm::log {

using Value = std::variant<std::string, int64_t, double, bool>;
using Field = std::pair<absl::string_view, Value>;

// Structured logs: one JSON object per line on stderr, with "ts" (RFC 3339,
// UTC), "level", "service", "msg" and the given fields. Never log secrets or
// unmasked personal data.
void SetService(absl::string_view service);
void Info(absl::string_view msg, std::initializer_list<Field> fields = {});
void Warn(absl::string_view msg, std::initializer_list<Field> fields = {});
void Error(absl::string_view msg, std::initializer_list<Field> fields = {});

// The line Info/Warn/Error would write, without the newline.
std::string FormatLine(absl::string_view level, absl::string_view msg,
                       std::initializer_list<Field> fields);

}  // namespace crm::log

#endif  // CRM_COMMON_LOG_H_
