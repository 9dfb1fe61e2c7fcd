// The aux-throttle model, sequentially on cpu0: throttle, tick unthrottle, task switch and AUX
// pause/resume, with the values each kernel path leaves in hw.interrupts, hw.aux_paused,
// hw.state, rb->aux_nest and the driver's handle, under upstream and under seed 003's patch.
#include <catch2/catch.hpp>

#include <string>

#include "checker/sim/runner.h"
#include "model/aux/world.h"

namespace {

using model::ContextSetup;
using model::EventSetup;
using model::WorldSetup;
namespace am = model::aux_model;

std::string violations_text(const std::vector<sim::Violation> &v)
{
	std::string out;
	for (const auto &x : v)
		out += x.invariant + ": " + x.detail + "\n";
	return out;
}

/* ETM (AUX, mapped) leads C (cycles) and optionally P (aux_pause) and R (aux_resume); task T on cpu0. */
struct Group {
	std::unique_ptr<aux::aux_world> w;
	aux::perf_event *etm, *c, *p = nullptr, *r = nullptr;

	explicit Group(const char *variant, bool cap = true, bool start_paused = false, bool pause_resume = false)
	{
		REQUIRE(model::aux_throttle_model().select_variant(variant));
		model::aux_throttle_model().select_invariants({});
		sim::take_sequential_violations();
		sim::set_sequential_cpu(0);
		WorldSetup s;
		ContextSetup t;
		t.name = "T";
		t.running_on = 0;
		s.contexts = {t};
		EventSetup e;
		e.name = "ETM";
		e.state = "ACTIVE";
		e.mapped = true;
		e.attr = {{"aux", 1}, {"aux_pause_cap", cap ? 1 : 0}, {"aux_start_paused", start_paused ? 1 : 0}};
		EventSetup ce;
		ce.name = "C";
		ce.state = "ACTIVE";
		ce.leader = 0;
		s.events = {e, ce};
		if (pause_resume) {
			EventSetup pe = ce, re = ce;
			pe.name = "P";
			pe.attr = {{"aux_pause", 1}};
			re.name = "R";
			re.attr = {{"aux_resume", 1}};
			s.events.push_back(pe);
			s.events.push_back(re);
		}
		w = am::build_world(s);
		etm = &w->events[0];
		c = &w->events[1];
		if (pause_resume) {
			p = &w->events[2];
			r = &w->events[3];
		}
	}
	~Group() { model::aux_throttle_model().select_variant("upstream"); }

	aux::model_aux_cpu &pt() { return w->cpus[0].pt; }
	bool tracing() { return aux::model_pmu_running(etm); }
	unsigned nest() { return etm->rb.peek()->aux_nest.peek(); }
	void throttle() { am::op_overflow(*w, 1), am::op_overflow(*w, 1); }
};

}  // namespace

