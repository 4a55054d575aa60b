// Business calendars: opening hours per weekday (split shifts allowed), holidays and a time
// zone, so that SLA clocks count only service time (7x24 for A-tier, 5x8 for B-tier, ...).
// Pure arithmetic on Unix milliseconds; never reads the system time-zone database.
#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "omnigate/routing/types.hpp"

namespace omnigate::routing {

// A time zone as a POSIX TZ rule ("UTC", "UTC+08:00", "CET-1CEST,M3.5.0,M10.5.0/3",
// "EST5EDT,M3.2.0,M11.1.0"): a standard offset plus an optional daylight-saving rule.
// Chosen over IANA names because it needs no tz database on disk (the engine does no I/O).
class TimeZone {
 public:
  TimeZone() = default;  // UTC
  // Throws std::invalid_argument naming what is wrong with `spec`.
  static TimeZone parse(std::string_view spec);
  // Offset of local time from UTC, in milliseconds, at instant `t`.
  std::int64_t offset_ms_at(UnixMs t) const;
  const std::string& spec() const { return spec_; }

 private:
  struct Transition {  // "Mm.w.d/time": month, week (5 = last), weekday (0 = Sunday)
    int month = 0, week = 0, weekday = 0;
    std::int64_t time_ms = 2 * 3600 * 1000;  // local time of the switch
  };
  std::string spec_ = "UTC";
  std::int64_t std_offset_ms_ = 0;  // local = UTC + offset
  std::int64_t dst_offset_ms_ = 0;
  bool has_dst_ = false;
  Transition dst_start_, dst_end_;
  friend struct TimeZoneParser;
};

// Local-time interval within one day, minutes since local midnight, [start, end).
struct OpenInterval {
  int start_min = 0;
  int end_min = 24 * 60;
};

class BusinessCalendar {
 public:
  // Always open (7x24) in UTC.
  BusinessCalendar();
  BusinessCalendar(std::string name, TimeZone zone,
                   std::array<std::vector<OpenInterval>, 7> week /* index 0 = Monday */,
                   std::set<std::int32_t> holidays /* local civil days since 1970-01-01 */,
                   std::int64_t working_day_ms /* 0 = the average open day */);

  const std::string& name() const { return name_; }
  bool is_open(UnixMs t) const;
  // The instant reached after `service_ms` of open time, starting at `from`.
  UnixMs add_service_time(UnixMs from, std::int64_t service_ms) const;
  // Open time between two instants (0 if `to` <= `from`).
  std::int64_t service_time_between(UnixMs from, UnixMs to) const;
  // Length of one "working day" used by durations written in working days ("3wd").
  std::int64_t working_day_ms() const { return working_day_ms_; }
  bool always_open() const { return always_open_; }

 private:
  // Next open interval [start, end) in UTC that ends after `t`; returns false if the
  // calendar has no open time at all.
  bool next_open_interval(UnixMs t, UnixMs& start, UnixMs& end) const;

  std::string name_;
  TimeZone zone_;
  std::array<std::vector<OpenInterval>, 7> week_;
  std::set<std::int32_t> holidays_;
  std::int64_t working_day_ms_ = 24LL * 3600 * 1000;
  bool always_open_ = true;
};

}  // namespace omnigate::routing
