/*
 * The "output-wakeup" model's face to the checker (model-only, no kernel twin): the setup, the
 * ops (overflow, poll, set_output), the variants and the no-lost-wakeup invariant.
 */
#include <stdexcept>

#include "model/output/output.h"
#include "model/world.h"

namespace output {

namespace {
Variant g_variant = Variant::Upstream;
bool g_check_lost_wakeup = true;
output_world *g_world = nullptr;
}  // namespace

bool variant(Variant v) { return g_variant == v; }

const std::vector<std::string> &variant_names()
{
	static const std::vector<std::string> names = {"upstream", "2.6.35", "seed-fix"};
	return names;
}

bool select_variant(const std::string &name)
{
	const auto &names = variant_names();
	for (size_t i = 0; i < names.size(); i++)
		if (names[i] == name) {
			g_variant = static_cast<Variant>(i);
			return true;
		}
	return false;
}

output_world &world()
{
	if (!g_world)
		throw std::logic_error("output-wakeup: no world built");
	return *g_world;
}

/* The PMU interrupt of `event`: __perf_event_overflow() -> event->overflow_handler =
 * perf_event_output_forward(); then, as the PMI returns, the irq_work self-IPI runs
 * perf_pending_irq() on this CPU. (__perf_event_overflow's throttling, event_limit and
 * sigtrap paths are not modelled.) */
void op_overflow(output_world &w, int event)
{
	perf_event_output_forward(&w.events[event]);
	irq_work_run();
}

/* poll(2) on `event`'s file by a user task: do_poll() until an event is reported or it sleeps. */
void op_poll(output_world &w, int event)
{
	struct task_struct *task = &w.tasks.emplace_back();
	task->comm = "poller";
	struct poll_wqueues *pwq = &w.pollers.emplace_back();
	pwq->polling_task = task;
	pwq->event = &w.events[event];
	do_poll(pwq);
}

/* ioctl(fd(event), PERF_EVENT_IOC_SET_OUTPUT, fd(output_event)) */
int op_set_output(output_world &w, int event, int output_event)
{
	return perf_event_set_output(&w.events[event], &w.events[output_event]);
}

std::vector<std::string> lost_wakeups(const output_world &w)
{
	std::vector<std::string> lost;
	for (const poll_wqueues &p : w.pollers) {
		if (p.polling_task->__state.peek() != TASK_INTERRUPTIBLE)
			continue;	/* returned, or woken */
		const perf_buffer *rb = p.event->rb.peek();
		if (!rb || rb->poll.counter.peek() == 0)
			continue;	/* nothing past the watermark: sleeping is right */
		std::string woken;
		for (const perf_event &e : w.events)
			if (e.waitq.model_wakeups)
				woken += (woken.empty() ? "" : ", ") + e.name + "->waitq";
		lost.push_back("a poller sleeps on " + p.event->name + "->waitq while " + rb->name +
			       " has EPOLLIN pending (data_head " + std::to_string(rb->model_user_page.data_head.peek()) +
			       ", watermark " + std::to_string(rb->watermark) + "); woken: " +
			       (woken.empty() ? std::string("none") : woken));
	}
	return lost;
}

namespace {

struct OutputWorld final : model::World {
	output_world w;
	~OutputWorld() override
	{
		if (g_world == &w)
			g_world = nullptr;
	}
};

output_world &W(model::World &world) { return static_cast<OutputWorld &>(world).w; }

const std::vector<model::Entry> &output_ops()
{
	using model::ArgKind;
	static const std::vector<model::Entry> ops = {
		{"overflow", {{"event", ArgKind::Event}},
		 "PMU interrupt: perf_event_output_forward() writes a record, then the irq_work runs perf_pending_irq()",
		 [](model::World &w, const std::vector<int64_t> &a) { op_overflow(W(w), (int)a[0]); }},
		{"poll", {{"event", ArgKind::Event}},
		 "poll(2) on the event's fd: do_poll() -> perf_poll(); sleeps in TASK_INTERRUPTIBLE when nothing is ready",
		 [](model::World &w, const std::vector<int64_t> &a) { op_poll(W(w), (int)a[0]); }},
		{"set_output", {{"event", ArgKind::Event}, {"output", ArgKind::Event}},
		 "ioctl(PERF_EVENT_IOC_SET_OUTPUT): perf_event_set_output(event, output)",
		 [](model::World &w, const std::vector<int64_t> &a) { op_set_output(W(w), (int)a[0], (int)a[1]); }},
	};
	return ops;
}

class OutputModel final : public model::Model {
public:
	const char *name() const override { return "output-wakeup"; }
	const char *summary() const override
	{
		return "kernel/events/core.c @ 12f24484da13 + ring_buffer.c: perf_event_set_output(), the output "
		       "wakeup (perf_output_wakeup -> irq_work -> perf_event_wakeup) and perf_poll()";
	}
	std::unique_ptr<model::World> build_world(const model::WorldSetup &setup) const override
	{
		auto world = std::make_unique<OutputWorld>();
		output_world &w = world->w;
		g_world = &w;
		for (size_t i = 0; i < setup.events.size(); i++) {
			const model::EventSetup &es = setup.events[i];
			if (es.context < 0 || es.context >= (int)setup.contexts.size())
				throw std::invalid_argument("event '" + es.name + "' has no context");
			const model::ContextSetup &cs = setup.contexts[es.context];
			if (es.leader >= 0 && es.leader != (int)i)
				throw std::invalid_argument("event '" + es.name +
							    "': groups are not modelled by output-wakeup");
			if (es.state != "ACTIVE")
				throw std::invalid_argument("event '" + es.name + "': output-wakeup models ACTIVE events only, got " +
							    es.state);
			perf_event &e = w.events.emplace_back();
			e.name = es.name;
			e.model_index = (int)i;
			e.cpu = cs.is_task ? -1 : cs.cpu;
			e.model_target = cs.is_task ? es.context : -1;
			bool watermark = false;
			long wakeup_watermark = 0;
			for (const auto &[attr, value] : es.attr) {
				if (attr == "watermark")
					watermark = value != 0;
				else if (attr == "wakeup_watermark")
					wakeup_watermark = (long)value;
			}
			if (wakeup_watermark && !watermark)
				throw std::invalid_argument("event '" + es.name +
							    "': wakeup_watermark needs watermark = 1 (perf_event_attr)");
			e.watermark_attr = watermark ? wakeup_watermark : 0;
			init_waitqueue_head(&e.waitq, e.name.c_str());
			e.pending_irq.func = perf_pending_irq;	/* init_irq_work(&event->pending_irq, perf_pending_irq) */
			e.pending_irq.model_event = &e;
		}
		for (perf_event &e : w.events) {
			const model::EventSetup &es = setup.events[e.model_index];
			if (es.mapped)
				perf_mmap_rb_model(w, &e);
		}
		for (perf_buffer &rb : w.buffers)
			for (perf_event *owner : rb.event_list)
				rb.name = strdup_name("rb(" + owner->name + ")");
		return world;
	}
	const std::vector<model::Entry> &ops() const override { return output_ops(); }
	const std::vector<model::Entry> &functions() const override
	{
		static const std::vector<model::Entry> none;
		return none;
	}
	void lock_object(model::World &world, model::LockKind kind, int object) const override
	{
		if (kind != model::LockKind::MmapMutex)
			throw std::invalid_argument("output-wakeup has no contexts to lock; only <event>.mmap_mutex");
		mutex_lock(&W(world).events.at(object).mmap_mutex);
	}
	void unlock_object(model::World &world, model::LockKind kind, int object) const override
	{
		if (kind != model::LockKind::MmapMutex)
			throw std::invalid_argument("output-wakeup has no contexts to lock; only <event>.mmap_mutex");
		mutex_unlock(&W(world).events.at(object).mmap_mutex);
	}
	const std::vector<std::string> &variants() const override { return variant_names(); }
	bool select_variant(const std::string &name) const override { return output::select_variant(name); }
	const std::vector<std::string> &invariants() const override
	{
		static const std::vector<std::string> names = {"no-lost-wakeup"};
		return names;
	}
	void select_invariants(const std::vector<std::string> &names) const override
	{
		g_check_lost_wakeup = names.empty();
		for (const std::string &n : names)
			if (n == "no-lost-wakeup")
				g_check_lost_wakeup = true;
	}
	const std::vector<std::string> &attrs() const override
	{
		static const std::vector<std::string> names = {"watermark", "wakeup_watermark"};
		return names;
	}
	void check_final(model::World &world) const override
	{
		if (!g_check_lost_wakeup)
			return;
		for (const std::string &lost : lost_wakeups(W(world)))
			sim::violation("no-lost-wakeup", lost.c_str());
	}

private:
	static const char *strdup_name(const std::string &s)
	{
		static std::deque<std::string> names;	/* stable storage for const char * names */
		for (const std::string &n : names)
			if (n == s)
				return n.c_str();
		return names.emplace_back(s).c_str();
	}
};

}  // namespace

}  // namespace output

namespace model {
const Model &output_wakeup_model()
{
	static const output::OutputModel model;
	return model;
}
}  // namespace model
