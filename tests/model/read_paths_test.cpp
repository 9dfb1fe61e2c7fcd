// Issue 15 (a), sequentially: PERF_FORMAT_GROUP reads, perf_event_read_local(), the software
// clocks (cpu-clock, task-clock) and their user-page writes, x86's user-page time fields and the
// documented user-space loop, and the invariants that watch them (group-read-snapshot,
// monotonic-count, userpage-time). The concurrent verdicts are the scenarios' (tests/suite and
// tests/cli/read_paths_cli_test.cpp).
#include <catch2/catch.hpp>

#include <cerrno>
#include <string>
#include <vector>

#include "model/perf/world.h"
#include "tests/model/fixture.h"

namespace {

using model::WorldSetup;

using fixture::at, fixture::cpu_context, fixture::event, fixture::mapped, fixture::taken_violations,
    fixture::task_context;
using Fresh = fixture::FreshFor<model::perf_model>;

/* T runs on cpu0 with the group L (PERF_FORMAT_GROUP) + S, both ACTIVE */
std::unique_ptr<perf_world> running_group(Fresh &fresh)
{
	WorldSetup s = fresh.setup({task_context("T", 0)},
				   {event("L", 0, "ACTIVE", -1, {{"read_format_group", 1}}),
				    event("S", 0, "ACTIVE", 0)});
	at(0);
	return model::build_world(s);
}

}  // namespace

TEST_CASE("a PERF_FORMAT_GROUP read returns nr, the leader's times and each member's count, of one instant",
	  "[model][read_group]")
{
	Fresh fresh;
	auto w = running_group(fresh);
	at(100);
	auto r = model::op_read_group(*w, 0);
	REQUIRE(r.ret == (long)w->events[0].read_size);
	REQUIRE(r.ret == 5 * 8);	// nr, time_enabled, time_running, 2 counts
	REQUIRE(r.counts.size() == 2);
	// the IPI's update made the fields what the read returned
	CHECK(r.enabled == w->events[0].total_time_enabled.peek());
	CHECK(r.running == w->events[0].total_time_running.peek());
	CHECK(r.enabled == r.running);
	CHECK(r.enabled > 0);
	CHECK(r.counts[0] == (u64)w->events[0].count.counter.peek());
	CHECK(r.counts[1] == (u64)w->events[1].count.counter.peek());
	CHECK(r.counts[1] > 0);
	// a second read: nothing goes back
	at(200);
	auto r2 = model::op_read_group(*w, 0);
	CHECK(r2.enabled > r.enabled);
	CHECK(r2.counts[1] >= r.counts[1]);
	CHECK(taken_violations() == "");
}

TEST_CASE("read_group of an event without PERF_FORMAT_GROUP is an input error", "[model][read_group]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup();
	s.contexts = {task_context("T", 0)};
	s.events = {event("E", 0, "ACTIVE")};
	auto w = model::build_world(s);
	CHECK_THROWS_WITH(model::op_read_group(*w, 0), Catch::Contains("set attr read_format_group"));
}

TEST_CASE("group-read-snapshot reports the fields that changed while a group read gathered them, and by how much",
	  "[model][read_group][invariant]")
{
	Fresh fresh;
	auto w = running_group(fresh);
	struct perf_event *leader = &w->events[0];
	u64 fmt = leader->attr.read_format;
	// one instant (before == after == gathered): nothing to report
	std::vector<u64> one = {20, 20, 20, 20};
	ghost_group_read_gathered(leader, fmt, one, one, one);
	CHECK(sim::take_sequential_violations().empty());
	// the leader's values before the switch-out, the sibling's count after it
	ghost_group_read_gathered(leader, fmt, {20, 20, 20, 20}, {20, 20, 20, 10}, {30, 30, 30, 20});
	auto v = sim::take_sequential_violations();
	REQUIRE(v.size() == 1);
	CHECK(v[0].invariant == "group-read-snapshot");
	CHECK(v[0].detail ==
	      "L: the group read by the sequential reader mixed values of two instants; the fields that changed while it "
	      "gathered them: time_enabled 20 (before of the 20 -> 30 change), time_running 20 (before of the 20 -> 30 "
	      "change), count(L) 20 (before of the 20 -> 30 change), count(S) 20 (after of the 10 -> 20 change)");
}

TEST_CASE("monotonic-count: a count that goes back is reported unless a RESET came between", "[model][invariant]")
{
	Fresh fresh;
	auto w = running_group(fresh);
	struct perf_event *e = &w->events[1];
	ghost_count_result(e, "read()", 50);
	ghost_count_result(e, "read()", 40);
	auto v = sim::take_sequential_violations();
	REQUIRE(v.size() == 1);
	CHECK(v[0].invariant == "monotonic-count");
	CHECK(v[0].detail == "S: read() by the sequential reader went backwards: count 40 after 50 (10 less, no RESET between)");
	// after ioctl(RESET) the count restarts at 0: not a violation
	at(300);
	REQUIRE(model::op_ioctl(*w, 1, PERF_EVENT_IOC_RESET) == 0);
	auto r = model::op_read(*w, 1);
	CHECK(r.count < 40);
	CHECK(taken_violations() == "");
}

