#include "telemetry/host_telemetry.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "telemetry/gpu_telemetry.h"

namespace llmscope::telemetry {
namespace {

std::optional<double> MemoryPercent() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t value = 0, total = 0, available = 0;
  std::string unit;
  while (in >> key >> value) {
    std::getline(in, unit);
    if (key == "MemTotal:") total = value;
    if (key == "MemAvailable:") available = value;
  }
  if (total == 0) return std::nullopt;
  return 100.0 * static_cast<double>(total - available) / static_cast<double>(total);
}

}  // namespace

bool HostTelemetry::ReadCpu(CpuTimes& out) {
  std::ifstream in("/proc/stat");
  std::string cpu;
  uint64_t user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (!(in >> cpu >> user >> nice >> system >> idle) || cpu != "cpu") return false;
  in >> iowait >> irq >> softirq >> steal;
  const uint64_t idle_all = idle + iowait;
  out.total = user + nice + system + idle_all + irq + softirq + steal;
  out.busy = out.total - idle_all;
  return true;
}

Telemetry HostTelemetry::Read() {
  Telemetry t;
  t.memory_percent = MemoryPercent();
  const GpuReading gpu = GpuTelemetry::Read();
  t.gpu_percent = gpu.gpu_percent;
  t.gpu_memory_percent = gpu.gpu_memory_percent;
  t.gpu_temp_c = gpu.gpu_temp_c;
  std::lock_guard<std::mutex> lock(mu_);
  CpuTimes now;
  if (!have_last_) {
    if (!ReadCpu(last_)) return t;
    have_last_ = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!ReadCpu(now)) return t;
  if (now.total > last_.total) {
    t.cpu_percent = 100.0 * static_cast<double>(now.busy - last_.busy) /
                    static_cast<double>(now.total - last_.total);
  }
  last_ = now;
  return t;
}

}  // namespace llmscope::telemetry
