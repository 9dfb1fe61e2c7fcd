// Issue 15 b: fork, exit and exec, sequentially, with the clock driven by hand ("at 100": the clock
// stands at 100; with tick 10 every perf_clock() read first advances it by 10).
//
//   fork:  perf_event_init_task() -> inherit_event(): the child's events follow the parent's state,
//          hang on its child_list, and the child's context is a clone of the parent's
//   exit:  perf_event_exit_task() -> __perf_remove_from_context(DETACH_EXIT) -> sync_child_event():
//          the child's final totals reach the parent once (pre-a3c3c66670ce: before they are final)
//   exec:  perf_event_exec() -> perf_event_enable_on_exec(): the enable_on_exec event goes on, the
//          running one loses nothing (pre-5d95a2af973d: the clock restart loses a tick)
#include <catch2/catch.hpp>

#include <string>

#include "model/perf/world.h"
#include "tests/model/fixture.h"

namespace {

using model::WorldSetup;

using fixture::at, fixture::event, fixture::final_violations, fixture::taken_violations, fixture::task_context;
using Fresh = fixture::FreshFor<model::perf_model>;

/* T runs on cpu0 with A (ACTIVE) and E (exclusive, INACTIVE), both inherit; C is T's child-to-be */
std::unique_ptr<perf_world> forked_world(const Fresh &fresh)
{
	WorldSetup s = fresh.setup({task_context("T", 0), task_context("C")},
				   {event("A", 0, "ACTIVE", -1, {{"inherit", 1}}),
				    event("E", 0, "INACTIVE", -1, {{"inherit", 1}, {"exclusive", 1}})});
	at(0);
	auto w = model::build_world(s);
	sim::set_sequential_cpu(0);
	model::op_fork(*w, 0, 1);
	return w;
}

/* T runs on cpu0 with E (ACTIVE) and `other`, built at 0 */
std::unique_ptr<perf_world> running_with(const Fresh &fresh, model::EventSetup other)
{
	WorldSetup s = fresh.setup({task_context("T", 0)}, {event("E", 0, "ACTIVE"), std::move(other)});
	at(0);
	return model::build_world(s);
}

}  // namespace

TEST_CASE("fork: inherit_event() gives the child one event per inherited parent event, in the parent's state, on its child_list",
	  "[model][fork]")
{
	Fresh fresh("upstream");
	auto w = forked_world(fresh);
	struct perf_event *A = &w->events[0], *E = &w->events[1];
	struct perf_event_context *T = w->contexts[0], *C = w->contexts[1];

	REQUIRE(w->events.size() == 4);
	struct perf_event *AC = &w->events[2], *EC = &w->events[3];
	CHECK(std::string(AC->model_name) == "A(C)");
	CHECK(std::string(EC->model_name) == "E(C)");
	CHECK(AC->parent == A);
	CHECK(EC->parent == E);
	CHECK(A->child_list == std::vector<struct perf_event *>{AC});
	CHECK(E->child_list == std::vector<struct perf_event *>{EC});
	CHECK(AC->state.peek() == PERF_EVENT_STATE_INACTIVE);  // follows A (ACTIVE >= INACTIVE), not attr.disabled
	CHECK(EC->state.peek() == PERF_EVENT_STATE_INACTIVE);
	CHECK((AC->attach_state & PERF_ATTACH_CHILD) != 0);
	CHECK(C->nr_events == 2);
	CHECK(w->tasks[1].perf_event_ctxp.peek() == C);
	CHECK(C->parent_ctx == T);  // a clone of T's context (context_equiv())
	CHECK(C->parent_gen == T->generation);
	CHECK(taken_violations() == "");
}

