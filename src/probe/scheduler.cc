#include "probe/scheduler.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <queue>
#include <random>
#include <thread>

namespace llmscope::probe {

using Clock = std::chrono::steady_clock;

namespace {

struct Slot {
  Target target;
  std::unique_ptr<Provider> provider;
  size_t next_profile = 0;
  bool busy = false;               // dispatched or running
  Clock::time_point call_started;  // of the call running, when busy and taken by a worker
  int64_t dispatched = 0, calls = 0, errors = 0, skipped = 0;
};

struct Tick {
  Clock::time_point due;
  size_t slot;
  bool operator>(const Tick& o) const { return due > o.due; }
};

Clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

// Everything the threads touch, shared with them so that a worker stuck past Stop keeps its
// provider alive and the scheduler can be destroyed meanwhile.
struct ProbeScheduler::State {
  State(SampleSink s, telemetry::HostTelemetry& t, SchedulerOptions o)
      : sink(std::move(s)), telemetry(t), options(o) {}

  void TimerLoop();
  void WorkerLoop(size_t worker);
  Clock::duration Jittered(double interval_s);  // mu held

  std::vector<Slot> slots;
  SampleSink sink;
  telemetry::HostTelemetry& telemetry;
  const SchedulerOptions options;

  std::mutex mu;  // guards everything below
  std::condition_variable timer_cv, work_cv, idle_cv;
  std::priority_queue<Tick, std::vector<Tick>, std::greater<Tick>> ticks;
  std::deque<size_t> jobs;
  std::vector<bool> worker_busy;  // in a call or its sink
  int sinking = 0;
  bool started = false, stopping = false, closed = false, all_finished = true;
  std::mt19937_64 rng;
  std::thread timer;
  std::vector<std::thread> workers;
};

std::string PromptHash(std::string_view prompt) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : prompt) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

Clock::duration ProbeScheduler::State::Jittered(double interval_s) {
  const double j = std::clamp(options.jitter, 0.0, 0.9);
  return Seconds(interval_s * std::uniform_real_distribution<double>(1 - j, 1 + j)(rng));
}

void ProbeScheduler::State::TimerLoop() {
  std::unique_lock<std::mutex> lock(mu);
  while (!stopping) {
    if (ticks.empty()) {
      timer_cv.wait(lock, [&] { return stopping || !ticks.empty(); });
      continue;
    }
    const Tick tick = ticks.top();
    const Clock::time_point now = Clock::now();
    if (now < tick.due) {
      timer_cv.wait_until(lock, tick.due);
      continue;
    }
    ticks.pop();
    Slot& slot = slots[tick.slot];
    const int64_t max = options.max_calls;
    if (max > 0 && slot.dispatched >= max) continue;
    if (slot.busy) {
      ++slot.skipped;
    } else {
      slot.busy = true;
      ++slot.dispatched;
      jobs.push_back(tick.slot);
      work_cv.notify_one();
    }
    // Back-to-back targets are ticked again by their worker when the call ends.
    if (slot.target.interval_s > 0 && (max == 0 || slot.dispatched < max)) {
      ticks.push({std::max(tick.due + Jittered(slot.target.interval_s), now), tick.slot});
    }
  }
}

void ProbeScheduler::State::WorkerLoop(size_t worker) {
  std::unique_lock<std::mutex> lock(mu);
  while (true) {
    work_cv.wait(lock, [&] { return stopping || !jobs.empty(); });
    if (stopping) return;
    const size_t index = jobs.front();
    jobs.pop_front();
    Slot& slot = slots[index];
    const PromptProfile profile =
        slot.target.profiles[slot.next_profile++ % slot.target.profiles.size()];
    worker_busy[worker] = true;
    slot.call_started = Clock::now();
    lock.unlock();
    Sample sample = slot.provider->Call(profile);
    lock.lock();
    if (closed) return;  // Stop gave up on this call: its sample is dropped
    ++sinking;
    lock.unlock();
    sample.telemetry = telemetry.Read();
    if (sample.prompt_hash.empty()) sample.prompt_hash = PromptHash(profile.prompt);
    if (!sample.prompt_text) sample.prompt_text = profile.prompt;
    const bool failed = sample.error;
    std::vector<Sample> batch;
    batch.push_back(std::move(sample));
    sink(std::move(batch));
    lock.lock();
    --sinking;
    worker_busy[worker] = false;
    slot.busy = false;
    ++slot.calls;
    if (failed) ++slot.errors;
    const int64_t max = options.max_calls;
    if (slot.target.interval_s <= 0 && !stopping && (max == 0 || slot.dispatched < max)) {
      ticks.push({Clock::now(), index});
      timer_cv.notify_one();
    }
    idle_cv.notify_all();
  }
}

ProbeScheduler::ProbeScheduler(std::vector<ScheduledTarget> targets, SampleSink sink,
                               telemetry::HostTelemetry& telemetry, SchedulerOptions options)
    : state_(std::make_shared<State>(std::move(sink), telemetry, options)) {
  for (ScheduledTarget& t : targets) {
    Slot slot;
    slot.target = std::move(t.target);
    if (slot.target.profiles.empty()) slot.target.profiles.push_back(PromptProfile{});
    slot.provider = std::move(t.provider);
    state_->slots.push_back(std::move(slot));
  }
  const unsigned long long seed =
      options.seed != 0 ? options.seed
                        : static_cast<unsigned long long>(Clock::now().time_since_epoch().count());
  state_->rng.seed(seed);
}

ProbeScheduler::~ProbeScheduler() {
  Stop();
}

void ProbeScheduler::Start() {
  State& s = *state_;
  // The first reading of CPU use measures over a short pause; take it now, so that it does not
  // hold back the first calls of every target.
  s.telemetry.Read();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.started || s.stopping) return;
  s.started = true;
  const Clock::time_point now = Clock::now();
  for (size_t i = 0; i < s.slots.size(); ++i) {
    const double first = s.slots[i].target.interval_s * std::clamp(s.options.jitter, 0.0, 0.9);
    s.ticks.push({now + Seconds(std::uniform_real_distribution<double>(0, first)(s.rng)), i});
  }
  const size_t n = s.options.workers > 0 ? static_cast<size_t>(s.options.workers)
                                         : std::min<size_t>(8, s.slots.size());
  s.worker_busy.assign(n, false);
  std::shared_ptr<State> shared = state_;
  s.timer = std::thread([shared] { shared->TimerLoop(); });
  for (size_t w = 0; w < n; ++w) s.workers.emplace_back([shared, w] { shared->WorkerLoop(w); });
}

