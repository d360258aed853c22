// SampleSpool on real files in temporary directories: round trip, the JSON it keeps, reopening,
// torn and corrupt tails, the bound (oldest dropped, counted, persisted), and a child process
// killed with SIGKILL while appending and committing, which loses nothing it acknowledged.
#include "probe/sample_spool.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace llmscope::probe {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int64_t kT0 = 1795000000000;  // 2026-11-18T11:06:40Z

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "spool-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Sample MakeSample(int64_t i) {
  Sample s;
  s.time_ms = kT0 + i;
  s.source = SourceKey{"openai", "gpt-test", "", ""};
  s.e2e_ms = 100.0 + static_cast<double>(i);
  s.tokens_in = i;
  return s;
}

std::vector<Sample> Range(int64_t from, int64_t to) {
  std::vector<Sample> out;
  for (int64_t i = from; i < to; ++i) out.push_back(MakeSample(i));
  return out;
}

int64_t IndexOf(const std::string& record) { return json::parse(record)["tokens_in"]; }

std::unique_ptr<SampleSpool> OpenSpool(const std::string& dir, size_t max_bytes = 1 << 20) {
  Result<std::unique_ptr<SampleSpool>> spool = SampleSpool::Open(dir, max_bytes);
  EXPECT_TRUE(spool.ok()) << (spool.ok() ? "" : spool.error().message);
  return spool.ok() ? std::move(*spool) : nullptr;
}
std::string KeyOf(const std::string& record) {
  return json::parse(record)["ingest_key"];
}

// Every pending record, oldest first, read (and committed) batch by batch; the spool ends empty.
std::vector<int64_t> Drain(SampleSpool& spool, int batch = 7) {
  std::vector<int64_t> out;
  for (;;) {
    Result<SpoolBatch> b = spool.Peek(batch);
    EXPECT_TRUE(b.ok());
    if (!b.ok() || b->empty()) break;
    for (const std::string& r : b->records) out.push_back(IndexOf(r));
    EXPECT_TRUE(spool.Commit(*b).ok());
  }
  return out;
}

std::vector<fs::path> Segments(const std::string& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".log") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int64_t> Iota(int64_t from, int64_t to) {
  std::vector<int64_t> out;
  for (int64_t i = from; i < to; ++i) out.push_back(i);
  return out;
}

TEST(SampleIngestJsonTest, UsesTheIngestFieldsAndLeavesOutUnknownValues) {
  Sample s = MakeSample(5);
  s.source.site = "paris";
  s.ttft_ms = std::numeric_limits<double>::quiet_NaN();
  s.telemetry.cpu_percent = 12.5;
  s.error = true;
  s.error_kind = "http_5xx";
  s.error_message = "bad \xff byte";
  s.prompt_text = "hi";
  const json j = json::parse(SampleIngestJson(s));
  EXPECT_EQ(j["provider"], "openai");
  EXPECT_EQ(j["model"], "gpt-test");
  EXPECT_EQ(j["site"], "paris");
  EXPECT_FALSE(j.contains("profile"));
  EXPECT_EQ(j["timestamp"], "2026-11-18T11:06:40.005Z");
  EXPECT_EQ(j["e2e_ms"], 105.0);
  EXPECT_FALSE(j.contains("ttft_ms"));
  EXPECT_FALSE(j.contains("id"));
  EXPECT_FALSE(j.contains("time_ms"));
  EXPECT_EQ(j["cpu_percent"], 12.5);
  EXPECT_FALSE(j.contains("gpu_percent"));
  EXPECT_EQ(j["error"], true);
  EXPECT_EQ(j["error_kind"], "http_5xx");
  EXPECT_EQ(j["error_message"], "bad \xef\xbf\xbd byte");
  EXPECT_EQ(j["prompt_text"], "hi");
  EXPECT_EQ(j["tokens_in"], 5);
}