TEST_CASE("exit: an INACTIVE child's last enabled period reaches its parent's child_total_time_enabled exactly once; before a3c3c66670ce it was lost",
	  "[model][fork][history]")
{
	for (const char *v : {"upstream", "pre-a3c3c66670ce"}) {
		CAPTURE(v);
		bool pre = std::string(v) != "upstream";
		Fresh fresh(v);
		auto w = forked_world(fresh);
		struct perf_event *A = &w->events[0], *E = &w->events[1];
		struct perf_event *AC = &w->events[2], *EC = &w->events[3];

		sim::set_sequential_cpu(1);
		at(100);
		model::op_sched_in(*w, 1);  // C's clock starts at 110: A(C) goes on, E(C) waits (exclusive)
		CHECK(AC->state.peek() == PERF_EVENT_STATE_ACTIVE);
		CHECK(EC->state.peek() == PERF_EVENT_STATE_INACTIVE);
		at(200);
		model::op_exit(*w, 1);  // task_ctx_sched_out() stops C's clock at 210: 100 of context time

		CHECK(AC->model_freed);
		CHECK(EC->model_freed);
		CHECK(A->child_list.empty());
		CHECK(E->child_list.empty());
		CHECK(w->tasks[1].perf_event_ctxp.peek() == nullptr);
		CHECK(w->contexts[1]->task.peek() == TASK_TOMBSTONE);
		// the ACTIVE child was brought up to date by event_sched_out() in both
		CHECK(A->child_total_time_enabled.counter.peek() == 100);
		CHECK(A->child_total_time_running.counter.peek() == 100);
		// the INACTIVE one: upstream syncs after perf_event_set_state(EXIT); the pre-fix before any update
		CHECK(E->child_total_time_enabled.counter.peek() == (pre ? 0 : 100));
		CHECK(E->child_total_time_running.counter.peek() == 0);
		CHECK(EC->total_time_enabled.peek() == 100);  // its own totals are right in both (list_del_event()'s OFF step)
		CHECK(EC->state.peek() == PERF_EVENT_STATE_EXIT);

		std::string got = final_violations(*w);
		if (!pre) {
			CHECK(got == "");
		} else {
			CHECK(got.find("child-time-once: E(C) exits: sync_child_event() adds its total_time_enabled = 0 to E's "
				       "child_total_time_enabled, its ledger says 100: 10 ticks lost") == 0);
			CHECK(got.find("child-time-once: E: child_total_time_enabled = 0, the ledgers of its exited children say 100: "
				       "10 ticks lost") != std::string::npos);
		}
	}
}

TEST_CASE("exec: enable_on_exec puts the event on without losing the running event's time; before 5d95a2af973d the restart lost a tick",
	  "[model][exec][history]")
{
	for (const char *v : {"upstream", "pre-5d95a2af973d"}) {
		CAPTURE(v);
		bool pre = std::string(v) != "upstream";
		Fresh fresh(v);
		auto w = running_with(fresh, event("F", 0, "OFF", -1, {{"enable_on_exec", 1}}));
		struct perf_event *E = &w->events[0], *F = &w->events[1];

		sim::set_sequential_cpu(0);
		at(100);
		model::op_exec(*w, 0);
		CHECK(F->state.peek() == PERF_EVENT_STATE_ACTIVE);
		CHECK(F->attr.enable_on_exec == 0);  // cleared: a second exec does nothing
		CHECK(E->state.peek() == PERF_EVENT_STATE_ACTIVE);
		at(200);
		model::ReadValues r = model::op_read(*w, 0);
		std::string got = final_violations(*w);
		if (!pre) {
			CHECK(got == "");
		} else {
			// ctx_sched_out(EVENT_TIME) read the clock at 110, ctx_sched_in() restarted it at 120
			CHECK(r.enabled == r.running);  // E ran all along: the restart loses both alike
			CHECK(got.find("no-lost-time: E: total_time_enabled") == 0);
			CHECK(got.find("1 tick lost") != std::string::npos);
		}
	}
}

TEST_CASE("exec: a second exec finds enable_on_exec cleared and changes nothing", "[model][exec]")
{
	Fresh fresh("upstream");
	WorldSetup s = fresh.setup({task_context("T", 0)}, {event("F", 0, "OFF", -1, {{"enable_on_exec", 1}})});
	at(0);
	auto w = model::build_world(s);
	struct perf_event *F = &w->events[0];

	sim::set_sequential_cpu(0);
	model::op_exec(*w, 0);
	REQUIRE(F->state.peek() == PERF_EVENT_STATE_ACTIVE);
	REQUIRE(model::op_ioctl(*w, 0, PERF_EVENT_IOC_DISABLE) == 0);
	model::op_exec(*w, 0);
	CHECK(F->state.peek() == PERF_EVENT_STATE_OFF);  // the user's disable stands
	CHECK(final_violations(*w) == "");
}

