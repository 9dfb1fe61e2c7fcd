/*
 * The model's face to the checker (model-only): model/world.h. Builds the kernel objects of a
 * scenario through the model's own functions, runs kernel entry points by name, and runs the
 * final ledger check. One world per execution; the_world is what `current`, this_cpu_ptr() and
 * rb_alloc() reach.
 */
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "model/world_internal.h"

namespace {

perf_world *the_world = nullptr;

std::string at_event(const model::WorldSetup &s, size_t i)
{
	return "event " + std::to_string(i) + " ('" + s.events[i].name + "')";
}

}  // namespace

/* --- what model/events/core.h asks of the world --- */

struct model_cpu *model_cpu(int cpu)
{
	if (!the_world || cpu < 0 || cpu >= (int)the_world->cpus.size())
		throw std::logic_error("perfmc: BUG: model_cpu(" + std::to_string(cpu) + ") outside the world");
	return &the_world->cpus[cpu];
}

struct task_struct *model_current(void) { return model_cpu(smp_processor_id())->curr; }

int model_nr_cpu_ids(void) { return the_world ? (int)the_world->cpus.size() : 0; }

struct perf_buffer *model_alloc_rb(void) { return &the_world->buffers.emplace_back(); }

model_percpu<struct perf_cpu_context> perf_cpu_context{[](int cpu) { return &model_cpu(cpu)->cpuctx; }};

/* --- the model's context switch: the part of __schedule() around perf's hooks --- */

/*
 * model-only: switch this CPU from prev to next as kernel/sched/core.c does around perf:
 * IRQs off (rq->lock), prepare_task_switch() -> perf_event_task_sched_out(), switch_to()
 * (current = next), finish_task_switch() -> perf_event_task_sched_in(). The task's CPU is set
 * first, as a wakeup or migration would have.
 */
static void model_context_switch(struct task_struct *prev, struct task_struct *next)
{
	int cpu = smp_processor_id();

	if (next != &model_cpu(cpu)->idle)
		WRITE_ONCE(next->cpu, cpu);
	local_irq_disable();
	perf_event_task_sched_out(prev, next);
	model_cpu(cpu)->curr = next;
	perf_event_task_sched_in(prev, next);
	local_irq_enable();
}

