// Issue 15 b: close(), the inherit_stat read record and the mux hrtimer, sequentially, with the clock
// driven by hand ("at 100": the clock stands at 100; with tick 10 every perf_clock() read first
// advances it by 10).
//
//   close:   the fd's last fput() -> perf_event_release_kernel(): perf_remove_from_context()
//            (DETACH_GROUP|DETACH_DEAD), the child_list walk (DETACH_CHILD: sync_child_event()),
//            put_event() -> _free_event(), the child's reference on its parent; a syscall in flight
//            or a mapping holds the file
//   record:  sync_child_event() writes the PERF_RECORD_READ only while ctx->task is live: not at exit
//            in the tree (fix-c418d8b4d7a4 applies the later fix), yes at exec (remove_on_exec)
//   hrtimer: merge_sched_in() arms the mux hrtimer (perf_mux_hrtimer_restart()); the op rotate fires
//            only an armed timer, and HRTIMER_NORESTART disarms it
#include <catch2/catch.hpp>

#include <string>

#include "model/perf/world.h"
#include "tests/model/fixture.h"

namespace {

using model::WorldSetup;

using fixture::at, fixture::event, fixture::task_context, fixture::violations_text;
using Fresh = fixture::FreshFor<model::perf_model>;

/* T runs on cpu0 with E (inherit) ACTIVE; T forks C, which runs on cpu1 */
std::unique_ptr<perf_world> parent_with_running_child(const Fresh &fresh)
{
	WorldSetup s = fresh.setup();
	s.tick = 10;
	s.contexts = {task_context("T", 0), task_context("C")};
	s.events = {event("E", 0, "ACTIVE", -1, {{"inherit", 1}})};
	at(0);
	auto w = model::build_world(s);
	sim::set_sequential_cpu(0);
	model::op_fork(*w, 0, 1);
	sim::set_sequential_cpu(1);
	at(100);
	model::op_sched_in(*w, 1);
	return w;
}

/*
 * T runs on cpu0 with O (mapped) and E (inherit, inherit_stat, E writes into O's buffer), plus, when
 * `inactive`, A (before E) holding the PMU with E exclusive (E and its child wait INACTIVE); T forks C.
 */
std::unique_ptr<perf_world> inherit_stat_world(const Fresh &fresh, bool inactive, bool remove_on_exec)
{
	WorldSetup s = fresh.setup();
	s.tick = 10;
	s.contexts = {task_context("T", 0), task_context("C")};
	model::EventSetup o = event("O", 0, "ACTIVE");
	o.mapped = true;
	std::vector<std::pair<std::string, int64_t>> attr = {{"inherit", 1}, {"inherit_stat", 1}};
	if (inactive)
		attr.push_back({"exclusive", 1});
	if (remove_on_exec)
		attr.push_back({"remove_on_exec", 1});
	s.events = {o};
	if (inactive)	/* A before E: A gets the PMU, E (exclusive) waits */
		s.events.push_back(event("A", 0, "ACTIVE", -1, {{"inherit", 1}}));
	s.events.push_back(event("E", 0, inactive ? "INACTIVE" : "ACTIVE", -1, attr));
	at(0);
	auto w = model::build_world(s);
	sim::set_sequential_cpu(0);
	REQUIRE(model::op_set_output(*w, (int)s.events.size() - 1, 0) == 0);
	model::op_fork(*w, 0, 1);
	return w;
}

}  // namespace

