/*
 * kernel/events/core.c @ 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable): throttling and the
 * overflow that accounts for it. perf_event_unthrottle .. perf_event_throttle_group
 * (core.c:2671-2710), perf_adjust_freq_unthr_events/context and perf_event_task_tick (4302, 4353,
 * 4511), __perf_event_account_interrupt (10167), __perf_event_overflow (10318) and
 * perf_event_overflow (10410) (issue 15: counted from perf_pending_irq 7331, each read page checked
 * by its character count).
 *
 * The tree does NOT contain seed 003's patch: perf_event_throttle() calls
 * event->pmu->stop(event, 0) and perf_event_unthrottle() event->pmu->start(event, 0), exactly the
 * patch's "-" lines. The patch is the variant aux-pause-throttle.
 *
 * Left out, each marked where it would be: perf_log_throttle() (throttle records), frequency
 * mode (attr.freq = 0: perf_adjust_period() never runs), tick_dep_set_cpu/clear_cpu, BPF overflow
 * handlers, sigtrap (event_limit is ported: PERF_EVENT_IOC_REFRESH, issue 15).
 */
#include "model/perf/core.h"

/*
 * kernel/events/core.c: perf_event_unthrottle() @ 12f24484da13 (core.c:2671).
 * Variant aux-pause-throttle (seed 003): a PMU with PERF_PMU_CAP_AUX_PAUSE is resumed with
 * perf_event_aux_pause(event, false) instead of pmu->start(event, 0).
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
 */
void perf_event_throttle(struct perf_event *event)
{
	MODEL_FRAME(2683);
	if (event->state != PERF_EVENT_STATE_ACTIVE)
		return;

	if (variant(PRE_BC4394E5E79C)) {	/* before bc4394e5e79c: stop, then mark throttled */
		event->pmu->stop(event, 0);
		event->hw.interrupts = MAX_INTERRUPTS;
		return;
	}
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
	for_each_sibling_event(sibling, leader)
		perf_event_unthrottle(sibling, skip_start_event ? sibling != event : true);
}

/* kernel/events/core.c: perf_event_throttle_group() @ 12f24484da13 (core.c:2703). */
void perf_event_throttle_group(struct perf_event *event)
{
	MODEL_FRAME(2703);
	struct perf_event *leader = event->group_leader;

	perf_event_throttle(leader);
	for_each_sibling_event(sibling, leader)
		perf_event_throttle(sibling);
}

/*
 * kernel/events/core.c: perf_adjust_freq_unthr_events() @ 12f24484da13 (core.c:4302).
 * Model: frequency mode is not modelled, so after the unthrottle every event `continue`s.
 */
static void perf_adjust_freq_unthr_events(std::vector<struct perf_event *> &event_list)
{
	MODEL_FRAME(4302);
	const std::vector<struct perf_event *> events = event_list;	/* list_for_each_entry() */

	for (struct perf_event *event : events) {
		if (event->state != PERF_EVENT_STATE_ACTIVE)
			continue;

		// XXX use visit thingy to avoid the -1,cpu match
		if (!event_filter_match(event))
			continue;

		struct hw_perf_event *hwc = &event->hw;

		if (hwc->interrupts == MAX_INTERRUPTS)
			perf_event_unthrottle_group(event, is_event_in_freq_mode(event));

		if (!is_event_in_freq_mode(event))
			continue;

		/* ... the frequency adjustment: not modelled (attr.freq = 0) ... */
	}
}

/* include/linux/perf_event.h: perf_pmu_ctx_is_active() */
static inline bool perf_pmu_ctx_is_active(struct perf_event_pmu_context *epc)
{
	return !epc->flexible_active.empty() || !epc->pinned_active.empty();
}

/* kernel/events/core.c: perf_adjust_freq_unthr_context() @ 12f24484da13 (core.c:4353). */
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

	for (struct perf_event_pmu_context *pmu_ctx : ctx->pmu_ctx_list) {
		if (!(pmu_ctx->nr_freq || unthrottle))
			continue;
		if (!perf_pmu_ctx_is_active(pmu_ctx))
			continue;
		if (pmu_ctx->pmu->capabilities & PERF_PMU_CAP_NO_INTERRUPT)
			continue;

		perf_pmu_disable(pmu_ctx->pmu);
		perf_adjust_freq_unthr_events(pmu_ctx->pinned_active);
		perf_adjust_freq_unthr_events(pmu_ctx->flexible_active);
		perf_pmu_enable(pmu_ctx->pmu);
	}

	raw_spin_unlock(&ctx->lock);
}

