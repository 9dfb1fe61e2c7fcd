/*
 * kernel/events/ring_buffer.c: the output path's begin/end and the wakeup it raises, read (and
 * lines counted) at Kingxukai/linux 9b44fff655e2 (the pinned tree 12f24484da13 has no
 * ring_buffer.c in the source index; this mirror's struct perf_buffer matches its core.c).
 *
 * Left out: data pages and the copy (handle->addr/page, __output_copy), the lost-record header,
 * backward buffers, the wakeup_events path of perf_output_sample(), fasync/SIGIO.
 *
 * The AUX transaction (perf_aux_output_begin/end, at the end) follows a public copy of the same
 * shape (rb_has_aux, aux_mmap_count, the READ_ONCE(rb->aux_nest) / WARN_ON_ONCE(nest) /
 * WRITE_ONCE(rb->aux_nest, nest + 1) sequence, and WRITE_ONCE(rb->aux_nest, 0) in _end); seed 003
 * places the WARN at ring_buffer.c:415 in 7.1-rc1; their lines here were not read (0). Left out
 * there: the parent event, aux_refcount (nothing is freed), aux_head/aux_tail arithmetic and the
 * wakeup/pending-disable of a full buffer, AUX records (perf_event_aux_event).
 */
#include "model/perf/core.h"

/*
 * kernel/events/ring_buffer.c: perf_output_wakeup() @ 9b44fff655e2 (ring_buffer.c:20).
 * The buffer's poll state is set; the *handle's event* gets pending_wakeup and its irq_work is
 * queued: whose waitq that irq_work wakes is what the variants differ in (perf_event_wakeup()).
 */
void perf_output_wakeup(struct perf_output_handle *handle)
{
	MODEL_FRAME_FILE("ring_buffer.c", 20);
	atomic_set(&handle->rb->poll, EPOLLIN | EPOLLRDNORM);

	handle->event->pending_wakeup = 1;

	if (handle->event->fasync && !handle->event->pending_kill)
		handle->event->pending_kill = POLL_IN;

	irq_work_queue(&handle->event->pending_irq);
}

/* kernel/events/ring_buffer.c: perf_output_get_handle() @ 9b44fff655e2 (ring_buffer.c:40). */
void perf_output_get_handle(struct perf_output_handle *handle)
{
	MODEL_FRAME_FILE("ring_buffer.c", 40);
	struct perf_buffer *rb = handle->rb;

	preempt_disable();

	/* (*(volatile unsigned int *)&rb->nest)++: a volatile load and store */
	WRITE_ONCE(rb->nest, READ_ONCE(rb->nest) + 1);
	handle->wakeup = local_read(&rb->wakeup);
}

/* kernel/events/ring_buffer.c: perf_output_put_handle() @ 9b44fff655e2 (ring_buffer.c:54). */
void perf_output_put_handle(struct perf_output_handle *handle)
{
	MODEL_FRAME_FILE("ring_buffer.c", 54);
	struct perf_buffer *rb = handle->rb;
	unsigned long head;
	unsigned int nest;

	/*
	 * If this isn't the outermost nesting, we don't have to update
	 * @rb->user_page->data_head.
	 */
	nest = READ_ONCE(rb->nest);
	if (nest > 1) {
		WRITE_ONCE(rb->nest, nest - 1);
		goto out;
	}

again:
	barrier();
	head = local_read(&rb->head);

	smp_wmb(); /* B, matches C */
	WRITE_ONCE(rb->user_page->data_head, head);

	barrier();
	WRITE_ONCE(rb->nest, 0);

	barrier();
	if (unlikely(head != (unsigned long)local_read(&rb->head))) {
		WRITE_ONCE(rb->nest, 1);
		goto again;
	}

	if (handle->wakeup != (unsigned long)local_read(&rb->wakeup))
		perf_output_wakeup(handle);

out:
	preempt_enable();
}

/* kernel/events/ring_buffer.c: ring_buffer_has_space() @ 9b44fff655e2 (ring_buffer.c:141); CIRC_SPACE inline */
static bool ring_buffer_has_space(unsigned long head, unsigned long tail, unsigned long data_size, unsigned int size,
				  bool backward)
{
	auto circ_space = [](unsigned long h, unsigned long t, unsigned long sz) { return (t - (h + 1)) & (sz - 1); };
	if (!backward)
		return circ_space(head, tail, data_size) >= size;
	else
		return circ_space(tail, head, data_size) >= size;
}

/* kernel/events/internal.h: perf_data_size() (model: no page_order, one page per data page) */
static unsigned long perf_data_size(struct perf_buffer *rb) { return rb->nr_pages * PAGE_SIZE; }

/*
 * kernel/events/ring_buffer.c: __perf_output_begin() @ 9b44fff655e2 (ring_buffer.c:152).
 * Model: no perf_sample_data; no data pages (handle->page/addr/size), no lost-record header.
 * Variant seed-fix: seed 004's hunk, after `rb = rcu_dereference(event->rb)`: the handle's event
 * becomes event->output when set, so perf_output_wakeup() raises the owner's irq_work.
 */
