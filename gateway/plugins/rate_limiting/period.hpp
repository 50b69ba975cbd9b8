#pragma once
// The fixed windows Kong's rate-limiting counts in, aligned to UTC calendar boundaries.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bazaar::gateway::rate_limiting {

enum class Period { second, minute, hour, day, month, year };

// Smallest to largest, the order Kong's schema checks limits in (schema.lua ORDERED_PERIODS).
inline constexpr std::array<Period, 6> kPeriods = {Period::second, Period::minute, Period::hour,
                                                   Period::day,    Period::month,  Period::year};

using Seconds = std::chrono::sys_seconds;

// "minute": the config field, the counter key suffix.
std::string_view period_name(Period period);
// X-RateLimit-Limit-<Period> and X-RateLimit-Remaining-<Period>, Kong's spelling.
std::string_view limit_header(Period period);
std::string_view remaining_header(Period period);
std::optional<Period> parse_period(std::string_view name);

// Kong's nominal window length (kong/plugins/rate-limiting/expiration.lua): a month is 30 days
// and a year 365, whatever the calendar says. Used for RateLimit-Reset and counter TTLs.
std::int64_t nominal_seconds(Period period);

// First second of the window holding `now`: month and year are calendar-aligned, as
// kong.tools.timestamp.get_timestamps computes them.
Seconds window_start(Period period, Seconds now);
// First second of the next window (the real calendar one, for expiring local counters).
Seconds window_end(Period period, Seconds now);

// Kong's RateLimit-Reset for a period (handler.lua): nominal length minus the seconds elapsed
// in the window, never below 1. On the 31st of a month this is 1, not the time to the 1st.
std::int64_t seconds_until_reset(Period period, Seconds now);

}  // namespace bazaar::gateway::rate_limiting