namespace model {

void op_sched_out(perf_world &w, int context)
{
	struct task_struct *task = w.context_task.at(context);
	int cpu = smp_processor_id();
	std::string text = "sched_out(" + w.setup.contexts[context].name + ")";

	if (!task) {
		sim::note((text + ": a CPU context has no task switch, nothing to do").c_str());
		return;
	}
	if (task->model_on_cpu != cpu) {
		sim::note((text + ": the task is not running on cpu" + std::to_string(cpu) + ", nothing to do").c_str());
		return;
	}
	task->model_on_cpu = -1;
	model_context_switch(task, &model_cpu(cpu)->idle);
}

void op_sched_in(perf_world &w, int context)
{
	struct task_struct *task = w.context_task.at(context);
	int cpu = smp_processor_id();
	std::string text = "sched_in(" + w.setup.contexts[context].name + ")";

	if (!task) {
		sim::note((text + ": a CPU context has no task switch, nothing to do").c_str());
		return;
	}
	if (task->model_on_cpu >= 0) {
		sim::note((text + ": the task already runs on cpu" + std::to_string(task->model_on_cpu) + ", nothing to do").c_str());
		return;
	}
	if (model_cpu(cpu)->curr != &model_cpu(cpu)->idle) {
		sim::note((text + ": cpu" + std::to_string(cpu) + " runs " + model_cpu(cpu)->curr->comm + ", nothing to do").c_str());
		return;
	}
	task->model_on_cpu = cpu;
	model_context_switch(&model_cpu(cpu)->idle, task);
}

int op_mmap(perf_world &w, int event)
{
	struct vm_area_struct *vma = &w.vma_storage.emplace_back();
	int ret;

	vma->vm_start = 0x7f0000000000UL;
	vma->vm_end = vma->vm_start + 2 * PAGE_SIZE;	/* the user page and one data page */
	vma->vm_pgoff = 0;
	vma->vm_flags = VM_SHARED | VM_WRITE;
	vma->vm_file = &w.files.at(event);
	ret = perf_mmap(vma->vm_file, vma);
	if (!ret)
		w.vmas.at(event).push_back(vma);
	else
		sim::note(("mmap(" + w.setup.events[event].name + ") failed: " + std::to_string(ret)).c_str());
	return ret;
}

void op_munmap(perf_world &w, int event)
{
	auto &live = w.vmas.at(event);

	if (live.empty()) {
		sim::note(("munmap(" + w.setup.events[event].name + "): not mapped, nothing to do").c_str());
		return;
	}
	struct vm_area_struct *vma = live.back();
	live.pop_back();
	perf_mmap_close(vma);
}

ReadValues op_read(perf_world &w, int event)
{
	struct perf_event *e = &w.events.at(event);
	u64 values[5] = {};
	ReadValues r;
	int n = 0;

	r.ret = perf_read(&w.files.at(event), (char *)values, sizeof(values), nullptr);
	if (r.ret <= 0)
		return r;
	r.count = values[n++];
	if (e->attr.read_format & PERF_FORMAT_TOTAL_TIME_ENABLED)
		r.enabled = values[n++];
	if (e->attr.read_format & PERF_FORMAT_TOTAL_TIME_RUNNING)
		r.running = values[n++];
	ghost_read_result(e, r.count, r.enabled, r.running);
	return r;
}

long op_ioctl(perf_world &w, int event, unsigned int cmd)
{
	return perf_ioctl(&w.files.at(event), cmd, 0);
}

bool op_userpage_read(perf_world &w, int event, u64 *enabled, u64 *running)
{
	u32 index;
	s64 offset;

	if (w.vmas.at(event).empty()) {
		sim::note(("userpage_read(" + w.setup.events[event].name + "): not mapped, nothing to read").c_str());
		return false;
	}
	return model_userpage_read(&w.events.at(event), enabled, running, &index, &offset);
}

}  // namespace model

/* --- building the world --- */

static void check_setup(const model::WorldSetup &s)
{
	int nr_cpus = std::min(std::max(s.nr_cpus, 1), sim::kMaxCpus);
	std::vector<int> cpu_ctx(nr_cpus, -1), running(nr_cpus, -1);

	for (size_t i = 0; i < s.contexts.size(); i++) {
		const model::ContextSetup &c = s.contexts[i];
		std::string at = "context " + std::to_string(i) + " ('" + c.name + "')";
		if (!c.is_task) {
			if (c.cpu < 0 || c.cpu >= nr_cpus)
				throw std::invalid_argument(at + ": a CPU context needs a CPU in 0.." + std::to_string(nr_cpus - 1));
			if (cpu_ctx[c.cpu] >= 0)
				throw std::invalid_argument(at + ": cpu" + std::to_string(c.cpu) + " already has a CPU context");
			cpu_ctx[c.cpu] = i;
		} else if (c.running_on >= 0) {
			if (c.running_on >= nr_cpus)
				throw std::invalid_argument(at + ": running_on names cpu" + std::to_string(c.running_on) +
							    " but there are " + std::to_string(nr_cpus) + " CPUs");
			if (running[c.running_on] >= 0)
				throw std::invalid_argument(at + ": cpu" + std::to_string(c.running_on) + " already runs another task");
			running[c.running_on] = i;
		}
	}
	for (size_t i = 0; i < s.events.size(); i++) {
		const model::EventSetup &e = s.events[i];
		if (e.context < 0 || e.context >= (int)s.contexts.size())
			throw std::invalid_argument(at_event(s, i) + ": no context " + std::to_string(e.context));
		if (e.leader >= 0 && e.leader != (int)i) {
			if (e.leader > (int)i)
				throw std::invalid_argument(at_event(s, i) + ": its group leader must come before it");
			const model::EventSetup &l = s.events[e.leader];
			if (l.context != e.context)
				throw std::invalid_argument(at_event(s, i) + ": its group leader is in another context");
			if (l.leader >= 0 && l.leader != e.leader)
				throw std::invalid_argument(at_event(s, i) + ": its group leader is itself a sibling");
		}
		static const char *states[] = {"OFF", "INACTIVE", "ACTIVE", "ERROR"};
		if (std::find(std::begin(states), std::end(states), e.state) == std::end(states))
			throw std::invalid_argument(at_event(s, i) + ": expected a state (OFF, INACTIVE, ACTIVE, ERROR), got '" +
						    e.state + "'");
		for (const auto &[name, value] : e.attr) {
			const auto &names = model::attr_names();
			if (std::find(names.begin(), names.end(), name) == names.end())
				throw std::invalid_argument(at_event(s, i) + ": unknown attr '" + name + "'");
		}
	}
}

