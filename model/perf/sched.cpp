/*
 * kernel/events/core.c, scheduling events and contexts in and out: core.c:2365-2427
 * (event_sched_out, group_sched_out), 2712-2940 (event_sched_in .. ctx_resched), 3436-3560
 * (__pmu_ctx_sched_out, ctx_sched_out), 3664-3862 (perf_event_context_sched_out,
 * __perf_event_task_sched_out), 3888-4195 (__link_epc .. __perf_event_task_sched_in), at
 * 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable); perf_event_task_sched_out/in from
 * include/linux/perf_event.h.
 *
 * Left out, each marked where it would be: cgroups (perf_cgroup_*), PMU sched_task callbacks
 * (perf_ctx_sched_task_cb, perf_pmu_sched_task), context-switch records (perf_event_switch),
 * itrace (perf_log_itrace_start()), the hrtimer that rotates multiplexed groups (rotate_necessary
 * is set, nothing rotates), PMU sched_task callbacks (perf_ctx_sched_task_cb()).
 */
#include "model/perf/core.h"

/*
 * kernel/events/core.c: event_sched_out() @ 12f24484da13 (core.c:2365).
 * Model: perf_cgroup_event_disable() left out.
 */
void event_sched_out(struct perf_event *event, struct perf_event_context *ctx)
{
	MODEL_FRAME(2365);
	struct perf_event_pmu_context *epc = event->pmu_ctx;
	struct perf_cpu_pmu_context *cpc = this_cpc(epc->pmu);
	enum perf_event_state state = PERF_EVENT_STATE_INACTIVE;

	// XXX cpc serialization, probably per-cpu IRQ disabled

	WARN_ON_ONCE(event->ctx != ctx);
	lockdep_assert_held(&ctx->lock);

	if (event->state != PERF_EVENT_STATE_ACTIVE)
		return;

	/*
	 * Asymmetry; we only schedule events _IN_ through ctx_sched_in(), but
	 * we can schedule events _OUT_ individually through things like
	 * __perf_remove_from_context().
	 */
	model_list_del(*get_event_list(event), event);	/* list_del_init(&event->active_list) */

	perf_pmu_disable(event->pmu);

	event->pmu->del(event, 0);
	event->oncpu = -1;

	if (event->pending_disable) {
		event->pending_disable = 0;
		state = PERF_EVENT_STATE_OFF;
	}

	perf_event_set_state(event, state);

	if (!is_software_event(event))
		cpc->active_oncpu--;
	if (is_event_in_freq_mode(event)) {
		ctx->nr_freq--;
		epc->nr_freq--;
	}
	if (event->attr.exclusive || !cpc->active_oncpu)
		cpc->exclusive = 0;

	perf_pmu_enable(event->pmu);
}

/* kernel/events/core.c: group_sched_out() @ 12f24484da13 (core.c:2412). */
void group_sched_out(struct perf_event *group_event, struct perf_event_context *ctx)
{
	MODEL_FRAME_INLINE(2412);
	if (group_event->state != PERF_EVENT_STATE_ACTIVE)
		return;

	perf_assert_pmu_disabled(group_event->pmu_ctx->pmu);

	event_sched_out(group_event, ctx);

	/*
	 * Schedule out siblings (if any):
	 */
	for_each_sibling_event(event, group_event)
		event_sched_out(event, ctx);
}

/*
 * kernel/events/core.c: event_sched_in() @ 12f24484da13 (core.c:2712).
 * Model: perf_log_itrace_start() left out (no itrace records).
 */
