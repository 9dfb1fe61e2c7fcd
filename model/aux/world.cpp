/*
 * The aux-throttle model's face to the checker (model-only): model/world.h for
 * model/aux/{core,ring_buffer,pmu}.cpp. Builds one context with its event groups, maps the
 * AUX buffers, schedules the context in, and runs the ops by name; the final check holds the
 * invariants that are about the state left behind.
 */
#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "model/aux/world.h"
#include "model/kernel/irqflags.h"
#include "model/kernel/smp.h"

namespace aux {

int max_samples_per_tick = 2;

namespace {

aux_world *the_world = nullptr;

enum aux_variant selected_variant = UPSTREAM;
std::vector<std::string> selected_invariants;	/* empty: all */

const std::vector<std::string> variant_names = {"upstream", "aux-pause-throttle"};
const std::vector<std::string> invariant_names = {"no-nested-aux-output", "throttled-pmu-stopped",
						  "not-paused-unless-user", "user-pause-kept", "lockdep",
						  "kernel-warning"};
const std::vector<std::string> attr_names = {"aux", "aux_pause_cap", "aux_pause", "aux_resume", "aux_start_paused"};

std::string at_event(const model::WorldSetup &s, size_t i)
{
	return "event " + std::to_string(i) + " ('" + s.events[i].name + "')";
}

int64_t attr_of(const model::EventSetup &e, const char *name, int64_t dflt)
{
	for (const auto &[k, v] : e.attr)
		if (k == name)
			return v;
	return dflt;
}

const char *state_name(int s)
{
	switch (s) {
	case PERF_EVENT_STATE_OFF: return "OFF";
	case PERF_EVENT_STATE_INACTIVE: return "INACTIVE";
	case PERF_EVENT_STATE_ACTIVE: return "ACTIVE";
	}
	return "?";
}

}  // namespace

bool variant(enum aux_variant v) { return selected_variant == v; }

bool invariant_enabled(const char *name)
{
	return selected_invariants.empty() ||
	       std::find(selected_invariants.begin(), selected_invariants.end(), name) != selected_invariants.end();
}

void ghost_user_aux_action(struct perf_event *aux_event, bool pause)
{
	if (aux_event)
		aux_event->ghost.user_paused = pause;
}

aux_world::~aux_world()
{
	if (the_world == this)
		the_world = nullptr;
}

struct model_cpu *model_cpu(int cpu)
{
	if (!the_world || cpu < 0 || cpu >= (int)the_world->cpus.size())
		throw std::logic_error("perfmc: BUG: aux model_cpu(" + std::to_string(cpu) + ") outside the world");
	return &the_world->cpus[cpu];
}

struct perf_event_context *model_current_ctx(int cpu)
{
	struct perf_event_context *ctx = &the_world->ctx;

	if (!ctx->is_task)
		return ctx->cpu == cpu ? ctx : nullptr;	/* cpuctx->ctx */
	return model_cpu(cpu)->task_running ? ctx : nullptr;	/* current->perf_event_ctxp */
}

/*
 * model-only: the context part of a task switch on this CPU, reduced from
 * perf_event_task_sched_out() -> perf_event_context_sched_out() -> ctx_sched_out(): IRQs off
 * (rq->lock), ctx->lock, every group out, is_active cleared.
 */
static void model_task_ctx_sched_out(struct perf_event_context *ctx)
{
	MODEL_FRAME(0);	/* model-only; the kernel path is ctx_sched_out() (core.c:3485) */
	local_irq_disable();
	raw_spin_lock(&ctx->lock);
	for (struct perf_event *leader : ctx->groups)
		group_sched_out(leader, ctx);
	ctx->is_active = 0;
	raw_spin_unlock(&ctx->lock);
	model_cpu(smp_processor_id())->task_running = false;
	local_irq_enable();
}

/* model-only: the reverse, reduced from perf_event_task_sched_in() -> ctx_sched_in() -> merge_sched_in() */
static void model_task_ctx_sched_in(struct perf_event_context *ctx)
{
	MODEL_FRAME(0);	/* model-only; the kernel path is ctx_sched_in() (core.c:4060) */
	local_irq_disable();
	model_cpu(smp_processor_id())->task_running = true;
	raw_spin_lock(&ctx->lock);
	ctx->is_active = 1;
	for (struct perf_event *leader : ctx->groups) {
		/* merge_sched_in(): list_add_tail(&event->active_list, ...) for a group that went on */
		if (!group_sched_in(leader, ctx) && leader->state.peek() == PERF_EVENT_STATE_ACTIVE)
			ctx->active_list.push_back(leader);
	}
	raw_spin_unlock(&ctx->lock);
	local_irq_enable();
}

}  // namespace aux

