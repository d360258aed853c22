// ControlChart: the live chart of one series (docs/spc.md §3): learning until its baseline is
// complete, then frozen limits that judge each new point; new stages on demand.
//
// Feed it values in series order with Observe(). While learning no rule fires; when the B-th
// valid point arrives the stage's μ̂ and σ̂ are estimated, frozen, and the rules are run over the
// baseline points (Phase I review, firings marked kBaseline); every later point is judged at
// once (kMonitoring) in O(1). Memory is bounded by B, whatever the series length.
// Not thread-safe.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "spc/baseline.h"
#include "spc/firing.h"
#include "spc/rule.h"
#include "spc/stage.h"
#include "spc/streaming_rules.h"

namespace llmscope::spc {

struct ChartConfig {
  static constexpr int kMinBaseline = 20;

  int baseline_size = 100;  // B, at least kMinBaseline
  Transform transform = Transform::kLog;
  SigmaMethod sigma_method = SigmaMethod::kMrMean;
  RuleConfig rules;
  bool non_negative_metric = true;  // shown limits are clamped at 0 (docs/spc.md §4)
};

// Error "invalid_chart_config" (or Validate(RuleConfig)'s) when a field is out of range.
Status Validate(const ChartConfig& config);

class ControlChart {
 public:
  // A chart that learns its first stage from its first B valid points. `config` must be valid.
  explicit ControlChart(const ChartConfig& config);

  // Feeds the series' next value x (original unit). An invalid value (not finite, or ≤ 0 under
  // `log`) is rejected with "invalid_value" and takes no index. Firings are appended to
  // `firings` in index order.
  Status Observe(double x, std::vector<Firing>& firings);

  // Ends the current stage: the next B valid points form a new baseline (a re-baseline after a
  // model upgrade, say). A stage still learning starts over. With `config` (valid), the new
  // stage and those after it learn and judge by it: a series' own baseline size or transform
  // changes only this way, at a stage boundary (docs/spc.md §3).
  void StartNewStage();
  void StartNewStage(const ChartConfig& config);

  // The rules (valid) judge the points after this call, within the current stage: its limits
  // stay (StreamingRuleEvaluator::SetRules says what carries over). Later stages keep them.
  void SetRules(const RuleConfig& rules);

  // Ends the current stage and starts a frozen one at the next index whose μ̂ and σ̂ come from
  // `baseline` (original unit; e.g. the points of an hour the user picked as good). Those points
  // are not part of the new stage, so they are not reviewed. Needs 2 valid points at least.
  Status StartStageFrom(std::span<const double> baseline);

  // Ends the current stage and starts a frozen one at the next index with the given μ̂ and σ̂
  // (chart scale): a process with known parameters, or a stage restored from storage.
  void StartKnownStage(const Estimate& known, int baseline_size = 0);

  // Resuming a chart whose earlier points are not replayed (a restart from storage):
  // ResumeFrozen continues `stage` from its start_index, and the points fed next are its points
  // from the first on. When `review_baseline`, the first stage.baseline_size of them are the
  // stage's own baseline and their firings are marked kBaseline, exactly as the Phase I review
  // marked them the first time. ResumeLearning continues a stage that is still learning, whose
  // number, first point (start_index), baseline size and σ method `stage` gives (its μ̂ and σ̂
  // are not used). Either forgets the stages held so far, and takes the stage's transform and
  // σ method (and ResumeLearning its baseline size) as the chart's: a stage is judged by the
  // configuration it began with, whatever the chart was constructed with.
  void ResumeFrozen(const Stage& stage, bool review_baseline);
  void ResumeLearning(const Stage& stage);

  bool learning() const { return !frozen_; }
  // Points observed so far: the index the next point will get.
  int64_t size() const { return next_index_; }
  // The stage judging new points; nullopt while learning.
  std::optional<Stage> current_stage() const;
  // While learning with at least kMinBaseline points: μ̂ and σ̂ from the points so far.
  std::optional<Estimate> provisional_estimate() const;
  // Points of the learning baseline so far (0 once frozen).
  int learning_points() const { return static_cast<int>(baseline_y_.size()); }
  // The number the stage now learning will get when it freezes.
  int next_stage_number() const { return next_stage_number_; }
  // Index of the first point of the current stage (learning or frozen).
  int64_t stage_start_index() const { return learning_start_; }
  // Every stage frozen since construction or the last Resume, oldest first (current_stage() is
  // the last one when not learning).
  const std::vector<Stage>& stages() const { return stages_; }
  const ChartConfig& config() const { return config_; }

 private:
  void Freeze(std::vector<Firing>& firings);
  void BeginFrozenStage(int64_t start, int baseline_size, const Estimate& e);
  // A frozen stage needs no baseline points: their memory (2 × B doubles) goes, as a server
  // holds thousands of frozen series.
  void ReleaseBaseline();

  ChartConfig config_;
  std::vector<Stage> stages_;
  bool frozen_ = false;
  int64_t next_index_ = 0;
  int64_t learning_start_ = 0;
  int64_t review_until_ = 0;  // points below this index are the frozen stage's own baseline
  int next_stage_number_ = 0;
  std::vector<double> baseline_x_, baseline_y_;  // the learning stage's points
  std::optional<StreamingRuleEvaluator> evaluator_;
};

}  // namespace llmscope::spc
