// The timekeeping model, sequentially: exact numbers a perf developer can check against
// kernel/events/core.c by hand. The clock is driven explicitly (tick 0: perf_clock() returns
// what at() set), so "at 20" means perf_clock() == 20 for every read until the next at().
#include <catch2/catch.hpp>

#include <random>
#include <sstream>

#include "model/perf/world.h"
#include "tests/model/fixture.h"

namespace {

using model::ContextSetup;
using model::EventSetup;
using model::WorldSetup;

using fixture::at, fixture::cpu_context, fixture::event, fixture::task_context, fixture::violations_text;
using Fresh = fixture::FreshFor<model::perf_model>;	/* a sequential run of the perf model */

void locked(perf_world &w, int context, void (*fn)(perf_world &, int), int arg)
{
	struct perf_event_context *ctx = w.contexts[context];
	raw_spin_lock_irq(&ctx->lock);
	update_context_time(ctx);
	fn(w, arg);
	raw_spin_unlock_irq(&ctx->lock);
}

}  // namespace

TEST_CASE("an event enabled at ctx time 10, in at 20, out at 50, in at 60, read at 70 has enabled 60, running 40",
	  "[model][time]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup();
	s.tick = 0;
	s.contexts = {cpu_context("C", 0)};
	s.events = {event("E", 0, "OFF")};
	auto w = model::build_world(s);
	struct perf_event *E = &w->events[0];

	at(10);
	locked(*w, 0, [](perf_world &w, int) { perf_event_set_state(&w.events[0], PERF_EVENT_STATE_INACTIVE); }, 0);
	at(20);
	locked(*w, 0, [](perf_world &w, int) { event_sched_in(&w.events[0], w.contexts[0]); }, 0);
	at(50);
	locked(*w, 0, [](perf_world &w, int) { event_sched_out(&w.events[0], w.contexts[0]); }, 0);
	at(60);
	locked(*w, 0, [](perf_world &w, int) { event_sched_in(&w.events[0], w.contexts[0]); }, 0);
	at(70);
	auto r = model::op_read(*w, 0);

	CHECK(r.ret == 24);
	CHECK(r.enabled == 60);
	CHECK(r.running == 40);
	CHECK(r.count == 40);  // the counting PMU counts model time while started: 20..50 and 60..70
	CHECK(E->tstamp.peek() == 70);
	model::check_final(*w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("a task switch stops the task context's clock: in at 0, out at 30, in at 50, read at 70 gives 50/50",
	  "[model][time][sched]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup();
	s.tick = 0;
	s.contexts = {task_context("T", 0)};
	s.events = {event("E", 0, "ACTIVE")};
	auto w = model::build_world(s);

	at(30);
	model::op_sched_out(*w, 0);
	CHECK(w->events[0].state.peek() == PERF_EVENT_STATE_INACTIVE);
	CHECK(w->events[0].total_time_enabled.peek() == 30);
	at(50);
	model::op_sched_in(*w, 0);
	CHECK(w->events[0].state.peek() == PERF_EVENT_STATE_ACTIVE);
	at(70);
	auto r = model::op_read(*w, 0);

	CHECK(r.enabled == 50);
	CHECK(r.running == 50);
	CHECK(w->contexts[0]->time.peek() == 50);
	model::check_final(*w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("a disabled group leader stops its siblings' enabled time", "[model][time][group]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup();
	s.tick = 0;
	s.contexts = {cpu_context("C", 0)};
	s.events = {event("L", 0, "ACTIVE"), event("S", 0, "ACTIVE", 0)};
	auto w = model::build_world(s);

	at(10);
	REQUIRE(model::op_ioctl(*w, 0, PERF_EVENT_IOC_DISABLE) == 0);
	CHECK(w->events[0].state.peek() == PERF_EVENT_STATE_OFF);
	CHECK(w->events[1].state.peek() == PERF_EVENT_STATE_INACTIVE);  // "only mark the leader OFF"

	SECTION("read at 30: the sibling stopped at 10")
	{
		at(30);
		auto r = model::op_read(*w, 1);
		CHECK(r.enabled == 10);
		CHECK(r.running == 10);
	}
	SECTION("enabled again at 40, read at 50: 10 more of each")
	{
		at(40);
		REQUIRE(model::op_ioctl(*w, 0, PERF_EVENT_IOC_ENABLE) == 0);
		CHECK(w->events[1].state.peek() == PERF_EVENT_STATE_ACTIVE);
		at(50);
		auto r = model::op_read(*w, 1);
		CHECK(r.enabled == 20);
		CHECK(r.running == 20);
	}
	model::check_final(*w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("read() of an INACTIVE event brings its times up to date under ctx->lock", "[model][time][read]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup();
	s.tick = 0;
	s.contexts = {cpu_context("C", 0)};
	// two exclusive events: only the first goes on (group_can_go_on), the second waits INACTIVE
	s.events = {event("A", 0, "ACTIVE"), event("B", 0, "INACTIVE")};
	s.events[0].attr = {{"exclusive", 1}};
	s.events[1].attr = {{"exclusive", 1}};
	auto w = model::build_world(s);

	CHECK(w->events[1].total_time_enabled.peek() == 0);
	at(25);
	auto r = model::op_read(*w, 1);
	CHECK(r.enabled == 25);
	CHECK(r.running == 0);
	CHECK(w->events[1].total_time_enabled.peek() == 25);  // the fields, not only the result
	CHECK(w->events[1].tstamp.peek() == 25);
	model::check_final(*w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("the user page after perf_mmap carries the same enabled/running as read()", "[model][mmap][userpage]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup();
	s.tick = 0;
	s.contexts = {task_context("T", 0)};
	s.events = {event("E", 0, "ACTIVE")};
	auto w = model::build_world(s);

	at(40);
	sim::set_sequential_cpu(1);  // another thread mmap()s the fd on CPU 1
	REQUIRE(model::op_mmap(*w, 0) == 0);
	u64 enabled = 0, running = 0;
	REQUIRE(model::op_userpage_read(*w, 0, &enabled, &running));
	auto r = model::op_read(*w, 0);

	CHECK(enabled == 40);
	CHECK(running == 40);
	CHECK(r.enabled == enabled);
	CHECK(r.running == running);
	CHECK(w->events[0].rb.peek()->user_page->lock.peek() == 2);  // one writer, two increments

	SECTION("munmap detaches the buffer")
	{
		model::op_munmap(*w, 0);
		CHECK(w->events[0].rb.peek() == nullptr);
		CHECK(refcount_read(&w->events[0].mmap_count) == 0);
	}
	model::check_final(*w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("the ledger reports lost time in ticks when the fields disagree", "[model][ledger]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup();
	s.tick = 10;
	s.contexts = {cpu_context("C", 0)};
	s.events = {event("E", 0, "ACTIVE")};
	auto w = model::build_world(s);

	w->events[0].total_time_running.poke(w->events[0].total_time_running.peek() - 10);
	model::check_final(*w);
	auto v = sim::take_sequential_violations();
	REQUIRE(v.size() == 1);
	CHECK(v[0].invariant == "no-lost-time");
	CHECK(v[0].detail.find("1 tick lost (tick = 10)") != std::string::npos);
}

TEST_CASE("__perf_update_times records now < tstamp as time travel", "[model][ledger]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup();
	s.tick = 0;
	s.contexts = {cpu_context("C", 0)};
	s.events = {event("E", 0, "ACTIVE")};
	auto w = model::build_world(s);

	w->events[0].tstamp.poke(30);  // a tstamp from the future, as an unlocked writer leaves it
	u64 enabled, running;
	__perf_update_times(&w->events[0], 20, &enabled, &running);
	auto v = sim::take_sequential_violations();
	REQUIRE(v.size() == 1);
	CHECK(v[0].invariant == "no-time-travel");
	CHECK(v[0].detail.find("now 20 < tstamp 30") != std::string::npos);
}

namespace {

/* A generated sequence of ops over two CPUs, a task context and a CPU context. */
struct Trace {
	std::vector<std::string> reads;  // every read() and user-page result
	std::vector<u64> finals;        // enabled, running, count of each event after check_final
	std::string violations;
};

Trace run_sequence(unsigned seed, const char *variant)
{
	Fresh fresh(variant);
	WorldSetup s = fresh.setup();
	s.tick = 10;
	s.contexts = {task_context("T", 0), cpu_context("C", 1)};
	s.events = {event("E1", 0, "ACTIVE"), event("L2", 0, "ACTIVE"), event("S3", 0, "ACTIVE", 1),
		    event("E4", 1, "ACTIVE")};
	auto w = model::build_world(s);
	std::mt19937 rng(seed);
	Trace t;

	for (int step = 0; step < 60; step++) {
		int cpu = rng() % 2, ev = rng() % 4;
		sim::set_sequential_cpu(cpu);
		std::ostringstream out;
		switch (rng() % 10) {
		case 0: model::op_sched_out(*w, 0); break;
		case 1: model::op_sched_in(*w, 0); break;
		case 2: model::op_ioctl(*w, ev, PERF_EVENT_IOC_ENABLE); break;
		case 3: model::op_ioctl(*w, ev, PERF_EVENT_IOC_DISABLE); break;
		case 4: model::op_ioctl(*w, ev, PERF_EVENT_IOC_RESET); break;
		case 5: model::op_mmap(*w, ev); break;
		case 6: model::op_munmap(*w, ev); break;
		case 7: {
			u64 e = 0, r = 0;
			bool ok = model::op_userpage_read(*w, ev, &e, &r);
			out << "userpage " << ev << " " << ok << " " << e << " " << r;
			break;
		}
		default: {
			auto r = model::op_read(*w, ev);
			out << "read " << ev << " " << r.ret << " " << r.count << " " << r.enabled << " " << r.running;
		}
		}
		if (!out.str().empty())
			t.reads.push_back(out.str());
	}
	sim::set_sequential_cpu(0);
	model::check_final(*w);
	for (auto &e : w->events)
		t.finals.insert(t.finals.end(),
				{e.total_time_enabled.peek(), e.total_time_running.peek(), (u64)local64_read(&e.count)});
	t.violations = violations_text(sim::take_sequential_violations());
	return t;
}

}  // namespace

TEST_CASE("the ledger agrees with the fields after a generated sequence of ops", "[model][ledger]")
{
	auto seed = GENERATE(1u, 7u, 42u, 1234u, 99991u);
	CAPTURE(seed);
	Trace t = run_sequence(seed, "upstream");
	CHECK(t.violations == "");
	CHECK_FALSE(t.reads.empty());
}

TEST_CASE("each variant behaves identically to upstream when nothing runs concurrently", "[model][variant]")
{
	auto seed = GENERATE(1u, 7u, 42u);
	CAPTURE(seed);
	Trace upstream = run_sequence(seed, "upstream");
	for (const std::string &name : model::perf_model().variant_names()) {
		if (model_variant_is_prefix(name))
			continue;	/* kernel history: tests/model/history_*.cpp pin what they change */
		CAPTURE(name);
		Trace v = run_sequence(seed, name.c_str());
		CHECK(v.violations == "");
		CHECK(v.reads == upstream.reads);
		CHECK(v.finals == upstream.finals);
	}
}

TEST_CASE("setup refuses a state the kernel cannot put the event in", "[model][world]")
{
	Fresh fresh;
	WorldSetup s = fresh.setup();
	s.contexts = {task_context("T", -1)};  // not running: enabling leaves the event INACTIVE
	s.events = {event("E", 0, "ACTIVE")};
	CHECK_THROWS_WITH(model::build_world(s), Catch::Contains("setup asks for ACTIVE but the kernel put it in INACTIVE"));
}
