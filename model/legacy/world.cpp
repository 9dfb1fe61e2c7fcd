/*
 * The "perf-2.6.32" model's face to the checker (model-only): setup, ops, the model's context
 * switch, variants, the ghost ledger and the final check. See model/legacy/world.h and
 * model/README.md ("perf-2.6.32").
 */
#include "model/legacy/world.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "model/lock_objects.h"

namespace legacy {

namespace {

/* the world of the execution that runs (model/model.h) */
legacy_world *execution_world() { return sim::current_world ? &static_cast<legacy_world &>(model::execution()) : nullptr; }

bool invariant_enabled(const char *name)
{
	return model::execution().checks(legacy_model().find_invariant(name));
}

void report(const char *invariant, const std::string &detail)
{
	if (invariant_enabled(invariant))
		sim::violation(invariant, detail.c_str());
}

std::string ticks(u64 amount)
{
	u64 tick_value = execution_world()->setup.tick;
	char buf[64];
	if (tick_value && amount % tick_value == 0)
		snprintf(buf, sizeof(buf), "%llu tick%s", (unsigned long long)(amount / tick_value),
			 amount / tick_value == 1 ? "" : "s");
	else
		snprintf(buf, sizeof(buf), "%llu ns", (unsigned long long)amount);
	return buf;
}

/* __perf_event_effective state of 2.6.32's update_event_times(): a sibling of an OFF leader stops */
int ghost_effective_state(struct perf_event *event)
{
	struct perf_event *leader = event->group_leader;

	if (leader->ghost.state < PERF_EVENT_STATE_INACTIVE)
		return leader->ghost.state;
	return event->ghost.state;
}

struct model_cpu &cpu_of(int cpu)
{
	legacy_world *w = execution_world();
	if (!w || cpu < 0 || cpu >= (int)w->cpus.size())
		throw std::logic_error("perfmc: BUG: perf-2.6.32: cpu " + std::to_string(cpu) + " outside the world");
	return w->cpus[cpu];
}

}  // namespace

/* --- variants --- */

bool variant(enum legacy_variant v) { return model::execution().variant == v; }

/* --- the ledger --- */

void ghost_set_state(struct perf_event *event, int state) { event->ghost.state = state; }

/* Called where update_context_time() stores ctx->time: every event of the context is charged. */
void ghost_context_time_advanced(struct perf_event_context *ctx, u64 delta)
{
	for (struct perf_event *event : ctx->event_list) {
		int state = ghost_effective_state(event);

		if (state >= PERF_EVENT_STATE_INACTIVE)
			event->ghost.enabled += delta;
		if (state >= PERF_EVENT_STATE_ACTIVE)
			event->ghost.running += delta;
	}
}

/*
 * What one read() returned: running <= enabled, and nothing goes backwards for the same reader:
 * not enabled or running ("monotonic-read"), not the count ("monotonic-count": read() sums the
 * event's count and every inherited child's, and each only grows).
 */
void ghost_read_result(struct perf_event *event, u64 count, u64 enabled, u64 running)
{
	static const char *names[3] = {"count", "enabled", "running"};
	std::vector<u64> now = {count, enabled, running};
	int reader = sim::current_lane();
	char buf[320];

	if (running > enabled) {
		snprintf(buf, sizeof(buf), "%s: read() returned running %llu > enabled %llu (%s)", event->model_name,
			 (unsigned long long)running, (unsigned long long)enabled, ticks(running - enabled).c_str());
		report(LEGACY_RUNNING_LE_ENABLED, buf);
	}
	auto &last = event->ghost_reads.last;
	auto it = std::find_if(last.begin(), last.end(), [reader](const auto &p) { return p.first == reader; });
	if (it != last.end()) {
		for (int i = 0; i < 3; i++) {
			if (now[i] >= it->second[i])
				continue;
			snprintf(buf, sizeof(buf),
				 "%s: read() by %s went backwards: %s %llu after %llu (%s); the previous read returned count %llu, enabled %llu, running %llu",
				 event->model_name, reader < 0 ? "the sequential reader" : ("lane " + std::to_string(reader)).c_str(),
				 names[i], (unsigned long long)now[i], (unsigned long long)it->second[i],
				 i ? ticks(it->second[i] - now[i]).c_str() : (std::to_string(it->second[i] - now[i]) + " counted ns").c_str(),
				 (unsigned long long)it->second[0], (unsigned long long)it->second[1],
				 (unsigned long long)it->second[2]);
			report(i ? LEGACY_MONOTONIC_READ : LEGACY_MONOTONIC_COUNT, buf);
		}
		it->second = now;
	} else {
		last.emplace_back(reader, now);
	}
}

/* --- what the kernel code asks of the world --- */

struct perf_cpu_context *model_cpu_context(int cpu) { return &cpu_of(cpu).cpuctx; }
struct task_struct *model_current(void) { return cpu_of(smp_processor_id()).curr; }
int model_task_curr(const struct task_struct *p) { return p->model_on_cpu >= 0 && cpu_of(p->model_on_cpu).curr == p; }
int model_task_cpu(const struct task_struct *p) { return p->model_on_cpu >= 0 ? p->model_on_cpu : 0; }

/* --- the model's context switch --- */

/*
 * model-only: switch this CPU from prev to next as kernel/sched.c's schedule() of 2.6.32 does
 * around perf (not read here: the hooks' signatures are the seed's): IRQs off (rq->lock),
 * perf_event_task_sched_out(prev, next, cpu), the switch (current = next), then
 * finish_task_switch() -> perf_event_task_sched_in(current, cpu), IRQs on.
 */
static void model_context_switch(struct task_struct *prev, struct task_struct *next)
{
	int cpu = smp_processor_id();
	struct model_cpu &c = cpu_of(cpu);

	local_irq_disable();
	perf_event_task_sched_out(prev, next, cpu);
	prev->model_on_cpu = -1;
	next->model_on_cpu = cpu;
	c.curr = next;
	perf_event_task_sched_in(next, cpu);
	local_irq_enable();
}

static std::string task_name(legacy_world &w, int task) { return w.setup.contexts.at(task).name; }

void op_switch(legacy_world &w, int prev, int next)
{
	struct task_struct *p = &w.tasks.at(prev), *n = &w.tasks.at(next);
	int cpu = smp_processor_id();
	std::string text = "switch(" + task_name(w, prev) + ", " + task_name(w, next) + ")";

	if (p->model_on_cpu != cpu) {
		sim::note((text + ": " + task_name(w, prev) + " is not running on cpu" + std::to_string(cpu) + ", nothing to do").c_str());
		return;
	}
	if (n->model_on_cpu >= 0) {
		sim::note((text + ": " + task_name(w, next) + " already runs on cpu" + std::to_string(n->model_on_cpu) + ", nothing to do").c_str());
		return;
	}
	model_context_switch(p, n);
}

void op_sched_out(legacy_world &w, int task)
{
	struct task_struct *t = &w.tasks.at(task);
	int cpu = smp_processor_id();

	if (t->model_on_cpu != cpu) {
		sim::note(("sched_out(" + task_name(w, task) + "): not running on cpu" + std::to_string(cpu) + ", nothing to do").c_str());
		return;
	}
	model_context_switch(t, &cpu_of(cpu).idle);
}

void op_sched_in(legacy_world &w, int task)
{
	struct task_struct *t = &w.tasks.at(task);
	int cpu = smp_processor_id();
	struct model_cpu &c = cpu_of(cpu);

	if (t->model_on_cpu >= 0 || c.curr != &c.idle) {
		sim::note(("sched_in(" + task_name(w, task) + "): the task runs or cpu" + std::to_string(cpu) + " is busy, nothing to do").c_str());
		return;
	}
	model_context_switch(&c.idle, t);
}

ReadValues op_read(legacy_world &w, int event)
{
	struct perf_event *e = &w.events.at(event);
	u64 values[3] = {};
	ReadValues r;

	r.ret = perf_read_hw(e, values, sizeof(values));
	if (r.ret <= 0)
		return r;
	r.count = values[0];
	r.enabled = values[1];
	r.running = values[2];
	ghost_read_result(e, r.count, r.enabled, r.running);
	return r;
}

void op_enable(legacy_world &w, int event) { perf_ioctl(&w.events.at(event), LEGACY_PERF_EVENT_IOC_ENABLE, 0); }

/*
 * model-only: what perf_event_init_task() -> inherit_group() -> inherit_event() leaves behind at
 * fork, for events the setup already declared: `child` becomes an inherited child of `parent`
 * (child->parent, parent->child_list, the parent's attr), and the child's context is marked a
 * clone of the parent's context as perf_event_init_task() does when every event was inherited:
 * parent_ctx = parent->ctx, parent_gen = parent->ctx->generation.
 */
void op_inherit(legacy_world &w, int parent_index, int child_index)
{
	struct perf_event *parent = &w.events.at(parent_index), *child = &w.events.at(child_index);
	std::string at = "inherit(" + w.setup.events[parent_index].name + ", " + w.setup.events[child_index].name + "): ";

	if (!parent->attr.inherit)
		throw std::invalid_argument(at + "the parent event lacks attr.inherit: fork() would not inherit it");
	if (parent->parent || parent->ctx->parent_ctx.peek())
		throw std::invalid_argument(at + "the parent must be a top-level event in a context that is not a clone");
	if (child->parent || !child->child_list.empty())
		throw std::invalid_argument(at + "the child is already part of an inherited family");
	if (child->ctx == parent->ctx)
		throw std::invalid_argument(at + "the child must live in another task's context");
	if (child->group_leader != child || !parent->sibling_list.empty() || !child->sibling_list.empty())
		throw std::invalid_argument(at + "groups are not inherited by this model");

	struct perf_event_context *child_ctx = child->ctx;
	if (child->attr.inherit_stat)
		child_ctx->nr_stat--;
	child->attr = parent->attr;	/* perf_event_alloc(&parent_event->attr, ...) */
	child->attr.disabled = 0;
	if (child->attr.inherit_stat)
		child_ctx->nr_stat++;
	child->parent = parent;
	parent->child_list.push_back(child);

	child_ctx->parent_ctx.poke(parent->ctx);
	child_ctx->parent_gen.poke(parent->ctx->generation.peek());
	atomic_inc(&parent->ctx->refcount);	/* get_ctx(child_ctx->parent_ctx) */
}

/* --- building the world --- */

static void check_setup(const model::WorldSetup &s)
{
	int nr_cpus = std::min(std::max(s.nr_cpus, 1), sim::kMaxCpus);
	std::vector<int> running(nr_cpus, -1);

	for (size_t i = 0; i < s.contexts.size(); i++) {
		const model::ContextSetup &c = s.contexts[i];
		std::string at = "context " + std::to_string(i) + " ('" + c.name + "')";
		if (!c.is_task)
			throw std::invalid_argument(at + ": perf-2.6.32 models task contexts only");
		if (c.running_on >= nr_cpus)
			throw std::invalid_argument(at + ": running_on names cpu" + std::to_string(c.running_on) + " but there are " +
						    std::to_string(nr_cpus) + " CPUs");
		if (c.running_on >= 0) {
			if (running[c.running_on] >= 0)
				throw std::invalid_argument(at + ": cpu" + std::to_string(c.running_on) + " already runs another task");
			running[c.running_on] = i;
		}
	}
	for (size_t i = 0; i < s.events.size(); i++) {
		const model::EventSetup &e = s.events[i];
		std::string at = "event " + std::to_string(i) + " ('" + e.name + "')";
		if (e.context < 0 || e.context >= (int)s.contexts.size())
			throw std::invalid_argument(at + ": no context " + std::to_string(e.context));
		if (e.leader >= 0 && e.leader != (int)i) {
			if (e.leader > (int)i)
				throw std::invalid_argument(at + ": its group leader must come before it");
			const model::EventSetup &l = s.events[e.leader];
			if (l.context != e.context)
				throw std::invalid_argument(at + ": its group leader is in another context");
			if (l.leader >= 0 && l.leader != e.leader)
				throw std::invalid_argument(at + ": its group leader is itself a sibling");
		}
		if (e.state != "OFF" && e.state != "INACTIVE" && e.state != "ACTIVE")
			throw std::invalid_argument(at + ": perf-2.6.32 setups take OFF, INACTIVE or ACTIVE, got '" + e.state +
						    "' (ERROR is reached only by a pinned group that cannot go on)");
		if (e.mapped)
			throw std::invalid_argument(at + ": perf-2.6.32 does not model mmap()");
		for (const auto &[name, value] : e.attr)
			if (std::find(legacy_model().attrs.begin(), legacy_model().attrs.end(), name) == legacy_model().attrs.end())
				throw std::invalid_argument(at + ": unknown attr '" + name + "'");
	}
}

static const char *state_name(int state)
{
	switch (state) {
	case PERF_EVENT_STATE_ACTIVE: return "ACTIVE";
	case PERF_EVENT_STATE_INACTIVE: return "INACTIVE";
	case PERF_EVENT_STATE_OFF: return "OFF";
	default: return "ERROR";
	}
}

std::unique_ptr<legacy_world> build_world(const model::WorldSetup &setup)
{
	check_setup(setup);

	auto world = std::make_unique<legacy_world>(setup);	/* from here on, the execution's world */
	legacy_world &w = *world;
	sim::set_tick(setup.tick);
	sim::set_clock(0);
	sim::set_sequential_cpu(0);

	int nr_cpus = std::min(std::max(setup.nr_cpus, 1), sim::kMaxCpus);
	for (int cpu = 0; cpu < nr_cpus; cpu++) {
		struct model_cpu &c = w.cpus.emplace_back();
		c.idle.comm = "swapper";
		c.idle.model_on_cpu = cpu;
		c.curr = &c.idle;
		c.cpuctx.ctx.model_name = "cpu";
		atomic_set(&c.cpuctx.ctx.refcount, 1);
	}

	/* every context is a task's: __perf_event_init_context() + task->perf_event_ctxp */
	for (size_t i = 0; i < setup.contexts.size(); i++) {
		struct task_struct *task = &w.tasks.emplace_back();
		struct perf_event_context *ctx = &w.ctxs.emplace_back();
		task->comm = w.setup.contexts[i].name.c_str();
		ctx->model_name = task->comm;
		atomic_set(&ctx->refcount, 1);
		ctx->task.poke(task);
		task->perf_event_ctxp.poke(ctx);
	}

	/* events: perf_event_alloc() (INACTIVE, or OFF for attr.disabled), then add_event_to_ctx() under ctx->lock */
	for (size_t i = 0; i < setup.events.size(); i++) {
		const model::EventSetup &es = setup.events[i];
		struct perf_event *event = &w.events.emplace_back();
		struct perf_event_context *ctx = &w.ctxs[es.context];

		event->model_name = w.setup.events[i].name.c_str();
		event->id = i + 1;
		for (const auto &[name, value] : es.attr) {
			if (name == "inherit")
				event->attr.inherit = value;
			else if (name == "inherit_stat")
				event->attr.inherit_stat = value;
			else if (name == "pinned")
				event->attr.pinned = value;
			else if (name == "exclusive")
				event->attr.exclusive = value;
		}
		event->attr.disabled = es.state == "OFF";
		event->pmu = &model_counting_pmu;
		event->group_leader = (es.leader >= 0 && es.leader != (int)i) ? &w.events[es.leader] : event;
		event->ctx = ctx;
		int state = event->attr.disabled ? PERF_EVENT_STATE_OFF : PERF_EVENT_STATE_INACTIVE;
		event->state.poke(state);
		ghost_set_state(event, state);

		spin_lock_irq(&ctx->lock);
		add_event_to_ctx(event, ctx);
		spin_unlock_irq(&ctx->lock);
		++ctx->generation;	/* sys_perf_event_open() */
	}

	/* running tasks are switched in on their CPU */
	for (size_t i = 0; i < setup.contexts.size(); i++) {
		if (setup.contexts[i].running_on < 0)
			continue;
		sim::set_sequential_cpu(setup.contexts[i].running_on);
		op_sched_in(w, i);
	}
	sim::set_sequential_cpu(0);

	for (size_t i = 0; i < setup.events.size(); i++) {
		const std::string &want = setup.events[i].state;
		const char *got = state_name(w.events[i].state.peek());
		if (want != got)
			throw std::invalid_argument("event " + std::to_string(i) + " ('" + setup.events[i].name + "'): setup asks for " +
						    want + " but the kernel put it in " + got +
						    " (ACTIVE needs a running task; INACTIVE a task that is not running, or a group that cannot go on)");
	}
	return world;
}

/*
 * The final quiescent update, as a locked reader would do it: under each ctx->lock, advance the
 * context clock if the context runs, update every event's times, then compare with the ledger.
 */
void check_final(legacy_world &w)
{
	for (struct perf_event_context &ctx : w.ctxs) {
		spin_lock_irq(&ctx.lock);
		if (ctx.is_active.peek())
			update_context_time(&ctx);
		for (struct perf_event *event : ctx.event_list)
			update_event_times(event);
		spin_unlock_irq(&ctx.lock);
	}
	for (struct perf_event &event : w.events) {
		u64 enabled = event.total_time_enabled.peek(), running = event.total_time_running.peek();
		char buf[256];
		const char *fields[2] = {"total_time_enabled", "total_time_running"};
		u64 actual[2] = {enabled, running}, expected[2] = {event.ghost.enabled, event.ghost.running};
		/* an OFF event's totals are not recomputed (update_event_times() returns early) */
		if (event.state.peek() < PERF_EVENT_STATE_INACTIVE || event.group_leader->state.peek() < PERF_EVENT_STATE_INACTIVE)
			continue;
		for (int i = 0; i < 2; i++) {
			if (actual[i] == expected[i])
				continue;
			u64 diff = actual[i] < expected[i] ? expected[i] - actual[i] : actual[i] - expected[i];
			snprintf(buf, sizeof(buf), "%s: %s = %llu, ledger says %llu: %s %s", event.model_name, fields[i],
				 (unsigned long long)actual[i], (unsigned long long)expected[i], ticks(diff).c_str(),
				 actual[i] < expected[i] ? "lost" : "double-counted");
			report(LEGACY_NO_LOST_TIME, buf);
		}
		if (running > enabled) {
			snprintf(buf, sizeof(buf), "%s: total_time_running %llu > total_time_enabled %llu", event.model_name,
				 (unsigned long long)running, (unsigned long long)enabled);
			report(LEGACY_RUNNING_LE_ENABLED, buf);
		}
	}
}

/* --- the model behind model::Model --- */

namespace {

legacy_world &L(model::World &w) { return static_cast<legacy_world &>(w); }

/* legacy_world's objects for model/lock_objects.h: every context is a task's, by setup index; the
 * 2.6.32 event has no mmap_mutex (lock_kinds leaves MmapMutex out, so a scenario cannot ask) */
struct legacy_objects {
	legacy_world &w;
	struct perf_event_context *ctx(int i) const { return &w.ctxs.at(i); }
	struct mutex *mmap_mutex(int) const { throw std::logic_error("perf-2.6.32 has no event->mmap_mutex"); }
};

const std::vector<model::Entry> &ops()
{
	using model::ArgKind;
	using model::World;
	static const std::vector<model::Entry> ops = {
		{"switch", {{"prev", ArgKind::Context}, {"next", ArgKind::Context}},
		 "task switch on this CPU from prev to next: perf_event_task_sched_out(prev, next) (cloned-context swap if equivalent), perf_event_task_sched_in(next)",
		 [](World &w, const std::vector<int64_t> &a) { op_switch(L(w), a.at(0), a.at(1)); }},
		{"sched_out", {{"task", ArgKind::Context}},
		 "task switch out on this CPU to idle: perf_event_task_sched_out() -> __perf_event_sched_out()",
		 [](World &w, const std::vector<int64_t> &a) { op_sched_out(L(w), a.at(0)); }},
		{"sched_in", {{"task", ArgKind::Context}},
		 "task switch in on this CPU from idle: perf_event_task_sched_in() -> __perf_event_sched_in()",
		 [](World &w, const std::vector<int64_t> &a) { op_sched_in(L(w), a.at(0)); }},
		{"read", {{"event", ArgKind::Event}},
		 "read() of count, time_enabled, time_running: perf_read_hw() -> perf_event_read_one() -> perf_event_read_value()",
		 [](World &w, const std::vector<int64_t> &a) { op_read(L(w), a.at(0)); }},
		{"enable", {{"event", ArgKind::Event}},
		 "ioctl(PERF_EVENT_IOC_ENABLE): perf_ioctl() -> perf_event_for_each_child() -> perf_event_enable()",
		 [](World &w, const std::vector<int64_t> &a) { op_enable(L(w), a.at(0)); }},
		{"inherit", {{"parent", ArgKind::Event}, {"child", ArgKind::Event}},
		 "setup: fork() inherited parent into child's task (inherit_event()); child's context becomes a clone of parent's",
		 [](World &w, const std::vector<int64_t> &a) { op_inherit(L(w), a.at(0), a.at(1)); }},
	};
	return ops;
}

const std::vector<model::Entry> &functions()
{
	using model::ArgKind;
	using model::World;
	static const std::vector<model::Entry> fns = {
		{"update_event_times", {{"event", ArgKind::Event}},
		 "update_event_times(E): recompute the totals from the tstamps (caller's locks)",
		 [](World &w, const std::vector<int64_t> &a) { update_event_times(&L(w).events.at(a.at(0))); }},
		{"update_context_time", {{"context", ArgKind::Context}},
		 "update_context_time(C): advance the context clock to perf_clock() (caller's locks)",
		 [](World &w, const std::vector<int64_t> &a) { update_context_time(&L(w).ctxs.at(a.at(0))); }},
		{"perf_event_read", {{"event", ArgKind::Event}},
		 "perf_event_read(E): the ACTIVE (IPI) or INACTIVE update, returns the count",
		 [](World &w, const std::vector<int64_t> &a) { perf_event_read(&L(w).events.at(a.at(0))); }},
	};
	return fns;
}

}  // namespace

const model::Model &legacy_model()
{
	using model::LockKind;
	static const model::Model model = {
		.name = "perf-2.6.32",
		.summary = "kernel/perf_event.c of 2.6.32 (seed 001): tstamp_enabled/_running/_stopped timekeeping, the task "
			   "switch with the cloned-context swap (perf_event_sync_stat), enable, read()",
		.variants = {
			{"upstream", "2.6.32 as seed 001 quotes it", "time"},
			{"read-ctx-lock",
			 "the later kernel/perf_event.c's __perf_event_read() and INACTIVE read under ctx->lock (torvalds/linux 006b20fe4c69)",
			 "read"},
		},
		.invariants = {
			{LEGACY_NO_LOST_TIME, "final: each event's totals equal the ledger (OFF events skipped)", "time"},
			{LEGACY_RUNNING_LE_ENABLED, "no total or read result has running > enabled", "time"},
			{LEGACY_MONOTONIC_READ, "read()'s enabled and running never go backwards per reader", "read"},
			{LEGACY_MONOTONIC_COUNT, "read()'s count (the family's sum) never goes backwards per reader", "read"},
		},
		.attrs = {"inherit", "inherit_stat", "pinned", "exclusive"},
		.ops = ops(),
		.functions = functions(),
		.lock_kinds = {LockKind::CtxLock, LockKind::CtxMutex},
		.build_world = [](const model::WorldSetup &setup) -> std::unique_ptr<model::World> { return build_world(setup); },
		.lock_object =
			[](model::World &w, LockKind kind, int object) { model::lock_object_of(legacy_objects{L(w)}, kind, object); },
		.unlock_object =
			[](model::World &w, LockKind kind, int object) { model::unlock_object_of(legacy_objects{L(w)}, kind, object); },
		.check_final = [](model::World &w) { check_final(L(w)); },
	};
	return model;
}

}  // namespace legacy

namespace model {
const Model &legacy_model() { return legacy::legacy_model(); }
}  // namespace model
