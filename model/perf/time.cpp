/*
 * kernel/events/core.c, state-based event timekeeping and the context clock: core.c:677-758
 * (perf_clock .. perf_event_set_state), 1555-1610 (__update_context_time .. perf_event_time_now),
 * 2431-2468 (__ctx_time_update .. ctx_time_update_event), 4721-4738 (perf_event_count,
 * calc_timer_values), at 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable).
 *
 * cgroup time is not modelled: is_cgroup_event() is always false, so the cgroup branches of
 * perf_event_time(), perf_event_time_now() and __ctx_time_update() are left out (marked below).
 */
#include "model/perf/core.h"

/*
 * kernel/events/core.c: perf_clock() @ 12f24484da13 (core.c:677).
 * Model: the simulator's clock (advances by the scenario tick at every read) for local_clock().
 */
u64 perf_clock(void)
{
	MODEL_FRAME_INLINE(677);
	return sim::clock_read();
}

/*
 * kernel/events/core.c: __update_context_time() @ 12f24484da13 (core.c:1555).
 * Loads and stores as upstream. Model-only: the ledger is charged the context-time advance
 * here, under ctx->lock, with the values the kernel used; a restart (!adv) of a clock that has
 * run since its timestamp is charged the interval it drops (model/perf/ghost.h).
 */
void __update_context_time(struct perf_event_context *ctx, bool adv)
{
	MODEL_FRAME(1555);
	u64 now = perf_clock();

	lockdep_assert_held(&ctx->lock);

	if (adv) {
		u64 model_before = ctx->time.peek();		/* model-only */
		ctx->time += now - ctx->timestamp;
		ghost_context_time_advanced(ctx, ctx->time.peek() - model_before);	/* model-only */
	}
	ghost_context_timestamp(ctx, adv, now - ctx->timestamp.peek());	/* model-only */
	ctx->timestamp = now;

	/*
	 * The above: time' = time + (now - timestamp), can be re-arranged
	 * into: time` = now + (time - timestamp), which gives a single value
	 * offset to compute future time without locks on.
	 *
	 * See perf_event_time_now(), which can be used from NMI context where
	 * it's (obviously) not possible to acquire ctx->lock in order to read
	 * both the above values in a consistent manner.
	 */
	WRITE_ONCE(ctx->timeoffset, ctx->time - ctx->timestamp);
}

/* kernel/events/core.c: update_context_time() @ 12f24484da13 (core.c:1577). */
void update_context_time(struct perf_event_context *ctx)
{
	MODEL_FRAME(1577);
	__update_context_time(ctx, true);
}

/* kernel/events/core.c: perf_event_time() @ 12f24484da13 (core.c:1582). Model: no cgroup branch. */
u64 perf_event_time(struct perf_event *event)
{
	MODEL_FRAME(1582);
	struct perf_event_context *ctx = event->ctx;

	if (unlikely(!ctx))
		return 0;

	return ctx->time;
}

/*
 * kernel/events/core.c: perf_event_time_now() @ 12f24484da13 (core.c:1595).
 * Model: no cgroup branch. __load_acquire() is the kernel's "UP load-acquire" (READ_ONCE then
 * barrier()): a marked load that orders nothing across CPUs.
 */
u64 perf_event_time_now(struct perf_event *event, u64 now)
{
	MODEL_FRAME(1595);
	struct perf_event_context *ctx = event->ctx;

	if (unlikely(!ctx))
		return 0;

	if (!(__load_acquire(&ctx->is_active) & EVENT_TIME))
		return ctx->time;

	now += READ_ONCE(ctx->timeoffset);
	return now;
}

/* kernel/events/core.c: __perf_effective_state() @ 12f24484da13 (core.c:709). */
enum perf_event_state __perf_effective_state(struct perf_event *event)
{
	MODEL_FRAME_INLINE(709);
	struct perf_event *leader = event->group_leader;

	if (leader->state <= PERF_EVENT_STATE_OFF)
		return leader->state;

	return event->state;
}

/*
 * kernel/events/core.c: __perf_update_times() @ 12f24484da13 (core.c:720).
 * Loads and stores as upstream: with enabled == &event->total_time_enabled (from
 * perf_event_update_time) `*enabled = event->total_time_enabled` is a plain load and store of
 * the field and `*enabled += delta` a plain read-modify-write, as the C abstract machine has
 * them. A template so that calc_timer_values() can pass locals. Model-only: the ledger checks
 * now >= tstamp ("no-time-travel"); the u64 delta wraps exactly as in the kernel.
 */
