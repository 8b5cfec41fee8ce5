// core/cpus: the CPU count the defaults scale with, from the cgroup CPU quota (v2 cpu.max,
// v1 cfs_quota_us/cfs_period_us) over a made-up /sys/fs/cgroup tree.
#include "core/cpus.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace todo {
namespace {

namespace fs = std::filesystem;

class CgroupTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("todo-cgroup-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const fs::path& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }

  fs::path root_;
};

TEST(CpuMax, QuotaOverPeriodRoundedUp) {
  EXPECT_EQ(cpus_of_cpu_max("150000 100000\n"), 2);
  EXPECT_EQ(cpus_of_cpu_max("200000 100000"), 2);
  EXPECT_EQ(cpus_of_cpu_max("50000 100000"), 1);
  EXPECT_EQ(cpus_of_cpu_max("1000 100000"), 1);  // a tenth of a CPU still gets one thread
  EXPECT_EQ(cpus_of_cpu_max("1600000 100000"), 16);
}

TEST(CpuMax, NoLimitOrGarbageIsNone) {
  EXPECT_EQ(cpus_of_cpu_max("max 100000\n"), std::nullopt);
  EXPECT_EQ(cpus_of_cpu_max(""), std::nullopt);
  EXPECT_EQ(cpus_of_cpu_max("150000"), std::nullopt);
  EXPECT_EQ(cpus_of_cpu_max("abc 100000"), std::nullopt);
  EXPECT_EQ(cpus_of_cpu_max("150000 0"), std::nullopt);
  EXPECT_EQ(cpus_of_cpu_max("-5 100000"), std::nullopt);
  EXPECT_EQ(cpus_of_cpu_max("150000 100000 7"), std::nullopt);
}

TEST(Cfs, MinusOneIsNoLimit) {
  EXPECT_EQ(cpus_of_cfs("-1\n", "100000\n"), std::nullopt);
  EXPECT_EQ(cpus_of_cfs("250000\n", "100000\n"), 3);
  EXPECT_EQ(cpus_of_cfs("", "100000"), std::nullopt);
  EXPECT_EQ(cpus_of_cfs("100000", "x"), std::nullopt);
}

TEST_F(CgroupTree, V2TheSmallestQuotaOfTheCgroupAndItsAncestors) {
  write("cgroup.controllers", "cpu memory\n");
  write("kubepods/cpu.max", "max 100000\n");
  write("kubepods/pod1/cpu.max", "300000 100000\n");
  write("kubepods/pod1/ctr/cpu.max", "max 100000\n");
  EXPECT_EQ(cgroup_cpu_limit("0::/kubepods/pod1/ctr\n", root_), 3);
  write("kubepods/pod1/ctr/cpu.max", "120000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit("0::/kubepods/pod1/ctr\n", root_), 2);
}

TEST_F(CgroupTree, V2InsideACgroupNamespaceReadsTheRoot) {
  write("cgroup.controllers", "cpu\n");
  write("cpu.max", "100000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit("0::/\n", root_), 1);
}

TEST_F(CgroupTree, V2WithoutAnyQuotaIsNone) {
  write("cgroup.controllers", "cpu\n");
  write("user.slice/cpu.max", "max 100000\n");
  EXPECT_EQ(cgroup_cpu_limit("0::/user.slice\n", root_), std::nullopt);
}

TEST_F(CgroupTree, V1CpuHierarchyAndAPathTheMountDoesNotShow) {
  // A container without a cgroup namespace: /proc/self/cgroup names the host's path, the
  // mount shows the container's own cgroup as its root.
  write("cpu,cpuacct/cpu.cfs_quota_us", "150000\n");
  write("cpu,cpuacct/cpu.cfs_period_us", "100000\n");
  write("memory/memory.limit_in_bytes", "1\n");
  const char* self = "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/\n";
  EXPECT_EQ(cgroup_cpu_limit(self, root_), 2);
}

TEST_F(CgroupTree, HybridV1WithoutQuotaAndUnifiedWithOne) {
  write("cpu/cpu.cfs_quota_us", "-1\n");
  write("cpu/cpu.cfs_period_us", "100000\n");
  write("unified/cgroup.controllers", "\n");
  write("unified/app/cpu.max", "400000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit("1:cpu:/\n0::/app\n", root_), 4);
}

TEST_F(CgroupTree, NothingReadableIsNone) {
  EXPECT_EQ(cgroup_cpu_limit("", root_), std::nullopt);
  EXPECT_EQ(cgroup_cpu_limit("garbage\n::\n0::/nowhere\n", root_), std::nullopt);
  EXPECT_EQ(cgroup_cpu_limit("0::/x\n", root_ / "missing"), std::nullopt);
}

TEST(UsableCpus, AtLeastOneAndAtMostTheMachine) {
  const int cpus = usable_cpus();
  EXPECT_GE(cpus, 1);
  EXPECT_LE(cpus, int(std::max(1L, ::sysconf(_SC_NPROCESSORS_CONF))));
}

}  // namespace
}  // namespace todo
