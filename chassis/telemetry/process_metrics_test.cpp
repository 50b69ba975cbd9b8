#include "chassis/telemetry/process_metrics.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace bazaar::telemetry {
namespace {

// The value of the unlabelled sample `name`, or nullopt when the text has none.
std::optional<double> sample(const std::string& text, std::string_view name) {
  const std::string prefix = "\n" + std::string(name) + " ";
  const std::size_t at = ("\n" + text).find(prefix);
  if (at == std::string::npos) return std::nullopt;
  return std::strtod(text.c_str() + at + prefix.size() - 1, nullptr);
}

TEST(ProcessMetrics, RendersTheSixStandardFamilies) {
  Registry r;
  register_process_metrics(r);
  const std::string text = r.render();

  for (const char* type_line :
       {"# TYPE process_cpu_seconds_total counter\n", "# TYPE process_max_fds gauge\n",
        "# TYPE process_open_fds gauge\n", "# TYPE process_resident_memory_bytes gauge\n",
        "# TYPE process_start_time_seconds gauge\n",
        "# TYPE process_virtual_memory_bytes gauge\n"}) {
    EXPECT_NE(text.find(type_line), std::string::npos) << type_line << "\n" << text;
  }
  EXPECT_NE(text.find("# HELP process_start_time_seconds Start time of the process since unix "
                      "epoch in seconds.\n"),
            std::string::npos);

  const auto rss = sample(text, "process_resident_memory_bytes");
  const auto vsize = sample(text, "process_virtual_memory_bytes");
  const auto open_fds = sample(text, "process_open_fds");
  const auto max_fds = sample(text, "process_max_fds");
  const auto cpu = sample(text, "process_cpu_seconds_total");
  const auto start = sample(text, "process_start_time_seconds");
  ASSERT_TRUE(rss && vsize && open_fds && max_fds && cpu && start) << text;

  EXPECT_GT(*rss, 0);
  EXPECT_GE(*vsize, *rss);
  EXPECT_GE(*open_fds, 3);  // stdin, stdout, stderr
  EXPECT_GE(*max_fds, *open_fds);
  EXPECT_GE(*cpu, 0);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(*start, 1.5e9);
  // btime is whole seconds, so the start time can be up to a second late.
  EXPECT_LE(*start, now + 1);
}

TEST(ProcessMetrics, ValuesAreReadAtRenderTime) {
  Registry r;
  register_process_metrics(r);
  const auto before = sample(r.render(), "process_open_fds");
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  const auto during = sample(r.render(), "process_open_fds");
  std::fclose(f);
  ASSERT_TRUE(before && during);
  EXPECT_EQ(*during, *before + 1);
}

}  // namespace
}  // namespace bazaar::telemetry
