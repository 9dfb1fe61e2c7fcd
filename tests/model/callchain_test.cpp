// The callchain area of the perf model, sequentially (no simulation): what one request, one
// return to user space, one close() and one context switch do to the counters, the queued work
// and the records, checked against [PATCH v16 2/4] and v16 1/4 by hand. The base (upstream) is
// v16 as posted; v16-cancel, v16-cancel-dec and v16-cookie are the variants.
#include "model/perf/world.h"
#include "tests/model/fixture.h"

namespace {

using fixture::task_context;
using fixture::violations_text;
using model::check_final;
using model::op_close;
using model::op_nmi_sample;
using model::op_return_to_user;
using model::op_sched_switch;

/* A sequential run of the perf model under variant v (UPSTREAM: v16 as posted). */
struct Fresh : fixture::Fresh {
	explicit Fresh(enum model_variant v = UPSTREAM) : fixture::Fresh(model::perf_model(), model_variants().at(v).name) {}
};

model::EventSetup defer_event(const char *name, int context, const char *state = "ACTIVE")
{
	return fixture::event(name, context, state, -1, {{"defer_callchain", 1}});
}

/* T runs on cpu0 with one defer_callchain event E (and optionally a second, E2) */
std::unique_ptr<perf_world> one_task(const Fresh &fresh, int nr_events = 1)
{
	model::WorldSetup s = fresh.setup();
	s.contexts = {task_context("T", 0)};
	s.events = {defer_event("E", 0)};
	if (nr_events > 1)
		s.events.push_back(defer_event("E2", 0));
	return model::build_world(s);
}

long nr_no_switch_fast(perf_world &w, int ctx) { return w.contexts.at(ctx)->nr_no_switch_fast.a.peek(); }

}  // namespace