TEST_CASE("close(): perf_event_release_kernel() takes the event off its running context, syncs and frees its live child, and frees the event last",
	  "[model][close]")
{
	Fresh fresh("upstream");
	auto w = parent_with_running_child(fresh);
	struct perf_event *E = &w->events[0];
	REQUIRE(w->events.size() == 2);
	struct perf_event *EC = &w->events[1];
	CHECK(E->refcount.counter.peek() == 2);  // the fd and the child (inherit_event())
	CHECK(EC->state.peek() == PERF_EVENT_STATE_ACTIVE);

	sim::set_sequential_cpu(0);
	at(200);
	model::op_close(*w, 0);

	// E: perf_remove_from_context(DETACH_GROUP|DETACH_DEAD) through the IPI to T's CPU
	CHECK(E->state.peek() == PERF_EVENT_STATE_DEAD);
	CHECK(E->model_removed);
	CHECK((E->attach_state & PERF_ATTACH_CONTEXT) == 0);
	CHECK(w->contexts[0]->nr_events == 0);
	// E(C): removed from C's running context by the child_list walk (DETACH_CHILD), synced once, freed
	CHECK(EC->model_removed);
	CHECK(EC->model_freed);
	CHECK(EC->ghost.synced == 1);
	CHECK(E->child_list.empty());
	CHECK((uint64_t)E->child_total_time_enabled.counter.peek() == EC->total_time_enabled.peek());
	CHECK(EC->total_time_enabled.peek() > 0);
	CHECK(w->contexts[1]->nr_events == 0);
	// the last put_event(): the child's reference went with it, then the fd's
	CHECK(E->refcount.counter.peek() == 0);
	CHECK(E->model_freed);
	CHECK(violations_text(sim::take_sequential_violations()) == "");

	model::op_close(*w, 0);  // a second close() of the fd: -EBADF, nothing else
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("close(): a mapping holds the file; the munmap() after close() releases the event, and the fd is gone for read()",
	  "[model][close]")
{
	Fresh fresh("upstream");
	WorldSetup s = fresh.setup();
	s.contexts = {task_context("T", 0)};
	s.events = {event("E", 0, "ACTIVE")};
	s.events[0].mapped = true;
	at(0);
	auto w = model::build_world(s);
	struct perf_event *E = &w->events[0];

	model::op_close(*w, 0);
	CHECK_FALSE(E->model_freed);  // vma->vm_file holds it
	CHECK(E->state.peek() == PERF_EVENT_STATE_ACTIVE);
	CHECK_FALSE(model::model_fdget(*w, 0, "read"));  // the fd itself is closed: -EBADF
	model::op_munmap(*w, 0);  // the vma's fput() is the last
	CHECK(E->model_freed);
	CHECK(E->state.peek() == PERF_EVENT_STATE_DEAD);
	CHECK(E->rb.peek() == nullptr);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("close(): a read() in flight holds the file; its fdput() runs the release", "[model][close]")
{
	Fresh fresh("upstream");
	WorldSetup s = fresh.setup();
	s.contexts = {task_context("T", 0)};
	s.events = {event("E", 0, "ACTIVE")};
	at(0);
	auto w = model::build_world(s);
	struct perf_event *E = &w->events[0];

	REQUIRE(model::model_fdget(*w, 0, "read"));
	model::op_close(*w, 0);
	CHECK_FALSE(E->model_freed);
	model::model_fdput(*w, 0);
	CHECK(E->model_freed);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("inherit_stat: the tree writes no PERF_RECORD_READ at exit (ctx->task is TASK_TOMBSTONE); fix-c418d8b4d7a4 writes it with the ledger's times",
	  "[model][fork][history]")
{
	for (const char *v : {"upstream", "fix-c418d8b4d7a4"}) {
		CAPTURE(v);
		bool fix = std::string(v) != "upstream";
		Fresh fresh(v);
		auto w = inherit_stat_world(fresh, false, false);
		struct perf_event *E = &w->events[1];
		REQUIRE(w->events.size() == 3);
		struct perf_event *EC = &w->events[2];
		struct perf_buffer *rb = w->events[0].rb.peek();
		REQUIRE(E->rb.peek() == rb);

		sim::set_sequential_cpu(1);
		at(100);
		model::op_sched_in(*w, 1);
		at(200);
		long head = rb->head.a.peek();
		model::op_exit(*w, 1);

		CHECK(EC->ghost.read_records == (fix ? 1 : 0));
		CHECK((rb->head.a.peek() > head) == fix);  // the record went into O's buffer (E's output)
		CHECK(E->child_total_time_enabled.counter.peek() == 100);  // E(C) was ACTIVE: current totals
		std::string got = violations_text(sim::take_sequential_violations());
		if (fix)
			CHECK(got == "");
		else
			CHECK(got == "inherit-stat-read: E(C) (inherit_stat) is synced to E: 0 PERF_RECORD_READ written into its "
				     "buffer, expected 1 (sync_child_event() writes it only while child_event->ctx->task is a live task)\n");
	}
}

TEST_CASE("inherit_stat: fix-c418d8b4d7a4 syncs an INACTIVE child before its removal: the record is right, the parent's child_total_time_enabled is short",
	  "[model][fork][history]")
{
	Fresh fresh("fix-c418d8b4d7a4");
	auto w = inherit_stat_world(fresh, true, false);
	struct perf_event *E = &w->events[2];
	REQUIRE(w->events.size() == 5);
	struct perf_event *EC = &w->events[4];
	REQUIRE(std::string(EC->model_name) == "E(C)");

	sim::set_sequential_cpu(1);
	at(100);
	model::op_sched_in(*w, 1);  // E(C) waits INACTIVE (exclusive, A(C) holds the PMU)
	CHECK(EC->state.peek() == PERF_EVENT_STATE_INACTIVE);
	at(200);
	model::op_exit(*w, 1);

	CHECK(EC->ghost.read_records == 1);
	CHECK(E->child_total_time_enabled.counter.peek() == 0);  // synced before the EXIT update
	CHECK(EC->total_time_enabled.peek() == 100);
	std::string got = violations_text(sim::take_sequential_violations());
	CHECK(got.find("inherit-stat-read") == std::string::npos);  // the record's times are the ledger's
	CHECK(got.find("child-time-once: E(C) exits: sync_child_event() adds its total_time_enabled = 0 to E's "
		       "child_total_time_enabled, its ledger says 100: 10 ticks lost") == 0);
}

TEST_CASE("inherit_stat: exec with remove_on_exec writes the PERF_RECORD_READ in the tree (C's context is live)", "[model][exec]")
{
	Fresh fresh("upstream");
	auto w = inherit_stat_world(fresh, false, true);
	REQUIRE(w->events.size() == 3);
	struct perf_event *E = &w->events[1], *EC = &w->events[2];

	sim::set_sequential_cpu(1);
	at(100);
	model::op_sched_in(*w, 1);
	at(200);
	model::op_exec(*w, 1);

	CHECK(EC->ghost.read_records == 1);
	CHECK(EC->model_freed);
	CHECK((uint64_t)E->child_total_time_enabled.counter.peek() == EC->total_time_enabled.peek());
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("mux hrtimer: a sched-in that leaves a flexible group off arms it; rotate fires only an armed timer; NORESTART disarms it",
	  "[model][rotate]")
{
	Fresh fresh("upstream");
	WorldSetup s = fresh.setup();
	s.tick = 10;
	s.contexts = {task_context("T")};
	s.events = {event("A", 0, "INACTIVE"), event("E", 0, "INACTIVE", -1, {{"exclusive", 1}})};
	at(0);
	auto w = model::build_world(s);
	struct perf_event *A = &w->events[0], *E = &w->events[1];
	struct perf_cpu_pmu_context *cpc = &model_cpu(0)->cpc[MODEL_PMU_COUNTING];
	sim::set_sequential_cpu(0);

	CHECK(cpc->hrtimer_interval == 1000000);  // __perf_mux_hrtimer_init(): PERF_CPU_HRTIMER, 1 ms
	CHECK(cpc->hrtimer.armed.peek() == 0);
	model::op_rotate(*w);  // nothing armed: nothing fires
	CHECK(A->state.peek() == PERF_EVENT_STATE_INACTIVE);

	at(100);
	model::op_sched_in(*w, 0);  // A goes on, E cannot: perf_mux_hrtimer_restart()
	CHECK(A->state.peek() == PERF_EVENT_STATE_ACTIVE);
	CHECK(E->state.peek() == PERF_EVENT_STATE_INACTIVE);
	CHECK(cpc->hrtimer_active == 1);
	CHECK(cpc->hrtimer.armed.peek() == 1);
	CHECK(cpc->hrtimer.cpu == 0);

	at(200);
	model::op_rotate(*w);  // rotates: E on, A off; HRTIMER_RESTART keeps it armed
	CHECK(E->state.peek() == PERF_EVENT_STATE_ACTIVE);
	CHECK(A->state.peek() == PERF_EVENT_STATE_INACTIVE);
	CHECK(cpc->hrtimer.armed.peek() == 1);

	at(300);
	model::op_sched_out(*w, 0);
	model::op_rotate(*w);  // no task_epc, no cpu rotation: NORESTART
	CHECK(cpc->hrtimer_active == 0);
	CHECK(cpc->hrtimer.armed.peek() == 0);
	model::check_final(*w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("mux hrtimer: a sched-in where every group goes on leaves it unarmed", "[model][rotate]")
{
	Fresh fresh("upstream");
	WorldSetup s = fresh.setup();
	s.contexts = {task_context("T")};
	s.events = {event("A", 0, "INACTIVE"), event("B", 0, "INACTIVE")};
	at(0);
	auto w = model::build_world(s);
	sim::set_sequential_cpu(0);
	model::op_sched_in(*w, 0);
	CHECK(w->events[0].state.peek() == PERF_EVENT_STATE_ACTIVE);
	CHECK(w->events[1].state.peek() == PERF_EVENT_STATE_ACTIVE);
	CHECK(model_cpu(0)->cpc[MODEL_PMU_COUNTING].hrtimer.armed.peek() == 0);
	CHECK(model_cpu(0)->cpc[MODEL_PMU_COUNTING].hrtimer_active == 0);
}

TEST_CASE("fix-c418d8b4d7a4 is kernel history: it differs from upstream without concurrency", "[model][history]")
{
	CHECK(model_variant_is_prefix("fix-c418d8b4d7a4"));
	CHECK(model::perf_model().find_variant("fix-c418d8b4d7a4") >= 0);
}

TEST_CASE("close(): _free_event() detaches a re-directed output from the buffer it borrowed; the owner's mapping keeps it",
	  "[model][close]")
{
	Fresh fresh("upstream");
	WorldSetup s = fresh.setup();
	s.contexts = {task_context("T", 0)};
	s.events = {event("O", 0, "ACTIVE"), event("E", 0, "ACTIVE")};
	s.events[0].mapped = true;
	at(0);
	auto w = model::build_world(s);
	struct perf_event *O = &w->events[0], *E = &w->events[1];
	REQUIRE(model::op_set_output(*w, 1, 0) == 0);
	struct perf_buffer *rb = O->rb.peek();
	REQUIRE(E->rb.peek() == rb);
	REQUIRE(rb->event_list.size() == 2);
	unsigned int refs = refcount_read(&rb->refcount);

	model::op_close(*w, 1);  // no mapping of E's own: the close is the last fput()
	CHECK(E->model_freed);
	CHECK(E->rb.peek() == nullptr);
	CHECK(rb->event_list == std::vector<struct perf_event *>{O});
	CHECK(refcount_read(&rb->refcount) == refs - 1);
	CHECK(O->rb.peek() == rb);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}