static enum perf_event_state state_named(const std::string &name)
{
	if (name == "ACTIVE")
		return PERF_EVENT_STATE_ACTIVE;
	if (name == "INACTIVE")
		return PERF_EVENT_STATE_INACTIVE;
	if (name == "ERROR")
		return PERF_EVENT_STATE_ERROR;
	return PERF_EVENT_STATE_OFF;
}

static const char *state_name(int state)
{
	switch (state) {
	case PERF_EVENT_STATE_ACTIVE: return "ACTIVE";
	case PERF_EVENT_STATE_INACTIVE: return "INACTIVE";
	case PERF_EVENT_STATE_OFF: return "OFF";
	case PERF_EVENT_STATE_ERROR: return "ERROR";
	default: return "DEAD/EXIT/REVOKED";
	}
}

static void init_context(struct perf_event_context *ctx, const char *name, struct task_struct *task)
{
	refcount_set(&ctx->refcount, 1);
	ctx->task.poke(task);
	ctx->model_name = name;
	ghost_context_init(ctx);	/* its clock has not started (model/ghost.h) */
}

perf_world::~perf_world()
{
	if (the_world == this)
		the_world = nullptr;
}

static void delete_world(perf_world *w) { delete w; }

/* The perf model's entry points get the world as model::World. */
static perf_world &P(model::World &w) { return static_cast<perf_world &>(w); }

