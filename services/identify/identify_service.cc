#include "services/identify/identify_service.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "common/paging.h"
#include "common/sql_util.h"
#include "common/text.h"
#include "services/identify/customer_changes.h"
#include "services/identify/customer_rules.h"

namespace crm::identify {
namespace {

constexpr int kMaxIdentifiersOnCreate = 20;

absl::Status CheckCustomerId(absl::string_view id, absl::string_view field = "customer_id") {
  if (!IsValidId(id)) return InvalidArgument(field, "must be a 26-character customer id");
  return absl::OkStatus();
}

absl::StatusOr<v1::Source> SourceOf(const v1::Source& source) {
  v1::Source out = source;
  if (out.channel() == v1::COLLECTION_CHANNEL_UNSPECIFIED) {
    out.set_channel(v1::COLLECTION_CHANNEL_SERVICE);
  }
  if (absl::Status s = ValidateSource(out, /*required=*/true); !s.ok()) return s;
  return out;
}

// History values of personal fields, masked like the fields themselves.
std::string MaskHistoryValue(absl::string_view field, absl::string_view value) {
  if (value.empty()) return "";
  if (field == "category" || field == "lifecycle_status" || absl::StartsWith(field, "attributes.") ||
      (absl::StartsWith(field, "organization.") && field != "organization.key_contacts") ||
      absl::StartsWith(field, "address.locality") || absl::StartsWith(field, "address.region") ||
      absl::StartsWith(field, "address.country_code") || field == "person.gender" ||
      field == "person.education_level" || field == "person.marital_status") {
    return std::string(value);
  }
  if (absl::StartsWith(field, "identifiers.")) {
    std::string type_name(absl::StripPrefix(field, "identifiers."));
    type_name = type_name.substr(0, type_name.find(':'));
    v1::IdentifierType type = v1::IDENTIFIER_TYPE_UNSPECIFIED;
    v1::IdentifierType_Parse(absl::StrCat("IDENTIFIER_TYPE_", type_name), &type);
    return MaskIdentifierValue(type, value);
  }
  if (field == "display_name" || field == "person.given_name" || field == "person.family_name") {
    return MaskName(value);
  }
  if (field == "person.birth_date") return absl::StrCat(value.substr(0, 4), "-**-**");
  return "***";
}

std::string ContactCursor(const v1::Contact& c) {
  return absl::StrCat(ToSqlDatetime(FromProtoTimestamp(c.contact_time())), "|", c.contact_id());
}

}  // namespace

absl::StatusOr<NormalizedIdentifier> IdentifyService::Normalize(const v1::Identifier& id,
                                                                absl::string_view request_region,
                                                                absl::string_view field) const {
  auto normalized = NormalizeIdentifier(
      id, request_region.empty() ? options_.default_region : request_region, field);
  if (!normalized.ok()) return normalized.status();
  if (options_.junk.IsJunk(*normalized)) {
    return Error(absl::StatusCode::kInvalidArgument, "JUNK_IDENTIFIER",
                 absl::StrCat(field, " is a placeholder or shared value that cannot identify "
                                     "one customer"),
                 {{"field", std::string(field)}});
  }
  return normalized;
}

absl::StatusOr<bool> IdentifyService::FullView(v1::CustomerView view, const Caller& caller) const {
  if (!v1::CustomerView_IsValid(view)) return InvalidArgument("view", "is not a known view");
  if (view != v1::CUSTOMER_VIEW_FULL) return false;
  if (!caller.may_view_full) {
    return Error(absl::StatusCode::kPermissionDenied, "FULL_VIEW_NOT_ALLOWED",
                 "this caller may not read unmasked personal data; ask for CUSTOMER_VIEW_MASKED");
  }
  return true;
}

absl::Status IdentifyService::Present(bool full, const Caller& caller, absl::string_view method,
                                      v1::Customer& customer) {
  if (!full) {
    MaskCustomer(customer);
    return absl::OkStatus();
  }
  for (auto& id : *customer.mutable_identifiers()) {
    if (id.type() == v1::IDENTIFIER_TYPE_NATIONAL_ID) id.set_value("****");
  }
  return store_->AuditAccess(caller.principal, caller.peer, method, customer.customer_id());
}

absl::StatusOr<v1::CreateCustomerResponse> IdentifyService::CreateCustomer(
    const v1::CreateCustomerRequest& request) {
  auto key = MakeRequestKey("CreateCustomer", request.request_id(), request);
  if (!key.ok()) return key.status();
  NewCustomer input;
  v1::Customer& customer = input.customer;
  customer = request.customer();
  if (customer.kind() == v1::CUSTOMER_KIND_UNSPECIFIED || !v1::CustomerKind_IsValid(customer.kind())) {
    return InvalidArgument("customer.kind", "must be PERSON or ORGANIZATION");
  }
  if (!v1::LifecycleStatus_IsValid(customer.lifecycle_status())) {
    return InvalidArgument("customer.lifecycle_status", "is not a known status");
  }
  if (absl::Status s = ValidateCustomerData(customer); !s.ok()) return s;
  auto source = SourceOf(request.source());
  if (!source.ok()) return source.status();
  input.source = *source;
  if (customer.identifiers_size() > kMaxIdentifiersOnCreate) {
    return InvalidArgument("customer.identifiers", "holds at most 20 identifiers");
  }
  for (int i = 0; i < customer.identifiers_size(); ++i) {
    auto id = Normalize(customer.identifiers(i), request.default_region(),
                        absl::StrCat("customer.identifiers[", i, "]"));
    if (!id.ok()) return id.status();
    input.identifiers.push_back(*std::move(id));
  }
  customer.clear_identifiers();
  const absl::Time now = clock_->Now();
  customer.set_customer_id(ids_->Next());
  if (customer.lifecycle_status() == v1::LIFECYCLE_STATUS_UNSPECIFIED) {
    customer.set_lifecycle_status(v1::LIFECYCLE_STATUS_POTENTIAL);
  }
  customer.set_state(v1::CUSTOMER_STATE_ACTIVE);
  ToProtoTimestamp(now, customer.mutable_create_time());
  ToProtoTimestamp(now, customer.mutable_update_time());
  auto created = store_->CreateCustomer(*key, input);
  if (!created.ok()) return created.status();
  v1::CreateCustomerResponse response;
  *response.mutable_customer() = *std::move(created);
  MaskCustomer(*response.mutable_customer());
  return response;
}

absl::StatusOr<v1::GetCustomerResponse> IdentifyService::GetCustomer(
    const v1::GetCustomerRequest& request, const Caller& caller) {
  if (absl::Status s = CheckCustomerId(request.customer_id()); !s.ok()) return s;
  auto full = FullView(request.view(), caller);
  if (!full.ok()) return full.status();
  auto found = store_->GetCustomer(request.customer_id());
  if (!found.ok()) return found.status();
  v1::GetCustomerResponse response;
  *response.mutable_customer() = std::move(found->customer);
  response.set_redirected_from(found->redirected_from);
  if (absl::Status s = Present(*full, caller, "GetCustomer", *response.mutable_customer());
      !s.ok()) {
    return s;
  }
  return response;
}

absl::StatusOr<v1::UpdateCustomerResponse> IdentifyService::UpdateCustomer(
    const v1::UpdateCustomerRequest& request) {
  auto key = MakeRequestKey("UpdateCustomer", request.request_id(), request);
  if (!key.ok()) return key.status();
  if (absl::Status s = CheckCustomerId(request.customer().customer_id(), "customer.customer_id");
      !s.ok()) {
    return s;
  }
  auto source = SourceOf(request.source());
  if (!source.ok()) return source.status();
  const ChangeContext context{*source, "", clock_->Now()};
  auto updated = store_->UpdateCustomer(
      *key, request.customer().customer_id(), request.etag(), context,
      [&](v1::Customer& customer) -> absl::Status {
        if (absl::Status s = ApplyUpdateMask(request.customer(), request.update_mask(), customer);
            !s.ok()) {
          return s;
        }
        return ValidateCustomerData(customer);
      });
  if (!updated.ok()) return updated.status();
  v1::UpdateCustomerResponse response;
  *response.mutable_customer() = *std::move(updated);
  MaskCustomer(*response.mutable_customer());
  return response;
}

absl::StatusOr<v1::ListCustomersResponse> IdentifyService::ListCustomers(
    const v1::ListCustomersRequest& request) {
  auto page_size = PageSize(request.page_size(), 100, 500);
  if (!page_size.ok()) return page_size.status();
  CustomerFilter filter;
  if (!v1::CustomerKind_IsValid(request.kind()) ||
      !v1::CustomerCategory_IsValid(request.category()) ||
      !v1::LifecycleStatus_IsValid(request.lifecycle_status())) {
    return InvalidArgument("filter", "kind, category and lifecycle_status must be known values");
  }
  filter.kind = request.kind();
  filter.category = request.category();
  filter.lifecycle_status = request.lifecycle_status();
  if (request.has_updated_since()) filter.updated_since = FromProtoTimestamp(request.updated_since());
  v1::ListCustomersRequest fingerprint = request;
  fingerprint.clear_page_size();
  fingerprint.clear_page_token();
  const std::string filter_text = fingerprint.SerializeAsString();
  auto after = DecodePageToken(request.page_token(), filter_text);
  if (!after.ok()) return after.status();
  auto customers = store_->ListCustomers(filter, *after, *page_size + 1);
  if (!customers.ok()) return customers.status();
  v1::ListCustomersResponse response;
  for (v1::Customer& c : *customers) {
    if (response.customers_size() == *page_size) {
      response.set_next_page_token(EncodePageToken(
          response.customers(response.customers_size() - 1).customer_id(), filter_text));
      break;
    }
    MaskCustomer(c);
    *response.add_customers() = std::move(c);
  }
  return response;
}

absl::StatusOr<v1::AddIdentifierResponse> IdentifyService::AddIdentifier(
    const v1::AddIdentifierRequest& request) {
  if (absl::Status s = CheckCustomerId(request.customer_id()); !s.ok()) return s;
  auto id = Normalize(request.identifier(), request.default_region(), "identifier");
  if (!id.ok()) return id.status();
  auto source = SourceOf(request.source());
  if (!source.ok()) return source.status();
  auto added = store_->AddIdentifier(request.customer_id(), *id, {*source, "", clock_->Now()});
  if (!added.ok()) return added.status();
  v1::AddIdentifierResponse response;
  *response.mutable_identifier() = *std::move(added);
  response.mutable_identifier()->set_value(
      MaskIdentifierValue(response.identifier().type(), response.identifier().value()));
  return response;
}

absl::StatusOr<v1::RemoveIdentifierResponse> IdentifyService::RemoveIdentifier(
    const v1::RemoveIdentifierRequest& request) {
  if (absl::Status s = CheckCustomerId(request.customer_id()); !s.ok()) return s;
  // Removing needs no junk check: an old junk value must remain removable.
  auto id = NormalizeIdentifier(request.identifier(),
                                request.default_region().empty() ? options_.default_region
                                                                 : request.default_region(),
                                "identifier");
  if (!id.ok()) return id.status();
  auto source = SourceOf(request.source());
  if (!source.ok()) return source.status();
  if (absl::Status s = store_->RemoveIdentifier(request.customer_id(), *id,
                                                {*source, "", clock_->Now()});
      !s.ok()) {
    return s;
  }
  return v1::RemoveIdentifierResponse();
}

absl::StatusOr<v1::LookupCustomerResponse> IdentifyService::LookupCustomer(
    const v1::LookupCustomerRequest& request, const Caller& caller) {
  auto full = FullView(request.view(), caller);
  if (!full.ok()) return full.status();
  auto id = NormalizeIdentifier(request.identifier(),
                                request.default_region().empty() ? options_.default_region
                                                                 : request.default_region(),
                                "identifier");
  if (!id.ok()) return id.status();
  auto customer = store_->LookupCustomer(*id);
  if (!customer.ok()) return customer.status();
  v1::LookupCustomerResponse response;
  *response.mutable_customer() = *std::move(customer);
  if (absl::Status s = Present(*full, caller, "LookupCustomer", *response.mutable_customer());
      !s.ok()) {
    return s;
  }
  return response;
}

absl::StatusOr<v1::GetCustomerHistoryResponse> IdentifyService::GetCustomerHistory(
    const v1::GetCustomerHistoryRequest& request, const Caller& caller) {
  if (absl::Status s = CheckCustomerId(request.customer_id()); !s.ok()) return s;
  auto full = FullView(request.view(), caller);
  if (!full.ok()) return full.status();
  auto page_size = PageSize(request.page_size(), 100, 500);
  if (!page_size.ok()) return page_size.status();
  auto cursor = DecodePageToken(request.page_token(), request.customer_id());
  if (!cursor.ok()) return cursor.status();
  int64_t before = 0;
  if (!cursor->empty() && !absl::SimpleAtoi(*cursor, &before)) {
    return InvalidArgument("page_token", "is not a history page token");
  }
  auto rows = store_->GetHistory(request.customer_id(), before, *page_size + 1);
  if (!rows.ok()) return rows.status();
  v1::GetCustomerHistoryResponse response;
  for (HistoryRow& row : *rows) {
    if (response.entries_size() == *page_size) {
      response.set_next_page_token(
          EncodePageToken(absl::StrCat((*rows)[*page_size - 1].entry_id), request.customer_id()));
      break;
    }
    if (!*full) {
      row.entry.set_old_value(MaskHistoryValue(row.entry.field(), row.entry.old_value()));
      row.entry.set_new_value(MaskHistoryValue(row.entry.field(), row.entry.new_value()));
    }
    *response.add_entries() = std::move(row.entry);
  }
  if (*full) {
    if (absl::Status s = store_->AuditAccess(caller.principal, caller.peer, "GetCustomerHistory",
                                             request.customer_id());
        !s.ok()) {
      return s;
    }
  }
  return response;
}

absl::StatusOr<v1::SetLifecycleStatusResponse> IdentifyService::SetLifecycleStatus(
    const v1::SetLifecycleStatusRequest& request) {
  if (absl::Status s = CheckCustomerId(request.customer_id()); !s.ok()) return s;
  if (request.status() == v1::LIFECYCLE_STATUS_UNSPECIFIED ||
      !v1::LifecycleStatus_IsValid(request.status())) {
    return InvalidArgument("status", "must be a known lifecycle status");
  }
  std::string reason = request.reason();
  if (absl::Status s = CheckText("reason", reason, 1, 500); !s.ok()) return s;
  auto source = SourceOf(request.source());
  if (!source.ok()) return source.status();
  auto customer = store_->SetLifecycleStatus(request.customer_id(), request.status(),
                                             {*source, reason, clock_->Now()});
  if (!customer.ok()) return customer.status();
  v1::SetLifecycleStatusResponse response;
  *response.mutable_customer() = *std::move(customer);
  MaskCustomer(*response.mutable_customer());
  return response;
}

absl::StatusOr<v1::RecordContactResponse> IdentifyService::RecordContact(
    const v1::RecordContactRequest& request) {
  auto key = MakeRequestKey("RecordContact", request.request_id(), request);
  if (!key.ok()) return key.status();
  v1::Contact contact = request.contact();
  if (absl::Status s = CheckCustomerId(contact.customer_id(), "contact.customer_id"); !s.ok()) {
    return s;
  }
  if (contact.channel() == v1::COLLECTION_CHANNEL_UNSPECIFIED ||
      !v1::CollectionChannel_IsValid(contact.channel())) {
    return InvalidArgument("contact.channel", "must be a known collection channel");
  }
  if (absl::Status s = CheckText("contact.kind", *contact.mutable_kind(), 1, 64); !s.ok()) return s;
  if (absl::Status s = CheckText("contact.reference", *contact.mutable_reference(), 0, 200);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText("contact.note", *contact.mutable_note(), 0, 1000); !s.ok()) {
    return s;
  }
  const absl::Time now = clock_->Now();
  if (!contact.has_contact_time()) ToProtoTimestamp(now, contact.mutable_contact_time());
  // Stored with microseconds; a few minutes of clock skew are tolerated.
  const absl::Time when = absl::FromUnixMicros(absl::ToUnixMicros(FromProtoTimestamp(contact.contact_time())));
  if (when < absl::FromUnixSeconds(0) || when > now + absl::Minutes(5)) {
    return InvalidArgument("contact.contact_time", "must be after 1970 and not in the future");
  }
  ToProtoTimestamp(when, contact.mutable_contact_time());
  contact.set_contact_id(ids_->Next());
  auto stored = store_->RecordContact(*key, contact);
  if (!stored.ok()) return stored.status();
  v1::RecordContactResponse response;
  *response.mutable_contact() = *std::move(stored);
  return response;
}

absl::StatusOr<v1::ListContactsResponse> IdentifyService::ListContacts(
    const v1::ListContactsRequest& request) {
  if (absl::Status s = CheckCustomerId(request.customer_id()); !s.ok()) return s;
  auto page_size = PageSize(request.page_size(), 100, 500);
  if (!page_size.ok()) return page_size.status();
  auto before = DecodePageToken(request.page_token(), request.customer_id());
  if (!before.ok()) return before.status();
  auto contacts = store_->ListContacts(request.customer_id(), *before, *page_size + 1);
  if (!contacts.ok()) return contacts.status();
  v1::ListContactsResponse response;
  for (v1::Contact& c : *contacts) {
    if (response.contacts_size() == *page_size) {
      response.set_next_page_token(EncodePageToken(
          ContactCursor(response.contacts(response.contacts_size() - 1)), request.customer_id()));
      break;
    }
    *response.add_contacts() = std::move(c);
  }
  return response;
}


absl::StatusOr<v1::RecordConsentResponse> IdentifyService::RecordConsent(
    const v1::RecordConsentRequest& request) {
  if (absl::Status s = CheckCustomerId(request.customer_id()); !s.ok()) return s;
  if (request.purpose() == v1::CONSENT_PURPOSE_UNSPECIFIED ||
      !v1::ConsentPurpose_IsValid(request.purpose())) {
    return InvalidArgument("purpose", "must be a known consent purpose");
  }
  auto source = SourceOf(request.source());
  if (!source.ok()) return source.status();
  auto consents = store_->RecordConsent(request.customer_id(), request.purpose(),
                                        request.granted(), {*source, "", clock_->Now()});
  if (!consents.ok()) return consents.status();
  v1::RecordConsentResponse response;
  for (v1::Consent& c : *consents) *response.add_consents() = std::move(c);
  return response;
}

absl::StatusOr<v1::EraseCustomerResponse> IdentifyService::EraseCustomer(
    const v1::EraseCustomerRequest& request) {
  if (absl::Status s = CheckCustomerId(request.customer_id()); !s.ok()) return s;
  std::string reason = request.reason();
  if (absl::Status s = CheckText("reason", reason, 1, 500); !s.ok()) return s;
  auto source = SourceOf(request.source());
  if (!source.ok()) return source.status();
  auto customer = store_->EraseCustomer(request.customer_id(), {*source, reason, clock_->Now()});
  if (!customer.ok()) return customer.status();
  v1::EraseCustomerResponse response;
  *response.mutable_customer() = *std::move(customer);
  MaskCustomer(*response.mutable_customer());
  return response;
}

}  // namespace crm::identify