TEST_CASE("a deferred request then the return to user emits one record with the request's cookie and returns nr_no_switch_fast to zero",
	  "[model][callchain]")
{
	Fresh fresh;
	auto w = one_task(fresh);
	struct perf_event *e = &w->events[0];
	struct task_struct *t = w->context_task[0];

	op_nmi_sample(*w, 0);
	REQUIRE(e->model_samples.size() == 1);
	CHECK(e->model_samples[0].user_deferred);
	CHECK_FALSE(e->model_samples[0].user_inline);
	u64 cookie = e->model_samples[0].model_request_cookie;
	CHECK(cookie != 0);
	CHECK((cookie & 1) == 1);               // get_cookie(): "LSB is always set"
	CHECK((cookie >> 32) == 1);             // id.cpu = smp_processor_id() + 1
	CHECK(nr_no_switch_fast(*w, 0) == 1);   // perf_callchain(): ret 0 -> local_inc
	CHECK(e->unwind_work.task.peek() == t);  // queue_unwind_task() claimed the work for T
	CHECK(t->task_works.peek() == &e->unwind_work.work);
	CHECK(e->model_records.empty());

	op_return_to_user(*w, 0);
	REQUIRE(e->model_records.size() == 1);
	CHECK(e->model_records[0].cookie == cookie);
	CHECK(nr_no_switch_fast(*w, 0) == 0);    // perf_event_deferred_task(): local_dec
	CHECK(e->unwind_work.task.peek() == nullptr);
	CHECK(t->task_works.peek() == nullptr);
	CHECK(model_unwind_cookie(&t->unwind_info) == 0);  // unwind_reset_info() cleared the cookie

	check_final(*w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("a second request in the same kernel entry finds the work queued: one count, one record, one cookie",
	  "[model][callchain]")
{
	Fresh fresh;
	auto w = one_task(fresh);
	struct perf_event *e = &w->events[0];

	op_nmi_sample(*w, 0);
	op_nmi_sample(*w, 0);
	REQUIRE(e->model_samples.size() == 2);
	CHECK(e->model_samples[1].user_deferred);  // ret 1 keeps defer_user: the marker is stored
	CHECK(e->model_samples[1].model_request_cookie == e->model_samples[0].model_request_cookie);
	CHECK(nr_no_switch_fast(*w, 0) == 1);      // ret 1: no local_inc

	op_return_to_user(*w, 0);
	CHECK(e->model_records.size() == 1);
	CHECK(nr_no_switch_fast(*w, 0) == 0);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("the next kernel entry gets a new cookie", "[model][callchain]")
{
	Fresh fresh;
	auto w = one_task(fresh);
	struct perf_event *e = &w->events[0];

	op_nmi_sample(*w, 0);
	op_return_to_user(*w, 0);
	op_nmi_sample(*w, 0);
	op_return_to_user(*w, 0);
	REQUIRE(e->model_records.size() == 2);
	CHECK(e->model_records[0].cookie == e->model_samples[0].model_request_cookie);
	CHECK(e->model_records[1].cookie == e->model_samples[1].model_request_cookie);
	CHECK(e->model_records[0].cookie != e->model_records[1].cookie);
	CHECK(nr_no_switch_fast(*w, 0) == 0);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("two events of one task each get a record with the same cookie", "[model][callchain]")
{
	Fresh fresh;
	auto w = one_task(fresh, 2);

	op_nmi_sample(*w, 0);
	op_nmi_sample(*w, 1);
	CHECK(nr_no_switch_fast(*w, 0) == 2);
	op_return_to_user(*w, 0);
	REQUIRE(w->events[0].model_records.size() == 1);
	REQUIRE(w->events[1].model_records.size() == 1);
	CHECK(w->events[0].model_records[0].cookie == w->events[1].model_records[0].cookie);
	CHECK(nr_no_switch_fast(*w, 0) == 0);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("a per-CPU event cannot defer: deferred_request() fails and the user callchain is taken in the NMI",
	  "[model][callchain]")
{
	Fresh fresh;
	model::WorldSetup s = fresh.setup();
	s.contexts = {task_context("T", 0), fixture::cpu_context("cpu0", 0)};
	s.events = {defer_event("C", 1)};
	auto w = model::build_world(s);
	struct perf_event *e = &w->events[0];

	op_nmi_sample(*w, 0);
	REQUIRE(e->model_samples.size() == 1);
	CHECK_FALSE(e->model_samples[0].user_deferred);  // ret -EINVAL: defer_user = false
	CHECK(e->model_samples[0].user_inline);
	CHECK(nr_no_switch_fast(*w, 1) == 0);
	CHECK(w->context_task[0]->task_works.peek() == nullptr);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("close() after a request: what the cancel does to the queued work and the count", "[model][callchain]")
{
	SECTION("upstream (v16 as posted): unwind_deferred_cancel() returns at 'if (!bit)', the callback then runs on the freed event")
	{
		Fresh fresh(UPSTREAM);
		auto w = one_task(fresh);
		op_nmi_sample(*w, 0);
		op_close(*w, 0);
		CHECK(w->events[0].model_freed);
		CHECK(w->context_task[0]->task_works.peek() == &w->events[0].unwind_work.work);  // still queued
		CHECK(w->events[0].unwind_work.bit.peek() == UNWIND_TASK);             // cancel never got to 'bit = -1'
		op_return_to_user(*w, 0);
		auto v = sim::take_sequential_violations();
		REQUIRE_FALSE(v.empty());
		CHECK(v[0].invariant == "no-callback-after-free");
	}
	SECTION("v16-cancel: task_work_cancel() takes the work back, and its count stays")
	{
		Fresh fresh(V16_CANCEL);
		auto w = one_task(fresh);
		op_nmi_sample(*w, 0);
		op_close(*w, 0);
		CHECK(w->context_task[0]->task_works.peek() == nullptr);
		CHECK(w->events[0].unwind_work.bit.peek() == -1);
		CHECK(w->events[0].unwind_work.task.peek() == nullptr);
		CHECK(nr_no_switch_fast(*w, 0) == 1);
		op_return_to_user(*w, 0);
		CHECK(w->events[0].model_records.empty());
		CHECK(violations_text(sim::take_sequential_violations()) == "");
		check_final(*w);
		auto v = sim::take_sequential_violations();
		REQUIRE(v.size() == 1);
		CHECK(v[0].invariant == "nr_no_switch_fast-balance");
	}
	SECTION("v16-cancel-dec: perf_pending_unwind_sync() gives the count back")
	{
		Fresh fresh(V16_CANCEL_DEC);
		auto w = one_task(fresh);
		op_nmi_sample(*w, 0);
		op_close(*w, 0);
		CHECK(w->context_task[0]->task_works.peek() == nullptr);
		CHECK(nr_no_switch_fast(*w, 0) == 0);
		op_return_to_user(*w, 0);
		CHECK(w->events[0].model_records.empty());
		check_final(*w);
		CHECK(violations_text(sim::take_sequential_violations()) == "");
	}
}

TEST_CASE("close() without a request leaves the count at zero under every variant", "[model][callchain]")
{
	auto v = GENERATE(UPSTREAM, V16_CANCEL, V16_CANCEL_DEC, V16_COOKIE);
	CAPTURE((int)v);
	Fresh fresh(v);
	auto w = one_task(fresh);
	op_close(*w, 0);
	op_return_to_user(*w, 0);
	check_final(*w);
	CHECK(nr_no_switch_fast(*w, 0) == 0);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("v16 3/4 stores the request's cookie after PERF_CONTEXT_USER_DEFERRED, v16 2/4 stores none",
	  "[model][callchain]")
{
	SECTION("upstream (v16 2/4)")
	{
		Fresh fresh(UPSTREAM);
		auto w = one_task(fresh);
		op_nmi_sample(*w, 0);
		CHECK(w->events[0].model_samples[0].cookie == 0);
	}
	SECTION("v16-cookie")
	{
		Fresh fresh(V16_COOKIE);
		auto w = one_task(fresh);
		op_nmi_sample(*w, 0);
		u64 asked = w->events[0].model_samples[0].model_request_cookie;
		CHECK(asked != 0);
		CHECK(w->events[0].model_samples[0].cookie == asked);
		op_return_to_user(*w, 0);
		CHECK(w->events[0].model_records.at(0).cookie == asked);
	}
}

TEST_CASE("the context switch swaps clone contexts only while nr_no_switch_fast is zero", "[model][callchain]")
{
	Fresh fresh;
	model::WorldSetup s = fresh.setup();
	s.contexts = {task_context("T", 0), task_context("U", -1)};
	s.events = {defer_event("E", 0), defer_event("F", 1, "INACTIVE")};
	auto clones = [&s] {
		auto w = model::build_world(s);
		model::op_inherited(*w, 0);	/* T and U inherited from one parent: clones */
		model::op_inherited(*w, 1);
		return w;
	};

	SECTION("nothing pending: the fast path swaps the contexts")
	{
		auto w = clones();
		op_sched_switch(*w, 0, 1);
		CHECK(w->context_task[0]->perf_event_ctxp.peek() == w->contexts[1]);
		CHECK(w->context_task[1]->perf_event_ctxp.peek() == w->contexts[0]);
		CHECK(w->contexts[0]->task.peek() == w->context_task[1]);
		CHECK(model_cpu(0)->curr == w->context_task[1]);
		CHECK(w->events[0].state.peek() == PERF_EVENT_STATE_ACTIVE);	/* E's context moved to U, still scheduled in */
	}
	SECTION("contexts that are not clones: the slow path")
	{
		auto w = model::build_world(s);
		op_sched_switch(*w, 0, 1);
		CHECK(w->context_task[0]->perf_event_ctxp.peek() == w->contexts[0]);
		CHECK(w->events[0].state.peek() == PERF_EVENT_STATE_INACTIVE);	/* T's events out, U's in */
		CHECK(w->events[1].state.peek() == PERF_EVENT_STATE_ACTIVE);
	}
	SECTION("a queued deferred callback: the slow path, no swap")
	{
		auto w = clones();
		op_nmi_sample(*w, 0);
		op_sched_switch(*w, 0, 1);
		CHECK(w->context_task[0]->perf_event_ctxp.peek() == w->contexts[0]);
		CHECK(w->contexts[0]->task.peek() == w->context_task[0]);
		CHECK(model_cpu(0)->curr == w->context_task[1]);
	}
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("the callchain setup refuses what it cannot model", "[model][callchain]")
{
	Fresh fresh;
	model::WorldSetup s = fresh.setup();
	s.contexts = {task_context("T", 0), fixture::cpu_context("cpu0", 0)};
	s.events = {defer_event("E", 0)};
	SECTION("an unknown attr")
	{
		s.events[0].attr.push_back({"defer_callchains", 1});
		CHECK_THROWS_WITH(model::build_world(s), Catch::Contains("unknown attr 'defer_callchains'"));
	}
	SECTION("running_on beyond the CPUs")
	{
		s.contexts[0].running_on = 5;
		CHECK_THROWS_AS(model::build_world(s), std::invalid_argument);
	}
	SECTION("a CPU context marked inherited")
	{
		auto w = model::build_world(s);
		CHECK_THROWS_WITH(model::op_inherited(*w, 1), Catch::Contains("a CPU context is never a clone"));
	}
}

TEST_CASE("a cancelled request leaves UNWIND_PENDING set, so the next kernel entry gets the old cookie",
	  "[model][callchain]")
{
	Fresh fresh(V16_CANCEL_DEC);
	auto w = one_task(fresh, 2);	// E (index 0) and E2 (index 1)
	struct task_struct *t = w->context_task[0];

	op_nmi_sample(*w, 1);
	u64 first = w->events[1].model_samples.at(0).model_request_cookie;
	op_close(*w, 1);
	CHECK(t->task_works.peek() == nullptr);                                   // task_work_cancel() took it back
	CHECK((t->unwind_info.unwind_mask.peek() & UNWIND_PENDING) != 0);         // ... but PENDING stays
	op_return_to_user(*w, 0);
	CHECK(model_unwind_cookie(&t->unwind_info) == first);                     // unwind_reset_info() returned early
	CHECK(violations_text(sim::take_sequential_violations()) == "");

	op_nmi_sample(*w, 0);                                                     // the next entry
	CHECK(w->events[0].model_samples.at(0).model_request_cookie == first);
	auto v = sim::take_sequential_violations();
	REQUIRE(v.size() == 1);
	CHECK(v[0].invariant == "cookie-per-entry");
}
