#include "core/cpus.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>

#include "core/text.hpp"

namespace todo {
namespace {

std::optional<long long> integer(std::string_view s) {
  s = trim(s);
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int> ceil_ratio(long long quota, long long period) {
  if (quota <= 0 || period <= 0) return std::nullopt;
  long long cpus = (quota + period - 1) / period;
  return int(std::clamp(cpus, 1LL, 1LL << 20));
}

// A small file's text; empty when it cannot be read.
std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<int> smaller(std::optional<int> a, std::optional<int> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

// `read(dir)` for the cgroup at `path` inside the hierarchy mounted at `mount` and for each of
// its ancestors up to the mount's root (a path the mount does not show — a container without
// a cgroup namespace sees its own cgroup as the root — is skipped): the smallest limit.
template <typename Read>
std::optional<int> walk_up(const std::filesystem::path& mount, std::string_view path, Read read) {
  std::optional<int> limit;
  std::filesystem::path rel = std::filesystem::path(std::string(trim(path))).relative_path();
  for (;;) {
    std::error_code ec;
    const auto dir = mount / rel;
    if (std::filesystem::is_directory(dir, ec)) limit = smaller(limit, read(dir));
    if (rel.empty()) return limit;
    rel = rel.parent_path();
  }
}

}  // namespace

std::optional<int> cpus_of_cpu_max(std::string_view text) {
  text = trim(text);
  const auto space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view quota = text.substr(0, space);
  const auto period = integer(text.substr(space + 1));
  if (quota == "max" || !period) return std::nullopt;
  const auto q = integer(quota);
  if (!q) return std::nullopt;
  return ceil_ratio(*q, *period);
}

std::optional<int> cpus_of_cfs(std::string_view quota_us, std::string_view period_us) {
  const auto quota = integer(quota_us);
  const auto period = integer(period_us);
  if (!quota || !period) return std::nullopt;
  return ceil_ratio(*quota, *period);
}

std::optional<int> cgroup_cpu_limit(std::string_view proc_self_cgroup,
                                    const std::filesystem::path& cgroup_root) {
  std::optional<int> limit;
  std::error_code ec;
  while (!proc_self_cgroup.empty()) {
    const auto eol = proc_self_cgroup.find('\n');
    std::string_view line = proc_self_cgroup.substr(0, eol);
    proc_self_cgroup.remove_prefix(eol == std::string_view::npos ? proc_self_cgroup.size()
                                                                 : eol + 1);
    // "ID:CONTROLLERS:PATH"; the path may itself hold ':'.
    const auto first = line.find(':');
    const auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    const std::string_view id = line.substr(0, first);
    const std::string_view controllers = line.substr(first + 1, second - first - 1);
    const std::string_view path = line.substr(second + 1);
    if (id == "0" && controllers.empty()) {  // cgroup v2
      for (const auto& mount : {cgroup_root, cgroup_root / "unified"}) {
        if (!std::filesystem::exists(mount / "cgroup.controllers", ec)) continue;
        limit = smaller(limit, walk_up(mount, path, [](const std::filesystem::path& dir) {
                          return cpus_of_cpu_max(read_text(dir / "cpu.max"));
                        }));
        break;
      }
      continue;
    }
    bool has_cpu = false;
    for (std::string_view rest = controllers; !rest.empty();) {
      const auto comma = rest.find(',');
      if (rest.substr(0, comma) == "cpu") has_cpu = true;
      rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    }
    if (!has_cpu) continue;  // cgroup v1: only the `cpu` hierarchy has the quota
    for (const char* name : {"cpu", "cpu,cpuacct"}) {
      const auto mount = cgroup_root / name;
      if (!std::filesystem::exists(mount / "cpu.cfs_quota_us", ec)) continue;
      limit = smaller(limit, walk_up(mount, path, [](const std::filesystem::path& dir) {
                        return cpus_of_cfs(read_text(dir / "cpu.cfs_quota_us"),
                                           read_text(dir / "cpu.cfs_period_us"));
                      }));
      break;
    }
  }
  return limit;
}

int usable_cpus() {
  int cpus = int(std::max(1u, std::thread::hardware_concurrency()));
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) cpus = std::max(1, CPU_COUNT(&set));
  try {
    if (auto quota = cgroup_cpu_limit(read_text("/proc/self/cgroup"), "/sys/fs/cgroup"))
      cpus = std::min(cpus, *quota);
  } catch (const std::exception&) {
    // An unreadable cgroup tree (a path std::filesystem refuses): no quota known.
  }
  return std::max(1, cpus);
}

}  // namespace todo