namespace model {

std::unique_ptr<perf_world, void (*)(perf_world *)> build_world(const WorldSetup &setup)
{
	check_setup(setup);

	std::unique_ptr<perf_world, void (*)(perf_world *)> world(new perf_world, delete_world);
	perf_world &w = *world;
	w.setup = setup;
	the_world = &w;

	sim::set_tick(setup.tick);
	sim::set_clock(0);
	ghost_set_tick(setup.tick);
	sim::set_sequential_cpu(0);

	/* CPUs: the idle task, the CPU context, the PMU's per-CPU context */
	int nr_cpus = std::min(std::max(setup.nr_cpus, 1), sim::kMaxCpus);
	w.cpu_pmu_context.lookup = [](int cpu) { return &model_cpu(cpu)->cpc; };
	model_counting_pmu.cpu_pmu_context = &w.cpu_pmu_context;
	for (int cpu = 0; cpu < nr_cpus; cpu++) {
		struct model_cpu &c = w.cpus.emplace_back();
		c.idle.comm = "swapper";
		c.idle.cpu.poke(cpu);
		c.idle.model_on_cpu = cpu;
		c.curr = &c.idle;
		init_context(&c.cpuctx.ctx, "cpu", nullptr);
		c.cpc.epc.pmu = &model_counting_pmu;
		c.cpc.epc.ctx = &c.cpuctx.ctx;
		c.cpc.epc.embedded = 1;
	}

	/* contexts */
	w.contexts.resize(setup.contexts.size());
	w.context_task.resize(setup.contexts.size());
	for (size_t i = 0; i < setup.contexts.size(); i++) {
		const ContextSetup &cs = setup.contexts[i];
		if (!cs.is_task) {
			w.contexts[i] = &w.cpus[cs.cpu].cpuctx.ctx;
			w.contexts[i]->model_name = w.setup.contexts[i].name.c_str();
			continue;
		}
		struct task_struct *task = &w.tasks.emplace_back();
		struct perf_event_context *ctx = &w.task_ctxs.emplace_back();
		struct perf_event_pmu_context *epc = &w.task_epcs.emplace_back();
		task->comm = w.setup.contexts[i].name.c_str();
		task->cpu.poke(cs.running_on >= 0 ? cs.running_on : 0);
		init_context(ctx, w.setup.contexts[i].name.c_str(), task);
		get_ctx(ctx);	/* task->perf_event_ctxp's reference */
		epc->pmu = &model_counting_pmu;
		epc->ctx = ctx;
		ctx->pmu_ctx_list.push_back(epc);
		task->perf_event_ctxp.poke(ctx);
		w.contexts[i] = ctx;
		w.context_task[i] = task;
	}

	/* events: created OFF (attr.disabled), installed in their context under ctx->lock */
	w.vmas.resize(setup.events.size());
	for (size_t i = 0; i < setup.events.size(); i++) {
		const EventSetup &es = setup.events[i];
		struct perf_event *event = &w.events.emplace_back();
		struct perf_event_context *ctx = w.contexts[es.context];
		const ContextSetup &cs = setup.contexts[es.context];

		event->model_name = w.setup.events[i].name.c_str();
		event->id = i + 1;
		for (const auto &[name, value] : es.attr) {
			if (name == "pinned")
				event->attr.pinned = value;
			else if (name == "exclusive")
				event->attr.exclusive = value;
			else if (name == "inherit")
				event->attr.inherit = value;
		}
		event->attr.disabled = 1;
		event->pmu = &model_counting_pmu;
		event->cpu = cs.is_task ? -1 : cs.cpu;
		event->group_leader = (es.leader >= 0 && es.leader != (int)i) ? &w.events[es.leader] : event;
		event->ctx = ctx;
		if (cs.is_task) {
			event->pmu_ctx = ctx->pmu_ctx_list.front();
			event->attach_state |= PERF_ATTACH_TASK;
		} else {
			struct perf_event_pmu_context *epc = &w.cpus[cs.cpu].cpc.epc;
			if (ctx->pmu_ctx_list.empty())
				ctx->pmu_ctx_list.push_back(epc);	/* find_get_pmu_context() */
			event->pmu_ctx = epc;
		}
		event->oncpu.poke(-1);
		event->hw.state.poke(PERF_HES_STOPPED | PERF_HES_UPTODATE);
		refcount_set(&event->mmap_count, 0);
		perf_event__state_init(event);
		perf_event__header_size(event);

		struct file *file = &w.files.emplace_back();
		file->private_data = event;

		raw_spin_lock_irq(&ctx->lock);
		add_event_to_ctx(event, ctx);
		raw_spin_unlock_irq(&ctx->lock);
	}

	/* CPU contexts with events start their clock; running tasks are switched in */
	for (size_t i = 0; i < setup.contexts.size(); i++) {
		const ContextSetup &cs = setup.contexts[i];
		if (cs.is_task || !w.contexts[i]->nr_events)
			continue;
		sim::set_sequential_cpu(cs.cpu);
		struct perf_cpu_context *cpuctx = this_cpu_ptr(&perf_cpu_context);
		local_irq_disable();
		perf_ctx_lock(cpuctx, NULL);
		perf_ctx_disable(&cpuctx->ctx, false);
		ctx_sched_in(&cpuctx->ctx, NULL, EVENT_ALL);
		perf_ctx_enable(&cpuctx->ctx, false);
		perf_ctx_unlock(cpuctx, NULL);
		local_irq_enable();
	}
	for (size_t i = 0; i < setup.contexts.size(); i++) {
		const ContextSetup &cs = setup.contexts[i];
		if (!cs.is_task || cs.running_on < 0)
			continue;
		sim::set_sequential_cpu(cs.running_on);
		op_sched_in(w, i);
	}
	sim::set_sequential_cpu(0);

	/* enabled through the ioctl, as perf_event_open() + PERF_EVENT_IOC_ENABLE would */
	for (size_t i = 0; i < setup.events.size(); i++) {
		enum perf_event_state want = state_named(setup.events[i].state);
		if (want == PERF_EVENT_STATE_OFF)
			continue;
		op_ioctl(w, i, PERF_EVENT_IOC_ENABLE);
		if (want == PERF_EVENT_STATE_ERROR) {
			struct perf_event *event = &w.events[i];
			raw_spin_lock_irq(&event->ctx->lock);
			__event_disable(event, event->ctx, PERF_EVENT_STATE_ERROR);
			raw_spin_unlock_irq(&event->ctx->lock);
		}
	}
	for (size_t i = 0; i < setup.events.size(); i++) {
		enum perf_event_state want = state_named(setup.events[i].state);
		int got = w.events[i].state.peek();
		if (got != want)
			throw std::invalid_argument(at_event(setup, i) + ": setup asks for " + state_name(want) +
						    " but the kernel put it in " + state_name(got) +
						    " (ACTIVE needs a running task context or a CPU context; INACTIVE a task context that is not running)");
	}

	for (size_t i = 0; i < setup.events.size(); i++)
		if (setup.events[i].mapped && op_mmap(w, i))
			throw std::invalid_argument(at_event(setup, i) + ": perf_mmap() failed");

	return world;
}

/* --- entry points --- */

const std::vector<Entry> &model_ops()
{
	static const std::vector<Entry> ops = {
		{"sched_out", {{"task", ArgKind::Context}},
		 "task switch out on this CPU: perf_event_task_sched_out() -> __perf_event_task_sched_out()",
		 [](World &w, const std::vector<int64_t> &a) { op_sched_out(P(w), a.at(0)); }},
		{"sched_in", {{"task", ArgKind::Context}},
		 "task switch in on this CPU: perf_event_task_sched_in() -> __perf_event_task_sched_in()",
		 [](World &w, const std::vector<int64_t> &a) { op_sched_in(P(w), a.at(0)); }},
		{"mmap", {{"event", ArgKind::Event}},
		 "mmap() of the event's fd, user page + 1 data page: perf_mmap() -> perf_mmap_rb()",
		 [](World &w, const std::vector<int64_t> &a) { op_mmap(P(w), a.at(0)); }},
		{"munmap", {{"event", ArgKind::Event}},
		 "munmap() of the last mapping: perf_mmap_close()",
		 [](World &w, const std::vector<int64_t> &a) { op_munmap(P(w), a.at(0)); }},
		{"read", {{"event", ArgKind::Event}},
		 "read() of count, time_enabled, time_running: perf_read() -> perf_read_one() -> perf_event_read()",
		 [](World &w, const std::vector<int64_t> &a) { op_read(P(w), a.at(0)); }},
		{"enable", {{"event", ArgKind::Event}},
		 "ioctl(PERF_EVENT_IOC_ENABLE): perf_ioctl() -> _perf_event_enable() -> event_function_call()",
		 [](World &w, const std::vector<int64_t> &a) { op_ioctl(P(w), a.at(0), PERF_EVENT_IOC_ENABLE); }},
		{"disable", {{"event", ArgKind::Event}},
		 "ioctl(PERF_EVENT_IOC_DISABLE): perf_ioctl() -> _perf_event_disable() -> event_function_call()",
		 [](World &w, const std::vector<int64_t> &a) { op_ioctl(P(w), a.at(0), PERF_EVENT_IOC_DISABLE); }},
		{"reset", {{"event", ArgKind::Event}},
		 "ioctl(PERF_EVENT_IOC_RESET): perf_ioctl() -> _perf_event_reset()",
		 [](World &w, const std::vector<int64_t> &a) { op_ioctl(P(w), a.at(0), PERF_EVENT_IOC_RESET); }},
		{"userpage_read", {{"event", ArgKind::Event}},
		 "user space reads time_enabled/time_running from the mmap()ed user page (seqcount loop)",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 u64 enabled, running;
			 op_userpage_read(w, a.at(0), &enabled, &running);
		 }},
	};
	return ops;
}

