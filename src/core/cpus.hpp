#pragma once
// How many CPUs this process may really use, for the defaults that scale with cores (I/O
// threads, PostgreSQL request writers).
//
// std::thread::hardware_concurrency() counts the machine's CPUs: in a Kubernetes pod with
// `resources.limits.cpu: 1` on a 16-core node it says 16, and 16 I/O threads then share one
// CPU's time. The count here is the CPUs of the affinity mask (sched_getaffinity(2), which a
// cpuset — taskset, Kubernetes' static CPU manager — narrows), lowered to the CPU quota of the
// process's cgroup and of every cgroup above it, rounded up:
//   - cgroup v2: `cpu.max` holds "QUOTA PERIOD" (microseconds) or "max PERIOD"
//     (Documentation/admin-guide/cgroup-v2.rst, "CPU Interface Files");
//   - cgroup v1: `cpu.cfs_quota_us` (-1: none) and `cpu.cfs_period_us` in the `cpu` hierarchy
//     (Documentation/scheduler/sched-bwc.rst).
// The process's cgroup comes from /proc/self/cgroup ("ID:CONTROLLERS:PATH", cgroups(7)).
// Written here because no packaged library answers just this (libcgroup manages cgroups and
// is far larger); the rules follow what the Go and .NET runtimes and the JVM do.
#include <filesystem>
#include <optional>
#include <string_view>

namespace todo {

// The CPUs of a cgroup v2 `cpu.max` text ("150000 100000" → 2, "50000 100000" → 1): the quota
// divided by the period, rounded up, at least 1. nullopt for "max …" (no limit) and for text
// that is not two positive integers.
std::optional<int> cpus_of_cpu_max(std::string_view text);

// The same from cgroup v1's two files' texts; nullopt for a quota of -1 (no limit) or text
// that is not an integer.
std::optional<int> cpus_of_cfs(std::string_view quota_us, std::string_view period_us);

// The smallest CPU quota over the process's cgroup and its ancestors, read from
// `proc_self_cgroup` (the text of /proc/self/cgroup) and the cgroup file systems mounted under
// `cgroup_root` (/sys/fs/cgroup: v2 there or under `unified/`, v1's `cpu` hierarchy under
// `cpu/` or `cpu,cpuacct/`). nullopt when no quota is set or nothing can be read; never
// throws.
std::optional<int> cgroup_cpu_limit(std::string_view proc_self_cgroup,
                                    const std::filesystem::path& cgroup_root);

// min(CPUs in the affinity mask, the cgroup quota), at least 1 (hardware_concurrency() when
// the mask cannot be read). Reads /proc and /sys on each call: call it once at start-up.
int usable_cpus();

}  // namespace todo