TEST_CASE("perf_event_read_local() reads this CPU's event or current's, and refuses any other", "[model][read_local]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup();
	s.tick = 10;
	s.nr_cpus = 2;
	s.contexts = {task_context("T", 0), cpu_context("C", 1)};
	s.events = {event("E", 0, "ACTIVE"), event("D", 1, "ACTIVE")};
	at(0);
	auto w = model::build_world(s);
	at(100);
	sim::set_sequential_cpu(0);
	auto e = model::op_read_local(*w, 0);	// T is current on cpu0
	CHECK(e.ret == 0);
	CHECK(e.enabled == e.running);
	CHECK(e.enabled > 0);
	CHECK(e.count > 0);
	auto d = model::op_read_local(*w, 1);	// D is cpu1's
	CHECK(d.ret == -EINVAL);
	sim::set_sequential_cpu(1);
	auto e1 = model::op_read_local(*w, 0);	// not current on cpu1
	CHECK(e1.ret == -EINVAL);
	d = model::op_read_local(*w, 1);
	CHECK(d.ret == 0);
	CHECK(d.enabled > 0);
	sim::set_sequential_cpu(0);
	auto e2 = model::op_read_local(*w, 0);
	CHECK(e2.enabled > e.enabled);
	CHECK(e2.count >= e.count);
	CHECK(taken_violations() == "");
}

namespace {

/* T runs on cpu0 with A on the PMU and the exclusive, mmap()ed E INACTIVE; T is switched out at 200
 * and in at 300, then reads E's page (userpage_time) at 400 */
struct PageRead {
	struct model_userpage_time r = {};
	bool ok = false;
	u64 read_enabled = 0;
	std::string violations;
};

PageRead inactive_page_after_switch(const char *variant)
{
	Fresh fresh(variant);
	WorldSetup s = fresh.setup({task_context("T", 0)},
				   {event("A", 0, "ACTIVE"),
				    mapped(event("E", 0, "INACTIVE", -1, {{"exclusive", 1}}))});
	at(0);
	auto w = model::build_world(s);
	PageRead p;
	at(200);
	model::op_sched_out(*w, 0);
	at(300);
	model::op_sched_in(*w, 0);
	at(400);
	p.ok = model::op_userpage_time(*w, 1, &p.r);
	p.violations = taken_violations();
	p.read_enabled = model::op_read(*w, 1).enabled;
	return p;
}

}  // namespace

TEST_CASE("x86's user page: the documented loop extrapolates an INACTIVE event's time_enabled exactly after a switch-in",
	  "[model][userpage][history]")
{
	PageRead up = inactive_page_after_switch("upstream");
	REQUIRE(up.ok);
	CHECK(up.r.extrapolated);	// cap_user_time, and enabled != running (E never ran)
	CHECK(up.r.index == 0);
	CHECK(up.r.running == 0);
	CHECK(up.r.cyc == 400);		// rdtsc(): the model clock
	CHECK(up.violations == "");
	// read() right after reads the clock once more (one tick later): never behind the page
	CHECK(up.read_enabled >= up.r.enabled);
	CHECK(up.read_enabled - up.r.enabled <= 10);
}

TEST_CASE("pre-f79256532682: without merge_sched_in()'s user-page write the loop runs ahead of read() by the time T was out",
	  "[model][userpage][history]")
{
	PageRead up = inactive_page_after_switch("upstream");
	PageRead pre = inactive_page_after_switch("pre-f79256532682");
	REQUIRE(pre.ok);
	CHECK(pre.r.extrapolated);
	// the page still holds the mmap()'s time_offset: T's 100 ns out (200 -> 300) count as enabled
	CHECK(pre.r.enabled > up.r.enabled);
	CHECK(Catch::contains(pre.violations, "userpage-time: E: the documented user-page loop by the sequential reader computed time_enabled"));
	CHECK(Catch::contains(pre.violations, "ahead"));
}

TEST_CASE("cpu-clock: add() arms the hrtimer and writes the user page; del() disarms it without updating the count",
	  "[model][swevent]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup({task_context("T", 0)}, {mapped(event("E", 0, "ACTIVE", -1, {{"cpu_clock", 1}}))});
	at(0);
	auto w = model::build_world(s);
	struct perf_event *e = &w->events[0];
	CHECK(model_is_swclock(e));
	CHECK(is_software_event(e));
	CHECK(model_hrtimer_armed(e, 0));
	at(200);
	model::op_sched_out(*w, 0);
	CHECK_FALSE(model_hrtimer_armed(e, 0));
	// event_sched_out() calls del(event, 0) and cpu_clock_event_del() passes the flags on:
	// cpu_clock_event_stop() updates the count only with PERF_EF_UPDATE (as the tree has it)
	u64 count = e->count.counter.peek();
	CHECK(count == 0);
	at(300);
	model::op_sched_in(*w, 0);	// cpu_clock_event_add() -> perf_event_update_userpage()
	CHECK(model_hrtimer_armed(e, 0));
	struct perf_event_mmap_page *pg = e->rb.peek()->user_page;
	CHECK(pg->cap_user_time.peek() == 1);
	CHECK(pg->time_mult.peek() == 1);
	CHECK(pg->time_shift.peek() == 0);
	CHECK(pg->index.peek() == 0);	// perf_event_idx_default(): no counter for user space
	u64 now = 0 - pg->time_offset.peek();	// time_offset = offset - now, offset 0
	CHECK(now > 300);
	CHECK(now < 400);
	at(400);
	struct model_userpage_time r = {};
	REQUIRE(model::op_userpage_time(*w, 0, &r));
	CHECK(taken_violations() == "");
	// the hrtimer fires on cpu0: a sample is taken, the timer stays armed (no throttle)
	model::op_overflow(*w, 0);
	CHECK(model_hrtimer_armed(e, 0));
	CHECK((u64)e->count.counter.peek() > count);
}

