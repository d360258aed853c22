#include "probe/sample_spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "core/time_format.h"

namespace llmscope::probe {
namespace {

namespace fs = std::filesystem;

constexpr size_t kHeaderBytes = 8;
constexpr uint32_t kMaxRecordBytes = 16u << 20;
constexpr char kCursorMagic[] = "llmscope-spool-cursor";
constexpr char kProbeIdFile[] = "probe-id";
constexpr size_t kProbeIdHexDigits = 32;  // 128 random bits

uint32_t Crc32(const char* data, size_t n) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) c = table[(c ^ static_cast<uint8_t>(data[i])) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

Error IoError(const std::string& what, const std::string& path) {
  return Error{"io_error", what + " " + path + ": " + std::strerror(errno)};
}

Status FsyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open directory", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("cannot fsync directory", dir);
  return {};
}

Status WriteAll(int fd, const std::string& data, uint64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done,
                               static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError("cannot write", path);
    done += static_cast<size_t>(n);
  }
  return {};
}

// Reads exactly n bytes at offset; false on a short read or an error.
bool ReadAt(int fd, char* out, size_t n, uint64_t offset) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

// Reads the record at offset into payload; the number of bytes it takes, or 0 when the bytes
// there are not a whole valid record (torn, corrupt, or the end).
uint64_t ReadRecord(int fd, uint64_t offset, uint64_t end, std::string& payload) {
  if (end - offset < kHeaderBytes) return 0;
  char header[kHeaderBytes];
  if (!ReadAt(fd, header, kHeaderBytes, offset)) return 0;
  const uint32_t length = GetU32(header);
  if (length > kMaxRecordBytes || length > end - offset - kHeaderBytes) return 0;
  payload.resize(length);
  if (!ReadAt(fd, payload.data(), length, offset + kHeaderBytes)) return 0;
  if (Crc32(payload.data(), length) != GetU32(header + 4)) return 0;
  return kHeaderBytes + length;
}

