// Service-time arithmetic over opening hours, holidays and a time zone.
#include <algorithm>
#include <limits>

#include "civil_time.hpp"
#include "omnigate/routing/calendar.hpp"

namespace omnigate::routing {

namespace {
constexpr UnixMs kFarFuture = std::numeric_limits<UnixMs>::max() / 4;
// A calendar with no open day within this many days is treated as never open.
constexpr int kSearchDays = 800;
constexpr int kMaxIntervals = 100000;
}  // namespace

BusinessCalendar::BusinessCalendar() : name_("24x7") {}

BusinessCalendar::BusinessCalendar(std::string name, TimeZone zone,
                                   std::array<std::vector<OpenInterval>, 7> week,
                                   std::set<std::int32_t> holidays, std::int64_t working_day_ms)
    : name_(std::move(name)),
      zone_(std::move(zone)),
      week_(std::move(week)),
      holidays_(std::move(holidays)),
      always_open_(false) {
  std::int64_t weekly_ms = 0;
  int open_days = 0;
  for (auto& day : week_) {
    std::sort(day.begin(), day.end(), [](const OpenInterval& a, const OpenInterval& b) {
      return a.start_min < b.start_min;
    });
    std::int64_t day_ms = 0;
    for (const auto& iv : day) day_ms += (iv.end_min - iv.start_min) * 60000LL;
    weekly_ms += day_ms;
    open_days += day_ms > 0 ? 1 : 0;
  }
  // Every local minute open and no holidays: open at every instant, whatever the zone.
  always_open_ = holidays_.empty() && weekly_ms == 7 * civil::kDayMs;
  working_day_ms_ = working_day_ms > 0 ? working_day_ms
                    : open_days > 0    ? weekly_ms / open_days
                                       : civil::kDayMs;
}

bool BusinessCalendar::next_open_interval(UnixMs t, UnixMs& start, UnixMs& end) const {
  if (always_open_) {
    start = t;
    end = kFarFuture;
    return true;
  }
  // Start one day early: an interval of the previous local day may still be open at `t`.
  std::int64_t day = civil::floor_div(t + zone_.offset_ms_at(t), civil::kDayMs) - 1;
  for (int i = 0; i < kSearchDays; ++i, ++day) {
    if (holidays_.count(static_cast<std::int32_t>(day))) continue;
    const unsigned monday_based = (civil::weekday_from_days(day) + 6) % 7;
    for (const auto& iv : week_[monday_based]) {
      const UnixMs s = zone_.to_utc(day * civil::kDayMs + iv.start_min * 60000LL);
      const UnixMs e = zone_.to_utc(day * civil::kDayMs + iv.end_min * 60000LL);
      if (e > t && e > s) {
        start = std::max(s, t);
        end = e;
        return true;
      }
    }
  }
  return false;
}

bool BusinessCalendar::is_open(UnixMs t) const {
  UnixMs s = 0, e = 0;
  return next_open_interval(t, s, e) && s <= t;
}

UnixMs BusinessCalendar::add_service_time(UnixMs from, std::int64_t service_ms) const {
  UnixMs cursor = from;
  // A deadline needing more open intervals than this (about 270 years of daily shifts) is
  // "never"; the bound keeps a pathological calendar from stalling the engine.
  for (int intervals = 0; service_ms > 0; ++intervals) {
    if (intervals > kMaxIntervals) return kFarFuture;
    UnixMs s = 0, e = 0;
    if (!next_open_interval(cursor, s, e)) return kFarFuture;
    if (service_ms <= e - s) return s + service_ms;
    service_ms -= e - s;
    cursor = e;
  }
  return cursor;
}

std::int64_t BusinessCalendar::service_time_between(UnixMs from, UnixMs to) const {
  std::int64_t total = 0;
  UnixMs cursor = from;
  for (int intervals = 0; cursor < to && intervals <= kMaxIntervals; ++intervals) {
    UnixMs s = 0, e = 0;
    if (!next_open_interval(cursor, s, e) || s >= to) break;
    total += std::min(e, to) - s;
    cursor = e;
  }
  return total;
}

}  // namespace omnigate::routing
