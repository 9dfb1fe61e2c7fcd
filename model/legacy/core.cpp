/*
 * kernel/perf_event.c of the 2.6.32 generation (seed 001): the event/context timekeeping, the
 * task switch with its cloned-context fast path (context_equiv(), perf_event_sync_stat()), the
 * enable ioctl and read(). Functions are in kernel order and carry their 2.6.32 names; the seed
 * gives no line numbers, so every frame is MODEL_FRAME_FILE("perf_event.c", 0). Lines the seed
 * drops as repeats (it keeps only the first copy of each line) are taken from the full file of
 * that generation read with the search tool (see perf_event.h).
 *
 * Model differences, each also marked at its line:
 *  - perf_disable()/perf_enable() and hw_perf_group_sched_in() are the weak 2.6.32 defaults
 *    (barrier() / return 0): nothing to model;
 *  - the PMU is the model's counting PMU (below), a hardware PMU for is_software_event();
 *  - pending_disable, perf_sw_event(), perf_event_update_userpage() (inherited events have no
 *    fd to mmap(), so no user page), PERF_FORMAT_GROUP/ID reads are left out.
 */
#include <cerrno>
#include <cstring>

#include "model/legacy/perf_event.h"

#define PERF_FRAME() MODEL_FRAME_FILE("perf_event.c", 0)

