#include "core/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace omnigate {
namespace {

// Prometheus text format 0.0.4: label values escape backslash, double quote and newline;
// HELP text escapes backslash and newline.
void append_escaped(std::string& out, const std::string& text, bool escape_quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
  }
}

// `{a="x",b="y"}`, with an optional extra label (the histogram's `le`) last.
void append_labels(std::string& out, const Labels& labels, const char* extra_name = nullptr,
                   const std::string& extra_value = {}) {
  if (labels.empty() && extra_name == nullptr) return;
  out += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    append_escaped(out, v, true);
    out += '"';
  }
  if (extra_name != nullptr) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

}  // namespace

const std::vector<double>& Metrics::default_buckets() {
  static const std::vector<double> buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return buckets;
}

// A name keeps the type it was first used with; using it as another type is a programming
// error that would produce an invalid exposition, so it fails loudly.
Metrics::Family& Metrics::family(std::string_view name, std::string_view help, const char* type) {
  auto it = families_.find(name);
  if (it == families_.end())
    it = families_.emplace(std::string(name), Family{type, std::string(help), {}, {}}).first;
  else if (it->second.type != type)
    throw std::logic_error("metric " + std::string(name) + " is a " + it->second.type +
                           ", used as a " + type);
  return it->second;
}

bool Metrics::declare(std::string_view name, std::string_view help, std::string_view type) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    families_.emplace(std::string(name), Family{std::string(type), std::string(help), {}, {}});
    return true;
  }
  return it->second.type == type;
}

void Metrics::counter_add(std::string_view name, std::string_view help, const Labels& labels,
                          double value) {
  std::lock_guard lock(mu_);
  family(name, help, "counter").values[labels] += value;
}

void Metrics::gauge_set(std::string_view name, std::string_view help, const Labels& labels,
                        double value) {
  std::lock_guard lock(mu_);
  family(name, help, "gauge").values[labels] = value;
}

void Metrics::observe(std::string_view name, std::string_view help, const Labels& labels,
                      double seconds, const std::vector<double>& buckets) {
  std::lock_guard lock(mu_);
  Family& histograms = family(name, help, "histogram");
  auto [hit, fresh] = histograms.histograms.try_emplace(labels);
  Histogram& h = hit->second;
  if (fresh) {
    // Every label set of one name shares the bounds of the first one, so buckets line up.
    h.bounds = buckets;
    std::sort(h.bounds.begin(), h.bounds.end());
    for (const auto& [other_labels, other] : histograms.histograms) {
      if (&other != &h) {
        h.bounds = other.bounds;
        break;
      }
    }
    h.counts.assign(h.bounds.size(), 0);
  }
  const auto pos = std::lower_bound(h.bounds.begin(), h.bounds.end(), seconds);
  if (pos != h.bounds.end()) ++h.counts[static_cast<std::size_t>(pos - h.bounds.begin())];
  h.sum += seconds;
  ++h.count;
}

void Metrics::add_collector(std::function<void(Metrics&)> collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string Metrics::render() {
  std::vector<std::function<void(Metrics&)>> collectors;
  {
    std::lock_guard lock(mu_);
    collectors = collectors_;
  }
  // Collectors call gauge_set(), which takes the lock: run them before rendering.
  for (auto& collect : collectors) collect(*this);

  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + ' ';
    append_escaped(out, family.help, false);
    out += "\n# TYPE " + name + ' ' + family.type + '\n';
    for (const auto& [labels, value] : family.values) {
      out += name;
      append_labels(out, labels);
      out += ' ';
      append_number(out, value);
      out += '\n';
    }
    for (const auto& [labels, h] : family.histograms) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < h.bounds.size(); ++i) {
        cumulative += h.counts[i];
        std::string le;
        append_number(le, h.bounds[i]);
        out += name + "_bucket";
        append_labels(out, labels, "le", le);
        out += ' ' + std::to_string(cumulative) + '\n';
      }
      out += name + "_bucket";
      append_labels(out, labels, "le", "+Inf");
      out += ' ' + std::to_string(h.count) + '\n';
      out += name + "_sum";
      append_labels(out, labels);
      out += ' ';
      append_number(out, h.sum);
      out += '\n';
      out += name + "_count";
      append_labels(out, labels);
      out += ' ' + std::to_string(h.count) + '\n';
    }
  }
  return out;
}

}  // namespace omnigate
