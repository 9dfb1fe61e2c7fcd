/*
 * kernel/events/core.c, removing an event from its context (issue 15 b): list_del_event(),
 * perf_put_aux_event(), perf_get_aux_event(), perf_group_detach(), perf_child_detach(),
 * __perf_remove_from_context(), perf_remove_from_context(), and the context-pinning helpers
 * unclone_ctx(), perf_lock_task_context(), perf_pin_task_context(), perf_unpin_context() that
 * exit and exec share, at 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable): core.c:1412-1550,
 * 1800-1820, 2119-2350, 2470-2570, line numbers counted from the file read with read_file.
 *
 * Kernel history: variant pre-a3c3c66670ce reverts a3c3c66670ce "perf/core: Fix
 * child_total_time_enabled accounting bug at task exit" (Yeoreum Yun, 2025-03; read in the
 * 6.12-stable review mail "[PATCH 6.12 348/423]" with its full diff). Before it,
 * __perf_remove_from_context() did not change the state before perf_child_detach(): an INACTIVE
 * child event was synced to its parent with the totals of its last update, and its final period
 * was folded into its own totals only afterwards, by list_del_event()'s OFF step.
 *
 * Model: no cgroups (perf_cgroup_event_disable() and update_cgrp_time_from_cpuctx() are left out,
 * marked); lists are vectors; perf_get_aux_event() takes no reference on the leader, so
 * perf_put_aux_event() drops none.
 */
#include "model/perf/core.h"

/* kernel/events/core.c: unclone_ctx() @ 12f24484da13 (core.c:1412). */
struct perf_event_context *unclone_ctx(struct perf_event_context *ctx)
{
	MODEL_FRAME(1412);
	struct perf_event_context *parent_ctx = ctx->parent_ctx;

	lockdep_assert_held(&ctx->lock);

	if (parent_ctx)
		ctx->parent_ctx = NULL;
	ctx->generation++;

	return parent_ctx;
}

/*
 * kernel/events/core.c: perf_lock_task_context() @ 12f24484da13 (core.c:1473).
 * Model: RCU read sections are empty (nothing is freed).
 */
static struct perf_event_context *perf_lock_task_context(struct task_struct *task, unsigned long *flags)
{
	MODEL_FRAME(1473);
	struct perf_event_context *ctx;

retry:
	local_irq_save(*flags);
	rcu_read_lock();
	ctx = rcu_dereference(task->perf_event_ctxp);
	if (ctx) {
		raw_spin_lock(&ctx->lock);
		if (ctx != rcu_dereference(task->perf_event_ctxp)) {
			raw_spin_unlock(&ctx->lock);
			rcu_read_unlock();
			local_irq_restore(*flags);
			goto retry;
		}

		if (ctx->task == TASK_TOMBSTONE ||
		    !refcount_inc_not_zero(&ctx->refcount)) {
			raw_spin_unlock(&ctx->lock);
			ctx = NULL;
		} else {
			WARN_ON_ONCE(ctx->task != task);
		}
	}
	rcu_read_unlock();
	if (!ctx)
		local_irq_restore(*flags);
	return ctx;
}

/* kernel/events/core.c: perf_pin_task_context() @ 12f24484da13 (core.c:1529). */
struct perf_event_context *perf_pin_task_context(struct task_struct *task)
{
	MODEL_FRAME(1529);
	struct perf_event_context *ctx;
	unsigned long flags;

	ctx = perf_lock_task_context(task, &flags);
	if (ctx) {
		++ctx->pin_count;
		raw_spin_unlock_irqrestore(&ctx->lock, flags);
	}
	return ctx;
}

/* kernel/events/core.c: perf_unpin_context() @ 12f24484da13 (core.c:1543). */
void perf_unpin_context(struct perf_event_context *ctx)
{
	MODEL_FRAME(1543);
	unsigned long flags;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	--ctx->pin_count;
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
}

