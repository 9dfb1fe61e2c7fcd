/*
 * kernel/events/core.c, the enable/disable/reset ioctls: core.c:2574-2640 (__event_disable ..
 * _perf_event_disable), 3141-3232 (__perf_event_enable .. perf_event_enable), 6164-6220
 * (_perf_event_reset, perf_event_for_each_child, perf_event_for_each), 6318-6445 (_perf_ioctl,
 * perf_ioctl), at 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable).
 * Left out: cgroups (perf_cgroup_event_enable/disable), security hooks, the other ioctls.
 */
#include "model/perf/core.h"

/* kernel/events/core.c: __event_disable() @ 12f24484da13 (core.c:2574). Model: no cgroups. */
void __event_disable(struct perf_event *event, struct perf_event_context *ctx, enum perf_event_state state)
{
	MODEL_FRAME(2574);
	ghost_exec_enabled(event, false);	/* model-only: a disable ends what exec enabled (issue 15 b) */
	event_sched_out(event, ctx);
	perf_event_set_state(event, state);
}

/*
 * kernel/events/core.c: __perf_event_disable() @ 12f24484da13 (core.c:2586).
 * Cross CPU call to disable a performance event
 */
void __perf_event_disable(struct perf_event *event, struct perf_cpu_context *cpuctx,
			  struct perf_event_context *ctx, void *info)
{
	MODEL_FRAME(2586);
	if (event->state < PERF_EVENT_STATE_INACTIVE)
		return;

	perf_pmu_disable(event->pmu_ctx->pmu);
	ctx_time_update_event(ctx, event);

	/*
	 * When disabling a group leader, the whole group becomes ineligible
	 * to run, so schedule out the full group.
	 */
	if (event == event->group_leader)
		group_sched_out(event, ctx);

	/*
	 * But only mark the leader OFF; the siblings will remain
	 * INACTIVE.
	 */
	__event_disable(event, ctx, PERF_EVENT_STATE_OFF);

	perf_pmu_enable(event->pmu_ctx->pmu);
}

/* kernel/events/core.c: _perf_event_disable() @ 12f24484da13 (core.c:2627). */
void _perf_event_disable(struct perf_event *event)
{
	MODEL_FRAME(2627);
	ghost_user_disable(event);	/* model-only: the user's DISABLE (invariant event-limit) */
	struct perf_event_context *ctx = event->ctx;

	raw_spin_lock_irq(&ctx->lock);
	if (event->state <= PERF_EVENT_STATE_OFF) {
		raw_spin_unlock_irq(&ctx->lock);
		return;
	}
	raw_spin_unlock_irq(&ctx->lock);

	event_function_call(event, __perf_event_disable, NULL);
}

/* kernel/events/core.c: perf_event_disable_local() @ 12f24484da13 (core.c:2641). */
void perf_event_disable_local(struct perf_event *event)
{
	MODEL_FRAME(2641);
	event_function_local(event, __perf_event_disable, NULL);
}

/*
 * kernel/events/core.c: perf_event_disable_inatomic() @ 12f24484da13 (core.c:2660).
 * From __perf_event_overflow() when event_limit runs out (NMI or hard-IRQ context): the disable
 * itself is perf_pending_disable(), the irq_work's, at the next IRQs-on point of this CPU.
 */
void perf_event_disable_inatomic(struct perf_event *event)
{
	MODEL_FRAME(2660);
	event->pending_disable = 1;
	irq_work_queue(&event->pending_disable_irq);
}

/*
 * kernel/events/core.c: __perf_event_enable() @ 12f24484da13 (core.c:3141).
 * Cross CPU call to enable a performance event. Model: no cgroups.
 */
void __perf_event_enable(struct perf_event *event, struct perf_cpu_context *cpuctx,
			 struct perf_event_context *ctx, void *info)
{
	MODEL_FRAME(3141);
	struct perf_event *leader = event->group_leader;
	struct perf_event_context *task_ctx;

	if (event->state >= PERF_EVENT_STATE_INACTIVE ||
	    event->state <= PERF_EVENT_STATE_ERROR)
		return;

	/*
	 * variant pre-5d95a2af973d: before 5d95a2af973d "perf: Add context time freeze" this
	 * stopped the context clock instead of freezing it:
	 *
	 *	if (ctx->is_active)
	 *		ctx_sched_out(ctx, NULL, EVENT_TIME);
	 *
	 * ctx_sched_out() updates the time and clears EVENT_TIME, and the ctx_sched_in() that
	 * follows (below, or in ctx_resched()) restarts it, dropping the time between. With
	 * EVENT_FROZEN never set, ctx_sched_out(), ctx_sched_in(), __pmu_ctx_sched_out() and
	 * perf_ctx_unlock() behave as they did before that commit.
	 */
	if (variant(PRE_5D95A2AF973D)) {
		if (ctx->is_active)
			ctx_sched_out(ctx, NULL, EVENT_TIME);
	} else {
		ctx_time_freeze(cpuctx, ctx);
	}

	perf_event_set_state(event, PERF_EVENT_STATE_INACTIVE);

	if (!ctx->is_active)
		return;

	if (!event_filter_match(event)) {
		if (variant(PRE_5D95A2AF973D))	/* before 5d95a2af973d: restart the clock */
			ctx_sched_in(ctx, NULL, EVENT_TIME);
		return;
	}

	/*
	 * If the event is in a group and isn't the group leader,
	 * then don't put it on unless the group is on.
	 */
	if (leader != event && leader->state != PERF_EVENT_STATE_ACTIVE) {
		if (variant(PRE_5D95A2AF973D))	/* before 5d95a2af973d: restart the clock */
			ctx_sched_in(ctx, NULL, EVENT_TIME);
		return;
	}

