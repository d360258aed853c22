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
  std::string key;
  Target target;
  std::unique_ptr<Provider> provider;
  size_t next_profile = 0;
  bool busy = false;               // dispatched or running
  bool removed = false;            // replaced or removed: its ticks and its call's sample dropped
  Clock::time_point call_started;  // of the call running, when busy and taken by a worker
  int64_t dispatched = 0, calls = 0, errors = 0, skipped = 0;
};

struct Tick {
  Clock::time_point due;
  std::shared_ptr<Slot> slot;
  bool operator>(const Tick& o) const { return due > o.due; }
};

Clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

std::shared_ptr<Slot> MakeSlot(std::string key, ScheduledTarget t) {
  auto slot = std::make_shared<Slot>();
  slot->key = std::move(key);
  slot->target = std::move(t.target);
  if (slot->target.profiles.empty()) slot->target.profiles.push_back(PromptProfile{});
  slot->provider = std::move(t.provider);
  return slot;
}

}  // namespace

// Everything the threads touch, shared with them so that a worker stuck past Stop keeps its
// provider alive and the scheduler can be destroyed meanwhile. A worker holds its slot too, so
// a slot removed during its call lives until the call returns.
struct ProbeScheduler::State {
  State(SampleSink s, telemetry::HostTelemetry& t, SchedulerOptions o)
      : sink(std::move(s)), telemetry(t), options(o) {}

  void TimerLoop();
  void WorkerLoop(size_t worker);
  Clock::duration Jittered(double interval_s);  // mu held
  void ScheduleFirstTick(const std::shared_ptr<Slot>& slot, Clock::time_point now);  // mu held
  void AddWorker(std::shared_ptr<State> shared);                                     // mu held
  size_t WantedWorkers() const;                                                      // mu held

  SampleSink sink;
  telemetry::HostTelemetry& telemetry;
  const SchedulerOptions options;

  std::mutex mu;  // guards everything below
  std::vector<std::shared_ptr<Slot>> slots;  // in the order they were added
  std::condition_variable timer_cv, work_cv, idle_cv;
  std::priority_queue<Tick, std::vector<Tick>, std::greater<Tick>> ticks;
  std::deque<std::shared_ptr<Slot>> jobs;
  std::vector<std::shared_ptr<Slot>> worker_slot;  // in a call or its sink; null when idle
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

void ProbeScheduler::State::ScheduleFirstTick(const std::shared_ptr<Slot>& slot,
                                              Clock::time_point now) {
  const double first = slot->target.interval_s * std::clamp(options.jitter, 0.0, 0.9);
  ticks.push({now + Seconds(std::uniform_real_distribution<double>(0, first)(rng)), slot});
  timer_cv.notify_one();
}

size_t ProbeScheduler::State::WantedWorkers() const {
  if (options.workers > 0) return static_cast<size_t>(options.workers);
  return std::clamp<size_t>(slots.size(), 1, 8);
}

void ProbeScheduler::State::AddWorker(std::shared_ptr<State> shared) {
  const size_t w = worker_slot.size();
  worker_slot.emplace_back();
  workers.emplace_back([shared = std::move(shared), w] { shared->WorkerLoop(w); });
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
    Slot& slot = *tick.slot;
    if (slot.removed) continue;
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
    std::shared_ptr<Slot> held = std::move(jobs.front());
    jobs.pop_front();
    Slot& slot = *held;
    if (slot.removed) continue;
    const PromptProfile profile =
        slot.target.profiles[slot.next_profile++ % slot.target.profiles.size()];
    worker_slot[worker] = held;
    slot.call_started = Clock::now();
    lock.unlock();
    Sample sample = slot.provider->Call(profile);
    lock.lock();
    if (closed) return;  // Stop gave up on this call: its sample is dropped
    if (slot.removed) {  // replaced or removed meanwhile: so is its sample
      worker_slot[worker].reset();
      idle_cv.notify_all();
      continue;
    }
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
    worker_slot[worker].reset();
    slot.busy = false;
    ++slot.calls;
    if (failed) ++slot.errors;
    const int64_t max = options.max_calls;
    if (slot.target.interval_s <= 0 && !stopping && !slot.removed &&
        (max == 0 || slot.dispatched < max)) {
      ticks.push({Clock::now(), held});
      timer_cv.notify_one();
    }
    idle_cv.notify_all();
  }
}

