#include "services/identify/customer_rules.h"

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"
#include "common/text.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "services/identify/identifier_rules.h"

namespace crm::identify {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

size_t MaxLength(const FieldDescriptor& field) {
  return absl::EndsWith(field.name(), "_notes") || field.name() == "social_ties" ? 2000 : 200;
}

// Trims every string field of `message` and checks its length; enums must be
// known values and numbers non-negative.
absl::Status ValidateFields(Message& message, absl::string_view prefix) {
  const auto* reflection = message.GetReflection();
  const auto* descriptor = message.GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const std::string path = absl::StrCat(prefix, ".", field->name());
    if (field->is_repeated()) continue;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string value = reflection->GetString(message, field);
        if (absl::Status s = CheckText(path, value, 0, MaxLength(*field)); !s.ok()) return s;
        reflection->SetString(&message, field, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_ENUM:
        if (field->enum_type()->FindValueByNumber(reflection->GetEnumValue(message, field)) ==
            nullptr) {
          return InvalidArgument(path, "is not a known value");
        }
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        if (reflection->GetInt32(message, field) < 0) {
          return InvalidArgument(path, "must not be negative");
        }
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        if (reflection->GetInt64(message, field) < 0) {
          return InvalidArgument(path, "must not be negative");
        }
        break;
      default:
        break;
    }
  }
  return absl::OkStatus();
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

absl::Status ValidateBirthDate(const google::type::Date& date) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (date.year() == 0 && date.month() == 0 && date.day() == 0) return absl::OkStatus();
  const bool valid = date.year() >= 1900 && date.year() <= 2200 && date.month() >= 1 &&
                     date.month() <= 12 && date.day() >= 1 &&
                     date.day() <= kDays[date.month() - 1] &&
                     !(date.month() == 2 && date.day() == 29 && !IsLeapYear(date.year()));
  if (!valid) {
    return InvalidArgument("customer.person.birth_date", "is not a valid calendar date");
  }
  return absl::OkStatus();
}