	task_ctx = cpuctx->task_ctx;
	if (ctx->task)
		WARN_ON_ONCE(task_ctx != ctx);

	ctx_resched(cpuctx, task_ctx, event->pmu_ctx->pmu, get_event_type(event));
}

/*
 * kernel/events/core.c: _perf_event_enable() @ 12f24484da13 (core.c:3187).
 * Model-only: the ledger follows the direct ERROR -> OFF store.
 */
void _perf_event_enable(struct perf_event *event)
{
	MODEL_FRAME(3187);
	ghost_user_enable(event);	/* model-only: an enable after the REFRESH credit ran out (event-limit) */
	struct perf_event_context *ctx = event->ctx;

	raw_spin_lock_irq(&ctx->lock);
	if (event->state >= PERF_EVENT_STATE_INACTIVE ||
	    event->state <  PERF_EVENT_STATE_ERROR) {
out:
		raw_spin_unlock_irq(&ctx->lock);
		return;
	}

	/*
	 * If the event is in error state, clear that first.
	 *
	 * That way, if we see the event in error state below, we know that it
	 * has gone back into error state, as distinct from the task having
	 * been scheduled away before the cross-call arrived.
	 */
	if (event->state == PERF_EVENT_STATE_ERROR) {
		/*
		 * Detached SIBLING events cannot leave ERROR state.
		 */
		if (event->event_caps & PERF_EV_CAP_SIBLING &&
		    event->group_leader == event)
			goto out;

		event->state = PERF_EVENT_STATE_OFF;
		ghost_set_state(event, PERF_EVENT_STATE_OFF);	/* model-only */
	}
	raw_spin_unlock_irq(&ctx->lock);

	event_function_call(event, __perf_event_enable, NULL);
}

/* include/linux/perf_event.h: is_sampling_event() (as throttle.cpp's) */
static inline bool refresh_is_sampling_event(struct perf_event *event) { return event->attr.sample_period != 0; }

/*
 * kernel/events/core.c: _perf_event_refresh() @ 12f24484da13 (core.c:3340).
 * PERF_EVENT_IOC_REFRESH: `refresh` more overflows before __perf_event_overflow() disables the
 * event (event_limit), and enable it.
 */
int _perf_event_refresh(struct perf_event *event, int refresh)
{
	MODEL_FRAME(3340);
	/*
	 * not supported on inherited events
	 */
	if (event->attr.inherit || !refresh_is_sampling_event(event))
		return -EINVAL;

	atomic_add(refresh, &event->event_limit);
	ghost_refresh(event, refresh);	/* model-only: the credit the user was granted (invariant event-limit) */
	_perf_event_enable(event);

	return 0;
}

/* kernel/events/core.c: _perf_event_reset() @ 12f24484da13 (core.c:6164). */
void _perf_event_reset(struct perf_event *event)
{
	MODEL_FRAME(6164);
	(void)perf_event_read(event, false);
	local64_set(&event->count, 0);
	ghost_event_reset(event);	/* model-only: a count may restart (monotonic-count) */
	perf_event_update_userpage(event);
}

/* kernel/events/core.c: perf_event_for_each_child() @ 12f24484da13 (core.c:6195). */
void perf_event_for_each_child(struct perf_event *event, void (*func)(struct perf_event *))
{
	MODEL_FRAME(6195);
	WARN_ON_ONCE(event->ctx->parent_ctx);

	mutex_lock(&event->child_mutex);
	func(event);
	for (struct perf_event *child : event->child_list)
		func(child);
	mutex_unlock(&event->child_mutex);
}

/* kernel/events/core.c: perf_event_for_each() @ 12f24484da13 (core.c:6209). */
static void perf_event_for_each(struct perf_event *event, void (*func)(struct perf_event *))
{
	MODEL_FRAME(6209);
	struct perf_event_context *ctx = event->ctx;

	lockdep_assert_held(&ctx->mutex);

	event = event->group_leader;

	perf_event_for_each_child(event, func);
	for_each_sibling_event(sibling, event)
		perf_event_for_each_child(sibling, func);
}

/*
 * kernel/events/core.c: _perf_ioctl() @ 12f24484da13 (core.c:6318).
 * Model: ENABLE, DISABLE, RESET and REFRESH only; every other command is -ENOTTY here.
 */
long _perf_ioctl(struct perf_event *event, unsigned int cmd, unsigned long arg)
{
	MODEL_FRAME(6318);
	void (*func)(struct perf_event *);
	u32 flags = arg;

	if (event->state <= PERF_EVENT_STATE_REVOKED)
		return -ENODEV;

	switch (cmd) {
	case PERF_EVENT_IOC_ENABLE:
		func = _perf_event_enable;
		break;
	case PERF_EVENT_IOC_DISABLE:
		func = _perf_event_disable;
		break;
	case PERF_EVENT_IOC_RESET:
		func = _perf_event_reset;
		break;

	case PERF_EVENT_IOC_REFRESH:
		return _perf_event_refresh(event, arg);
	default:
		return -ENOTTY;
	}

	if (flags & PERF_IOC_FLAG_GROUP)
		perf_event_for_each(event, func);
	else
		perf_event_for_each_child(event, func);

	return 0;
}

/* kernel/events/core.c: perf_ioctl() @ 12f24484da13 (core.c:6430). Model: no security hook. */
long perf_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	MODEL_FRAME(6430);
	struct perf_event *event = (struct perf_event *)file->private_data;
	struct perf_event_context *ctx;
	long ret;

	ctx = perf_event_ctx_lock(event);
	ret = _perf_ioctl(event, cmd, arg);
	perf_event_ctx_unlock(event, ctx);

	return ret;
}