/* kernel/events/core.c: perf_event_groups_delete() @ 12f24484da13 (core.c:1800). Model: the tree is a vector. */
void perf_event_groups_delete(struct perf_event_groups *groups, struct perf_event *event)
{
	MODEL_FRAME(1800);
	WARN_ON_ONCE(groups->tree.empty());

	model_list_del(groups->tree, event);	/* rb_erase(&event->group_node, &groups->tree) */
	event->group_index = 0;			/* init_event_group(event) */
}

/* kernel/events/core.c: del_event_from_groups() @ 12f24484da13 (core.c:1814). */
static void del_event_from_groups(struct perf_event *event, struct perf_event_context *ctx)
{
	MODEL_FRAME(1814);
	struct perf_event_groups *groups;

	groups = get_event_groups(event, ctx);
	perf_event_groups_delete(groups, event);
}

/*
 * kernel/events/core.c: list_del_event() @ 12f24484da13 (core.c:2119).
 * Model: no nr_user / nr_no_switch_fast accounting (as list_add_event()).
 * Variant pre-a3c3c66670ce: the OFF step a3c3c66670ce made dead code ("moves the event->state
 * update to before list_del_event(). This makes the event->state test in list_del_event() always
 * false", 3b7a34aebbdf "perf: Fix dangling cgroup pointer in cpuctx", which then removed it; its
 * place inside the function was not read: it is put after the group removal).
 */
void list_del_event(struct perf_event *event, struct perf_event_context *ctx)
{
	MODEL_FRAME(2119);
	WARN_ON_ONCE(event->ctx != ctx);
	lockdep_assert_held(&ctx->lock);

	/*
	 * We can have double detach due to exit/hot-unplug + close.
	 */
	if (!(event->attach_state & PERF_ATTACH_CONTEXT))
		return;

	event->attach_state &= ~PERF_ATTACH_CONTEXT;

	ctx->nr_events--;
	if (event->attr.inherit_stat)
		ctx->nr_stat--;

	model_list_del(ctx->event_list, event);	/* list_del_rcu(&event->event_entry) */

	if (event->group_leader == event)
		del_event_from_groups(event, ctx);

	if (variant(PRE_A3C3C66670CE) && event->state > PERF_EVENT_STATE_OFF)	/* variant pre-a3c3c66670ce */
		perf_event_set_state(event, PERF_EVENT_STATE_OFF);

	ctx->generation++;
	event->pmu_ctx->nr_events--;
}

/* kernel/events/core.c: perf_put_aux_event() @ 12f24484da13 (core.c:2167). Model: put_event() is not modelled. */
static void perf_put_aux_event(struct perf_event *event)
{
	MODEL_FRAME(2167);
	struct perf_event_context *ctx = event->ctx;

	/*
	 * If event uses aux_event tear down the link
	 */
	if (event->aux_event) {
		event->aux_event = NULL;	/* iter = event->aux_event; ...; put_event(iter) */
		return;
	}

	/*
	 * If the event is an aux_event, tear down all links to
	 * it from other events.
	 */
	for_each_sibling_event(iter, event) {
		if (iter->aux_event != event)
			continue;

		iter->aux_event = NULL;

		/*
		 * If it's ACTIVE, schedule it out and put it into ERROR
		 * state so that we don't try to schedule it again. Note
		 * that perf_event_enable() will clear the ERROR status.
		 */
		__event_disable(iter, ctx, PERF_EVENT_STATE_ERROR);
	}
}

/*
 * kernel/events/core.c: perf_get_aux_event() @ 12f24484da13 (core.c:2207).
 * Model: no aux_output, aux_sample_size or event refcount: the aux_action check and the link.
 */
int perf_get_aux_event(struct perf_event *event, struct perf_event *group_leader)
{
	MODEL_FRAME(2207);
	if (!group_leader)
		return 0;

	if ((event->attr.aux_pause || event->attr.aux_resume) &&
	    !(group_leader->pmu->capabilities & PERF_PMU_CAP_AUX_PAUSE))
		return 0;

	event->aux_event = group_leader;

	return 1;
}