int event_sched_in(struct perf_event *event, struct perf_event_context *ctx)
{
	MODEL_FRAME(2712);
	struct perf_event_pmu_context *epc = event->pmu_ctx;
	struct perf_cpu_pmu_context *cpc = this_cpc(epc->pmu);
	int ret = 0;

	WARN_ON_ONCE(event->ctx != ctx);

	lockdep_assert_held(&ctx->lock);

	if (event->state <= PERF_EVENT_STATE_OFF)
		return 0;

	WRITE_ONCE(event->oncpu, smp_processor_id());
	/*
	 * Order event::oncpu write to happen before the ACTIVE state is
	 * visible. This allows perf_event_{stop,read}() to observe the correct
	 * ->oncpu if it sees ACTIVE.
	 */
	smp_wmb();
	perf_event_set_state(event, PERF_EVENT_STATE_ACTIVE);

	/*
	 * Unthrottle events, since we scheduled we might have missed several
	 * ticks already, also for a heavily scheduling task there is little
	 * guarantee it'll get a tick in a timely manner.
	 */
	if (unlikely(event->hw.interrupts == MAX_INTERRUPTS))
		perf_event_unthrottle(event, false);

	perf_pmu_disable(event->pmu);

	if (event->pmu->add(event, PERF_EF_START)) {
		perf_event_set_state(event, PERF_EVENT_STATE_INACTIVE);
		event->oncpu = -1;
		ret = -EAGAIN;
		goto out;
	}

	if (!is_software_event(event))
		cpc->active_oncpu++;
	if (is_event_in_freq_mode(event)) {
		ctx->nr_freq++;
		epc->nr_freq++;
	}
	if (event->attr.exclusive)
		cpc->exclusive = 1;

out:
	perf_pmu_enable(event->pmu);

	return ret;
}

/* kernel/events/core.c: group_sched_in() @ 12f24484da13 (core.c:2769). */
int group_sched_in(struct perf_event *group_event, struct perf_event_context *ctx)
{
	MODEL_FRAME(2769);
	struct perf_event *partial_group = NULL;
	struct pmu *pmu = group_event->pmu_ctx->pmu;

	if (group_event->state == PERF_EVENT_STATE_OFF)
		return 0;

	pmu->start_txn(pmu, PERF_PMU_TXN_ADD);

	if (event_sched_in(group_event, ctx))
		goto error;

	/*
	 * Schedule in siblings as one group (if any):
	 */
	for_each_sibling_event(event, group_event) {
		if (event_sched_in(event, ctx)) {
			partial_group = event;
			goto group_error;
		}
	}

	if (!pmu->commit_txn(pmu))
		return 0;

group_error:
	/*
	 * Groups can be scheduled in as one unit only, so undo any
	 * partial group before returning:
	 * The events up to the failed event are scheduled out normally.
	 */
	for_each_sibling_event(event, group_event) {
		if (event == partial_group)
			break;

		event_sched_out(event, ctx);
	}
	event_sched_out(group_event, ctx);

error:
	pmu->cancel_txn(pmu);
	return -EAGAIN;
}

/* kernel/events/core.c: group_can_go_on() @ 12f24484da13 (core.c:2818). */
int group_can_go_on(struct perf_event *event, int can_add_hw)
{
	MODEL_FRAME(2818);
	struct perf_event_pmu_context *epc = event->pmu_ctx;
	struct perf_cpu_pmu_context *cpc = this_cpc(epc->pmu);

	/*
	 * Groups consisting entirely of software events can always go on.
	 */
	if (event->group_caps & PERF_EV_CAP_SOFTWARE)
		return 1;
	/*
	 * If an exclusive group is already on, no other hardware
	 * events can go on.
	 */
	if (cpc->exclusive)
		return 0;
	/*
	 * If this group is exclusive and there are already
	 * events on the CPU, it can't go on.
	 */
	if (event->attr.exclusive && !get_event_list(event)->empty())
		return 0;
	/*
	 * Otherwise, try to add it if all previous groups were able
	 * to go on.
	 */
	return can_add_hw;
}

/* kernel/events/core.c: task_ctx_sched_out() @ 12f24484da13 (core.c:2854). */
void task_ctx_sched_out(struct perf_event_context *ctx, struct pmu *pmu, enum event_type_t event_type)
{
	MODEL_FRAME(2854);
	struct perf_cpu_context *cpuctx = this_cpu_ptr(&perf_cpu_context);

	if (!cpuctx->task_ctx)
		return;

	if (WARN_ON_ONCE(ctx != cpuctx->task_ctx))
		return;

	ctx_sched_out(ctx, pmu, event_type);
}

