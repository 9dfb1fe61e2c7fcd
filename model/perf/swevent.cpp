/*
 * kernel/events/core.c @ 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable): the software PMUs
 * cpu-clock and task-clock and their sampling hrtimer (issue 15 (a)): perf_swevent_hrtimer,
 * perf_swevent_start_hrtimer, perf_swevent_cancel_hrtimer, cpu_clock_event_update/start/stop/
 * add/del/read, task_clock_event_update/start/stop/add/del/read, and the struct pmu of each. Read
 * in that tree; their lines were not counted (frames carry line 0).
 *
 * Their add() writes the user page (perf_event_update_userpage()) in IRQ context, under ctx->lock
 * of the context being scheduled in: the most common user-page writer of the kernel.
 *
 * Model (deliberate differences, model/README.md): local_clock() is perf_clock(), the model clock;
 * an hrtimer is armed or not, on the CPU that started it (HRTIMER_MODE_REL_PINNED_HARD); its
 * expiry is the op overflow(E) in an irq lane of that CPU (world.cpp) and its period is not
 * modelled (hrtimer_get_remaining() is 0, hrtimer_forward_now() does nothing); event_init()
 * (perf_swevent_init_hrtimer) is the world's setup: hw.sample_period, period_left.
 */
#include "model/perf/core.h"

/* include/linux/sched/clock.h: local_clock(); model: perf_clock()'s clock */
static u64 local_clock(void)
{
	return sim::clock_read();
}

/* kernel/time/hrtimer.c, reduced (model-only): arm on this CPU; nothing runs early (also the mux
 * hrtimer's hrtimer_start_expires(), rotate.cpp) */
void hrtimer_start(struct model_hrtimer *timer)
{
	timer->cpu = smp_processor_id();
	WRITE_ONCE(timer->armed, 1);
}

/*
 * kernel/time/hrtimer.c: hrtimer_cancel(), reduced (model-only): it waits until the timer's
 * callback is not running (hrtimer_try_to_cancel() < 0 -> hrtimer_cancel_wait_running()), then
 * dequeues it. The model's callback runs holding timer->running (world.cpp, op overflow), so the
 * wait is taking and dropping that lock: from inside the callback it is the recursion lockdep
 * reports (the hang of bc4394e5e79c's reports).
 */
static void hrtimer_cancel(struct model_hrtimer *timer)
{
	raw_spin_lock(&timer->running);		/* hrtimer_cancel_wait_running() */
	raw_spin_unlock(&timer->running);
	WRITE_ONCE(timer->armed, 0);
}

/* include/linux/perf_event.h: is_sampling_event() */
static inline bool is_sampling_event(struct perf_event *event)
{
	return event->attr.sample_period != 0;
}

/*
 * kernel/events/core.c: perf_swevent_hrtimer() @ 12f24484da13 (line not established).
 * hrtimer based swevent callback. Model: perf_sample_data_init(), get_irq_regs() (an hrtimer
 * interrupt has regs), perf_exclude_event() (no exclude bits) and exclude_idle are left out;
 * __perf_event_overflow() is the throttle area's.
 */
int perf_swevent_hrtimer(struct perf_event *event)
{
	MODEL_FRAME(0);
	enum hrtimer_restart ret = HRTIMER_RESTART;

	/* event = container_of(hrtimer, struct perf_event, hw.hrtimer); */

	if (event->state != PERF_EVENT_STATE_ACTIVE)
		return HRTIMER_NORESTART;

	event->pmu->read(event);

	if (__perf_event_overflow(event, 1))
		ret = HRTIMER_NORESTART;

	/* period = max_t(u64, 10000, event->hw.sample_period); hrtimer_forward_now(): not modelled */

	return ret;
}

/* kernel/events/core.c: perf_swevent_start_hrtimer() @ 12f24484da13 (line not established). */
static void perf_swevent_start_hrtimer(struct perf_event *event)
{
	MODEL_FRAME(0);
	struct hw_perf_event *hwc = &event->hw;
	s64 period;

	if (!is_sampling_event(event))
		return;

	period = local64_read(&hwc->period_left);
	if (period) {
		if (period < 0)
			period = 10000;

		local64_set(&hwc->period_left, 0);
	} else {
		period = std::max<u64>(10000, hwc->sample_period);
	}
	(void)period;
	hrtimer_start(&hwc->hrtimer);	/* ns_to_ktime(period), HRTIMER_MODE_REL_PINNED_HARD */
}

