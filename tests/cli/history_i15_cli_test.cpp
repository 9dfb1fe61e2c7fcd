// Issue 15 item 3 (i15-hist): the kernel-history variants of inherited group reads and of rotation
// flip their scenario's verdict, with the invariant named and a replay command (exit 1), and the
// fixed code passes or is benign (exit 0).
#include <catch2/catch.hpp>

#include "tests/cli/support.h"

TEST_CASE("pre-2aeb18835476: a group read walks a child's sibling list while the child exits; upstream holds ctx->lock and passes",
	  "[cli][history][read_group]")
{
	std::string scenario = scenarios_dir() + "/history-read_group-child-exit.toml";
	auto pre = run_cli({"run", scenario, "--variant", "pre-2aeb18835476"});
	CAPTURE(pre.out, pre.err);
	CHECK(pre.code == 1);
	CHECK(contains(pre.out, "harmful: memory-safe broken"));
	CHECK(contains(pre.out, "S(C) was list_del_init()ed under the walk"));
	CHECK(contains(pre.out, "replay: perfmc run"));
	auto up = run_cli({"run", scenario, "--variant", "upstream"});
	CAPTURE(up.out, up.err);
	CHECK(up.code == 0);
	CHECK(contains(up.out, "[upstream]: pass"));
	/* a9cd8194e1e6's own pre-fix code keeps the lock over the sibling loop (what 2aeb18835476 added) */
	auto a9 = run_cli({"run", scenario, "--variant", "pre-a9cd8194e1e6"});
	CAPTURE(a9.out, a9.err);
	CHECK(a9.code == 0);
	CHECK_FALSE(contains(a9.out, "memory-safe broken"));
}

TEST_CASE("pre-7fa343b7fdc4: a rotation that finds no ACTIVE flexible event rotates nothing and the groups starve; upstream rotates the first",
	  "[cli][history][rotate]")
{
	std::string scenario = scenarios_dir() + "/history-rotate-first-flexible-fails.toml";
	auto pre = run_cli({"run", scenario, "--variant", "pre-7fa343b7fdc4"});
	CAPTURE(pre.out, pre.err);
	CHECK(pre.code == 1);
	CHECK(contains(pre.out, "harmful: not-starved broken"));
	CHECK(contains(pre.out, "X: a flexible group, INACTIVE while its context runs and nothing is on its PMU"));
	auto up = run_cli({"run", scenario, "--variant", "upstream"});
	CAPTURE(up.out, up.err);
	CHECK(up.code == 0);
	CHECK(contains(up.out, "[upstream]: benign"));
	CHECK_FALSE(contains(up.out, "not-starved broken"));
}
