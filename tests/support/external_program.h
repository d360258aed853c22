// The external programs some tests drive (promtool, prometheus, systemd-analyze, ...): where they
// are, and what a test does when one is missing — skip locally, FAIL when CI=true, so that CI
// never passes by skipping.
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace llmscope::testing {

// The absolute path of `name` found on PATH (then /usr/sbin, /sbin), or "" when there is none.
std::string FindProgram(const std::string& name);

// Whether the environment variable CI is "true".
bool RunningInCi();

}  // namespace llmscope::testing

// In a test body: declares `var` as the path of program `name`; when it is missing, fails the
// test under CI=true and skips it otherwise. `package` names the Debian package that has it.
#define LLMSCOPE_REQUIRE_PROGRAM(var, name, package)                          \
  const std::string var = ::llmscope::testing::FindProgram(name);             \
  if (var.empty()) {                                                          \
    if (::llmscope::testing::RunningInCi()) {                                 \
      FAIL() << name << " is missing (Debian package " << package             \
             << "; scripts/install-deps.sh installs it) and CI=true";         \
    }                                                                         \
    GTEST_SKIP() << name << " is missing (Debian package " << package << ")"; \
  }
