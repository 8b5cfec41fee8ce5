#include "ops/metrics.hpp"

#include <fmt/format.h>

namespace todo::ops {

void Histogram::observe(double seconds) {
  for (std::size_t i = 0; i < kBounds.size(); ++i)
    if (seconds <= kBounds[i]) {
      ++buckets_[i];
      break;
    }
  ++count_;
  sum_ += seconds;
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
  std::uint64_t cumulative = 0;
  std::string sep = labels.empty() ? "" : ",";
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i];
    out +=
        fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, kBounds[i], cumulative);
  }
  out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, count_);
  std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += fmt::format("{}_sum{} {}\n", name, braces, sum_);
  out += fmt::format("{}_count{} {}\n", name, braces, count_);
}

void Metrics::record_request(const std::string& route, const std::string& method, int status,
                             double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, method, status}];
  latency_[{route, method}].observe(seconds);
}

void Metrics::record_db(const std::string& kind, double seconds) {
  std::lock_guard lock(mutex_);
  db_latency_[kind].observe(seconds);
}

void Metrics::add_gauge(std::string name, std::string help, std::function<double()> value,
                        std::string labels) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(value), std::move(labels)});
}

void Metrics::add_gauge_group(std::function<std::vector<GaugeSample>()> samples) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({{}, {}, {}, {}, std::move(samples)});
}

void Metrics::describe(const std::string& name, const std::string& type, const std::string& help) {
  std::lock_guard lock(mutex_);
  auto& f = families_[name];
  f.type = type;
  f.help = help;
}

void Metrics::add(const std::string& name, const std::string& labels, std::uint64_t n) {
  std::lock_guard lock(mutex_);
  families_[name].counters[labels] += n;
}

void Metrics::observe(const std::string& name, const std::string& labels, double seconds) {
  std::lock_guard lock(mutex_);
  families_[name].histograms[labels].observe(seconds);
}

std::string Metrics::render() const {
  std::string out;
  std::vector<Gauge> gauges;
  {
    std::lock_guard lock(mutex_);
    out += "# HELP todo_http_requests_total HTTP requests by route, method and status.\n";
    out += "# TYPE todo_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      const auto& [route, method, status] = key;
      out +=
          fmt::format("todo_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                      route, method, status, n);
    }
    out += "# HELP todo_http_request_duration_seconds HTTP request latency by route.\n";
    out += "# TYPE todo_http_request_duration_seconds histogram\n";
    for (const auto& [key, h] : latency_)
      h.render(out, "todo_http_request_duration_seconds",
               fmt::format("route=\"{}\",method=\"{}\"", key.first, key.second));
    out += "# HELP todo_db_query_duration_seconds Database unit latency (queue wait included).\n";
    out += "# TYPE todo_db_query_duration_seconds histogram\n";
    for (const auto& [kind, h] : db_latency_)
      h.render(out, "todo_db_query_duration_seconds", fmt::format("kind=\"{}\"", kind));
    for (const auto& [name, f] : families_) {
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, f.help, name,
                         f.type.empty() ? "untyped" : f.type);
      for (const auto& [labels, n] : f.counters)
        out += labels.empty() ? fmt::format("{} {}\n", name, n)
                              : fmt::format("{}{{{}}} {}\n", name, labels, n);
      for (const auto& [labels, h] : f.histograms) h.render(out, name, labels);
    }
    gauges = gauges_;
  }
  // Gauge callbacks may take other locks: call them outside ours.
  std::string last;
  auto sample = [&](const std::string& name, const std::string& help, const std::string& labels,
                    double value) {
    if (name != last) out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
    last = name;
    out += labels.empty() ? fmt::format("{} {}\n", name, value)
                          : fmt::format("{}{{{}}} {}\n", name, labels, value);
  };
  for (const auto& g : gauges) {
    if (!g.group) {
      sample(g.name, g.help, g.labels, g.value());
      continue;
    }
    for (const auto& s : g.group()) sample(s.name, s.help, s.labels, s.value);
  }
  return out;
}

}  // namespace todo::ops
