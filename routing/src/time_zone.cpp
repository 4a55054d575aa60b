// Time zones are the system's tz database (IANA names) through Howard Hinnant's date/tz.h, so a
// calendar's offsets and daylight-saving switches are the ones the OS ships and updates.
#include <date/tz.h>

#include <stdexcept>
#include <string>

#include "omnigate/routing/calendar.hpp"

namespace omnigate::routing {

TimeZone TimeZone::parse(std::string_view name) {
  TimeZone tz;
  tz.name_ = std::string(name);
  if (name.empty()) throw std::invalid_argument("time zone: empty (use an IANA name like \"UTC\")");
  try {
    tz.zone_ = date::locate_zone(tz.name_);
  } catch (const std::runtime_error&) {
    throw std::invalid_argument("time zone \"" + tz.name_ +
                                "\" is not in the tz database (use an IANA name like "
                                "\"Europe/Berlin\", \"Asia/Shanghai\", \"UTC\" or \"Etc/GMT-8\")");
  }
  return tz;
}

std::int64_t TimeZone::offset_ms_at(UnixMs t) const {
  if (zone_ == nullptr) return 0;
  const date::sys_time<std::chrono::milliseconds> at{std::chrono::milliseconds(t)};
  return std::chrono::duration_cast<std::chrono::milliseconds>(zone_->get_info(at).offset).count();
}

UnixMs TimeZone::to_utc(std::int64_t local_ms) const {
  if (zone_ == nullptr) return local_ms;
  const date::local_time<std::chrono::milliseconds> local{std::chrono::milliseconds(local_ms)};
  // A local time skipped by a spring-forward switch maps to the switch; one repeated in the
  // autumn maps to its first occurrence.
  return zone_->to_sys(local, date::choose::earliest).time_since_epoch().count();
}

}  // namespace omnigate::routing
