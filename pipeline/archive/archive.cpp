#include "archive/archive.h"

#include <openssl/evp.h>

#include "archive/postgresql_archive.h"
#include "archive/sqlite_archive.h"

namespace kanta::archive {

Result<std::unique_ptr<Archive>> OpenArchive(std::string_view url) {
  if (url.starts_with("sqlite:")) return OpenSqliteArchive(url);
  if (url.starts_with("postgresql:") || url.starts_with("postgres:")) {
    return OpenPostgresqlArchive(url);
  }
  return InvalidArgument("archive URL \"" + std::string(url) +
                         "\": unknown scheme (use sqlite:PATH or postgresql://...)");
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // EVP_Digest cannot fail for SHA-256 on memory short of allocation failure,
  // in which case the empty string never matches a stored hash.
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return "";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(2 * length, '0');
  for (unsigned int i = 0; i < length; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0x0f];
  }
  return hex;
}

}  // namespace kanta::archive
