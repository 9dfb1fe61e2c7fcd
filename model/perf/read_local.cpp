/*
 * kernel/events/core.c @ 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable): the lockless
 * reader perf_event_read_local() (core.c:4749, issue 15 (a)), which BPF's
 * bpf_perf_event_read_value() and perf_event_read_value()-less in-kernel users call with IRQs
 * off and no lock: calc_timer_values() (time.cpp) computes enabled/running from
 * ctx->timeoffset and the event's tstamp without ctx->lock.
 *
 * Model: __perf_event_read_cpu() is the identity (read.cpp); the op read_local(E) is such a
 * reader on its lane's CPU (model/perf/world.cpp). And the other lockless reader,
 * perf_output_read() with perf_output_read_one() / perf_output_read_group() (the PERF_SAMPLE_READ
 * part of a sample, from the overflow in NMI or hrtimer context; attr sample_read), read at
 * 12f24484da13 (core.c:7769, 7794, 7862, counted in issue 15). Model: __output_copy() copies nothing (no data pages):
 * the values go to the ghost (ghost_sample_read_result(): the buffer's stream of samples, read in
 * order by user space, never goes back); handle->skip_read is 0 (no PMU reads for the sample
 * itself) and no event has inherit with PERF_SAMPLE_READ (has_inherit_and_sample_read() false).
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

/* include/linux/perf_event.h: has_inherit_and_sample_read() */
static inline bool has_inherit_and_sample_read(struct perf_event_attr *attr)
{
	return attr->inherit && (attr->sample_type & PERF_SAMPLE_READ);
}

/* kernel/events/core.c: perf_output_read_one() @ 12f24484da13 (core.c:7769). */
static void perf_output_read_one(struct perf_output_handle *handle, struct perf_event *event, u64 enabled, u64 running)
{
	MODEL_FRAME(7769);
	u64 read_format = event->attr.read_format;
	u64 values[5];
	int n = 0;

	values[n++] = perf_event_count(event, has_inherit_and_sample_read(&event->attr));
	if (read_format & PERF_FORMAT_TOTAL_TIME_ENABLED) {
		values[n++] = enabled +
			atomic64_read(&event->child_total_time_enabled);
	}
	if (read_format & PERF_FORMAT_TOTAL_TIME_RUNNING) {
		values[n++] = running +
			atomic64_read(&event->child_total_time_running);
	}
	if (read_format & PERF_FORMAT_ID)
		values[n++] = event->id;	/* primary_event_id(event) */
	if (read_format & PERF_FORMAT_LOST)
		values[n++] = atomic64_read(&event->lost_samples);

	/* __output_copy(handle, values, n * sizeof(u64)): no data pages */
	if (handle->model_copy)	/* a PERF_RECORD_READ (perf_event_read_event(), issue 15 b): its values */
		handle->model_copy->assign(values, values + n);
	else
		ghost_sample_read_result(event, values[0], enabled, running, read_format);	/* model-only (no children) */
}