std::optional<uint64_t> SegmentNumber(const std::string& name) {
  constexpr std::string_view kPrefix = "seg-", kSuffix = ".log";
  if (name.size() != kPrefix.size() + 20 + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  uint64_t n = 0;
  for (size_t i = kPrefix.size(); i < kPrefix.size() + 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  return n;
}

// Writes `text` to dir/name atomically: a temporary file, fsynced, renamed over the old one, and
// the directory fsynced.
Status ReplaceFile(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string tmp = dir + "/" + name + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create", tmp);
  Status written = WriteAll(fd, text, 0, tmp);
  if (written && ::fsync(fd) != 0) written = IoError("cannot fsync", tmp);
  ::close(fd);
  if (!written) return written;
  if (::rename(tmp.c_str(), (dir + "/" + name).c_str()) != 0) return IoError("cannot rename", tmp);
  return FsyncDir(dir);
}

// The probe id kept in dir/probe-id, when that file holds one.
std::optional<std::string> ReadProbeId(const std::string& dir) {
  std::FILE* f = std::fopen((dir + "/" + kProbeIdFile).c_str(), "r");
  if (f == nullptr) return std::nullopt;
  char text[kProbeIdHexDigits + 2] = {};
  const size_t n = std::fread(text, 1, sizeof(text) - 1, f);
  std::fclose(f);
  std::string id(text, n);
  if (id.ends_with('\n')) id.pop_back();
  if (id.size() != kProbeIdHexDigits) return std::nullopt;
  for (char c : id) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return id;
}

std::string NewProbeId() {
  std::random_device random;
  std::string id;
  while (id.size() < kProbeIdHexDigits) {
    char digits[9];
    std::snprintf(digits, sizeof(digits), "%08x", static_cast<unsigned>(random()));
    id += digits;
  }
  return id.substr(0, kProbeIdHexDigits);
}

// The record (a JSON object's text, as SampleIngestJson wrote it) with "ingest_key" added.
std::optional<std::string> WithIngestKey(std::string record, const std::string& key) {
  if (record.size() < 2 || record.front() != '{' || record.back() != '}') return std::nullopt;
  record.pop_back();
  if (record.size() > 1) record += ',';
  record += "\"ingest_key\":\"" + key + "\"}";
  return record;
}

}  // namespace

std::string SampleIngestJson(const Sample& s) {
  nlohmann::ordered_json j;
  auto text = [&j](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  auto number = [&j](const char* key, const std::optional<double>& v) {
    if (v && std::isfinite(*v)) j[key] = *v;
  };
  auto count = [&j](const char* key, const std::optional<int64_t>& v) {
    if (v) j[key] = *v;
  };
  j["provider"] = s.source.provider;
  j["model"] = s.source.model;
  text("site", s.source.site);
  text("profile", s.source.profile);
  j["timestamp"] = FormatIsoUtc(s.time_ms);
  number("e2e_ms", s.e2e_ms);
  number("ttft_ms", s.ttft_ms);
  number("tpot_ms", s.tpot_ms);
  number("tokens_per_s", s.tokens_per_s);
  number("cost_usd", s.cost_usd);
  count("tokens_in", s.tokens_in);
  count("tokens_out", s.tokens_out);
  j["error"] = s.error;
  text("error_kind", s.error_kind);
  text("error_message", s.error_message);
  number("total_duration_ms", s.total_duration_ms);
  number("load_duration_ms", s.load_duration_ms);
  number("prompt_eval_duration_ms", s.prompt_eval_duration_ms);
  number("eval_duration_ms", s.eval_duration_ms);
  count("prompt_eval_count", s.prompt_eval_count);
  count("eval_count", s.eval_count);
  number("cpu_percent", s.telemetry.cpu_percent);
  number("memory_percent", s.telemetry.memory_percent);
  number("gpu_percent", s.telemetry.gpu_percent);
  number("gpu_memory_percent", s.telemetry.gpu_memory_percent);
  number("gpu_temp_c", s.telemetry.gpu_temp_c);
  text("prompt_hash", s.prompt_hash);
  if (s.prompt_text) j["prompt_text"] = *s.prompt_text;
  // Invalid UTF-8 (say, in an error message copied from a reply) becomes U+FFFD, not an error.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

SampleSpool::SampleSpool(std::string dir, size_t max_bytes)
    : dir_(std::move(dir)),
      max_bytes_(max_bytes),
      segment_bytes_(std::clamp<uint64_t>(max_bytes / 8, 1024, 4u << 20)) {}

SampleSpool::~SampleSpool() {
  if (active_fd_ >= 0) ::close(active_fd_);
}

Result<std::unique_ptr<SampleSpool>> SampleSpool::Open(const std::string& dir, size_t max_bytes) {
  if (max_bytes < 4096) return Error{"invalid_argument", "spool bound must be >= 4096 bytes"};
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error{"io_error", "cannot create spool directory " + dir + ": " + ec.message()};
  std::unique_ptr<SampleSpool> spool(new SampleSpool(dir, max_bytes));
  std::lock_guard lock(spool->mu_);
  if (Status s = spool->Recover(); !s) return s.error();
  return spool;
}

std::string SampleSpool::SegmentPath(uint64_t number) const {
  char name[40];
  std::snprintf(name, sizeof(name), "seg-%020llu.log", static_cast<unsigned long long>(number));
  return dir_ + "/" + name;
}

Status SampleSpool::Recover() {
  // The cursor; missing (a new spool) or unreadable means the start of the oldest segment,
  // which may resend acknowledged samples but loses none.
  std::optional<SpoolPosition> cursor;
  {
    std::FILE* f = std::fopen((dir_ + "/cursor").c_str(), "r");
    if (f != nullptr) {
      char magic[32] = {};
      int version = 0;
      unsigned long long segment = 0, offset = 0;
      long long dropped = 0;
      if (std::fscanf(f, "%31s %d %llu %llu %lld", magic, &version, &segment, &offset,
                      &dropped) == 5 &&
          std::strcmp(magic, kCursorMagic) == 0 && version == 1 && dropped >= 0) {
        cursor = SpoolPosition{segment, offset};
        dropped_oldest_ = dropped;
      }
      std::fclose(f);
    }
  }
  std::vector<uint64_t> numbers;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir_, ec)) {
    if (std::optional<uint64_t> n = SegmentNumber(e.path().filename().string())) {
      numbers.push_back(*n);
    }
  }
  if (ec) return Error{"io_error", "cannot list spool directory " + dir_ + ": " + ec.message()};
  std::sort(numbers.begin(), numbers.end());

  // A new spool (numbering starts at segment 1) gets a new probe id, so its keys are new too.
  // When the cursor's segment and every later one are gone (deleted by hand), numbering goes on
  // after the cursor's segment, so no key is made twice.
  if (numbers.empty() && !cursor) {
    probe_id_ = NewProbeId();
    if (Status s = ReplaceFile(dir_, kProbeIdFile, probe_id_ + "\n"); !s) return s;
  } else if (std::optional<std::string> id = ReadProbeId(dir_)) {
    probe_id_ = *id;
  } else {  // lost: the pending records' keys change, so a resent one may be stored twice
    probe_id_ = NewProbeId();
    if (Status s = ReplaceFile(dir_, kProbeIdFile, probe_id_ + "\n"); !s) return s;
  }
  if (cursor && std::none_of(numbers.begin(), numbers.end(),
                             [&](uint64_t n) { return n >= cursor->segment; })) {
    cursor = SpoolPosition{cursor->segment + 1, 0};
  }
  read_ = cursor.value_or(SpoolPosition{numbers.empty() ? 1 : numbers.front(), 0});
  bool cursor_found = false;
  std::string payload;
  for (uint64_t number : numbers) {
    const std::string path = SegmentPath(number);
    if (number < read_.segment) {  // fully acknowledged; its deletion was cut short
      if (::unlink(path.c_str()) != 0) return IoError("cannot delete", path);
      continue;
    }
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return IoError("cannot open", path);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return IoError("cannot stat", path);
    }
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    Segment seg{number, 0, 0};
    int64_t before_cursor = 0;
    uint64_t cursor_offset = 0;  // the cursor, on the record boundary at or before it
    while (uint64_t n = ReadRecord(fd, seg.bytes, size, payload)) {
      seg.bytes += n;
      ++seg.records;
      if (number == read_.segment && seg.bytes <= read_.offset) {
        before_cursor = seg.records;
        cursor_offset = seg.bytes;
      }
    }
    if (seg.bytes < size) {  // a torn or corrupt tail: never acknowledged, so dropped
      if (::ftruncate(fd, static_cast<off_t>(seg.bytes)) != 0 || ::fsync(fd) != 0) {
        ::close(fd);
        return IoError("cannot truncate torn tail of", path);
      }
    }
    ::close(fd);
    if (number == read_.segment) {
      cursor_found = true;
      read_.offset = cursor_offset;
      read_records_ = before_cursor;
    }
    segments_.push_back(seg);
    total_bytes_ += seg.bytes;
    pending_ += seg.records;
  }
  if (!segments_.empty() && !cursor_found) {  // the cursor's segment was dropped
    read_ = SpoolPosition{segments_.front().number, 0};
    read_records_ = 0;
  }
  pending_ -= read_records_;
  std::remove((dir_ + "/cursor.tmp").c_str());
  std::remove((dir_ + "/" + kProbeIdFile + ".tmp").c_str());

  if (segments_.empty()) return StartSegment();
  const std::string active = SegmentPath(segments_.back().number);
  active_fd_ = ::open(active.c_str(), O_WRONLY | O_CLOEXEC);
  if (active_fd_ < 0) return IoError("cannot open", active);
  return ReleaseReadSegments();
}