absl::Status ValidateAttributes(v1::Customer& customer) {
  if (customer.attributes_size() > 100) {
    return InvalidArgument("customer.attributes", "holds at most 100 entries");
  }
  for (auto& [key, value] : *customer.mutable_attributes()) {
    bool key_ok = !key.empty() && key.size() <= 64;
    for (char c : key) {
      key_ok = key_ok && (absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' ||
                          c == '.' || c == '-');
    }
    if (!key_ok) {
      return InvalidArgument("customer.attributes", "keys are 1-64 characters of [a-z0-9_.-]");
    }
    if (absl::Status s = CheckText(absl::StrCat("customer.attributes.", key), value, 0, 1000);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

void MaskText(std::string* text) {
  if (!text->empty()) *text = "***";
}

}  // namespace

absl::Status ValidateCustomerData(v1::Customer& c) {
  if (c.category() == v1::CUSTOMER_CATEGORY_UNSPECIFIED ||
      !v1::CustomerCategory_IsValid(c.category())) {
    return InvalidArgument("customer.category",
                           "must be CONSUMER, INTERMEDIARY or PUBLIC_INTEREST");
  }
  if (absl::Status s = CheckText("customer.display_name", *c.mutable_display_name(), 1, 200);
      !s.ok()) {
    return s;
  }
  if (c.kind() == v1::CUSTOMER_KIND_PERSON && c.has_organization()) {
    return InvalidArgument("customer.organization", "applies only to ORGANIZATION customers");
  }
  if (c.kind() == v1::CUSTOMER_KIND_ORGANIZATION && c.has_person()) {
    return InvalidArgument("customer.person", "applies only to PERSON customers");
  }
  if (absl::Status s = ValidateFields(*c.mutable_person(), "customer.person"); !s.ok()) return s;
  if (absl::Status s = ValidateBirthDate(c.person().birth_date()); !s.ok()) return s;
  auto& org = *c.mutable_organization();
  if (absl::Status s = ValidateFields(org, "customer.organization"); !s.ok()) return s;
  if (!org.currency_code().empty() &&
      (org.currency_code().size() != 3 ||
       !absl::c_all_of(org.currency_code(), [](char ch) { return absl::ascii_isupper(ch); }))) {
    return InvalidArgument("customer.organization.currency_code", "must be an ISO 4217 code");
  }
  if (org.key_contacts_size() > 20) {
    return InvalidArgument("customer.organization.key_contacts", "holds at most 20 contacts");
  }
  for (int i = 0; i < org.key_contacts_size(); ++i) {
    if (absl::Status s = ValidateFields(*org.mutable_key_contacts(i),
                                        absl::StrCat("customer.organization.key_contacts[", i, "]"));
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = ValidateFields(*c.mutable_address(), "customer.address"); !s.ok()) return s;
  if (!c.address().country_code().empty()) {
    std::string upper = absl::AsciiStrToUpper(c.address().country_code());
    if (upper.size() != 2 || !absl::c_all_of(upper, [](char ch) { return absl::ascii_isupper(ch); })) {
      return InvalidArgument("customer.address.country_code", "must be ISO 3166-1 alpha-2");
    }
    c.mutable_address()->set_country_code(upper);
  }
  // Empty sub-messages are not stored, so reads return what was written.
  if (c.person().ByteSizeLong() == 0) c.clear_person();
  if (c.organization().ByteSizeLong() == 0) c.clear_organization();
  if (c.address().ByteSizeLong() == 0) c.clear_address();
  return ValidateAttributes(c);
}

absl::Status ValidateSource(v1::Source& source, bool required) {
  if (!v1::CollectionChannel_IsValid(source.channel()) ||
      (required && source.channel() == v1::COLLECTION_CHANNEL_UNSPECIFIED)) {
    return InvalidArgument("source.channel", "must be a known collection channel");
  }
  if (absl::Status s = CheckText("source.system", *source.mutable_system(), 0, 100); !s.ok()) {
    return s;
  }
  return CheckText("source.actor", *source.mutable_actor(), 0, 100);
}

std::string MaskName(absl::string_view name) {
  std::vector<std::string> words;
  for (absl::string_view word : absl::StrSplit(name, ' ', absl::SkipEmpty())) {
    size_t first = 1;
    while (first < word.size() && (static_cast<unsigned char>(word[first]) & 0xC0) == 0x80) {
      ++first;
    }
    const size_t rest = Utf8Length(word.substr(first));
    if (rest == 0 || rest == std::string::npos) {
      words.push_back("*");  // a one-character name shows nothing
    } else {
      words.push_back(absl::StrCat(word.substr(0, first), std::string(rest, '*')));
    }
  }
  return absl::StrJoin(words, " ");
}

void MaskCustomer(v1::Customer& c) {
  for (auto& id : *c.mutable_identifiers()) id.set_value(MaskIdentifierValue(id.type(), id.value()));
  if (c.kind() == v1::CUSTOMER_KIND_ORGANIZATION) {
    for (auto& contact : *c.mutable_organization()->mutable_key_contacts()) {
      contact.set_name(MaskName(contact.name()));
      MaskText(contact.mutable_phone());
      MaskText(contact.mutable_email());
    }
  } else {
    c.set_display_name(MaskName(c.display_name()));
  }
  if (c.has_person()) {
    auto& p = *c.mutable_person();
    p.set_given_name(MaskName(p.given_name()));
    p.set_family_name(MaskName(p.family_name()));
    p.mutable_birth_date()->set_month(0);
    p.mutable_birth_date()->set_day(0);
    if (p.birth_date().year() == 0) p.clear_birth_date();
    MaskText(p.mutable_consumption_notes());
    MaskText(p.mutable_personality_notes());
    MaskText(p.mutable_social_ties());
    MaskText(p.mutable_income_band());
  }
  if (c.has_address() && c.kind() != v1::CUSTOMER_KIND_ORGANIZATION) {
    auto& a = *c.mutable_address();
    MaskText(a.mutable_street_number());
    MaskText(a.mutable_street());
    MaskText(a.mutable_address_line2());
  }
}

}  // namespace crm::identify