int __perf_output_begin(struct perf_output_handle *handle, struct perf_event *event, unsigned int size, bool backward)
{
	MODEL_FRAME_FILE("ring_buffer.c", 152);
	struct perf_buffer *rb;
	unsigned long tail, offset, head;
	int have_lost;

	rcu_read_lock();
	/*
	 * For inherited events we send all the output towards the parent.
	 */
	if (event->parent)
		event = event->parent;

	rb = rcu_dereference(event->rb);
	if (unlikely(!rb))
		goto out;

	if (variant(SEED_FIX)) {	/* seed 004: output_event = rcu_dereference(event->output) */
		struct perf_event *output_event = rcu_dereference(event->output);
		if (output_event)
			event = output_event;
	}

	if (unlikely(rb->paused)) {
		if (rb->nr_pages) {
			local_inc(&rb->lost);
			atomic64_inc(&event->lost_samples);
		}
		goto out;
	}

	handle->rb = rb;
	handle->event = event;
	handle->flags = 0;

	have_lost = local_read(&rb->lost);
	if (unlikely(have_lost))
		size += 24;	/* sizeof(lost_event); the record itself is not written (model) */

	perf_output_get_handle(handle);

	offset = local_read(&rb->head);
	do {
		head = offset;
		tail = READ_ONCE(rb->user_page->data_tail);
		if (!rb->overwrite) {
			if (unlikely(!ring_buffer_has_space(head, tail, perf_data_size(rb), size, backward)))
				goto fail;
		}

		if (!backward)
			head += size;
		else
			head -= size;
	} while (!local_try_cmpxchg(&rb->head, (long *)&offset, head));

	if (unlikely(head - local_read(&rb->wakeup) > (unsigned long)rb->watermark))
		local_add(rb->watermark, &rb->wakeup);

	return 0;

fail:
	local_inc(&rb->lost);
	atomic64_inc(&event->lost_samples);
	perf_output_put_handle(handle);
out:
	rcu_read_unlock();

	return -28; /* -ENOSPC */
}

/* kernel/events/ring_buffer.c: perf_output_begin_forward() @ 9b44fff655e2 (ring_buffer.c:273). */
int perf_output_begin_forward(struct perf_output_handle *handle, struct perf_event *event, unsigned int size)
{
	MODEL_FRAME_FILE("ring_buffer.c", 273);
	return __perf_output_begin(handle, event, size, false);
}

/* kernel/events/ring_buffer.c: perf_output_end() @ 9b44fff655e2 (ring_buffer.c:308). */
void perf_output_end(struct perf_output_handle *handle)
{
	MODEL_FRAME_FILE("ring_buffer.c", 308);
	perf_output_put_handle(handle);
	rcu_read_unlock();
}

/*
 * kernel/events/ring_buffer.c: rb_alloc() + ring_buffer_init() @ 9b44fff655e2 (line 0: not
 * counted), the vmalloc-less variant reduced to the fields the model reads: a zeroed user page,
 * the reference count, the data-page count, watermark and overwrite. model_alloc_rb() gives the
 * world-owned storage.
 */
struct perf_buffer *rb_alloc(int nr_pages, long watermark, int cpu, int flags)
{
	MODEL_FRAME_FILE("ring_buffer.c", 0);
	struct perf_buffer *rb = model_alloc_rb();
	long max_size;

	rb->nr_pages = nr_pages;
	rb->user_page = &rb->model_user_page;

	/* ring_buffer_init(rb, watermark, flags) */
	max_size = perf_data_size(rb);
	if (watermark)
		rb->watermark = std::min(max_size, watermark);
	if (!rb->watermark)
		rb->watermark = max_size / 2;

	if (flags & RING_BUFFER_WRITABLE)
		rb->overwrite = 0;
	else
		rb->overwrite = 1;

	refcount_set(&rb->refcount, 1);
	return rb;
}

/*
 * kernel/events/ring_buffer.c: perf_aux_output_begin() (line not read, see above).
 * The WARN_ON_ONCE(nest) is the invariant "no-nested-aux-output": an AUX transaction is already
 * open on this buffer (the seed's splat).
 */
void *perf_aux_output_begin(struct perf_output_handle *handle, struct perf_event *event)
{
	MODEL_FRAME_FILE("ring_buffer.c", 0);
	struct perf_event *output_event = event;
	struct perf_buffer *rb;
	unsigned int nest;

	/*
	 * Since this will typically be open across pmu::add/pmu::del, we
	 * grab ring_buffer's refcount instead of holding rcu read lock
	 * to make sure it doesn't disappear under us.
	 */
	rb = ring_buffer_get(output_event);
	if (!rb)
		return NULL;

	if (!rb_has_aux(rb))
		goto err;

	/*
	 * If aux_mmap_count is zero, the aux buffer is in perf_mmap_close(),
	 * about to get freed, so we leave immediately.
	 */
	if (!refcount_read(&rb->aux_mmap_count))
		goto err;

	nest = READ_ONCE(rb->aux_nest);
	/*
	 * Nesting is not supported for AUX area, make sure nested
	 * writers are caught early
	 */
	if (nest) {	/* kernel: if (WARN_ON_ONCE(nest)) goto err_put; */
		ghost_report(GHOST_NO_NESTED_AUX_OUTPUT,
			     std::string("WARN_ON_ONCE(nest) in perf_aux_output_begin(): ") + event->model_name +
				     ": an AUX transaction is already open on this buffer (aux_nest = " + std::to_string(nest) + ")");
		goto err;	/* err_put: rb_free_aux() (not modelled), then err */
	}

	WRITE_ONCE(rb->aux_nest, nest + 1);

	handle->rb = rb;
	handle->event = event;

	return rb;	/* kernel: handle->rb->aux_priv */

err:
	ring_buffer_put(rb);
	handle->event = NULL;

	return NULL;
}

/* kernel/events/ring_buffer.c: perf_aux_output_end() (line not read, see above); the head and wakeup left out. */
void perf_aux_output_end(struct perf_output_handle *handle, unsigned long size)
{
	MODEL_FRAME_FILE("ring_buffer.c", 0);
	struct perf_buffer *rb = handle->rb;

	(void)size;
	handle->event = NULL;

	WRITE_ONCE(rb->aux_nest, 0);
	/* can't be last */
	ring_buffer_put(rb);
}
