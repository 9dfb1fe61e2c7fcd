/*
 * kernel/events/core.c, multiplexing rotation (issue 15 b): perf_mux_hrtimer_handler(),
 * __perf_mux_hrtimer_init(), perf_mux_hrtimer_restart(), rotate_ctx(), ctx_event_to_rotate(),
 * perf_rotate_context(), at 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable): core.c:1182-1237
 * and 4388-4509 (lines counted back from perf_pmu_disable() at core.c:1249 and
 * perf_event_task_tick() at core.c:4511).
 *
 * Model: the mux hrtimer is a model_hrtimer (perf_event.h, as the software clocks'): armed or not,
 * on its CPU (HRTIMER_MODE_ABS_PINNED_HARD). merge_sched_in() arms it through
 * perf_mux_hrtimer_restart() when a flexible group cannot go on; its expiry is the op rotate in a
 * hard-IRQ lane of that CPU (or in a task lane with IRQs off), which runs the callback with
 * timer->running held and disarms it when the callback returns HRTIMER_NORESTART. The period is not
 * modelled (hrtimer_forward_now() is a no-op, the op fires when the search puts it);
 * container_of(hr, ..., hrtimer) is the cpc itself. The group tree is a vector in group_index
 * order: rb_find_first() on {cpu, pmu} is the first leader of that cpu and pmu in it.
 */
#include "model/perf/core.h"

/*
 * kernel/events/core.c: perf_mux_hrtimer_handler() @ 12f24484da13 (core.c:1182).
 * Model: takes the cpc (container_of() of its hrtimer); hrtimer_forward_now() is not modelled
 * (HRTIMER_RESTART keeps the timer armed).
 */
enum hrtimer_restart perf_mux_hrtimer_handler(struct perf_cpu_pmu_context *cpc)
{
	MODEL_FRAME(1182);
	bool rotations;

	lockdep_assert_irqs_disabled();

	rotations = perf_rotate_context(cpc);

	raw_spin_lock(&cpc->hrtimer_lock);
	if (rotations)
		;	/* hrtimer_forward_now(hr, cpc->hrtimer_interval) */
	else
		cpc->hrtimer_active = 0;
	raw_spin_unlock(&cpc->hrtimer_lock);

	return rotations ? HRTIMER_RESTART : HRTIMER_NORESTART;
}

/* CONFIG_HZ = 1000 in the model: the default interval is one tick (1 ms) */
#define HZ 1000
#define NSEC_PER_MSEC 1000000ULL
/*
 * set default to be dependent on timer tick just
 * like original code
 */
#define PERF_CPU_HRTIMER (1000 / HZ)

/*
 * kernel/events/core.c: __perf_mux_hrtimer_init() @ 12f24484da13 (core.c:1202), at PMU
 * registration for each CPU (build_world()). Model: raw_spin_lock_init() is the lock's
 * construction; hrtimer_setup(timer, perf_mux_hrtimer_handler, ...) binds the op rotate's
 * expiry to the handler (model_mux_hrtimer_run()); the timer is pinned to `cpu`.
 */
void __perf_mux_hrtimer_init(struct perf_cpu_pmu_context *cpc, int cpu)
{
	MODEL_FRAME(1202);
	struct model_hrtimer *timer = &cpc->hrtimer;
	struct pmu *pmu = cpc->epc.pmu;
	u64 interval;

	/*
	 * check default is sane, if not set then force to
	 * default interval (1/tick)
	 */
	interval = pmu->hrtimer_interval_ms;
	if (interval < 1)
		interval = pmu->hrtimer_interval_ms = PERF_CPU_HRTIMER;

	cpc->hrtimer_interval = NSEC_PER_MSEC * interval;	/* ns_to_ktime() */

	/* raw_spin_lock_init(&cpc->hrtimer_lock); hrtimer_setup(timer, perf_mux_hrtimer_handler,
	 * CLOCK_MONOTONIC, HRTIMER_MODE_ABS_PINNED_HARD) */
	timer->cpu = cpu;
}

/*
 * kernel/events/core.c: perf_mux_hrtimer_restart() @ 12f24484da13 (core.c:1223), from
 * merge_sched_in() on the cpc's own CPU (this_cpc()), under ctx->lock with IRQs off.
 */
int perf_mux_hrtimer_restart(struct perf_cpu_pmu_context *cpc)
{
	MODEL_FRAME(1223);
	struct model_hrtimer *timer = &cpc->hrtimer;
	unsigned long flags;

	raw_spin_lock_irqsave(&cpc->hrtimer_lock, flags);
	if (!cpc->hrtimer_active) {
		cpc->hrtimer_active = 1;
		/* hrtimer_forward_now(timer, cpc->hrtimer_interval): the period is not modelled */
		hrtimer_start(timer);	/* hrtimer_start_expires(timer, HRTIMER_MODE_ABS_PINNED_HARD) */
	}
	raw_spin_unlock_irqrestore(&cpc->hrtimer_lock, flags);

	return 0;
}

/*
 * model-only: kernel/time/hrtimer.c's __hrtimer_run_queues() -> __run_hrtimer() for the cpc's mux
 * timer, on its CPU with IRQs off: the callback runs with timer->running held (hrtimer_cancel()
 * would wait for it), and HRTIMER_NORESTART leaves the timer dequeued. False if it is not armed.
 */
