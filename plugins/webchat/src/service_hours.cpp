#include "service_hours.hpp"

#include <omnigate/plugin.hpp>

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace omnigate::webchat {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kMinutesPerDay = 24 * 60;
constexpr std::array<std::string_view, 7> kDayNames = {"mon", "tue", "wed", "thu",
                                                       "fri", "sat", "sun"};

std::string key_name(std::string_view key) {
  return "service_hours." + std::string(key);
}
std::string item_name(std::string_view key, std::size_t index) {
  return key_name(key) + "[" + std::to_string(index) + "]";
}

// Monday = 0 .. Sunday = 6.
int weekday_index(date::sys_days day) {
  return static_cast<int>(date::weekday(day).iso_encoding()) - 1;
}
int weekday_index(date::local_days day) {
  return weekday_index(date::sys_days{day.time_since_epoch()});
}

std::optional<int> day_index(std::string_view name) {
  for (std::size_t i = 0; i < kDayNames.size(); ++i)
    if (kDayNames[i] == name) return static_cast<int>(i);
  return std::nullopt;
}

// "mon", "mon-fri", "sat-mon" (wrapping) or a comma list of those: the set of weekdays.
std::optional<std::array<bool, 7>> parse_days(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::array<bool, 7> days{};
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (comma != std::string_view::npos && text.empty()) return std::nullopt;  // "mon,"
    const auto dash = item.find('-');
    const auto first = day_index(item.substr(0, dash));
    const auto last = dash == std::string_view::npos ? first : day_index(item.substr(dash + 1));
    if (!first || !last) return std::nullopt;
    for (int d = *first;; d = (d + 1) % 7) {
      days[static_cast<std::size_t>(d)] = true;
      if (d == *last) break;
    }
  }
  return days;
}

// "HH:MM" as minutes after midnight; "24:00" only where `allow_24` (the end of a window).
std::optional<int> parse_clock(std::string_view text, bool allow_24) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  int hours = 0, minutes = 0;
  const auto h = std::from_chars(text.data(), text.data() + 2, hours);
  const auto m = std::from_chars(text.data() + 3, text.data() + 5, minutes);
  if (h.ec != std::errc{} || h.ptr != text.data() + 2 || m.ec != std::errc{} ||
      m.ptr != text.data() + 5 || minutes > 59)
    return std::nullopt;
  if (hours == 24 && minutes == 0 && allow_24) return kMinutesPerDay;
  if (hours > 23) return std::nullopt;
  return hours * 60 + minutes;
}

std::string string_item(const json& v, const std::string& name) {
  if (!v.is_string()) throw ConfigError(name, "must be a string");
  return v.get<std::string>();
}

const json& array_value(const json& v, std::string_view key) {
  if (!v.is_array()) throw ConfigError(key_name(key), "must be an array of strings");
  return v;
}

}  // namespace

ServiceHours ServiceHours::always_open() {
  return ServiceHours{};
}

ServiceHours ServiceHours::from_json(const json& service_hours) {
  if (!service_hours.is_object()) throw ConfigError("service_hours", "must be an object");
  ServiceHours hours;
  hours.always_open_ = false;
  bool has_weekly = false;
  for (const auto& [key, value] : service_hours.items()) {
    if (key == "time_zone") {
      const std::string name = string_item(value, key_name(key));
      try {
        hours.zone_ = date::locate_zone(name);
      } catch (const std::runtime_error&) {
        throw ConfigError(key_name(key), "\"" + name + "\" is not a time zone of the tz database");
      }
    } else if (key == "weekly") {
      has_weekly = true;
      const json& entries = array_value(value, key);
      for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::string name = item_name(key, i);
        const std::string entry = string_item(entries[i], name);
        const auto space = entry.find(' ');
        const auto dash = entry.find('-', space == std::string::npos ? 0 : space);
        const auto days = space == std::string::npos
                              ? std::nullopt
                              : parse_days(std::string_view(entry).substr(0, space));
        if (!days || dash == std::string::npos)
          throw ConfigError(name, "must look like \"mon-fri 08:00-18:00\" (days mon..sun)");
        const auto start =
            parse_clock(std::string_view(entry).substr(space + 1, dash - space - 1), false);
        const auto end = parse_clock(std::string_view(entry).substr(dash + 1), true);
        if (!start || !end)
          throw ConfigError(name, "times must be HH:MM-HH:MM between 00:00 and 24:00");
        if (*start == *end)
          throw ConfigError(name, "starts and ends at the same time (00:00-24:00 is a whole day)");
        const int end_minute = *end > *start ? *end : *end + kMinutesPerDay;
        for (int d = 0; d < 7; ++d)
          if ((*days)[static_cast<std::size_t>(d)])
            hours.windows_.push_back(Window{d, *start, end_minute});
      }
    } else if (key == "closed") {
      const json& entries = array_value(value, key);
      for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::string name = item_name(key, i);
        const std::string text = string_item(entries[i], name);
        date::year_month_day ymd{};
        std::istringstream in(text);
        in >> date::parse("%F", ymd);
        if (text.size() != 10 || in.fail() || in.peek() != std::char_traits<char>::eof() ||
            !ymd.ok())
          throw ConfigError(name, "must be a date YYYY-MM-DD");
        hours.closed_days_.push_back(
            static_cast<int>(date::sys_days{ymd}.time_since_epoch().count()));
      }
    } else {
      throw ConfigError(key_name(key), "unknown key");
    }
  }
  if (hours.zone_ == nullptr) throw ConfigError(key_name("time_zone"), "is required");
  if (!has_weekly) throw ConfigError(key_name("weekly"), "is required");
  std::sort(hours.closed_days_.begin(), hours.closed_days_.end());
  hours.closed_days_.erase(std::unique(hours.closed_days_.begin(), hours.closed_days_.end()),
                           hours.closed_days_.end());
  return hours;
}

