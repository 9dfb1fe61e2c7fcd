/*
 * kernel/events/core.c @ 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable), the throttle paths
 * and AUX pause/resume: perf_event_unthrottle .. perf_event_throttle_group (core.c:2671-2710),
 * event_sched_out/group_sched_out (2365, 2412), event_sched_in/group_sched_in (2712, 2769),
 * perf_adjust_freq_unthr_events/context and perf_event_task_tick (4302, 4353, 4511),
 * ring_buffer_get/put (6673, 6691), __perf_event_aux_pause/perf_event_aux_pause and
 * __perf_event_account_interrupt/__perf_event_overflow (read in the same tree; their line
 * numbers were not established, so their frames carry line 0).
 *
 * The current tree does NOT contain seed 003's patch: perf_event_throttle() calls
 * event->pmu->stop(event, 0) and perf_event_unthrottle() event->pmu->start(event, 0), exactly
 * the patch's "-" lines. The patch is the variant aux-pause-throttle.
 *
 * Left out, each marked where it would be: perf_log_throttle()/perf_log_itrace_start() (records
 * in the ring buffer), perf_pmu_disable/enable and PMU transactions, frequency mode
 * (attr.freq = 0: perf_adjust_period() never runs), BPF overflow handlers, event_limit, sigtrap,
 * the sample output of the overflow handler, cgroups, the per-CPU cpc bookkeeping, and RCU/
 * refcounting of the ring buffer (nothing is freed).
 */
#include "model/aux/aux.h"
#include "model/kernel/barrier.h"
#include "model/kernel/bug.h"
#include "model/kernel/irqflags.h"
#include "model/kernel/lockdep.h"
#include "model/kernel/smp.h"

namespace aux {

/*
 * kernel/events/core.c: ring_buffer_get() @ 12f24484da13 (core.c:6673).
 * Model: rcu_dereference(event->rb) as an acquire load; refcount_inc_not_zero() always succeeds
 * (no buffer is freed in the model).
 */
struct perf_buffer *ring_buffer_get(struct perf_event *event)
{
	MODEL_FRAME(6673);
	struct perf_buffer *rb;