namespace legacy {

/* --- model-only: the counting PMU --- */

/*
 * model-only: a counter that counts model time (sim::clock_peek()) while enabled, updated the way
 * 2.6.32's task_clock_perf_event_update() (seed 001) updates a software clock: prev =
 * atomic64_xchg(&hw.prev_count, now); atomic64_add(now - prev, &count). Reading the counter is a
 * register read on the event's CPU: no memory access, no clock advance.
 */
static void model_pmu_update(struct perf_event *event)
{
	PERF_FRAME();
	u64 now = sim::clock_peek();
	u64 prev = atomic64_xchg(&event->hw.prev_count, now);
	atomic64_add(now - prev, &event->count);
}

static int model_pmu_enable(struct perf_event *event)
{
	PERF_FRAME();
	atomic64_set(&event->hw.prev_count, sim::clock_peek());
	return 0;
}

static void model_pmu_disable(struct perf_event *event) { model_pmu_update(event); }
static void model_pmu_read(struct perf_event *event) { model_pmu_update(event); }

const struct pmu model_counting_pmu = {model_pmu_enable, model_pmu_disable, model_pmu_read};

/* include/linux/perf_event.h (2.6.32): is_software_event(); the model's PMU counts as hardware */
static inline int is_software_event(struct perf_event *event) { return 0; }

/* kernel/perf_event.c (2.6.32): perf_disable()/perf_enable(); hw_perf_disable/enable are the weak barrier() */
static void perf_disable(void) {}
static void perf_enable(void) {}

/* kernel/perf_event.c (2.6.32): the weak hw_perf_group_sched_in() returns 0 */
static int hw_perf_group_sched_in(struct perf_event *group_leader, struct perf_cpu_context *cpuctx,
				  struct perf_event_context *ctx, int cpu)
{
	return 0;
}

/* lockdep's SINGLE_DEPTH_NESTING subclass: no lockdep classes in the model */
#define spin_lock_nested(lock, subclass) spin_lock(lock)

/* the state stores, each with the ledger's state change at the same point (model-only) */
#define SET_STATE(event, s) do { (event)->state = (s); ghost_set_state((event), (s)); } while (0)

/* --- kernel/perf_event.c (2.6.32) --- */

/* kernel/perf_event.c: list_add_event() @ 2.6.32 (seed 001; no line). Must be called with ctx->mutex and ctx->lock held. */
static void list_add_event(struct perf_event *event, struct perf_event_context *ctx)
{
	PERF_FRAME();
	struct perf_event *group_leader = event->group_leader;

	/*
	 * Depending on whether it is a standalone or sibling event,
	 * add it straight to the context's event list, or to the group
	 * leader's sibling list:
	 */
	if (group_leader == event)
		ctx->group_list.push_back(event);
	else
		group_leader->sibling_list.push_back(event);	/* model: nr_siblings is the vector's size */

	ctx->event_list.push_back(event);
	ctx->nr_events++;
	if (event->attr.inherit_stat)
		ctx->nr_stat++;
}

/* kernel/perf_event.c: event_sched_out() @ 2.6.32 (seed 001; no line). Model: no pending_disable. */
void event_sched_out(struct perf_event *event, struct perf_cpu_context *cpuctx, struct perf_event_context *ctx)
{
	PERF_FRAME();
	if (event->state != PERF_EVENT_STATE_ACTIVE)
		return;

	SET_STATE(event, PERF_EVENT_STATE_INACTIVE);
	/* model: event->pending_disable (set only by an NMI overflow) is not modelled */
	event->tstamp_stopped = ctx->time;
	event->pmu->disable(event);
	event->oncpu = -1;

	if (!is_software_event(event))
		cpuctx->active_oncpu--;
	ctx->nr_active--;
	if (event->attr.exclusive || !cpuctx->active_oncpu)
		cpuctx->exclusive = 0;
}

/* kernel/perf_event.c: group_sched_out() @ 2.6.32 (seed 001; no line). */
void group_sched_out(struct perf_event *group_event, struct perf_cpu_context *cpuctx, struct perf_event_context *ctx)
{
	PERF_FRAME();
	if (group_event->state != PERF_EVENT_STATE_ACTIVE)
		return;

	event_sched_out(group_event, cpuctx, ctx);

	/*
	 * Schedule out siblings (if any):
	 */
	for (struct perf_event *event : group_event->sibling_list)
		event_sched_out(event, cpuctx, ctx);

	if (group_event->attr.exclusive)
		cpuctx->exclusive = 0;
}

/* kernel/perf_event.c: perf_clock() @ 2.6.32 (seed 001; no line). Model: the simulator's clock for cpu_clock(). */
u64 perf_clock(void)
{
	MODEL_FRAME_INLINE_FILE("perf_event.c", 0);
	return sim::clock_read();
}

/*
 * kernel/perf_event.c: update_context_time() @ 2.6.32 (seed 001; no line).
 * Model-only: the ledger is charged the advance of ctx->time, with the value the kernel stored.
 */
void update_context_time(struct perf_event_context *ctx)
{
	PERF_FRAME();
	u64 now = perf_clock();
	u64 model_before = ctx->time.peek();	/* model-only */

	ctx->time += now - ctx->timestamp;
	ghost_context_time_advanced(ctx, ctx->time.peek() - model_before);	/* model-only */
	ctx->timestamp = now;
}

/* kernel/perf_event.c: update_event_times() @ 2.6.32 (seed 001; no line). */
void update_event_times(struct perf_event *event)
{
	PERF_FRAME();
	struct perf_event_context *ctx = event->ctx;
	u64 run_end;

	if (event->state < PERF_EVENT_STATE_INACTIVE ||
	    event->group_leader->state < PERF_EVENT_STATE_INACTIVE)
		return;

	event->total_time_enabled = ctx->time - event->tstamp_enabled;

	if (event->state == PERF_EVENT_STATE_INACTIVE)
		run_end = event->tstamp_stopped;
	else
		run_end = ctx->time;

	event->total_time_running = run_end - event->tstamp_running;
}

/* kernel/perf_event.c: update_group_times() @ 2.6.32 (seed 001; no line). */
void update_group_times(struct perf_event *leader)
{
	PERF_FRAME();
	update_event_times(leader);
	for (struct perf_event *event : leader->sibling_list)
		update_event_times(event);
}

/* kernel/perf_event.c: event_sched_in() @ 2.6.32 (seed 001; no line). */
int event_sched_in(struct perf_event *event, struct perf_cpu_context *cpuctx, struct perf_event_context *ctx, int cpu)
{
	PERF_FRAME();
	if (event->state <= PERF_EVENT_STATE_OFF)
		return 0;

	SET_STATE(event, PERF_EVENT_STATE_ACTIVE);
	event->oncpu = cpu;	/* TODO: put 'cpu' into cpuctx->cpu */
	/*
	 * The new state must be visible before we turn it on in the hardware:
	 */
	smp_wmb();

	if (event->pmu->enable(event)) {
		SET_STATE(event, PERF_EVENT_STATE_INACTIVE);
		event->oncpu = -1;
		return -EAGAIN;
	}

	event->tstamp_running += ctx->time - event->tstamp_stopped;

	if (!is_software_event(event))
		cpuctx->active_oncpu++;
	ctx->nr_active++;

	if (event->attr.exclusive)
		cpuctx->exclusive = 1;

	return 0;
}

/* kernel/perf_event.c: group_sched_in() @ 2.6.32 (seed 001; no line). */
int group_sched_in(struct perf_event *group_event, struct perf_cpu_context *cpuctx, struct perf_event_context *ctx, int cpu)
{
	PERF_FRAME();
	struct perf_event *partial_group = nullptr;
	int ret;

	if (group_event->state == PERF_EVENT_STATE_OFF)
		return 0;

	ret = hw_perf_group_sched_in(group_event, cpuctx, ctx, cpu);
	if (ret)
		return ret < 0 ? ret : 0;

	if (event_sched_in(group_event, cpuctx, ctx, cpu))
		return -EAGAIN;

	/*
	 * Schedule in siblings as one group (if any):
	 */
	for (struct perf_event *event : group_event->sibling_list) {
		if (event_sched_in(event, cpuctx, ctx, cpu)) {
			partial_group = event;
			goto group_error;
		}
	}

	return 0;

group_error:
	/*
	 * Groups can be scheduled in as one unit only, so undo any
	 * partial group before returning:
	 */
	for (struct perf_event *event : group_event->sibling_list) {
		if (event == partial_group)
			break;
		event_sched_out(event, cpuctx, ctx);
	}
	event_sched_out(group_event, cpuctx, ctx);

	return -EAGAIN;
}

/* kernel/perf_event.c: is_software_only_group() @ 2.6.32 (seed 001; no line). */
static int is_software_only_group(struct perf_event *leader)
{
	PERF_FRAME();
	if (!is_software_event(leader))
		return 0;

	for (struct perf_event *event : leader->sibling_list)
		if (!is_software_event(event))
			return 0;

	return 1;
}

/* kernel/perf_event.c: group_can_go_on() @ 2.6.32 (seed 001; no line). */
int group_can_go_on(struct perf_event *event, struct perf_cpu_context *cpuctx, int can_add_hw)
{
	PERF_FRAME();
	/*
	 * Groups consisting entirely of software events can always go on.
	 */
	if (is_software_only_group(event))
		return 1;
	/*
	 * If an exclusive group is already on, no other hardware
	 * events can go on.
	 */
	if (cpuctx->exclusive)
		return 0;
	/*
	 * If this group is exclusive and there are already
	 * events on the CPU, it can't go on.
	 */
	if (event->attr.exclusive && cpuctx->active_oncpu)
		return 0;
	/*
	 * Otherwise, try to add it if all previous groups were able
	 * to go on.
	 */
	return can_add_hw;
}

/* kernel/perf_event.c: add_event_to_ctx() @ 2.6.32 (seed 001, tstamp_stopped line from the full file; no line). */
void add_event_to_ctx(struct perf_event *event, struct perf_event_context *ctx)
{
	PERF_FRAME();
	list_add_event(event, ctx);
	event->tstamp_enabled = ctx->time;
	event->tstamp_running = ctx->time;
	event->tstamp_stopped = ctx->time;
}

/* kernel/perf_event.c: __perf_event_mark_enabled() @ 2.6.32 (seed 001; no line). */
void __perf_event_mark_enabled(struct perf_event *event, struct perf_event_context *ctx)
{
	PERF_FRAME();
	SET_STATE(event, PERF_EVENT_STATE_INACTIVE);
	event->tstamp_enabled = ctx->time - event->total_time_enabled;
	for (struct perf_event *sub : event->sibling_list)
		if (sub->state >= PERF_EVENT_STATE_INACTIVE)
			sub->tstamp_enabled =
				ctx->time - sub->total_time_enabled;
}

/* kernel/perf_event.c: __perf_event_enable() @ 2.6.32 (seed 001; no line). Cross CPU call to enable a performance event. */
void __perf_event_enable(void *info)
{
	PERF_FRAME();
	struct perf_event *event = (struct perf_event *)info;
	struct perf_cpu_context *cpuctx = model_cpu_context(smp_processor_id());
	struct perf_event_context *ctx = event->ctx;
	struct perf_event *leader = event->group_leader;
	int err = 0;

	/*
	 * If this is a per-task event, need to check whether this
	 * event's task is the current task on this cpu.
	 */
	if (ctx->task && cpuctx->task_ctx != ctx) {
		if (cpuctx->task_ctx || ctx->task != model_current())
			return;
		cpuctx->task_ctx = ctx;
	}

	spin_lock(&ctx->lock);
	ctx->is_active = 1;
	update_context_time(ctx);

	if (event->state >= PERF_EVENT_STATE_INACTIVE)
		goto unlock;
	__perf_event_mark_enabled(event, ctx);

	/*
	 * If the event is in a group and isn't the group leader,
	 * then don't put it on unless the group is on.
	 */
	if (leader != event && leader->state != PERF_EVENT_STATE_ACTIVE)
		goto unlock;

	if (!group_can_go_on(event, cpuctx, 1)) {
		err = -EEXIST;
	} else {
		perf_disable();
		if (event == leader)
			err = group_sched_in(event, cpuctx, ctx,
					     smp_processor_id());
		else
			err = event_sched_in(event, cpuctx, ctx,
					       smp_processor_id());
		perf_enable();
	}

	if (err) {
		/*
		 * If this event can't go on and it's part of a
		 * group, then the whole group has to come off.
		 */
		if (leader != event)
			group_sched_out(leader, cpuctx, ctx);
		if (leader->attr.pinned) {
			update_group_times(leader);
			SET_STATE(leader, PERF_EVENT_STATE_ERROR);
		}
	}

unlock:
	spin_unlock(&ctx->lock);
}

/*
 * kernel/sched.c: task_oncpu_function_call() @ 2.6.32, not in the seed and not read here: the
 * model's reading of it is "if p is running, run func on p's CPU (smp_call_function_single, wait)".
 */
static void task_oncpu_function_call(struct task_struct *p, void (*func)(void *info), void *info)
{
	PERF_FRAME();
	int cpu;

	preempt_disable();
	cpu = model_task_cpu(p);
	if (model_task_curr(p))
		smp_call_function_single(cpu, func, info, 1);
	preempt_enable();
}

/* kernel/perf_event.c: perf_event_enable() @ 2.6.32 (seed 001; no line). */
void perf_event_enable(struct perf_event *event)
{
	PERF_FRAME();
	struct perf_event_context *ctx = event->ctx;
	struct task_struct *task = ctx->task;

	if (!task) {
		/*
		 * Enable the event on the cpu that it's on
		 */
		smp_call_function_single(event->cpu, __perf_event_enable,
					 event, 1);
		return;
	}

	spin_lock_irq(&ctx->lock);
	if (event->state >= PERF_EVENT_STATE_INACTIVE)
		goto out;

	/*
	 * If the event is in error state, clear that first.
	 * That way, if we see the event in error state below, we
	 * know that it has gone back into error state, as distinct
	 * from the task having been scheduled away before the
	 * cross-call arrived.
	 */
	if (event->state == PERF_EVENT_STATE_ERROR)
		SET_STATE(event, PERF_EVENT_STATE_OFF);

retry:
	spin_unlock_irq(&ctx->lock);
	task_oncpu_function_call(task, __perf_event_enable, event);

	spin_lock_irq(&ctx->lock);

	/*
	 * If the context is active and the event is still off,
	 * we need to retry the cross-call.
	 */
	if (ctx->is_active && event->state == PERF_EVENT_STATE_OFF)
		goto retry;

	/*
	 * Since we have the lock this context can't be scheduled
	 * in, so we can change the state safely.
	 */
	if (event->state == PERF_EVENT_STATE_OFF)
		__perf_event_mark_enabled(event, ctx);

out:
	spin_unlock_irq(&ctx->lock);
}

/* kernel/perf_event.c: __perf_event_sched_out() @ 2.6.32 (seed 001; no line). */
void __perf_event_sched_out(struct perf_event_context *ctx, struct perf_cpu_context *cpuctx)
{
	PERF_FRAME();
	spin_lock(&ctx->lock);
	ctx->is_active = 0;
	if (likely(!ctx->nr_events))
		goto out;
	update_context_time(ctx);

	perf_disable();
	if (ctx->nr_active)
		for (struct perf_event *event : ctx->group_list)
			group_sched_out(event, cpuctx, ctx);

	perf_enable();
out:
	spin_unlock(&ctx->lock);
}

/*
 * kernel/perf_event.c: context_equiv() @ 2.6.32 (seed 001; no line).
 * Test whether two contexts are equivalent, i.e. whether they
 * have both been cloned from the same version of the same context
 * and they both have the same number of enabled events.
 */
int context_equiv(struct perf_event_context *ctx1, struct perf_event_context *ctx2)
{
	PERF_FRAME();
	return ctx1->parent_ctx && ctx1->parent_ctx == ctx2->parent_ctx
		&& ctx1->parent_gen == ctx2->parent_gen
		&& !ctx1->pin_count && !ctx2->pin_count;
}

/*
 * kernel/perf_event.c: __perf_event_sync_stat() @ 2.6.32 (seed 001; no line).
 * Model: the two perf_event_update_userpage() calls are left out (no user page, see the file
 * comment). Variant read-ctx-lock: __perf_event_read() takes ctx->lock there, which this caller
 * already holds, so the ACTIVE case reads the PMU and falls through to update_event_times(), the
 * shape later kernels have ("if ACTIVE: pmu->read(event); then update the times"), read in
 * kernel/events/core.c @ 12f24484da13 as perf_pmu_read()/perf_event_update_time().
 */
void __perf_event_sync_stat(struct perf_event *event, struct perf_event *next_event)
{
	PERF_FRAME();
	u64 value;

	if (!event->attr.inherit_stat)
		return;

	/*
	 * Update the event value, we cannot use perf_event_read()
	 * because we're in the middle of a context switch and have IRQs
	 * disabled, which upsets smp_call_function_single(), however
	 * we know the event must be on the current CPU, therefore we
	 * don't need to use it.
	 */
	if (variant(READ_CTX_LOCK)) {	/* variant read-ctx-lock */
		if (event->state == PERF_EVENT_STATE_ACTIVE)
			event->pmu->read(event);
		update_event_times(event);
	} else {
		switch ((int)event->state) {
		case PERF_EVENT_STATE_ACTIVE:
			__perf_event_read(event);
			break;

		case PERF_EVENT_STATE_INACTIVE:
			update_event_times(event);
			break;

		default:
			break;
		}
	}

	/*
	 * In order to keep per-task stats reliable we need to flip the event
	 * values when we flip the contexts.
	 */
	value = atomic64_read(&next_event->count);
	value = atomic64_xchg(&event->count, value);
	atomic64_set(&next_event->count, value);

	/* swap(a, b): typeof(a) __tmp = (a); (a) = (b); (b) = __tmp; */
	{
		u64 __tmp = event->total_time_enabled;
		event->total_time_enabled = next_event->total_time_enabled;
		next_event->total_time_enabled = __tmp;
	}
	{
		u64 __tmp = event->total_time_running;
		event->total_time_running = next_event->total_time_running;
		next_event->total_time_running = __tmp;
	}

	/*
	 * Since we swizzled the values, update the user visible data too.
	 * Model: perf_event_update_userpage(event) and (next_event) left out: no ring buffer.
	 */
}

/* kernel/perf_event.c: perf_event_sync_stat() @ 2.6.32 (seed 001; no line). Model: list walk by index. */
void perf_event_sync_stat(struct perf_event_context *ctx, struct perf_event_context *next_ctx)
{
	PERF_FRAME();
	size_t event = 0, next_event = 0;

	if (!ctx->nr_stat)
		return;

	while (event != ctx->event_list.size() &&
	       next_event != next_ctx->event_list.size()) {

		__perf_event_sync_stat(ctx->event_list[event], next_ctx->event_list[next_event]);

		event++;
		next_event++;
	}
}

/*
 * kernel/perf_event.c: perf_event_task_sched_out() @ 2.6.32 (seed 001, the unlocked
 * update_context_time() and spin_lock(&ctx->lock) lines from the full file; no line).
 * Called from scheduler to remove the events of the current task, with interrupts disabled.
 * Model: perf_sw_event(PERF_COUNT_SW_CONTEXT_SWITCHES) left out.
 */
void perf_event_task_sched_out(struct task_struct *task, struct task_struct *next, int cpu)
{
	PERF_FRAME();
	struct perf_cpu_context *cpuctx = model_cpu_context(cpu);
	struct perf_event_context *ctx = task->perf_event_ctxp;
	struct perf_event_context *next_ctx;
	struct perf_event_context *parent;
	int do_switch = 1;

	if (likely(!ctx || !cpuctx->task_ctx))
		return;

	update_context_time(ctx);

	rcu_read_lock();
	parent = rcu_dereference(ctx->parent_ctx);
	next_ctx = next->perf_event_ctxp;
	if (parent && next_ctx &&
	    rcu_dereference(next_ctx->parent_ctx) == parent) {
		/*
		 * Looks like the two contexts are clones, so we might be
		 * able to optimize the context switch.  We lock both
		 * contexts and check that they are clones under the
		 * lock (including re-checking that neither has been
		 * uncloned in the meantime).  It doesn't matter which
		 * order we take the locks because no other cpu could
		 * be trying to lock both of these tasks.
		 */
		spin_lock(&ctx->lock);
		spin_lock_nested(&next_ctx->lock, SINGLE_DEPTH_NESTING);
		if (context_equiv(ctx, next_ctx)) {
			/*
			 * XXX do we need a memory barrier of sorts
			 * wrt to rcu_dereference() of perf_event_ctxp
			 */
			task->perf_event_ctxp = next_ctx;
			next->perf_event_ctxp = ctx;
			ctx->task = next;
			next_ctx->task = task;
			do_switch = 0;

			perf_event_sync_stat(ctx, next_ctx);
		}
		spin_unlock(&next_ctx->lock);
		spin_unlock(&ctx->lock);
	}
	rcu_read_unlock();

	if (do_switch) {
		__perf_event_sched_out(ctx, cpuctx);
		cpuctx->task_ctx = NULL;
	}
}

/* kernel/perf_event.c: __perf_event_sched_in() @ 2.6.32 (seed 001; no line). */
void __perf_event_sched_in(struct perf_event_context *ctx, struct perf_cpu_context *cpuctx, int cpu)
{
	PERF_FRAME();
	int can_add_hw = 1;

	spin_lock(&ctx->lock);
	ctx->is_active = 1;
	if (likely(!ctx->nr_events))
		goto out;

	ctx->timestamp = perf_clock();

	perf_disable();

	/*
	 * First go through the list and put on any pinned groups
	 * in order to give them the best chance of going on.
	 */
	for (struct perf_event *event : ctx->group_list) {
		if (event->state <= PERF_EVENT_STATE_OFF ||
		    !event->attr.pinned)
			continue;
		if (event->cpu != -1 && event->cpu != cpu)
			continue;

		if (group_can_go_on(event, cpuctx, 1))
			group_sched_in(event, cpuctx, ctx, cpu);

		/*
		 * If this pinned group hasn't been scheduled,
		 * put it in error state.
		 */
		if (event->state == PERF_EVENT_STATE_INACTIVE) {
			update_group_times(event);
			SET_STATE(event, PERF_EVENT_STATE_ERROR);
		}
	}

	for (struct perf_event *event : ctx->group_list) {
		/*
		 * Ignore events in OFF or ERROR state, and
		 * ignore pinned events since we did them already.
		 */
		if (event->state <= PERF_EVENT_STATE_OFF ||
		    event->attr.pinned)
			continue;

		/*
		 * Listen to the 'cpu' scheduling filter constraint
		 * of events:
		 */
		if (event->cpu != -1 && event->cpu != cpu)
			continue;

		if (group_can_go_on(event, cpuctx, can_add_hw))
			if (group_sched_in(event, cpuctx, ctx, cpu))
				can_add_hw = 0;
	}
	perf_enable();
out:
	spin_unlock(&ctx->lock);
}

/* kernel/perf_event.c: perf_event_task_sched_in() @ 2.6.32 (seed 001; no line). Called with interrupts disabled. */
void perf_event_task_sched_in(struct task_struct *task, int cpu)
{
	PERF_FRAME();
	struct perf_cpu_context *cpuctx = model_cpu_context(cpu);
	struct perf_event_context *ctx = task->perf_event_ctxp;

	if (likely(!ctx))
		return;
	if (cpuctx->task_ctx == ctx)
		return;
	__perf_event_sched_in(ctx, cpuctx, cpu);
	cpuctx->task_ctx = ctx;
}

/*
 * kernel/perf_event.c: __perf_event_read() @ 2.6.32 (seed 001, the local_irq_save() body from
 * the full file; no line). Cross CPU call to read the hardware event: no ctx->lock in 2.6.32.
 * Variant read-ctx-lock: the later body, read in kernel/perf_event.c @ torvalds/linux
 * 006b20fe4c69 (a 2.6.37-era tree): update_context_time() and update_event_times() under
 * ctx->lock, then pmu->read().
 */
void __perf_event_read(void *info)
{
	PERF_FRAME();
	struct perf_cpu_context *cpuctx = model_cpu_context(smp_processor_id());
	struct perf_event *event = (struct perf_event *)info;
	struct perf_event_context *ctx = event->ctx;
	unsigned long flags;

	/*
	 * If this is a task context, we need to check whether it is
	 * the current task context of this cpu.  If not it has been
	 * scheduled out before the smp call arrived.  In that case
	 * event->count would have been updated to a recent sample
	 * when the event was scheduled out.
	 */
	if (ctx->task && cpuctx->task_ctx != ctx)
		return;

	if (variant(READ_CTX_LOCK)) {	/* variant read-ctx-lock */
		spin_lock(&ctx->lock);
		update_context_time(ctx);
		update_event_times(event);
		spin_unlock(&ctx->lock);

		event->pmu->read(event);
		return;
	}

	local_irq_save(flags);
	if (ctx->is_active)
		update_context_time(ctx);
	event->pmu->read(event);
	update_event_times(event);
	local_irq_restore(flags);
}

/*
 * kernel/perf_event.c: perf_event_read() @ 2.6.32 (seed 001, the INACTIVE body from the full
 * file; no line): the INACTIVE event's times are updated without ctx->lock. Variant
 * read-ctx-lock: the later body (torvalds/linux 006b20fe4c69): under ctx->lock, and the context
 * clock advanced first if the context is active. Model: smp_call_function_single() refuses a CPU
 * number that is not a CPU (event->oncpu == -1): -ENXIO in the kernel, no call.
 */
u64 perf_event_read(struct perf_event *event)
{
	PERF_FRAME();
	/*
	 * If event is enabled and currently active on a CPU, update the
	 * value in the event structure:
	 */
	if (event->state == PERF_EVENT_STATE_ACTIVE) {
		int oncpu = event->oncpu;
		if (oncpu >= 0)	/* model: see above */
			smp_call_function_single(oncpu,
						 __perf_event_read, event, 1);
	} else if (event->state == PERF_EVENT_STATE_INACTIVE) {
		if (variant(READ_CTX_LOCK)) {	/* variant read-ctx-lock */
			struct perf_event_context *ctx = event->ctx;
			unsigned long flags;

			spin_lock_irqsave(&ctx->lock, flags);
			/*
			 * may read while context is not active
			 * (e.g., thread is blocked), in that case
			 * we cannot update context time
			 */
			if (ctx->is_active)
				update_context_time(ctx);
			update_event_times(event);
			spin_unlock_irqrestore(&ctx->lock, flags);
		} else {
			update_event_times(event);
		}
	}

	return atomic64_read(&event->count);
}

/* kernel/perf_event.c: perf_event_read_value() @ 2.6.32 (seed 001; no line). Caller holds event->child_mutex. */
u64 perf_event_read_value(struct perf_event *event)
{
	PERF_FRAME();
	u64 total = 0;

	total += perf_event_read(event);
	for (struct perf_event *child : event->child_list)
		total += perf_event_read(child);

	return total;
}

/* kernel/perf_event.c: perf_event_read_one() @ 2.6.32 (seed 001; no line). Model: no PERF_FORMAT_ID; copy_to_user is memcpy. */
int perf_event_read_one(struct perf_event *event, u64 read_format, u64 *buf)
{
	PERF_FRAME();
	u64 values[4];
	int n = 0;

	values[n++] = perf_event_read_value(event);
	if (read_format & LEGACY_PERF_FORMAT_TOTAL_TIME_ENABLED) {
		values[n++] = event->total_time_enabled +
			atomic64_read(&event->child_total_time_enabled);
	}
	if (read_format & LEGACY_PERF_FORMAT_TOTAL_TIME_RUNNING) {
		values[n++] = event->total_time_running +
			atomic64_read(&event->child_total_time_running);
	}

	memcpy(buf, values, n * sizeof(u64));

	return n * sizeof(u64);
}

/*
 * kernel/perf_event.c: perf_read_hw() @ 2.6.32 (seed 001; no line). Read the performance event.
 * Model: perf_event_read_size() is the size of the values perf_event_read_one() writes; no
 * PERF_FORMAT_GROUP.
 */
long perf_read_hw(struct perf_event *event, u64 *buf, size_t count)
{
	PERF_FRAME();
	u64 read_format = LEGACY_PERF_FORMAT_TOTAL_TIME_ENABLED | LEGACY_PERF_FORMAT_TOTAL_TIME_RUNNING;
	long ret;

	/*
	 * Return end-of-file for a read on a event that is in
	 * error state (i.e. because it was pinned but it couldn't be
	 * scheduled on to the CPU at some point).
	 */
	if (event->state == PERF_EVENT_STATE_ERROR)
		return 0;

	if (count < 3 * sizeof(u64))	/* perf_event_read_size(event) */
		return -ENOSPC;

	WARN_ON_ONCE(event->ctx->parent_ctx);
	mutex_lock(&event->child_mutex);
	ret = perf_event_read_one(event, read_format, buf);
	mutex_unlock(&event->child_mutex);

	return ret;
}

/*
 * kernel/perf_event.c: perf_event_for_each_child() @ 2.6.32 (seed 001, the WARN_ON_ONCE and
 * child_mutex lines from the full file; no line). Holding the top-level event's child_mutex means that any
 * descendant process that has inherited this event will block in sync_child_event if it goes
 * to exit, thus satisfying the task existence requirements of perf_event_enable/disable.
 */
static void perf_event_for_each_child(struct perf_event *event, void (*func)(struct perf_event *))
{
	PERF_FRAME();
	WARN_ON_ONCE(event->ctx->parent_ctx);
	mutex_lock(&event->child_mutex);
	func(event);
	for (struct perf_event *child : event->child_list)
		func(child);
	mutex_unlock(&event->child_mutex);
}

/*
 * kernel/perf_event.c: perf_ioctl() @ 2.6.32 (seed 001; no line). Model: PERF_EVENT_IOC_ENABLE
 * only (the other commands return -ENOTTY here); no PERF_IOC_FLAG_GROUP.
 */
long perf_ioctl(struct perf_event *event, unsigned int cmd, unsigned long arg)
{
	PERF_FRAME();
	void (*func)(struct perf_event *);

	switch (cmd) {
	case LEGACY_PERF_EVENT_IOC_ENABLE:
		func = perf_event_enable;
		break;
	default:
		return -ENOTTY;	/* model: DISABLE, RESET, REFRESH, PERIOD, SET_OUTPUT not modelled */
	}

	perf_event_for_each_child(event, func);

	return 0;
}

}  // namespace legacy
