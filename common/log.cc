#include "common/log.h"

#include <cstdio>
#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace crm::log {
namespace {

std::mutex& WriteMutex() {
  static auto* mu = new std::mutex();
  return *mu;
}

std::string& Service() {
  static auto* service = new std::string("crm");
  return *service;
}

void Write(absl::string_view level, absl::string_view msg,
           std::initializer_list<Field> fields) {
  std::string line = FormatLine(level, msg, fields);
  line.push_back('\n');
  std::lock_guard lock(WriteMutex());
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

void SetService(absl::string_view service) { Service() = std::string(service); }

std::string FormatLine(absl::string_view level, absl::string_view msg,
                       std::initializer_list<Field> fields) {
  nlohmann::ordered_json j;
  j["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  j["level"] = std::string(level);
  j["service"] = Service();
  j["msg"] = std::string(msg);
  for (const auto& [key, value] : fields) {
    std::visit([&j, key = std::string(key)](const auto& v) { j[key] = v; }, value);
  }
  // Replace invalid UTF-8 rather than throw: a log line must never fail.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Info(absl::string_view msg, std::initializer_list<Field> fields) {
  Write("info", msg, fields);
}
void Warn(absl::string_view msg, std::initializer_list<Field> fields) {
  Write("warn", msg, fields);
}
void Error(absl::string_view msg, std::initializer_list<Field> fields) {
  Write("error", msg, fields);
}

}  // namespace crm::log