/* kernel/events/core.c: perf_group_detach() @ 12f24484da13 (core.c:2256). */
void perf_group_detach(struct perf_event *event)
{
	MODEL_FRAME(2256);
	struct perf_event *leader = event->group_leader;
	struct perf_event_context *ctx = event->ctx;

	lockdep_assert_held(&ctx->lock);

	/*
	 * We can have double detach due to exit/hot-unplug + close.
	 */
	if (!(event->attach_state & PERF_ATTACH_GROUP))
		return;

	event->attach_state &= ~PERF_ATTACH_GROUP;

	perf_put_aux_event(event);

	/*
	 * If this is a sibling, remove it from its group.
	 */
	if (leader != event) {
		model_list_del(event->group_leader->sibling_list, event);	/* list_del_init(&event->sibling_list) */
		event->group_leader->nr_siblings--;
		event->group_leader->group_generation++;
		goto out;
	}

	/*
	 * If this was a group event with sibling events then
	 * upgrade the siblings to singleton events by adding them
	 * to whatever list we are on.
	 */
	for (struct perf_event *sibling : std::vector<struct perf_event *>(event->sibling_list)) {
		if (sibling->event_caps & PERF_EV_CAP_SIBLING)
			__event_disable(sibling, ctx, PERF_EVENT_STATE_ERROR);

		sibling->group_leader = sibling;
		model_list_del(event->sibling_list, sibling);	/* list_del_init(&sibling->sibling_list) */

		/* Inherit group flags from the previous leader */
		sibling->group_caps = event->group_caps;

		if (sibling->attach_state & PERF_ATTACH_CONTEXT) {
			add_event_to_groups(sibling, event->ctx);

			if (sibling->state == PERF_EVENT_STATE_ACTIVE)
				get_event_list(sibling)->push_back(sibling);	/* list_add_tail(&sibling->active_list, ...) */
		}

		WARN_ON_ONCE(sibling->ctx != event->ctx);
	}

out:
	for_each_sibling_event(tmp, leader)
		perf_event__header_size(tmp);

	perf_event__header_size(leader);
}

/*
 * kernel/events/core.c: perf_child_detach() @ 12f24484da13 (core.c:2326).
 * Called under the parent's child_mutex (perf_event_exit_event()) and the child's ctx->lock.
 */
static void perf_child_detach(struct perf_event *event)
{
	MODEL_FRAME(2326);
	struct perf_event *parent_event = event->parent;

	if (!(event->attach_state & PERF_ATTACH_CHILD))
		return;

	event->attach_state &= ~PERF_ATTACH_CHILD;

	if (WARN_ON_ONCE(!parent_event))
		return;

	if (!variant(C418D8B4D7A4))	/* variant fix-c418d8b4d7a4: perf_event_exit_event() synced it */
		sync_child_event(event);
	model_list_del(parent_event->child_list, event);	/* list_del_init(&event->child_list) */
}

/* kernel/events/core.c: is_orphaned_event() @ 12f24484da13 (core.c:2348). */
bool is_orphaned_event(struct perf_event *event)
{
	MODEL_FRAME_INLINE(2348);
	return event->state == PERF_EVENT_STATE_DEAD;
}

/*
 * kernel/events/core.c: __perf_remove_from_context() @ 12f24484da13 (core.c:2482).
 * Model: no cgroups. Variant pre-a3c3c66670ce: no state change before the detach (the child is
 * synced with its stale totals), DETACH_DEAD's plain store after list_del_event(), as before
 * a3c3c66670ce.
 */
void __perf_remove_from_context(struct perf_event *event, struct perf_cpu_context *cpuctx,
				struct perf_event_context *ctx, void *info)
{
	MODEL_FRAME(2482);
	struct perf_event_pmu_context *pmu_ctx = event->pmu_ctx;
	enum perf_event_state state = PERF_EVENT_STATE_OFF;
	unsigned long flags = (unsigned long)info;

	ctx_time_update(cpuctx, ctx);

	/*
	 * Ensure event_sched_out() switches to OFF, at the very least
	 * this avoids raising perf_pending_task() at this time.
	 */
	if (flags & DETACH_EXIT)
		state = PERF_EVENT_STATE_EXIT;
	if (flags & DETACH_REVOKE)
		state = PERF_EVENT_STATE_REVOKED;
	if (flags & DETACH_DEAD)
		state = PERF_EVENT_STATE_DEAD;

