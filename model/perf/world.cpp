/*
 * The model's face to the checker (model-only): model/model.h. Builds the kernel objects of a
 * scenario through the model's own functions, runs kernel entry points by name, and runs the
 * final ledger check. One world per execution; the execution's world (model::execution()) is what
 * `current`, this_cpu_ptr(), variant() and rb_alloc() reach.
 */
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "model/lock_objects.h"
#include "model/perf/world.h"

namespace {

/* the world of the execution that runs (model/model.h) */
perf_world *execution_world() { return static_cast<perf_world *>(sim::current_world ? &model::execution() : nullptr); }

std::string at_event(const model::WorldSetup &s, size_t i)
{
	return "event " + std::to_string(i) + " ('" + s.events[i].name + "')";
}

}  // namespace

/* --- what model/perf/core.h asks of the world --- */

/* kernel/events/core.c: max_samples_per_tick, from kernel.perf_event_max_sample_rate = 2 * HZ:
 * two overflows of one event in one tick throttle its group */
const int max_samples_per_tick = 2;

struct model_cpu *model_cpu(int cpu)
{
	perf_world *w = execution_world();
	if (!w || cpu < 0 || cpu >= (int)w->cpus.size())
		throw std::logic_error("perfmc: BUG: model_cpu(" + std::to_string(cpu) + ") outside the world");
	return &w->cpus[cpu];
}

struct task_struct *model_current(void) { return model_cpu(smp_processor_id())->curr; }

int model_nr_cpu_ids(void) { return execution_world() ? (int)execution_world()->cpus.size() : 0; }

uint64_t ghost_tick() { return execution_world() ? execution_world()->setup.tick : 1; }

struct perf_buffer *model_alloc_rb(void) { return &execution_world()->buffers.emplace_back(); }

/* --- issue 15 b: the world's storage for fork (core.h, model_alloc_event()) --- */

struct perf_event *model_alloc_event(struct perf_event *parent_event, struct task_struct *task)
{
	perf_world *w = execution_world();
	struct perf_event *event = &w->events.emplace_back();

	w->child_names.push_back(std::string(parent_event->model_name) + "(" + (task ? task->comm : "cpu") + ")");
	event->model_name = w->child_names.back().c_str();
	event->id = w->events.size();
	model_init_irq_works(event);
	return event;
}

/* perf_event_alloc()'s init_irq_work(&event->pending_irq, perf_pending_irq) and
 * init_irq_work(&event->pending_disable_irq, perf_pending_disable) */
void model_init_irq_works(struct perf_event *event)
{
	event->pending_irq.func = perf_pending_irq;
	event->pending_irq.model_event = event;
	event->pending_disable_irq.func = perf_pending_disable;
	event->pending_disable_irq.model_event = event;
}

struct perf_event_context *model_task_context(struct task_struct *task)
{
	perf_world *w = execution_world();
	for (size_t i = 0; i < w->context_task.size(); i++)
		if (w->context_task[i] == task)
			return w->contexts[i];
	return nullptr;
}

model_percpu<struct perf_cpu_context> perf_cpu_context{[](int cpu) { return &model_cpu(cpu)->cpuctx; }};

/* --- the callchain area's PMI mask (core.h, model_nmi_hold()) --- */

void model_nmi_hold(int cpu)
{
	if (cpu != smp_processor_id())
		throw std::logic_error("perfmc: BUG: callchain area: the PMI of another CPU masked");
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
	for (struct perf_event &e : execution_world()->events) {
		if (e.ctx == ctx && !e.model_freed && e.unwind_work.task.peek()) {
			*who = e.model_name;
			return true;
		}
	}
	return false;
}

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

/* model-only: fs/file_table.c's __fput() of the event's file when nothing holds it any more:
 * the fd table (until close()), a syscall in flight, a mapping */
static void model_maybe_release(perf_world &w, int event)
{
	if (!w.fd_closed.at(event) || w.fd_inflight.at(event) || !w.vmas.at(event).empty())
		return;
	w.fd_inflight.at(event) = -1;	/* released: never again */
	perf_event_release_kernel(&w.events.at(event));	/* perf_release() */
}

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

/* one mmap() of the event's fd: nr_pages at page offset pgoff */
static int model_mmap(perf_world &w, int event, unsigned long pgoff, unsigned long nr_pages)
{
	struct vm_area_struct *vma = &w.vma_storage.emplace_back();
	int ret;

	vma->vm_start = 0x7f0000000000UL + pgoff * PAGE_SIZE;
	vma->vm_end = vma->vm_start + nr_pages * PAGE_SIZE;
	vma->vm_pgoff = pgoff;
	vma->vm_flags = VM_SHARED | VM_WRITE;
	vma->vm_file = &w.files.at(event);
	ret = perf_mmap(vma->vm_file, vma);
	if (!ret)
		w.vmas.at(event).push_back(vma);
	else
		sim::note(("mmap(" + w.setup.events[event].name + ") failed: " + std::to_string(ret)).c_str());
	return ret;
}

int op_mmap(perf_world &w, int event)
{
	struct perf_event *e = &w.events.at(event);
	int ret = model_mmap(w, event, 0, 2);	/* the user page and one data page */

	if (ret)
		return ret;
	struct perf_buffer *rb = e->rb.peek();
	if (rb && rb->model_name.empty())
		rb->model_name = "rb(" + w.setup.events[event].name + ")";	/* model-only: for reports */
	if (!has_aux(e))
		return 0;
	/* an AUX event: user space asks for one AUX page right after the buffer, then maps it */
	WRITE_ONCE(rb->user_page->aux_offset, 2 * PAGE_SIZE);
	WRITE_ONCE(rb->user_page->aux_size, PAGE_SIZE);
	return model_mmap(w, event, 2, 1);
}

void op_munmap(perf_world &w, int event)
{
	auto &live = w.vmas.at(event);

	if (live.empty()) {
		sim::note(("munmap(" + w.setup.events[event].name + "): not mapped, nothing to do").c_str());
		return;
	}
	while (!live.empty()) {	/* the last mapping first: an AUX area before its buffer */
		struct vm_area_struct *vma = live.back();
		live.pop_back();
		perf_mmap_close(vma);
	}
	model_maybe_release(w, event);	/* issue 15 b: the vma's fput() may be the file's last */
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
	ghost_count_result(e, "read()", r.count);	/* issue 15 (a): monotonic-count */
	return r;
}

/* --- issue 15 (a): group reads, the lockless reader, the user page's time --- */

/* read(2) of L's fd with PERF_FORMAT_GROUP (attr read_format_group): perf_read() -> perf_read_group();
 * the group's {nr, time_enabled, time_running, {value}[nr]} in ReadGroupValues */
ReadGroupValues op_read_group(perf_world &w, int event)
{
	struct perf_event *e = &w.events.at(event);
	std::vector<u64> values(e->read_size / sizeof(u64) + 1, 0);
	ReadGroupValues r;

	if (!(e->attr.read_format & PERF_FORMAT_GROUP))
		throw std::invalid_argument("read_group(" + w.setup.events[event].name +
					    "): the event's read_format has no PERF_FORMAT_GROUP (set attr read_format_group)");
	r.ret = perf_read(&w.files.at(event), (char *)values.data(), values.size() * sizeof(u64), nullptr);
	if (r.ret <= 0)
		return r;
	size_t n = 0;
	u64 nr = values[n++];
	if (e->attr.read_format & PERF_FORMAT_TOTAL_TIME_ENABLED)
		r.enabled = values[n++];
	if (e->attr.read_format & PERF_FORMAT_TOTAL_TIME_RUNNING)
		r.running = values[n++];
	for (u64 i = 0; i < nr; i++)
		r.counts.push_back(values[n++]);
	return r;
}

