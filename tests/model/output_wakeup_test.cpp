// The output-wakeup model, sequentially (no simulation): perf_event_set_output() shares the
// owner's buffer, and an overflow past the watermark wakes the waitqueues each variant names.
#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>
#include <string>

#include "model/output/output.h"
#include "model/world.h"

namespace {

const model::Model &output_model()
{
	const model::Model *m = model::find_model("output-wakeup");
	REQUIRE(m != nullptr);
	return *m;
}

/* E0 owns a mapped buffer (wakeup watermark 16 bytes, one 32-byte record crosses it);
 * E1, E2 have none. All are per-CPU events on CPU 0. */
model::WorldSetup three_events(long watermark = 16)
{
	model::WorldSetup s;
	model::ContextSetup c0;
	c0.name = "C0";
	c0.is_task = false;
	c0.cpu = 0;
	s.contexts = {c0};
	for (const char *name : {"E0", "E1", "E2"}) {
		model::EventSetup e;
		e.name = name;
		e.state = "ACTIVE";
		s.events.push_back(e);
	}
	s.events[0].mapped = true;
	if (watermark)
		s.events[0].attr = {{"watermark", 1}, {"wakeup_watermark", watermark}};
	return s;
}

/* runs a model op by name, as a scenario lane would */
void run(model::World &w, const std::string &op, std::vector<int64_t> args)
{
	for (const model::Entry &e : output_model().ops())
		if (op == e.name) {
			e.run(w, args);
			return;
		}
	FAIL("no op " << op);
}

struct VariantGuard {
	explicit VariantGuard(const std::string &v) { REQUIRE(output_model().select_variant(v)); }
	~VariantGuard() { output_model().select_variant("upstream"); }
};

}  // namespace

TEST_CASE("perf_event_set_output attaches the owner's buffer and lists the event on it", "[model][output]")
{
	VariantGuard variant("upstream");
	auto world = output_model().build_world(three_events());
	output::output_world &w = output::world();
	output::perf_buffer *rb = w.events[0].rb.peek();
	REQUIRE(rb != nullptr);
	CHECK(rb->event_list.size() == 1);
	CHECK(w.events[1].rb.peek() == nullptr);

	CHECK(output::op_set_output(w, 1, 0) == 0);
	CHECK(w.events[1].rb.peek() == rb);
	REQUIRE(rb->event_list.size() == 2);
	CHECK(rb->event_list[0] == &w.events[1]);  // list_add_rcu: at the head
	CHECK(rb->event_list[1] == &w.events[0]);
	CHECK(refcount_read(&rb->refcount) == 2);   // ring_buffer_get()'s reference is the event's

	SECTION("a chained redirection lands in the same buffer")
	{
		CHECK(output::op_set_output(w, 2, 1) == 0);
		CHECK(w.events[2].rb.peek() == rb);
		CHECK(rb->event_list.size() == 3);
	}
	SECTION("redirecting to itself, or an event with its own mmap(), is refused")
	{
		CHECK(output::op_set_output(w, 2, 2) == -22);
		CHECK(output::op_set_output(w, 0, 1) == -22);  // E0 has an active mmap()
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
	VariantGuard variant(name);
	auto world = output_model().build_world(three_events());
	output::output_world &w = output::world();
	REQUIRE(output::op_set_output(w, 1, 0) == 0);
	REQUIRE(output::op_set_output(w, 2, 0) == 0);

	run(*world, "overflow", {1});

	output::perf_buffer *rb = w.events[0].rb.peek();
	CHECK(rb->model_user_page.data_head.peek() == 32);      // one record published
	CHECK(local_read(&rb->wakeup) == 16);                    // advanced by one watermark
	CHECK(atomic_read(&rb->poll) == (output::EPOLLIN | output::EPOLLRDNORM));
	CHECK(w.events[0].waitq.model_wakeups == e0);
	CHECK(w.events[1].waitq.model_wakeups == e1);
	CHECK(w.events[2].waitq.model_wakeups == e2);
	CHECK(w.events[1].pending_wakeup.peek() == 0);           // the irq_work ran
}

TEST_CASE("an overflow below the watermark writes the record but wakes nobody", "[model][output]")
{
	VariantGuard variant("upstream");
	auto world = output_model().build_world(three_events(/*watermark=*/0));  // default: half of 4096
	output::output_world &w = output::world();
	REQUIRE(output::op_set_output(w, 1, 0) == 0);

	run(*world, "overflow", {1});

	output::perf_buffer *rb = w.events[0].rb.peek();
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
	VariantGuard variant(name);
	auto world = output_model().build_world(three_events());
	output::output_world &w = output::world();
	REQUIRE(output::op_set_output(w, 1, 0) == 0);

	run(*world, "poll", {0});  // nothing ready: adds itself to E0->waitq and sleeps
	REQUIRE(w.pollers.size() == 1);
	CHECK(w.pollers[0].polling_task->__state.peek() == output::TASK_INTERRUPTIBLE);
	CHECK(w.events[0].waitq.head.size() == 1);
	CHECK(output::lost_wakeups(w).empty());  // asleep, but nothing is pending yet

	run(*world, "overflow", {1});
	CHECK((w.pollers[0].polling_task->__state.peek() == output::TASK_INTERRUPTIBLE) == lost);
	CHECK(output::lost_wakeups(w).size() == (lost ? 1u : 0u));
}

TEST_CASE("a poller that polls after the record returns EPOLLIN without sleeping", "[model][output]")
{
	VariantGuard variant("2.6.35");  // even where the wakeup itself is lost
	auto world = output_model().build_world(three_events());
	output::output_world &w = output::world();
	REQUIRE(output::op_set_output(w, 1, 0) == 0);

	run(*world, "overflow", {1});
	run(*world, "poll", {0});
	CHECK(w.pollers[0].mask == (output::EPOLLIN | output::EPOLLRDNORM));
	CHECK(w.pollers[0].polling_task->__state.peek() == output::TASK_RUNNING);
	CHECK(w.events[0].waitq.head.empty());  // poll_freewait() took the entry off
	CHECK(atomic_read(&w.events[0].rb.peek()->poll) == 0);  // atomic_xchg(&rb->poll, 0)
	CHECK(output::lost_wakeups(w).empty());
}

TEST_CASE("the seed's fix wakes the event named in the ioctl, not the buffer's owner", "[model][output]")
{
	VariantGuard variant("seed-fix");
	auto world = output_model().build_world(three_events());
	output::output_world &w = output::world();
	REQUIRE(output::op_set_output(w, 1, 0) == 0);
	REQUIRE(output::op_set_output(w, 2, 1) == 0);  // E2 -> E1 -> E0's buffer
	CHECK(w.events[2].output.peek() == &w.events[1]);

	run(*world, "poll", {0});
	run(*world, "overflow", {2});
	CHECK(w.events[1].waitq.model_wakeups == 1);
	CHECK(w.events[0].waitq.model_wakeups == 0);
	CHECK(output::lost_wakeups(w).size() == 1);
}

TEST_CASE("output-wakeup rejects setups it cannot model", "[model][output]")
{
	auto setup = three_events();
	SECTION("wakeup_watermark without watermark")
	{
		setup.events[0].attr = {{"wakeup_watermark", 16}};
		CHECK_THROWS_AS(output_model().build_world(setup), std::invalid_argument);
	}
	SECTION("an event that is not ACTIVE")
	{
		setup.events[1].state = "OFF";
		CHECK_THROWS_AS(output_model().build_world(setup), std::invalid_argument);
	}
}
