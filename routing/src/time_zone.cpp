// POSIX TZ rules ("CET-1CEST,M3.5.0,M10.5.0/3") and ISO-style fixed offsets ("UTC+08:00").
#include <cctype>
#include <stdexcept>
#include <string>

#include "civil_time.hpp"
#include "omnigate/routing/calendar.hpp"

namespace omnigate::routing {

struct TimeZoneParser {
  std::string_view text;
  std::size_t pos = 0;
  std::string_view spec;

  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument("time zone \"" + std::string(spec) + "\": " + what);
  }
  bool at_end() const { return pos >= text.size(); }
  char peek() const { return at_end() ? '\0' : text[pos]; }

  void parse_name() {
    if (peek() == '<') {
      const auto close = text.find('>', pos);
      if (close == std::string_view::npos) fail("unterminated <name>");
      pos = close + 1;
      return;
    }
    const auto start = pos;
    while (!at_end() && std::isalpha(static_cast<unsigned char>(peek()))) ++pos;
    if (pos - start < 3)
      fail("zone name needs at least 3 letters at offset " + std::to_string(start));
  }

  int parse_number(int max) {
    if (at_end() || !std::isdigit(static_cast<unsigned char>(peek())))
      fail("expected a number at offset " + std::to_string(pos));
    int v = 0;
    while (!at_end() && std::isdigit(static_cast<unsigned char>(peek()))) {
      v = v * 10 + (peek() - '0');
      if (v > max) fail("number out of range at offset " + std::to_string(pos));
      ++pos;
    }
    return v;
  }

  // [+-]hh[:mm[:ss]] in milliseconds (sign applied as written).
  std::int64_t parse_hms(int max_hours) {
    int sign = 1;
    if (peek() == '+' || peek() == '-') sign = text[pos++] == '-' ? -1 : 1;
    std::int64_t ms = parse_number(max_hours) * 3600000LL;
    if (peek() == ':') {
      ++pos;
      ms += parse_number(59) * 60000LL;
      if (peek() == ':') {
        ++pos;
        ms += parse_number(59) * 1000LL;
      }
    }
    return sign * ms;
  }

  TimeZone::Transition parse_rule() {
    if (peek() != 'M')
      fail("only Mm.w.d transition rules are supported (offset " + std::to_string(pos) + ")");
    ++pos;
    TimeZone::Transition t;
    t.month = parse_number(12);
    if (peek() != '.') fail("expected '.' in Mm.w.d");
    ++pos;
    t.week = parse_number(5);
    if (peek() != '.') fail("expected '.' in Mm.w.d");
    ++pos;
    t.weekday = parse_number(6);
    if (t.month < 1 || t.week < 1) fail("month and week start at 1");
    if (peek() == '/') {
      ++pos;
      t.time_ms = parse_hms(167);
    }
    return t;
  }

  TimeZone parse() {
    TimeZone tz;
    tz.spec_ = std::string(spec);
    if (text.empty()) fail("empty");
    const bool iso = text.starts_with("UTC") || text.starts_with("GMT");
    if (iso && text.size() == 3) return tz;
    if (iso && (text[3] == '+' || text[3] == '-')) {
      pos = 3;
      tz.std_offset_ms_ = parse_hms(14);  // ISO sign: local = UTC + offset
      if (!at_end()) fail("unexpected text after the offset");
      return tz;
    }
    parse_name();
    tz.std_offset_ms_ = -parse_hms(24);  // POSIX sign: positive = west of Greenwich
    if (at_end()) return tz;
    parse_name();
    tz.dst_offset_ms_ = tz.std_offset_ms_ + 3600000;
    if (peek() != ',') tz.dst_offset_ms_ = -parse_hms(24);
    if (peek() != ',') fail("daylight saving needs ,start,end rules");
    ++pos;
    tz.dst_start_ = parse_rule();
    if (peek() != ',') fail("expected ',' before the end rule");
    ++pos;
    tz.dst_end_ = parse_rule();
    if (!at_end()) fail("unexpected text at offset " + std::to_string(pos));
    tz.has_dst_ = true;
    return tz;
  }
};

TimeZone TimeZone::parse(std::string_view spec) {
  TimeZoneParser p{spec, 0, spec};
  return p.parse();
}

namespace {

// Local midnight (as a local day number) of the w-th weekday d of month m in year y.
std::int64_t transition_day(int year, const auto& t) {
  const std::int64_t first = civil::days_from_civil(year, static_cast<unsigned>(t.month), 1);
  const unsigned first_wd = civil::weekday_from_days(first);
  std::int64_t day =
      first + (static_cast<unsigned>(t.weekday) + 7 - first_wd) % 7 + (t.week - 1) * 7;
  const int next_month_year = t.month == 12 ? year + 1 : year;
  const unsigned next_month = t.month == 12 ? 1 : static_cast<unsigned>(t.month) + 1;
  const std::int64_t month_end = civil::days_from_civil(next_month_year, next_month, 1);
  while (day >= month_end) day -= 7;  // week 5 = the last such weekday
  return day;
}

}  // namespace

std::int64_t TimeZone::offset_ms_at(UnixMs t) const {
  if (!has_dst_) return std_offset_ms_;
  const int year = civil::civil_from_days(civil::floor_div(t + std_offset_ms_, civil::kDayMs)).year;
  // Start is written in standard local time, end in daylight local time.
  const UnixMs start =
      transition_day(year, dst_start_) * civil::kDayMs + dst_start_.time_ms - std_offset_ms_;
  const UnixMs end =
      transition_day(year, dst_end_) * civil::kDayMs + dst_end_.time_ms - dst_offset_ms_;
  const bool dst = start < end ? (t >= start && t < end) : (t >= start || t < end);
  return dst ? dst_offset_ms_ : std_offset_ms_;
}

}  // namespace omnigate::routing
