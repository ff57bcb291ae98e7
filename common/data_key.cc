#include "common/data_key.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace crm {
namespace {

constexpr unsigned char kVersion = 1;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;

void HmacSha256(const unsigned char* key, absl::string_view data, unsigned char out[32]) {
  unsigned int len = 32;
  HMAC(EVP_sha256(), key, 32, reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       out, &len);
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

absl::Status Corrupt() {
  return Error(absl::StatusCode::kDataLoss, "SEALED_VALUE_UNREADABLE",
               "a sealed value does not open with the configured data key");
}

}  // namespace

absl::StatusOr<DataKey> DataKey::FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return Error(absl::StatusCode::kInvalidArgument, "DATA_KEY_UNREADABLE",
                 absl::StrCat("cannot read the data key file ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return FromHex(text.str());
}

absl::StatusOr<DataKey> DataKey::FromHex(absl::string_view hex) {
  hex = absl::StripAsciiWhitespace(hex);
  bool is_hex = hex.size() == 64;
  for (char c : hex) is_hex = is_hex && absl::ascii_isxdigit(static_cast<unsigned char>(c));
  if (!is_hex) {
    return Error(absl::StatusCode::kInvalidArgument, "DATA_KEY_INVALID",
                 "the data key must be 64 hex characters (openssl rand -hex 32)");
  }
  const std::string master = absl::HexStringToBytes(hex);
  const auto* master_bytes = reinterpret_cast<const unsigned char*>(master.data());
  DataKey key;
  HmacSha256(master_bytes, "crm seal key v1", key.seal_key_);
  HmacSha256(master_bytes, "crm index key v1", key.index_key_);
  return key;
}

std::string DataKey::Seal(absl::string_view plaintext, absl::string_view context) const {
  std::string out(1 + kNonceSize + plaintext.size() + kTagSize, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  bytes[0] = kVersion;
  unsigned char* nonce = bytes + 1;
  RAND_bytes(nonce, kNonceSize);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, seal_key_, nonce);
  EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(context.data()),
                    static_cast<int>(context.size()));
  EVP_EncryptUpdate(ctx.get(), nonce + kNonceSize, &len,
                    reinterpret_cast<const unsigned char*>(plaintext.data()),
                    static_cast<int>(plaintext.size()));
  EVP_EncryptFinal_ex(ctx.get(), nonce + kNonceSize + len, &len);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                      nonce + kNonceSize + plaintext.size());
  return out;
}

absl::StatusOr<std::string> DataKey::Open(absl::string_view sealed,
                                          absl::string_view context) const {
  if (sealed.size() < 1 + kNonceSize + kTagSize || sealed[0] != kVersion) return Corrupt();
  const auto* bytes = reinterpret_cast<const unsigned char*>(sealed.data());
  const unsigned char* nonce = bytes + 1;
  const size_t text_size = sealed.size() - 1 - kNonceSize - kTagSize;
  std::string plaintext(text_size, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, seal_key_, nonce);
  EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(context.data()),
                    static_cast<int>(context.size()));
  EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &len,
                    nonce + kNonceSize, static_cast<int>(text_size));
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize,
                      const_cast<unsigned char*>(nonce + kNonceSize + text_size));
  unsigned char final_block[16];
  if (EVP_DecryptFinal_ex(ctx.get(), final_block, &len) != 1) return Corrupt();
  return plaintext;
}

std::string DataKey::Hash(absl::string_view domain, absl::string_view value) const {
  std::string data = absl::StrCat(domain, absl::string_view("\0", 1), value);
  unsigned char out[32];
  HmacSha256(index_key_, data, out);
  return std::string(reinterpret_cast<const char*>(out), 32);
}

}  // namespace crm
