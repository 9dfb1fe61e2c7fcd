/*
 * model-only: the PMU drivers of the aux-throttle model.
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
 * The counting PMU ("cycles") only starts and stops; its overflow is the op `overflow(E)`.
 */
#include "model/aux/aux.h"
#include "model/kernel/smp.h"

namespace aux {

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

struct pmu model_aux_pmu = {"aux", PERF_PMU_CAP_AUX_PAUSE, model_aux_event_add, model_aux_event_del,
			    model_aux_event_start, model_aux_event_stop, true};
struct pmu model_aux_pmu_nopause = {"aux-nopause", 0, model_aux_event_add, model_aux_event_del,
				    model_aux_event_start, model_aux_event_stop, true};

/* model-only: a counting PMU; stopped, its counter raises no overflow interrupt */
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

struct pmu model_cycles_pmu = {"cycles", 0, model_cycles_add, model_cycles_del, model_cycles_start,
			       model_cycles_stop, false};

/*
 * model-only (ghost: no access, no scheduling point): is the event's hardware running, so that it
 * can raise an overflow interrupt (a counter) or is writing trace (an AUX event)?
 */
bool model_pmu_running(struct perf_event *event)
{
	int cpu = event->oncpu.peek();

	if (event->state.peek() != PERF_EVENT_STATE_ACTIVE || cpu < 0)
		return false;
	if (event->hw.state.peek() & PERF_HES_STOPPED)
		return false;
	if (!event->pmu->model_is_aux)
		return true;
	struct model_aux_cpu *pt = &model_cpu(cpu)->pt;
	return pt->trace_en && pt->handle.event.peek() == event;
}

}  // namespace aux
