#include "server/api_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace llmscope::server {
namespace {

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t a = s.find_first_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a);
}

Result<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{"key_file", "cannot read the API key file " + path};
  std::stringstream buf;
  buf << in.rdbuf();
  std::string key = Trimmed(buf.str());
  if (key.empty()) return Error{"key_file", "the API key file " + path + " is empty"};
  return key;
}

}  // namespace

Result<std::string> GenerateApiKey() {
  unsigned char bytes[32];
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"key_file", std::string("cannot open /dev/urandom: ") + strerror(errno)};
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = read(fd, bytes + got, sizeof bytes - got);
    if (n <= 0) {
      close(fd);
      return Error{"key_file", "cannot read /dev/urandom"};
    }
    got += static_cast<size_t>(n);
  }
  close(fd);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key;
  for (unsigned char b : bytes) {
    key += kHex[b >> 4];
    key += kHex[b & 15];
  }
  return key;
}

Result<ApiKey> ResolveApiKey(std::string_view env_value, const std::string& key_file,
                             const std::string& data_dir) {
  if (!env_value.empty()) {
    return ApiKey{std::string(env_value), "the LLMSCOPE_API_KEY environment variable", false};
  }
  if (!key_file.empty()) {
    Result<std::string> key = ReadKeyFile(key_file);
    if (!key) return key.error();
    return ApiKey{*key, "the file " + key_file, false};
  }
  const std::string path = (std::filesystem::path(data_dir) / "api_key").string();
  if (std::filesystem::exists(path)) {
    Result<std::string> key = ReadKeyFile(path);
    if (!key) return key.error();
    return ApiKey{*key, "the file " + path, false};
  }
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  Result<std::string> key = GenerateApiKey();
  if (!key) return key.error();
  // O_EXCL: two servers starting at once never overwrite each other's key.
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Error{"key_file", "cannot create " + path + ": " + strerror(errno)};
  const std::string line = *key + "\n";
  const bool written = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool synced = fsync(fd) == 0;
  close(fd);
  if (!written || !synced) return Error{"key_file", "cannot write " + path};
  return ApiKey{*key, "the file " + path + " (generated now)", true};
}

bool KeysEqual(std::string_view a, std::string_view b) {
  // Compare over the longer length so that the loop count reveals only the lengths' maximum.
  const size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

}  // namespace llmscope::server
