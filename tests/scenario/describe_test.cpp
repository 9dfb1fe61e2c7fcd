// `perfmc show` prints the scenario as the checker understood it: asserted on the exact text.
#include "checker/scenario/scenario.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

namespace perfmc {
Registry test_registry();  // registry_fixture.cpp
}

using namespace perfmc;

TEST_CASE("describe shows setup, lanes and expectations after defaults and name resolution", "[scenario]")
{
	std::ifstream in(PERFMC_SOURCE_DIR "/tests/scenario/data/mmap-vs-sched_out.toml");
	std::ostringstream text;
	text << in.rdbuf();
	Scenario s = parse_scenario(text.str(), "scenarios/mmap-vs-sched_out.toml", test_registry());

	SECTION("the whole scenario, ops in canonical spelling with their entry points")
	{
		CHECK(describe(s) == R"(scenario mmap-vs-sched_out  (scenarios/mmap-vs-sched_out.toml)
  perf_mmap() calls perf_event_update_time() holding only event->mmap_mutex,
  while perf_event_task_sched_out() on another CPU updates the same times
  under ctx->lock.

covers      perf_event_set_state / perf_mmap_rb
reference   syzbot assessment-kcsan 2026-01-14 (seed 000)
reference   commit d06bf78e55d5
invariants  no-lost-time, running-le-enabled

setup: perf_clock() advances 10 ns per read
  context T   task T context, running on CPU 0
  context C1  CPU 1 context
  event   E   in T, ACTIVE, group leader, attr exclude_user=1 inherit=0 sample_period=4000
  event   F   in T, INACTIVE, in E's group, mapped

CPU 0 (task): task switch
  1. sched_out(T)  task switch out: perf_event_task_sched_out()
  2. sched_in(T)   task switch in: perf_event_task_sched_in()
CPU 1 (task): mmap syscall
  1. mmap(E)                                                    mmap() of the ring buffer: perf_mmap()
  2. call perf_event_update_time(F) under T.lock, F.mmap_mutex  core.c: perf_event_update_time()
CPU 1 (nmi): overflow
  1. set_period(F, -1)  ioctl(PERF_EVENT_IOC_PERIOD): perf_event_period()
  2. tick(1)            timer tick: perf_event_task_tick()

expect
  upstream       harmful
  mmap-ctx-lock  pass

search: bounded, bound 2
)");
	}

	SECTION("the same scenario gives the same bytes")
	{
		Scenario again = parse_scenario(text.str(), "scenarios/mmap-vs-sched_out.toml", test_registry());
		CHECK(describe(again) == describe(s));
	}
}
