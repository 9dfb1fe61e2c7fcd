// The output area of the perf model, sequentially (no simulation): perf_event_set_output()
// shares the owner's buffer, and an overflow past the watermark wakes the waitqueues each
// variant names (upstream, 2.6.35, seed-fix: seed 004).
#include <string>

#include "model/perf/world.h"
#include "tests/model/fixture.h"

namespace {

/* E0 owns a mapped buffer (wakeup watermark 16 bytes, one 32-byte record crosses it);
 * E1, E2 have none. All are per-CPU events on CPU 0, ACTIVE. */
std::unique_ptr<perf_world> three_events(const std::string &variant = "upstream", long watermark = 16)
{
	fixture::Fresh fresh(model::perf_model(), variant);
	model::WorldSetup s = fresh.setup();
	s.contexts = {fixture::cpu_context("C0", 0)};
	for (const char *name : {"E0", "E1", "E2"})
		s.events.push_back(fixture::event(name, 0, "ACTIVE"));
	s.events[0].mapped = true;
	if (watermark)
		s.events[0].attr = {{"watermark", 1}, {"wakeup_watermark", watermark}};
	return model::build_world(s);
}

}  // namespace

TEST_CASE("perf_event_set_output attaches the owner's buffer and lists the event on it", "[model][output]")
{
	auto world = three_events("upstream");
	perf_world &w = *world;
	struct perf_buffer *rb = w.events[0].rb.peek();
	REQUIRE(rb != nullptr);
	CHECK(rb->event_list.size() == 1);
	CHECK(w.events[1].rb.peek() == nullptr);

	CHECK(model::op_set_output(w, 1, 0) == 0);
	CHECK(w.events[1].rb.peek() == rb);
	REQUIRE(rb->event_list.size() == 2);
	CHECK(rb->event_list[0] == &w.events[1]);  // list_add_rcu: at the head
	CHECK(rb->event_list[1] == &w.events[0]);
	CHECK(refcount_read(&rb->refcount) == 2);   // ring_buffer_get()'s reference is the event's

	SECTION("a chained redirection lands in the same buffer")
	{
		CHECK(model::op_set_output(w, 2, 1) == 0);
		CHECK(w.events[2].rb.peek() == rb);
		CHECK(rb->event_list.size() == 3);
	}
	SECTION("redirecting to itself, or an event with its own mmap(), is refused")
	{
		CHECK(model::op_set_output(w, 2, 2) == -22);
		CHECK(model::op_set_output(w, 0, 1) == -22);  // E0 has an active mmap()
		CHECK(w.events[2].rb.peek() == nullptr);
		CHECK(w.events[0].rb.peek() == rb);
	}
}

TEST_CASE("an overflow past the watermark wakes the waitqueues each variant names", "[model][output]")
{
	auto [name, e0, e1, e2] = GENERATE(table<std::string, int, int, int>({
		{"upstream", 1, 1, 1},  // ring_buffer_wakeup(): every event on rb->event_list
		{"2.6.35", 0, 1, 0},    // perf_event_wakeup(E1): the overflowing event only
		{"seed-fix", 1, 0, 0},  // handle->event = E1->output = E0
	}));
	CAPTURE(name);
	auto world = three_events(name);
	perf_world &w = *world;
	REQUIRE(model::op_set_output(w, 1, 0) == 0);
	REQUIRE(model::op_set_output(w, 2, 0) == 0);

	model::op_overflow(w, 1);

	struct perf_buffer *rb = w.events[0].rb.peek();
	CHECK(rb->model_user_page.data_head.peek() == 32);      // one record published
	CHECK(local_read(&rb->wakeup) == 16);                    // advanced by one watermark
	CHECK(atomic_read(&rb->poll) == (EPOLLIN | EPOLLRDNORM));
	CHECK(w.events[0].waitq.model_wakeups == e0);
	CHECK(w.events[1].waitq.model_wakeups == e1);
	CHECK(w.events[2].waitq.model_wakeups == e2);
	CHECK(w.events[1].pending_wakeup.peek() == 0);           // the irq_work ran
}