namespace model::aux_model {

using namespace ::aux;

std::unique_ptr<aux_world> build_world(const WorldSetup &setup)
{
	if (setup.contexts.size() != 1)
		throw std::invalid_argument("the aux-throttle model has exactly one context (a task's or a CPU's), got " +
					    std::to_string(setup.contexts.size()));
	if (setup.nr_cpus < 1 || setup.nr_cpus > sim::kMaxCpus)
		throw std::invalid_argument("nr_cpus out of range");

	auto world = std::make_unique<aux_world>();
	aux_world &w = *world;
	the_world = &w;
	w.setup = setup;
	w.cpus.resize(setup.nr_cpus);

	const ContextSetup &cs = setup.contexts[0];
	struct perf_event_context *ctx = &w.ctx;
	ctx->is_task = cs.is_task;
	ctx->cpu = cs.cpu;
	int run_cpu = cs.is_task ? cs.running_on : cs.cpu;
	if (run_cpu >= setup.nr_cpus)
		throw std::invalid_argument("context '" + cs.name + "' runs on cpu" + std::to_string(run_cpu) +
					    ", beyond nr_cpus");

	/* perf_event_alloc() + perf_event_open(): the checks that concern the attr bits modelled */
	for (size_t i = 0; i < setup.events.size(); i++) {
		const EventSetup &es = setup.events[i];
		struct perf_event *event = &w.events.emplace_back();
		event->model_name = setup.events[i].name.c_str();
		bool is_aux = attr_of(es, "aux", 0);
		bool cap = attr_of(es, "aux_pause_cap", 1);
		if (!is_aux && attr_of(es, "aux_pause_cap", -1) != -1)
			throw std::invalid_argument(at_event(setup, i) + ": aux_pause_cap describes an AUX PMU; set aux = true");
		event->pmu = !is_aux ? &model_cycles_pmu : cap ? &model_aux_pmu : &model_aux_pmu_nopause;
		event->attr.aux_pause = attr_of(es, "aux_pause", 0);
		event->attr.aux_resume = attr_of(es, "aux_resume", 0);
		event->attr.aux_start_paused = attr_of(es, "aux_start_paused", 0);
		event->ctx = ctx;
		event->oncpu.poke(-1);
		if (event->attr.aux_pause && event->attr.aux_resume)
			throw std::invalid_argument(at_event(setup, i) + ": aux_pause and aux_resume together: perf_event_open() returns -EINVAL");
		if (event->attr.aux_start_paused) {
			if (!(event->pmu->capabilities & PERF_PMU_CAP_AUX_PAUSE))
				throw std::invalid_argument(at_event(setup, i) +
							    ": aux_start_paused needs a PMU with PERF_PMU_CAP_AUX_PAUSE: perf_event_open() returns -EOPNOTSUPP");
			event->hw.aux_paused.poke(1);
			event->ghost.user_paused = true;
		}
		if (es.state == "ERROR")
			throw std::invalid_argument(at_event(setup, i) + ": the aux-throttle model has no ERROR state");
		event->state.poke(es.state == "OFF" ? PERF_EVENT_STATE_OFF : PERF_EVENT_STATE_INACTIVE);
	}
	for (size_t i = 0; i < setup.events.size(); i++) {
		const EventSetup &es = setup.events[i];
		struct perf_event *event = &w.events[i];
		int leader = es.leader < 0 ? (int)i : es.leader;
		if (leader >= (int)setup.events.size() || (setup.events[leader].leader >= 0 && setup.events[leader].leader != leader))
			throw std::invalid_argument(at_event(setup, i) + ": its leader is not a group leader");
		event->group_leader = &w.events[leader];
		if (leader == (int)i)
			ctx->groups.push_back(event);
		else
			w.events[leader].sibling_list.push_back(event);
		if (event->pmu->model_is_aux && leader != (int)i)
			throw std::invalid_argument(at_event(setup, i) + ": the model's AUX events lead their group");
		/* perf_get_aux_event(): an aux-action needs the group leader to be the AUX event */
		if (event->attr.aux_pause || event->attr.aux_resume) {
			if (!event->group_leader->pmu->model_is_aux)
				throw std::invalid_argument(at_event(setup, i) +
							    ": aux_pause/aux_resume need an AUX group leader: perf_event_open() returns -EINVAL");
			event->aux_event = event->group_leader;
		}
		/* perf_mmap() of the event (and of its AUX area, for an AUX event) */
		if (es.mapped) {
			struct perf_buffer *rb = &w.buffers.emplace_back();
			rb->aux_nr_pages = event->pmu->model_is_aux ? 1 : 0;
			rb->aux_mmap_count.poke(rb->aux_nr_pages ? 1 : 0);
			event->rb.poke(rb);
		}
	}

	/* the context goes on its CPU: the task is switched in, or the CPU context is scheduled */
	if (run_cpu >= 0) {
		sim::set_sequential_cpu(run_cpu);
		model_task_ctx_sched_in(ctx);
		sim::set_sequential_cpu(0);
	}
	for (size_t i = 0; i < setup.events.size(); i++) {
		int want = setup.events[i].state == "ACTIVE"	  ? PERF_EVENT_STATE_ACTIVE
			   : setup.events[i].state == "INACTIVE" ? PERF_EVENT_STATE_INACTIVE
								  : PERF_EVENT_STATE_OFF;
		int got = w.events[i].state.peek();
		if (got != want)
			throw std::invalid_argument(at_event(setup, i) + ": setup asks for " + state_name(want) +
						    " but the kernel put it in " + state_name(got) +
						    " (ACTIVE needs a running context and, for an AUX event, a mapped AUX buffer)");
	}
	return world;
}

/* --- ops --- */

void op_overflow(aux_world &w, int index)
{
	struct perf_event *event = &w.events.at(index);
	std::string text = std::string("overflow(") + event->model_name + ")";

	/* model-only: only a running counter on this CPU raises the interrupt */
	if (event->oncpu.peek() != smp_processor_id() || !model_pmu_running(event)) {
		sim::note((text + ": the counter is not running on cpu" + std::to_string(smp_processor_id()) +
			   ", no interrupt")
				  .c_str());
		return;
	}
	if (event->pmu->model_is_aux) {
		sim::note((text + ": an AUX event raises no sampling overflow in this model").c_str());
		return;
	}
	perf_event_overflow(event);
}

void op_tick(aux_world &w)
{
	(void)w;
	bool irqs = sim::irqs_off();
	if (!irqs)
		local_irq_disable();	/* sched_tick() runs in the timer interrupt */
	perf_event_task_tick();
	if (!irqs)
		local_irq_enable();
}

void op_sched_out(aux_world &w, int context)
{
	(void)context;
	struct perf_event_context *ctx = &w.ctx;
	if (!ctx->is_task) {
		sim::note("sched_out: a CPU context has no task switch, nothing to do");
		return;
	}
	if (!model_cpu(smp_processor_id())->task_running) {
		sim::note("sched_out: the task is not running on this CPU, nothing to do");
		return;
	}
	model_task_ctx_sched_out(ctx);
}

void op_sched_in(aux_world &w, int context)
{
	(void)context;
	struct perf_event_context *ctx = &w.ctx;
	if (!ctx->is_task) {
		sim::note("sched_in: a CPU context has no task switch, nothing to do");
		return;
	}
	for (const struct model_cpu &c : w.cpus) {
		if (c.task_running) {
			sim::note("sched_in: the task is already running, nothing to do");
			return;
		}
	}
	model_task_ctx_sched_in(ctx);
}

void op_munmap(aux_world &w, int index)
{
	struct perf_event *event = &w.events.at(index);
	if (!event->rb.peek()) {
		sim::note((std::string("munmap(") + event->model_name + "): no mapping, nothing to do").c_str());
		return;
	}
	perf_mmap_close_aux(event);
}

/* --- the final check --- */

void check_final(aux_world &w)
{
	char buf[256];

	for (struct perf_event &e : w.events) {
		struct perf_event *event = &e;
		bool active = event->state.peek() == PERF_EVENT_STATE_ACTIVE;
		bool throttled = event->hw.interrupts.peek() == MAX_INTERRUPTS;
		bool running = model_pmu_running(event);

		if (active && throttled && running && invariant_enabled("throttled-pmu-stopped")) {
			snprintf(buf, sizeof(buf), "%s: hw.interrupts == MAX_INTERRUPTS (throttled) but its %s",
				 event->model_name, event->pmu->model_is_aux ? "AUX hardware is still tracing" : "counter still runs");
			sim::violation("throttled-pmu-stopped", buf);
			return;
		}
		if (!event->pmu->model_is_aux || !active)
			continue;
		if (!throttled && event->hw.aux_paused.peek() && !event->ghost.user_paused &&
		    invariant_enabled("not-paused-unless-user")) {
			snprintf(buf, sizeof(buf),
				 "%s: ACTIVE and not throttled, but hw.aux_paused = 1 and no user pause is in force: tracing "
				 "stays off until the user resumes",
				 event->model_name);
			sim::violation("not-paused-unless-user", buf);
			return;
		}
		if (event->ghost.user_paused && running && invariant_enabled("user-pause-kept")) {
			snprintf(buf, sizeof(buf), "%s: the user paused AUX tracing (aux-action) but the hardware is tracing",
				 event->model_name);
			sim::violation("user-pause-kept", buf);
			return;
		}
	}
}

/* --- the model behind model::Model --- */

namespace {

aux_world &A(World &w) { return static_cast<aux_world &>(w); }

const std::vector<Entry> &ops()
{
	static const std::vector<Entry> ops = {
		{"overflow", {{"event", ArgKind::Event}},
		 "the counter's overflow interrupt (NMI for a PMU, hrtimer IRQ for a software event): perf_event_overflow()",
		 [](World &w, const std::vector<int64_t> &a) { op_overflow(A(w), a.at(0)); }},
		{"munmap", {{"event", ArgKind::Event}},
		 "munmap() of the event's last mapping: perf_mmap_close() -> perf_pmu_output_stop() (AUX), ring_buffer_attach(NULL)",
		 [](World &w, const std::vector<int64_t> &a) { op_munmap(A(w), a.at(0)); }},
		{"tick", {},
		 "the scheduler tick on this CPU: perf_event_task_tick() -> perf_adjust_freq_unthr_context() (unthrottle)",
		 [](World &w, const std::vector<int64_t> &) { op_tick(A(w)); }},
		{"sched_out", {{"task", ArgKind::Context}},
		 "task switch out on this CPU: ctx_sched_out() -> group_sched_out() -> event_sched_out() -> pmu->del()",
		 [](World &w, const std::vector<int64_t> &a) { op_sched_out(A(w), a.at(0)); }},
		{"sched_in", {{"task", ArgKind::Context}},
		 "task switch in on this CPU: ctx_sched_in() -> group_sched_in() -> event_sched_in() (unthrottle, start=false) -> pmu->add()",
		 [](World &w, const std::vector<int64_t> &a) { op_sched_in(A(w), a.at(0)); }},
	};
	return ops;
}

const std::vector<Entry> &functions()
{
	static const std::vector<Entry> fns = {
		{"perf_event_throttle_group", {{"event", ArgKind::Event}},
		 "perf_event_throttle_group(E) on this CPU",
		 [](World &w, const std::vector<int64_t> &a) { perf_event_throttle_group(&A(w).events.at(a.at(0))); }},
		{"perf_event_unthrottle_group", {{"event", ArgKind::Event}},
		 "perf_event_unthrottle_group(E, false) on this CPU (needs ctx->lock)",
		 [](World &w, const std::vector<int64_t> &a) { perf_event_unthrottle_group(&A(w).events.at(a.at(0)), false); }},
		{"perf_event_aux_pause", {{"event", ArgKind::Event}, {"pause", ArgKind::Integer}},
		 "perf_event_aux_pause(E, pause): 1 pause, 0 resume, through the recursion guard",
		 [](World &w, const std::vector<int64_t> &a) { perf_event_aux_pause(&A(w).events.at(a.at(0)), a.at(1) != 0); }},
	};
	return fns;
}

class AuxThrottleModel final : public Model {
public:
	const char *name() const override { return "aux-throttle"; }
	const char *summary() const override
	{
		return "kernel/events/core.c @ 12f24484da13: throttling and unthrottling of a group with an AUX event, "
		       "AUX pause/resume and the AUX transaction (seed 003)";
	}
	std::unique_ptr<World> build_world(const WorldSetup &setup) const override
	{
		return std::unique_ptr<World>(aux_model::build_world(setup).release());
	}
	const std::vector<Entry> &ops() const override { return aux_model::ops(); }
	const std::vector<Entry> &functions() const override { return aux_model::functions(); }
	void lock_object(World &w, LockKind kind, int object) const override
	{
		(void)object;
		if (kind != LockKind::CtxLock)
			throw std::invalid_argument("the aux-throttle model has only ctx->lock");
		raw_spin_lock_irq(&A(w).ctx.lock);
	}
	void unlock_object(World &w, LockKind kind, int object) const override
	{
		(void)kind;
		(void)object;
		raw_spin_unlock_irq(&A(w).ctx.lock);
	}
	const std::vector<std::string> &variants() const override { return variant_names; }
	bool select_variant(const std::string &name) const override
	{
		for (size_t i = 0; i < variant_names.size(); i++) {
			if (variant_names[i] == name) {
				selected_variant = (enum aux_variant)i;
				return true;
			}
		}
		return false;
	}
	const std::vector<std::string> &invariants() const override { return invariant_names; }
	void select_invariants(const std::vector<std::string> &names) const override { selected_invariants = names; }
	const std::vector<std::string> &attrs() const override { return attr_names; }
	void check_final(World &w) const override { aux_model::check_final(A(w)); }
};

}  // namespace

}  // namespace model::aux_model

namespace model {

const Model &aux_throttle_model()
{
	static const aux_model::AuxThrottleModel model;
	return model;
}

}  // namespace model
