// The 2.6.32 generation ("perf-2.6.32"), sequentially: exact numbers to check by hand against
// seed 001's kernel/perf_event.c. The clock is driven explicitly (tick 0: perf_clock() returns
// what at() set), so "at 20" means perf_clock() == 20 until the next at().
#include <catch2/catch.hpp>

#include <stdexcept>

#include "model/legacy/world.h"
#include "tests/model/fixture.h"

namespace {

using model::ContextSetup;
using model::EventSetup;
using model::WorldSetup;
using namespace legacy;

using fixture::at;
using fixture::event;
using fixture::violations_text;
using Fresh = fixture::FreshFor<legacy::legacy_model>;	/* a sequential run of perf-2.6.32 */
ContextSetup task(const char *name, int running_on = -1) { return fixture::task_context(name, running_on); }

/* Runs fn under T's ctx->lock with IRQs off, after advancing the context clock (as the kernel's
 * locked paths do). */
template <typename F> void locked(legacy_world &w, int context, F fn)
{
	struct perf_event_context *ctx = &w.ctxs[context];
	spin_lock_irq(&ctx->lock);
	update_context_time(ctx);
	fn(ctx, model_cpu_context(0));
	spin_unlock_irq(&ctx->lock);
}

/* P forks A and B with an inherit + inherit_stat event: A runs on cpu0 with EA ACTIVE, B waits. */
std::unique_ptr<legacy_world> clone_family(const Fresh &fresh)
{
	WorldSetup s = fresh.setup();
	s.tick = 0;
	s.contexts = {task("P"), task("A", 0), task("B")};
	s.events = {event("E", 0, "INACTIVE", -1, {{"inherit", 1}, {"inherit_stat", 1}}), event("EA", 1, "ACTIVE"),
		    event("EB", 2, "INACTIVE")};
	auto w = legacy::build_world(s);
	op_inherit(*w, 0, 1);
	op_inherit(*w, 0, 2);
	return w;
}

}  // namespace

