// When the web chat is staffed: weekly opening windows in the site's IANA time zone (read from
// the system tz database through Howard Hinnant's date/tz.h, so DST follows the zone's rules),
// minus closed dates. Windows are wall-clock times: "mon-fri 08:00-18:00" opens at 08:00 local
// time on both sides of a DST switch; a window whose end is not after its start
// ("fri 22:00-02:00") runs past midnight into the next day. A closed date closes the whole local
// calendar day, also the part of a window that spilled over from the evening before.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <vector>

namespace date {
class time_zone;
}

namespace omnigate::webchat {

class ServiceHours {
 public:
  // From the value of the instance config's `service_hours` object (the caller uses
  // always_open() when the key is absent):
  //   {"time_zone": "Europe/Berlin", "weekly": ["mon-fri 08:00-18:00", "sat 10:00-14:00"],
  //    "closed": ["2026-12-25", "2026-12-26"]}
  // Days are mon..sun, one day, a range ("mon-fri", "sat-mon" wraps) or a comma list of them
  // ("mon,wed,fri-sat"); times are HH:MM, the end may be 24:00. An empty `weekly` is never open.
  // Bad values throw omnigate::ConfigError("service_hours.<key>", "what is wrong").
  static ServiceHours from_json(const nlohmann::json& service_hours);
  static ServiceHours always_open();

  bool open_at(std::chrono::system_clock::time_point t) const;
  // The start of the next open period after t, i.e. the first instant after t at which the
  // chat goes from closed to open (when open at t: the start of the period after this one).
  // nullopt when always open or never open again.
  std::optional<std::chrono::system_clock::time_point> next_opening(
      std::chrono::system_clock::time_point t) const;

 private:
  struct Window {
    int weekday;       // 0 = Monday .. 6 = Sunday: the day the window starts on
    int start_minute;  // minutes after local midnight of that day
    int end_minute;    // > start_minute; more than 1440 when it runs past midnight
  };
  ServiceHours() = default;
  bool closed_on(int local_day) const;

  bool always_open_ = true;
  const date::time_zone* zone_ = nullptr;  // owned by the tz database, lives as long as the process
  std::vector<Window> windows_;
  std::vector<int> closed_days_;  // local dates as days since 1970-01-01, sorted, unique
};

// The JSON Schema (draft-07) of the `service_hours` object, for the plugin's config schema.
extern const char* const kServiceHoursSchema;

}  // namespace omnigate::webchat