/* kernel/events/core.c: perf_event_sched_in() @ 12f24484da13 (core.c:2869). */
void perf_event_sched_in(struct perf_cpu_context *cpuctx, struct perf_event_context *ctx, struct pmu *pmu)
{
	MODEL_FRAME(2869);
	ctx_sched_in(&cpuctx->ctx, pmu, EVENT_PINNED);
	if (ctx)
		 ctx_sched_in(ctx, pmu, EVENT_PINNED);
	ctx_sched_in(&cpuctx->ctx, pmu, EVENT_FLEXIBLE);
	if (ctx)
		 ctx_sched_in(ctx, pmu, EVENT_FLEXIBLE);
}

/* kernel/events/core.c: ctx_resched() @ 12f24484da13 (core.c:2896). */
void ctx_resched(struct perf_cpu_context *cpuctx, struct perf_event_context *task_ctx, struct pmu *pmu,
		 enum event_type_t event_type)
{
	MODEL_FRAME(2896);
	bool cpu_event = !!(event_type & EVENT_CPU);

	/*
	 * If pinned groups are involved, flexible groups also need to be
	 * scheduled out.
	 */
	if (event_type & EVENT_PINNED)
		event_type |= EVENT_FLEXIBLE;

	event_type &= EVENT_ALL;

	for_each_epc(epc, &cpuctx->ctx, pmu, false)
		perf_pmu_disable(epc->pmu);

	if (task_ctx) {
		for_each_epc(epc, task_ctx, pmu, false)
			perf_pmu_disable(epc->pmu);

		task_ctx_sched_out(task_ctx, pmu, event_type);
	}

	/*
	 * Decide which cpu ctx groups to schedule out based on the types
	 * of events that caused rescheduling:
	 *  - EVENT_CPU: schedule out corresponding groups;
	 *  - EVENT_PINNED task events: schedule out EVENT_FLEXIBLE groups;
	 *  - otherwise, do nothing more.
	 */
	if (cpu_event)
		ctx_sched_out(&cpuctx->ctx, pmu, event_type);
	else if (event_type & EVENT_PINNED)
		ctx_sched_out(&cpuctx->ctx, pmu, EVENT_FLEXIBLE);

	perf_event_sched_in(cpuctx, task_ctx, pmu);

	for_each_epc(epc, &cpuctx->ctx, pmu, false)
		perf_pmu_enable(epc->pmu);

	if (task_ctx) {
		for_each_epc(epc, task_ctx, pmu, false)
			perf_pmu_enable(epc->pmu);
	}
}

/* kernel/events/core.c: __pmu_ctx_sched_out() @ 12f24484da13 (core.c:3436). */
void __pmu_ctx_sched_out(struct perf_event_pmu_context *pmu_ctx, enum event_type_t event_type)
{
	MODEL_FRAME(3436);
	struct perf_event_context *ctx = pmu_ctx->ctx;
	struct pmu *pmu = pmu_ctx->pmu;

	if (ctx->task && !(ctx->is_active & EVENT_ALL)) {
		struct perf_cpu_pmu_context *cpc = this_cpc(pmu);

		WARN_ON_ONCE(cpc->task_epc && cpc->task_epc != pmu_ctx);
		cpc->task_epc = NULL;
	}

	if (!(event_type & EVENT_ALL))
		return;

	perf_pmu_disable(pmu);
	if (event_type & EVENT_PINNED) {
		/* list_for_each_entry_safe(): group_sched_out() unlinks the entry */
		std::vector<struct perf_event *> active = pmu_ctx->pinned_active;
		for (struct perf_event *event : active)
			group_sched_out(event, ctx);
	}

	if (event_type & EVENT_FLEXIBLE) {
		std::vector<struct perf_event *> active = pmu_ctx->flexible_active;
		for (struct perf_event *event : active)
			group_sched_out(event, ctx);
		/*
		 * Since we cleared EVENT_FLEXIBLE, also clear
		 * rotate_necessary, is will be reset by
		 * ctx_flexible_sched_in() when needed.
		 */
		pmu_ctx->rotate_necessary = 0;
	}
	perf_pmu_enable(pmu);
}

/*
 * kernel/events/core.c: ctx_sched_out() @ 12f24484da13 (core.c:3485).
 * Loads and stores as upstream (cgroup time is inside __ctx_time_update, left out).
 */