/* perf_event_read_local(E, &value, &enabled, &running) on this CPU, as bpf_perf_event_read_value() */
ReadValues op_read_local(perf_world &w, int event)
{
	struct perf_event *e = &w.events.at(event);
	ReadValues r;

	r.ret = perf_event_read_local(e, &r.count, &r.enabled, &r.running);
	if (r.ret) {
		sim::note(("read_local(" + w.setup.events[event].name + ") = " + std::to_string(r.ret) +
			   ": not this CPU's event nor current's").c_str());
		return r;
	}
	ghost_read_local_result(e, r.count, r.enabled, r.running);
	return r;
}

bool op_userpage_time(perf_world &w, int event, struct model_userpage_time *r)
{
	if (w.vmas.at(event).empty()) {
		sim::note(("userpage_time(" + w.setup.events[event].name + "): not mapped, nothing to read").c_str());
		return false;
	}
	return model_userpage_read_time(&w.events.at(event), r);
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

/* model-only: the irq_work interrupt on this CPU, IRQs off as in any hard-IRQ handler (a lane's
 * handler has them off already; sequential callers do not) */
static void model_irq_work_interrupt(void)
{
	bool off = sim::irqs_off();
	if (!off)
		local_irq_disable();
	irq_work_run();
	if (!off)
		local_irq_enable();
}

/* The PMU interrupt of `event`: perf_event_overflow() -> __perf_event_overflow(): the interrupt
 * accounting (throttling), the aux actions, event->overflow_handler = perf_event_output_forward();
 * then, as the PMI returns, the irq_work self-IPI runs perf_pending_irq() on this CPU. */
void op_overflow(perf_world &w, int event)
{
	struct perf_event *e = &w.events.at(event);
	std::string text = std::string("overflow(") + e->model_name + ")";

	/* issue 15 (a): a software clock samples from its hrtimer (hardirq on the CPU that armed it) */
	if (model_is_swclock(e)) {
		if (!model_hrtimer_armed(e, smp_processor_id())) {
			sim::note((text + ": its hrtimer is not armed on cpu" + std::to_string(smp_processor_id()) +
				   ", nothing fires").c_str());
			return;
		}
		model_hrtimer_run(e);	/* __hrtimer_run_queues() -> __run_hrtimer() -> perf_swevent_hrtimer() */
		model_irq_work_interrupt();	/* the irq_work's self-IPI, as the interrupt returns */
		return;
	}
	/* model-only: only a running counter on this CPU raises the interrupt */
	if (e->oncpu.peek() != smp_processor_id() || !model_pmu_running(e)) {
		sim::note((text + ": the counter is not running on cpu" + std::to_string(smp_processor_id()) +
			   ", no interrupt").c_str());
		return;
	}
	if (has_aux(e)) {
		sim::note((text + ": an AUX event raises no sampling overflow in this model").c_str());
		return;
	}
	perf_event_overflow(e);
	if (sim::in_nmi_lane()) {
		/* issue 15: an NMI cannot run the irq_work; its self-IPI fires once the NMI returned and the
		 * CPU has IRQs on: the op pending_irq(cpu) after this one places it */
		if (!model_cpu(smp_processor_id())->irq_work_list.empty())
			sim::note((text + ": irq_work raised on cpu" + std::to_string(smp_processor_id()) +
				   ": it runs at pending_irq(" + std::to_string(smp_processor_id()) +
				   ") or, with none placed, after every lane returned").c_str());
		return;
	}
	model_irq_work_interrupt();	/* the irq_work's self-IPI, as the (hard-IRQ) interrupt returns */
}

/*
 * The irq_work interrupt of `cpu` (x86: the IRQ_WORK_VECTOR self-IPI that arch_irq_work_raise()
 * sent, sysvec_irq_work() -> irq_work_run()): runs the irq_work raised on this CPU, e.g.
 * perf_pending_disable() and perf_pending_irq(). In an nmi lane it is the self-IPI of the NMI's
 * own irq_work_queue(): the NMI returns, and the lane goes on as a hard IRQ of the same CPU once
 * that CPU has IRQs on (sim::nmi_return_to_irq()); in an irq lane it is taken as the handler
 * returns (IRQs come back on with the IPI pending).
 */
void op_pending_irq(perf_world &w, int cpu)
{
	(void)w;
	const std::string text = "pending_irq(cpu" + std::to_string(cpu) + ")";
	if (cpu != smp_processor_id())
		throw std::invalid_argument(text + " runs on cpu" + std::to_string(smp_processor_id()) +
					    ": an irq_work's self-IPI is taken by the CPU that raised it (hint: put it in "
					    "the nmi or irq lane of cpu" + std::to_string(cpu) + ", after its overflow)");
	if (!sim::running()) {	/* sequential (tests): as the interrupt would, with IRQs off */
		model_irq_work_interrupt();
		return;
	}
	if (!sim::in_interrupt_lane())
		throw std::invalid_argument(text + " is in a task lane: the irq_work runs in hard-IRQ context (hint: put it "
						   "in the nmi or irq lane of cpu" + std::to_string(cpu) + ", after the overflow that raises it)");
	if (model_cpu(cpu)->irq_work_list.empty()) {
		sim::note((text + ": no irq_work raised on this CPU: no self-IPI, nothing runs").c_str());
		return;
	}
	sim::nmi_return_to_irq();	/* a no-op in an irq lane */
	model_irq_work_interrupt();
}

/* ioctl(fd(event), PERF_EVENT_IOC_REFRESH, refresh): _perf_event_refresh() under ctx->mutex */
long op_refresh(perf_world &w, int event, int refresh)
{
	long ret = perf_ioctl(&w.files.at(event), PERF_EVENT_IOC_REFRESH, (unsigned long)refresh);
	if (ret)
		sim::note(("refresh(" + w.setup.events[event].name + "): " + std::to_string(ret)).c_str());
	return ret;
}

/* The scheduler tick on this CPU (sched_tick() in the timer interrupt): perf_event_task_tick(). */
void op_tick(perf_world &w)
{
	bool irqs = sim::irqs_off();
	if (!irqs)
		local_irq_disable();
	perf_event_task_tick();
	if (!irqs)
		local_irq_enable();
}

/* poll(2) on `event`'s file by a user task: do_poll() until an event is reported or it sleeps. */
void op_poll(perf_world &w, int event)
{
	struct task_struct *task = &w.poll_tasks.emplace_back();
	task->comm = "poller";
	struct poll_wqueues *pwq = &w.pollers.emplace_back();
	pwq->polling_task = task;
	pwq->event = &w.events.at(event);
	do_poll(pwq);
}

/* ioctl(fd(event), PERF_EVENT_IOC_SET_OUTPUT, fd(output_event)) */
int op_set_output(perf_world &w, int event, int output_event)
{
	return perf_event_set_output(&w.events.at(event), &w.events.at(output_event));
}

std::vector<std::string> lost_wakeups(perf_world &w)
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
				woken += (woken.empty() ? "" : ", ") + std::string(e.model_name) + "->waitq";
		lost.push_back(std::string("a poller sleeps on ") + p.event->model_name + "->waitq while " + rb->model_name +
			       " has EPOLLIN pending (data_head " + std::to_string(rb->model_user_page.data_head.peek()) +
			       ", watermark " + std::to_string(rb->watermark) + "); woken: " +
			       (woken.empty() ? std::string("none") : woken));
	}
	return lost;
}

/* An NMI on this CPU whose overflow samples `event` with PERF_SAMPLE_CALLCHAIN: the callchain
 * part of perf_event_overflow() -> ... -> perf_prepare_sample() -> perf_callchain(). The NMI owns
 * its CPU until it returns (the simulator's rule): no exclusion to take. */
void op_nmi_sample(perf_world &w, int event)
{
	struct perf_event *e = &w.events.at(event);
	int cpu = smp_processor_id();
	struct model_sample sample;
	std::string name = e->model_name;

	model_cpu(cpu)->in_nmi = true;
	if (e->model_removed) {
		sim::note(("nmi_sample(" + name + "): the event is off its context, no sample").c_str());
	} else {
		perf_callchain(e, &sample);
		sim::note(("nmi_sample(" + name + "): " +
			   (sample.user_deferred ? "PERF_CONTEXT_USER_DEFERRED, cookie " + std::to_string(sample.model_request_cookie)
			    : sample.user_inline ? "user callchain taken in the NMI" : "no user callchain"))
				  .c_str());
	}
	model_cpu(cpu)->in_nmi = false;
}

