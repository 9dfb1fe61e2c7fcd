// The overflow path's event_limit (PERF_EVENT_IOC_REFRESH), the pending disable and the irq_work
// interrupt (pending_irq(cpu)), sequentially (issue 15). Where the irq_work runs under the
// simulator (an NMI's self-IPI as a hard IRQ after the NMI returns) is tests/kernel/interrupts.cpp's.
#include <stdexcept>
#include <string>

#include "model/perf/world.h"
#include "tests/model/fixture.h"

namespace {

using Fresh = fixture::FreshFor<model::perf_model>;

/* T runs on CPU 0 with E (sampling PMU) ACTIVE; `attr` adds to E's attrs */
std::unique_ptr<perf_world> one_event(std::vector<std::pair<std::string, int64_t>> attr = {})
{
	Fresh fresh;
	model::WorldSetup s = fresh.setup();
	s.contexts = {fixture::task_context("T", 0)};
	attr.push_back({"cycles", 1});
	s.events = {fixture::event("E", 0, "ACTIVE", -1, attr)};
	return model::build_world(s);
}

/* the PMI's overflow, with its irq_work left raised (as an NMI leaves it until its self-IPI) */
void overflow_keep_irq_work(perf_world &w)
{
	local_irq_disable();
	perf_event_overflow(&w.events[0]);
	local_irq_enable();
}

}  // namespace

