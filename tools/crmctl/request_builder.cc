#include "tools/crmctl/request_builder.h"

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace crm::crmctl {
namespace {

namespace pb = ::google::protobuf;
using nlohmann::json;

absl::Status Bad(const std::string& flag, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", why));
}

std::string FieldNames(const pb::Descriptor& type) {
  std::vector<std::string> names;
  for (int i = 0; i < type.field_count(); ++i) names.push_back(type.field(i)->name());
  return absl::StrJoin(names, ", ");
}

// Well-known types whose JSON form is a plain string (a time, a duration, a mask).
bool IsStringLike(const pb::Descriptor& type) {
  return type.full_name() == "google.protobuf.Timestamp" ||
         type.full_name() == "google.protobuf.Duration" ||
         type.full_name() == "google.protobuf.FieldMask";
}

std::string EnumValues(const pb::EnumDescriptor& e) {
  std::vector<std::string> names;
  for (int i = 0; i < e.value_count(); ++i) names.push_back(e.value(i)->name());
  return absl::StrJoin(names, "|");
}

// "OUTCOME_CODE_" for OUTCOME_CODE_UNSPECIFIED, OUTCOME_CODE_MONETARY_RELIEF, ...:
// "monetary_relief" then means that value, not NON_MONETARY_RELIEF.
std::string CommonPrefix(const pb::EnumDescriptor& e) {
  std::string prefix = e.value(0)->name();
  for (int i = 1; i < e.value_count(); ++i) {
    const std::string& name = e.value(i)->name();
    size_t n = 0;
    while (n < prefix.size() && n < name.size() && prefix[n] == name[n]) ++n;
    prefix.resize(n);
  }
  return prefix.substr(0, prefix.rfind('_') + 1);
}

absl::StatusOr<json> EnumValue(const std::string& flag, const pb::EnumDescriptor& e,
                               const std::string& value) {
  const std::string upper = absl::AsciiStrToUpper(value);
  const pb::EnumValueDescriptor* match = e.FindValueByName(upper);
  if (match == nullptr) match = e.FindValueByName(CommonPrefix(e) + upper);
  for (int i = 0; match == nullptr && i < e.value_count(); ++i) {
    if (absl::EndsWith(e.value(i)->name(), absl::StrCat("_", upper))) {
      if (match != nullptr) return Bad(flag, absl::StrCat("'", value, "' is ambiguous"));
      match = e.value(i);
    }
  }
  if (match == nullptr) {
    return Bad(flag, absl::StrCat("'", value, "' is not one of ", EnumValues(e)));
  }
  return json(match->name());
}

absl::StatusOr<json> ScalarValue(const std::string& flag, const pb::FieldDescriptor& field,
                                 const std::string& value) {
  using F = pb::FieldDescriptor;
  switch (field.cpp_type()) {
    case F::CPPTYPE_STRING:
      return json(value);
    case F::CPPTYPE_BOOL: {
      bool b;
      if (!absl::SimpleAtob(value, &b)) return Bad(flag, "expected true or false");
      return json(b);
    }
    case F::CPPTYPE_INT32:
    case F::CPPTYPE_UINT32: {
      int64_t n;
      if (!absl::SimpleAtoi(value, &n)) return Bad(flag, "expected an integer");
      return json(n);
    }
    case F::CPPTYPE_INT64:
    case F::CPPTYPE_UINT64: {
      int64_t n;
      uint64_t u;
      if (!absl::SimpleAtoi(value, &n) && !absl::SimpleAtoi(value, &u)) {
        return Bad(flag, "expected an integer");
      }
      return json(value);  // a JSON string keeps all 64 bits
    }
    case F::CPPTYPE_FLOAT:
    case F::CPPTYPE_DOUBLE: {
      double d;
      if (!absl::SimpleAtod(value, &d)) return Bad(flag, "expected a number");
      return json(d);
    }
    case F::CPPTYPE_ENUM:
      return EnumValue(flag, *field.enum_type(), value);
    case F::CPPTYPE_MESSAGE:
      if (IsStringLike(*field.message_type())) return json(value);
      {
        json parsed = json::parse(value, nullptr, /*allow_exceptions=*/false);
        if (parsed.is_discarded() || !parsed.is_object()) {
          return Bad(flag,
                     absl::StrCat("expected a JSON object (", field.message_type()->full_name(),
                                  "; fields: ", FieldNames(*field.message_type()), ")"));
        }
        return parsed;
      }
  }
  return Bad(flag, "unsupported field type");
}

bool Holds(const json& object, const std::vector<std::string>& path, size_t from) {
  const json* at = &object;
  for (size_t i = from; i < path.size(); ++i) {
    if (!at->is_object() || !at->contains(path[i])) return false;
    at = &(*at)[path[i]];
  }
  return true;
}

absl::Status Set(const std::string& flag, const pb::Descriptor& type,
                 const std::vector<std::string>& path, size_t at, const std::string& value,
                 json& object) {
  const pb::FieldDescriptor* field = type.FindFieldByName(path[at]);
  if (field == nullptr) field = type.FindFieldByCamelcaseName(path[at]);
  if (field == nullptr) {
    return Bad(flag, absl::StrCat(type.full_name(), " has no field '", path[at],
                                  "'; it has: ", FieldNames(type)));
  }
  const std::string& key = field->name();
  const bool last = at + 1 == path.size();
  if (!last) {
    if (field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE || field->is_map()) {
      return Bad(flag, absl::StrCat("'", key, "' is not a message"));
    }
    json& slot = object[key];
    if (!field->is_repeated()) {
      if (!slot.is_object()) slot = json::object();
      return Set(flag, *field->message_type(), path, at + 1, value, slot);
    }
    if (!slot.is_array()) slot = json::array();
    if (slot.empty() || Holds(slot.back(), path, at + 1)) slot.push_back(json::object());
    return Set(flag, *field->message_type(), path, at + 1, value, slot.back());
  }
  if (field->is_map()) {
    json parsed = json::parse(value, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return Bad(flag, "expected a JSON object");
    object[key] = parsed;
    return absl::OkStatus();
  }
  if (field->is_repeated() && absl::StartsWith(value, "[")) {
    json parsed = json::parse(value, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_array()) return Bad(flag, "expected a JSON array");
    object[key] = parsed;
    return absl::OkStatus();
  }
  auto converted = ScalarValue(flag, *field, value);
  if (!converted.ok()) return converted.status();
  if (field->is_repeated()) {
    if (!object[key].is_array()) object[key] = json::array();
    object[key].push_back(*std::move(converted));
  } else {
    object[key] = *std::move(converted);
  }
  return absl::OkStatus();
}

std::string TypeName(const pb::FieldDescriptor& field) {
  std::string name;
  if (field.cpp_type() == pb::FieldDescriptor::CPPTYPE_ENUM) {
    name = absl::StrCat("enum: ", EnumValues(*field.enum_type()));
  } else if (field.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
    name = IsStringLike(*field.message_type())
               ? field.message_type()->name()
               : absl::StrCat("JSON ", field.message_type()->name());
  } else {
    name = field.cpp_type_name();
  }
  return field.is_repeated() ? absl::StrCat("repeated ", name) : name;
}

void Describe(const pb::Descriptor& type, const std::string& prefix, int depth,
              std::vector<std::string>& lines) {
  for (int i = 0; i < type.field_count(); ++i) {
    const pb::FieldDescriptor& field = *type.field(i);
    const std::string flag = absl::StrCat(prefix, field.name());
    lines.push_back(absl::StrCat("  --", flag, "  ", TypeName(field)));
    if (field.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && !field.is_map() &&
        !IsStringLike(*field.message_type()) && depth > 1 &&
        !absl::StartsWith(field.message_type()->full_name(), "google.protobuf.")) {
      Describe(*field.message_type(), absl::StrCat(flag, "."), depth - 1, lines);
    }
  }
}

}  // namespace

absl::Status SetField(const pb::Descriptor& type, const std::string& path, const std::string& value,
                      json& request) {
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  for (const auto& part : parts) {
    if (part.empty()) return Bad(path, "empty field name");
  }
  return Set(path, type, parts, 0, value, request);
}

std::string DescribeFields(const pb::Descriptor& type, int depth) {
  std::vector<std::string> lines;
  Describe(type, "", depth, lines);
  return absl::StrJoin(lines, "\n");
}

}  // namespace crm::crmctl