/*
 * The task, running on this CPU in the kernel, returns to user space: exit_to_user_mode_loop()
 * runs the task work (resume_user_mode_work() -> task_work_run()), then unwind_reset_info() on
 * the way out. An NMI of this CPU may land before, between and after (model_nmi_window()).
 * Afterwards the task is in user space; the next op that needs it in the kernel is its next entry.
 */
void op_return_to_user(perf_world &w, int context)
{
	struct task_struct *task = w.context_task.at(context);
	int cpu = smp_processor_id();

	if (!task || task->model_on_cpu != cpu || model_cpu(cpu)->curr != task) {
		sim::note(("return_to_user(" + w.setup.contexts.at(context).name + "): the task does not run on cpu" +
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

bool model_fdget(perf_world &w, int event, const char *syscall)
{
	if (w.fd_closed.at(event)) {
		sim::note((std::string(syscall) + "(" + w.setup.events.at(event).name + "): -EBADF, the fd is closed").c_str());
		return false;
	}
	w.fd_inflight.at(event)++;
	return true;
}

void model_fdput(perf_world &w, int event)
{
	w.fd_inflight.at(event)--;
	model_maybe_release(w, event);
}

/*
 * close() of the event's fd (issue 15 b): the fd table's fput(); the last fput() runs perf_release()
 * -> perf_event_release_kernel() (release.cpp). A read() or ioctl() in flight on another CPU, or a
 * mapping, holds the file: then the last of them releases it (fdput(), munmap()).
 */
void op_close(perf_world &w, int event)
{
	std::string name = w.setup.events.at(event).name;

	if (w.fd_closed.at(event)) {
		sim::note(("close(" + name + "): -EBADF, already closed").c_str());
		return;
	}
	w.fd_closed.at(event) = true;
	if (w.fd_inflight.at(event) || !w.vmas.at(event).empty())
		sim::note(("close(" + name + "): a syscall in flight or a mapping holds the file; its last fput() releases it").c_str());
	model_maybe_release(w, event);
}

/* __schedule() on this CPU from `from` (running here) to `to` (not running), with the PMU off (no
 * PMI: the model holds this CPU's NMI exclusion): the model's context switch. */
void op_sched_switch(perf_world &w, int from, int to)
{
	struct task_struct *prev = w.context_task.at(from), *next = w.context_task.at(to);
	int cpu = smp_processor_id();

	if (!prev || !next || prev->model_on_cpu != cpu || next->model_on_cpu >= 0) {
		sim::note(("sched_switch(" + w.setup.contexts.at(from).name + ", " + w.setup.contexts.at(to).name +
			   "): needs two task contexts, the first running on cpu" + std::to_string(cpu) +
			   ", the second not running; nothing to do").c_str());
		return;
	}
	model_nmi_hold(cpu);
	prev->model_on_cpu = -1;
	next->model_on_cpu = cpu;
	model_context_switch(prev, next);
	model_nmi_release(cpu);
}

/* setup: C's context was cloned at fork from a parent context common to every context this op
 * marks (perf_event_init_task(): parent_ctx, parent_gen); its events stay parentless. */
void op_inherited(perf_world &w, int context)
{
	struct perf_event_context *ctx = w.contexts.at(context);

	if (!w.context_task.at(context))
		throw std::invalid_argument("inherited(" + w.setup.contexts.at(context).name +
					    "): a CPU context is never a clone");
	ctx->parent_ctx = &w.fork_parent;
	ctx->parent_gen = w.fork_parent.generation;
}

/* --- issue 15 b: fork, exit, exec (fork.cpp, exec.cpp) --- */

/* is `context`'s task the one running on this CPU? (a note otherwise) */
static struct task_struct *model_running_here(perf_world &w, int context, const std::string &text)
{
	struct task_struct *task = w.context_task.at(context);
	int cpu = smp_processor_id();

	if (!task || task->model_on_cpu != cpu || model_cpu(cpu)->curr != task) {
		sim::note((text + ": needs the task running on cpu" + std::to_string(cpu) + ", nothing to do").c_str());
		return nullptr;
	}
	return task;
}

/* fork() by the parent task running on this CPU: copy_process() -> perf_event_init_task(child, 0).
 * The child is a task context of the scenario with no events, not running, not forked before. */
void op_fork(perf_world &w, int parent, int child)
{
	std::string text = "fork(" + w.setup.contexts.at(parent).name + ", " + w.setup.contexts.at(child).name + ")";
	struct task_struct *p = model_running_here(w, parent, text);
	struct task_struct *c = w.context_task.at(child);

	if (!p)
		return;
	if (!c || c == p || c->model_on_cpu >= 0 || w.contexts.at(child)->nr_events) {
		sim::note((text + ": the child must be another task context, not running, with no events; nothing to do").c_str());
		return;
	}
	perf_event_init_task(c, 0);
}

/* exit() of the task running on this CPU: do_exit() -> perf_event_exit_task(). The task stays
 * current (a zombie until it is switched out) with no perf context. */
void op_exit(perf_world &w, int context)
{
	struct task_struct *task = model_running_here(w, context, "exit(" + w.setup.contexts.at(context).name + ")");

	if (task)
		perf_event_exit_task(task);
}

/* execve() by the task running on this CPU: begin_new_exec() -> perf_event_exec(). */
void op_exec(perf_world &w, int context)
{
	if (model_running_here(w, context, "exec(" + w.setup.contexts.at(context).name + ")"))
		perf_event_exec();
}

/* The end of perf_event_open() for an event the setup left uninstalled (attr open_later, enabled):
 * under ctx->mutex, perf_install_in_context() (install.cpp). */
void op_install(perf_world &w, int event)
{
	struct perf_event *e = &w.events.at(event);
	struct perf_event_context *ctx = e->ctx;

	bool open_later = false;
	for (const auto &[k, v] : w.setup.events.at(event).attr)
		open_later |= k == "open_later" && v;
	if (!open_later || (e->attach_state & PERF_ATTACH_CONTEXT)) {
		sim::note(("install(" + std::string(e->model_name) + "): needs an event with attr open_later, not yet installed; nothing to do").c_str());
		return;
	}
	mutex_lock(&ctx->mutex);
	perf_install_in_context(ctx, e, e->cpu);
	mutex_unlock(&ctx->mutex);
}

/* Removal of an installed event from its context, as perf_pmu_migrate_context()'s
 * __perf_pmu_remove() and perf_event_open()'s move_group do it: perf_remove_from_context(E, 0)
 * under ctx->mutex (install.cpp); the event ends OFF, off the context's lists. */
void op_remove(perf_world &w, int event)
{
	struct perf_event *e = &w.events.at(event);
	struct perf_event_context *ctx;

	ctx = perf_event_ctx_lock(e);
	if (!(e->attach_state & PERF_ATTACH_CONTEXT)) {
		sim::note(("remove(" + std::string(e->model_name) + "): not in a context, nothing to do").c_str());
	} else {
		perf_remove_from_context(e, 0);
	}
	perf_event_ctx_unlock(e, ctx);
}

/* The mux hrtimer of each PMU on this CPU expires (hard IRQ), if a sched-in armed it
 * (merge_sched_in() -> perf_mux_hrtimer_restart()): __run_hrtimer() -> perf_mux_hrtimer_handler()
 * -> perf_rotate_context() (rotate.cpp). As op_tick: IRQs off around it unless a handler runs it. */
void op_rotate(perf_world &w)
{
	bool irqs = sim::irqs_off();
	int fired = 0;
	(void)w;
	if (!irqs)
		local_irq_disable();
	for (int pmu = 0; pmu < MODEL_NR_PMUS; pmu++)
		fired += model_mux_hrtimer_run(&model_cpu(smp_processor_id())->cpc[pmu]);
	if (!irqs)
		local_irq_enable();
	if (!fired)
		sim::note(("rotate: no mux hrtimer is armed on cpu" + std::to_string(smp_processor_id()) +
			   " (no sched-in found more groups than the PMU takes), nothing fires").c_str());
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
		bool watermark = false, wakeup_watermark = false;
		for (const auto &[name, value] : e.attr) {
			const auto &names = model::perf_model().attrs;
			if (std::find(names.begin(), names.end(), name) == names.end())
				throw std::invalid_argument(at_event(s, i) + ": unknown attr '" + name + "'");
			watermark |= name == "watermark" && value;
			wakeup_watermark |= name == "wakeup_watermark" && value;
		}
		if (wakeup_watermark && !watermark)
			throw std::invalid_argument(at_event(s, i) + ": wakeup_watermark needs watermark = 1 (perf_event_attr)");
		/* perf_event_open()'s checks of the aux bits */
		auto attr = [&e](const char *name) {
			for (const auto &[k, v] : e.attr)
				if (k == name)
					return v;
			return (int64_t)-1;
		};
		bool is_aux = attr("aux") > 0, cap = attr("aux_pause_cap") != 0;
		int leader = e.leader >= 0 ? e.leader : (int)i;
		bool leader_aux = false;
		for (const auto &[k, v] : s.events[leader].attr)
			leader_aux |= k == "aux" && v;
		if (is_aux && attr("cycles") > 0)
			throw std::invalid_argument(at_event(s, i) + ": an event is on one PMU: aux or cycles, not both");
		if ((attr("cpu_clock") > 0) + (attr("task_clock") > 0) + (attr("cycles") > 0) + is_aux > 1)
			throw std::invalid_argument(at_event(s, i) +
						    ": an event is on one PMU: at most one of aux, cycles, cpu_clock, task_clock");
		if (!is_aux && attr("aux_pause_cap") != -1)
			throw std::invalid_argument(at_event(s, i) + ": aux_pause_cap describes an AUX PMU; set aux = true");
		if (attr("aux_pause") > 0 && attr("aux_resume") > 0)
			throw std::invalid_argument(at_event(s, i) + ": aux_pause and aux_resume together: perf_event_open() returns -EINVAL");
		if (attr("aux_start_paused") > 0 && !(is_aux && cap))
			throw std::invalid_argument(at_event(s, i) +
						    ": aux_start_paused needs a PMU with PERF_PMU_CAP_AUX_PAUSE: perf_event_open() returns -EOPNOTSUPP");
		if (is_aux && leader != (int)i)
			throw std::invalid_argument(at_event(s, i) + ": the model's AUX events lead their group");
		if ((attr("aux_pause") > 0 || attr("aux_resume") > 0) && !leader_aux)
			throw std::invalid_argument(at_event(s, i) +
						    ": aux_pause/aux_resume need an AUX group leader: perf_event_open() returns -EINVAL");
	}
}

static int64_t attr_of(const model::EventSetup &e, const char *name, int64_t dflt)
{
	for (const auto &[k, v] : e.attr)
		if (k == name)
			return v;
	return dflt;
}

/* the model's PMUs, by model_pmu_index */
static struct pmu *const model_pmus[MODEL_NR_PMUS] = {&model_counting_pmu, &model_cycles_pmu, &model_aux_pmu,
							       &model_aux_pmu_nopause, &perf_cpu_clock, &perf_task_clock};

/*
 * kernel/events/core.c: find_get_pmu_context(), reduced to what it finds or makes (setup only,
 * model-only frame-less): a CPU context uses the PMU's per-CPU embedded epc, a task context gets
 * its own, added to ctx->pmu_ctx_list the first time (the list's order was not read; every
 * shipped scenario has one PMU per context).
 */
static struct perf_event_pmu_context *model_pmu_context(perf_world &w, struct perf_event_context *ctx,
							struct pmu *pmu, int cpu)
{
	for (struct perf_event_pmu_context *epc : ctx->pmu_ctx_list)
		if (epc->pmu == pmu)
			return epc;
	struct perf_event_pmu_context *epc = !ctx->task.peek() ? &per_cpu_ptr(pmu->cpu_pmu_context, cpu)->epc
							       : &w.task_epcs.emplace_back();
	epc->pmu = pmu;
	epc->ctx = ctx;
	ctx->pmu_ctx_list.push_back(epc);
	return epc;
}

struct perf_event_pmu_context *model_find_get_pmu_context(struct pmu *pmu, struct perf_event_context *ctx,
							  struct perf_event *event)
{
	(void)pmu;	/* a sibling joins its leader's pmu_ctx, as build_world() (model/README.md) */
	return model_pmu_context(*execution_world(), ctx, event->group_leader->pmu, event->cpu);
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
	ghost_context_init(ctx);	/* its clock has not started (model/perf/ghost.h) */
}

/* The perf model's entry points get the world as model::World. */
static perf_world &P(model::World &w) { return static_cast<perf_world &>(w); }

namespace model {

std::unique_ptr<perf_world> build_world(const WorldSetup &setup)
{
	check_setup(setup);

	auto world = std::make_unique<perf_world>(setup);	/* from here on, the execution's world */
	perf_world &w = *world;

	sim::set_tick(setup.tick);
	sim::set_clock(0);
	sim::set_sequential_cpu(0);

	/* CPUs: the idle task, the CPU context, the PMU's per-CPU context */
	int nr_cpus = std::min(std::max(setup.nr_cpus, 1), sim::kMaxCpus);
	for (int cpu = 0; cpu < nr_cpus; cpu++) {
		struct model_cpu &c = w.cpus.emplace_back();
		c.idle.comm = "swapper";
		c.idle.flags = PF_KTHREAD;
		c.idle.model_has_mm = false;
		c.idle.cpu.poke(cpu);
		c.idle.model_on_cpu = cpu;
		c.curr = &c.idle;
		init_context(&c.cpuctx.ctx, "cpu", nullptr);
		for (struct pmu *pmu : model_pmus) {
			struct perf_cpu_pmu_context *cpc = per_cpu_ptr(pmu->cpu_pmu_context, cpu);
			cpc->epc.pmu = pmu;
			cpc->epc.ctx = &c.cpuctx.ctx;
			cpc->epc.embedded = 1;
			__perf_mux_hrtimer_init(cpc, cpu);	/* perf_pmu_register(), per CPU (issue 15 b) */
		}
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
		task->comm = w.setup.contexts[i].name.c_str();
		task->cpu.poke(cs.running_on >= 0 ? cs.running_on : 0);
		init_context(ctx, w.setup.contexts[i].name.c_str(), task);
		get_ctx(ctx);	/* task->perf_event_ctxp's reference */
		task->perf_event_ctxp.poke(ctx);
		w.contexts[i] = ctx;
		w.context_task[i] = task;
	}

	/* events: created OFF (attr.disabled), installed in their context under ctx->lock */
	w.vmas.resize(setup.events.size());
	w.fd_inflight.assign(setup.events.size(), 0);
	w.fd_closed.assign(setup.events.size(), false);
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
			else if (name == "inherit_stat")
				event->attr.inherit_stat = value;
			else if (name == "enable_on_exec")
				event->attr.enable_on_exec = value;
			else if (name == "remove_on_exec")
				event->attr.remove_on_exec = value;
			else if (name == "watermark")
				event->attr.watermark = value;
			else if (name == "wakeup_watermark")
				event->attr.wakeup_watermark = value;
			else if (name == "aux_pause")
				event->attr.aux_pause = value;
			else if (name == "aux_resume")
				event->attr.aux_resume = value;
			else if (name == "aux_start_paused")
				event->attr.aux_start_paused = value;
			else if (name == "defer_callchain")
				event->attr.defer_callchain = value;
			else if (name == "exclude_callchain_user")
				event->attr.exclude_callchain_user = value;
			else if (name == "exclude_callchain_kernel")
				event->attr.exclude_callchain_kernel = value;
			else if (name == "read_format_group" && value)	/* issue 15 (a) */
				event->attr.read_format |= PERF_FORMAT_GROUP;
			else if (name == "sample_read" && value)
				event->attr.sample_type |= PERF_SAMPLE_READ;
		}
		event->attr.disabled = 1;
		event->overflow_handler = perf_event_output_forward;	/* perf_event_alloc(): the default */
		init_waitqueue_head(&event->waitq, event->model_name);
		model_init_irq_works(event);
		event->pmu = attr_of(es, "aux", 0) ? (attr_of(es, "aux_pause_cap", 1) ? &model_aux_pmu : &model_aux_pmu_nopause)
			     : attr_of(es, "cycles", 0) ? &model_cycles_pmu
			     : attr_of(es, "cpu_clock", 0) ? &perf_cpu_clock
			     : attr_of(es, "task_clock", 0) ? &perf_task_clock : &model_counting_pmu;
		/* issue 15 (a): perf_event_alloc() on a software PMU (task_ctx_nr == perf_sw_context), and the
		 * sampling period perf_swevent_init_hrtimer() / perf_event_alloc() set up */
		if (model_is_swclock(event))
			event->event_caps |= PERF_EV_CAP_SOFTWARE;
		event->hw.sample_period = event->attr.sample_period;
		event->hw.last_period = event->hw.sample_period;
		event->hw.period_left.counter.poke(event->hw.sample_period);
		event->cpu = cs.is_task ? -1 : cs.cpu;
		event->group_leader = (es.leader >= 0 && es.leader != (int)i) ? &w.events[es.leader] : event;
		event->ctx = ctx;
		/* a sibling joins its leader's pmu_ctx (the kernel's rule for a software sibling of a
		 * hardware group; model/README.md) */
		event->pmu_ctx = model_pmu_context(w, ctx, event->group_leader->pmu, event->cpu);
		if (cs.is_task) {
			event->attach_state |= PERF_ATTACH_TASK;
			event->hw.target = w.context_task[es.context];
		}
		/* perf_event_alloc(): aux_action needs the group's AUX event (perf_get_aux_event()) */
		if (event->attr.aux_pause || event->attr.aux_resume)
			event->aux_event = event->group_leader;
		event->oncpu.poke(-1);
		event->hw.state.poke(PERF_HES_STOPPED | PERF_HES_UPTODATE);
		refcount_set(&event->mmap_count, 0);
		atomic_long_set(&event->refcount, 1);	/* perf_event_alloc(): the fd's reference */
		perf_event__state_init(event);
		perf_event_alloc_defer(event, cs.is_task ? w.context_task[es.context] : NULL);
		if (event->attr.aux_start_paused) {	/* perf_event_alloc(): hw.aux_paused = 1 */
			event->hw.aux_paused.poke(1);
			event->ghost.user_paused = true;
		}
		perf_event__header_size(event);

		struct file *file = &w.files.emplace_back();
		file->private_data = event;

		if (attr_of(es, "open_later", 0)) {	/* issue 15 b: installed by the op install(E), enabled */
			event->attr.disabled = 0;
			perf_event__state_init(event);
			continue;
		}
		raw_spin_lock_irq(&ctx->lock);
		add_event_to_ctx(event, ctx);
		raw_spin_unlock_irq(&ctx->lock);
	}

	/* An AUX event's buffer and AUX area are mapped before it is enabled (perf record's order:
	 * without them pmu->add() fails and the event cannot go ACTIVE) */
	for (size_t i = 0; i < setup.events.size(); i++)
		if (setup.events[i].mapped && has_aux(&w.events[i]) && op_mmap(w, i))
			throw std::invalid_argument(at_event(setup, i) + ": perf_mmap() failed");

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
		if (want == PERF_EVENT_STATE_OFF || attr_of(setup.events[i], "open_later", 0))
			continue;
		op_ioctl(w, i, PERF_EVENT_IOC_ENABLE);
		if (want == PERF_EVENT_STATE_ERROR) {
			struct perf_event *event = &w.events[i];
			raw_spin_lock_irq(&event->ctx->lock);
			__event_disable(event, event->ctx, PERF_EVENT_STATE_ERROR);
			raw_spin_unlock_irq(&event->ctx->lock);
		}
	}
	/* issue 15: attr refresh = N: perf_event_open() then ioctl(PERF_EVENT_IOC_REFRESH, N) (event_limit) */
	for (size_t i = 0; i < setup.events.size(); i++) {
		int64_t refresh = attr_of(setup.events[i], "refresh", 0);
		if (refresh && op_refresh(w, i, (int)refresh))
			throw std::invalid_argument(at_event(setup, i) + ": ioctl(PERF_EVENT_IOC_REFRESH) failed (it needs a "
									 "sampling event that does not inherit)");
	}
	for (size_t i = 0; i < setup.events.size(); i++) {
		enum perf_event_state want = state_named(setup.events[i].state);
		int got = w.events[i].state.peek();
		if (got != want)
			throw std::invalid_argument(at_event(setup, i) + ": setup asks for " + state_name(want) +
						    " but the kernel put it in " + state_name(got) +
						    " (ACTIVE needs a running task context or a CPU context, and an AUX event a mapped AUX area; INACTIVE a task context that is not running)");
	}

	for (size_t i = 0; i < setup.events.size(); i++)
		if (setup.events[i].mapped && !has_aux(&w.events[i]) && op_mmap(w, i))
			throw std::invalid_argument(at_event(setup, i) + ": perf_mmap() failed");

	return world;
}

/* --- entry points --- */

/* issue 15 b: a syscall on the event's fd holds the file from fdget() to fdput() (close()) */
template <typename F>
static void model_fd_syscall(perf_world &w, int event, const char *syscall, F body)
{
	if (!model::model_fdget(w, event, syscall))
		return;
	body();
	model::model_fdput(w, event);
}

const std::vector<Entry> &model_ops()
{
	static const std::vector<Entry> ops = {
		{"sched_out", {{"task", ArgKind::Context}},
		 "task switch out on this CPU: perf_event_task_sched_out() -> __perf_event_task_sched_out()",
		 [](World &w, const std::vector<int64_t> &a) { op_sched_out(P(w), a.at(0)); }, "sched"},
		{"sched_in", {{"task", ArgKind::Context}},
		 "task switch in on this CPU: perf_event_task_sched_in() -> __perf_event_task_sched_in()",
		 [](World &w, const std::vector<int64_t> &a) { op_sched_in(P(w), a.at(0)); }, "sched"},
		{"mmap", {{"event", ArgKind::Event}},
		 "mmap() of the event's fd, user page + 1 data page: perf_mmap() -> perf_mmap_rb()",
		 [](World &w, const std::vector<int64_t> &a) { model_fd_syscall(P(w), a.at(0), "mmap", [&] { op_mmap(P(w), a.at(0)); }); }, "mmap"},
		{"munmap", {{"event", ArgKind::Event}},
		 "munmap() of the event's mappings, the last first (an AUX area before its buffer): perf_mmap_close()",
		 [](World &w, const std::vector<int64_t> &a) { op_munmap(P(w), a.at(0)); }, "mmap"},
		{"read", {{"event", ArgKind::Event}},
		 "read() of count, time_enabled, time_running: perf_read() -> perf_read_one() -> perf_event_read()",
		 [](World &w, const std::vector<int64_t> &a) { model_fd_syscall(P(w), a.at(0), "read", [&] { op_read(P(w), a.at(0)); }); }, "read"},
		{"enable", {{"event", ArgKind::Event}},
		 "ioctl(PERF_EVENT_IOC_ENABLE): perf_ioctl() -> _perf_event_enable() -> event_function_call()",
		 [](World &w, const std::vector<int64_t> &a) { model_fd_syscall(P(w), a.at(0), "enable", [&] { op_ioctl(P(w), a.at(0), PERF_EVENT_IOC_ENABLE); }); }, "enable"},
		{"disable", {{"event", ArgKind::Event}},
		 "ioctl(PERF_EVENT_IOC_DISABLE): perf_ioctl() -> _perf_event_disable() -> event_function_call()",
		 [](World &w, const std::vector<int64_t> &a) { model_fd_syscall(P(w), a.at(0), "disable", [&] { op_ioctl(P(w), a.at(0), PERF_EVENT_IOC_DISABLE); }); }, "enable"},
		{"reset", {{"event", ArgKind::Event}},
		 "ioctl(PERF_EVENT_IOC_RESET): perf_ioctl() -> _perf_event_reset()",
		 [](World &w, const std::vector<int64_t> &a) { model_fd_syscall(P(w), a.at(0), "reset", [&] { op_ioctl(P(w), a.at(0), PERF_EVENT_IOC_RESET); }); }, "enable"},
		{"userpage_read", {{"event", ArgKind::Event}},
		 "user space reads time_enabled/time_running from the mmap()ed user page (seqcount loop)",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 u64 enabled, running;
			 op_userpage_read(w, a.at(0), &enabled, &running);
		 }, "userpage"},
		{"read_group", {{"leader", ArgKind::Event}},
		 "read(2) of a PERF_FORMAT_GROUP event (attr read_format_group): perf_read_group() of its group",
		 [](World &w, const std::vector<int64_t> &a) { model_fd_syscall(P(w), a.at(0), "read_group", [&] { op_read_group(P(w), a.at(0)); }); }, "read"},
		{"read_local", {{"event", ArgKind::Event}},
		 "perf_event_read_local(E) on this CPU, IRQs off, no lock (as BPF's bpf_perf_event_read_value())",
		 [](World &w, const std::vector<int64_t> &a) { op_read_local(P(w), a.at(0)); }, "read"},
		{"userpage_time", {{"event", ArgKind::Event}},
		 "user space reads the user page with the documented loop (cap_user_time: extrapolates enabled/running)",
		 [](World &w, const std::vector<int64_t> &a) {
			 struct model_userpage_time r = {};
			 op_userpage_time(P(w), a.at(0), &r);
		 }, "userpage"},
		{"overflow", {{"event", ArgKind::Event}},
		 "the counter's overflow interrupt: perf_event_overflow() (throttle, aux_pause/aux_resume, "
		 "perf_event_output_forward()), then the irq_work runs perf_pending_irq()",
		 [](World &w, const std::vector<int64_t> &a) { op_overflow(P(w), a.at(0)); }, "output"},
		{"pending_irq", {{"cpu", ArgKind::Cpu}},
		 "the irq_work interrupt of the CPU (the self-IPI after an NMI returns, at its next IRQs-on point): "
		 "irq_work_run() -> perf_pending_disable() (event_limit), perf_pending_irq() (wakeups)",
		 [](World &w, const std::vector<int64_t> &a) { op_pending_irq(P(w), a.at(0)); }, "output"},
		{"refresh", {{"event", ArgKind::Event}, {"refresh", ArgKind::Integer}},
		 "ioctl(PERF_EVENT_IOC_REFRESH, n): perf_ioctl() -> _perf_event_refresh(): event_limit += n, then _perf_event_enable()",
		 [](World &w, const std::vector<int64_t> &a) { op_refresh(P(w), a.at(0), (int)a.at(1)); }, "enable"},
		{"nmi_sample", {{"event", ArgKind::Event}},
		 "an overflow NMI on this CPU samples the event's callchain: perf_callchain() -> deferred_request() -> unwind_deferred_request()",
		 [](World &w, const std::vector<int64_t> &a) { op_nmi_sample(P(w), a.at(0)); }, "callchain"},
		{"return_to_user", {{"task", ArgKind::Context}},
		 "the task returns to user space: task_work_run() -> unwind_deferred_task_work() -> perf_event_deferred_task(), then unwind_reset_info()",
		 [](World &w, const std::vector<int64_t> &a) { op_return_to_user(P(w), a.at(0)); }, "callchain"},
		{"close", {{"event", ArgKind::Event}},
		 "close() of the event's fd; the last fput() (or the syscall in flight's, or munmap()'s) runs "
		 "perf_event_release_kernel(): perf_remove_from_context(DETACH_GROUP|DETACH_DEAD), the children "
		 "(DETACH_CHILD: sync_child_event()), put_event() -> _free_event()",
		 [](World &w, const std::vector<int64_t> &a) { op_close(P(w), a.at(0)); }, "install"},
		{"sched_switch", {{"from", ArgKind::Context}, {"to", ArgKind::Context}},
		 "context switch on this CPU between two tasks: perf_event_context_sched_out() (the clone swap unless "
		 "nr_no_switch_fast), perf_event_task_sched_in()",
		 [](World &w, const std::vector<int64_t> &a) { op_sched_switch(P(w), a.at(0), a.at(1)); }, "sched"},
		{"inherited", {{"task", ArgKind::Context}},
		 "setup: the task's context was cloned at fork from a parent context common to every context so marked "
		 "(parent_ctx, parent_gen: context_equiv() holds between them)",
		 [](World &w, const std::vector<int64_t> &a) { op_inherited(P(w), a.at(0)); }, "sched"},
		{"fork", {{"parent", ArgKind::Context}, {"child", ArgKind::Context}},
		 "fork() by the parent running on this CPU: perf_event_init_task() -> perf_event_init_context() -> "
		 "inherit_task_group() -> inherit_event() for each attr.inherit group (the child: an empty task context)",
		 [](World &w, const std::vector<int64_t> &a) { op_fork(P(w), a.at(0), a.at(1)); }, "fork"},
		{"exit", {{"task", ArgKind::Context}},
		 "exit() of the task running on this CPU: perf_event_exit_task() -> perf_event_exit_event() -> "
		 "perf_remove_from_context(DETACH_EXIT|GROUP|CHILD) -> sync_child_event() into the parents",
		 [](World &w, const std::vector<int64_t> &a) { op_exit(P(w), a.at(0)); }, "fork"},
		{"exec", {{"task", ArgKind::Context}},
		 "execve() by the task running on this CPU: perf_event_exec() -> perf_event_enable_on_exec() (the time "
		 "freeze, ctx_resched()), perf_event_remove_on_exec()",
		 [](World &w, const std::vector<int64_t> &a) { op_exec(P(w), a.at(0)); }, "exec"},
		{"install", {{"event", ArgKind::Event}},
		 "the end of perf_event_open() for an event with attr open_later: perf_install_in_context() -> "
		 "task_function_call() / __perf_install_in_context() (the time freeze, ctx_resched())",
		 [](World &w, const std::vector<int64_t> &a) { op_install(P(w), a.at(0)); }, "install"},
		{"remove", {{"event", ArgKind::Event}},
		 "perf_remove_from_context(E, 0) under ctx->mutex, as perf_pmu_migrate_context() and perf_event_open()'s "
		 "move_group do: event_function_call() / __perf_remove_from_context() -> perf_group_detach(), list_del_event()",
		 [](World &w, const std::vector<int64_t> &a) { op_remove(P(w), a.at(0)); }, "install"},
		{"rotate", {},
		 "the multiplexing hrtimer of each PMU on this CPU expires, if merge_sched_in() armed it "
		 "(perf_mux_hrtimer_restart()): perf_mux_hrtimer_handler() -> perf_rotate_context() "
		 "(update_context_time(), flexible groups out, rotated, back in); NORESTART disarms it",
		 [](World &w, const std::vector<int64_t> &) { op_rotate(P(w)); }, "rotate"},
		{"tick", {},
		 "the scheduler tick on this CPU: perf_event_task_tick() -> perf_adjust_freq_unthr_context() (unthrottle)",
		 [](World &w, const std::vector<int64_t> &) { op_tick(P(w)); }, "throttle"},
		{"poll", {{"event", ArgKind::Event}},
		 "poll(2) on the event's fd: do_poll() -> perf_poll(); sleeps in TASK_INTERRUPTIBLE when nothing is ready",
		 [](World &w, const std::vector<int64_t> &a) { model_fd_syscall(P(w), a.at(0), "poll", [&] { op_poll(P(w), a.at(0)); }); }, "output"},
		{"set_output", {{"event", ArgKind::Event}, {"output", ArgKind::Event}},
		 "ioctl(PERF_EVENT_IOC_SET_OUTPUT): perf_event_set_output(event, output)",
		 [](World &w, const std::vector<int64_t> &a) {
			 model_fd_syscall(P(w), a.at(0), "set_output", [&] {
				 model_fd_syscall(P(w), a.at(1), "set_output", [&] { op_set_output(P(w), a.at(0), a.at(1)); });
			 });
		 }, "output"},
	};
	return ops;
}

