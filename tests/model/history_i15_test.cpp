// Issue 15 item 3 (i15-hist): what the pre-fix variants of inherited group reads and rotation change,
// sequentially, with the clock driven by hand ("at 100": the clock stands at 100; tick 10 advances it
// by 10 at every perf_clock() read).
//
//   pre-7fa343b7fdc4: ctx_event_to_rotate() picks only an ACTIVE flexible event (ctx_first_active()),
//                     so a rotation after every flexible group failed rotates nothing
//   pre-2aeb18835476: the race itself needs two CPUs (tests/cli/history_i15_cli_test.cpp); here the
//                     order of the exit that it races with: list_add_event() puts each event at the
//                     head of ctx->event_list (list_add_rcu()), so a child's siblings exit before
//                     their leader, each under its own parent's child_mutex
#include <catch2/catch.hpp>

#include <string>

#include "model/perf/world.h"
#include "tests/model/fixture.h"

namespace {

using model::WorldSetup;

using fixture::at, fixture::cpu_context, fixture::event, fixture::task_context, fixture::violations_text;
using Fresh = fixture::FreshFor<model::perf_model>;

/* CPU 0's context C has flexible X (exclusive) and F; T runs on cpu0 with P pinned and exclusive;
 * then T is switched out and the mux hrtimer's handler runs on cpu0 */
struct Rotated {
	int x_state, f_state, rotate_necessary;
	std::string violations;
};

Rotated rotate_after_pinned_exclusive_leaves(const char *variant)
{
	Fresh fresh(variant);
	WorldSetup s = fresh.setup();
	s.tick = 10;
	s.contexts = {cpu_context("C", 0), task_context("T", 0)};
	s.events = {event("P", 1, "ACTIVE", -1, {{"pinned", 1}, {"exclusive", 1}}),
		    event("X", 0, "INACTIVE", -1, {{"exclusive", 1}}), event("F", 0, "INACTIVE")};
	at(0);
	auto w = model::build_world(s);
	struct perf_event *X = &w->events[1], *F = &w->events[2];
	REQUIRE(X->pmu_ctx->rotate_necessary == 1);  // merge_sched_in() failed X, then F behind it
	REQUIRE(X->pmu_ctx->flexible_active.empty());

	sim::set_sequential_cpu(0);
	at(100);
	model::op_sched_out(*w, 1);  // P leaves the PMU; C's flexible groups are not rescheduled
	CHECK(X->state.peek() == PERF_EVENT_STATE_INACTIVE);
	CHECK(F->state.peek() == PERF_EVENT_STATE_INACTIVE);
	at(200);
	model::op_rotate(*w);
	Rotated r{X->state.peek(), F->state.peek(), X->pmu_ctx->rotate_necessary, ""};
	model::check_final(*w);
	r.violations = violations_text(sim::take_sequential_violations());
	return r;
}

}  // namespace

TEST_CASE("rotation: with no ACTIVE flexible group the first group of the tree is rotated and the next goes on; before 7fa343b7fdc4 nothing moved",
	  "[model][rotate][history]")
{
	Rotated up = rotate_after_pinned_exclusive_leaves("upstream");
	CHECK(up.f_state == PERF_EVENT_STATE_ACTIVE);    // F, now first, goes on the free PMU
	CHECK(up.x_state == PERF_EVENT_STATE_INACTIVE);  // X, exclusive, cannot follow it
	CHECK(up.rotate_necessary == 1);                 // so the next rotation gives X its turn
	CHECK(up.violations == "");

	Rotated pre = rotate_after_pinned_exclusive_leaves("pre-7fa343b7fdc4");
	CHECK(pre.f_state == PERF_EVENT_STATE_INACTIVE);
	CHECK(pre.x_state == PERF_EVENT_STATE_INACTIVE);
	CHECK(pre.rotate_necessary == 0);  // cleared at ctx_event_to_rotate()'s out: the timer stops
	const std::string starved = ": a flexible group, INACTIVE while its context runs and nothing is on its PMU, and no "
				    "rotation is pending (rotate_necessary = 0): it stays off until something reschedules the context\n";
	CHECK(pre.violations == "not-starved: X" + starved + "not-starved: F" + starved);
}

TEST_CASE("list_add_event() puts an event at the head of ctx->event_list, as list_add_rcu() does", "[model][fork]")
{
	Fresh fresh("upstream");
	WorldSetup s = fresh.setup();
	s.tick = 10;
	s.contexts = {task_context("T", 0), task_context("C")};
	s.events = {event("L", 0, "ACTIVE", -1, {{"inherit", 1}}), event("S", 0, "ACTIVE", 0, {{"inherit", 1}})};
	at(0);
	auto w = model::build_world(s);
	sim::set_sequential_cpu(0);
	model::op_fork(*w, 0, 1);
	struct perf_event_context *C = w->contexts[1];
	REQUIRE(C->event_list.size() == 2);
	/* inherit_group() adds L(C), then S(C): S(C) is first, so the exit removes it first */
	CHECK(std::string(C->event_list[0]->model_name) == "S(C)");
	CHECK(std::string(C->event_list[1]->model_name) == "L(C)");
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}
