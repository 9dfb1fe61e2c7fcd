/*
 * The "deferred-callchain" model's face to the checker (model-only): model/world.h. Builds
 * tasks, contexts and events from a scenario's setup, runs the ops (an NMI sample, the return to
 * user space, close(), a context switch) and the final ghost checks.
 */
#include <stdexcept>

#include "model/callchain/callchain.h"

namespace callchain {

namespace {

callchain_world *the_world = nullptr;

const std::vector<std::string> &invariant_list()
{
	static const std::vector<std::string> names = {
		"nr_no_switch_fast-balance",	 /* at the end, ctx->nr_no_switch_fast == callbacks still owed */
		"no-callback-after-free",	 /* no unwind callback runs (or stays queued) after _free_event() */
		"deferred-cookie",		 /* a deferred record carries the cookie its requests got */
		"no-fast-switch-while-pending",	 /* the clone swap never moves a ctx with a queued callback */
		"cookie-per-entry",		 /* a cookie is handed out in one kernel entry of a task only */
	};
	return names;
}

std::vector<std::string> selected_invariants;	/* empty: all */

}  // namespace

callchain_world::~callchain_world()
{
	if (the_world == this)
		the_world = nullptr;
}

const std::vector<std::string> &invariant_names() { return invariant_list(); }
void select_invariant_names(const std::vector<std::string> &names) { selected_invariants = names; }

bool model_invariant_on(const char *name)
{
	if (selected_invariants.empty())
		return true;
	for (const auto &n : selected_invariants)
		if (n == name)
			return true;
	return false;
}

struct model_cpu *model_cpu_of(int cpu)
{
	if (!the_world || cpu < 0 || cpu >= (int)the_world->cpus.size())
		throw std::logic_error("perfmc: BUG: deferred-callchain: cpu" + std::to_string(cpu) + " outside the world");
	return the_world->cpus[cpu].get();
}

struct task_struct *model_current(void) { return model_cpu_of(smp_processor_id())->curr; }

bool in_nmi(void) { return model_cpu_of(smp_processor_id())->in_nmi; }

void model_nmi_hold(int cpu)
{
	if (cpu != smp_processor_id())
		throw std::logic_error("perfmc: BUG: deferred-callchain: the PMI of another CPU masked");
	sim::pmi_mask();
}
void model_nmi_release(int cpu)
{
	(void)cpu;
	sim::pmi_unmask();
}

/* model-only: a point in the task's kernel code where an NMI of its CPU may land (masking is a scheduling point) */
void model_nmi_window(int cpu)
{
	model_nmi_release(cpu);
	model_nmi_hold(cpu);
}

bool model_ctx_queued(struct perf_event_context *ctx, std::string *who)
{
	for (auto &e : the_world->events) {
		if (e->ctx == ctx && !e->model_freed && e->unwind_work.task.peek()) {
			*who = e->model_name;
			return true;
		}
	}
	return false;
}

/* --- ops --- */

static std::string ctx_name(callchain_world &w, int context) { return w.setup.contexts.at(context).name; }

/* An NMI on this CPU whose overflow samples `event` with PERF_SAMPLE_CALLCHAIN:
 * perf_event_overflow() -> ... -> perf_prepare_sample() -> perf_sample_save_callchain() -> perf_callchain(). */
void op_nmi_sample(callchain_world &w, int event)
{
	struct perf_event *e = w.events.at(event).get();
	int cpu = smp_processor_id();
	struct model_sample sample;

	/* the NMI owns its CPU until it returns (the simulator's rule): no exclusion to take */
	model_cpu_of(cpu)->in_nmi = true;
	if (e->model_removed) {
		sim::note(("nmi_sample(" + e->model_name + "): the event is off its context, no sample").c_str());
	} else {
		perf_callchain(e, &sample);
		sim::note(("nmi_sample(" + e->model_name + "): " +
			   (sample.user_deferred ? "PERF_CONTEXT_USER_DEFERRED, cookie " + std::to_string(sample.model_request_cookie)
			    : sample.user_inline ? "user callchain taken in the NMI" : "no user callchain"))
				  .c_str());
	}
	model_cpu_of(cpu)->in_nmi = false;
}

/*
 * The task, running on this CPU in the kernel, returns to user space: exit_to_user_mode_loop()
 * runs the task work (resume_user_mode_work() -> task_work_run()), then unwind_reset_info() on
 * the way out. An NMI of this CPU may land before, between and after (model_nmi_window()).
 * Afterwards the task is in user space; the next op that needs it in the kernel is its next entry.
 */
void op_return_to_user(callchain_world &w, int context)
{
	struct task_struct *task = w.tasks.at(context).get();
	int cpu = smp_processor_id();

	if (!task || task->model_cpu != cpu || model_cpu_of(cpu)->curr != task) {
		sim::note(("return_to_user(" + ctx_name(w, context) + "): the task does not run on cpu" +
			   std::to_string(cpu) + ", nothing to do").c_str());
		return;
	}
	model_nmi_hold(cpu);
	for (;;) {
		task->model_notify_resume = false;	/* resume_user_mode_work(): clear_thread_flag(TIF_NOTIFY_RESUME) (not read) */
		task_work_run();
		model_nmi_window(cpu);
		unwind_reset_info();
		/*
		 * model: an NMI in the window above queued task work with TWA_NMI_CURRENT, whose
		 * irq_work raises the self-IPI that fires as soon as the return to user space
		 * enables interrupts, before any user instruction: the task is straight back in
		 * the kernel with the same user stack and this loop runs again.
		 */
		if (!task->model_notify_resume)
			break;
		sim::note("return_to_user: task work queued on the way out: the irq_work brings the task straight back");
	}
	task->model_entry++;	/* user code runs now; the next kernel entry has a new user stack */
	model_nmi_release(cpu);
}

/* close() of the event's last fd: perf_release() -> perf_event_release_kernel(). */
void op_close(callchain_world &w, int event)
{
	struct perf_event *e = w.events.at(event).get();

	if (e->model_freed) {
		sim::note(("close(" + e->model_name + "): already closed").c_str());
		return;
	}
	perf_event_release_kernel(e);
}

/* __schedule() on this CPU from `from` (running here) to `to` (not running):
 * perf_event_task_sched_out() -> perf_event_context_sched_out() with IRQs off and the PMU
 * disabled (no PMI: the model holds this CPU's NMI exclusion). */
void op_sched_switch(callchain_world &w, int from, int to)
{
	struct task_struct *prev = w.tasks.at(from).get(), *next = w.tasks.at(to).get();
	int cpu = smp_processor_id();

	if (!prev || !next || prev->model_cpu != cpu || next->model_cpu >= 0) {
		sim::note(("sched_switch(" + ctx_name(w, from) + ", " + ctx_name(w, to) +
			   "): needs two task contexts, the first running on cpu" + std::to_string(cpu) +
			   ", the second not running; nothing to do").c_str());
		return;
	}
	model_nmi_hold(cpu);
	local_irq_disable();
	perf_event_context_sched_out(prev, next);
	model_cpu_of(cpu)->curr = next;
	prev->model_cpu = -1;
	next->model_cpu = cpu;
	local_irq_enable();
	model_nmi_release(cpu);
}

/* --- the final checks --- */

void check_final(callchain_world &w)
{
	for (auto &e : w.events) {
		struct task_struct *queued = e->unwind_work.task.peek();
		if (e->model_freed && queued && model_invariant_on("no-callback-after-free")) {
			sim::violation("no-callback-after-free",
				       (e->model_name + " was freed with its unwind_work still queued on " + queued->comm +
					": the callback runs on freed memory at its next return to user").c_str());
			return;
		}
	}
	for (size_t i = 0; i < w.contexts.size(); i++) {
		struct perf_event_context *ctx = w.contexts[i].get();
		long owed = 0;
		for (auto &e : w.events)
			if (e->ctx == ctx && !e->model_freed && e->unwind_work.task.peek())
				owed++;
		long nr = ctx->nr_no_switch_fast.a.peek();
		if (nr != owed && model_invariant_on("nr_no_switch_fast-balance")) {
			sim::violation("nr_no_switch_fast-balance",
				       ("context " + ctx->model_name + ": nr_no_switch_fast = " + std::to_string(nr) + " but " +
					std::to_string(owed) + " deferred callback(s) are owed" +
					(nr > owed ? ": the context-switch fast path stays off for good" : ""))
					       .c_str());
			return;
		}
	}
}

/* --- building the world --- */

std::unique_ptr<callchain_world> build_world(const model::WorldSetup &s)
{
	auto w = std::make_unique<callchain_world>();
	w->setup = s;
	int nr_cpus = s.nr_cpus;

	if (nr_cpus < 1 || nr_cpus > sim::kMaxCpus)
		throw std::invalid_argument("nr_cpus must be in 1.." + std::to_string(sim::kMaxCpus));
	for (int c = 0; c < nr_cpus; c++) {
		auto cpu = std::make_unique<model_cpu>();
		cpu->idle.comm = "swapper/" + std::to_string(c);
		cpu->idle.flags = PF_KTHREAD;
		cpu->idle.model_has_mm = false;
		cpu->idle.model_cpu = c;
		cpu->curr = &cpu->idle;
		w->cpus.push_back(std::move(cpu));
	}
	w->model_parent.model_name = "parent";
	for (size_t i = 0; i < s.contexts.size(); i++) {
		const model::ContextSetup &c = s.contexts[i];
		std::string at = "context " + std::to_string(i) + " ('" + c.name + "')";
		auto ctx = std::make_unique<perf_event_context>();
		ctx->model_name = c.name;
		if (c.is_task) {
			auto task = std::make_unique<task_struct>();
			task->comm = c.name;
			ctx->task.poke(task.get());
			ctx->parent_ctx = &w->model_parent;	/* model: every task context is a clone of one parent */
			task->perf_event_ctxp.poke(ctx.get());
			if (c.running_on >= 0) {
				if (c.running_on >= nr_cpus)
					throw std::invalid_argument(at + ": running_on names cpu" + std::to_string(c.running_on) +
								    " but there are " + std::to_string(nr_cpus) + " CPUs");
				if (w->cpus[c.running_on]->curr != &w->cpus[c.running_on]->idle)
					throw std::invalid_argument(at + ": cpu" + std::to_string(c.running_on) +
								    " already runs another task");
				w->cpus[c.running_on]->curr = task.get();
				task->model_cpu = c.running_on;
			}
			w->tasks.push_back(std::move(task));
		} else {
			if (c.cpu < 0 || c.cpu >= nr_cpus)
				throw std::invalid_argument(at + ": a CPU context needs a CPU in 0.." + std::to_string(nr_cpus - 1));
			w->tasks.push_back(nullptr);
		}
		w->contexts.push_back(std::move(ctx));
	}
	the_world = w.get();
	for (size_t i = 0; i < s.events.size(); i++) {
		const model::EventSetup &es = s.events[i];
		std::string at = "event " + std::to_string(i) + " ('" + es.name + "')";
		if (es.context < 0 || es.context >= (int)w->contexts.size())
			throw std::invalid_argument(at + ": no such context");
		if (es.leader >= 0 && es.leader != (int)i)
			throw std::invalid_argument(at + ": groups are not modelled by deferred-callchain");
		if (es.mapped)
			throw std::invalid_argument(at + ": 'mapped' is not modelled by deferred-callchain (records are kept by the model)");
		if (es.state != "ACTIVE")
			throw std::invalid_argument(at + ": deferred-callchain samples ACTIVE events only, got state '" + es.state + "'");
		auto e = std::make_unique<perf_event>();
		e->model_name = es.name;
		e->ctx = w->contexts[es.context].get();
		for (const auto &[bit, value] : es.attr) {
			if (bit == "defer_callchain")
				e->attr.defer_callchain = value;
			else if (bit == "exclude_callchain_user")
				e->attr.exclude_callchain_user = value;
			else if (bit == "exclude_callchain_kernel")
				e->attr.exclude_callchain_kernel = value;
			else
				throw std::invalid_argument(at + ": attr '" + bit + "' is not used by deferred-callchain");
		}
		perf_event_alloc_defer(e.get(), w->tasks[es.context].get());
		w->events.push_back(std::move(e));
	}
	return w;
}

}  // namespace callchain