const std::vector<Entry> &model_functions()
{
	static const std::vector<Entry> fns = {
		{"perf_event_update_time", {{"event", ArgKind::Event}},
		 "perf_event_update_time(E): charge ctx time since tstamp by state (caller's locks)",
		 [](World &w, const std::vector<int64_t> &a) { perf_event_update_time(&P(w).events.at(a.at(0))); }, "time"},
		{"__perf_update_times", {{"event", ArgKind::Event}},
		 "__perf_update_times(E, perf_event_time(E), &enabled, &running) into locals (reads only)",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 struct perf_event *event = &w.events.at(a.at(0));
			 u64 enabled, running;
			 __perf_update_times(event, perf_event_time(event), &enabled, &running);
		 }, "time"},
		{"perf_event_set_state", {{"event", ArgKind::Event}, {"state", ArgKind::Integer}},
		 "perf_event_set_state(E, state): -2 ERROR, -1 OFF, 0 INACTIVE, 1 ACTIVE (needs ctx->lock)",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 perf_event_set_state(&w.events.at(a.at(0)), (enum perf_event_state)a.at(1));
		 }, "time"},
		{"perf_event_update_sibling_time", {{"event", ArgKind::Event}},
		 "perf_event_update_sibling_time(leader)",
		 [](World &w, const std::vector<int64_t> &a) { perf_event_update_sibling_time(&P(w).events.at(a.at(0))); }, "time"},
		{"event_sched_out", {{"event", ArgKind::Event}},
		 "event_sched_out(E, E->ctx) (needs ctx->lock)",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 struct perf_event *event = &w.events.at(a.at(0));
			 event_sched_out(event, event->ctx);
		 }, "sched"},
		{"event_sched_in", {{"event", ArgKind::Event}},
		 "event_sched_in(E, E->ctx) on this CPU (needs ctx->lock)",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 struct perf_event *event = &w.events.at(a.at(0));
			 event_sched_in(event, event->ctx);
		 }, "sched"},
		{"group_sched_out", {{"event", ArgKind::Event}},
		 "group_sched_out(leader, leader->ctx) (needs ctx->lock)",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 struct perf_event *event = &w.events.at(a.at(0));
			 perf_pmu_disable(event->pmu);
			 group_sched_out(event, event->ctx);
			 perf_pmu_enable(event->pmu);
		 }, "sched"},
		{"ctx_sched_out", {{"context", ArgKind::Context}},
		 "ctx_sched_out(C, NULL, EVENT_ALL) on this CPU (needs ctx->lock)",
		 [](World &w, const std::vector<int64_t> &a) { ctx_sched_out(P(w).contexts.at(a.at(0)), NULL, EVENT_ALL); }, "sched"},
		{"ctx_sched_in", {{"context", ArgKind::Context}},
		 "ctx_sched_in(C, NULL, EVENT_ALL) on this CPU (needs ctx->lock)",
		 [](World &w, const std::vector<int64_t> &a) { ctx_sched_in(P(w).contexts.at(a.at(0)), NULL, EVENT_ALL); }, "sched"},
		{"update_context_time", {{"context", ArgKind::Context}},
		 "update_context_time(C): advance the context clock to perf_clock() (needs ctx->lock)",
		 [](World &w, const std::vector<int64_t> &a) { update_context_time(P(w).contexts.at(a.at(0))); }, "time"},
		{"__perf_event_read", {{"event", ArgKind::Event}},
		 "__perf_event_read() as the IPI handler would run it, on this CPU with IRQs off",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 struct perf_read_data data = {&w.events.at(a.at(0)), false, 0};
			 local_irq_disable();
			 __perf_event_read(&data);
			 local_irq_enable();
		 }, "read"},
		{"perf_event_read", {{"event", ArgKind::Event}},
		 "perf_event_read(E, false): the ACTIVE (IPI) or INACTIVE (ctx->lock) update",
		 [](World &w, const std::vector<int64_t> &a) { perf_event_read(&P(w).events.at(a.at(0)), false); }, "read"},
		{"perf_event_update_userpage", {{"event", ArgKind::Event}},
		 "perf_event_update_userpage(E): the user-page seqcount writer (caller's locks)",
		 [](World &w, const std::vector<int64_t> &a) { perf_event_update_userpage(&P(w).events.at(a.at(0))); }, "userpage"},
		{"calc_timer_values", {{"event", ArgKind::Event}},
		 "calc_timer_values(E): the lockless enabled/running computation of the user page",
		 [](World &any, const std::vector<int64_t> &a) {
			 perf_world &w = P(any);
			 u64 now, enabled, running;
			 calc_timer_values(&w.events.at(a.at(0)), &now, &enabled, &running);
		 }, "userpage"},
		{"perf_event_throttle_group", {{"event", ArgKind::Event}},
		 "perf_event_throttle_group(E) on this CPU",
		 [](World &w, const std::vector<int64_t> &a) { perf_event_throttle_group(&P(w).events.at(a.at(0))); }, "throttle"},
		{"perf_event_unthrottle_group", {{"event", ArgKind::Event}},
		 "perf_event_unthrottle_group(E, false) on this CPU (needs ctx->lock)",
		 [](World &w, const std::vector<int64_t> &a) { perf_event_unthrottle_group(&P(w).events.at(a.at(0)), false); },
		 "throttle"},
		{"perf_event_aux_pause", {{"event", ArgKind::Event}, {"pause", ArgKind::Integer}},
		 "perf_event_aux_pause(E, pause): 1 pause, 0 resume, through the recursion guard",
		 [](World &w, const std::vector<int64_t> &a) { perf_event_aux_pause(&P(w).events.at(a.at(0)), a.at(1) != 0); },
		 "aux"},
	};
	return fns;
}