/*
 * kernel/events/core.c: perf_swevent_cancel_hrtimer() @ 12f24484da13 (line not established).
 * Variant pre-bc4394e5e79c: no `hwc->interrupts != MAX_INTERRUPTS` check, as before bc4394e5e79c
 * "perf: Fix the throttle error of some clock events" (also in cpu/task_clock_event_stop() and
 * perf_event_throttle(), throttle.cpp).
 */
static void perf_swevent_cancel_hrtimer(struct perf_event *event)
{
	MODEL_FRAME(0);
	struct hw_perf_event *hwc = &event->hw;

	/*
	 * The throttle can be triggered in the hrtimer handler.
	 * The HRTIMER_NORESTART should be used to stop the timer,
	 * rather than hrtimer_cancel(). See perf_swevent_hrtimer()
	 */
	if (is_sampling_event(event) &&
	    (variant(PRE_BC4394E5E79C) || (hwc->interrupts != MAX_INTERRUPTS))) {	/* pre-bc4394e5e79c: no check */
		s64 remaining = 0;	/* ktime_t remaining = hrtimer_get_remaining(&hwc->hrtimer): model 0 */
		local64_set(&hwc->period_left, remaining);

		hrtimer_cancel(&hwc->hrtimer);
	}
}

/*
 * Software event: cpu wall time clock
 */

/* kernel/events/core.c: cpu_clock_event_update() @ 12f24484da13 (line not established). */
static void cpu_clock_event_update(struct perf_event *event)
{
	MODEL_FRAME(0);
	s64 prev;
	u64 now;

	now = local_clock();
	prev = local64_xchg(&event->hw.prev_count, now);
	local64_add(now - prev, &event->count);
}

/* kernel/events/core.c: cpu_clock_event_start() @ 12f24484da13 (line not established). */
static void cpu_clock_event_start(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	local64_set(&event->hw.prev_count, local_clock());
	perf_swevent_start_hrtimer(event);
}

/* kernel/events/core.c: cpu_clock_event_stop() @ 12f24484da13 (line not established). */
static void cpu_clock_event_stop(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	perf_swevent_cancel_hrtimer(event);
	if (variant(PRE_BC4394E5E79C) || (flags & PERF_EF_UPDATE))	/* pre-bc4394e5e79c: always */
		cpu_clock_event_update(event);
}

/* kernel/events/core.c: cpu_clock_event_add() @ 12f24484da13 (line not established). */
static int cpu_clock_event_add(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	if (flags & PERF_EF_START)
		cpu_clock_event_start(event, flags);
	perf_event_update_userpage(event);

	return 0;
}

/* kernel/events/core.c: cpu_clock_event_del() @ 12f24484da13 (line not established). */
static void cpu_clock_event_del(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	cpu_clock_event_stop(event, flags);
}

/* kernel/events/core.c: cpu_clock_event_read() @ 12f24484da13 (line not established). */
static void cpu_clock_event_read(struct perf_event *event)
{
	MODEL_FRAME(0);
	cpu_clock_event_update(event);
}

/*
 * Software event: task time clock
 */

/* kernel/events/core.c: task_clock_event_update() @ 12f24484da13 (line not established). */
static void task_clock_event_update(struct perf_event *event, u64 now)
{
	MODEL_FRAME(0);
	u64 prev;
	s64 delta;

	prev = local64_xchg(&event->hw.prev_count, now);
	delta = now - prev;
	local64_add(delta, &event->count);
}

/* kernel/events/core.c: task_clock_event_start() @ 12f24484da13 (line not established). */
static void task_clock_event_start(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	local64_set(&event->hw.prev_count, event->ctx->time);
	perf_swevent_start_hrtimer(event);
}

/* kernel/events/core.c: task_clock_event_stop() @ 12f24484da13 (line not established). */
static void task_clock_event_stop(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	perf_swevent_cancel_hrtimer(event);
	if (variant(PRE_BC4394E5E79C) || (flags & PERF_EF_UPDATE))	/* pre-bc4394e5e79c: always */
		task_clock_event_update(event, event->ctx->time);
}

/* kernel/events/core.c: task_clock_event_add() @ 12f24484da13 (line not established). */
static int task_clock_event_add(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	if (flags & PERF_EF_START)
		task_clock_event_start(event, flags);
	perf_event_update_userpage(event);

	return 0;
}

/* kernel/events/core.c: task_clock_event_del() @ 12f24484da13 (line not established). */
static void task_clock_event_del(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	task_clock_event_stop(event, PERF_EF_UPDATE);
}

