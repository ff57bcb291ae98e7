#ifndef CRM_COMMON_PAGING_H_
#define CRM_COMMON_PAGING_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace crm {

// AIP-158 paging. A page token carries the cursor of the last item returned
// and a fingerprint of the request's filters, so a token used with other
// filters is refused (INVALID_ARGUMENT / INVALID_PAGE_TOKEN). Tokens are
// opaque to callers but not secret.
std::string EncodePageToken(absl::string_view cursor, absl::string_view filter_fingerprint);
// "" for an empty token (the first page).
absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view filter_fingerprint);

// 0 -> default_size; 1..max_size as is; anything else INVALID_ARGUMENT.
absl::StatusOr<int> PageSize(int requested, int default_size, int max_size);

// Moves the first `page_size` of `items` (read with one extra, to know
// whether more follow) into `page`; returns the next page token, built from
// `cursor_of(last item)`, or "" on the last page.
template <typename Item, typename CursorOf>
std::string TakePage(std::vector<Item>& items, int page_size,
                     absl::string_view filter_fingerprint,
                     google::protobuf::RepeatedPtrField<Item>& page, CursorOf cursor_of) {
  const bool more = static_cast<int>(items.size()) > page_size;
  if (more) items.resize(page_size);
  for (Item& item : items) *page.Add() = std::move(item);
  return more ? EncodePageToken(cursor_of(page[page_size - 1]), filter_fingerprint) : "";
}

}  // namespace crm

#endif  // CRM_COMMON_PAGING_H_