void ctx_sched_out(struct perf_event_context *ctx, struct pmu *pmu, enum event_type_t event_type)
{
	MODEL_FRAME(3485);
	struct perf_cpu_context *cpuctx = this_cpu_ptr(&perf_cpu_context);
	int is_active = ctx->is_active;
	bool cgroup = event_type & EVENT_CGROUP;

	event_type &= ~EVENT_CGROUP;

	lockdep_assert_held(&ctx->lock);

	if (likely(!ctx->nr_events)) {
		/*
		 * See __perf_remove_from_context().
		 */
		WARN_ON_ONCE(ctx->is_active);
		if (ctx->task)
			WARN_ON_ONCE(cpuctx->task_ctx);
		return;
	}

	/*
	 * Always update time if it was set; not only when it changes.
	 * Otherwise we can 'forget' to update time for any but the last
	 * context we sched out. For example:
	 *
	 *   ctx_sched_out(.event_type = EVENT_FLEXIBLE)
	 *   ctx_sched_out(.event_type = EVENT_PINNED)
	 *
	 * would only update time for the pinned events.
	 */
	__ctx_time_update(cpuctx, ctx, ctx == &cpuctx->ctx);

	/*
	 * CPU-release for the below ->is_active store,
	 * see __load_acquire() in perf_event_time_now()
	 */
	barrier();
	ctx->is_active &= ~event_type;

	if (!(ctx->is_active & EVENT_ALL)) {
		/*
		 * For FROZEN, preserve TIME|FROZEN such that perf_event_time_now()
		 * does not observe a hole. perf_ctx_unlock() will clean up.
		 */
		if (ctx->is_active & EVENT_FROZEN)
			ctx->is_active &= EVENT_TIME_FROZEN;
		else
			ctx->is_active = 0;
	}

	if (ctx->task) {
		WARN_ON_ONCE(cpuctx->task_ctx != ctx);
		if (!(ctx->is_active & EVENT_ALL))
			cpuctx->task_ctx = NULL;
	}

	is_active ^= ctx->is_active; /* changed bits */

	for_each_epc(pmu_ctx, ctx, pmu, cgroup)
		__pmu_ctx_sched_out(pmu_ctx, (enum event_type_t)is_active);
}

/*
 * kernel/events/core.c: context_equiv() @ 12f24484da13 (core.c:3557).
 */
static int context_equiv(struct perf_event_context *ctx1, struct perf_event_context *ctx2)
{
	MODEL_FRAME(3557);
	lockdep_assert_held(&ctx1->lock);
	lockdep_assert_held(&ctx2->lock);

	/* Pinning disables the swap optimization */
	if (ctx1->pin_count || ctx2->pin_count)
		return 0;

	/* If ctx1 is the parent of ctx2 */
	if (ctx1 == ctx2->parent_ctx && ctx1->generation == ctx2->parent_gen)
		return 1;

	/* If ctx2 is the parent of ctx1 */
	if (ctx1->parent_ctx == ctx2 && ctx1->parent_gen == ctx2->generation)
		return 1;

	/*
	 * If ctx1 and ctx2 have the same parent; we flatten the parent
	 * hierarchy, see perf_event_init_context().
	 */
	if (ctx1->parent_ctx && ctx1->parent_ctx == ctx2->parent_ctx &&
			ctx1->parent_gen == ctx2->parent_gen)
		return 1;

	/* Unmatched */
	return 0;
}

/*
 * kernel/events/core.c: __perf_event_sync_stat() @ 12f24484da13 (core.c:3587) (issue 15 b).
 * swap() of the totals is two loads and two stores, as the kernel's macro compiles. Model-only:
 * the ledger swaps with the totals (per-task stats follow the task), under both ctx locks.
 */
static void __perf_event_sync_stat(struct perf_event *event, struct perf_event *next_event)
{
	MODEL_FRAME(3587);
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
	perf_pmu_read(event);

	perf_event_update_time(event);

	/*
	 * In order to keep per-task stats reliable we need to flip the event
	 * values when we flip the contexts.
	 */
	value = local64_read(&next_event->count);
	value = local64_xchg(&event->count, value);
	local64_set(&next_event->count, value);

	{	/* swap(event->total_time_enabled, next_event->total_time_enabled); and running */
		u64 a = event->total_time_enabled, b = next_event->total_time_enabled;
		event->total_time_enabled = b;
		next_event->total_time_enabled = a;
		a = event->total_time_running;
		b = next_event->total_time_running;
		event->total_time_running = b;
		next_event->total_time_running = a;
	}
	ghost_sync_stat_swapped(event, next_event);	/* model-only */

	/*
	 * Since we swizzled the values, update the user visible data too.
	 */
	perf_event_update_userpage(event);
	perf_event_update_userpage(next_event);
}

