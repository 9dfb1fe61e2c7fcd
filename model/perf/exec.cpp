/*
 * kernel/events/core.c, exec (issue 15 b): event_enable_on_exec(), perf_event_enable_on_exec(),
 * perf_event_remove_on_exec(), perf_event_exec(), at 12f24484da13
 * (AOSC-Tracking/ubuntu-linux-unstable): core.c:4532-4640 (lines counted from
 * perf_event_task_tick() at core.c:4511); perf_event_exec() at core.c:8691 (counted in issue 15).
 *
 * Kernel history: variant pre-5d95a2af973d (already reverting the __perf_event_enable() hunk of
 * 5d95a2af973d "perf: Add context time freeze", enable.cpp) reverts its perf_event_enable_on_exec()
 * hunk too (tip-bot2 mail, perf/core 2024-08-08, the full diff): the context clock was stopped
 * with ctx_sched_out(ctx, NULL, EVENT_TIME) and, when nothing was enabled, restarted with
 * ctx_sched_in(ctx, NULL, EVENT_TIME); when an event was enabled, ctx_resched()'s ctx_sched_in()
 * restarted it. Either way the time between the stop and the restart is lost to every running event.
 *
 * Model: no perf_iterate_ctx(perf_event_addr_filters_exec) (no address filters); remove_on_exec
 * events have no owner (perf_remove_from_owner() is not modelled) and are never kernel events.
 */
#include "model/perf/core.h"

/* kernel/events/core.c: event_enable_on_exec() @ 12f24484da13 (core.c:4532). */
static int event_enable_on_exec(struct perf_event *event, struct perf_event_context *ctx)
{
	MODEL_FRAME(4532);
	(void)ctx;
	if (!event->attr.enable_on_exec)
		return 0;

	event->attr.enable_on_exec = 0;
	if (event->state >= PERF_EVENT_STATE_INACTIVE)
		return 0;

	perf_event_set_state(event, PERF_EVENT_STATE_INACTIVE);
	ghost_exec_enabled(event, true);	/* model-only */

	return 1;
}

/*
 * kernel/events/core.c: perf_event_enable_on_exec() @ 12f24484da13 (core.c:4551).
 * Variant pre-5d95a2af973d: ctx_sched_out(EVENT_TIME) / ctx_sched_in(EVENT_TIME) for the freeze.
 */
static void perf_event_enable_on_exec(struct perf_event_context *ctx)
{
	MODEL_FRAME(4551);
	struct perf_event_context *clone_ctx = NULL;
	enum event_type_t event_type = (enum event_type_t)0;
	struct perf_cpu_context *cpuctx;
	unsigned long flags;
	int enabled = 0;

	local_irq_save(flags);
	if (WARN_ON_ONCE(current->perf_event_ctxp != ctx))
		goto out;

	if (!ctx->nr_events)
		goto out;

	cpuctx = this_cpu_ptr(&perf_cpu_context);
	perf_ctx_lock(cpuctx, ctx);
	if (variant(PRE_5D95A2AF973D))	/* variant pre-5d95a2af973d */
		ctx_sched_out(ctx, NULL, EVENT_TIME);
	else
		ctx_time_freeze(cpuctx, ctx);

	for (struct perf_event *event : ctx->event_list) {	/* list_for_each_entry(event, &ctx->event_list, event_entry) */
		enabled |= event_enable_on_exec(event, ctx);
		event_type |= get_event_type(event);
	}

	/*
	 * Unclone and reschedule this context if we enabled any event.
	 */
	if (enabled) {
		clone_ctx = unclone_ctx(ctx);
		ctx_resched(cpuctx, ctx, NULL, event_type);
	} else if (variant(PRE_5D95A2AF973D)) {	/* variant pre-5d95a2af973d */
		ctx_sched_in(ctx, NULL, EVENT_TIME);
	}
	perf_ctx_unlock(cpuctx, ctx);

out:
	local_irq_restore(flags);

	if (clone_ctx)
		put_ctx(clone_ctx);
}

/*
 * kernel/events/core.c: perf_event_remove_on_exec() @ 12f24484da13 (core.c:4601).
 * Model: no owner (perf_remove_from_owner()), no kernel events.
 */
static void perf_event_remove_on_exec(struct perf_event_context *ctx)
{
	MODEL_FRAME(4601);
	struct perf_event_context *clone_ctx = NULL;
	unsigned long flags;
	bool modified = false;

	mutex_lock(&ctx->mutex);

	if (WARN_ON_ONCE(ctx->task != current))
		goto unlock;

	for (struct perf_event *event : std::vector<struct perf_event *>(ctx->event_list)) {
		if (!event->attr.remove_on_exec)
			continue;

		/* if (!is_kernel_event(event)) perf_remove_from_owner(event); -- no owner */

		modified = true;

		perf_event_exit_event(event, ctx, false, ctx->task);	/* the task: fix-c418d8b4d7a4 only */
	}

	raw_spin_lock_irqsave(&ctx->lock, flags);
	if (modified)
		clone_ctx = unclone_ctx(ctx);
	raw_spin_unlock_irqrestore(&ctx->lock, flags);

unlock:
	mutex_unlock(&ctx->mutex);

	if (clone_ctx)
		put_ctx(clone_ctx);
}

/*
 * kernel/events/core.c: perf_event_exec() @ 12f24484da13 (core.c:8691).
 * Model: no address filters (perf_iterate_ctx(ctx, perf_event_addr_filters_exec, NULL, true)).
 */
void perf_event_exec(void)
{
	MODEL_FRAME(8691);
	struct perf_event_context *ctx;

	ctx = perf_pin_task_context(current);
	if (!ctx)
		return;

	perf_event_enable_on_exec(ctx);
	perf_event_remove_on_exec(ctx);
	/* scoped_guard(rcu) perf_iterate_ctx(ctx, perf_event_addr_filters_exec, NULL, true); -- no filters */

	perf_unpin_context(ctx);
	put_ctx(ctx);
}
