/*
 * model-only: a counting PMU, shaped like the kernel's cpu-clock software PMU
 * (kernel/events/core.c: cpu_clock_event_*), but accounted as a hardware PMU (not
 * PERF_EV_CAP_SOFTWARE) so that the per-CPU active_oncpu/exclusive bookkeeping runs.
 *
 * Its "hardware counter" is the model clock (sim::clock_peek()): it counts time while the event
 * is started. Reading it is not a kernel memory access (it is a register read on the event's
 * CPU), so it is neither race-checked nor a scheduling point, and it does not advance the clock.
 */
#include "model/perf/core.h"

static u64 model_pmu_counter(void)
{
	return sim::clock_peek();
}

/* kernel/events/core.c: cpu_clock_event_update(), on the model counter */
static void model_pmu_update(struct perf_event *event)
{
	MODEL_FRAME(0);
	s64 prev;
	u64 now;

	now = model_pmu_counter();
	prev = local64_xchg(&event->hw.prev_count, now);
	local64_add(now - prev, &event->count);
}

static void model_pmu_start(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	local64_set(&event->hw.prev_count, model_pmu_counter());
	event->hw.state = 0;
}

static void model_pmu_stop(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	if (!(event->hw.state & PERF_HES_STOPPED)) {
		model_pmu_update(event);
		event->hw.state = PERF_HES_STOPPED | PERF_HES_UPTODATE;
	}
}

static int model_pmu_add(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	if (flags & PERF_EF_START)
		model_pmu_start(event, flags);
	else
		event->hw.state = PERF_HES_STOPPED | PERF_HES_UPTODATE;

	return 0;
}

static void model_pmu_del(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	model_pmu_stop(event, PERF_EF_UPDATE);
}

static void model_pmu_read(struct perf_event *event)
{
	MODEL_FRAME(0);
	if (!(event->hw.state & PERF_HES_STOPPED))
		model_pmu_update(event);
}

static int model_pmu_event_idx(struct perf_event *event)
{
	return 1;	/* counter 0, as index + 1 */
}

static void model_pmu_nop(struct pmu *pmu) {}
static void model_pmu_start_txn(struct pmu *pmu, unsigned int txn_flags) {}
static int model_pmu_commit_txn(struct pmu *pmu) { return 0; }

static struct perf_cpu_pmu_context *counting_cpc(int cpu) { return &model_cpu(cpu)->cpc[MODEL_PMU_COUNTING]; }
static model_percpu<struct perf_cpu_pmu_context> counting_cpu_pmu_context{counting_cpc};

struct pmu model_counting_pmu = {
	.name		= "model_counting",
	.type		= 4,	/* PERF_TYPE_RAW */
	.capabilities	= 0,
	.cpu_pmu_context = &counting_cpu_pmu_context,
	.pmu_enable	= model_pmu_nop,
	.pmu_disable	= model_pmu_nop,
	.add		= model_pmu_add,
	.del		= model_pmu_del,
	.start		= model_pmu_start,
	.stop		= model_pmu_stop,
	.read		= model_pmu_read,
	.start_txn	= model_pmu_start_txn,
	.commit_txn	= model_pmu_commit_txn,
	.cancel_txn	= model_pmu_nop,
	.event_idx	= model_pmu_event_idx,
	.setup_aux	= nullptr,
};

/*
 * model-only: a sampling PMU ("cycles"), for the events whose overflow interrupts matter and whose
 * count does not (attr cycles = true): start and stop only flip hw.state, so a stopped counter
 * raises no overflow interrupt; nothing is counted (read() returns 0 for it).
 */
static void model_cycles_start(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	(void)flags;
	event->hw.state = 0;
}

static void model_cycles_stop(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	(void)flags;
	event->hw.state = PERF_HES_STOPPED | PERF_HES_UPTODATE;
}

static int model_cycles_add(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	if (flags & PERF_EF_START)
		model_cycles_start(event, flags);
	else
		event->hw.state = PERF_HES_STOPPED | PERF_HES_UPTODATE;
	return 0;
}

static void model_cycles_del(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	model_cycles_stop(event, flags | PERF_EF_UPDATE);
}

static void model_cycles_read(struct perf_event *event) {}

static struct perf_cpu_pmu_context *cycles_cpc(int cpu) { return &model_cpu(cpu)->cpc[MODEL_PMU_CYCLES]; }
static model_percpu<struct perf_cpu_pmu_context> cycles_cpu_pmu_context{cycles_cpc};

struct pmu model_cycles_pmu = {
	.name		= "model_cycles",
	.type		= 0,	/* PERF_TYPE_HARDWARE */
	.capabilities	= 0,
	.cpu_pmu_context = &cycles_cpu_pmu_context,
	.pmu_enable	= model_pmu_nop,
	.pmu_disable	= model_pmu_nop,
	.add		= model_cycles_add,
	.del		= model_cycles_del,
	.start		= model_cycles_start,
	.stop		= model_cycles_stop,
	.read		= model_cycles_read,
	.start_txn	= model_pmu_start_txn,
	.commit_txn	= model_pmu_commit_txn,
	.cancel_txn	= model_pmu_nop,
	.event_idx	= model_pmu_event_idx,
	.setup_aux	= nullptr,
};
