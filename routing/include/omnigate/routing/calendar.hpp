// Business calendars: opening hours per weekday (split shifts allowed), holidays and a time
// zone, so that SLA clocks count only service time (7x24 for A-tier, 5x8 for B-tier, ...).
// Arithmetic on Unix milliseconds; a calendar's zone comes from the system tz database, read
// once when the policy is parsed (date::locate_zone), never while routing.
#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "omnigate/routing/types.hpp"

namespace date {
class time_zone;
}

namespace omnigate::routing {

// A time zone named as in the IANA tz database ("UTC", "Europe/Berlin", "Asia/Shanghai",
// "Etc/GMT-8" for a fixed UTC+8): its offsets and daylight-saving switches are the system
// tzdata's. POSIX TZ rules and "UTC+5"-style offsets are refused: their sign conventions
// disagree ("UTC+5" reads as east in ISO, as west in POSIX).
class TimeZone {
 public:
  TimeZone() = default;  // UTC, without reading the tz database
  // Throws std::invalid_argument naming `name` when the tz database does not know it.
  static TimeZone parse(std::string_view name);
  // Offset of local time from UTC, in milliseconds, at instant `t`.
  std::int64_t offset_ms_at(UnixMs t) const;
  // The instant of local wall time `local_ms` (milliseconds since local 1970-01-01 00:00). A
  // time skipped by a spring-forward switch gives the switch; a repeated one its first instant.
  UnixMs to_utc(std::int64_t local_ms) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_ = "UTC";
  const date::time_zone* zone_ = nullptr;  // owned by the tz database; nullptr = UTC
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
