#include "utc_time.hpp"

#include <chrono>
#include <cstdio>

namespace routing_sim {

std::optional<UnixMs> parse_utc_time(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos)
    return text.size() <= 15 ? std::optional<UnixMs>(std::stoll(text)) : std::nullopt;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, used = 0;
  const char* p = text.c_str();
  if (std::sscanf(p, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3) return std::nullopt;
  p += used;
  if (*p == 'T' || *p == ' ') {
    used = 0;
    if (std::sscanf(p + 1, "%2d:%2d%n", &h, &mi, &used) != 2) return std::nullopt;
    p += 1 + used;
    if (*p == ':') {
      used = 0;
      if (std::sscanf(p + 1, "%2d%n", &s, &used) != 1) return std::nullopt;
      p += 1 + used;
    }
  }
  if (*p == 'Z') ++p;
  if (*p != '\0' || h > 23 || mi > 59 || s > 59) return std::nullopt;
  using namespace std::chrono;
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  const auto at = sys_days{date} + hours{h} + minutes{mi} + seconds{s};
  return duration_cast<milliseconds>(at.time_since_epoch()).count();
}

std::string format_utc_time(UnixMs at) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds{at}};
  const auto days = floor<std::chrono::days>(t);
  const year_month_day date{days};
  const hh_mm_ss time{floor<seconds>(t - days)};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02ld:%02ld:%02ld UTC", int(date.year()),
                unsigned(date.month()), unsigned(date.day()), long(time.hours().count()),
                long(time.minutes().count()), long(time.seconds().count()));
  return buf;
}

}  // namespace routing_sim
