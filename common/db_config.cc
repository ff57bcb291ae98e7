#include "common/db_config.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"

namespace crm {
namespace {

absl::Status BadDsn(absl::string_view why) {
  return Error(absl::StatusCode::kInvalidArgument, "BAD_DSN",
               absl::StrCat("database DSN: ", why,
                            " (expected mysql://user@host:port/schema"
                            " or mysql://user@localhost/schema?socket=/path)"));
}

bool IsIdentifier(absl::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

}  // namespace

absl::Status DbConfig::Validate() const {
  auto bad = [](absl::string_view why) {
    return Error(absl::StatusCode::kInvalidArgument, "BAD_DB_CONFIG",
                 absl::StrCat("database config: ", why));
  };
  if (!IsIdentifier(user)) return bad("user must be 1-64 letters, digits or '_'");
  if (!IsIdentifier(schema)) return bad("schema must be 1-64 letters, digits or '_'");
  if (socket.empty() && host.empty()) return bad("host or socket is required");
  if (port <= 0 || port > 65535) return bad("port must be 1-65535");
  if (pool_size < 1 || pool_size > 512) return bad("pool size must be 1-512");
  if (connect_timeout < absl::Seconds(1)) return bad("connect timeout must be >= 1s");
  if (query_timeout < absl::Seconds(1)) return bad("query timeout must be >= 1s");
  if (acquire_timeout <= absl::ZeroDuration()) return bad("acquire timeout must be > 0");
  return absl::OkStatus();
}

std::string DbConfig::Describe() const {
  std::string where = socket.empty() ? absl::StrCat(host, ":", port) : socket;
  return absl::StrCat(user, "@", where, "/", schema);
}

absl::StatusOr<DbConfig> ParseDsn(absl::string_view dsn) {
  constexpr absl::string_view kScheme = "mysql://";
  if (!absl::StartsWith(dsn, kScheme)) return BadDsn("must start with mysql://");
  absl::string_view rest = dsn.substr(kScheme.size());
  absl::string_view query;
  if (auto q = rest.find('?'); q != absl::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  auto at = rest.find('@');
  if (at == absl::string_view::npos) return BadDsn("user is missing");
  absl::string_view user = rest.substr(0, at);
  if (user.find(':') != absl::string_view::npos) {
    return BadDsn("a password must not appear in the DSN; use the password file");
  }
  rest = rest.substr(at + 1);
  auto slash = rest.find('/');
  if (slash == absl::string_view::npos) return BadDsn("schema is missing");
  absl::string_view hostport = rest.substr(0, slash);
  DbConfig config;
  config.user = std::string(user);
  config.schema = std::string(rest.substr(slash + 1));
  if (auto colon = hostport.rfind(':'); colon != absl::string_view::npos) {
    if (!absl::SimpleAtoi(hostport.substr(colon + 1), &config.port)) {
      return BadDsn("port is not a number");
    }
    hostport = hostport.substr(0, colon);
  }
  config.host = std::string(hostport);
  for (absl::string_view param : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(param, '=');
    if (kv.first == "socket") {
      config.socket = std::string(kv.second);
    } else {
      return BadDsn(absl::StrCat("unknown parameter '", kv.first, "'"));
    }
  }
  if (absl::Status s = config.Validate(); !s.ok()) return BadDsn(s.message());
  return config;
}

absl::StatusOr<std::string> ReadPasswordFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(absl::StatusCode::kInvalidArgument, "BAD_DB_CONFIG",
                 absl::StrCat("cannot read database password file ", path));
  }
  std::stringstream content;
  content << in.rdbuf();
  std::string password = content.str();
  if (!password.empty() && password.back() == '\n') password.pop_back();
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

}  // namespace crm