TEST(SampleSpoolTest, RoundTripInOrder) {
  TempDir dir;
  auto spool = OpenSpool(dir.path());
  ASSERT_NE(spool, nullptr);
  EXPECT_EQ(spool->pending(), 0);
  ASSERT_TRUE(spool->Append(Range(0, 3)).ok());
  ASSERT_TRUE(spool->Append(Range(3, 10)).ok());
  EXPECT_EQ(spool->pending(), 10);

  // Peek does not consume.
  Result<SpoolBatch> first = spool->Peek(4);
  ASSERT_TRUE(first.ok());
  Result<SpoolBatch> again = spool->Peek(4);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(first->records, again->records);
  ASSERT_EQ(first->records.size(), 4u);
  EXPECT_EQ(IndexOf(first->records[0]), 0);

  EXPECT_EQ(Drain(*spool, 4), Iota(0, 10));
  EXPECT_EQ(spool->pending(), 0);
  Result<SpoolBatch> none = spool->Peek(4);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(spool->dropped_oldest(), 0);
}

TEST(SampleSpoolTest, StaleCommitIsIgnored) {
  TempDir dir;
  auto spool = OpenSpool(dir.path());
  ASSERT_NE(spool, nullptr);
  ASSERT_TRUE(spool->Append(Range(0, 5)).ok());
  Result<SpoolBatch> b = spool->Peek(2);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(spool->Commit(*b).ok());
  ASSERT_TRUE(spool->Commit(*b).ok());  // twice: the second is a no-op
  EXPECT_EQ(spool->pending(), 3);
  EXPECT_EQ(Drain(*spool), Iota(2, 5));
}

TEST(SampleSpoolTest, ReopenKeepsWhatWasNotCommitted) {
  TempDir dir;
  {
    auto spool = OpenSpool(dir.path());
    ASSERT_NE(spool, nullptr);
    ASSERT_TRUE(spool->Append(Range(0, 10)).ok());
    Result<SpoolBatch> b = spool->Peek(4);
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE(spool->Commit(*b).ok());
    ASSERT_TRUE(spool->Peek(3).ok());  // read, never committed: comes again
  }
  auto spool = OpenSpool(dir.path());
  ASSERT_NE(spool, nullptr);
  EXPECT_EQ(spool->pending(), 6);
  ASSERT_TRUE(spool->Append(Range(10, 12)).ok());
  EXPECT_EQ(Drain(*spool), Iota(4, 12));
  // Reopened once more after everything was committed: empty.
  spool.reset();
  spool = OpenSpool(dir.path());
  ASSERT_NE(spool, nullptr);
  EXPECT_EQ(spool->pending(), 0);
}

// Every pending record's sample index and ingest key, read (and committed) batch by batch.
std::map<int64_t, std::string> DrainKeys(SampleSpool& spool, int batch = 5) {
  std::map<int64_t, std::string> out;
  for (;;) {
    Result<SpoolBatch> b = spool.Peek(batch);
    EXPECT_TRUE(b.ok());
    if (!b.ok() || b->empty()) break;
    for (const std::string& r : b->records) out[IndexOf(r)] = KeyOf(r);
    EXPECT_TRUE(spool.Commit(*b).ok());
  }
  return out;
}