/* kernel/events/core.c: perf_event_sync_stat() @ 12f24484da13 (core.c:3624). */
static void perf_event_sync_stat(struct perf_event_context *ctx, struct perf_event_context *next_ctx)
{
	MODEL_FRAME(3624);
	if (!ctx->nr_stat)
		return;

	update_context_time(ctx);

	/* list_first_entry() / list_next_entry() of both event lists, in step */
	for (size_t i = 0; i < ctx->event_list.size() && i < next_ctx->event_list.size(); i++)
		__perf_event_sync_stat(ctx->event_list[i], next_ctx->event_list[i]);
}

/*
 * kernel/events/core.c: perf_event_context_sched_out() @ 12f24484da13 (core.c:3664).
 * Clones arise only from the setup op inherited() (contexts cloned at fork, model/README.md).
 * perf_ctx_sched_task_cb() left out (no PMU sched_task callback). The ghost checks that the swap
 * never moves a context with a queued deferred callback (invariant no-fast-switch-while-pending).
 */
void perf_event_context_sched_out(struct task_struct *task, struct task_struct *next)
{
	MODEL_FRAME_INLINE(3664);
	struct perf_event_context *ctx = task->perf_event_ctxp;
	struct perf_event_context *next_ctx;
	struct perf_event_context *parent, *next_parent;
	int do_switch = 1;

	if (likely(!ctx))
		return;

	rcu_read_lock();
	next_ctx = rcu_dereference(next->perf_event_ctxp);
	if (!next_ctx)
		goto unlock;

	parent = ctx->parent_ctx;		/* rcu_dereference(ctx->parent_ctx): set up once */
	next_parent = next_ctx->parent_ctx;	/* rcu_dereference(next_ctx->parent_ctx) */

	/* If neither context have a parent context; they cannot be clones. */
	if (!parent && !next_parent)
		goto unlock;

	if (next_parent == ctx || next_ctx == parent || next_parent == parent) {
		/*
		 * Looks like the two contexts are clones, so we might be
		 * able to optimize the context switch.  We lock both
		 * contexts and check that they are clones under the
		 * lock (including re-checking that neither has been
		 * uncloned in the meantime).  It doesn't matter which
		 * order we take the locks because no other cpu could
		 * be trying to lock both of these tasks.
		 */
		raw_spin_lock(&ctx->lock);
		raw_spin_lock(&next_ctx->lock);	/* raw_spin_lock_nested(..., SINGLE_DEPTH_NESTING) */
		if (context_equiv(ctx, next_ctx)) {

			perf_ctx_disable(ctx, false);

			/* PMIs are disabled; ctx->nr_no_switch_fast is stable. */
			if (local_read(&ctx->nr_no_switch_fast) ||
			    local_read(&next_ctx->nr_no_switch_fast)) {
				/*
				 * Must not swap out ctx when there's pending
				 * events that rely on the ctx->task relation.
				 *
				 * Likewise, when a context contains inherit +
				 * SAMPLE_READ events they should be switched
				 * out using the slow path so that they are
				 * treated as if they were distinct contexts.
				 */
				raw_spin_unlock(&next_ctx->lock);
				rcu_read_unlock();
				sim::note("perf_event_context_sched_out: nr_no_switch_fast != 0, slow path");
				goto inside_switch;
			}

			/* ghost: no queued deferred callback may see its ctx move to another task */
			if (ghost_invariant_enabled(GHOST_NO_FAST_SWITCH_WHILE_PENDING)) {
				std::string who;
				if (model_ctx_queued(ctx, &who) || model_ctx_queued(next_ctx, &who))
					ghost_report(GHOST_NO_FAST_SWITCH_WHILE_PENDING,
						     "the clone swap moves the context of " + who +
							     ", whose deferred callback is still queued on " + task->comm);
			}

			WRITE_ONCE(ctx->task, next);
			WRITE_ONCE(next_ctx->task, task);

			/* perf_ctx_sched_task_cb(ctx, task, false): no sched_task callback */

			perf_ctx_enable(ctx, false);

			/*
			 * RCU_INIT_POINTER here is safe because we've not
			 * modified the ctx and the above modification of
			 * ctx->task is immaterial since this value is
			 * always verified under ctx->lock which we're now
			 * holding.
			 */
			task->perf_event_ctxp = next_ctx;	/* RCU_INIT_POINTER */
			next->perf_event_ctxp = ctx;

			do_switch = 0;
			sim::note("perf_event_context_sched_out: clone contexts swapped (fast path)");

			perf_event_sync_stat(ctx, next_ctx);
		}
		raw_spin_unlock(&next_ctx->lock);
		raw_spin_unlock(&ctx->lock);
	}
unlock:
	rcu_read_unlock();

	if (do_switch) {
		raw_spin_lock(&ctx->lock);
		perf_ctx_disable(ctx, false);

inside_switch:
		/* perf_ctx_sched_task_cb(ctx, task, false): no sched_task callback */
		task_ctx_sched_out(ctx, NULL, EVENT_ALL);
		ghost_context_switched_out(ctx);	/* model-only: its clock is stopped */

		perf_ctx_enable(ctx, false);
		raw_spin_unlock(&ctx->lock);
	}
}

