#pragma once
// Prometheus metrics: HTTP requests by route and status with latency histograms, and
// database query latency. Rendered in the text exposition format by render().
//
// Thread safety: record_* may be called from any thread (one short mutex hold each);
// gauges are read through callbacks at render time.
#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace todo::ops {

class Histogram {
 public:
  static constexpr std::array<double, 14> kBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  void observe(double seconds);
  void render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::array<std::uint64_t, kBounds.size()> buckets_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

class Metrics {
 public:
  void record_request(const std::string& route, const std::string& method, int status,
                      double seconds);
  void record_db(const std::string& kind, double seconds);  // kind: "read" | "write"
  // A gauge read at render time (e.g. DB pool use). `labels` like `subscriber="audit"`.
  // Callbacks may query the database: render() is never called on an I/O thread.
  void add_gauge(std::string name, std::string help, std::function<double()> value,
                 std::string labels = {});
  // Several gauges read by one callback at render time, e.g. one query for all of them.
  // Samples of one name must come together; the first of each name gives the help.
  struct GaugeSample {
    std::string name, help, labels;
    double value = 0;
  };
  void add_gauge_group(std::function<std::vector<GaugeSample>()> samples);
  // Named counters and histograms for modules (events, audit), declared once with help.
  void describe(const std::string& name, const std::string& type, const std::string& help);
  void add(const std::string& name, const std::string& labels, std::uint64_t n);
  void observe(const std::string& name, const std::string& labels, double seconds);
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
  std::map<std::string, Histogram> db_latency_;
  struct Gauge {
    std::string name, help;
    std::function<double()> value;
    std::string labels;
    std::function<std::vector<GaugeSample>()> group;  // set instead of the above
  };
  std::vector<Gauge> gauges_;
  struct Family {
    std::string type, help;
    std::map<std::string, std::uint64_t> counters;  // by labels
    std::map<std::string, Histogram> histograms;    // by labels
  };
  std::map<std::string, Family> families_;
};

}  // namespace todo::ops
