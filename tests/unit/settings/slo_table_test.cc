// SloTable: every copy reads what any copy was given last; a snapshot taken before a Replace
// keeps the table it was taken from; readers on other threads see a whole table, old or new.
#include "settings/slo_table.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace llmscope::settings {
namespace {

SeriesKey Series(const std::string& model) {
  return SeriesKey{SourceKey{"ollama", model, "", ""}, Metric::kE2eMs};
}

TEST(SloTableTest, CopiesShareOneTableThatReplaceSwapsWhole) {
  SloTable table;
  const SloTable reader = table;
  EXPECT_FALSE(reader.Find(Series("llama3")));
  table.Replace({{Series("llama3"), spc::SpecLimits{3000.0, std::nullopt}}});
  ASSERT_TRUE(reader.Find(Series("llama3")));
  EXPECT_EQ(reader.Find(Series("llama3"))->usl, 3000.0);
  EXPECT_FALSE(reader.Find(Series("llama3"))->lsl);
  EXPECT_FALSE(reader.Find(Series("mistral")));

  const auto before = reader.All();
  table.Replace({{Series("mistral"), spc::SpecLimits{std::nullopt, 10.0}}});
  EXPECT_EQ(before->size(), 1u);
  EXPECT_TRUE(before->contains(Series("llama3"))) << "a snapshot outlives the next Replace";
  EXPECT_FALSE(reader.Find(Series("llama3"))) << "the SLOs not given again are gone";
  EXPECT_EQ(reader.Find(Series("mistral"))->lsl, 10.0);
}

// Two SLOs always replaced together: a reader never sees one without the other.
TEST(SloTableTest, AReaderOnAnotherThreadSeesAWholeTable) {
  SloTable table;
  std::atomic<bool> stop = false;
  std::thread writer([&] {
    for (int i = 1; !stop; ++i) {
      const double usl = 1000.0 + i;
      table.Replace({{Series("a"), spc::SpecLimits{usl, std::nullopt}},
                     {Series("b"), spc::SpecLimits{usl, std::nullopt}}});
    }
  });
  for (int i = 0; i < 20000; ++i) {
    const auto all = table.All();
    if (all->empty()) continue;
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ(all->at(Series("a")).usl, all->at(Series("b")).usl);
  }
  stop = true;
  writer.join();
}

}  // namespace
}  // namespace llmscope::settings
