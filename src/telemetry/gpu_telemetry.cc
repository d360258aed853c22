#include "telemetry/gpu_telemetry.h"

#include <dlfcn.h>

namespace llmscope::telemetry {
namespace {

// The few NVML types and entry points used, as nvml.h declares them (ABI-stable since v2).
using NvmlReturn = int;  // NVML_SUCCESS is 0
using NvmlDevice = struct NvmlDeviceOpaque*;
struct NvmlUtilization {
  unsigned int gpu, memory;
};
struct NvmlMemory {
  unsigned long long total, free, used;
};
constexpr int kNvmlTemperatureGpu = 0;

struct Nvml {
  NvmlReturn (*device_utilization)(NvmlDevice, NvmlUtilization*) = nullptr;
  NvmlReturn (*device_memory)(NvmlDevice, NvmlMemory*) = nullptr;
  NvmlReturn (*device_temperature)(NvmlDevice, int, unsigned int*) = nullptr;
  NvmlDevice device = nullptr;
  bool ready = false;
};

template <typename F>
bool Bind(void* lib, const char* name, F& out) {
  out = reinterpret_cast<F>(dlsym(lib, name));
  return out != nullptr;
}

Nvml Load() {
  Nvml n;
  void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return n;
  NvmlReturn (*init)() = nullptr;
  NvmlReturn (*handle_by_index)(unsigned int, NvmlDevice*) = nullptr;
  if (!Bind(lib, "nvmlInit_v2", init) ||
      !Bind(lib, "nvmlDeviceGetHandleByIndex_v2", handle_by_index) ||
      !Bind(lib, "nvmlDeviceGetUtilizationRates", n.device_utilization) ||
      !Bind(lib, "nvmlDeviceGetMemoryInfo", n.device_memory) ||
      !Bind(lib, "nvmlDeviceGetTemperature", n.device_temperature) || init() != 0 ||
      handle_by_index(0, &n.device) != 0) {
    dlclose(lib);
    return Nvml{};
  }
  n.ready = true;  // the library stays loaded and initialised for the process' lifetime
  return n;
}

}  // namespace

GpuReading GpuTelemetry::Read() {
  static const Nvml nvml = Load();  // thread-safe one-time initialisation
  GpuReading r;
  if (!nvml.ready) return r;
  NvmlUtilization util{};
  if (nvml.device_utilization(nvml.device, &util) == 0) r.gpu_percent = util.gpu;
  NvmlMemory mem{};
  if (nvml.device_memory(nvml.device, &mem) == 0 && mem.total > 0) {
    r.gpu_memory_percent = 100.0 * static_cast<double>(mem.used) / static_cast<double>(mem.total);
  }
  unsigned int temp = 0;
  if (nvml.device_temperature(nvml.device, kNvmlTemperatureGpu, &temp) == 0) r.gpu_temp_c = temp;
  return r;
}

}  // namespace llmscope::telemetry