	event_sched_out(event, ctx);
	event->model_removed = true;	/* model-only: off the PMU for good, no more samples (nmi_sample) */

	/* if (event->state > PERF_EVENT_STATE_OFF) perf_cgroup_event_disable(event, ctx); -- no cgroups */

	if (!variant(PRE_A3C3C66670CE))
		perf_event_set_state(event, std::min((enum perf_event_state)event->state, state));

	if (flags & DETACH_GROUP)
		perf_group_detach(event);
	if (flags & DETACH_CHILD)
		perf_child_detach(event);
	list_del_event(event, ctx);

	if (variant(PRE_A3C3C66670CE) && (flags & DETACH_DEAD)) {	/* variant pre-a3c3c66670ce */
		event->state = PERF_EVENT_STATE_DEAD;
		ghost_set_state(event, PERF_EVENT_STATE_DEAD);	/* model-only */
	}

	if (!pmu_ctx->nr_events) {
		pmu_ctx->rotate_necessary = 0;

		if (ctx->task && ctx->is_active) {
			struct perf_cpu_pmu_context *cpc = this_cpc(pmu_ctx->pmu);

			WARN_ON_ONCE(cpc->task_epc && cpc->task_epc != pmu_ctx);
			cpc->task_epc = NULL;
		}
	}

	if (!ctx->nr_events && ctx->is_active) {
		/* if (ctx == &cpuctx->ctx) update_cgrp_time_from_cpuctx(cpuctx, true); -- no cgroups */

		ctx->is_active = 0;
		if (ctx->task) {
			WARN_ON_ONCE(cpuctx->task_ctx != ctx);
			cpuctx->task_ctx = NULL;
		}
	}
}

/* kernel/events/core.c: perf_remove_from_context() @ 12f24484da13 (core.c:2551). */
void perf_remove_from_context(struct perf_event *event, unsigned long flags)
{
	MODEL_FRAME(2551);
	struct perf_event_context *ctx = event->ctx;

	lockdep_assert_held(&ctx->mutex);

	/*
	 * Because of perf_event_exit_task(), perf_remove_from_context() ought
	 * to work in the face of TASK_TOMBSTONE, unlike every other
	 * event_function_call() user.
	 */
	raw_spin_lock_irq(&ctx->lock);
	if (!ctx->is_active) {
		__perf_remove_from_context(event, this_cpu_ptr(&perf_cpu_context),
					   ctx, (void *)flags);
		raw_spin_unlock_irq(&ctx->lock);
		return;
	}
	raw_spin_unlock_irq(&ctx->lock);

	event_function_call(event, __perf_remove_from_context, (void *)flags);
}

/* model-only: task_curr(p), cpu_curr(task_cpu(p)) == p; the scheduler's curr is read plainly, as
 * the kernel reads rq->curr here without rq->lock */
static int task_curr(struct task_struct *p)
{
	return model_cpu(task_cpu(p))->curr == p;
}

/*
 * kernel/events/core.c: __perf_install_in_context() @ 12f24484da13 (core.c:2961).
 * Model: no cgroups (reprogram is not recomputed for a cgroup event).
 * Variant pre-5d95a2af973d: the clock is stopped with ctx_sched_out(ctx, NULL, EVENT_TIME) instead
 * of ctx_time_freeze() (the commit's __perf_install_in_context() hunk), and ctx_resched()'s
 * ctx_sched_in() restarts it.
 */
