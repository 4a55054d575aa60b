// Prometheus-style metrics: counters, gauges and histograms with labels, rendered in the text
// exposition format at /metrics. Thread-safe; hot paths take one short lock per update.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  // `help` is registered the first time a name is used.
  // name and help are views: most calls pass literals, on every request, and a family's strings
  // are copied only when it is first used.
  void counter_add(std::string_view name, std::string_view help, const Labels& labels,
                   double value = 1);
  void gauge_set(std::string_view name, std::string_view help, const Labels& labels, double value);
  // Observations in seconds; buckets are fixed per name at first use.
  void observe(std::string_view name, std::string_view help, const Labels& labels, double seconds,
               const std::vector<double>& buckets = default_buckets());
  // Creates the family `name` of `type` ("counter", "gauge", "histogram") if it does not exist
  // yet, so that it is listed before its first value. False when it exists with another type.
  bool declare(std::string_view name, std::string_view help, std::string_view type);
  // Gauges computed at scrape time (e.g. queue length read from the store).
  void add_collector(std::function<void(Metrics&)> collector);

  std::string render();  // runs collectors, then renders every family
  static const std::vector<double>& default_buckets();

 private:
  struct Histogram {
    std::vector<double> bounds;
    std::vector<std::uint64_t> counts;  // per bucket (non-cumulative)
    double sum = 0;
    std::uint64_t count = 0;
  };
  struct Family {
    std::string type, help;
    std::map<Labels, double> values;
    std::map<Labels, Histogram> histograms;
  };
  // The family `name`, created with `type` and `help` on first use; a name used with another
  // type throws. Call with mu_ held.
  Family& family(std::string_view name, std::string_view help, const char* type);

  std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
  std::vector<std::function<void(Metrics&)>> collectors_;
};

}  // namespace omnigate
