// Issue 15 b (continued): close(), the inherit_stat read record and the armed mux hrtimer, through
// the checker: each scenario's verdict under upstream and the fix variant, with the invariant
// named, the paths in the report and a replay command.
#include <catch2/catch.hpp>

#include "tests/cli/support.h"

TEST_CASE("exit-inherit_stat-read: the tree writes no PERF_RECORD_READ at exit; fix-c418d8b4d7a4 writes it and passes",
	  "[cli][history][fork]")
{
	std::string scenario = scenarios_dir() + "/exit-inherit_stat-read.toml";
	auto up = run_cli({"run", scenario, "--variant", "upstream"});
	CAPTURE(up.out, up.err);
	CHECK(up.code == 1);
	CHECK(contains(up.out, "harmful: inherit-stat-read broken"));
	CHECK(contains(up.out, "E(C) (inherit_stat) is synced to E: 0 PERF_RECORD_READ written into its buffer"));
	CHECK(contains(up.out, "replay: perfmc run"));
	auto fix = run_cli({"run", scenario, "--variant", "fix-c418d8b4d7a4"});
	CAPTURE(fix.out, fix.err);
	CHECK(fix.code == 0);
	CHECK(contains(fix.out, "[fix-c418d8b4d7a4]: pass"));
}

TEST_CASE("exit-inherit_stat-inactive-child: fix-c418d8b4d7a4 syncs the INACTIVE child's stale totals before the removal",
	  "[cli][history][fork]")
{
	auto fix = run_cli({"run", scenarios_dir() + "/exit-inherit_stat-inactive-child.toml", "--variant", "fix-c418d8b4d7a4"});
	CAPTURE(fix.out, fix.err);
	CHECK(fix.code == 1);
	CHECK(contains(fix.out, "harmful: child-time-once broken"));
	CHECK(contains(fix.out, "sync_child_event() adds its total_time_enabled = 0 to E's child_total_time_enabled"));
}

TEST_CASE("mux_hrtimer-armed-vs-read: the hrtimer the sched-in armed rotates E on in its irq lane, and the unlocked read pair tears",
	  "[cli][rotate]")
{
	auto r = run_cli({"run", scenarios_dir() + "/mux_hrtimer-armed-vs-read.toml"});
	CAPTURE(r.out, r.err);
	CHECK(r.code == 1);
	CHECK(contains(r.out, "harmful: running-le-enabled broken"));
	CHECK(contains(r.out, "by cpu0 (the mux hrtimer)"));
	CHECK(contains(r.out, " perf_rotate_context core.c:4452\n perf_mux_hrtimer_handler core.c:1182"));
	CHECK(contains(r.out, "E: read() returned running 10 > enabled 0"));
}

TEST_CASE("close-vs-exit-child: the release's child_list walk and the child's exit sync and free the child exactly once",
	  "[cli][close]")
{
	auto r = run_cli({"run", scenarios_dir() + "/close-vs-exit-child.toml"});
	CAPTURE(r.out, r.err);
	CHECK(r.code == 0);
	CHECK(contains(r.out, "[upstream]: pass: no data race and no invariant broken"));
	CHECK(contains(r.out, "(exhaustive search complete)"));
}