const std::vector<Entry> &model_functions()
{
	static const std::vector<Entry> fns = {
		{"perf_event_update_time", {{"event", ArgKind::Event}},
		 "perf_event_update_time(E): charge ctx time since tstamp by state (caller's locks)",
		 [](World &w, const std::vector<int64_t> &a) { perf_event_update_time(&P(w).events.at(a.at(0))); }},
		{"__perf_update_times", {{"event", ArgKind::Event}},
		 "__perf_update_times(E, perf_event_time(E), &enabled, &running) into locals (reads only)",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 struct perf_event *event = &w.events.at(a.at(0));
			 u64 enabled, running;
			 __perf_update_times(event, perf_event_time(event), &enabled, &running);
		 }},
		{"perf_event_set_state", {{"event", ArgKind::Event}, {"state", ArgKind::Integer}},
		 "perf_event_set_state(E, state): -2 ERROR, -1 OFF, 0 INACTIVE, 1 ACTIVE (needs ctx->lock)",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 perf_event_set_state(&w.events.at(a.at(0)), (enum perf_event_state)a.at(1));
		 }},
		{"perf_event_update_sibling_time", {{"event", ArgKind::Event}},
		 "perf_event_update_sibling_time(leader)",
		 [](World &w, const std::vector<int64_t> &a) { perf_event_update_sibling_time(&P(w).events.at(a.at(0))); }},
		{"event_sched_out", {{"event", ArgKind::Event}},
		 "event_sched_out(E, E->ctx) (needs ctx->lock)",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 struct perf_event *event = &w.events.at(a.at(0));
			 event_sched_out(event, event->ctx);
		 }},
		{"event_sched_in", {{"event", ArgKind::Event}},
		 "event_sched_in(E, E->ctx) on this CPU (needs ctx->lock)",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 struct perf_event *event = &w.events.at(a.at(0));
			 event_sched_in(event, event->ctx);
		 }},
		{"group_sched_out", {{"event", ArgKind::Event}},
		 "group_sched_out(leader, leader->ctx) (needs ctx->lock)",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 struct perf_event *event = &w.events.at(a.at(0));
			 perf_pmu_disable(event->pmu);
			 group_sched_out(event, event->ctx);
			 perf_pmu_enable(event->pmu);
		 }},
		{"ctx_sched_out", {{"context", ArgKind::Context}},
		 "ctx_sched_out(C, NULL, EVENT_ALL) on this CPU (needs ctx->lock)",
		 [](World &w, const std::vector<int64_t> &a) { ctx_sched_out(P(w).contexts.at(a.at(0)), NULL, EVENT_ALL); }},
		{"ctx_sched_in", {{"context", ArgKind::Context}},
		 "ctx_sched_in(C, NULL, EVENT_ALL) on this CPU (needs ctx->lock)",
		 [](World &w, const std::vector<int64_t> &a) { ctx_sched_in(P(w).contexts.at(a.at(0)), NULL, EVENT_ALL); }},
		{"update_context_time", {{"context", ArgKind::Context}},
		 "update_context_time(C): advance the context clock to perf_clock() (needs ctx->lock)",
		 [](World &w, const std::vector<int64_t> &a) { update_context_time(P(w).contexts.at(a.at(0))); }},
		{"__perf_event_read", {{"event", ArgKind::Event}},
		 "__perf_event_read() as the IPI handler would run it, on this CPU with IRQs off",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 struct perf_read_data data = {&w.events.at(a.at(0)), false, 0};
			 local_irq_disable();
			 __perf_event_read(&data);
			 local_irq_enable();
		 }},
		{"perf_event_read", {{"event", ArgKind::Event}},
		 "perf_event_read(E, false): the ACTIVE (IPI) or INACTIVE (ctx->lock) update",
		 [](World &w, const std::vector<int64_t> &a) { perf_event_read(&P(w).events.at(a.at(0)), false); }},
		{"perf_event_update_userpage", {{"event", ArgKind::Event}},
		 "perf_event_update_userpage(E): the user-page seqcount writer (caller's locks)",
		 [](World &w, const std::vector<int64_t> &a) { perf_event_update_userpage(&P(w).events.at(a.at(0))); }},
		{"calc_timer_values", {{"event", ArgKind::Event}},
		 "calc_timer_values(E): the lockless enabled/running computation of the user page",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 u64 now, enabled, running;
			 calc_timer_values(&w.events.at(a.at(0)), &now, &enabled, &running);
		 }},
	};
	return fns;
}