/*
 * kernel/events/core.c: __perf_event_task_sched_out() @ 12f24484da13 (core.c:3844).
 * Model: perf_pmu_sched_task(), perf_event_switch() and perf_cgroup_switch() left out (no
 * sched_task PMU, no context-switch records, no cgroups).
 */
void __perf_event_task_sched_out(struct task_struct *task, struct task_struct *next)
{
	MODEL_FRAME(3844);
	perf_event_context_sched_out(task, next);
}

/* include/linux/perf_event.h: perf_event_task_sched_out(); model: perf_sched_events is on, no sw event */
void perf_event_task_sched_out(struct task_struct *prev, struct task_struct *next)
{
	MODEL_FRAME_INLINE(0);
	__perf_event_task_sched_out(prev, next);
}

/* kernel/events/core.c: __link_epc() @ 12f24484da13 (core.c:3888). */
static void __link_epc(struct perf_event_pmu_context *pmu_ctx)
{
	MODEL_FRAME(3888);
	struct perf_cpu_pmu_context *cpc;

	if (!pmu_ctx->ctx->task)
		return;

	cpc = this_cpc(pmu_ctx->pmu);
	WARN_ON_ONCE(cpc->task_epc && cpc->task_epc != pmu_ctx);
	cpc->task_epc = pmu_ctx;
}

/*
 * kernel/events/core.c: visit_groups_merge() @ 12f24484da13 (core.c:3900).
 * Model: the kernel merges the {cpu -1} and {cpu} subtrees of the group tree (for a task
 * context; only {cpu} for a CPU context) by group_index with a min-heap; here the tree is a
 * vector in group_index order and one walk keeps the same events in the same order.
 */
int visit_groups_merge(struct perf_event_context *ctx, struct perf_event_groups *groups, int cpu,
		       struct pmu *pmu, int (*func)(struct perf_event *, void *), void *data)
{
	MODEL_FRAME(3900);
	struct perf_cpu_context *cpuctx = NULL;
	bool model_linked = false;
	int ret;

	if (!ctx->task) {
		cpuctx = this_cpu_ptr(&perf_cpu_context);
		lockdep_assert_held(&cpuctx->ctx.lock);
	}

	std::vector<struct perf_event *> tree = groups->tree;
	for (struct perf_event *evt : tree) {
		if (!(evt->cpu == cpu || (ctx->task && evt->cpu == -1)))
			continue;
		if (pmu && evt->pmu_ctx->pmu != pmu)
			continue;

		if (!model_linked) {
			__link_epc(evt->pmu_ctx);
			perf_assert_pmu_disabled(evt->pmu_ctx->pmu);
			model_linked = true;
		}

		ret = func(evt, data);
		if (ret)
			return ret;
	}

	return 0;
}