TEST_CASE("REFRESH grants overflows, the last one stops the counter and the irq_work disables the event",
	  "[model][overflow]")
{
	auto world = one_event({{"refresh", 1}});
	perf_world &w = *world;
	struct perf_event *e = &w.events[0];
	CHECK(atomic_read(&e->event_limit) == 1);
	CHECK(e->state.peek() == PERF_EVENT_STATE_ACTIVE);

	overflow_keep_irq_work(w);
	CHECK(atomic_read(&e->event_limit) == 0);
	CHECK(e->pending_kill.peek() == POLL_HUP);	// the limit's POLL_HUP, not POLL_IN
	CHECK(e->pending_disable.peek() == 1);
	CHECK(!model_pmu_running(e));			// pmu->stop(event, 0)
	CHECK(e->state.peek() == PERF_EVENT_STATE_ACTIVE);	// the disable is the irq_work's
	REQUIRE(w.cpus[0].irq_work_list.size() == 1);
	CHECK(w.cpus[0].irq_work_list[0] == &e->pending_disable_irq);

	model::op_pending_irq(w, 0);	// perf_pending_disable() -> perf_event_disable_local()
	CHECK(e->state.peek() == PERF_EVENT_STATE_OFF);
	CHECK(e->pending_disable.peek() == 0);
	CHECK(w.cpus[0].irq_work_list.empty());

	SECTION("a REFRESH after the disable enables it again, with the new credit")
	{
		CHECK(model::op_refresh(w, 0, 2) == 0);
		CHECK(atomic_read(&e->event_limit) == 2);
		CHECK(e->state.peek() == PERF_EVENT_STATE_ACTIVE);
		CHECK(model_pmu_running(e));
		model::op_overflow(w, 0);	// not the last: no disable
		CHECK(atomic_read(&e->event_limit) == 1);
		CHECK(e->state.peek() == PERF_EVENT_STATE_ACTIVE);
		CHECK(e->pending_kill.peek() == POLL_IN);
	}
	model::check_final(w);
	CHECK(fixture::violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("without REFRESH event_limit is 0 and overflows never disable the event", "[model][overflow]")
{
	auto world = one_event();
	perf_world &w = *world;
	for (int i = 0; i < 3; i++) {
		model::op_overflow(w, 0);
		model::op_tick(w);	// no throttling in between
	}
	CHECK(atomic_read(&w.events[0].event_limit) == 0);
	CHECK(w.events[0].state.peek() == PERF_EVENT_STATE_ACTIVE);
	CHECK(model_pmu_running(&w.events[0]));
	model::check_final(w);
	CHECK(fixture::violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("REFRESH of an inherited event is -EINVAL and grants nothing", "[model][overflow]")
{
	auto world = one_event({{"inherit", 1}});
	CHECK(model::op_refresh(*world, 0, 1) == -EINVAL);
	CHECK(atomic_read(&world->events[0].event_limit) == 0);
}

TEST_CASE("a switch-out before the irq_work consumes pending_disable, and the irq_work then finds the event off its CPU",
	  "[model][overflow]")
{
	auto world = one_event({{"refresh", 1}});
	perf_world &w = *world;
	struct perf_event *e = &w.events[0];
	overflow_keep_irq_work(w);
	model::op_sched_out(w, 0);	// event_sched_out(): pending_disable -> OFF
	CHECK(e->state.peek() == PERF_EVENT_STATE_OFF);
	CHECK(e->pending_disable.peek() == 0);
	CHECK(e->oncpu.peek() == -1);
	model::op_pending_irq(w, 0);	// __perf_pending_disable(): cpu < 0, done
	CHECK(e->state.peek() == PERF_EVENT_STATE_OFF);
	model::check_final(w);
	CHECK(fixture::violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("event-limit reports a REFRESH lost to the pending disable, with the overflows still owed", "[model][overflow]")
{
	auto world = one_event({{"refresh", 1}});
	perf_world &w = *world;
	overflow_keep_irq_work(w);
	CHECK(model::op_refresh(w, 0, 1) == 0);	// E still ACTIVE: _perf_event_enable() does nothing
	CHECK(atomic_read(&w.events[0].event_limit) == 1);
	model::op_pending_irq(w, 0);		// the disable the limit asked for
	CHECK(w.events[0].state.peek() == PERF_EVENT_STATE_OFF);
	model::check_final(w);
	CHECK(fixture::violations_text(sim::take_sequential_violations()) ==
	      "event-limit: E is OFF with 1 of the 2 overflows PERF_EVENT_IOC_REFRESH granted still owed, and no "
	      "PERF_EVENT_IOC_DISABLE since: the refresh was lost\n");

	SECTION("a DISABLE by the user after the REFRESH makes OFF what was asked")
	{
		auto world2 = one_event({{"refresh", 1}});
		overflow_keep_irq_work(*world2);
		model::op_refresh(*world2, 0, 1);
		model::op_pending_irq(*world2, 0);
		model::op_ioctl(*world2, 0, PERF_EVENT_IOC_DISABLE);
		model::check_final(*world2);
		CHECK(fixture::violations_text(sim::take_sequential_violations()) == "");
	}
}

TEST_CASE("an overflow beyond the REFRESH credit is event-limit, by one overflow", "[model][overflow]")
{
	auto world = one_event({{"refresh", 1}});
	perf_world &w = *world;
	struct perf_event *e = &w.events[0];
	overflow_keep_irq_work(w);
	// a PMU that did not stop (the model's stop() undone by hand): the next PMI still comes
	e->pmu->start(e, 0);
	model::op_tick(w);
	model::op_overflow(w, 0);
	auto v = sim::take_sequential_violations();
	REQUIRE(!v.empty());
	CHECK(v[0].invariant == "event-limit");
	CHECK(v[0].detail.find("1 overflow beyond the limit") != std::string::npos);
}

TEST_CASE("the irq_work interrupt runs on the CPU that raised it, and another CPU's pending_irq is an input error",
	  "[model][overflow]")
{
	auto world = one_event({{"refresh", 1}});
	perf_world &w = *world;
	overflow_keep_irq_work(w);
	CHECK_THROWS_AS(model::op_pending_irq(w, 1), std::invalid_argument);
	CHECK(w.cpus[0].irq_work_list.size() == 1);	// still raised on CPU 0
	model::op_pending_irq(w, 0);
	CHECK(w.cpus[0].irq_work_list.empty());
	sim::take_sequential_violations();
}

TEST_CASE("irq_work still raised when every lane returned runs at the final check", "[model][overflow]")
{
	auto world = one_event({{"refresh", 1}});
	perf_world &w = *world;
	overflow_keep_irq_work(w);
	REQUIRE(!w.cpus[0].irq_work_list.empty());
	model::check_final(w);
	CHECK(w.cpus[0].irq_work_list.empty());
	CHECK(w.events[0].state.peek() == PERF_EVENT_STATE_OFF);
	CHECK(fixture::violations_text(sim::take_sequential_violations()) == "");
}

TEST_CASE("an ENABLE after the REFRESH credit ran out counts without a limit, which event-limit allows",
	  "[model][overflow]")
{
	auto world = one_event({{"refresh", 1}});
	perf_world &w = *world;
	struct perf_event *e = &w.events[0];
	model::op_overflow(w, 0);	// the last overflow: stopped, disabled by the irq_work
	REQUIRE(e->state.peek() == PERF_EVENT_STATE_OFF);
	model::op_ioctl(w, 0, PERF_EVENT_IOC_ENABLE);
	CHECK(e->state.peek() == PERF_EVENT_STATE_ACTIVE);
	CHECK(atomic_read(&e->event_limit) == 0);	// 0: no limit
	model::op_tick(w);
	model::op_overflow(w, 0);
	CHECK(e->state.peek() == PERF_EVENT_STATE_ACTIVE);
	model::check_final(w);
	CHECK(fixture::violations_text(sim::take_sequential_violations()) == "");
}