/* perf_world's objects for model/lock_objects.h: contexts and events by setup index */
struct perf_objects {
	perf_world &w;
	struct perf_event_context *ctx(int i) const { return w.contexts.at(i); }
	struct mutex *mmap_mutex(int i) const { return &w.events.at(i).mmap_mutex; }
};

void lock_object(perf_world &world, LockKind kind, int object) { lock_object_of(perf_objects{world}, kind, object); }
void unlock_object(perf_world &world, LockKind kind, int object) { unlock_object_of(perf_objects{world}, kind, object); }

/* The callchain invariants on the state left behind (sim::violation() on the first). */
static void check_final_callchain(perf_world &w)
{
	for (struct perf_event &e : w.events) {
		struct task_struct *queued = e.unwind_work.task.peek();
		if (e.model_freed && queued && ghost_invariant_enabled(GHOST_NO_CALLBACK_AFTER_FREE)) {
			sim::violation("no-callback-after-free",
				       (std::string(e.model_name) + " was freed with its unwind_work still queued on " +
					queued->comm + ": the callback runs on freed memory at its next return to user")
					       .c_str());
			return;
		}
	}
	for (size_t i = 0; i < w.contexts.size(); i++) {
		struct perf_event_context *ctx = w.contexts[i];
		long owed = 0;
		for (struct perf_event &e : w.events)
			if (e.ctx == ctx && !e.model_freed && e.unwind_work.task.peek())
				owed++;
		long nr = ctx->nr_no_switch_fast.a.peek();
		if (nr != owed && ghost_invariant_enabled(GHOST_NR_NO_SWITCH_FAST_BALANCE)) {
			sim::violation("nr_no_switch_fast-balance",
				       ("context " + w.setup.contexts[i].name + ": nr_no_switch_fast = " + std::to_string(nr) +
					" but " + std::to_string(owed) + " deferred callback(s) are owed" +
					(nr > owed ? ": the context-switch fast path stays off for good" : ""))
					       .c_str());
			return;
		}
	}
}