bool model_mux_hrtimer_run(struct perf_cpu_pmu_context *cpc)
{
	struct model_hrtimer *timer = &cpc->hrtimer;

	if (!READ_ONCE(timer->armed) || timer->cpu != smp_processor_id())
		return false;
	raw_spin_lock(&timer->running);	/* base->running = timer */
	if (perf_mux_hrtimer_handler(cpc) == HRTIMER_NORESTART)
		WRITE_ONCE(timer->armed, 0);	/* not re-enqueued */
	raw_spin_unlock(&timer->running);
	return true;
}

/* kernel/events/core.c: rotate_ctx() @ 12f24484da13 (core.c:4388). */
static void rotate_ctx(struct perf_event_context *ctx, struct perf_event *event)
{
	MODEL_FRAME(4388);
	/*
	 * Rotate the first entry last of non-pinned groups. Rotation might be
	 * disabled by the inheritance code.
	 */
	if (ctx->rotate_disable)
		return;

	perf_event_groups_delete(&ctx->flexible_groups, event);
	perf_event_groups_insert(&ctx->flexible_groups, event);
}

/* model-only: rb_find_first(&key, tree, __group_cmp_ignore_cgroup) on the vector tree */
static struct perf_event *model_groups_first(struct perf_event_groups *groups, int cpu, struct pmu *pmu)
{
	for (struct perf_event *event : groups->tree)
		if (event->cpu == cpu && event->pmu_ctx->pmu == pmu)
			return event;
	return NULL;
}

/*
 * kernel/events/core.c: ctx_event_to_rotate() @ 12f24484da13 (core.c:4402).
 * Variant pre-7fa343b7fdc4: only the first ACTIVE flexible event is picked (ctx_first_active()), as
 * before 7fa343b7fdc4 "perf/core: Fix corner case in perf_rotate_context()" (Song Liu, 2019-10),
 * which added the fallback to the first event of the group tree. The unconditional clear of
 * rotate_necessary at `out` (added later by 90c91dfb86d0 "perf/core: Fix endless multiplex timer")
 * stays as upstream has it.
 */
static struct perf_event *ctx_event_to_rotate(struct perf_event_pmu_context *pmu_ctx)
{
	MODEL_FRAME_INLINE(4402);
	struct perf_event *event;
	struct perf_event_groups *tree;

	/* pick the first active flexible event */
	event = pmu_ctx->flexible_active.empty() ? NULL : pmu_ctx->flexible_active.front();
	if (event)
		goto out;

	if (variant(PRE_7FA343B7FDC4))	/* variant pre-7fa343b7fdc4: ctx_first_active() */
		goto out;

	/* if no active flexible event, pick the first event */
	tree = &pmu_ctx->ctx->flexible_groups;

	if (!pmu_ctx->ctx->task) {
		event = model_groups_first(tree, smp_processor_id(), pmu_ctx->pmu);
		goto out;
	}

	event = model_groups_first(tree, -1, pmu_ctx->pmu);
	if (event)
		goto out;

	event = model_groups_first(tree, smp_processor_id(), pmu_ctx->pmu);

out:
	/*
	 * Unconditionally clear rotate_necessary; if ctx_flexible_sched_in()
	 * finds there are unschedulable events, it will set it again.
	 */
	pmu_ctx->rotate_necessary = 0;

	return event;
}

/* kernel/events/core.c: perf_rotate_context() @ 12f24484da13 (core.c:4452). */
bool perf_rotate_context(struct perf_cpu_pmu_context *cpc)
{
	MODEL_FRAME(4452);
	struct perf_cpu_context *cpuctx = this_cpu_ptr(&perf_cpu_context);
	struct perf_event_pmu_context *cpu_epc, *task_epc = NULL;
	struct perf_event *cpu_event = NULL, *task_event = NULL;
	int cpu_rotate, task_rotate;
	struct pmu *pmu;

	/*
	 * Since we run this from IRQ context, nobody can install new
	 * events, thus the event count values are stable.
	 */

	cpu_epc = &cpc->epc;
	pmu = cpu_epc->pmu;
	task_epc = cpc->task_epc;

	cpu_rotate = cpu_epc->rotate_necessary;
	task_rotate = task_epc ? task_epc->rotate_necessary : 0;

	if (!(cpu_rotate || task_rotate))
		return false;

	perf_ctx_lock(cpuctx, cpuctx->task_ctx);
	perf_pmu_disable(pmu);

	if (task_rotate)
		task_event = ctx_event_to_rotate(task_epc);
	if (cpu_rotate)
		cpu_event = ctx_event_to_rotate(cpu_epc);

	/*
	 * As per the order given at ctx_resched() first 'pop' task flexible
	 * and then, if needed CPU flexible.
	 */
	if (task_event || (task_epc && cpu_event)) {
		update_context_time(task_epc->ctx);
		__pmu_ctx_sched_out(task_epc, EVENT_FLEXIBLE);
	}

	if (cpu_event) {
		update_context_time(&cpuctx->ctx);
		__pmu_ctx_sched_out(cpu_epc, EVENT_FLEXIBLE);
		rotate_ctx(&cpuctx->ctx, cpu_event);
		__pmu_ctx_sched_in(cpu_epc, EVENT_FLEXIBLE);
	}

	if (task_event)
		rotate_ctx(task_epc->ctx, task_event);

	if (task_event || (task_epc && cpu_event))
		__pmu_ctx_sched_in(task_epc, EVENT_FLEXIBLE);

	perf_pmu_enable(pmu);
	perf_ctx_unlock(cpuctx, cpuctx->task_ctx);

	return true;
}
