// A fresh directory under /tmp for one test, removed with everything in it when it goes.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace llmscope::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "llmscope-test") {
    std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to the file `name` and returns its path.
  std::string Write(const std::string& name, const std::string& content) const {
    std::ofstream(File(name)) << content;
    return File(name);
  }

 private:
  std::string path_;
};

}  // namespace llmscope::testing