bool ProbeScheduler::Stop() {
  State& s = *state_;
  Clock::time_point deadline = Clock::now();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.stopping) return s.all_finished;
    s.stopping = true;
    for (size_t index : s.jobs) {
      s.slots[index].busy = false;
      --s.slots[index].dispatched;
    }
    s.jobs.clear();
    // The calls still running may take until their own timeout.
    for (const Slot& slot : s.slots) {
      if (!slot.busy) continue;
      deadline = std::max(deadline, slot.call_started + Seconds(slot.target.timeout_s));
    }
    deadline += Seconds(s.options.stop_grace_s);
  }
  s.timer_cv.notify_all();
  s.work_cv.notify_all();
  s.idle_cv.notify_all();
  if (s.timer.joinable()) s.timer.join();

  std::vector<bool> stuck;
  {
    std::unique_lock<std::mutex> lock(s.mu);
    const auto idle = [&] {
      return std::none_of(s.worker_busy.begin(), s.worker_busy.end(), [](bool b) { return b; });
    };
    s.all_finished = s.idle_cv.wait_until(lock, deadline, idle);
    s.closed = true;  // from here on no sample reaches the sink
    s.idle_cv.wait(lock, [&] { return s.sinking == 0; });
    stuck = s.worker_busy;
  }
  for (size_t w = 0; w < s.workers.size(); ++w) {
    if (stuck[w]) {
      s.workers[w].detach();  // it holds `state_` and exits when its call returns
    } else {
      s.workers[w].join();
    }
  }
  s.idle_cv.notify_all();
  return s.all_finished;
}

bool ProbeScheduler::WaitForCalls(std::chrono::milliseconds timeout) {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  const auto done = [&] {
    return std::all_of(s.slots.begin(), s.slots.end(), [&](const Slot& slot) {
      return s.options.max_calls > 0 && slot.calls >= s.options.max_calls;
    });
  };
  s.idle_cv.wait_for(lock, timeout, [&] { return s.stopping || done(); });
  return done();
}

std::vector<TargetStats> ProbeScheduler::stats() const {
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mu);
  std::vector<TargetStats> out;
  for (const Slot& slot : s.slots) {
    out.push_back({slot.target.name, slot.calls, slot.errors, slot.skipped, slot.busy});
  }
  return out;
}

}  // namespace llmscope::probe