TEST(SampleSpoolTest, IngestKeysStayTheSameAcrossRereadsAndReopening) {
  TempDir dir;
  constexpr size_t kBound = 8192;  // segments of 1 KiB: the records span several
  std::map<int64_t, std::string> first_read;
  {
    auto spool = OpenSpool(dir.path(), kBound);
    ASSERT_NE(spool, nullptr);
    ASSERT_TRUE(spool->Append(Range(0, 30)).ok());
    Result<SpoolBatch> b = spool->Peek(4);
    ASSERT_TRUE(b.ok());
    Result<SpoolBatch> again = spool->Peek(4);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(b->records, again->records);
    ASSERT_TRUE(spool->Commit(*b).ok());
    // Read, never committed: comes again after the restart, with the same keys.
    Result<SpoolBatch> unacknowledged = spool->Peek(6);
    ASSERT_TRUE(unacknowledged.ok());
    for (const std::string& r : unacknowledged->records) first_read[IndexOf(r)] = KeyOf(r);
  }
  auto spool = OpenSpool(dir.path(), kBound);
  ASSERT_NE(spool, nullptr);
  ASSERT_TRUE(spool->Append(Range(30, 40)).ok());
  std::map<int64_t, std::string> keys = DrainKeys(*spool);
  ASSERT_EQ(keys.size(), 36u);
  for (const auto& [index, key] : first_read) EXPECT_EQ(keys[index], key) << "sample " << index;
  std::set<std::string> distinct;
  const std::regex shape("[0-9a-f]{32}-[0-9]+-[0-9]+");
  for (const auto& [index, key] : keys) {
    EXPECT_TRUE(std::regex_match(key, shape)) << key;
    EXPECT_LE(key.size(), 128u);
    distinct.insert(key);
  }
  EXPECT_EQ(distinct.size(), keys.size());
  // The records spanned several segments, which the keys name.
  auto segment_of = [](const std::string& key) { return key.substr(33, key.rfind('-') - 33); };
  EXPECT_NE(segment_of(keys.begin()->second), segment_of(keys.rbegin()->second));
}

TEST(SampleSpoolTest, IngestKeysDifferBetweenSpools) {
  TempDir a, b;
  auto one = OpenSpool(a.path());
  auto two = OpenSpool(b.path());
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);
  ASSERT_TRUE(one->Append(Range(0, 3)).ok());
  ASSERT_TRUE(two->Append(Range(0, 3)).ok());
  std::map<int64_t, std::string> keys_one = DrainKeys(*one), keys_two = DrainKeys(*two);
  ASSERT_EQ(keys_one.size(), 3u);
  ASSERT_EQ(keys_two.size(), 3u);
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_NE(keys_one[i], keys_two[i]);
    // The same place in each spool: only the probe id differs.
    EXPECT_EQ(keys_one[i].substr(32), keys_two[i].substr(32));
  }
}

TEST(SampleSpoolTest, IngestKeysAreNotMadeAgainWhenSegmentsAreDeletedByHand) {
  TempDir dir;
  std::map<int64_t, std::string> sent;
  {
    auto spool = OpenSpool(dir.path());
    ASSERT_NE(spool, nullptr);
    ASSERT_TRUE(spool->Append(Range(0, 5)).ok());
    sent = DrainKeys(*spool);
  }
  for (const fs::path& segment : Segments(dir.path())) fs::remove(segment);
  auto spool = OpenSpool(dir.path());
  ASSERT_NE(spool, nullptr);
  ASSERT_TRUE(spool->Append(Range(5, 10)).ok());
  std::map<int64_t, std::string> later = DrainKeys(*spool);
  ASSERT_EQ(later.size(), 5u);
  for (const auto& [index, key] : later) {
    for (const auto& [old_index, old_key] : sent) EXPECT_NE(key, old_key) << index;
  }
  EXPECT_EQ(later[5].substr(0, 32), sent[0].substr(0, 32)) << "the probe id is kept";
}

TEST(SampleSpoolTest, TornFinalRecordIsDropped) {
  TempDir dir;
  {
    auto spool = OpenSpool(dir.path());
    ASSERT_NE(spool, nullptr);
    for (int64_t i = 0; i < 5; ++i) ASSERT_TRUE(spool->Append({MakeSample(i)}).ok());
  }
  std::vector<fs::path> segs = Segments(dir.path());
  ASSERT_EQ(segs.size(), 1u);
  const uintmax_t size = fs::file_size(segs[0]);
  fs::resize_file(segs[0], size - 10);  // the last record cut mid-payload

  auto spool = OpenSpool(dir.path());
  ASSERT_NE(spool, nullptr);
  EXPECT_EQ(spool->pending(), 4);
  ASSERT_TRUE(spool->Append({MakeSample(5)}).ok());  // lands after the last whole record
  EXPECT_EQ(Drain(*spool), (std::vector<int64_t>{0, 1, 2, 3, 5}));
}