int __perf_install_in_context(void *info)
{
	MODEL_FRAME(2961);
	struct perf_event *event = (struct perf_event *)info;
	struct perf_event_context *ctx = event->ctx;
	struct perf_cpu_context *cpuctx = this_cpu_ptr(&perf_cpu_context);
	struct perf_event_context *task_ctx = cpuctx->task_ctx;
	bool reprogram = true;
	int ret = 0;

	raw_spin_lock(&cpuctx->ctx.lock);
	if (ctx->task) {
		raw_spin_lock(&ctx->lock);
		task_ctx = ctx;

		reprogram = (ctx->task == current);

		/*
		 * If the task is running, it must be running on this CPU,
		 * otherwise we cannot reprogram things.
		 *
		 * If its not running, we don't care, ctx->lock will
		 * serialize against it becoming runnable.
		 */
		if (task_curr(ctx->task) && !reprogram) {
			ret = -ESRCH;
			goto unlock;
		}

		WARN_ON_ONCE(reprogram && cpuctx->task_ctx && cpuctx->task_ctx != ctx);
	} else if (task_ctx) {
		raw_spin_lock(&task_ctx->lock);
	}

	if (reprogram) {
		if (variant(PRE_5D95A2AF973D))	/* variant pre-5d95a2af973d */
			ctx_sched_out(ctx, NULL, EVENT_TIME);
		else
			ctx_time_freeze(cpuctx, ctx);
		add_event_to_ctx(event, ctx);
		ctx_resched(cpuctx, task_ctx, event->pmu_ctx->pmu,
			    get_event_type(event));
	} else {
		add_event_to_ctx(event, ctx);
	}

unlock:
	perf_ctx_unlock(cpuctx, task_ctx);

	return ret;
}

/*
 * kernel/events/core.c: perf_install_in_context() @ 12f24484da13 (core.c:3029).
 * Model: exclusive_event_installable() is not modelled (no PERF_PMU_CAP_EXCLUSIVE PMU); event->ctx
 * is a plain pointer set once (smp_store_release() is a plain store); no cgroups.
 */
void perf_install_in_context(struct perf_event_context *ctx, struct perf_event *event, int cpu)
{
	MODEL_FRAME(3029);
	struct task_struct *task = READ_ONCE(ctx->task);

	lockdep_assert_held(&ctx->mutex);

	if (event->cpu != -1)
		WARN_ON_ONCE(event->cpu != cpu);

	/*
	 * Ensures that if we can observe event->ctx, both the event and ctx
	 * will be 'complete'. See perf_iterate_sb_cpu().
	 */
	event->ctx = ctx;	/* smp_store_release(&event->ctx, ctx) */

	/*
	 * perf_event_attr::disabled events will not run and can be initialized
	 * without IPI. Except when this is the first event for the context, in
	 * that case we need the magic of the IPI to set ctx->is_active.
	 *
	 * The IOC_ENABLE that is sure to follow the creation of a disabled
	 * event will issue the IPI and reprogram the hardware.
	 */
	if (__perf_effective_state(event) == PERF_EVENT_STATE_OFF &&
	    ctx->nr_events) {
		raw_spin_lock_irq(&ctx->lock);
		if (ctx->task == TASK_TOMBSTONE) {
			raw_spin_unlock_irq(&ctx->lock);
			return;
		}
		add_event_to_ctx(event, ctx);
		raw_spin_unlock_irq(&ctx->lock);
		return;
	}

	if (!task) {
		cpu_function_call(cpu, __perf_install_in_context, event);
		return;
	}

	/*
	 * Should not happen, we validate the ctx is still alive before calling.
	 */
	if (WARN_ON_ONCE(task == TASK_TOMBSTONE))
		return;

	/*
	 * This smp_mb() orders the task->perf_event_ctxp[] store with the
	 * task_cpu() load, such that if the IPI then does not find the task
	 * running, a future context switch of that task must observe the
	 * store.
	 */
	smp_mb();
again:
	if (!task_function_call(task, __perf_install_in_context, event))
		return;

	raw_spin_lock_irq(&ctx->lock);
	task = ctx->task;
	if (WARN_ON_ONCE(task == TASK_TOMBSTONE)) {
		raw_spin_unlock_irq(&ctx->lock);
		return;
	}
	/*
	 * If the task is not running, ctx->lock will avoid it becoming so,
	 * thus we can safely install the event.
	 */
	if (task_curr(task)) {
		raw_spin_unlock_irq(&ctx->lock);
		goto again;
	}
	add_event_to_ctx(event, ctx);
	raw_spin_unlock_irq(&ctx->lock);
}
