/*
 * kernel/events/ring_buffer.c, the AUX transaction: perf_aux_output_begin() and
 * perf_aux_output_end(), reduced to the nesting count, the handle and the AUX mapping checks.
 *
 * ring_buffer.c of 12f24484da13 is not in the source index this model was written from; the
 * code below follows a public copy of perf_aux_output_begin()/perf_aux_output_end() of the same
 * shape (rb_has_aux, aux_mmap_count, aux_refcount, the READ_ONCE(rb->aux_nest) /
 * WARN_ON_ONCE(nest) / WRITE_ONCE(rb->aux_nest, nest + 1) sequence, and WRITE_ONCE(rb->aux_nest,
 * 0) in _end), and the seed's report places the WARN at ring_buffer.c:415 in 7.1-rc1. Frames
 * carry line 0: the line in 12f24484da13 was not read.
 *
 * Left out: the parent event, aux_refcount (nothing is freed in the model), aux_head/aux_tail
 * arithmetic and the wakeup/pending-disable of a full buffer, AUX records (perf_event_aux_event).
 */
#include "model/aux/aux.h"
#include "model/kernel/bug.h"

namespace aux {

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

	if (!rb->aux_nr_pages)	/* rb_has_aux() */
		goto err;

	/*
	 * If aux_mmap_count is zero, the aux buffer is in perf_mmap_close(),
	 * about to get freed, so we leave immediately.
	 */
	if (!READ_ONCE(rb->aux_mmap_count))	/* kernel: refcount_read() */
		goto err;

	nest = READ_ONCE(rb->aux_nest);
	/*
	 * Nesting is not supported for AUX area, make sure nested
	 * writers are caught early
	 */
	if (nest) {	/* kernel: if (WARN_ON_ONCE(nest)) goto err_put; */
		if (invariant_enabled("no-nested-aux-output"))
			sim::violation("no-nested-aux-output",
				       (std::string("WARN_ON_ONCE(nest) in perf_aux_output_begin(): ") + event->model_name +
					": an AUX transaction is already open on this buffer (aux_nest = " +
					std::to_string(nest) + ")")
					       .c_str());
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

}  // namespace aux