TEST(SampleSpoolTest, TornHeaderAndCorruptPayloadAreDropped) {
  TempDir dir;
  {
    auto spool = OpenSpool(dir.path());
    ASSERT_NE(spool, nullptr);
    ASSERT_TRUE(spool->Append(Range(0, 3)).ok());
  }
  const fs::path seg = Segments(dir.path()).at(0);
  const uintmax_t whole = fs::file_size(seg);
  {
    std::ofstream out(seg, std::ios::binary | std::ios::app);
    out.write("\x10\x00\x00", 3);  // 3 bytes of a header
  }
  {
    auto spool = OpenSpool(dir.path());
    ASSERT_NE(spool, nullptr);
    EXPECT_EQ(spool->pending(), 3);
  }
  EXPECT_EQ(fs::file_size(seg), whole);
  {
    std::fstream f(seg, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(whole - 3));
    f.put('#');  // a flipped byte in the last payload: its CRC no longer matches
  }
  auto spool = OpenSpool(dir.path());
  ASSERT_NE(spool, nullptr);
  EXPECT_EQ(Drain(*spool), Iota(0, 2));
}

TEST(SampleSpoolTest, BoundDropsWholeOldestSegmentsAndCountsThem) {
  TempDir dir;
  constexpr size_t kBound = 4096;
  constexpr int64_t kTotal = 200;
  {
    auto spool = OpenSpool(dir.path(), kBound);
    ASSERT_NE(spool, nullptr);
    for (int64_t i = 0; i < kTotal; ++i) {
      ASSERT_TRUE(spool->Append({MakeSample(i)}).ok());
      ASSERT_LE(spool->bytes(), kBound);
    }
    EXPECT_GT(spool->dropped_oldest(), 0);
    EXPECT_EQ(spool->pending() + spool->dropped_oldest(), kTotal);
  }
  auto spool = OpenSpool(dir.path(), kBound);
  ASSERT_NE(spool, nullptr);
  const int64_t dropped = spool->dropped_oldest();
  EXPECT_GT(dropped, 0);  // persisted
  EXPECT_EQ(spool->pending() + dropped, kTotal);
  // What is left is the newest, in order, without gaps.
  EXPECT_EQ(Drain(*spool), Iota(dropped, kTotal));
  EXPECT_LE(Segments(dir.path()).size(), 1u);  // read segments are deleted
}

TEST(SampleSpoolTest, BoundCountsOnlyUncommittedSamplesOfADroppedSegment) {
  TempDir dir;
  constexpr size_t kBound = 4096;
  auto spool = OpenSpool(dir.path(), kBound);
  ASSERT_NE(spool, nullptr);
  ASSERT_TRUE(spool->Append(Range(0, 4)).ok());
  Result<SpoolBatch> b = spool->Peek(3);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(spool->Commit(*b).ok());
  int64_t appended = 4;
  while (spool->dropped_oldest() == 0) {
    ASSERT_TRUE(spool->Append({MakeSample(appended++)}).ok());
    ASSERT_LT(appended, 1000);
  }
  EXPECT_EQ(spool->pending() + spool->dropped_oldest(), appended - 3);
  // A batch read before the drop no longer matches: committing it changes nothing.
  const int64_t pending = spool->pending();
  ASSERT_TRUE(spool->Commit(*b).ok());
  EXPECT_EQ(spool->pending(), pending);
}