ProbeScheduler::ProbeScheduler(std::vector<ScheduledTarget> targets, SampleSink sink,
                               telemetry::HostTelemetry& telemetry, SchedulerOptions options)
    : state_(std::make_shared<State>(std::move(sink), telemetry, options)) {
  for (ScheduledTarget& t : targets) {
    std::string key = t.target.name;
    state_->slots.push_back(MakeSlot(std::move(key), std::move(t)));
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
  for (const std::shared_ptr<Slot>& slot : s.slots) s.ScheduleFirstTick(slot, now);
  std::shared_ptr<State> shared = state_;
  s.timer = std::thread([shared] { shared->TimerLoop(); });
  while (s.workers.size() < s.WantedWorkers()) s.AddWorker(shared);
}

void ProbeScheduler::Put(const std::string& key, ScheduledTarget target) {
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.stopping) return;
  std::shared_ptr<Slot> slot = MakeSlot(key, std::move(target));
  auto same = std::find_if(s.slots.begin(), s.slots.end(),
                           [&](const std::shared_ptr<Slot>& o) { return o->key == key; });
  if (same != s.slots.end()) {
    (*same)->removed = true;
    *same = slot;
  } else {
    s.slots.push_back(slot);
  }
  if (!s.started) return;
  s.ScheduleFirstTick(slot, Clock::now());
  while (s.workers.size() < s.WantedWorkers()) s.AddWorker(state_);
}

bool ProbeScheduler::Remove(const std::string& key) {
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mu);
  auto same = std::find_if(s.slots.begin(), s.slots.end(),
                           [&](const std::shared_ptr<Slot>& o) { return o->key == key; });
  if (same == s.slots.end()) return false;
  (*same)->removed = true;
  s.slots.erase(same);
  s.idle_cv.notify_all();  // WaitForCalls counts the slots left
  return true;
}

bool ProbeScheduler::Stop() {
  State& s = *state_;
  Clock::time_point deadline = Clock::now();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.stopping) return s.all_finished;
    s.stopping = true;
    for (const std::shared_ptr<Slot>& slot : s.jobs) {
      slot->busy = false;
      --slot->dispatched;
    }
    s.jobs.clear();
    // The calls still running may take until their own timeout.
    for (const std::shared_ptr<Slot>& slot : s.worker_slot) {
      if (!slot) continue;
      deadline = std::max(deadline, slot->call_started + Seconds(slot->target.timeout_s));
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
      return std::none_of(s.worker_slot.begin(), s.worker_slot.end(),
                          [](const std::shared_ptr<Slot>& b) { return b != nullptr; });
    };
    s.all_finished = s.idle_cv.wait_until(lock, deadline, idle);
    s.closed = true;  // from here on no sample reaches the sink
    s.idle_cv.wait(lock, [&] { return s.sinking == 0; });
    for (const std::shared_ptr<Slot>& slot : s.worker_slot) stuck.push_back(slot != nullptr);
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
    return std::all_of(s.slots.begin(), s.slots.end(), [&](const std::shared_ptr<Slot>& slot) {
      return s.options.max_calls > 0 && slot->calls >= s.options.max_calls;
    });
  };
  s.idle_cv.wait_for(lock, timeout, [&] { return s.stopping || done(); });
  return done();
}

std::vector<TargetStats> ProbeScheduler::stats() const {
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mu);
  std::vector<TargetStats> out;
  for (const std::shared_ptr<Slot>& slot : s.slots) {
    out.push_back(
        {slot->key, slot->target.name, slot->calls, slot->errors, slot->skipped, slot->busy});
  }
  return out;
}

}  // namespace llmscope::probe
