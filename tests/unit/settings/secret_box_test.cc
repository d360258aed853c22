// SecretBox: sealing round-trips, refuses tampering and other keys, and keeps its key in a file
// only its owner can read.
#include "settings/secret_box.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace llmscope::settings {
namespace {

class KeyDir : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "llmscope_key_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

std::array<unsigned char, SecretBox::kKeySize> Key(unsigned char fill) {
  std::array<unsigned char, SecretBox::kKeySize> key{};
  key.fill(fill);
  return key;
}

TEST(SecretBox, SealsAndOpensWithAFreshNonceEachTime) {
  SecretBox box(Key(7));
  const std::string secret = "sk-live-0123456789";
  const std::string a = box.Seal(secret), b = box.Seal(secret);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find(secret), std::string::npos);
  EXPECT_TRUE(a.starts_with("v1:"));
  ASSERT_TRUE(box.Open(a).ok());
  EXPECT_EQ(*box.Open(a), secret);
  EXPECT_EQ(*box.Open(b), secret);
  EXPECT_EQ(*box.Open(box.Seal("")), "");
}

TEST(SecretBox, RefusesAnotherKeyAChangedByteAndText) {
  SecretBox box(Key(1)), other(Key(2));
  std::string sealed = box.Seal("password");
  EXPECT_EQ(other.Open(sealed).error().code, "secret_unreadable");
  std::string changed = sealed;
  changed[10] = changed[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(box.Open(changed).error().code, "secret_unreadable");
  EXPECT_EQ(box.Open("password").error().code, "secret_unreadable");
  EXPECT_EQ(box.Open("v1:").error().code, "secret_unreadable");
  EXPECT_EQ(box.Open("v1:!!!!").error().code, "secret_unreadable");
  EXPECT_EQ(box.Open(sealed.substr(0, 12)).error().code, "secret_unreadable");
}

TEST_F(KeyDir, MakesAKeyFileReadableByItsOwnerOnlyAndReadsItBack) {
  const std::string path = dir_ + "/sub/secret.key";
  Result<SecretBox> made = SecretBox::OpenKeyFile(path);
  ASSERT_TRUE(made.ok()) << made.error().message;
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  const std::string sealed = made->Seal("token");
  Result<SecretBox> again = SecretBox::OpenKeyFile(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again->Open(sealed), "token");
}

TEST_F(KeyDir, RefusesAKeyFileOthersCanReadOrOfTheWrongSize) {
  const std::string path = dir_ + "/secret.key";
  ASSERT_TRUE(SecretBox::OpenKeyFile(path).ok());
  chmod(path.c_str(), 0644);
  Result<SecretBox> open = SecretBox::OpenKeyFile(path);
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.error().code, "secret_key_error");
  EXPECT_NE(open.error().message.find("chmod 600"), std::string::npos);

  const std::string short_path = dir_ + "/short.key";
  std::ofstream(short_path) << "too short";
  chmod(short_path.c_str(), 0600);
  Result<SecretBox> short_key = SecretBox::OpenKeyFile(short_path);
  ASSERT_FALSE(short_key.ok());
  EXPECT_NE(short_key.error().message.find("32 bytes"), std::string::npos);
}

}  // namespace
}  // namespace llmscope::settings