/* kernel/events/core.c: task_clock_event_read() @ 12f24484da13 (line not established). */
static void task_clock_event_read(struct perf_event *event)
{
	MODEL_FRAME(0);
	u64 now = perf_clock();
	u64 delta = now - event->ctx->timestamp;
	u64 time = event->ctx->time + delta;

	task_clock_event_update(event, time);
}

/* kernel/events/core.c: perf_pmu_nop_void(), perf_pmu_nop_txn(), perf_pmu_nop_int() (the
 * transaction stubs perf_pmu_register() installs for a PMU without pmu_enable) */
static void perf_pmu_nop_void(struct pmu *pmu) {}
static void perf_pmu_nop_txn(struct pmu *pmu, unsigned int flags) {}
static int perf_pmu_nop_int(struct pmu *pmu) { return 0; }

/* kernel/events/core.c: perf_event_idx_default(): a software event has no counter index */
static int perf_event_idx_default(struct perf_event *event) { return 0; }

static struct perf_cpu_pmu_context *cpu_clock_cpc(int cpu) { return &model_cpu(cpu)->cpc[MODEL_PMU_CPU_CLOCK]; }
static model_percpu<struct perf_cpu_pmu_context> cpu_clock_cpu_pmu_context{cpu_clock_cpc};
static struct perf_cpu_pmu_context *task_clock_cpc(int cpu) { return &model_cpu(cpu)->cpc[MODEL_PMU_TASK_CLOCK]; }
static model_percpu<struct perf_cpu_pmu_context> task_clock_cpu_pmu_context{task_clock_cpc};

/* kernel/events/core.c: perf_cpu_clock (task_ctx_nr = perf_sw_context, PERF_PMU_CAP_NO_NMI) */
struct pmu perf_cpu_clock = {
	.name		= "cpu_clock",
	.type		= 1,	/* PERF_TYPE_SOFTWARE */
	.capabilities	= PERF_PMU_CAP_NO_NMI,
	.cpu_pmu_context = &cpu_clock_cpu_pmu_context,
	.pmu_enable	= perf_pmu_nop_void,
	.pmu_disable	= perf_pmu_nop_void,
	.add		= cpu_clock_event_add,
	.del		= cpu_clock_event_del,
	.start		= cpu_clock_event_start,
	.stop		= cpu_clock_event_stop,
	.read		= cpu_clock_event_read,
	.start_txn	= perf_pmu_nop_txn,
	.commit_txn	= perf_pmu_nop_int,
	.cancel_txn	= perf_pmu_nop_void,
	.event_idx	= perf_event_idx_default,
	.setup_aux	= nullptr,
};

/* kernel/events/core.c: perf_task_clock (task_ctx_nr = perf_sw_context, PERF_PMU_CAP_NO_NMI) */
struct pmu perf_task_clock = {
	.name		= "task_clock",
	.type		= 1,	/* PERF_TYPE_SOFTWARE */
	.capabilities	= PERF_PMU_CAP_NO_NMI,
	.cpu_pmu_context = &task_clock_cpu_pmu_context,
	.pmu_enable	= perf_pmu_nop_void,
	.pmu_disable	= perf_pmu_nop_void,
	.add		= task_clock_event_add,
	.del		= task_clock_event_del,
	.start		= task_clock_event_start,
	.stop		= task_clock_event_stop,
	.read		= task_clock_event_read,
	.start_txn	= perf_pmu_nop_txn,
	.commit_txn	= perf_pmu_nop_int,
	.cancel_txn	= perf_pmu_nop_void,
	.event_idx	= perf_event_idx_default,
	.setup_aux	= nullptr,
};

/* model-only (ghost): is E on a software clock, and is its hrtimer armed on `cpu`? */
bool model_is_swclock(struct perf_event *event)
{
	return event->pmu == &perf_cpu_clock || event->pmu == &perf_task_clock;
}

void model_hrtimer_run(struct perf_event *event)
{
	struct model_hrtimer *timer = &event->hw.hrtimer;

	raw_spin_lock(&timer->running);	/* __run_hrtimer(): base->running = timer */
	int restart = perf_swevent_hrtimer(event);
	if (restart == HRTIMER_NORESTART)
		WRITE_ONCE(timer->armed, 0);	/* not re-enqueued */
	raw_spin_unlock(&timer->running);
}

bool model_hrtimer_armed(struct perf_event *event, int cpu)
{
	return event->hw.hrtimer.armed.peek() && event->hw.hrtimer.cpu == cpu;
}