TEST(SampleSpoolTest, AppendLargerThanTheBoundIsRefused) {
  TempDir dir;
  auto spool = OpenSpool(dir.path(), 4096);
  ASSERT_NE(spool, nullptr);
  Status s = spool->Append(Range(0, 100));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "invalid_argument");
  EXPECT_EQ(spool->pending(), 0);
}

// The child appends batches of 3 and every fourth call commits up to 5, telling the parent over
// a pipe after each call returned ok and waiting for the parent's ack before the next call (so
// it is never more than one call ahead of what the parent has read, however the two are
// scheduled); the parent kills it with SIGKILL after a number of messages, so mid-append or
// mid-commit. The reopened spool must hold, in order and without
// gaps, the samples from the last reported commit (or up to one batch later: a commit may reach
// the disk before it is reported) through the last reported append (or one batch later).
// Three rounds on the same directory, each continuing where the recovered spool stands.
TEST(SampleSpoolTest, ChildKilledWhileAppendingLosesNothingAcknowledged) {
  TempDir dir;
  int64_t next = 0;       // the first index the next child appends
  int64_t committed = 0;  // the spool's read position, as an index
  for (int round = 0; round < 3; ++round) {
    int fds[2], acks[2];
    ASSERT_EQ(::pipe(fds), 0);
    ASSERT_EQ(::pipe(acks), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      ::close(acks[1]);
      Result<std::unique_ptr<SampleSpool>> spool = SampleSpool::Open(dir.path(), 1 << 20);
      if (!spool.ok()) ::_exit(2);
      for (int i = 0;; ++i) {
        int64_t msg[2];
        if (i % 4 == 3) {
          Result<SpoolBatch> b = (*spool)->Peek(5);
          if (!b.ok() || b->empty() || !(*spool)->Commit(*b).ok()) ::_exit(3);
          msg[0] = 0;
          msg[1] = IndexOf(b->records.back()) + 1;
        } else {
          if (!(*spool)->Append(Range(next, next + 3)).ok()) ::_exit(4);
          next += 3;
          msg[0] = 1;
          msg[1] = next;
        }
        if (::write(fds[1], msg, sizeof(msg)) != sizeof(msg)) ::_exit(5);
        char ack;
        if (::read(acks[0], &ack, 1) != 1) ::_exit(6);
      }
    }
    ::close(fds[1]);
    ::close(acks[0]);
    int64_t appended = next;
    int messages = 0;
    const int kill_after = 40 + 37 * round;
    int64_t msg[2];
    while (messages < kill_after && ::read(fds[0], msg, sizeof(msg)) == sizeof(msg)) {
      if (msg[0] == 1) appended = msg[1];
      if (msg[0] == 0) committed = msg[1];
      // The ack lets the child make its next call; the last one is sent too, so the kill may
      // land in the middle of that call.
      const char ack = 1;
      ASSERT_EQ(::write(acks[1], &ack, 1), 1);
      ++messages;
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(fds[0]);
    ::close(acks[1]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    ASSERT_EQ(messages, kill_after);

    auto spool = OpenSpool(dir.path());
    ASSERT_NE(spool, nullptr);
    Result<SpoolBatch> all = spool->Peek(1 << 20);
    ASSERT_TRUE(all.ok());
    ASSERT_FALSE(all->empty());
    std::vector<int64_t> got;
    for (const std::string& r : all->records) got.push_back(IndexOf(r));
    EXPECT_GE(got.front(), committed) << "round " << round;
    EXPECT_LE(got.front(), committed + 5) << "round " << round;
    EXPECT_GE(got.back() + 1, appended) << "round " << round;
    EXPECT_LE(got.back() + 1, appended + 3) << "round " << round;
    for (size_t i = 1; i < got.size(); ++i) ASSERT_EQ(got[i], got[i - 1] + 1) << "round " << round;
    EXPECT_EQ(spool->pending(), static_cast<int64_t>(got.size()));
    next = got.back() + 1;
    committed = got.front();
  }
}

}  // namespace
}  // namespace llmscope::probe
