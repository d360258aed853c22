// Host telemetry from /proc (Linux): CPU % over the interval since the previous reading and
// memory % in use; GPU utilisation, memory % and temperature of GPU 0 through NVML loaded at run
// time (gpu_telemetry.h), null without the NVIDIA driver or a GPU.
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>

#include "core/sample.h"

namespace llmscope::telemetry {

class HostTelemetry {
 public:
  // CPU % since the last call (the first call measures over a short pause of ~100 ms);
  // null fields when /proc cannot be read.
  Telemetry Read();

 private:
  struct CpuTimes {
    uint64_t busy = 0, total = 0;
  };
  static bool ReadCpu(CpuTimes& out);
  std::mutex mu_;
  CpuTimes last_;
  bool have_last_ = false;
};

}  // namespace llmscope::telemetry
