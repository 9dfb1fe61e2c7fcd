/*
 * kernel/events/core.c @ 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable): the buffer
 * attachment, wakeup and poll paths, and perf_event_set_output().
 *
 * Lines: perf_poll 6131, ring_buffer_attach 6596, ring_buffer_wakeup 6657, ring_buffer_get 6673,
 * ring_buffer_put 6691, perf_mmap_rb 6984, perf_event_wakeup 7237, perf_pending_irq 7331 were
 * counted from anchors the timekeeping model already carries; __perf_pending_disable 7271,
 * perf_pending_disable 7316, __perf_event_output 8484 and perf_event_output_forward 8516 since
 * (issue 15); mutex_lock_double and perf_event_set_output were read at this commit but their
 * lines were not counted (line 0).
 *
 * Left out: RCU grace periods (rcu_pending / cond_synchronize_rcu in ring_buffer_attach; nothing
 * is freed), AUX (has_aux, perf_event_stop), inheritance (event->parent is always NULL),
 * perf_prepare_sample/perf_output_sample (a record is MODEL_RECORD_SIZE bytes, no data is copied),
 * fasync/SIGIO, the checks of perf_event_set_output() on clocks and backward buffers (every
 * event here uses the same clock and writes forward).
 */
#include "model/perf/core.h"

/*
 * kernel/events/core.c: ring_buffer_wakeup() @ 12f24484da13 (core.c:6657).
 * Model: the RCU list walk is a walk of a copy taken at once (list_for_each_entry_rcu sees
 * some state of the list; event_lock writers publish whole insertions).
 */
void ring_buffer_wakeup(struct perf_event *event)
{
	MODEL_FRAME(6657);
	struct perf_buffer *rb;

	if (event->parent)
		event = event->parent;

	rcu_read_lock();
	rb = rcu_dereference(event->rb);
	if (rb) {
		std::vector<struct perf_event *> list = rb->event_list;	/* list_for_each_entry_rcu */
		for (struct perf_event *iter : list)
			wake_up_all(&iter->waitq);
	}
	rcu_read_unlock();
}

/* kernel/events/core.c: is_event_hup() (inlined into perf_poll); no children in this model */
static bool is_event_hup(struct perf_event *event)
{
	if (event->state > PERF_EVENT_STATE_EXIT)
		return false;
	return true;	/* list_empty(&event->child_list) under child_mutex */
}

/* kernel/events/core.c: perf_poll() @ 12f24484da13 (core.c:6131). */
__poll_t perf_poll(struct perf_event *event, poll_table *wait)
{
	MODEL_FRAME(6131);
	struct perf_buffer *rb;
	__poll_t events = EPOLLHUP;

	if (event->state <= PERF_EVENT_STATE_REVOKED)
		return EPOLLERR;

	poll_wait(event, &event->waitq, wait);

	if (event->state <= PERF_EVENT_STATE_REVOKED)
		return EPOLLERR;

	if (is_event_hup(event))
		return events;

	if (unlikely(event->state == PERF_EVENT_STATE_ERROR && event->attr.pinned))
		return EPOLLERR;

	/*
	 * Pin the event->rb by taking event->mmap_mutex; otherwise
	 * perf_event_set_output() can swizzle our rb and make us miss wakeups.
	 */
	mutex_lock(&event->mmap_mutex);
	rb = event->rb;
	if (rb)
		events = atomic_xchg(&rb->poll, 0);
	mutex_unlock(&event->mmap_mutex);
	return events;
}

/*
 * kernel/events/core.c: perf_event_wakeup() @ 12f24484da13 (core.c:7237).
 * Variants 2.6.35 and seed-fix: the 2.6.35-3.1 body as seed 004 describes it ("the poll
 * notification is based on the event"): wake_up_all(&event->waitq) instead of
 * ring_buffer_wakeup(event). (The 3.1 source itself was not read; the seed quotes none of it.)
 */
void perf_event_wakeup(struct perf_event *event)
{
	MODEL_FRAME(7237);
	if (!variant(V2_6_35) && !variant(SEED_FIX))
		ring_buffer_wakeup(event);
	else
		wake_up_all(&event->waitq);	/* 2.6.35-3.1 */

	if (event->pending_kill) {
		/* kill_fasync(perf_event_fasync(event), SIGIO, event->pending_kill): no fasync owner */
		event->pending_kill = 0;
	}
}

/*
 * kernel/events/core.c: __perf_pending_disable() @ 12f24484da13 (core.c:7271).
 * Deliver the pending work in-event-context or follow the context.
 */
static void __perf_pending_disable(struct perf_event *event)
{
	MODEL_FRAME(7271);
	int cpu = READ_ONCE(event->oncpu);

	/*
	 * If the event isn't running; we done. event_sched_out() will have
	 * taken care of things.
	 */
	if (cpu < 0)
		return;

	/*
	 * Yay, we hit home and are in the context of the event.
	 */
	if (cpu == smp_processor_id()) {
		if (event->pending_disable) {
			event->pending_disable = 0;
			perf_event_disable_local(event);
		}
		return;
	}

	/*
	 * But the event runs on CPU-B and wants disabling there (the kernel's comment: CPU-A's
	 * sched-out consumed pending_disable, CPU-B's perf_event_disable_inatomic() failed to queue
	 * the work still pending here).
	 */
	irq_work_queue_on(&event->pending_disable_irq, cpu);
}