bool ServiceHours::closed_on(int local_day) const {
  return std::binary_search(closed_days_.begin(), closed_days_.end(), local_day);
}

bool ServiceHours::open_at(std::chrono::system_clock::time_point t) const {
  if (always_open_) return true;
  const auto local = zone_->to_local(std::chrono::floor<std::chrono::seconds>(t));
  const auto day = std::chrono::floor<date::days>(local);
  if (closed_on(static_cast<int>(day.time_since_epoch().count()))) return false;
  const int minute =
      static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - day).count());
  const int today = weekday_index(day);
  const int yesterday = (today + 6) % 7;
  return std::any_of(windows_.begin(), windows_.end(), [&](const Window& w) {
    return (w.weekday == today && w.start_minute <= minute && minute < w.end_minute) ||
           (w.weekday == yesterday && minute < w.end_minute - kMinutesPerDay);
  });
}

std::optional<std::chrono::system_clock::time_point> ServiceHours::next_opening(
    std::chrono::system_clock::time_point t) const {
  if (always_open_ || windows_.empty()) return std::nullopt;
  // The chat can only go from closed to open where a window starts or where a local day begins
  // (a closed date ends while a window that began the evening before still runs). After the
  // last closed date every window recurs within a week, so the search ends there.
  const auto first_day =
      std::chrono::floor<date::days>(zone_->to_local(std::chrono::floor<std::chrono::seconds>(t)));
  auto last_day = first_day + date::days{8};
  if (!closed_days_.empty())
    last_day =
        std::max(last_day, date::local_days{date::days{closed_days_.back()}} + date::days{8});

  std::optional<std::chrono::system_clock::time_point> best;
  std::optional<date::local_days> best_day;
  auto consider = [&](date::local_seconds candidate_local, date::local_days day) {
    // A start in a DST gap becomes the instant the gap ends; an ambiguous one its first time.
    const std::chrono::system_clock::time_point candidate =
        zone_->to_sys(candidate_local, date::choose::earliest);
    if (candidate <= t || (best && *best <= candidate)) return;
    if (open_at(candidate) && !open_at(candidate - 1s)) {
      best = candidate;
      best_day = day;
    }
  };
  for (auto day = first_day - date::days{1}; day <= last_day; day += date::days{1}) {
    // One more day after a find: a DST shift can move a candidate of the next day before it.
    if (best_day && day > *best_day + date::days{1}) break;
    consider(date::local_seconds{day}, day);
    const int weekday = weekday_index(day);
    for (const Window& w : windows_)
      if (w.weekday == weekday) consider(day + std::chrono::minutes{w.start_minute}, day);
  }
  return best;
}

const char* const kServiceHoursSchema = R"json({
  "type": "object",
  "description": "When the chat is staffed; outside these hours the widget shows the offline form. Absent: always open.",
  "additionalProperties": false,
  "required": ["time_zone", "weekly"],
  "properties": {
    "time_zone": {
      "type": "string",
      "minLength": 1,
      "description": "IANA time zone of the hours below, e.g. Europe/Berlin"
    },
    "weekly": {
      "type": "array",
      "description": "Opening windows in local time, e.g. \"mon-fri 08:00-18:00\"; an end not after the start runs past midnight (\"fri 22:00-02:00\")",
      "items": {
        "type": "string",
        "pattern": "^(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?(,(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?)* ([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
      }
    },
    "closed": {
      "type": "array",
      "description": "Local dates (YYYY-MM-DD) on which the chat is closed all day",
      "items": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    }
  }
})json";

}  // namespace omnigate::webchat