Status SampleSpool::PersistCursor(SpoolPosition position, int64_t dropped) {
  return ReplaceFile(dir_, "cursor",
                     std::string(kCursorMagic) + " 1 " + std::to_string(position.segment) + " " +
                         std::to_string(position.offset) + " " + std::to_string(dropped) + "\n");
}

Status SampleSpool::StartSegment() {
  const uint64_t number =
      segments_.empty() ? std::max<uint64_t>(read_.segment, 1) : segments_.back().number + 1;
  const std::string path = SegmentPath(number);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create", path);
  if (Status s = FsyncDir(dir_); !s) {
    ::close(fd);
    ::unlink(path.c_str());
    return s;
  }
  if (active_fd_ >= 0) ::close(active_fd_);
  active_fd_ = fd;
  if (segments_.empty()) {
    read_ = SpoolPosition{number, 0};
    read_records_ = 0;
  }
  segments_.push_back(Segment{number, 0, 0});
  return {};
}

// Moves the position to the next segment while the front one is fully read and not the last,
// persisting it before deleting what it passed.
Status SampleSpool::ReleaseReadSegments() {
  std::vector<Segment> released;
  SpoolPosition next = read_;
  for (size_t i = 0; i + 1 < segments_.size() && next.offset == segments_[i].bytes; ++i) {
    released.push_back(segments_[i]);
    next = SpoolPosition{segments_[i + 1].number, 0};
  }
  if (released.empty()) return {};
  if (Status s = PersistCursor(next, dropped_oldest_); !s) return s;
  read_ = next;
  read_records_ = 0;
  for (const Segment& seg : released) {
    segments_.pop_front();
    total_bytes_ -= seg.bytes;
    ::unlink(SegmentPath(seg.number).c_str());  // a leftover is deleted by the next Open
  }
  return {};
}

