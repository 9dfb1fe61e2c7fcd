// Issue 15 (a): the kernel-history variants of the group read and the user page flip their
// scenario's verdict, with the invariant named and a replay command (exit 1), and the fixed code
// passes or is benign (exit 0).
#include <catch2/catch.hpp>

#include "tests/cli/support.h"

TEST_CASE("pre-a9cd8194e1e6: a group read against a task switch mixes two instants; upstream gathers one snapshot",
	  "[cli][history][read_group]")
{
	std::string scenario = scenarios_dir() + "/read_group-vs-sched_out.toml";
	auto pre = run_cli({"run", scenario, "--variant", "pre-a9cd8194e1e6"});
	CAPTURE(pre.out, pre.err);
	CHECK(pre.code == 1);
	CHECK(contains(pre.out, "harmful: group-read-snapshot broken"));
	CHECK(contains(pre.out, "count(S) 20 (after of the 10 -> 20 change)"));
	CHECK(contains(pre.out, "replay: perfmc run"));
	auto up = run_cli({"run", scenario, "--variant", "upstream"});
	CAPTURE(up.out, up.err);
	CHECK(up.code == 0);
	CHECK(contains(up.out, "[upstream]: benign"));
	CHECK_FALSE(contains(up.out, "group-read-snapshot broken"));
}

TEST_CASE("pre-f79256532682: an INACTIVE event's user page runs ahead of read() after a switch-in; upstream does not",
	  "[cli][history][userpage]")
{
	std::string scenario = scenarios_dir() + "/history-userpage-inactive-sched_in.toml";
	auto pre = run_cli({"run", scenario, "--variant", "pre-f79256532682"});
	CAPTURE(pre.out, pre.err);
	CHECK(pre.code == 1);
	CHECK(contains(pre.out, "userpage-time broken"));
	CHECK(contains(pre.out, "1 tick ahead"));
	auto up = run_cli({"run", scenario, "--variant", "upstream"});
	CAPTURE(up.out, up.err);
	CHECK(up.code == 0);
	CHECK_FALSE(contains(up.out, "userpage-time broken"));
}

TEST_CASE("pre-bc4394e5e79c: the cpu-clock throttle in the hrtimer handler waits for itself; upstream passes",
	  "[cli][history][swevent]")
{
	std::string scenario = scenarios_dir() + "/history-clock-throttle-in-hrtimer.toml";
	auto pre = run_cli({"run", scenario, "--variant", "pre-bc4394e5e79c"});
	CAPTURE(pre.out, pre.err);
	CHECK(pre.code == 1);
	CHECK(contains(pre.out, "recursive locking of hrtimer.running"));
	auto up = run_cli({"run", scenario, "--variant", "upstream"});
	CAPTURE(up.out, up.err);
	CHECK(up.code == 0);
	CHECK(contains(up.out, "[upstream]: pass"));
}