void lock_object(perf_world &world, LockKind kind, int object)
{
	switch (kind) {
	case LockKind::CtxLock:
		raw_spin_lock_irq(&world.contexts.at(object)->lock);
		break;
	case LockKind::CtxMutex:
		mutex_lock(&world.contexts.at(object)->mutex);
		break;
	case LockKind::MmapMutex:
		mutex_lock(&world.events.at(object).mmap_mutex);
		break;
	}
}

void unlock_object(perf_world &world, LockKind kind, int object)
{
	switch (kind) {
	case LockKind::CtxLock:
		raw_spin_unlock_irq(&world.contexts.at(object)->lock);
		break;
	case LockKind::CtxMutex:
		mutex_unlock(&world.contexts.at(object)->mutex);
		break;
	case LockKind::MmapMutex:
		mutex_unlock(&world.events.at(object).mmap_mutex);
		break;
	}
}

/* --- variants and invariants --- */

const std::vector<std::string> &variant_names() { return model_variant_names(); }
bool select_variant(const std::string &name) { return model_select_variant(name); }
const std::vector<std::string> &invariant_names() { return ghost_invariant_names(); }
void select_invariants(const std::vector<std::string> &names) { ghost_select_invariants(names); }

const std::vector<std::string> &attr_names()
{
	static const std::vector<std::string> names = {"pinned", "exclusive", "inherit"};
	return names;
}