TEST_CASE("fork then disable: perf_event_for_each_child() turns the inherited child OFF with its parent", "[model][fork]")
{
	Fresh fresh("upstream");
	WorldSetup s = fresh.setup({task_context("T", 0), task_context("C")},
				   {event("E", 0, "ACTIVE", -1, {{"inherit", 1}})});
	at(0);
	auto w = model::build_world(s);
	sim::set_sequential_cpu(0);
	model::op_fork(*w, 0, 1);
	REQUIRE(w->events.size() == 2);
	struct perf_event *E = &w->events[0], *EC = &w->events[1];
	REQUIRE(EC->state.peek() == PERF_EVENT_STATE_INACTIVE);

	sim::set_sequential_cpu(1);
	REQUIRE(model::op_ioctl(*w, 0, PERF_EVENT_IOC_DISABLE) == 0);
	CHECK(E->state.peek() == PERF_EVENT_STATE_OFF);
	CHECK(EC->state.peek() == PERF_EVENT_STATE_OFF);
	model::op_sched_in(*w, 1);
	CHECK(EC->state.peek() == PERF_EVENT_STATE_OFF);  // C runs, its child stays off
	CHECK(final_violations(*w) == "");
}

TEST_CASE("rotate: the mux hrtimer swaps the flexible group on the PMU for the one waiting, charging both their time",
	  "[model][rotate]")
{
	Fresh fresh("upstream");
	WorldSetup s = fresh.setup({task_context("T", 0)},
				   {event("A", 0, "ACTIVE"), event("E", 0, "INACTIVE", -1, {{"exclusive", 1}})});
	at(0);
	auto w = model::build_world(s);
	struct perf_event *A = &w->events[0], *E = &w->events[1];
	struct perf_event_context *T = w->contexts[0];

	sim::set_sequential_cpu(0);
	REQUIRE(A->pmu_ctx->rotate_necessary == 1);  // merge_sched_in() found E unschedulable
	at(100);
	model::op_rotate(*w);
	CHECK(A->state.peek() == PERF_EVENT_STATE_INACTIVE);
	CHECK(E->state.peek() == PERF_EVENT_STATE_ACTIVE);
	CHECK(T->flexible_groups.tree == std::vector<struct perf_event *>{E, A});  // A rotated behind E
	CHECK(A->pmu_ctx->rotate_necessary == 1);  // A cannot follow the exclusive E
	at(200);
	model::op_rotate(*w);  // and back
	CHECK(A->state.peek() == PERF_EVENT_STATE_ACTIVE);
	CHECK(E->state.peek() == PERF_EVENT_STATE_INACTIVE);
	CHECK(final_violations(*w) == "");
	// each ran for part of the time it was enabled (the ledger agrees: no violation above)
	CHECK(A->total_time_running.peek() > 0);
	CHECK(A->total_time_running.peek() < A->total_time_enabled.peek());
	CHECK(E->total_time_running.peek() > 0);
	CHECK(E->total_time_running.peek() < E->total_time_enabled.peek());
}

TEST_CASE("install: perf_install_in_context() into a running task freezes the clock and puts the event on; before 5d95a2af973d the restart lost a tick",
	  "[model][install][history]")
{
	for (const char *v : {"upstream", "pre-5d95a2af973d"}) {
		CAPTURE(v);
		bool pre = std::string(v) != "upstream";
		Fresh fresh(v);
		auto w = running_with(fresh, event("N", 0, "INACTIVE", -1, {{"open_later", 1}}));
		struct perf_event *E = &w->events[0], *N = &w->events[1];
		REQUIRE((N->attach_state & PERF_ATTACH_CONTEXT) == 0);
		REQUIRE(w->contexts[0]->nr_events == 1);

		sim::set_sequential_cpu(0);  // T's own perf_event_open(): __perf_install_in_context() runs here
		at(100);
		model::op_install(*w, 1);
		CHECK((N->attach_state & PERF_ATTACH_CONTEXT) != 0);
		CHECK(N->state.peek() == PERF_EVENT_STATE_ACTIVE);
		CHECK(E->state.peek() == PERF_EVENT_STATE_ACTIVE);
		at(200);
		std::string got = final_violations(*w);
		if (!pre)
			CHECK(got == "");
		else
			CHECK(got.find("no-lost-time: E: total_time_enabled") == 0);
	}
}