/* The throttle and AUX invariants, on the state left behind (sim::violation() on the first). */
static void check_final_throttle(perf_world &w)
{
	char buf[256];

	for (struct perf_event &e : w.events) {
		struct perf_event *event = &e;
		bool active = event->state.peek() == PERF_EVENT_STATE_ACTIVE;
		bool throttled = event->hw.interrupts.peek() == MAX_INTERRUPTS;
		bool running = model_pmu_running(event);

		if (active && throttled && running && ghost_invariant_enabled(GHOST_THROTTLED_PMU_STOPPED)) {
			snprintf(buf, sizeof(buf), "%s: hw.interrupts == MAX_INTERRUPTS (throttled) but its %s",
				 event->model_name, has_aux(event) ? "AUX hardware is still tracing" : "counter still runs");
			sim::violation("throttled-pmu-stopped", buf);
			return;
		}
		if (!has_aux(event) || !active)
			continue;
		if (!throttled && event->hw.aux_paused.peek() && !event->ghost.user_paused &&
		    ghost_invariant_enabled(GHOST_NOT_PAUSED_UNLESS_USER)) {
			snprintf(buf, sizeof(buf),
				 "%s: ACTIVE and not throttled, but hw.aux_paused = 1 and no user pause is in force: tracing "
				 "stays off until the user resumes",
				 event->model_name);
			sim::violation("not-paused-unless-user", buf);
			return;
		}
		if (event->ghost.user_paused && running && ghost_invariant_enabled(GHOST_USER_PAUSE_KEPT)) {
			snprintf(buf, sizeof(buf), "%s: the user paused AUX tracing (aux-action) but the hardware is tracing",
				 event->model_name);
			sim::violation("user-pause-kept", buf);
			return;
		}
	}
}

