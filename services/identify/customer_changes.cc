#include "services/identify/customer_changes.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/field_mask_util.h"

namespace crm::identify {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

std::string ScalarText(const Message& m, const FieldDescriptor* f) {
  const auto* r = m.GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return r->GetString(m, f);
    case FieldDescriptor::CPPTYPE_ENUM:
      return r->GetEnumValue(m, f) == 0 ? "" : r->GetEnum(m, f)->name();
    case FieldDescriptor::CPPTYPE_INT32:
      return r->GetInt32(m, f) == 0 ? "" : absl::StrCat(r->GetInt32(m, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return r->GetInt64(m, f) == 0 ? "" : absl::StrCat(r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetBool(m, f) ? "true" : "";
    default:
      return "";
  }
}

void Flatten(const Message& m, const std::string& prefix, std::map<std::string, std::string>& out) {
  const auto* descriptor = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* f = descriptor->field(i);
    const std::string path = prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
    if (f->is_repeated()) {
      std::vector<std::string> items;
      for (int j = 0; j < r->FieldSize(m, f); ++j) {
        std::string text;
        google::protobuf::TextFormat::Printer printer;
        printer.SetSingleLineMode(true);
        printer.PrintToString(r->GetRepeatedMessage(m, f, j), &text);
        items.push_back(std::string(absl::StripAsciiWhitespace(text)));
      }
      if (!items.empty()) out[path] = absl::StrCat("[", absl::StrJoin(items, "; "), "]");
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (!r->HasField(m, f)) continue;
      const Message& sub = r->GetMessage(m, f);
      if (const auto* date = dynamic_cast<const google::type::Date*>(&sub)) {
        out[path] = absl::StrFormat("%04d-%02d-%02d", date->year(), date->month(), date->day());
      } else {
        Flatten(sub, path, out);
      }
    } else if (std::string text = ScalarText(m, f); !text.empty()) {
      out[path] = std::move(text);
    }
  }
}

// Paths UpdateCustomer accepts: these top-level fields and anything below
// the three sub-messages.
bool IsUpdatablePath(absl::string_view path) {
  for (absl::string_view top : {"display_name", "category", "person", "organization", "address",
                                "attributes"}) {
    if (path == top || absl::StartsWith(path, absl::StrCat(top, "."))) return true;
  }
  return false;
}

}  // namespace

std::map<std::string, std::string> FlattenCustomer(const v1::Customer& customer) {
  std::map<std::string, std::string> out;
  v1::Customer data;
  data.set_display_name(customer.display_name());
  data.set_category(customer.category());
  *data.mutable_person() = customer.person();
  *data.mutable_organization() = customer.organization();
  *data.mutable_address() = customer.address();
  if (!customer.has_person()) data.clear_person();
  if (!customer.has_organization()) data.clear_organization();
  if (!customer.has_address()) data.clear_address();
  Flatten(data, "", out);
  for (const auto& [key, value] : customer.attributes()) {
    out[absl::StrCat("attributes.", key)] = value;
  }
  return out;
}

std::vector<FieldChange> DiffCustomers(const v1::Customer& before, const v1::Customer& after) {
  const auto old_fields = FlattenCustomer(before);
  const auto new_fields = FlattenCustomer(after);
  std::vector<FieldChange> changes;
  for (const auto& [field, value] : old_fields) {
    auto it = new_fields.find(field);
    const std::string new_value = it == new_fields.end() ? "" : it->second;
    if (new_value != value) changes.push_back({field, value, new_value});
  }
  for (const auto& [field, value] : new_fields) {
    if (!old_fields.contains(field)) changes.push_back({field, "", value});
  }
  return changes;
}

absl::Status ApplyUpdateMask(const v1::Customer& update, const google::protobuf::FieldMask& mask,
                             v1::Customer& target) {
  if (mask.paths().empty()) {
    return InvalidArgument("update_mask", "names no field; list the fields to change");
  }
  google::protobuf::FieldMask message_paths;
  for (const std::string& path : mask.paths()) {
    if (!IsUpdatablePath(path)) {
      return InvalidArgument("update_mask",
                             absl::StrCat("path \"", path,
                                          "\" cannot be updated (kind, lifecycle_status and "
                                          "identifiers have their own RPCs)"));
    }
    if (path == "attributes") {
      *target.mutable_attributes() = update.attributes();
    } else if (absl::StartsWith(path, "attributes.")) {
      const std::string key(absl::StripPrefix(path, "attributes."));
      auto it = update.attributes().find(key);
      if (it == update.attributes().end()) {
        target.mutable_attributes()->erase(key);
      } else {
        (*target.mutable_attributes())[key] = it->second;
      }
    } else {
      if (!google::protobuf::util::FieldMaskUtil::GetFieldDescriptors(
              v1::Customer::descriptor(), path, nullptr)) {
        return InvalidArgument("update_mask", absl::StrCat("path \"", path, "\" does not exist"));
      }
      message_paths.add_paths(path);
    }
  }
  google::protobuf::util::FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(update, message_paths, options, &target);
  return absl::OkStatus();
}

}  // namespace crm::identify
