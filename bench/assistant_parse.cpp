// Parse calls per second of the built-in assistant's parser (src/assistant): a plain loop,
// no Google Benchmark. Each round parses a mix of chat commands and quick-add lines and plans
// their tool calls, as the agent does per message (no database, no HTTP). Prints calls/s and
// the per-call p50/p99 (of the first 4 million calls). Build: cmake --build --preset release
// --target assistant_parse_bench; run: build/bench/assistant_parse_bench [seconds].
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "assistant/command.hpp"
#include "assistant/plan.hpp"
#include "core/time.hpp"

using namespace todo;
using namespace todo::assistant;
using Clock_ = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  const std::vector<std::string> messages = {
      "add Pay rent tomorrow 9am !high #home every month",
      "add Call mom at 5pm",
      "list",
      "what's due today?",
      "complete 2",
      "move 3 to friday 4pm",
      "add Gym every weekday at 7am remind me 30 minutes before",
      "rename buy milk to buy oat milk",
      "delete everything",
      "add Dentist on Dec 5 at 17:30 #health",
      "the second one",
      "something the parser does not understand at all, a longer message than most",
  };
  auto clock = make_clock(now_millis(), "Europe/Paris");
  if (!clock) return 1;
  std::size_t calls = 0, sink = 0;
  std::vector<double> single;  // microseconds of each call (the clock reads are included)
  single.reserve(4'000'000);
  const auto start = Clock_::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  while (Clock_::now() < end) {
    for (const auto& m : messages) {
      const auto t0 = Clock_::now();
      const Command c = parse_command(m, *clock);
      auto call = direct_call(c, *clock);
      if (!call) call = action_call(c, 42);
      sink += call ? call->arguments.size() : c.problem.size();
      if (single.size() < single.capacity())
        single.push_back(std::chrono::duration<double, std::micro>(Clock_::now() - t0).count());
      ++calls;
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock_::now() - start).count();
  std::sort(single.begin(), single.end());
  auto pct = [&](double p) {
    return single.empty() ? 0.0 : single[std::size_t(p * (single.size() - 1))];
  };
  std::printf(
      "assistant parse+plan: %zu calls in %.2f s = %.0f calls/s on one thread; "
      "per call p50 %.1f us, p99 %.1f us (sink %zu)\n",
      calls, elapsed, double(calls) / elapsed, pct(0.5), pct(0.99), sink);
  return 0;
}