/* kernel/events/core.c: event_update_userpage() @ 12f24484da13 (core.c:3980). */
bool event_update_userpage(struct perf_event *event)
{
	MODEL_FRAME_INLINE(3980);
	if (likely(!refcount_read(&event->mmap_count)))
		return false;

	perf_event_update_time(event);
	perf_event_update_userpage(event);

	return true;
}

/* kernel/events/core.c: group_update_userpage() @ 12f24484da13 (core.c:3991). */
void group_update_userpage(struct perf_event *group_event)
{
	MODEL_FRAME_INLINE(3991);
	if (!event_update_userpage(group_event))
		return;

	for_each_sibling_event(event, group_event)
		event_update_userpage(event);
}

/*
 * kernel/events/core.c: merge_sched_in() @ 12f24484da13 (core.c:4002).
 * Model: the pinned-failure wakeup (fasync, perf_event_wakeup) is left out; the state change,
 * the mux hrtimer's arming (perf_mux_hrtimer_restart(), issue 15 b) and the user-page update stay.
 */
int merge_sched_in(struct perf_event *event, void *data)
{
	MODEL_FRAME(4002);
	struct perf_event_context *ctx = event->ctx;
	int *can_add_hw = (int *)data;

	if (event->state <= PERF_EVENT_STATE_OFF)
		return 0;

	if (!event_filter_match(event))
		return 0;

	if (group_can_go_on(event, *can_add_hw)) {
		if (!group_sched_in(event, ctx))
			get_event_list(event)->push_back(event);	/* list_add_tail(&event->active_list, ...) */
	}

	if (event->state == PERF_EVENT_STATE_INACTIVE) {
		*can_add_hw = 0;
		if (event->attr.pinned) {
			perf_event_set_state(event, PERF_EVENT_STATE_ERROR);
		} else {
			struct perf_cpu_pmu_context *cpc = this_cpc(event->pmu_ctx->pmu);

			event->pmu_ctx->rotate_necessary = 1;
			perf_mux_hrtimer_restart(cpc);
			if (!variant(PRE_F79256532682))	/* variant pre-f79256532682: no user-page update */
				group_update_userpage(event);
		}
	}

	return 0;
}

/* kernel/events/core.c: pmu_groups_sched_in() @ 12f24484da13 (core.c:4040). */
void pmu_groups_sched_in(struct perf_event_context *ctx, struct perf_event_groups *groups, struct pmu *pmu)
{
	MODEL_FRAME(4040);
	int can_add_hw = 1;
	visit_groups_merge(ctx, groups, smp_processor_id(), pmu,
			   merge_sched_in, &can_add_hw);
}

/* kernel/events/core.c: __pmu_ctx_sched_in() @ 12f24484da13 (core.c:4049). */
void __pmu_ctx_sched_in(struct perf_event_pmu_context *pmu_ctx, enum event_type_t event_type)
{
	MODEL_FRAME(4049);
	struct perf_event_context *ctx = pmu_ctx->ctx;

	if (event_type & EVENT_PINNED)
		pmu_groups_sched_in(ctx, &ctx->pinned_groups, pmu_ctx->pmu);
	if (event_type & EVENT_FLEXIBLE)
		pmu_groups_sched_in(ctx, &ctx->flexible_groups, pmu_ctx->pmu);
}

/*
 * kernel/events/core.c: ctx_sched_in() @ 12f24484da13 (core.c:4060).
 * Model: perf_cgroup_set_timestamp() left out.
 */