TEST_CASE("remove: perf_remove_from_context(E, 0) of a running event folds in its last period and takes it off the context's lists",
	  "[model][install]")
{
	Fresh fresh("upstream");
	WorldSetup s = fresh.setup({task_context("T", 0)}, {event("A", 0, "ACTIVE"), event("E", 0, "ACTIVE")});
	at(0);
	auto w = model::build_world(s);
	struct perf_event *A = &w->events[0], *E = &w->events[1];
	struct perf_event_context *T = w->contexts[0];

	sim::set_sequential_cpu(1);  // from another CPU: event_function_call()'s IPI to cpu0
	at(100);
	model::op_remove(*w, 1);
	CHECK(E->state.peek() == PERF_EVENT_STATE_OFF);
	CHECK((E->attach_state & PERF_ATTACH_CONTEXT) == 0);
	CHECK((E->attach_state & PERF_ATTACH_GROUP) != 0);  // no DETACH_GROUP: move_group keeps the group
	CHECK(T->event_list == std::vector<struct perf_event *>{A});
	CHECK(T->flexible_groups.tree == std::vector<struct perf_event *>{A});
	CHECK(E->oncpu.peek() == -1);
	u64 enabled = E->total_time_enabled.peek();
	CHECK(enabled > 0);
	CHECK(E->total_time_running.peek() == enabled);
	at(200);
	model::op_remove(*w, 1);  // a second removal: not in a context, nothing to do
	model::check_final(*w);
	CHECK(E->total_time_enabled.peek() == enabled);  // OFF and off the context: no more time
	CHECK(taken_violations() == "");
}

TEST_CASE("not-stranded: an event exec enabled that ends OFF without a disable is reported; a disable clears the claim",
	  "[model][exec]")
{
	for (bool by_ioctl : {false, true}) {
		CAPTURE(by_ioctl);
		Fresh fresh("upstream");
		WorldSetup s = fresh.setup({task_context("T", 0)}, {event("F", 0, "OFF", -1, {{"enable_on_exec", 1}})});
		at(0);
		auto w = model::build_world(s);
		struct perf_event *F = &w->events[0];

		sim::set_sequential_cpu(0);
		model::op_exec(*w, 0);
		REQUIRE(F->state.peek() == PERF_EVENT_STATE_ACTIVE);
		if (by_ioctl) {
			REQUIRE(model::op_ioctl(*w, 0, PERF_EVENT_IOC_DISABLE) == 0);
		} else {
			// a kernel path that would turn it off behind the user's back (what the invariant guards)
			raw_spin_lock_irq(&F->ctx->lock);
			event_sched_out(F, F->ctx);
			perf_event_set_state(F, PERF_EVENT_STATE_OFF);
			raw_spin_unlock_irq(&F->ctx->lock);
		}
		std::string got = final_violations(*w);
		if (by_ioctl)
			CHECK(got == "");
		else
			CHECK(got == "not-stranded: F: enable_on_exec enabled it at exec(), nothing disabled it, yet it is OFF\n");
	}
}

TEST_CASE("sync_stat: the clone swap flips an inherit_stat event's totals with its clone's, and the ledger flips with them",
	  "[model][fork]")
{
	Fresh fresh("upstream");
	WorldSetup s = fresh.setup({task_context("T", 0), task_context("C")},
				   {event("E", 0, "ACTIVE", -1, {{"inherit", 1}, {"inherit_stat", 1}})});
	at(0);
	auto w = model::build_world(s);
	sim::set_sequential_cpu(0);
	model::op_fork(*w, 0, 1);
	REQUIRE(w->events.size() == 2);
	struct perf_event *E = &w->events[0], *EC = &w->events[1];
	struct perf_event_context *Tctx = w->contexts[0], *Cctx = w->contexts[1];
	REQUIRE(Tctx->nr_stat == 1);
	REQUIRE(Cctx->nr_stat == 1);

	at(100);
	model::op_sched_switch(*w, 0, 1);  // context_equiv(): the swap, not a reschedule
	CHECK(w->tasks[0].perf_event_ctxp.peek() == Cctx);
	CHECK(w->tasks[1].perf_event_ctxp.peek() == Tctx);
	CHECK(E->state.peek() == PERF_EVENT_STATE_ACTIVE);  // still on the PMU, now counting for C
	CHECK(E->total_time_enabled.peek() == 0);  // E(C)'s (C never ran)
	CHECK(EC->total_time_enabled.peek() > 0);  // T's, up to the switch
	u64 t_enabled = EC->total_time_enabled.peek();
	CHECK(EC->total_time_running.peek() == t_enabled);
	at(200);
	CHECK(final_violations(*w) == "");
}