/* kernel/events/core.c: perf_event_task_tick() @ 12f24484da13 (core.c:4511). Model: tick_dep_clear_cpu() left out. */
void perf_event_task_tick(void)
{
	MODEL_FRAME(4511);
	struct perf_cpu_context *cpuctx = this_cpu_ptr(&perf_cpu_context);
	struct model_cpu *cpu = model_cpu(smp_processor_id());
	struct perf_event_context *ctx;
	int throttled;

	lockdep_assert_irqs_disabled();

	cpu->perf_throttled_seq += 1;	/* __this_cpu_inc(perf_throttled_seq) */
	throttled = cpu->perf_throttled_count;	/* __this_cpu_xchg(perf_throttled_count, 0) */
	cpu->perf_throttled_count = 0;

	perf_adjust_freq_unthr_context(&cpuctx->ctx, !!throttled);

	rcu_read_lock();
	ctx = rcu_dereference(current->perf_event_ctxp);
	if (ctx)
		perf_adjust_freq_unthr_context(ctx, !!throttled);
	rcu_read_unlock();
}

/*
 * kernel/events/core.c: __perf_event_account_interrupt() @ 12f24484da13 (core.c:10167).
 * Model: tick_dep_set_cpu() left out; attr.freq is 0, so the period adjustment never runs.
 */
static int __perf_event_account_interrupt(struct perf_event *event, int throttle)
{
	MODEL_FRAME(10167);
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

	/* if (event->attr.freq) { ... perf_adjust_period() ... }: not modelled */

	return ret;
}

/* include/linux/perf_event.h: is_sampling_event() */
static inline bool is_sampling_event(struct perf_event *event)
{
	return event->attr.sample_period != 0;
}

/*
 * kernel/events/core.c: __perf_event_overflow() @ 12f24484da13 (core.c:10318).
 * As in the tree for the throttle, the AUX actions, event_limit (PERF_EVENT_IOC_REFRESH:
 * perf_event_disable_inatomic() and pmu->stop()), pending_kill and the overflow handler
 * (perf_event_output_forward(): the record and its wakeup); the BPF handler and sigtrap are left
 * out. ghost_user_aux_action() and ghost_overflow_limit() are model-only.
 */
int __perf_event_overflow(struct perf_event *event, int throttle)
{
	MODEL_FRAME(10318);
	int events = atomic_read(&event->event_limit);
	int ret = 0;

	/*
	 * Non-sampling counters might still use the PMI to fold short
	 * hardware counters, ignore those.
	 */
	if (unlikely(!is_sampling_event(event)))
		return 0;

	ghost_overflow_limit(event, events);	/* model-only: the credit this overflow uses (event-limit) */

	ret = __perf_event_account_interrupt(event, throttle);

	if (event->attr.aux_pause) {
		ghost_user_aux_action(event->aux_event, true);
		perf_event_aux_pause(event->aux_event, true);
	}

	/* ... bpf_overflow_handler(): not modelled ... */

	/*
	 * XXX event_limit might not quite work as expected on inherited
	 * events
	 */

	event->pending_kill = POLL_IN;
	if (events && atomic_dec_and_test(&event->event_limit)) {
		ret = 1;
		event->pending_kill = POLL_HUP;
		perf_event_disable_inatomic(event);
		event->pmu->stop(event, 0);
	}

	/* if (event->attr.sigtrap) { ... task_work_add(perf_pending_task) ... }: not modelled */

	event->overflow_handler(event);	/* READ_ONCE(event->overflow_handler)(event, data, regs): set once */

	if (event->fasync && event->pending_kill) {	/* *perf_event_fasync(event): never in the model */
		event->pending_wakeup = 1;
		irq_work_queue(&event->pending_irq);
	}

	if (event->attr.aux_resume) {	/* out: */
		ghost_user_aux_action(event->aux_event, false);
		perf_event_aux_pause(event->aux_event, false);
	}

	return ret;
}

/* kernel/events/core.c: perf_event_overflow() @ 12f24484da13 (core.c:10410). */
int perf_event_overflow(struct perf_event *event)
{
	MODEL_FRAME(10410);
	return __perf_event_overflow(event, 1);
}