void ctx_sched_in(struct perf_event_context *ctx, struct pmu *pmu, enum event_type_t event_type)
{
	MODEL_FRAME(4060);
	struct perf_cpu_context *cpuctx = this_cpu_ptr(&perf_cpu_context);
	int is_active = ctx->is_active;
	bool cgroup = event_type & EVENT_CGROUP;

	event_type &= ~EVENT_CGROUP;

	lockdep_assert_held(&ctx->lock);

	if (likely(!ctx->nr_events))
		return;

	/*
	 * variant pre-baf1b12a67f5: before baf1b12a67f5 "perf: fix perf_event_context->time" the
	 * condition was `if (is_active ^ EVENT_TIME)`, true whenever is_active is anything but
	 * EVENT_TIME alone (it implies the upstream one, hence the ||): a second ctx_sched_in()
	 * (EVENT_FLEXIBLE after EVENT_PINNED) or one under EVENT_FROZEN restarts a running clock.
	 */
	if (!(is_active & EVENT_TIME) ||
	    (variant(PRE_BAF1B12A67F5) && (is_active ^ EVENT_TIME))) {
		/* start ctx time */
		__update_context_time(ctx, false);
		/*
		 * CPU-release for the below ->is_active store,
		 * see __load_acquire() in perf_event_time_now()
		 */
		barrier();
	}

	ctx->is_active |= (event_type | EVENT_TIME);
	if (ctx->task) {
		if (!(is_active & EVENT_ALL))
			cpuctx->task_ctx = ctx;
		else
			WARN_ON_ONCE(cpuctx->task_ctx != ctx);
	}

	is_active ^= ctx->is_active; /* changed bits */

	/*
	 * First go through the list and put on any pinned groups
	 * in order to give them the best chance of going on.
	 */
	if (is_active & EVENT_PINNED) {
		for_each_epc(pmu_ctx, ctx, pmu, cgroup)
			__pmu_ctx_sched_in(pmu_ctx, EVENT_PINNED);
	}

	/* Then walk through the lower prio flexible groups */
	if (is_active & EVENT_FLEXIBLE) {
		for_each_epc(pmu_ctx, ctx, pmu, cgroup)
			__pmu_ctx_sched_in(pmu_ctx, EVENT_FLEXIBLE);
	}
}

/*
 * kernel/events/core.c: perf_event_context_sched_in() @ 12f24484da13 (core.c:4112).
 * Model: perf_ctx_sched_task_cb() left out (no PMU sched_task callback).
 */
void perf_event_context_sched_in(struct task_struct *task)
{
	MODEL_FRAME(4112);
	struct perf_cpu_context *cpuctx = this_cpu_ptr(&perf_cpu_context);
	struct perf_event_context *ctx;

	rcu_read_lock();
	ctx = rcu_dereference(task->perf_event_ctxp);
	if (!ctx)
		goto rcu_unlock;

	if (cpuctx->task_ctx == ctx) {
		perf_ctx_lock(cpuctx, ctx);
		perf_ctx_disable(ctx, false);

		perf_ctx_enable(ctx, false);
		perf_ctx_unlock(cpuctx, ctx);
		goto rcu_unlock;
	}

	perf_ctx_lock(cpuctx, ctx);
	/*
	 * We must check ctx->nr_events while holding ctx->lock, such
	 * that we serialize against perf_install_in_context().
	 */
	if (!ctx->nr_events)
		goto unlock;

	perf_ctx_disable(ctx, false);
	/*
	 * We want to keep the following priority order:
	 * cpu pinned (that don't need to move), task pinned,
	 * cpu flexible, task flexible.
	 *
	 * However, if task's ctx is not carrying any pinned
	 * events, no need to flip the cpuctx's events around.
	 */
	if (!ctx->pinned_groups.tree.empty()) {
		perf_ctx_disable(&cpuctx->ctx, false);
		ctx_sched_out(&cpuctx->ctx, NULL, EVENT_FLEXIBLE);
	}

	perf_event_sched_in(cpuctx, ctx, NULL);

	if (!ctx->pinned_groups.tree.empty())
		perf_ctx_enable(&cpuctx->ctx, false);

	perf_ctx_enable(ctx, false);

unlock:
	perf_ctx_unlock(cpuctx, ctx);
rcu_unlock:
	rcu_read_unlock();
}

/*
 * kernel/events/core.c: __perf_event_task_sched_in() @ 12f24484da13 (core.c:4181).
 * Model: perf_event_switch() and perf_pmu_sched_task() left out.
 */
void __perf_event_task_sched_in(struct task_struct *prev, struct task_struct *task)
{
	MODEL_FRAME(4181);
	perf_event_context_sched_in(task);
}

/* include/linux/perf_event.h: perf_event_task_sched_in(); model: perf_sched_events is on */
void perf_event_task_sched_in(struct task_struct *prev, struct task_struct *task)
{
	MODEL_FRAME_INLINE(0);
	__perf_event_task_sched_in(prev, task);
}
