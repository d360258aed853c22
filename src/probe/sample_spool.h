// SampleSpool: a durable, bounded, on-disk FIFO of samples for a remote probe that pushes to a
// server. The probe appends what it measures; the sender reads batches
// from the front and marks them acknowledged once the server has committed them.
//
// On disk, in one directory: segment files `seg-<20-digit number>.log` of length-prefixed records
// (u32 little-endian length, u32 CRC-32 of the payload, payload), each payload one sample as its
// POST /api/stats JSON object (SampleIngestJson); and `cursor`, the acknowledged read position
// (segment, byte offset) and the dropped-oldest counter, replaced atomically (write a temporary
// file, fsync, rename, fsync the directory).
//
// Durability: Append() returns ok only after the records and, for a new segment, the directory
// entry are fsynced, so a sample it acknowledged survives a crash (kill -9, power loss) at any
// later point. Open() after a crash drops a torn or corrupt tail (short header, short payload or
// CRC mismatch: the part of the last append that had not been acknowledged) by truncating the
// segment there, and yields exactly the acknowledged samples not yet marked by Commit().
// A batch sent to the server whose Commit() did not reach the disk is read again after a
// restart and sent again; each record's ingest key (below) lets the server store it once.
//
// Ingest keys: Peek() gives each record an "ingest_key", "<probe id>-<segment>-<byte offset>".
// The probe id is 32 random hex digits, made when the spool is new and kept in `probe-id` in its
// directory (replaced atomically like the cursor), so keys differ between probes; the segment
// number and the record's offset in it are its place in the spool, which never changes and is
// never given to another record (segment numbers only grow, a segment only grows at its end, and
// a torn tail that is cut off was never read). A key thus stays the same across resends and
// restarts. Keys are made at reading, so records spooled by an older version get them too. If
// `probe-id` is lost while records are pending, a new id is made: their keys change, and one
// the server had already stored may be stored again (nothing is lost).
//
// Bound: the segments together stay under max_bytes. When an append would pass it, whole oldest
// segments are deleted (oldest samples first) and dropped_oldest() counts the unacknowledged
// samples they held; the counter is persisted in the cursor. A new segment starts when the
// current one would pass max_bytes / 8 (at most 4 MiB), so a drop removes about an eighth of the
// spool or less (or one larger append). A corrupt record met later by Peek() (the disk changed
// under the spool) is an error; the records before it are still read.
//
// Thread-safety: every method may be called from any thread; calls are serialised internally.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/sample.h"

namespace llmscope::probe {

// A sample as the JSON object POST /api/stats takes: provider, model, site, profile, timestamp
// (ISO 8601 UTC), the metrics, Ollama's durations and counts, token counts, error fields,
// telemetry, prompt_hash and prompt_text; unknown (null or non-finite) values and empty texts
// are left out. The store's id is not sent.
std::string SampleIngestJson(const Sample& s);

// A place in the spool: a segment and a byte offset in it.
struct SpoolPosition {
  uint64_t segment = 0;
  uint64_t offset = 0;
  friend bool operator==(const SpoolPosition&, const SpoolPosition&) = default;
};

// Records read from the front of the spool. Commit(batch) marks them acknowledged.
struct SpoolBatch {
  // SampleIngestJson texts with each record's "ingest_key" added, oldest first.
  std::vector<std::string> records;
  SpoolPosition begin, end;  // the batch spans [begin, end) of one segment
  bool empty() const { return records.empty(); }
};

class SampleSpool {
 public:
  // Opens (creating it if missing) the spool in `dir`, recovering after a crash as described
  // above. max_bytes must be at least 4096.
  static Result<std::unique_ptr<SampleSpool>> Open(const std::string& dir, size_t max_bytes);
  ~SampleSpool();
  SampleSpool(const SampleSpool&) = delete;
  SampleSpool& operator=(const SampleSpool&) = delete;

  // Appends the samples in order, durably (see above), dropping oldest segments when the bound
  // requires it. Fails, appending none, on an I/O error or when the samples alone exceed the
  // bound.
  Status Append(const std::vector<Sample>& samples);

  // Up to max_records of the oldest unacknowledged records, all from one segment (so a batch
  // may be shorter than max_records at a segment boundary). Empty when nothing is pending.
  // Reading does not consume: the same records come again until committed.
  Result<SpoolBatch> Peek(int max_records);

  // Marks `batch` (the latest Peek) acknowledged and persists the new position; a segment
  // fully read is deleted. A batch that no longer starts at the read position (its segment was
  // dropped by the bound meanwhile, or it was already committed) is ignored.
  Status Commit(const SpoolBatch& batch);

  int64_t pending() const;         // unacknowledged samples in the spool
  int64_t dropped_oldest() const;  // samples dropped by the bound, over the spool's life
  uint64_t bytes() const;          // the segments' total size

 private:
  struct Segment {
    uint64_t number = 0;
    uint64_t bytes = 0;
    int64_t records = 0;
  };

  SampleSpool(std::string dir, size_t max_bytes);
  Status Recover();
  Status PersistCursor(SpoolPosition position, int64_t dropped);
  Status StartSegment();
  Status ReleaseReadSegments();
  Status DropOldestSegment();
  std::string SegmentPath(uint64_t number) const;
  // The ingest key of the record at `position`.
  std::string IngestKeyAt(SpoolPosition position) const;

  const std::string dir_;
  const size_t max_bytes_;
  const uint64_t segment_bytes_;
  mutable std::mutex mu_;
  std::string probe_id_;          // set by Recover
  std::deque<Segment> segments_;  // oldest first; the last one takes appends
  int active_fd_ = -1;            // the last segment, open for writing
  SpoolPosition read_;            // the acknowledged position, in segments_.front()
  int64_t read_records_ = 0;      // records of segments_.front() before read_.offset
  int64_t pending_ = 0;
  int64_t dropped_oldest_ = 0;
  uint64_t total_bytes_ = 0;
};

}  // namespace llmscope::probe