/* issue 15 b (not-stranded): could `event` have the PMU of its CPU, i.e. is no other event of its
 * PMU ACTIVE there that is exclusive, and none at all if it is exclusive itself? */
static bool model_pmu_free_for(perf_world &w, struct perf_event *event)
{
	for (struct perf_event &o : w.events) {
		if (&o == event || o.pmu != event->pmu || o.state.peek() != PERF_EVENT_STATE_ACTIVE)
			continue;
		if (o.attr.exclusive || event->attr.exclusive)
			return false;
	}
	return true;
}

/* i15-hist (not-starved): the CPU whose PMU `event` would go on (its CPU context's, or the CPU its
 * task runs on; -1 if its task does not run), and whether no event of its PMU is ACTIVE there */
static int model_event_sched_cpu(struct perf_event *event)
{
	struct perf_event_context *ctx = event->ctx;
	if (!ctx)
		return -1;
	struct task_struct *task = ctx->task.peek();
	if (!task)
		return event->cpu;
	if (task == TASK_TOMBSTONE || task->model_on_cpu < 0)
		return -1;
	return task->model_on_cpu;
}

static bool model_pmu_idle_on(perf_world &w, struct perf_event *event, int cpu)
{
	for (struct perf_event &o : w.events)
		if (&o != event && o.pmu == event->pmu && o.state.peek() == PERF_EVENT_STATE_ACTIVE && o.oncpu.peek() == cpu)
			return false;
	return true;
}