Status SampleSpool::DropOldestSegment() {
  if (segments_.size() < 2) {
    if (Status s = StartSegment(); !s) return s;
  }
  const Segment front = segments_.front();
  const int64_t lost = front.records - read_records_;
  const SpoolPosition next{segments_[1].number, 0};
  if (Status s = PersistCursor(next, dropped_oldest_ + lost); !s) return s;
  dropped_oldest_ += lost;
  pending_ -= lost;
  read_ = next;
  read_records_ = 0;
  segments_.pop_front();
  total_bytes_ -= front.bytes;
  ::unlink(SegmentPath(front.number).c_str());
  return {};
}

Status SampleSpool::Append(const std::vector<Sample>& samples) {
  if (samples.empty()) return {};
  std::string data;
  for (const Sample& s : samples) {
    const std::string payload = SampleIngestJson(s);
    if (payload.size() > kMaxRecordBytes) {
      return Error{"invalid_argument", "a sample's JSON is larger than 16 MiB"};
    }
    PutU32(data, static_cast<uint32_t>(payload.size()));
    PutU32(data, Crc32(payload.data(), payload.size()));
    data += payload;
  }
  if (data.size() > max_bytes_) {
    return Error{"invalid_argument", std::to_string(samples.size()) + " samples take " +
                                         std::to_string(data.size()) +
                                         " bytes, more than the spool bound"};
  }
  std::lock_guard lock(mu_);
  if (segments_.back().bytes > 0 && segments_.back().bytes + data.size() > segment_bytes_) {
    if (Status s = StartSegment(); !s) return s;
    if (Status s = ReleaseReadSegments(); !s) return s;
  }
  while (total_bytes_ + data.size() > max_bytes_) {
    if (Status s = DropOldestSegment(); !s) return s;
  }
  Segment& active = segments_.back();
  const std::string path = SegmentPath(active.number);
  Status written = WriteAll(active_fd_, data, active.bytes, path);
  if (written && ::fdatasync(active_fd_) != 0) written = IoError("cannot fsync", path);
  if (!written) {
    // Leave no partial records behind (Open would drop them too, as a torn tail).
    if (::ftruncate(active_fd_, static_cast<off_t>(active.bytes)) != 0) {
      return IoError("cannot truncate after a failed append to", path);
    }
    return written;
  }
  active.bytes += data.size();
  active.records += static_cast<int64_t>(samples.size());
  total_bytes_ += data.size();
  pending_ += static_cast<int64_t>(samples.size());
  return {};
}

Result<SpoolBatch> SampleSpool::Peek(int max_records) {
  std::lock_guard lock(mu_);
  SpoolBatch batch;
  batch.begin = batch.end = read_;
  if (pending_ == 0 || max_records <= 0) return batch;
  const Segment& front = segments_.front();
  const std::string path = SegmentPath(front.number);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open", path);
  std::string payload;
  while (static_cast<int>(batch.records.size()) < max_records && batch.end.offset < front.bytes) {
    const uint64_t n = ReadRecord(fd, batch.end.offset, front.bytes, payload);
    std::optional<std::string> keyed;
    if (n != 0) keyed = WithIngestKey(payload, IngestKeyAt(batch.end));
    if (!keyed) {
      ::close(fd);
      return Error{"corrupt_spool", path + ": the record at byte " +
                                        std::to_string(batch.end.offset) + " is unreadable"};
    }
    batch.records.push_back(std::move(*keyed));
    batch.end.offset += n;
  }
  ::close(fd);
  return batch;
}

Status SampleSpool::Commit(const SpoolBatch& batch) {
  std::lock_guard lock(mu_);
  if (batch.empty() || batch.begin != read_) return {};
  if (Status s = PersistCursor(batch.end, dropped_oldest_); !s) return s;
  read_ = batch.end;
  read_records_ += static_cast<int64_t>(batch.records.size());
  pending_ -= static_cast<int64_t>(batch.records.size());
  return ReleaseReadSegments();
}

std::string SampleSpool::IngestKeyAt(SpoolPosition position) const {
  return probe_id_ + "-" + std::to_string(position.segment) + "-" + std::to_string(position.offset);
}

int64_t SampleSpool::pending() const {
  std::lock_guard lock(mu_);
  return pending_;
}

int64_t SampleSpool::dropped_oldest() const {
  std::lock_guard lock(mu_);
  return dropped_oldest_;
}

uint64_t SampleSpool::bytes() const {
  std::lock_guard lock(mu_);
  return total_bytes_;
}

}  // namespace llmscope::probe
