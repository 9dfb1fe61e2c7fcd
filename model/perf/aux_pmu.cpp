/*
 * model-only: the AUX PMU driver of the aux area (with and without PERF_PMU_CAP_AUX_PAUSE).
 *
 * The AUX driver is shaped like CoreSight's etm_event_add/del/start/stop
 * (drivers/hwtracing/coresight/coresight-etm-perf.c, the seed's driver, as read in public copies:
 * add(PERF_EF_START) is start(event, 0) and fails with -EINVAL if that left the event
 * PERF_HES_STOPPED; del is stop(event, PERF_EF_UPDATE); stop returns at once if the event is
 * already PERF_HES_STOPPED, else disables tracing, sets PERF_HES_STOPPED and, only with
 * PERF_EF_UPDATE, ends the AUX transaction with perf_aux_output_end()), with the pause/resume
 * handling of intel_pt's pt_event_start/stop as quoted in the public AUX pause/resume patch
 * (PERF_EF_PAUSE/PERF_EF_RESUME only toggle the trace enable bit, guarded by pause_allowed and
 * resume_allowed, which a full stop clears). start(event, 0) opens the AUX transaction with
 * perf_aux_output_begin() and fails (PERF_HES_STOPPED) without one; it enables tracing unless
 * hw.aux_paused (aux_start_paused, or a pause in force).
 *
 * The other events of an AUX group use the model's counting PMU (model/perf/pmu.cpp); their
 * overflow is the op `overflow(E)`.
 */
#include "model/perf/core.h"

static struct model_aux_cpu *this_pt(void) { return &model_cpu(smp_processor_id())->pt; }

/* model-only: the hardware's trace enable bit (pt_config_start/pt_config_stop, etm source enable/disable) */
static void model_aux_config_start(struct perf_event *event)
{
	MODEL_FRAME(0);
	this_pt()->trace_en = !READ_ONCE(event->hw.aux_paused);
}

static void model_aux_config_stop(struct perf_event *event)
{
	MODEL_FRAME(0);
	(void)event;
	this_pt()->trace_en = 0;
}

/* model-only: etm_event_start() / pt_event_start() */
static void model_aux_event_start(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	struct model_aux_cpu *pt = this_pt();

	if (flags & PERF_EF_RESUME) {
		if (READ_ONCE(pt->resume_allowed))
			model_aux_config_start(event);
		return;
	}

	if (!perf_aux_output_begin(&pt->handle, event))
		goto fail_stop;

	event->hw.state = 0;
	WRITE_ONCE(pt->resume_allowed, 1);
	model_aux_config_start(event);
	WRITE_ONCE(pt->pause_allowed, 1);
	return;

fail_stop:
	event->hw.state = PERF_HES_STOPPED;
}

/* model-only: etm_event_stop() / pt_event_stop() */
static void model_aux_event_stop(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	struct model_aux_cpu *pt = this_pt();

	if (flags & PERF_EF_PAUSE) {
		if (READ_ONCE(pt->pause_allowed))
			model_aux_config_stop(event);
		return;
	}

	if (event->hw.state == PERF_HES_STOPPED)
		return;

	/* Protect against racing */
	WRITE_ONCE(pt->pause_allowed, 0);
	WRITE_ONCE(pt->resume_allowed, 0);

	model_aux_config_stop(event);
	event->hw.state = PERF_HES_STOPPED;

	if (flags & PERF_EF_UPDATE) {
		if (pt->handle.event != event)	/* etm: WARN_ON_ONCE(handle->event != event) */
			return;
		perf_aux_output_end(&pt->handle, 0);
	}
}

/* model-only: etm_event_add() */
static int model_aux_event_add(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	int ret = 0;

	if (flags & PERF_EF_START) {
		model_aux_event_start(event, 0);
		if (event->hw.state & PERF_HES_STOPPED)
			ret = -22;	/* -EINVAL */
	} else {
		event->hw.state = PERF_HES_STOPPED;
	}

	return ret;
}

/* model-only: etm_event_del() */
static void model_aux_event_del(struct perf_event *event, int flags)
{
	MODEL_FRAME(0);
	(void)flags;
	model_aux_event_stop(event, PERF_EF_UPDATE);
}

static void model_aux_nop(struct pmu *pmu) {}
static void model_aux_start_txn(struct pmu *pmu, unsigned int txn_flags) {}
static int model_aux_commit_txn(struct pmu *pmu) { return 0; }
static void model_aux_read(struct perf_event *event) {}
static int model_aux_event_idx(struct perf_event *event) { return 0; }
static void *model_aux_setup_aux(struct perf_event *event) { return event; }	/* non-NULL: has_aux() */

static struct perf_cpu_pmu_context *aux_cpc(int cpu) { return &model_cpu(cpu)->cpc[MODEL_PMU_AUX]; }
static struct perf_cpu_pmu_context *aux_nopause_cpc(int cpu) { return &model_cpu(cpu)->cpc[MODEL_PMU_AUX_NOPAUSE]; }
static model_percpu<struct perf_cpu_pmu_context> aux_cpu_pmu_context{aux_cpc};
static model_percpu<struct perf_cpu_pmu_context> aux_nopause_cpu_pmu_context{aux_nopause_cpc};

struct pmu model_aux_pmu = {
	.name		= "model_aux",
	.type		= 8,	/* a dynamic PMU type */
	.capabilities	= PERF_PMU_CAP_AUX_PAUSE,
	.cpu_pmu_context = &aux_cpu_pmu_context,
	.pmu_enable	= model_aux_nop,
	.pmu_disable	= model_aux_nop,
	.add		= model_aux_event_add,
	.del		= model_aux_event_del,
	.start		= model_aux_event_start,
	.stop		= model_aux_event_stop,
	.read		= model_aux_read,
	.start_txn	= model_aux_start_txn,
	.commit_txn	= model_aux_commit_txn,
	.cancel_txn	= model_aux_nop,
	.event_idx	= model_aux_event_idx,
	.setup_aux	= model_aux_setup_aux,
};

/* the same driver registered without PERF_PMU_CAP_AUX_PAUSE */
struct pmu model_aux_pmu_nopause = [] {
	struct pmu pmu = model_aux_pmu;
	pmu.name = "model_aux_nopause";
	pmu.type = 9;
	pmu.capabilities = 0;
	pmu.cpu_pmu_context = &aux_nopause_cpu_pmu_context;
	return pmu;
}();

/*
 * model-only (ghost: no access, no scheduling point): is the event's hardware running, so that it
 * can raise an overflow interrupt (a counter) or is writing trace (an AUX event)?
 */
bool model_pmu_running(struct perf_event *event)
{
	int cpu = event->oncpu.peek();

	if (event->state.peek() != PERF_EVENT_STATE_ACTIVE || cpu < 0)
		return false;
	if (model_is_swclock(event))	/* issue 15 (a): a software clock samples while its hrtimer is armed */
		return event->hw.hrtimer.armed.peek() != 0;
	if (event->hw.state.peek() & PERF_HES_STOPPED)
		return false;
	if (!has_aux(event))
		return true;
	struct model_aux_cpu *pt = &model_cpu(cpu)->pt;
	return pt->trace_en && pt->handle.event == event;
}
