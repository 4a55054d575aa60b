#include "api/report_months.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace omnigate::api {

namespace {

using namespace std::chrono;

ReportMonth month_of(year_month ym) {
  char label[16];
  std::snprintf(label, sizeof label, "%04d-%02u", static_cast<int>(ym.year()),
                static_cast<unsigned>(ym.month()));
  const auto start = sys_days(ym / 1);
  const auto end = sys_days((ym + months(1)) / 1);
  return {label, duration_cast<milliseconds>(start.time_since_epoch()).count(),
          duration_cast<milliseconds>(end.time_since_epoch()).count()};
}

year_month year_month_at(store::UnixMs at) {
  const year_month_day day{floor<days>(sys_time<milliseconds>(milliseconds(at)))};
  return day.year() / day.month();
}

bool digits(std::string_view s, int& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::optional<ReportMonth> parse_report_month(std::string_view text) {
  int y = 0, m = 0;
  if (text.size() != 7 || text[4] != '-' || text[0] == '+' || text[5] == '+' ||
      !digits(text.substr(0, 4), y) || !digits(text.substr(5, 2), m))
    return std::nullopt;
  if (y < 1970 || m < 1 || m > 12) return std::nullopt;
  return month_of(year(y) / month(static_cast<unsigned>(m)));
}

ReportMonth report_month_of(store::UnixMs at) {
  return month_of(year_month_at(at));
}

std::vector<ReportMonth> report_months_ending(const ReportMonth& last, int count) {
  std::vector<ReportMonth> out;
  const year_month end = year_month_at(last.from);
  for (int back = count - 1; back >= 0; --back) {
    const year_month ym = end - months(back);
    if (ym.year() < year(1970)) continue;
    out.push_back(month_of(ym));
  }
  return out;
}

}  // namespace omnigate::api
