// FUZZ_CHECK: a property a fuzz target asserts about its input's result. A broken property
// aborts, which libFuzzer reports as a crash and saves the input (tests/fuzz/README.md).
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                               \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)
