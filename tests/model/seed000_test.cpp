// Seed 000 on the simulator: perf_mmap_rb()'s unlocked perf_event_update_time() against
// event_sched_out() -> perf_event_set_state() under ctx->lock, explored exhaustively.
#include <catch2/catch.hpp>

#include <memory>

#include "model/perf/world.h"
#include "tests/model/fixture.h"

namespace {

/* the program's world, one execution at a time (the test owns it, as the checker's run does) */
std::unique_ptr<perf_world> world;

/* T runs on CPU 0 with E ACTIVE; CPU 0 switches T out while CPU 1 mmap()s E; under `variant`. */
sim::Program mmap_vs_sched_out(const char *variant)
{
	fixture::Fresh fresh(model::perf_model(), variant);
	model::WorldSetup setup = fresh.setup();
	setup.tick = 10;
	setup.contexts = {fixture::task_context("T", 0)};
	setup.events = {fixture::event("E", 0, "ACTIVE")};
	sim::Program p;
	p.tick = setup.tick;
	p.setup = [setup] { world.reset(); world = model::build_world(setup); };
	p.teardown = [] { world.reset(); };
	p.finish = [] { model::check_final(*world); };
	p.lanes = {{"task switch", 0, sim::LaneContext::Task, [] { model::op_sched_out(*world, 0); }},
		   {"mmap syscall", 1, sim::LaneContext::Task, [] { model::op_mmap(*world, 0); }}};
	return p;
}

/* At most three preemptions: the race needs one; the fix must hold for every schedule in the bound.
 * (The exhaustive search of this scenario does not finish in minutes.) */
sim::Options search_options()
{
	sim::Options o;
	o.search = sim::Search::Bounded;
	o.bound = 3;
	o.timeout_seconds = 120;
	return o;
}

bool has_race(const sim::Result &r, const std::string &title)
{
	for (const sim::Race &race : r.races)
		if (race.title() == title)
			return true;
	return false;
}

}  // namespace

TEST_CASE("upstream: mmap() against a task switch races on the event's times and breaks the ledger",
	  "[model][sim][seed000]")
{
	auto r = sim::explore(mmap_vs_sched_out("upstream"), search_options());
	INFO(r.error);
	REQUIRE(r.outcome == sim::Outcome::Violation);
	REQUIRE(r.violation);
	INFO(r.violation->invariant << ": " << r.violation->detail);
	CHECK((r.violation->invariant == "no-lost-time" || r.violation->invariant == "no-time-travel"));
	CHECK(has_race(r, "data-race in perf_event_set_state / perf_mmap_rb"));
}

TEST_CASE("mmap-ctx-lock: the same scenario keeps the ledger in every interleaving with up to 3 preemptions", "[model][sim][seed000]")
{
	auto r = sim::explore(mmap_vs_sched_out("mmap-ctx-lock"), search_options());
	INFO(r.error);
	if (r.violation)
		INFO(r.violation->invariant << ": " << r.violation->detail);
	INFO("executions " << r.executions << ", limited " << r.limited << ", bound " << r.bound);
	CHECK(r.outcome == sim::Outcome::Ok);
	CHECK_FALSE(r.limited);	/* the bound, not the timeout, ended the search */
	CHECK_FALSE(has_race(r, "data-race in perf_event_set_state / perf_mmap_rb"));
}