/* kernel/events/core.c: perf_output_read_group() @ 12f24484da13 (core.c:7794). */
static void perf_output_read_group(struct perf_output_handle *handle, struct perf_event *event, u64 enabled,
				   u64 running)
{
	MODEL_FRAME(7794);
	struct perf_event *leader = event->group_leader;
	u64 read_format = event->attr.read_format;
	unsigned long flags;
	u64 values[6];
	int n = 0;
	bool self = has_inherit_and_sample_read(&event->attr);
	int model_skip_read = 0;	/* handle->skip_read: no PMU reads for the sample in the model */

	/*
	 * Disabling interrupts avoids all counter scheduling
	 * (context switches, timer based rotation and IPIs).
	 */
	local_irq_save(flags);

	values[n++] = 1 + leader->nr_siblings;

	if (read_format & PERF_FORMAT_TOTAL_TIME_ENABLED)
		values[n++] = enabled;

	if (read_format & PERF_FORMAT_TOTAL_TIME_RUNNING)
		values[n++] = running;

	if ((leader != event) && !model_skip_read)
		perf_pmu_read(leader);

	values[n++] = perf_event_count(leader, self);
	u64 model_count = values[n - 1];	/* model-only */
	if (read_format & PERF_FORMAT_ID)
		values[n++] = leader->id;	/* primary_event_id(leader) */
	if (read_format & PERF_FORMAT_LOST)
		values[n++] = atomic64_read(&leader->lost_samples);

	/* __output_copy(handle, values, n * sizeof(u64)) */
	if (handle->model_copy)	/* a PERF_RECORD_READ (issue 15 b) */
		handle->model_copy->assign(values, values + n);
	else
		ghost_sample_read_result(leader, model_count, enabled, running, read_format);	/* model-only */

	for_each_sibling_event(sub, leader) {
		n = 0;

		if ((sub != event) && !model_skip_read)
			perf_pmu_read(sub);

		values[n++] = perf_event_count(sub, self);
		if (read_format & PERF_FORMAT_ID)
			values[n++] = sub->id;	/* primary_event_id(sub) */
		if (read_format & PERF_FORMAT_LOST)
			values[n++] = atomic64_read(&sub->lost_samples);

		/* __output_copy(handle, values, n * sizeof(u64)) */
		if (handle->model_copy)
			handle->model_copy->insert(handle->model_copy->end(), values, values + n);
		else
			ghost_count_result(sub, "a PERF_SAMPLE_READ sample", values[0]);	/* model-only */
	}

	local_irq_restore(flags);
}

#define PERF_FORMAT_TOTAL_TIMES (PERF_FORMAT_TOTAL_TIME_ENABLED|\
				 PERF_FORMAT_TOTAL_TIME_RUNNING)

/*
 * kernel/events/core.c: perf_output_read() @ 12f24484da13 (core.c:7862).
 * XXX PERF_SAMPLE_READ vs inherited events seems difficult (see the kernel's comment).
 */
void perf_output_read(struct perf_output_handle *handle, struct perf_event *event)
{
	MODEL_FRAME(7862);
	u64 enabled = 0, running = 0, now;
	u64 read_format = event->attr.read_format;

	/*
	 * compute total_time_enabled, total_time_running
	 * based on snapshot values taken when the event
	 * was last scheduled in.
	 *
	 * we cannot simply called update_context_time()
	 * because of locking issue as we are called in
	 * NMI context
	 */
	if (read_format & PERF_FORMAT_TOTAL_TIMES) {
		calc_timer_values(event, &now, &enabled, &running);
		handle->model_now = now;	/* model-only: the instant of the record's times */
	}

	if (event->attr.read_format & PERF_FORMAT_GROUP)
		perf_output_read_group(handle, event, enabled, running);
	else
		perf_output_read_one(handle, event, enabled, running);
}

/*
 * kernel/events/core.c: perf_event_read_event() @ 12f24484da13 (line not counted): the
 * PERF_RECORD_READ of an inherit_stat child (sync_child_event()), into the buffer of its parent
 * (__perf_output_begin() follows event->parent). Model: perf_output_begin() is the forward one (no
 * write_backward buffers); pid/tid, the sample_id fields and the record header are not written (no
 * data pages); the record's read_format values are kept for the ghost, which checks them against the
 * child's ledger (inherit-stat-read).
 */
void perf_event_read_event(struct perf_event *event, struct task_struct *task)
{
	MODEL_FRAME(0);
	struct perf_output_handle handle;
	std::vector<u64> model_values;
	unsigned int size = 16 + event->read_size;	/* sizeof(read_event) + event->read_size */
	int ret;

	(void)task;	/* .pid = perf_event_pid(event, task), .tid = perf_event_tid(event, task) */
	/* perf_event_header__init_id(&read_event.header, &sample, event); */
	ret = perf_output_begin_forward(&handle, event, size);	/* perf_output_begin() */
	if (ret)
		return;

	/* perf_output_put(&handle, read_event); */
	handle.model_copy = &model_values;
	perf_output_read(&handle, event);
	handle.model_copy = nullptr;
	/* perf_event__output_id_sample(event, &handle, &sample); */

	perf_output_end(&handle);

	ghost_read_record(event, event->attr.read_format, model_values, handle.model_now);	/* model-only */
	sim::note((std::string("PERF_RECORD_READ for ") + event->model_name + " into its parent's buffer").c_str());
}