TEST_CASE("an AUX event starts with one AUX transaction open and tracing on", "[model][aux]")
{
	Group g("upstream");
	CHECK(g.etm->state.peek() == aux::PERF_EVENT_STATE_ACTIVE);
	CHECK(g.nest() == 1);
	CHECK(g.pt().handle.event.peek() == g.etm);
	CHECK(g.tracing());
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("max_samples_per_tick overflows in one tick throttle the whole group", "[model][aux]")
{
	Group g("upstream");
	am::op_overflow(*g.w, 1);
	CHECK(g.c->hw.interrupts.peek() == 1);
	CHECK(g.etm->hw.interrupts.peek() == 0);
	CHECK(g.tracing());
	am::op_overflow(*g.w, 1);

	SECTION("every event of the group gets hw.interrupts = MAX_INTERRUPTS and its PMU stopped")
	{
		CHECK(g.etm->hw.interrupts.peek() == aux::MAX_INTERRUPTS);
		CHECK(g.c->hw.interrupts.peek() == aux::MAX_INTERRUPTS);
		CHECK(g.w->cpus[0].perf_throttled_count.peek() == 1);
		CHECK_FALSE(g.tracing());
		CHECK(g.etm->hw.state.peek() == aux::PERF_HES_STOPPED);
		CHECK(g.c->hw.state.peek() & aux::PERF_HES_STOPPED);
	}
	SECTION("upstream pmu->stop(event, 0) leaves the AUX transaction open")
	{
		CHECK(g.nest() == 1);
		CHECK(g.pt().handle.event.peek() == g.etm);
	}
	SECTION("a stopped counter raises no further overflow")
	{
		am::op_overflow(*g.w, 1);
		CHECK(g.c->hw.interrupts.peek() == aux::MAX_INTERRUPTS);
	}
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("a tick starts a new interrupt count: two overflows in different ticks do not throttle", "[model][aux]")
{
	Group g("upstream");
	am::op_overflow(*g.w, 1);
	am::op_tick(*g.w);
	am::op_overflow(*g.w, 1);
	CHECK(g.c->hw.interrupts.peek() == 1);
	CHECK(g.c->hw.interrupts_seq.peek() == 1);
	CHECK(g.tracing());
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("upstream, the tick's unthrottle begins a nested AUX transaction: the seed's WARN", "[model][aux]")
{
	Group g("upstream");
	g.throttle();
	am::op_tick(*g.w);
	CHECK(g.etm->hw.interrupts.peek() == 0);
	CHECK(g.c->hw.interrupts.peek() == 0);
	CHECK_FALSE(g.c->hw.state.peek() & aux::PERF_HES_STOPPED);  // the counter runs again
	auto v = sim::take_sequential_violations();
	REQUIRE(v.size() == 1);
	CHECK(v[0].invariant == "no-nested-aux-output");
	// the failed begin clears the driver's handle and leaves the event stopped
	CHECK(g.pt().handle.event.peek() == nullptr);
	CHECK(g.etm->hw.state.peek() == aux::PERF_HES_STOPPED);
	CHECK_FALSE(g.tracing());
}

TEST_CASE("with the patch, throttle pauses and the tick resumes the AUX event", "[model][aux]")
{
	Group g("aux-pause-throttle");
	g.throttle();
	CHECK(g.etm->hw.interrupts.peek() == aux::MAX_INTERRUPTS);
	CHECK(g.etm->hw.aux_paused.peek() == 1);
	CHECK(g.etm->hw.state.peek() == 0);  // PERF_EF_PAUSE: still started, tracing off
	CHECK_FALSE(g.tracing());
	CHECK(g.nest() == 1);
	CHECK(g.etm->rb.peek()->aux_in_pause_resume.peek() == 0);

	am::op_tick(*g.w);
	CHECK(g.etm->hw.interrupts.peek() == 0);
	CHECK(g.etm->hw.aux_paused.peek() == 0);
	CHECK(g.tracing());
	CHECK(g.nest() == 1);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
	am::check_final(*g.w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("with the patch, a PMU without PERF_PMU_CAP_AUX_PAUSE still takes stop/start and WARNs", "[model][aux]")
{
	Group g("aux-pause-throttle", /*cap=*/false);
	g.throttle();
	CHECK(g.etm->hw.aux_paused.peek() == 0);
	CHECK(g.etm->hw.state.peek() == aux::PERF_HES_STOPPED);
	am::op_tick(*g.w);
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
		am::op_sched_out(*g.w, 0);
		CHECK(g.etm->state.peek() == aux::PERF_EVENT_STATE_INACTIVE);
		CHECK(g.nest() == 0);  // del() -> stop(PERF_EF_UPDATE) ended the transaction
		am::op_sched_in(*g.w, 0);
		CHECK(g.etm->state.peek() == aux::PERF_EVENT_STATE_ACTIVE);
		CHECK(g.etm->hw.interrupts.peek() == 0);
		CHECK(g.etm->hw.aux_paused.peek() == 1);
		CHECK(g.nest() == 1);
		CHECK_FALSE(g.tracing());
		CHECK(violations_text(sim::take_sequential_violations()) == "");
		am::check_final(*g.w);
		auto v = sim::take_sequential_violations();
		REQUIRE(v.size() == 1);
		CHECK(v[0].invariant == "not-paused-unless-user");
	}
	SECTION("upstream the stopped event's transaction is never ended and add() WARNs")
	{
		Group g("upstream");
		g.throttle();
		am::op_sched_out(*g.w, 0);
		CHECK(g.nest() == 1);  // stop(PERF_EF_UPDATE) returned early: already PERF_HES_STOPPED
		am::op_sched_in(*g.w, 0);
		auto v = sim::take_sequential_violations();
		REQUIRE(v.size() == 1);
		CHECK(v[0].invariant == "no-nested-aux-output");
		// pmu->add() failed: the whole group is back to INACTIVE
		CHECK(g.etm->state.peek() == aux::PERF_EVENT_STATE_INACTIVE);
		CHECK(g.c->state.peek() == aux::PERF_EVENT_STATE_INACTIVE);
	}
}

TEST_CASE("aux-action pause and resume toggle tracing through perf_event_aux_pause()", "[model][aux]")
{
	Group g("upstream", true, false, /*pause_resume=*/true);
	am::op_overflow(*g.w, 2);  // P: aux_pause
	CHECK(g.etm->hw.aux_paused.peek() == 1);
	CHECK(g.etm->ghost.user_paused);
	CHECK_FALSE(g.tracing());
	am::op_overflow(*g.w, 3);  // R: aux_resume
	CHECK(g.etm->hw.aux_paused.peek() == 0);
	CHECK_FALSE(g.etm->ghost.user_paused);
	CHECK(g.tracing());
	CHECK(g.nest() == 1);

	SECTION("a pause that finds the recursion guard set is dropped")
	{
		am::op_tick(*g.w);  // a new tick: P's second overflow does not throttle
		g.etm->rb.peek()->aux_in_pause_resume.poke(1);
		am::op_overflow(*g.w, 2);
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
		CHECK(g.etm->hw.interrupts.peek() == aux::MAX_INTERRUPTS);
		CHECK(g.etm->hw.aux_paused.peek() == 0);
		CHECK(g.tracing());
		g.etm->rb.peek()->aux_in_pause_resume.poke(0);
		am::check_final(*g.w);
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
		am::check_final(*g.w);
		CHECK(violations_text(sim::take_sequential_violations()) == "");
	}
}

TEST_CASE("with the patch the unthrottle clears a user's aux_start_paused", "[model][aux]")
{
	Group g("aux-pause-throttle", true, /*start_paused=*/true);
	CHECK_FALSE(g.tracing());
	CHECK(g.etm->hw.aux_paused.peek() == 1);
	g.throttle();
	am::op_tick(*g.w);
	CHECK(g.etm->hw.aux_paused.peek() == 0);
	CHECK(g.tracing());
	am::check_final(*g.w);
	auto v = sim::take_sequential_violations();
	REQUIRE(v.size() == 1);
	CHECK(v[0].invariant == "user-pause-kept");
}

TEST_CASE("munmap of the AUX buffer stops the AUX event and detaches the buffer", "[model][aux]")
{
	Group g("aux-pause-throttle");
	am::op_munmap(*g.w, 0);
	CHECK(g.etm->rb.peek() == nullptr);
	CHECK(g.etm->hw.state.peek() == aux::PERF_HES_STOPPED);  // the restart found aux_mmap_count == 0
	CHECK(g.pt().handle.event.peek() == nullptr);
	CHECK_FALSE(g.tracing());
	g.throttle();  // perf_event_aux_pause() finds no buffer and returns
	CHECK(g.etm->hw.interrupts.peek() == aux::MAX_INTERRUPTS);
	CHECK(g.etm->hw.aux_paused.peek() == 0);
	CHECK_FALSE(g.tracing());
	am::check_final(*g.w);
	CHECK(violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("setups perf_event_open() refuses are input errors", "[model][aux]")
{
	WorldSetup s;
	ContextSetup t;
	t.name = "T";
	t.running_on = 0;
	s.contexts = {t};
	EventSetup e;
	e.name = "ETM";
	e.state = "ACTIVE";
	e.mapped = true;
	SECTION("aux_start_paused on a PMU without PERF_PMU_CAP_AUX_PAUSE")
	{
		e.attr = {{"aux", 1}, {"aux_pause_cap", 0}, {"aux_start_paused", 1}};
		s.events = {e};
		CHECK_THROWS_AS(am::build_world(s), std::invalid_argument);
	}
	SECTION("an aux_pause event whose leader is not an AUX event")
	{
		EventSetup c = e;
		e.attr = {};
		c.name = "C";
		c.leader = 0;
		c.mapped = false;
		c.attr = {{"aux_pause", 1}};
		s.events = {e, c};
		CHECK_THROWS_AS(am::build_world(s), std::invalid_argument);
	}
	SECTION("an ACTIVE AUX event without an AUX buffer (pmu->add() fails)")
	{
		e.mapped = false;
		e.attr = {{"aux", 1}};
		s.events = {e};
		CHECK_THROWS_AS(am::build_world(s), std::invalid_argument);
	}
}
