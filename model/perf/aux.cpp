/*
 * kernel/events/core.c @ 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable): AUX pause/resume and
 * stopping an event on its CPU. __perf_event_aux_pause (core.c:8441) and perf_event_aux_pause
 * (8456: the rb->aux_in_pause_resume guard under scoped_guard(irqsave)); __perf_event_stop (3239)
 * and perf_event_stop (3275) after perf_event_enable() (lines counted in issue 15). The AUX transaction itself is ring_buffer.c's
 * (model/perf/ring_buffer.cpp), the AUX driver model-only (model/perf/aux_pmu.cpp).
 */
#include "model/perf/core.h"

/*
 * kernel/events/core.c: __perf_event_aux_pause() @ 12f24484da13 (core.c:8441).
 * As in the tree, line for line.
 */
static void __perf_event_aux_pause(struct perf_event *event, bool pause)
{
	MODEL_FRAME_INLINE(8441);
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
 * kernel/events/core.c: perf_event_aux_pause() @ 12f24484da13 (core.c:8456).
 * As in the tree: ring_buffer_get(), then under scoped_guard(irqsave) the recursion guard
 * rb->aux_in_pause_resume ("Another event could trip this same from NMI context"): a pause or
 * resume that finds it set does nothing.
 */
void perf_event_aux_pause(struct perf_event *event, bool pause)
{
	MODEL_FRAME(8456);
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

/* kernel/events/core.c: __perf_event_stop() @ 12f24484da13 (core.c:3239). */
int __perf_event_stop(void *info)
{
	MODEL_FRAME(3239);
	struct stop_event_data *sd = (struct stop_event_data *)info;
	struct perf_event *event = sd->event;

	/* if it's already INACTIVE, do nothing */
	if (READ_ONCE(event->state) != PERF_EVENT_STATE_ACTIVE)
		return 0;

	/* matches smp_wmb() in event_sched_in() */
	smp_rmb();

	/*
	 * There is a window with interrupts enabled before we get here,
	 * so we need to check again lest we try to stop another CPU's event.
	 */
	if (READ_ONCE(event->oncpu) != smp_processor_id())
		return -EAGAIN;

	event->pmu->stop(event, PERF_EF_UPDATE);

	/*
	 * May race with the actual stop (through perf_pmu_output_stop()),
	 * but it is only used for events with AUX ring buffer, and such
	 * events will refuse to restart because of rb::aux_mmap_count==0,
	 * see comments in perf_aux_output_begin().
	 *
	 * Since this is happening on an event-local CPU, no trace is lost
	 * while restarting.
	 */
	if (sd->restart)
		event->pmu->start(event, 0);

	return 0;
}

/* kernel/events/core.c: perf_event_stop() @ 12f24484da13 (core.c:3275). */
int perf_event_stop(struct perf_event *event, int restart)
{
	MODEL_FRAME(3275);
	struct stop_event_data sd = {
		.event		= event,
		.restart	= (unsigned int)restart,
	};
	int ret = 0;

	do {
		if (READ_ONCE(event->state) != PERF_EVENT_STATE_ACTIVE)
			return 0;

		/* matches smp_wmb() in event_sched_in() */
		smp_rmb();

		/*
		 * We only want to restart ACTIVE events, so if the event goes
		 * inactive here (event->oncpu==-1), there's nothing more to do;
		 * fall through with ret==-ENXIO.
		 */
		ret = cpu_function_call(READ_ONCE(event->oncpu),
					__perf_event_stop, &sd);
	} while (ret == -EAGAIN);

	return ret;
}