TEST_CASE("task-clock counts context time: the count follows ctx->time across a switch-out", "[model][swevent]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup({task_context("T", 0)}, {event("E", 0, "ACTIVE", -1, {{"task_clock", 1}})});
	at(0);
	auto w = model::build_world(s);
	at(200);
	model::op_sched_out(*w, 0);
	struct perf_event *e = &w->events[0];
	// task_clock_event_stop(PERF_EF_UPDATE) charged ctx->time - the time at start
	CHECK((u64)e->count.counter.peek() == e->total_time_running.peek());
	at(500);
	auto r = model::op_read(*w, 0);	// T is out: no IPI, the count stays
	CHECK(r.count == e->total_time_running.peek());
	CHECK(taken_violations() == "");
}

namespace {

/* T's cpu-clock event E on cpu0; its hrtimer expires twice in one tick (throttle), then T is switched out */
struct Throttled {
	bool armed_after = true;
	u64 interrupts = 0;
	u64 count_after_switch = 0;
	std::string violations;
};

Throttled cpu_clock_throttled_in_hrtimer(const char *variant)
{
	Fresh fresh(variant);
	WorldSetup s = fresh.setup({task_context("T", 0)}, {event("E", 0, "ACTIVE", -1, {{"cpu_clock", 1}})});
	at(0);
	auto w = model::build_world(s);
	struct perf_event *e = &w->events[0];
	Throttled t;
	at(100);
	model::op_overflow(*w, 0);
	model::op_overflow(*w, 0);	// the second in the tick throttles (max_samples_per_tick = 2)
	t.armed_after = model_hrtimer_armed(e, 0);
	t.interrupts = e->hw.interrupts.peek();
	t.violations = taken_violations();
	model::op_sched_out(*w, 0);
	t.count_after_switch = e->count.counter.peek();
	sim::take_sequential_violations();
	return t;
}

}  // namespace

TEST_CASE("a throttle in the cpu-clock hrtimer handler stops the timer by HRTIMER_NORESTART, not hrtimer_cancel()",
	  "[model][swevent][history]")
{
	Throttled up = cpu_clock_throttled_in_hrtimer("upstream");
	CHECK(up.violations == "");
	CHECK(up.interrupts == MAX_INTERRUPTS);
	CHECK_FALSE(up.armed_after);
}

TEST_CASE("pre-bc4394e5e79c: the throttle's stop() hrtimer_cancel()s the running timer from its own callback",
	  "[model][swevent][history]")
{
	Throttled pre = cpu_clock_throttled_in_hrtimer("pre-bc4394e5e79c");
	CHECK(Catch::contains(pre.violations, "lockdep: recursive locking"));
	// and its stop() updates the count without PERF_EF_UPDATE (event_sched_out()'s del(event, 0))
	Throttled up = cpu_clock_throttled_in_hrtimer("upstream");
	CHECK(pre.count_after_switch > up.count_after_switch);
}

TEST_CASE("PERF_SAMPLE_READ: the hrtimer's sample carries calc_timer_values()'s times and the count, lock-free",
	  "[model][swevent][sample_read]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup({task_context("T", 0)},
				   {mapped(event("E", 0, "ACTIVE", -1, {{"cpu_clock", 1}, {"sample_read", 1}}))});
	at(0);
	auto w = model::build_world(s);
	struct perf_event *e = &w->events[0];
	REQUIRE(e->attr.sample_type & PERF_SAMPLE_READ);
	at(100);
	model::op_overflow(*w, 0);	// perf_swevent_hrtimer() -> ... -> __perf_event_output() -> perf_output_read()
	REQUIRE(e->ghost.last_sample_read.count(-1) == 1);
	auto [enabled, running] = e->ghost.last_sample_read[-1];
	CHECK(enabled > 0);
	CHECK(enabled == running);	// ACTIVE since it was enabled
	u64 first_count = e->ghost.last_count[-1].first;
	CHECK(first_count > 0);		// the hrtimer's pmu->read() ran first
	at(200);
	model::op_overflow(*w, 0);
	CHECK(e->ghost.last_sample_read[-1].first > enabled);
	CHECK(e->ghost.last_count[-1].first > first_count);
	CHECK(taken_violations() == "");
}
