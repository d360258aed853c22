// GPU telemetry through NVML, loaded at run time with dlopen("libnvidia-ml.so.1"): no build
// dependency, and a host without the NVIDIA driver or without a GPU simply reports nulls.
// Reads GPU 0: utilisation %, memory in use % and temperature °C.
//
// Thread-safe: the library is opened and initialised once, on the first Read(), and kept until
// the process exits (NVML is itself thread-safe).
#pragma once

#include <optional>

namespace llmscope::telemetry {

struct GpuReading {
  std::optional<double> gpu_percent, gpu_memory_percent, gpu_temp_c;
};

class GpuTelemetry {
 public:
  // All fields null when libnvidia-ml cannot be loaded, NVML does not initialise, there is no
  // GPU 0, or a query fails (each field on its own).
  static GpuReading Read();
};

}  // namespace llmscope::telemetry