	rb = event->rb.read(sim::Marking::Once, sim::Order::Acquire);	/* rcu_dereference(event->rb) */
	return rb;
}

/* kernel/events/core.c: ring_buffer_put() @ 12f24484da13 (core.c:6691). Model: never the last reference. */
void ring_buffer_put(struct perf_buffer *rb)
{
	MODEL_FRAME_INLINE(6691);
	(void)rb;
}

/*
 * kernel/events/core.c: __perf_event_aux_pause() @ 12f24484da13 (line not established).
 * As in the tree, line for line.
 */
static void __perf_event_aux_pause(struct perf_event *event, bool pause)
{
	MODEL_FRAME_INLINE(0);
	if (pause) {
		if (!event->hw.aux_paused) {
			event->hw.aux_paused = 1;
			event->pmu->stop(event, PERF_EF_PAUSE);
		}
	} else {
		if (event->hw.aux_paused) {
			event->hw.aux_paused = 0;
			event->pmu->start(event, PERF_EF_RESUME);
		}
	}
}

/*
 * kernel/events/core.c: perf_event_aux_pause() @ 12f24484da13 (line not established).
 * As in the tree: ring_buffer_get(), then under scoped_guard(irqsave) the recursion guard
 * rb->aux_in_pause_resume ("Another event could trip this same from NMI context"): a pause or
 * resume that finds it set does nothing.
 */
void perf_event_aux_pause(struct perf_event *event, bool pause)
{
	MODEL_FRAME(0);
	struct perf_buffer *rb;
	unsigned long flags;

	if (WARN_ON_ONCE(!event))
		return;

	rb = ring_buffer_get(event);
	if (!rb)
		return;

	local_irq_save(flags);	/* scoped_guard (irqsave) { */
	do {
		/*
		 * Guard against self-recursion here. Another event could trip
		 * this same from NMI context.
		 */
		if (READ_ONCE(rb->aux_in_pause_resume)) {
			sim::note(pause ? "perf_event_aux_pause(pause): aux_in_pause_resume set, the pause is dropped"
					: "perf_event_aux_pause(resume): aux_in_pause_resume set, the resume is dropped");
			break;
		}

		WRITE_ONCE(rb->aux_in_pause_resume, 1);
		barrier();
		__perf_event_aux_pause(event, pause);
		barrier();
		WRITE_ONCE(rb->aux_in_pause_resume, 0);
	} while (0);
	local_irq_restore(flags);	/* } */
	ring_buffer_put(rb);
}

/*
 * kernel/events/core.c: perf_event_unthrottle() @ 12f24484da13 (core.c:2671).
 * Variant aux-pause-throttle (seed 003): a PMU with PERF_PMU_CAP_AUX_PAUSE is resumed with
 * perf_event_aux_pause(event, false) instead of pmu->start(event, 0).
 * Model: perf_log_throttle() left out.
 */
void perf_event_unthrottle(struct perf_event *event, bool start)
{
	MODEL_FRAME(2671);
	if (event->state != PERF_EVENT_STATE_ACTIVE)
		return;

	event->hw.interrupts = 0;
	if (start) {
		if (variant(AUX_PAUSE_THROTTLE) && (event->pmu->capabilities & PERF_PMU_CAP_AUX_PAUSE))
			perf_event_aux_pause(event, false);	/* seed 003 */
		else
			event->pmu->start(event, 0);
	}
	/* if (event == event->group_leader) perf_log_throttle(event, 1); -- not modelled */
}

/*
 * kernel/events/core.c: perf_event_throttle() @ 12f24484da13 (core.c:2683).
 * Variant aux-pause-throttle (seed 003): a PMU with PERF_PMU_CAP_AUX_PAUSE is paused with
 * perf_event_aux_pause(event, true) instead of pmu->stop(event, 0).
 * Model: perf_log_throttle() left out.
 */
void perf_event_throttle(struct perf_event *event)
{
	MODEL_FRAME(2683);
	if (event->state != PERF_EVENT_STATE_ACTIVE)
		return;

	event->hw.interrupts = MAX_INTERRUPTS;
	if (variant(AUX_PAUSE_THROTTLE) && (event->pmu->capabilities & PERF_PMU_CAP_AUX_PAUSE))
		perf_event_aux_pause(event, true);	/* seed 003 */
	else
		event->pmu->stop(event, 0);
	/* if (event == event->group_leader) perf_log_throttle(event, 0); -- not modelled */
}

/* kernel/events/core.c: perf_event_unthrottle_group() @ 12f24484da13 (core.c:2694). */
void perf_event_unthrottle_group(struct perf_event *event, bool skip_start_event)
{
	MODEL_FRAME(2694);
	struct perf_event *leader = event->group_leader;

	perf_event_unthrottle(leader, skip_start_event ? leader != event : true);
	for (struct perf_event *sibling : leader->sibling_list)	/* for_each_sibling_event() */
		perf_event_unthrottle(sibling, skip_start_event ? sibling != event : true);
}

/* kernel/events/core.c: perf_event_throttle_group() @ 12f24484da13 (core.c:2703). */
void perf_event_throttle_group(struct perf_event *event)
{
	MODEL_FRAME(2703);
	struct perf_event *leader = event->group_leader;

	perf_event_throttle(leader);
	for (struct perf_event *sibling : leader->sibling_list)	/* for_each_sibling_event() */
		perf_event_throttle(sibling);
}

/*
 * kernel/events/core.c: event_sched_out() @ 12f24484da13 (core.c:2365).
 * Model: pending_disable, perf_pmu_disable/enable, cgroup and cpc bookkeeping left out; the
 * times (perf_event_set_state()) are not modelled, only the state.
 */
void event_sched_out(struct perf_event *event, struct perf_event_context *ctx)
{
	MODEL_FRAME(2365);
	lockdep_assert_held(&ctx->lock);

	if (event->state != PERF_EVENT_STATE_ACTIVE)
		return;

	/* list_del_init(&event->active_list) */
	std::erase(ctx->active_list, event);

	event->pmu->del(event, 0);
	event->oncpu = -1;

	event->state = PERF_EVENT_STATE_INACTIVE;	/* perf_event_set_state(event, state) */
}

/* kernel/events/core.c: group_sched_out() @ 12f24484da13 (core.c:2412). */
void group_sched_out(struct perf_event *group_event, struct perf_event_context *ctx)
{
	MODEL_FRAME_INLINE(2412);
	if (group_event->state != PERF_EVENT_STATE_ACTIVE)
		return;

	event_sched_out(group_event, ctx);

	/*
	 * Schedule out siblings (if any):
	 */
	for (struct perf_event *event : group_event->sibling_list)
		event_sched_out(event, ctx);
}

/*
 * kernel/events/core.c: event_sched_in() @ 12f24484da13 (core.c:2712).
 * As in the tree for the throttle: a throttled event is unthrottled with start = false before
 * pmu->add(event, PERF_EF_START). Model: smp_wmb() ordering of oncpu is not needed (no reader of
 * oncpu on another CPU), perf_log_itrace_start(), perf_pmu_disable/enable and the cpc/nr_freq
 * bookkeeping left out.
 */
int event_sched_in(struct perf_event *event, struct perf_event_context *ctx)
{
	MODEL_FRAME(2712);
	int ret = 0;

	lockdep_assert_held(&ctx->lock);

	if (event->state <= PERF_EVENT_STATE_OFF)
		return 0;

	WRITE_ONCE(event->oncpu, smp_processor_id());
	event->state = PERF_EVENT_STATE_ACTIVE;	/* perf_event_set_state(event, PERF_EVENT_STATE_ACTIVE) */

	/*
	 * Unthrottle events, since we scheduled we might have missed several
	 * ticks already, also for a heavily scheduling task there is little
	 * guarantee it'll get a tick in a timely manner.
	 */
	if (unlikely(event->hw.interrupts == MAX_INTERRUPTS))
		perf_event_unthrottle(event, false);

	if (event->pmu->add(event, PERF_EF_START)) {
		event->state = PERF_EVENT_STATE_INACTIVE;	/* perf_event_set_state() */
		event->oncpu = -1;
		ret = -11;	/* -EAGAIN */
	}

	return ret;
}

/* kernel/events/core.c: group_sched_in() @ 12f24484da13 (core.c:2769). Model: no PMU transaction. */
int group_sched_in(struct perf_event *group_event, struct perf_event_context *ctx)
{
	MODEL_FRAME(2769);
	struct perf_event *partial_group = NULL;

	if (group_event->state == PERF_EVENT_STATE_OFF)
		return 0;

	if (event_sched_in(group_event, ctx))
		return -11;	/* goto error */

	/*
	 * Schedule in siblings as one group (if any):
	 */
	for (struct perf_event *event : group_event->sibling_list) {
		if (event_sched_in(event, ctx)) {
			partial_group = event;
			goto group_error;
		}
	}
	return 0;

group_error:
	/*
	 * Groups can be scheduled in as one unit only, so undo any
	 * partial group before returning:
	 * The events up to the failed event are scheduled out normally.
	 */
	for (struct perf_event *event : group_event->sibling_list) {
		if (event == partial_group)
			break;

		event_sched_out(event, ctx);
	}
	event_sched_out(group_event, ctx);
	return -11;
}

/*
 * kernel/events/core.c: perf_adjust_freq_unthr_events() @ 12f24484da13 (core.c:4302).
 * Model: event_filter_match() is always true; frequency mode is not modelled, so after the
 * unthrottle every event `continue`s.
 */
static void perf_adjust_freq_unthr_events(std::vector<struct perf_event *> &event_list)
{
	MODEL_FRAME(4302);
	const std::vector<struct perf_event *> events = event_list;	/* list_for_each_entry() */

	for (struct perf_event *event : events) {
		if (event->state != PERF_EVENT_STATE_ACTIVE)
			continue;

		struct hw_perf_event *hwc = &event->hw;

		if (hwc->interrupts == MAX_INTERRUPTS)
			perf_event_unthrottle_group(event, event->attr.freq /* is_event_in_freq_mode() */);

		if (!event->attr.freq)	/* !is_event_in_freq_mode(event) */
			continue;
	}
}

/*
 * kernel/events/core.c: perf_adjust_freq_unthr_context() @ 12f24484da13 (core.c:4353).
 * Model: one pmu_ctx (the kernel walks ctx->pmu_ctx_list and its pinned_active then
 * flexible_active lists; here one list of the active group leaders); perf_pmu_ctx_is_active() is
 * ctx->is_active; no PMU has PERF_PMU_CAP_NO_INTERRUPT.
 */
static void perf_adjust_freq_unthr_context(struct perf_event_context *ctx, bool unthrottle)
{
	MODEL_FRAME(4353);
	/*
	 * only need to iterate over all events iff:
	 * - context have events in frequency mode (needs freq adjust)
	 * - there are events to unthrottle on this cpu
	 */
	if (!(ctx->nr_freq || unthrottle))
		return;

	raw_spin_lock(&ctx->lock);

	if (ctx->is_active)
		perf_adjust_freq_unthr_events(ctx->active_list);

	raw_spin_unlock(&ctx->lock);
}

/*
 * kernel/events/core.c: perf_event_task_tick() @ 12f24484da13 (core.c:4511).
 * Model: tick_dep_clear_cpu() left out; cpuctx->ctx and current->perf_event_ctxp are the
 * world's one context when it is this CPU's or its task runs here (model_current_ctx()).
 */
void perf_event_task_tick(void)
{
	MODEL_FRAME(4511);
	struct model_cpu *cpu = model_cpu(smp_processor_id());
	struct perf_event_context *ctx;
	int throttled;

	lockdep_assert_irqs_disabled();

	cpu->perf_throttled_seq += 1;	/* __this_cpu_inc(perf_throttled_seq) */
	throttled = cpu->perf_throttled_count;	/* __this_cpu_xchg(perf_throttled_count, 0) */
	cpu->perf_throttled_count = 0;

	ctx = model_current_ctx(smp_processor_id());
	if (ctx)
		perf_adjust_freq_unthr_context(ctx, !!throttled);
}

/*
 * kernel/events/core.c: __perf_event_account_interrupt() @ 12f24484da13 (line not established).
 * As in the tree; tick_dep_set_cpu() and the attr.freq period adjustment left out.
 */
static int __perf_event_account_interrupt(struct perf_event *event, int throttle)
{
	MODEL_FRAME(0);
	struct hw_perf_event *hwc = &event->hw;
	struct model_cpu *cpu = model_cpu(smp_processor_id());
	int ret = 0;
	u64 seq;

	seq = cpu->perf_throttled_seq;	/* __this_cpu_read(perf_throttled_seq) */
	if (seq != hwc->interrupts_seq) {
		hwc->interrupts_seq = seq;
		hwc->interrupts = 1;
	} else {
		hwc->interrupts++;
	}

	if (unlikely(throttle && hwc->interrupts >= (u64)max_samples_per_tick)) {
		cpu->perf_throttled_count += 1;	/* __this_cpu_inc(perf_throttled_count) */
		perf_event_throttle_group(event);
		ret = 1;
	}

	return ret;
}

/*
 * kernel/events/core.c: __perf_event_overflow() @ 12f24484da13 (line not established).
 * As in the tree for the throttle and the AUX actions; between them the BPF handler,
 * event_limit, sigtrap and the sample output are left out. ghost_user_aux_action() records what
 * the user's aux-action asked for (model-only).
 */
static int __perf_event_overflow(struct perf_event *event, int throttle)
{
	MODEL_FRAME(0);
	int ret = 0;

	ret = __perf_event_account_interrupt(event, throttle);

	if (event->attr.aux_pause) {
		ghost_user_aux_action(event->aux_event, true);
		perf_event_aux_pause(event->aux_event, true);
	}

	/* ... bpf_overflow_handler, event_limit, sigtrap, overflow_handler: not modelled ... */

	if (event->attr.aux_resume) {
		ghost_user_aux_action(event->aux_event, false);
		perf_event_aux_pause(event->aux_event, false);
	}

	return ret;
}

/* kernel/events/core.c: perf_event_overflow() @ 12f24484da13 (line not established). */
int perf_event_overflow(struct perf_event *event)
{
	MODEL_FRAME(0);
	return __perf_event_overflow(event, 1);
}

/*
 * kernel/events/core.c: __perf_event_stop() @ 12f24484da13 (read in the tree; line not
 * established). As in the tree; the smp_rmb() pairs with event_sched_in()'s smp_wmb(), which the
 * model does not need (oncpu is written before state on the same CPU).
 */
struct stop_event_data {
	struct perf_event *event;
	unsigned int restart;
};

static int __perf_event_stop(void *info)
{
	MODEL_FRAME(0);
	struct stop_event_data *sd = (struct stop_event_data *)info;
	struct perf_event *event = sd->event;

	/* if it's already INACTIVE, do nothing */
	if (READ_ONCE(event->state) != PERF_EVENT_STATE_ACTIVE)
		return 0;

	/*
	 * There is a window with interrupts enabled before we get here,
	 * so we need to check again lest we try to stop another CPU's event.
	 */
	if (READ_ONCE(event->oncpu) != smp_processor_id())
		return -11;	/* -EAGAIN */

	event->pmu->stop(event, PERF_EF_UPDATE);

	/*
	 * May race with the actual stop (through perf_pmu_output_stop()),
	 * but it is only used for events with AUX ring buffer, and such
	 * events will refuse to restart because of rb::aux_mmap_count==0,
	 * see comments in perf_aux_output_begin().
	 */
	if (sd->restart)
		event->pmu->start(event, 0);

	return 0;
}

static void __perf_event_stop_ipi(void *info)
{
	__perf_event_stop(info);
}

/*
 * kernel/events/core.c: perf_mmap_close() @ 12f24484da13 (core.c:6738), the AUX-area part, for
 * the last mapping of an AUX event's buffer. Model: refcount_dec_and_mutex_lock(&rb->aux_mmap_count,
 * &rb->aux_mutex) is a plain decrement (one unmapper); perf_pmu_output_stop(event) (body not read)
 * is reduced to __perf_event_stop(event, restart = 1) run on the event's CPU, which is what it
 * does for an AUX event writing to this buffer; rb_free_aux() and the VM accounting are left out;
 * ring_buffer_attach(event, NULL) is the rcu_assign_pointer(event->rb, NULL) of the last unmap.
 */
void perf_mmap_close_aux(struct perf_event *event)
{
	MODEL_FRAME(6738);
	struct perf_buffer *rb = ring_buffer_get(event);

	if (!rb)
		return;

	if (rb->aux_nr_pages) {
		WRITE_ONCE(rb->aux_mmap_count, 0);	/* refcount_dec_and_mutex_lock() */

		/* perf_pmu_output_stop(event): stop the AUX event writing to this buffer */
		struct stop_event_data sd = {event, 1};
		int cpu = READ_ONCE(event->oncpu);
		if (cpu >= 0)
			smp_call_function_single(cpu, __perf_event_stop_ipi, &sd, 1);
	}

	/* ring_buffer_attach(event, NULL) */
	event->rb.write(NULL, sim::Marking::Once, sim::Order::Release);	/* rcu_assign_pointer() */
	ring_buffer_put(rb);
}

}  // namespace aux
