#include "core/metrics.hpp"

#include <catch2/catch.hpp>

using omnigate::Metrics;

TEST_CASE("counters render HELP, TYPE and one sample per label set") {
  Metrics m;
  m.counter_add("requests_total", "All requests.", {{"route", "/a"}, {"status", "200"}});
  m.counter_add("requests_total", "All requests.", {{"route", "/a"}, {"status", "200"}}, 2);
  m.counter_add("requests_total", "All requests.", {{"route", "/b"}, {"status", "404"}});
  const std::string out = m.render();
  CHECK(out.find("# HELP requests_total All requests.\n# TYPE requests_total counter\n") !=
        std::string::npos);
  CHECK(out.find("requests_total{route=\"/a\",status=\"200\"} 3\n") != std::string::npos);
  CHECK(out.find("requests_total{route=\"/b\",status=\"404\"} 1\n") != std::string::npos);
}

TEST_CASE("gauges keep the last value and render without braces when unlabelled") {
  Metrics m;
  m.gauge_set("connections", "Open connections.", {}, 5);
  m.gauge_set("connections", "Open connections.", {}, 2);
  CHECK(m.render().find("\nconnections 2\n") != std::string::npos);
}

TEST_CASE("label values escape backslash, quote and newline; HELP escapes backslash, newline") {
  Metrics m;
  m.counter_add("c", "line1\nback\\slash", {{"path", "a\"b\\c\nd"}});
  const std::string out = m.render();
  CHECK(out.find("# HELP c line1\\nback\\\\slash\n") != std::string::npos);
  CHECK(out.find("c{path=\"a\\\"b\\\\c\\nd\"} 1\n") != std::string::npos);
}

TEST_CASE("histograms render cumulative buckets, +Inf, sum and count") {
  Metrics m;
  const std::vector<double> buckets{0.1, 0.5, 1};
  m.observe("latency_seconds", "Latency.", {{"route", "/x"}}, 0.05, buckets);
  m.observe("latency_seconds", "Latency.", {{"route", "/x"}}, 0.5, buckets);  // le is inclusive
  m.observe("latency_seconds", "Latency.", {{"route", "/x"}}, 0.7, buckets);
  m.observe("latency_seconds", "Latency.", {{"route", "/x"}}, 3, buckets);
  const std::string out = m.render();
  CHECK(out.find("# TYPE latency_seconds histogram\n") != std::string::npos);
  CHECK(out.find("latency_seconds_bucket{route=\"/x\",le=\"0.1\"} 1\n") != std::string::npos);
  CHECK(out.find("latency_seconds_bucket{route=\"/x\",le=\"0.5\"} 2\n") != std::string::npos);
  CHECK(out.find("latency_seconds_bucket{route=\"/x\",le=\"1\"} 3\n") != std::string::npos);
  CHECK(out.find("latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n") != std::string::npos);
  CHECK(out.find("latency_seconds_sum{route=\"/x\"} 4.25\n") != std::string::npos);
  CHECK(out.find("latency_seconds_count{route=\"/x\"} 4\n") != std::string::npos);
}

TEST_CASE("a histogram name keeps the buckets of its first use for every label set") {
  Metrics m;
  m.observe("h", "H.", {{"k", "a"}}, 0.2, {0.1, 1});
  m.observe("h", "H.", {{"k", "b"}}, 0.2, {5, 10});
  const std::string out = m.render();
  CHECK(out.find("h_bucket{k=\"b\",le=\"1\"} 1\n") != std::string::npos);
  CHECK(out.find("le=\"5\"") == std::string::npos);
}

TEST_CASE("collectors run at render time and may set gauges") {
  Metrics m;
  int depth = 7;
  m.add_collector([&](Metrics& self) { self.gauge_set("queue_depth", "Queued.", {}, depth); });
  CHECK(m.render().find("queue_depth 7\n") != std::string::npos);
  depth = 9;
  CHECK(m.render().find("queue_depth 9\n") != std::string::npos);
}

TEST_CASE("using a metric name as another type is refused") {
  Metrics m;
  m.counter_add("x", "X.", {});
  CHECK_THROWS_AS(m.gauge_set("x", "X.", {}, 1), std::logic_error);
}