TEST_CASE("an overflow below the watermark writes the record but wakes nobody", "[model][output]")
{
	auto world = three_events("upstream", 0);  // default: half of 4096
	perf_world &w = *world;
	REQUIRE(model::op_set_output(w, 1, 0) == 0);

	model::op_overflow(w, 1);

	struct perf_buffer *rb = w.events[0].rb.peek();
	CHECK(rb->watermark == 2048);
	CHECK(rb->model_user_page.data_head.peek() == 32);
	CHECK(atomic_read(&rb->poll) == 0);
	CHECK(w.events[0].waitq.model_wakeups == 0);
	CHECK(w.events[1].waitq.model_wakeups == 0);
}

TEST_CASE("a poller asleep on the owner is woken or lost by a non-owner's overflow, per variant",
	  "[model][output]")
{
	auto [name, lost] = GENERATE(table<std::string, bool>({
		{"upstream", false},
		{"2.6.35", true},
		{"seed-fix", false},
	}));
	CAPTURE(name);
	auto world = three_events(name);
	perf_world &w = *world;
	REQUIRE(model::op_set_output(w, 1, 0) == 0);

	model::op_poll(w, 0);  // nothing ready: adds itself to E0->waitq and sleeps
	REQUIRE(w.pollers.size() == 1);
	CHECK(w.pollers[0].polling_task->__state.peek() == TASK_INTERRUPTIBLE);
	CHECK(w.events[0].waitq.head.size() == 1);
	CHECK(model::lost_wakeups(w).empty());  // asleep, but nothing is pending yet

	model::op_overflow(w, 1);
	CHECK((w.pollers[0].polling_task->__state.peek() == TASK_INTERRUPTIBLE) == lost);
	CHECK(model::lost_wakeups(w).size() == (lost ? 1u : 0u));
}

TEST_CASE("a poller that polls after the record returns EPOLLIN without sleeping", "[model][output]")
{
	auto world = three_events("2.6.35");
	perf_world &w = *world;
	REQUIRE(model::op_set_output(w, 1, 0) == 0);

	model::op_overflow(w, 1);
	model::op_poll(w, 0);
	CHECK(w.pollers[0].mask == (EPOLLIN | EPOLLRDNORM));
	CHECK(w.pollers[0].polling_task->__state.peek() == TASK_RUNNING);
	CHECK(w.events[0].waitq.head.empty());  // poll_freewait() took the entry off
	CHECK(atomic_read(&w.events[0].rb.peek()->poll) == 0);  // atomic_xchg(&rb->poll, 0)
	CHECK(model::lost_wakeups(w).empty());
}

TEST_CASE("the seed's fix wakes the event named in the ioctl, not the buffer's owner", "[model][output]")
{
	auto world = three_events("seed-fix");
	perf_world &w = *world;
	REQUIRE(model::op_set_output(w, 1, 0) == 0);
	REQUIRE(model::op_set_output(w, 2, 1) == 0);  // E2 -> E1 -> E0's buffer
	CHECK(w.events[2].output.peek() == &w.events[1]);

	model::op_poll(w, 0);
	model::op_overflow(w, 2);
	CHECK(w.events[1].waitq.model_wakeups == 1);
	CHECK(w.events[0].waitq.model_wakeups == 0);
	CHECK(model::lost_wakeups(w).size() == 1);
}

TEST_CASE("a wakeup watermark without attr.watermark is refused, as perf_event_attr would", "[model][output]")
{
	fixture::Fresh fresh(model::perf_model(), "upstream");
	model::WorldSetup s = fresh.setup();
	s.contexts = {fixture::cpu_context("C0", 0)};
	s.events = {fixture::event("E0", 0, "ACTIVE", -1, {{"wakeup_watermark", 16}})};
	CHECK_THROWS_WITH(model::build_world(s), Catch::Contains("wakeup_watermark needs watermark = 1"));
}