TEST_CASE("2.6.32: enabled at 10, scheduled in at 20, out at 50 gives enabled 40 and running 30",
	  "[model][legacy][time]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup();
	s.tick = 0;
	s.contexts = {task("T", 0)};
	s.events = {event("E", 0, "OFF")};
	auto w = legacy::build_world(s);	/* T switched in at 0: ctx->timestamp = 0 */
	struct perf_event *E = &w->events[0];

	at(10);
	locked(*w, 0, [E](perf_event_context *ctx, perf_cpu_context *) { __perf_event_mark_enabled(E, ctx); });
	CHECK(E->tstamp_enabled.peek() == 10);
	at(20);
	locked(*w, 0, [E](perf_event_context *ctx, perf_cpu_context *cpuctx) { event_sched_in(E, cpuctx, ctx, 0); });
	CHECK(E->tstamp_running.peek() == 20);	/* 0 + (ctx->time 20 - tstamp_stopped 0) */
	at(50);
	locked(*w, 0, [E](perf_event_context *ctx, perf_cpu_context *cpuctx) {
		event_sched_out(E, cpuctx, ctx);
		update_event_times(E);
	});
	CHECK(E->tstamp_stopped.peek() == 50);
	CHECK(E->total_time_enabled.peek() == 40);
	CHECK(E->total_time_running.peek() == 30);
	CHECK(atomic64_read(&E->count) == 30);	/* the counting PMU counted 20..50 */
	legacy::check_final(*w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("2.6.32: a second sched_in adds only the time since it to running (tstamp_running += ctx->time - tstamp_stopped)",
	  "[model][legacy][time]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup();
	s.tick = 0;
	s.contexts = {task("T", 0)};
	s.events = {event("E", 0, "ACTIVE")};
	auto w = legacy::build_world(s);
	struct perf_event *E = &w->events[0];

	at(30);
	locked(*w, 0, [E](perf_event_context *ctx, perf_cpu_context *cpuctx) { event_sched_out(E, cpuctx, ctx); });
	at(50);
	locked(*w, 0, [E](perf_event_context *ctx, perf_cpu_context *cpuctx) { event_sched_in(E, cpuctx, ctx, 0); });
	CHECK(E->tstamp_running.peek() == 20);	/* 0 + (50 - 30): the 20 off the PMU */
	at(70);
	locked(*w, 0, [E](perf_event_context *, perf_cpu_context *) { update_event_times(E); });
	CHECK(E->total_time_enabled.peek() == 70);
	CHECK(E->total_time_running.peek() == 50);
	legacy::check_final(*w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("2.6.32: a task switch stops the context clock; read() of the INACTIVE event gives the times at the switch",
	  "[model][legacy][time][sched]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup();
	s.tick = 0;
	s.contexts = {task("T", 0)};
	s.events = {event("E", 0, "ACTIVE")};
	auto w = legacy::build_world(s);

	at(30);
	op_sched_out(*w, 0);
	CHECK(w->events[0].state.peek() == PERF_EVENT_STATE_INACTIVE);
	CHECK(w->ctxs[0].time.peek() == 30);
	CHECK(w->ctxs[0].is_active.peek() == 0);
	at(80);
	auto r = op_read(*w, 0);
	CHECK(r.ret == 24);
	CHECK(r.enabled == 30);
	CHECK(r.running == 30);
	CHECK(r.count == 30);
	legacy::check_final(*w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("2.6.32's read() of an INACTIVE event in a running task does not advance the clock; read-ctx-lock does",
	  "[model][legacy][read][variant]")
{
	auto variant = GENERATE(as<std::string>{}, "upstream", "read-ctx-lock");
	CAPTURE(variant);
	Fresh fresh(variant.c_str());
	WorldSetup s = fresh.setup();
	s.tick = 0;
	s.contexts = {task("T", 0)};
	s.events = {event("E", 0, "OFF")};
	auto w = legacy::build_world(s);
	struct perf_event *E = &w->events[0];

	at(10);
	locked(*w, 0, [E](perf_event_context *ctx, perf_cpu_context *) { __perf_event_mark_enabled(E, ctx); });
	at(70);
	auto r = op_read(*w, 0);	/* INACTIVE in a running context: perf_event_read()'s else branch */
	CHECK(r.running == 0);
	if (variant == "upstream")
		CHECK(r.enabled == 0);	/* update_event_times() with ctx->time still 10 */
	else
		CHECK(r.enabled == 60);	/* update_context_time() first, under ctx->lock */
	legacy::check_final(*w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("context_equiv: clones of one parent context and generation, neither pinned", "[model][legacy][clone]")
{
	Fresh fresh;
	auto w = clone_family(fresh);
	struct perf_event_context *ctxA = &w->ctxs[1], *ctxB = &w->ctxs[2];

	CHECK(ctxA->parent_ctx.peek() == &w->ctxs[0]);
	CHECK(context_equiv(ctxA, ctxB));
	SECTION("another generation of the parent is not equivalent")
	{
		ctxB->parent_gen.poke(ctxB->parent_gen.peek() + 1);
		CHECK_FALSE(context_equiv(ctxA, ctxB));
	}
	SECTION("a pinned context is not equivalent")
	{
		ctxB->pin_count.poke(1);
		CHECK_FALSE(context_equiv(ctxA, ctxB));
	}
	SECTION("an uncloned context is not equivalent")
	{
		ctxA->parent_ctx.poke(nullptr);
		CHECK_FALSE(context_equiv(ctxA, ctxB));
	}
}

TEST_CASE("switching between clones swaps the contexts and __perf_event_sync_stat exchanges count and totals",
	  "[model][legacy][clone]")
{
	Fresh fresh;
	auto w = clone_family(fresh);
	struct task_struct *A = &w->tasks[1], *B = &w->tasks[2];
	struct perf_event_context *ctxA = &w->ctxs[1], *ctxB = &w->ctxs[2];
	struct perf_event *EA = &w->events[1], *EB = &w->events[2];

	at(30);
	op_switch(*w, 1, 2);

	/* the fast path: no sched out, the contexts change tasks */
	CHECK(A->perf_event_ctxp.peek() == ctxB);
	CHECK(B->perf_event_ctxp.peek() == ctxA);
	CHECK(ctxA->task.peek() == B);
	CHECK(ctxB->task.peek() == A);
	CHECK(model_cpu_context(0)->task_ctx.peek() == ctxA);
	CHECK(EA->state.peek() == PERF_EVENT_STATE_ACTIVE);
	/* the flip: EA (now B's) holds B's values, EB (now A's) holds A's 30 */
	CHECK(atomic64_read(&EA->count) == 0);
	CHECK(atomic64_read(&EB->count) == 30);
	CHECK(EA->total_time_enabled.peek() == 0);
	CHECK(EA->total_time_running.peek() == 0);
	CHECK(EB->total_time_enabled.peek() == 30);
	CHECK(EB->total_time_running.peek() == 30);

	SECTION("the next update_event_times() recomputes the totals from the event's own tstamps")
	{
		spin_lock_irq(&ctxB->lock);
		update_event_times(EB);
		spin_unlock_irq(&ctxB->lock);
		CHECK(EB->total_time_enabled.peek() == 0);	/* ctxB->time 0 - tstamp_enabled 0 */
		CHECK(EB->total_time_running.peek() == 0);
		legacy::check_final(*w);
		CHECK(violations_text(sim::take_sequential_violations()) == "");
	}
	SECTION("read() of the parent sums every child's count but returns only its own times")
	{
		at(40);
		auto r = op_read(*w, 0);
		CHECK(r.count == 0 + 10 + 30);	/* E + EA (10 more for B) + EB (A's 30) */
		CHECK(r.enabled == 0);
		CHECK(r.running == 0);
	}
}

TEST_CASE("switching between tasks whose contexts are not clones schedules the events out", "[model][legacy][clone]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup();
	s.tick = 0;
	s.contexts = {task("A", 0), task("B")};
	s.events = {event("EA", 0, "ACTIVE", -1, {{"inherit_stat", 1}}), event("EB", 1, "INACTIVE", -1, {{"inherit_stat", 1}})};
	auto w = legacy::build_world(s);

	at(30);
	op_switch(*w, 0, 1);
	CHECK(w->tasks[0].perf_event_ctxp.peek() == &w->ctxs[0]);
	CHECK(w->events[0].state.peek() == PERF_EVENT_STATE_INACTIVE);
	CHECK(w->events[1].state.peek() == PERF_EVENT_STATE_ACTIVE);
	CHECK(atomic64_read(&w->events[0].count) == 30);
	CHECK(model_cpu_context(0)->task_ctx.peek() == &w->ctxs[1]);
	legacy::check_final(*w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("ioctl(ENABLE) of an OFF event in a running task puts it on the PMU through the IPI", "[model][legacy][enable]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup();
	s.tick = 0;
	s.contexts = {task("T", 0)};
	s.events = {event("E", 0, "OFF")};
	auto w = legacy::build_world(s);

	at(10);
	op_enable(*w, 0);
	CHECK(w->events[0].state.peek() == PERF_EVENT_STATE_ACTIVE);
	at(40);
	op_sched_out(*w, 0);
	auto r = op_read(*w, 0);
	CHECK(r.enabled == 30);
	CHECK(r.running == 30);
	legacy::check_final(*w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("the perf-2.6.32 setup rejects what 2.6.32 cannot reach", "[model][legacy][setup]")
{
	Fresh fresh;
	SECTION("a CPU context")
	{
		WorldSetup s = fresh.setup();
		ContextSetup c;
		c.name = "C";
		c.is_task = false;
		c.cpu = 0;
		s.contexts = {c};
		CHECK_THROWS_WITH(legacy::build_world(s), Catch::Contains("task contexts only"));
	}
	SECTION("an ACTIVE event in a task that is not running")
	{
		WorldSetup s = fresh.setup();
		s.contexts = {task("T")};
		s.events = {event("E", 0, "ACTIVE")};
		CHECK_THROWS_WITH(legacy::build_world(s), Catch::Contains("setup asks for ACTIVE but the kernel put it in INACTIVE"));
	}
	SECTION("an ERROR event")
	{
		WorldSetup s = fresh.setup();
		s.contexts = {task("T")};
		s.events = {event("E", 0, "ERROR")};
		CHECK_THROWS_AS(legacy::build_world(s), std::invalid_argument);
	}
	SECTION("inheriting an event without attr.inherit")
	{
		WorldSetup s = fresh.setup();
		s.contexts = {task("P"), task("A")};
		s.events = {event("E", 0, "INACTIVE"), event("EA", 1, "INACTIVE")};
		auto w = legacy::build_world(s);
		CHECK_THROWS_WITH(op_inherit(*w, 0, 1), Catch::Contains("lacks attr.inherit"));
	}
}

TEST_CASE("the ledger reports a read() whose family count or times go backwards for the same reader",
	  "[model][legacy][ghost]")
{
	Fresh fresh;
	auto w = clone_family(fresh);

	at(10);
	auto first = op_read(*w, 0);	/* E 0 + EA 10 + EB 0 */
	CHECK(first.count == 10);
	CHECK(violations_text(sim::take_sequential_violations()) == "");

	SECTION("a count taken away from a child (as mid-flip) breaks monotonic-count")
	{
		atomic64_set(&w->events[1].count, 0);	/* EA's 10 moved nowhere yet */
		op_read(*w, 0);
		CHECK(violations_text(sim::take_sequential_violations()) ==
		      "monotonic-count: E: read() by the sequential reader went backwards: count 0 after 10 (10 counted ns); "
		      "the previous read returned count 10, enabled 0, running 0\n");
	}
	SECTION("in a run with monotonic-count deselected the same read passes")
	{
		w.reset();
		Fresh without("upstream", {"no-lost-time", "running-le-enabled", "monotonic-read"});
		auto w2 = clone_family(without);
		at(10);
		CHECK(op_read(*w2, 0).count == 10);
		atomic64_set(&w2->events[1].count, 0);
		op_read(*w2, 0);
		CHECK(violations_text(sim::take_sequential_violations()) == "");
	}
}
