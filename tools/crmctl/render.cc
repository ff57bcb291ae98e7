#include "tools/crmctl/render.h"

#include "absl/strings/str_cat.h"

namespace crm::crmctl {
namespace {

using json = nlohmann::ordered_json;

std::string Scalar(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

bool IsScalar(const json& value) { return !value.is_object() && !value.is_array(); }

void Render(const json& value, const std::string& indent, std::string& out);

void RenderItems(const json& list, const std::string& indent, std::string& out) {
  for (const json& item : list) {
    if (IsScalar(item)) {
      absl::StrAppend(&out, indent, "- ", Scalar(item), "\n");
      continue;
    }
    // "- " then the item's first line; the rest aligned under it.
    std::string body;
    Render(item, indent + "  ", body);
    if (body.empty()) {
      absl::StrAppend(&out, indent, "- ", item.is_array() ? "[]" : "{}", "\n");
      continue;
    }
    absl::StrAppend(&out, indent, "- ", body.substr(indent.size() + 2));
  }
}

void Render(const json& value, const std::string& indent, std::string& out) {
  for (const auto& [key, field] : value.items()) {
    if (IsScalar(field)) {
      absl::StrAppend(&out, indent, key, ": ", Scalar(field), "\n");
    } else if (field.empty()) {
      absl::StrAppend(&out, indent, key, ": ", field.is_array() ? "[]" : "{}", "\n");
    } else if (field.is_array()) {
      absl::StrAppend(&out, indent, key, ":\n");
      RenderItems(field, indent + "  ", out);
    } else {
      absl::StrAppend(&out, indent, key, ":\n");
      Render(field, indent + "  ", out);
    }
  }
}

}  // namespace

std::string RenderReadable(const json& response) {
  if (response.empty()) return "ok\n";
  std::string out;
  Render(response, "", out);
  return out;
}

}  // namespace crm::crmctl
