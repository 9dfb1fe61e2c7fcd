// The throttle and aux areas of the perf model, sequentially on cpu0: throttle, tick unthrottle,
// task switch and AUX pause/resume, with the values each kernel path leaves in hw.interrupts,
// hw.aux_paused, hw.state, rb->aux_nest and the driver's handle, under upstream and under seed
// 003's patch (aux-pause-throttle).
#include <string>

#include "model/perf/world.h"
#include "tests/model/fixture.h"

namespace {

using model::ContextSetup;
using model::EventSetup;
using model::WorldSetup;
using fixture::violations_text;

EventSetup aux_event(bool cap = true, bool start_paused = false)
{
	EventSetup e = fixture::event("ETM", 0, "ACTIVE");
	e.attr.emplace_back("aux", 1);
	e.attr.emplace_back("aux_pause_cap", cap ? 1 : 0);
	e.attr.emplace_back("aux_start_paused", start_paused ? 1 : 0);
	return e;
}

/* ETM (AUX, mapped) leads C (cycles) and optionally P (aux_pause) and R (aux_resume); task T on cpu0. */
struct Group {
	std::unique_ptr<perf_world> w;
	struct perf_event *etm, *c, *p = nullptr, *r = nullptr;

	explicit Group(const char *variant, bool cap = true, bool start_paused = false, bool pause_resume = false)
	{
		fixture::Fresh fresh(model::perf_model(), variant);
		WorldSetup s = fresh.setup();
		s.contexts = {fixture::task_context("T", 0)};
		s.events = {aux_event(cap, start_paused), fixture::event("C", 0, "ACTIVE", 0, {{"cycles", 1}})};
		s.events[0].mapped = true;
		if (pause_resume) {
			s.events.push_back(fixture::event("P", 0, "ACTIVE", 0, {{"cycles", 1}, {"aux_pause", 1}}));
			s.events.push_back(fixture::event("R", 0, "ACTIVE", 0, {{"cycles", 1}, {"aux_resume", 1}}));
		}
		w = model::build_world(s);
		etm = &w->events[0];
		c = &w->events[1];
		if (pause_resume) {
			p = &w->events[2];
			r = &w->events[3];
		}
	}

	model_aux_cpu &pt() { return w->cpus[0].pt; }
	bool tracing() { return model_pmu_running(etm); }
	unsigned nest() { return etm->rb.peek()->aux_nest.peek(); }
	void throttle() { model::op_overflow(*w, 1), model::op_overflow(*w, 1); }
};

}  // namespace