template <typename T> void __perf_update_times(struct perf_event *event, u64 now, T *enabled, T *running)
{
	MODEL_FRAME_INLINE(720);
	enum perf_event_state state = __perf_effective_state(event);
	u64 delta = now - event->tstamp;

	ghost_check_delta(event, now, delta, "__perf_update_times");	/* model-only */

	*enabled = event->total_time_enabled;
	if (state >= PERF_EVENT_STATE_INACTIVE)
		*enabled += delta;

	*running = event->total_time_running;
	if (state >= PERF_EVENT_STATE_ACTIVE)
		*running += delta;
}
template void __perf_update_times<u64>(struct perf_event *, u64, u64 *, u64 *);
template void __perf_update_times<sim::field<u64>>(struct perf_event *, u64, sim::field<u64> *, sim::field<u64> *);

/* kernel/events/core.c: perf_event_update_time() @ 12f24484da13 (core.c:735). */
void perf_event_update_time(struct perf_event *event)
{
	MODEL_FRAME_INLINE(735);
	u64 now = perf_event_time(event);

	__perf_update_times(event, now, &event->total_time_enabled,
					&event->total_time_running);
	event->tstamp = now;
}

/* kernel/events/core.c: perf_event_update_sibling_time() @ 12f24484da13 (core.c:744). */
void perf_event_update_sibling_time(struct perf_event *leader)
{
	MODEL_FRAME(744);
	for_each_sibling_event(sibling, leader)
		perf_event_update_time(sibling);
}

/*
 * kernel/events/core.c: perf_event_set_state() @ 12f24484da13 (core.c:752).
 * Model-only: the ledger's state changes at the WRITE_ONCE(event->state), under ctx->lock.
 */
void perf_event_set_state(struct perf_event *event, enum perf_event_state state)
{
	MODEL_FRAME(752);
	if (event->state == state)
		return;

	perf_event_update_time(event);
	/*
	 * If a group leader gets enabled/disabled all its siblings
	 * are affected too.
	 */
	if ((event->state < 0) ^ (state < 0))
		perf_event_update_sibling_time(event);

	WRITE_ONCE(event->state, state);
	ghost_set_state(event, state);	/* model-only */
}

/*
 * kernel/events/core.c: __ctx_time_update() @ 12f24484da13 (core.c:2431).
 * Model: update_cgrp_time_from_cpuctx() (cgroup time) left out.
 */
void __ctx_time_update(struct perf_cpu_context *cpuctx, struct perf_event_context *ctx, bool final)
{
	MODEL_FRAME_INLINE(2431);
	if (ctx->is_active & EVENT_TIME) {
		if (ctx->is_active & EVENT_FROZEN)
			return;
		update_context_time(ctx);
	}
}

/* kernel/events/core.c: ctx_time_update() @ 12f24484da13 (core.c:2442). */
void ctx_time_update(struct perf_cpu_context *cpuctx, struct perf_event_context *ctx)
{
	MODEL_FRAME_INLINE(2442);
	__ctx_time_update(cpuctx, ctx, false);
}

/*
 * kernel/events/core.c: ctx_time_freeze() @ 12f24484da13 (core.c:2451).
 * To be used inside perf_ctx_lock() / perf_ctx_unlock(). Lasts until perf_ctx_unlock().
 */
void ctx_time_freeze(struct perf_cpu_context *cpuctx, struct perf_event_context *ctx)
{
	MODEL_FRAME_INLINE(2451);
	ctx_time_update(cpuctx, ctx);
	if (ctx->is_active & EVENT_TIME)
		ctx->is_active |= EVENT_FROZEN;
}

/*
 * kernel/events/core.c: ctx_time_update_event() @ 12f24484da13 (core.c:2459).
 * Model: update_cgrp_time_from_event() (cgroup time) left out.
 */
void ctx_time_update_event(struct perf_event_context *ctx, struct perf_event *event)
{
	MODEL_FRAME_INLINE(2459);
	if (ctx->is_active & EVENT_TIME) {
		if (ctx->is_active & EVENT_FROZEN)
			return;
		update_context_time(ctx);
	}
}

/* kernel/events/core.c: perf_event_count() @ 12f24484da13 (core.c:4721). */
u64 perf_event_count(struct perf_event *event, bool self)
{
	MODEL_FRAME_INLINE(4721);
	if (self)
		return local64_read(&event->count);

	return local64_read(&event->count) + atomic64_read(&event->child_count);
}

/* kernel/events/core.c: calc_timer_values() @ 12f24484da13 (core.c:4729). */
void calc_timer_values(struct perf_event *event,
				u64 *now,
				u64 *enabled,
				u64 *running)
{
	MODEL_FRAME(4729);
	u64 ctx_time;

	*now = perf_clock();
	ctx_time = perf_event_time_now(event, *now);
	__perf_update_times(event, ctx_time, enabled, running);
}