/* --- the model behind model::Model --- */

namespace model {

namespace {

callchain::callchain_world &C(World &w) { return static_cast<callchain::callchain_world &>(w); }

const std::vector<std::string> &callchain_variant_names()
{
	static const std::vector<std::string> names = {"v16", "v16-cancel", "v16-cancel-dec", "v16-cookie"};
	return names;
}

class DeferredCallchainModel final : public Model {
public:
	const char *name() const override { return "deferred-callchain"; }
	const char *summary() const override
	{
		return "deferred user callchains, [PATCH v16 2/4] perf: Support deferred user callchains (2025-10-07) on "
		       "v16 1/4 (single-task unwind_work), not in 12f24484da13: perf_callchain(), the task work, "
		       "nr_no_switch_fast, cancel on free, the clone-swap fast path";
	}
	std::unique_ptr<World> build_world(const WorldSetup &setup) const override
	{
		return std::unique_ptr<World>(callchain::build_world(setup).release());
	}
	const std::vector<Entry> &ops() const override
	{
		static const std::vector<Entry> ops = {
			{"nmi_sample", {{"event", ArgKind::Event}},
			 "an overflow NMI on this CPU samples the event's callchain: perf_callchain() -> deferred_request() -> unwind_deferred_request()",
			 [](World &w, const std::vector<int64_t> &a) { callchain::op_nmi_sample(C(w), a.at(0)); }},
			{"return_to_user", {{"task", ArgKind::Context}},
			 "the task returns to user space: task_work_run() -> unwind_deferred_task_work() -> perf_event_deferred_task(), then unwind_reset_info()",
			 [](World &w, const std::vector<int64_t> &a) { callchain::op_return_to_user(C(w), a.at(0)); }},
			{"close", {{"event", ArgKind::Event}},
			 "close() of the event's last fd: perf_event_release_kernel() -> _free_event() -> perf_pending_unwind_sync() -> unwind_deferred_cancel()",
			 [](World &w, const std::vector<int64_t> &a) { callchain::op_close(C(w), a.at(0)); }},
			{"sched_switch", {{"from", ArgKind::Context}, {"to", ArgKind::Context}},
			 "context switch on this CPU: perf_event_context_sched_out(), the clone swap unless nr_no_switch_fast",
			 [](World &w, const std::vector<int64_t> &a) { callchain::op_sched_switch(C(w), a.at(0), a.at(1)); }},
		};
		return ops;
	}
	const std::vector<Entry> &functions() const override
	{
		static const std::vector<Entry> fns = {};
		return fns;
	}
	void lock_object(World &w, LockKind kind, int object) const override
	{
		if (kind != LockKind::CtxLock)
			throw std::invalid_argument("deferred-callchain: only ctx->lock can be held by a call");
		raw_spin_lock_irq(&C(w).contexts.at(object)->lock);
	}
	void unlock_object(World &w, LockKind kind, int object) const override
	{
		if (kind != LockKind::CtxLock)
			throw std::invalid_argument("deferred-callchain: only ctx->lock can be held by a call");
		raw_spin_unlock_irq(&C(w).contexts.at(object)->lock);
	}
	const std::vector<std::string> &variants() const override { return callchain_variant_names(); }
	bool select_variant(const std::string &name) const override
	{
		const auto &names = callchain_variant_names();
		for (size_t i = 0; i < names.size(); i++) {
			if (names[i] == name) {
				callchain::selected_variant_set((enum callchain::callchain_variant)i);
				return true;
			}
		}
		return false;
	}
	const std::vector<std::string> &invariants() const override { return callchain::invariant_names(); }
	void select_invariants(const std::vector<std::string> &names) const override { callchain::select_invariant_names(names); }
	const std::vector<std::string> &attrs() const override
	{
		static const std::vector<std::string> names = {"defer_callchain", "exclude_callchain_user",
							       "exclude_callchain_kernel"};
		return names;
	}
	void check_final(World &w) const override { callchain::check_final(C(w)); }
};

}  // namespace

const Model &deferred_callchain_model()
{
	static const DeferredCallchainModel model;
	return model;
}

}  // namespace model
