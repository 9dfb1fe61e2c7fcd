/*
 * kernel/events/core.c @ 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable): the lockless
 * reader perf_event_read_local() (core.c:4749, issue 15 (a)), which BPF's
 * bpf_perf_event_read_value() and perf_event_read_value()-less in-kernel users call with IRQs
 * off and no lock: calc_timer_values() (time.cpp) computes enabled/running from
 * ctx->timeoffset and the event's tstamp without ctx->lock.
 *
 * Model: __perf_event_read_cpu() is the identity (read.cpp); the op read_local(E) is such a
 * reader on its lane's CPU (model/perf/world.cpp). Not modelled: perf_output_read() (the
 * PERF_SAMPLE_READ part of a sample: the model's samples carry no read values).
 */
#include "model/perf/core.h"

/*
 * kernel/events/core.c: perf_event_read_local() @ 12f24484da13 (core.c:4749).
 * NMI-safe method to read a local event, that is an event that
 * is:
 *   - either for the current task, or for this CPU
 *   - does not have inherit set, for inherited task events
 *     will not be local and we cannot read them atomically
 *   - must not have a pmu::count method
 */
int perf_event_read_local(struct perf_event *event, u64 *value, u64 *enabled, u64 *running)
{
	MODEL_FRAME(4749);
	unsigned long flags;
	int event_oncpu;
	int event_cpu;
	int ret = 0;

	/*
	 * Disabling interrupts avoids all counter scheduling (context
	 * switches, timer based rotation and IPIs).
	 */
	local_irq_save(flags);

	/*
	 * It must not be an event with inherit set, we cannot read
	 * all child counters from atomic context.
	 */
	if (event->attr.inherit) {
		ret = -EOPNOTSUPP;
		goto out;
	}

	/* If this is a per-task event, it must be for current */
	if ((event->attach_state & PERF_ATTACH_TASK) &&
	    event->hw.target != current) {
		ret = -EINVAL;
		goto out;
	}

	/*
	 * Get the event CPU numbers, and adjust them to local if the event is
	 * a per-package event that can be read locally
	 */
	event_oncpu = event->oncpu;	/* __perf_event_read_cpu(event, event->oncpu): the identity */
	event_cpu = event->cpu;		/* __perf_event_read_cpu(event, event->cpu) */

	/* If this is a per-CPU event, it must be for this CPU */
	if (!(event->attach_state & PERF_ATTACH_TASK) &&
	    event_cpu != smp_processor_id()) {
		ret = -EINVAL;
		goto out;
	}

	/* If this is a pinned event it must be running on this CPU */
	if (event->attr.pinned && event_oncpu != smp_processor_id()) {
		ret = -EBUSY;
		goto out;
	}

	/*
	 * If the event is currently on this CPU, its either a per-task event,
	 * or local to this CPU. Furthermore it means its ACTIVE (otherwise
	 * oncpu == -1).
	 */
	if (event_oncpu == smp_processor_id())
		event->pmu->read(event);

	*value = local64_read(&event->count);
	if (enabled || running) {
		u64 __enabled, __running, __now;

		calc_timer_values(event, &__now, &__enabled, &__running);
		if (enabled)
			*enabled = __enabled;
		if (running)
			*running = __running;
	}
out:
	local_irq_restore(flags);

	return ret;
}