/*
 * kernel/events/core.c: perf_pending_disable() @ 12f24484da13 (core.c:7316).
 * Model: no recursion context (perf_swevent_get_recursion_context() always succeeds here).
 */
void perf_pending_disable(struct irq_work *entry)
{
	MODEL_FRAME(7316);
	struct perf_event *event = entry->model_event;	/* container_of(entry, struct perf_event, pending_disable_irq) */

	__perf_pending_disable(event);
}

/*
 * kernel/events/core.c: perf_pending_irq() @ 12f24484da13 (core.c:7331).
 * Model: no recursion context (perf_swevent_get_recursion_context always succeeds here).
 */
void perf_pending_irq(struct irq_work *entry)
{
	MODEL_FRAME(7331);
	struct perf_event *event = entry->model_event;	/* container_of(entry, struct perf_event, pending_irq) */

	/*
	 * The wakeup isn't bound to the context of the event -- it can happen
	 * irrespective of where the event is.
	 */
	if (event->pending_wakeup) {
		event->pending_wakeup = 0;
		perf_event_wakeup(event);
	}
}

/*
 * kernel/events/core.c: __perf_event_output() @ 12f24484da13 (core.c:8484).
 * Model: perf_prepare_sample/perf_prepare_header give a MODEL_RECORD_SIZE record; perf_output_sample
 * copies nothing (no data pages).
 */
int __perf_event_output(struct perf_event *event)
{
	MODEL_FRAME(8484);
	struct perf_output_handle handle;
	int err;

	/* protect the callchain buffers */
	rcu_read_lock();

	err = perf_output_begin_forward(&handle, event, MODEL_RECORD_SIZE);
	if (err)
		goto exit;

	/* perf_output_sample(&handle, &header, data, event): no data pages in this model; of the
	 * sample it writes only PERF_SAMPLE_READ's values (issue 15 (a), read_local.cpp) */
	if (event->attr.sample_type & PERF_SAMPLE_READ)
		perf_output_read(&handle, event);

	perf_output_end(&handle);

exit:
	rcu_read_unlock();
	return err;
}

/* kernel/events/core.c: perf_event_output_forward() @ 12f24484da13 (core.c:8516): event->overflow_handler */
void perf_event_output_forward(struct perf_event *event)
{
	MODEL_FRAME(8516);
	__perf_event_output(event);
}

/* kernel/events/core.c: mutex_lock_double() @ 12f24484da13 (line not counted); model: b < a by event index */
static void mutex_lock_double(struct perf_event *ea, struct perf_event *eb)
{
	MODEL_FRAME(0);
	struct mutex *a = &ea->mmap_mutex, *b = &eb->mmap_mutex;
	if (eb->id < ea->id)	/* if (b < a) swap(a, b): addresses, here the setup order */
		std::swap(a, b);

	mutex_lock(a);
	mutex_lock(b);	/* mutex_lock_nested(b, SINGLE_DEPTH_NESTING) */
}

/*
 * kernel/events/core.c: perf_event_set_output() @ 12f24484da13 (line not counted).
 * Model: the clock, backward and AUX checks are left out (equal for every event here).
 * Variant seed-fix: seed 004's hunk `rcu_assign_pointer(event->output, output_event)` right
 * after the rb pointer is set, which here is at the end of ring_buffer_attach().
 */
int perf_event_set_output(struct perf_event *event, struct perf_event *output_event)
{
	MODEL_FRAME(0);
	struct perf_buffer *rb = NULL;
	int ret = -22; /* -EINVAL */

	if (!output_event) {
		mutex_lock(&event->mmap_mutex);
		goto set;
	}

	/* don't allow circular references */
	if (event == output_event)
		goto out;

	/*
	 * Don't allow cross-cpu buffers
	 */
	if (output_event->cpu != event->cpu)
		goto out;

	/*
	 * If its not a per-cpu rb, it must be the same task.
	 */
	if (output_event->cpu == -1 && output_event->hw.target != event->hw.target)
		goto out;

	/*
	 * Hold both mmap_mutex to serialize against perf_mmap_close().
	 */
	mutex_lock_double(event, output_event);
set:
	/* Can't redirect output if we've got an active mmap() */
	if (refcount_read(&event->mmap_count))
		goto unlock;

	if (output_event) {
		if (output_event->state <= PERF_EVENT_STATE_REVOKED)
			goto unlock;

		/* get the rb we want to redirect to */
		rb = ring_buffer_get(output_event);
		if (!rb)
			goto unlock;

		/* did we race against perf_mmap_close() */
		if (!refcount_read(&rb->mmap_count)) {
			ring_buffer_put(rb);
			goto unlock;
		}
	}

	ring_buffer_attach(event, rb);
	if (variant(SEED_FIX)) {	/* seed 004 */
		rcu_assign_pointer(event->output, output_event);
	}

	ret = 0;
unlock:
	mutex_unlock(&event->mmap_mutex);
	if (output_event)
		mutex_unlock(&output_event->mmap_mutex);

out:
	return ret;
}