/*
 * The final quiescent update, as a reader holding ctx->lock would do it (the INACTIVE path of
 * perf_event_read(), for every event): bring the context clock up to date if it runs, update
 * every event's times, then compare with the ledger.
 */
void check_final(perf_world &w)
{
	/* issue 15: irq_work still raised when every lane has returned (an NMI's whose pending_irq the
	 * scenario did not place, or one irq_work_queue_on() sent to another CPU) runs now, as that
	 * CPU's irq_work interrupt after the scenario's lanes */
	for (size_t cpu = 0; cpu < w.cpus.size(); cpu++) {
		if (w.cpus[cpu].irq_work_list.empty())
			continue;
		sim::set_sequential_cpu(cpu);
		model_irq_work_interrupt();
		sim::set_sequential_cpu(0);
	}
	for (struct perf_event_context *ctx : w.contexts) {
		raw_spin_lock_irq(&ctx->lock);
		if ((ctx->is_active.peek() & EVENT_TIME) && !(ctx->is_active.peek() & EVENT_FROZEN))
			update_context_time(ctx);
		for (struct perf_event *event : ctx->event_list)
			perf_event_update_time(event);
		raw_spin_unlock_irq(&ctx->lock);
	}
	for (struct perf_event &event : w.events) {
		ghost_check_event_final(&event);
		ghost_check_children_final(&event);	/* issue 15 b: fork/exit */
		ghost_check_not_stranded(&event, event.ctx && (event.ctx->is_active.peek() & EVENT_ALL),
					 model_pmu_free_for(w, &event));	/* issue 15 b: exec */
		if (int cpu = model_event_sched_cpu(&event);	/* i15-hist: rotation */
		    cpu >= 0 && (event.cpu < 0 || event.cpu == cpu) && event.pmu_ctx)
			ghost_check_not_starved(&event, event.ctx->is_active.peek() & EVENT_FLEXIBLE,
						model_pmu_idle_on(w, &event, cpu), event.pmu_ctx->rotate_necessary);
		if (ghost_invariant_enabled(GHOST_EVENT_LIMIT))	/* issue 15: event_limit / REFRESH */
			ghost_check_event_limit_final(&event, event.oncpu.peek() >= 0 && model_pmu_running(&event));
	}
	if (ghost_invariant_enabled(GHOST_NO_LOST_WAKEUP))
		for (const std::string &lost : lost_wakeups(w))
			sim::violation("no-lost-wakeup", lost.c_str());
	check_final_throttle(w);
	check_final_callchain(w);
}

/* --- the perf model, as data --- */

const Model &perf_model()
{
	static const Model model = {
		.name = "perf",
		.summary = "kernel/events/core.c @ 12f24484da13 (6.17+), one model in areas: state-based timekeeping, the "
			   "task switch, read(), ioctl, mmap and the user page; output, wakeups and set_output (seed 004); "
			   "throttling and AUX pause/resume (seed 003); deferred user callchains, v16 (seed 002)",
		.variants = model_variants(),
		.invariants = ghost_invariants(),
		.attrs = {"pinned", "exclusive", "inherit", "inherit_stat", "enable_on_exec", "remove_on_exec", "open_later", "watermark", "wakeup_watermark", "cycles", "aux", "aux_pause_cap", "aux_pause",
			  "aux_resume", "aux_start_paused", "defer_callchain", "exclude_callchain_user",
			  "exclude_callchain_kernel", "read_format_group", "cpu_clock", "task_clock", "sample_read",
			  "refresh"},
		.ops = model_ops(),
		.functions = model_functions(),
		.lock_kinds = {LockKind::CtxLock, LockKind::CtxMutex, LockKind::MmapMutex},
		.retired = {
			{"aux-throttle",
			 "its throttle and aux areas are perf's: remove the `model` line and give the counting events of an "
			 "AUX group attr cycles = true (the sampling PMU the aux-throttle model used)"},
			{"output-wakeup", "its output area is perf's: remove the `model` line"},
			{"deferred-callchain",
			 "its callchain area is perf's: remove the `model` line, write [expect] upstream for v16 (the base is v16 "
			 "as posted), and mark the task contexts a sched_switch() may swap with [setup] ops = [\"inherited(T)\", ...]"},
		},
		.build_world = [](const WorldSetup &setup) -> std::unique_ptr<World> { return model::build_world(setup); },
		.lock_object = [](World &w, LockKind kind, int object) { model::lock_object(P(w), kind, object); },
		.unlock_object = [](World &w, LockKind kind, int object) { model::unlock_object(P(w), kind, object); },
		.check_final = [](World &w) { model::check_final(P(w)); },
	};
	return model;
}

}  // namespace model