TEST_CASE("an AUX event starts with one AUX transaction open and tracing on", "[model][aux]")
{
	Group g("upstream");
	CHECK(g.etm->state.peek() == PERF_EVENT_STATE_ACTIVE);
	CHECK(g.nest() == 1);
	CHECK(g.pt().handle.event == g.etm);
	CHECK(g.tracing());
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("max_samples_per_tick overflows in one tick throttle the whole group", "[model][aux]")
{
	Group g("upstream");
	model::op_overflow(*g.w, 1);
	CHECK(g.c->hw.interrupts.peek() == 1);
	CHECK(g.etm->hw.interrupts.peek() == 0);
	CHECK(g.tracing());
	model::op_overflow(*g.w, 1);

	SECTION("every event of the group gets hw.interrupts = MAX_INTERRUPTS and its PMU stopped")
	{
		CHECK(g.etm->hw.interrupts.peek() == MAX_INTERRUPTS);
		CHECK(g.c->hw.interrupts.peek() == MAX_INTERRUPTS);
		CHECK(g.w->cpus[0].perf_throttled_count.peek() == 1);
		CHECK_FALSE(g.tracing());
		CHECK(g.etm->hw.state.peek() == PERF_HES_STOPPED);
		CHECK(g.c->hw.state.peek() & PERF_HES_STOPPED);
	}
	SECTION("upstream pmu->stop(event, 0) leaves the AUX transaction open")
	{
		CHECK(g.nest() == 1);
		CHECK(g.pt().handle.event == g.etm);
	}
	SECTION("a stopped counter raises no further overflow")
	{
		model::op_overflow(*g.w, 1);
		CHECK(g.c->hw.interrupts.peek() == MAX_INTERRUPTS);
	}
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("a tick starts a new interrupt count: two overflows in different ticks do not throttle", "[model][aux]")
{
	Group g("upstream");
	model::op_overflow(*g.w, 1);
	model::op_tick(*g.w);
	model::op_overflow(*g.w, 1);
	CHECK(g.c->hw.interrupts.peek() == 1);
	CHECK(g.c->hw.interrupts_seq.peek() == 1);
	CHECK(g.tracing());
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("upstream, the tick's unthrottle begins a nested AUX transaction: the seed's WARN", "[model][aux]")
{
	Group g("upstream");
	g.throttle();
	model::op_tick(*g.w);
	CHECK(g.etm->hw.interrupts.peek() == 0);
	CHECK(g.c->hw.interrupts.peek() == 0);
	CHECK_FALSE(g.c->hw.state.peek() & PERF_HES_STOPPED);  // the counter runs again
	auto v = sim::take_sequential_violations();
	REQUIRE(v.size() == 1);
	CHECK(v[0].invariant == "no-nested-aux-output");
	// the failed begin clears the driver's handle and leaves the event stopped
	CHECK(g.pt().handle.event == nullptr);
	CHECK(g.etm->hw.state.peek() == PERF_HES_STOPPED);
	CHECK_FALSE(g.tracing());
}

TEST_CASE("with the patch, throttle pauses and the tick resumes the AUX event", "[model][aux]")
{
	Group g("aux-pause-throttle");
	g.throttle();
	CHECK(g.etm->hw.interrupts.peek() == MAX_INTERRUPTS);
	CHECK(g.etm->hw.aux_paused.peek() == 1);
	CHECK(g.etm->hw.state.peek() == 0);  // PERF_EF_PAUSE: still started, tracing off
	CHECK_FALSE(g.tracing());
	CHECK(g.nest() == 1);
	CHECK(g.etm->rb.peek()->aux_in_pause_resume.peek() == 0);

	model::op_tick(*g.w);
	CHECK(g.etm->hw.interrupts.peek() == 0);
	CHECK(g.etm->hw.aux_paused.peek() == 0);
	CHECK(g.tracing());
	CHECK(g.nest() == 1);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
	model::check_final(*g.w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("with the patch, a PMU without PERF_PMU_CAP_AUX_PAUSE still takes stop/start and WARNs", "[model][aux]")
{
	Group g("aux-pause-throttle", /*cap=*/false);
	g.throttle();
	CHECK(g.etm->hw.aux_paused.peek() == 0);
	CHECK(g.etm->hw.state.peek() == PERF_HES_STOPPED);
	model::op_tick(*g.w);
	auto v = sim::take_sequential_violations();
	REQUIRE(v.size() == 1);
	CHECK(v[0].invariant == "no-nested-aux-output");
}

TEST_CASE("sched_in unthrottles with start = false", "[model][aux]")
{
	SECTION("with the patch hw.aux_paused survives and tracing stays off")
	{
		Group g("aux-pause-throttle");
		g.throttle();
		model::op_sched_out(*g.w, 0);
		CHECK(g.etm->state.peek() == PERF_EVENT_STATE_INACTIVE);
		CHECK(g.nest() == 0);  // del() -> stop(PERF_EF_UPDATE) ended the transaction
		model::op_sched_in(*g.w, 0);
		CHECK(g.etm->state.peek() == PERF_EVENT_STATE_ACTIVE);
		CHECK(g.etm->hw.interrupts.peek() == 0);
		CHECK(g.etm->hw.aux_paused.peek() == 1);
		CHECK(g.nest() == 1);
		CHECK_FALSE(g.tracing());
		CHECK(violations_text(sim::take_sequential_violations()) == "");
		model::check_final(*g.w);
		auto v = sim::take_sequential_violations();
		REQUIRE(v.size() == 1);
		CHECK(v[0].invariant == "not-paused-unless-user");
	}
	SECTION("upstream the stopped event's transaction is never ended and add() WARNs")
	{
		Group g("upstream");
		g.throttle();
		model::op_sched_out(*g.w, 0);
		CHECK(g.nest() == 1);  // stop(PERF_EF_UPDATE) returned early: already PERF_HES_STOPPED
		model::op_sched_in(*g.w, 0);
		auto v = sim::take_sequential_violations();
		REQUIRE(v.size() == 1);
		CHECK(v[0].invariant == "no-nested-aux-output");
		// pmu->add() failed: the whole group is back to INACTIVE
		CHECK(g.etm->state.peek() == PERF_EVENT_STATE_INACTIVE);
		CHECK(g.c->state.peek() == PERF_EVENT_STATE_INACTIVE);
	}
}

TEST_CASE("aux-action pause and resume toggle tracing through perf_event_aux_pause()", "[model][aux]")
{
	Group g("upstream", true, false, /*pause_resume=*/true);
	model::op_overflow(*g.w, 2);  // P: aux_pause
	CHECK(g.etm->hw.aux_paused.peek() == 1);
	CHECK(g.etm->ghost.user_paused);
	CHECK_FALSE(g.tracing());
	model::op_overflow(*g.w, 3);  // R: aux_resume
	CHECK(g.etm->hw.aux_paused.peek() == 0);
	CHECK_FALSE(g.etm->ghost.user_paused);
	CHECK(g.tracing());
	CHECK(g.nest() == 1);

	SECTION("a pause that finds the recursion guard set is dropped")
	{
		model::op_tick(*g.w);  // a new tick: P's second overflow does not throttle
		g.etm->rb.peek()->aux_in_pause_resume.poke(1);
		model::op_overflow(*g.w, 2);
		CHECK(g.p->hw.interrupts.peek() == 1);
		CHECK(g.etm->hw.aux_paused.peek() == 0);
		CHECK(g.tracing());
	}
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("with the patch an NMI throttle inside a pause/resume section is dropped", "[model][aux]")
{
	// As if C's NMI arrived while another overflow handler on cpu0 held rb->aux_in_pause_resume.
	SECTION("aux-pause-throttle: throttled, but the AUX hardware keeps tracing")
	{
		Group g("aux-pause-throttle");
		g.etm->rb.peek()->aux_in_pause_resume.poke(1);
		g.throttle();
		CHECK(g.etm->hw.interrupts.peek() == MAX_INTERRUPTS);
		CHECK(g.etm->hw.aux_paused.peek() == 0);
		CHECK(g.tracing());
		g.etm->rb.peek()->aux_in_pause_resume.poke(0);
		model::check_final(*g.w);
		auto v = sim::take_sequential_violations();
		REQUIRE(v.size() == 1);
		CHECK(v[0].invariant == "throttled-pmu-stopped");
	}
	SECTION("upstream: pmu->stop(event, 0) does not look at the guard")
	{
		Group g("upstream");
		g.etm->rb.peek()->aux_in_pause_resume.poke(1);
		g.throttle();
		CHECK_FALSE(g.tracing());
		g.etm->rb.peek()->aux_in_pause_resume.poke(0);
		model::check_final(*g.w);
		CHECK(violations_text(sim::take_sequential_violations()) == "");
	}
}

TEST_CASE("with the patch the unthrottle clears a user's aux_start_paused", "[model][aux]")
{
	Group g("aux-pause-throttle", true, /*start_paused=*/true);
	CHECK_FALSE(g.tracing());
	CHECK(g.etm->hw.aux_paused.peek() == 1);
	g.throttle();
	model::op_tick(*g.w);
	CHECK(g.etm->hw.aux_paused.peek() == 0);
	CHECK(g.tracing());
	model::check_final(*g.w);
	auto v = sim::take_sequential_violations();
	REQUIRE(v.size() == 1);
	CHECK(v[0].invariant == "user-pause-kept");
}

TEST_CASE("munmap of the AUX buffer stops the AUX event and detaches the buffer", "[model][aux]")
{
	Group g("aux-pause-throttle");
	model::op_munmap(*g.w, 0);
	CHECK(g.etm->rb.peek() == nullptr);
	CHECK(g.etm->hw.state.peek() == PERF_HES_STOPPED);  // the restart found aux_mmap_count == 0
	CHECK(g.pt().handle.event == nullptr);
	CHECK_FALSE(g.tracing());
	g.throttle();  // perf_event_aux_pause() finds no buffer and returns
	CHECK(g.etm->hw.interrupts.peek() == MAX_INTERRUPTS);
	CHECK(g.etm->hw.aux_paused.peek() == 0);
	CHECK_FALSE(g.tracing());
	model::check_final(*g.w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("setups perf_event_open() refuses are input errors", "[model][aux]")
{
	fixture::Fresh fresh(model::perf_model(), "upstream");
	WorldSetup s = fresh.setup();
	s.contexts = {fixture::task_context("T", 0)};
	EventSetup e = aux_event();
	e.mapped = true;
	SECTION("aux_start_paused on a PMU without PERF_PMU_CAP_AUX_PAUSE")
	{
		e.attr = {{"aux", 1}, {"aux_pause_cap", 0}, {"aux_start_paused", 1}};
		s.events = {e};
		CHECK_THROWS_AS(model::build_world(s), std::invalid_argument);
	}
	SECTION("an aux_pause event whose leader is not an AUX event")
	{
		EventSetup c = fixture::event("C", 0, "ACTIVE", 0, {{"aux_pause", 1}});
		e.attr = {};
		s.events = {e, c};
		CHECK_THROWS_AS(model::build_world(s), std::invalid_argument);
	}
	SECTION("an ACTIVE AUX event without an AUX buffer (pmu->add() fails)")
	{
		e.mapped = false;
		e.attr = {{"aux", 1}};
		s.events = {e};
		CHECK_THROWS_AS(model::build_world(s), std::invalid_argument);
	}
}
