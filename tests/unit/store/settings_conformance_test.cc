// The Store conformance suite, continued: settings (setting_records.h) written with their
// versions, read, deleted, audited and seen as a new revision, for every implementation that
// instantiates StoreConformanceTest.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "store/setting_records.h"
#include "store/store.h"
#include "tests/unit/store/store_conformance.h"

namespace llmscope::store::conformance {
namespace {

SettingWrite Write(std::string kind, std::string id, std::string body,
                   std::optional<int64_t> expected = std::nullopt, int64_t now_ms = 1000) {
  SettingWrite w;
  w.kind = std::move(kind);
  w.id = std::move(id);
  w.body = std::move(body);
  w.actor = "tester";
  w.now_ms = now_ms;
  w.expected_version = expected;
  return w;
}

TEST_P(StoreConformanceTest, SettingsAreCreatedReplacedAndReadBack) {
  Result<SettingRecord> a = store().PutSetting(Write("target", "b", R"({"x":1})"));
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->version, 1);
  ASSERT_TRUE(store().PutSetting(Write("target", "a", R"({"y":"é"})")).ok());
  ASSERT_TRUE(store().PutSetting(Write("price", "a", "{}")).ok());
  Result<SettingRecord> b = store().PutSetting(Write("target", "b", R"({"x":2})", {}, 2000));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->version, 2);

  Result<std::vector<SettingRecord>> targets = store().ListSettings("target");
  ASSERT_TRUE(targets.ok()) << targets.error().message;
  ASSERT_EQ(targets->size(), 2u);
  EXPECT_EQ((*targets)[0].id, "a");
  EXPECT_EQ((*targets)[0].body, R"({"y":"é"})");
  EXPECT_EQ((*targets)[1].id, "b");
  EXPECT_EQ((*targets)[1].body, R"({"x":2})");
  EXPECT_EQ((*targets)[1].version, 2);
  EXPECT_EQ((*targets)[1].updated_ms, 2000);
  EXPECT_EQ((*targets)[1].updated_by, "tester");

  Result<std::optional<SettingRecord>> got = store().GetSetting("price", "a");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->kind, "price");
  Result<std::optional<SettingRecord>> none = store().GetSetting("price", "b");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  Result<std::vector<SettingRecord>> empty = store().ListSettings("sink");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_P(StoreConformanceTest, ASettingsVersionThatNoLongerHoldsIsAConflict) {
  ASSERT_TRUE(store().PutSetting(Write("target", "t", "{}", 0)).ok());
  Result<SettingRecord> again = store().PutSetting(Write("target", "t", "{}", 0));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "conflict");

  Result<SettingRecord> v2 = store().PutSetting(Write("target", "t", R"({"v":2})", 1));
  ASSERT_TRUE(v2.ok()) << v2.error().message;
  EXPECT_EQ(v2->version, 2);
  Result<SettingRecord> stale = store().PutSetting(Write("target", "t", R"({"v":"stale"})", 1));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, "conflict");
  Result<SettingRecord> absent = store().PutSetting(Write("target", "nope", "{}", 3));
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().code, "not_found");

  Result<std::optional<SettingRecord>> now = store().GetSetting("target", "t");
  ASSERT_TRUE(now.ok() && now->has_value());
  EXPECT_EQ((*now)->body, R"({"v":2})");
  EXPECT_EQ((*now)->version, 2);
}

TEST_P(StoreConformanceTest, SettingsChangesAreAuditedWithoutSecretsNewestFirst) {
  SettingWrite secret = Write("sink", "s", R"({"url":"u","secret":"sealed"})", 0, 10);
  secret.audit_body = R"({"url":"u"})";
  ASSERT_TRUE(store().PutSetting(secret).ok());
  ASSERT_TRUE(store().PutSetting(Write("target", "t", "{}", {}, 20)).ok());
  ASSERT_TRUE(store().PutSetting(Write("target", "t", R"({"a":1})", {}, 30)).ok());
  Status deleted = store().DeleteSetting("target", "t", "remover", 40);
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  Status again = store().DeleteSetting("target", "t", "remover", 50);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "not_found");

  Result<std::vector<SettingAuditRecord>> all = store().QuerySettingsAudit("", 0, 100);
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 4u);
  const std::vector<SettingAuditRecord>& a = *all;
  EXPECT_EQ(a[0].action, SettingAction::kDelete);
  EXPECT_EQ(a[0].actor, "remover");
  EXPECT_EQ(a[0].version, 2);
  EXPECT_EQ(a[0].body, "");
  EXPECT_EQ(a[0].time_ms, 40);
  EXPECT_EQ(a[1].action, SettingAction::kUpdate);
  EXPECT_EQ(a[1].body, R"({"a":1})");
  EXPECT_EQ(a[2].action, SettingAction::kCreate);
  EXPECT_EQ(a[3].kind, "sink");
  EXPECT_EQ(a[3].item_id, "s");
  EXPECT_EQ(a[3].body, R"({"url":"u"})");  // the audit body, not the sealed secret
  EXPECT_GT(a[0].id, a[1].id);

  Result<std::vector<SettingAuditRecord>> targets = store().QuerySettingsAudit("target", 0, 100);
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(targets->size(), 3u);
  Result<std::vector<SettingAuditRecord>> page = store().QuerySettingsAudit("", a[1].id, 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, a[2].id);
  Result<std::optional<SettingRecord>> gone = store().GetSetting("target", "t");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

TEST_P(StoreConformanceTest, EverySettingsChangeMakesANewRevisionThatSurvivesReopening) {
  Result<SettingsRevision> r0 = store().GetSettingsRevision();
  ASSERT_TRUE(r0.ok()) << r0.error().message;
  EXPECT_EQ(r0->changes, 0);
  ASSERT_TRUE(store().PutSetting(Write("target", "t", "{}")).ok());
  Result<SettingsRevision> r1 = store().GetSettingsRevision();
  ASSERT_TRUE(r1.ok());
  EXPECT_NE(*r1, *r0);
  // A refused change is no change.
  ASSERT_FALSE(store().PutSetting(Write("target", "t", "{}", 0)).ok());
  Result<SettingsRevision> same = store().GetSettingsRevision();
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, *r1);
  ASSERT_TRUE(store().DeleteSetting("target", "t", "x", 5).ok());
  Result<SettingsRevision> r2 = store().GetSettingsRevision();
  ASSERT_TRUE(r2.ok());
  EXPECT_NE(*r2, *r1);

  ASSERT_TRUE(store().PutSetting(Write("price", "p", R"({"in":1})")).ok());
  Reopen();
  Result<std::optional<SettingRecord>> kept = store().GetSetting("price", "p");
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->body, R"({"in":1})");
  Result<std::vector<SettingAuditRecord>> audit = store().QuerySettingsAudit("", 0, 10);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->size(), 3u);
}

}  // namespace
}  // namespace llmscope::store::conformance