/*
 * The final quiescent update, as a reader holding ctx->lock would do it (the INACTIVE path of
 * perf_event_read(), for every event): bring the context clock up to date if it runs, update
 * every event's times, then compare with the ledger.
 */
void check_final(perf_world &w)
{
	for (struct perf_event_context *ctx : w.contexts) {
		raw_spin_lock_irq(&ctx->lock);
		if ((ctx->is_active.peek() & EVENT_TIME) && !(ctx->is_active.peek() & EVENT_FROZEN))
			update_context_time(ctx);
		for (struct perf_event *event : ctx->event_list)
			perf_event_update_time(event);
		raw_spin_unlock_irq(&ctx->lock);
	}
	for (struct perf_event &event : w.events)
		ghost_check_event_final(&event);
}

/* --- the perf model behind model::Model --- */

namespace {

class PerfModel final : public Model {
public:
	const char *name() const override { return "perf"; }
	const char *summary() const override
	{
		return "kernel/events/core.c @ 12f24484da13 (6.17+): state-based timekeeping, the task switch, "
		       "read(), ioctl, mmap and the user page";
	}
	std::unique_ptr<World> build_world(const WorldSetup &setup) const override
	{
		return std::unique_ptr<World>(model::build_world(setup).release());
	}
	const std::vector<Entry> &ops() const override { return model_ops(); }
	const std::vector<Entry> &functions() const override { return model_functions(); }
	void lock_object(World &w, LockKind kind, int object) const override { model::lock_object(P(w), kind, object); }
	void unlock_object(World &w, LockKind kind, int object) const override { model::unlock_object(P(w), kind, object); }
	const std::vector<std::string> &variants() const override { return variant_names(); }
	bool select_variant(const std::string &name) const override { return model::select_variant(name); }
	const std::vector<std::string> &invariants() const override { return invariant_names(); }
	void select_invariants(const std::vector<std::string> &names) const override { model::select_invariants(names); }
	const std::vector<std::string> &attrs() const override { return attr_names(); }
	void check_final(World &w) const override { model::check_final(P(w)); }
};

}  // namespace

const Model &perf_model()
{
	static const PerfModel model;
	return model;
}

}  // namespace model
