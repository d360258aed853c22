#include "settings/secret_box.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

namespace llmscope::settings {
namespace {

constexpr std::string_view kPrefix = "v1:";
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;

Error KeyError(const std::string& path, const std::string& why) {
  return Error{"secret_key_error", "secret key file " + path + ": " + why};
}

Error Unreadable() {
  return Error{"secret_unreadable",
               "a stored secret cannot be opened: it was sealed with another key file, or changed"};
}

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::string EncodeBase64(const std::vector<unsigned char>& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// The bytes of padded Base64 text; nullopt when it is not Base64.
std::optional<std::vector<unsigned char>> DecodeBase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::vector<unsigned char> out(text.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t size = static_cast<size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes.
  if (text.back() == '=') --size;
  if (text[text.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

}  // namespace

Result<SecretBox> SecretBox::OpenKeyFile(const std::string& path) {
  std::array<unsigned char, kKeySize> key{};
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    std::error_code ec;
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (RAND_bytes(key.data(), kKeySize) != 1) return KeyError(path, "no random bytes");
    const int out = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out >= 0) {
      const bool written = write(out, key.data(), kKeySize) == static_cast<ssize_t>(kKeySize);
      const bool synced = fsync(out) == 0;
      close(out);
      if (!written || !synced) return KeyError(path, "cannot be written");
      return SecretBox(key);
    }
    if (errno != EEXIST) return KeyError(path, std::strerror(errno));
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);  // another server made it first
  }
  if (fd < 0) return KeyError(path, std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
    close(fd);
    return KeyError(path, "must be readable by its owner only (chmod 600)");
  }
  const ssize_t n = read(fd, key.data(), kKeySize);
  unsigned char extra = 0;
  const ssize_t more = read(fd, &extra, 1);
  close(fd);
  if (n != static_cast<ssize_t>(kKeySize) || more != 0) {
    return KeyError(path, "must hold exactly 32 bytes");
  }
  return SecretBox(key);
}

std::string SecretBox::Seal(std::string_view plaintext) const {
  std::vector<unsigned char> out(kNonceSize + plaintext.size() + kTagSize);
  RAND_bytes(out.data(), kNonceSize);
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), out.data());
  EVP_EncryptUpdate(ctx.get(), out.data() + kNonceSize, &len,
                    reinterpret_cast<const unsigned char*>(plaintext.data()),
                    static_cast<int>(plaintext.size()));
  EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonceSize + len, &len);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                      out.data() + kNonceSize + plaintext.size());
  return std::string(kPrefix) + EncodeBase64(out);
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
  if (!sealed.starts_with(kPrefix)) return Unreadable();
  std::optional<std::vector<unsigned char>> bytes = DecodeBase64(sealed.substr(kPrefix.size()));
  if (!bytes || bytes->size() < kNonceSize + kTagSize) return Unreadable();
  const size_t text_size = bytes->size() - kNonceSize - kTagSize;
  std::string plain(text_size, '\0');
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), bytes->data());
  EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                    bytes->data() + kNonceSize, static_cast<int>(text_size));
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize,
                      bytes->data() + kNonceSize + text_size);
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) !=
      1) {
    return Unreadable();
  }
  return plain;
}

}  // namespace llmscope::settings
