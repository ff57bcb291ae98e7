#ifndef CRM_COMMON_DATA_KEY_H_
#define CRM_COMMON_DATA_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace crm {

// The key that protects personal data at rest. One 256-bit master key (a
// file holding 64 hex characters, never in the repository) derives two keys:
// one seals values with AES-256-GCM, one computes keyed hashes (HMAC-SHA256)
// used as blind indexes, so that equal values can be found without storing
// them in clear.
class DataKey {
 public:
  // Reads the hex key from `path`; INVALID_ARGUMENT when it is not 64 hex
  // characters (surrounding whitespace allowed).
  static absl::StatusOr<DataKey> FromFile(const std::string& path);
  static absl::StatusOr<DataKey> FromHex(absl::string_view hex);

  // version(1) | nonce(12) | ciphertext | tag(16). `context` (e.g. the row's
  // customer id) is authenticated, so a sealed value cannot be moved to
  // another row unnoticed.
  std::string Seal(absl::string_view plaintext, absl::string_view context) const;
  // DATA_LOSS when the value was not sealed by this key for this context.
  absl::StatusOr<std::string> Open(absl::string_view sealed, absl::string_view context) const;

  // HMAC-SHA256(index key, domain || 0x00 || value): 32 raw bytes.
  std::string Hash(absl::string_view domain, absl::string_view value) const;

 private:
  DataKey() = default;
  unsigned char seal_key_[32];
  unsigned char index_key_[32];
};

}  // namespace crm

#endif  // CRM_COMMON_DATA_KEY_H_
