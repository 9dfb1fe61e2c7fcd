/*
 * kernel/events/core.c, mmap() of the ring buffer: core.c:6596-6700 (ring_buffer_attach,
 * ring_buffer_get, ring_buffer_put), 6738-6850 (perf_mmap_close), 6984-7050 (perf_mmap_rb),
 * 7129-7200 (perf_mmap) at 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable); rb_alloc() from
 * kernel/events/ring_buffer.c.
 *
 * Left out: data pages, page tables (map_range() keeps only its use of rb), VM accounting (perf_mmap_calc_limits always
 * allows, perf_mmap_account, mmap_user), the AUX area (perf_mmap_aux, aux_mmap_count), pmu
 * event_mapped/unmapped callbacks, RCU grace periods (rcu_pending / cond_synchronize_rcu; nothing
 * is freed: the world owns every buffer). rb_alloc() is in ring_buffer.cpp.
 */
#include "model/perf/core.h"

/*
 * kernel/events/core.c: ring_buffer_attach() @ 12f24484da13 (core.c:6596).
 * Model: no rcu_pending / cond_synchronize_rcu() (no grace periods: nothing is freed), no AUX stop.
 */
void ring_buffer_attach(struct perf_event *event, struct perf_buffer *rb)
{
	MODEL_FRAME(6596);
	struct perf_buffer *old_rb = NULL;
	unsigned long flags;

	WARN_ON_ONCE(event->parent);

	if (event->rb) {
		old_rb = event->rb;
		spin_lock_irqsave(&old_rb->event_lock, flags);
		model_list_del(old_rb->event_list, event);	/* list_del_rcu(&event->rb_entry) */
		spin_unlock_irqrestore(&old_rb->event_lock, flags);
	}

	if (rb) {
		spin_lock_irqsave(&rb->event_lock, flags);
		rb->event_list.insert(rb->event_list.begin(), event);	/* list_add_rcu(): at the head */
		spin_unlock_irqrestore(&rb->event_lock, flags);
	}

	/*
	 * Avoid racing with perf_mmap_close(AUX): stop the event
	 * before swizzling the event::rb pointer; if it's getting
	 * unmapped, its aux_mmap_count will be 0 and it won't
	 * restart. See the comment in __perf_pmu_output_stop().
	 *
	 * Data will inevitably be lost when set_output is done in
	 * mid-air, but then again, whoever does it like this is
	 * not in for the data anyway.
	 */
	if (has_aux(event))
		perf_event_stop(event, 0);

	rcu_assign_pointer(event->rb, rb);

	if (old_rb) {
		ring_buffer_put(old_rb);
		/*
		 * Since we detached before setting the new rb, so that we
		 * could attach the new rb, we could have missed a wakeup.
		 * Provide it now.
		 */
		wake_up_all(&event->waitq);
	}
}

/* kernel/events/core.c: ring_buffer_get() @ 12f24484da13 (core.c:6673). */
struct perf_buffer *ring_buffer_get(struct perf_event *event)
{
	MODEL_FRAME(6673);
	struct perf_buffer *rb;

	if (event->parent)
		event = event->parent;

	rcu_read_lock();
	rb = rcu_dereference(event->rb);
	if (rb) {
		if (!refcount_inc_not_zero(&rb->refcount))
			rb = NULL;
	}
	rcu_read_unlock();

	return rb;
}

/* kernel/events/core.c: ring_buffer_put() @ 12f24484da13 (core.c:6691). Model: nothing is freed. */
void ring_buffer_put(struct perf_buffer *rb)
{
	MODEL_FRAME(6691);
	if (!refcount_dec_and_test(&rb->refcount))
		return;

	WARN_ON_ONCE(!rb->event_list.empty());

	/* call_rcu(&rb->rcu_head, rb_free_rcu): the world frees it */
}

/*
 * kernel/events/core.c: perf_mmap_close() @ 12f24484da13 (core.c:6738).
 * Model: no VM accounting, no event_unmapped callback; in the AUX part perf_pmu_output_stop(event)
 * (body not read) is reduced to what it does for an AUX event writing to this buffer:
 * __perf_event_stop(event, restart = 1) on the event's CPU; rb_free_aux() frees no pages (there
 * are none) and aux_refcount is not modelled. The detach loop's atomic_long_inc_not_zero(
 * &event->refcount) / put_event() pair is left out (events are never freed here).
 */
void perf_mmap_close(struct vm_area_struct *vma)
{
	MODEL_FRAME(6738);
	struct perf_event *event = (struct perf_event *)vma->vm_file->private_data;
	struct perf_buffer *rb = ring_buffer_get(event);
	bool detach_rest = false;

	/*
	 * Model: the kernel goes on to rb_has_aux(rb), a NULL dereference if the event has no buffer
	 * (a concurrent perf_mmap_rb() that replaced a dying buffer, whose own close then detached
	 * the new one). Reported as a kernel warning (an oops) instead of followed.
	 */
	if (!rb) {
		::sim::violation("kernel-warning",
				 "perf_mmap_close(): ring_buffer_get(event) is NULL for a mapped vma: "
				 "rb_has_aux(rb) dereferences NULL (oops)");
		return;
	}

	/*
	 * The AUX buffer is strictly a sub-buffer, serialize using aux_mutex
	 * to avoid complications.
	 */
	if (rb_has_aux(rb) && (long)vma->vm_pgoff == rb->aux_pgoff &&
	    refcount_dec_and_mutex_lock(&rb->aux_mmap_count, &rb->aux_mutex)) {
		/*
		 * Stop all AUX events that are writing to this buffer,
		 * so that we can free its AUX pages and corresponding PMU
		 * data. Note that after rb::aux_mmap_count dropped to zero,
		 * they won't start any more (see perf_aux_output_begin()).
		 */
		struct stop_event_data sd = {event, 1};	/* perf_pmu_output_stop(event), reduced */
		int cpu = READ_ONCE(event->oncpu);
		if (cpu >= 0)
			cpu_function_call(cpu, __perf_event_stop, &sd);

		/* rb_free_aux(rb): no AUX pages in the model */

		mutex_unlock(&rb->aux_mutex);
	}

	if (refcount_dec_and_test(&rb->mmap_count))
		detach_rest = true;

	if (!refcount_dec_and_mutex_lock(&event->mmap_count, &event->mmap_mutex))
		goto out_put;

	ring_buffer_attach(event, NULL);
	mutex_unlock(&event->mmap_mutex);

	/* If there's still other mmap()s of this buffer, we're done. */
	if (!detach_rest)
		goto out_put;

	/*
	 * No other mmap()s, detach from all other events that might redirect
	 * into the now unreachable buffer. Somewhat complicated by the
	 * fact that rb::event_lock otherwise nests inside mmap_mutex.
	 */
again:
	rcu_read_lock();
	for (struct perf_event *other : rb->event_list) {
		rcu_read_unlock();

		mutex_lock(&other->mmap_mutex);
		if (other->rb == rb)
			ring_buffer_attach(other, NULL);
		mutex_unlock(&other->mmap_mutex);

		/*
		 * Restart the iteration; either we're on the wrong list or
		 * destroyed its integrity by doing a deletion.
		 */
		goto again;
	}
	rcu_read_unlock();

out_put:
	ring_buffer_put(rb); /* could be last */
}

/*
 * kernel/events/core.c: perf_mmap_rb() @ 12f24484da13 (core.c:6984).
 * The seed-000 race: perf_event_update_time() and perf_event_update_userpage() below run under
 * event->mmap_mutex only, while the event's context may be scheduled out on another CPU under
 * ctx->lock. Variant mmap-ctx-lock takes ctx->lock around them.
 * Model: data_page_nr(rb) is rb->nr_pages; perf_mmap_calc_limits() always allows;
 * perf_mmap_account() and rb->mmap_user are left out.
 */
int perf_mmap_rb(struct vm_area_struct *vma, struct perf_event *event, unsigned long nr_pages)
{
	MODEL_FRAME(6984);
	long extra = 0;
	struct perf_buffer *rb;
	int rb_flags = 0;

	nr_pages -= 1;

	/*
	 * If we have rb pages ensure they're a power-of-two number, so we
	 * can do bitmasks instead of modulo.
	 */
	if (nr_pages != 0 && (nr_pages & (nr_pages - 1)))	/* !is_power_of_2(nr_pages) */
		return -EINVAL;

	WARN_ON_ONCE(event->ctx->parent_ctx);

	if (event->rb) {
		if ((unsigned long)event->rb->nr_pages != nr_pages)	/* data_page_nr(event->rb) */
			return -EINVAL;

		if (refcount_inc_not_zero(&event->rb->mmap_count)) {
			/*
			 * Success -- managed to mmap() the same buffer
			 * multiple times.
			 */
			refcount_inc(&event->mmap_count);
			return 0;
		}

		/*
		 * Raced against perf_mmap_close()'s
		 * refcount_dec_and_mutex_lock() remove the
		 * event and continue as if !event->rb
		 */
		ring_buffer_attach(event, NULL);
	}

	if (vma->vm_flags & VM_WRITE)
		rb_flags |= RING_BUFFER_WRITABLE;

	rb = rb_alloc(nr_pages,
		      event->attr.watermark ? event->attr.wakeup_watermark : 0,
		      event->cpu, rb_flags);

	if (!rb)
		return -ENOMEM;

	refcount_set(&rb->mmap_count, 1);
	rb->mmap_locked = extra;

	ring_buffer_attach(event, rb);

	if (variant(MMAP_CTX_LOCK))	/* variant mmap-ctx-lock: order with the ctx->lock updaters */
		raw_spin_lock_irq(&event->ctx->lock);
	if (!variant(PRE_F79256532682))	/* variant pre-f79256532682: added by f79256532682 */
		perf_event_update_time(event);
	perf_event_init_userpage(event);
	perf_event_update_userpage(event);
	if (variant(MMAP_CTX_LOCK))
		raw_spin_unlock_irq(&event->ctx->lock);

	/*
	 * Model: a perf_mmap_close() of the old buffer's last mapping may still hold its count of
	 * event->mmap_count here (it dropped rb->mmap_count to 0, which sent this call down the
	 * "raced" branch, but has not reached refcount_dec_and_mutex_lock() yet). The set below
	 * overwrites that count, so that close takes event->mmap_count to 0 and detaches the buffer
	 * this call just mapped. Variant mmap-count-inc counts on top of it instead.
	 */
	if (variant(MMAP_COUNT_INC)) {	/* variant mmap-count-inc */
		if (!refcount_inc_not_zero(&event->mmap_count))
			refcount_set(&event->mmap_count, 1);
	} else {
		refcount_set(&event->mmap_count, 1);
	}

	return 0;
}

/*
 * kernel/events/core.c: perf_mmap_aux() @ 12f24484da13 (line not counted, right after
 * perf_mmap_rb()). Model: perf_mmap_calc_limits() always allows, perf_mmap_account() left out;
 * rb_alloc_aux() (ring_buffer.c, not read) records the AUX area's page offset and size only.
 */
int perf_mmap_aux(struct vm_area_struct *vma, struct perf_event *event, unsigned long nr_pages)
{
	MODEL_FRAME(0);
	u64 aux_offset, aux_size;
	struct perf_buffer *rb;

	rb = event->rb;
	if (!rb)
		return -EINVAL;

	guard(mutex)(&rb->aux_mutex);

	/*
	 * AUX area mapping: if rb->aux_nr_pages != 0, it's already
	 * mapped, all subsequent mappings should have the same size
	 * and offset. Must be above the normal perf buffer.
	 */
	aux_offset = READ_ONCE(rb->user_page->aux_offset);
	aux_size = READ_ONCE(rb->user_page->aux_size);

	if (aux_offset < rb->nr_pages * PAGE_SIZE + PAGE_SIZE)	/* perf_data_size(rb) + PAGE_SIZE */
		return -EINVAL;

	if (aux_offset != vma->vm_pgoff * PAGE_SIZE)	/* vma->vm_pgoff << PAGE_SHIFT */
		return -EINVAL;

	/* already mapped with a different offset */
	if (rb_has_aux(rb) && rb->aux_pgoff != (long)vma->vm_pgoff)
		return -EINVAL;

	if (aux_size != nr_pages * PAGE_SIZE)
		return -EINVAL;

	/* already mapped with a different size */
	if (rb_has_aux(rb) && rb->aux_nr_pages != (int)nr_pages)
		return -EINVAL;

	if (nr_pages & (nr_pages - 1))	/* !is_power_of_2(nr_pages) */
		return -EINVAL;

	if (!refcount_inc_not_zero(&rb->mmap_count))
		return -EINVAL;

	if (rb_has_aux(rb)) {
		refcount_inc(&rb->aux_mmap_count);

	} else {
		/* rb_alloc_aux(rb, event, vma->vm_pgoff, nr_pages, event->attr.aux_watermark, rb_flags) */
		rb->aux_pgoff = vma->vm_pgoff;
		rb->aux_nr_pages = nr_pages;

		refcount_set(&rb->aux_mmap_count, 1);
	}

	refcount_inc(&event->mmap_count);

	return 0;
}

/*
 * kernel/events/core.c: map_range() @ 12f24484da13 (core.c:6872).
 * Model: no page tables. What is kept is the kernel's use of rb: perf_mmap_to_page(rb, pgoff)
 * for each page, which with a NULL rb is a NULL dereference, reported as a kernel warning (an
 * oops) instead of followed.
 */
static int map_range(struct perf_buffer *rb, struct vm_area_struct *vma)
{
	MODEL_FRAME(6872);
	(void)vma;
	if (!rb) {
		::sim::violation("kernel-warning",
				 "map_range(): event->rb is NULL after perf_mmap_rb() succeeded: "
				 "perf_mmap_to_page(NULL, pgoff) dereferences NULL (oops)");
		return -EINVAL;
	}
	return 0;
}

/*
 * kernel/events/core.c: perf_mmap() @ 12f24484da13 (core.c:7129).
 * Model: no security hook, no vm_flags_set, no event_mapped callback; map_range() as above.
 */
int perf_mmap(struct file *file, struct vm_area_struct *vma)
{
	MODEL_FRAME(7129);
	struct perf_event *event = (struct perf_event *)file->private_data;
	unsigned long vma_size, nr_pages;
	int ret = 0;	/* kernel: set by security_perf_event_read() */

	/*
	 * Don't allow mmap() of inherited per-task counters. This would
	 * create a performance issue due to all children writing to the
	 * same rb.
	 */
	if (event->cpu == -1 && event->attr.inherit)
		return -EINVAL;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	vma_size = vma->vm_end - vma->vm_start;
	nr_pages = vma_size / PAGE_SIZE;

	if (vma_size != PAGE_SIZE * nr_pages)
		return -EINVAL;

	scoped_guard (mutex, &event->mmap_mutex) {
		/*
		 * This relies on __pmu_detach_event() taking mmap_mutex after marking
		 * the event REVOKED. Either we observe the state, or __pmu_detach_event()
		 * will detach the rb created here.
		 */
		if (event->state <= PERF_EVENT_STATE_REVOKED)
			return -ENODEV;

		if (vma->vm_pgoff == 0)
			ret = perf_mmap_rb(vma, event, nr_pages);
		else
			ret = perf_mmap_aux(vma, event, nr_pages);
		if (ret)
			return ret;
	}

	/*
	 * Try to map it into the page table. On fail, invoke
	 * perf_mmap_close() to undo the above, as the callsite expects
	 * full cleanup in this case and therefore does not invoke
	 * vmops::close().
	 */
	ret = map_range(event->rb, vma);
	if (ret)
		perf_mmap_close(vma);

	return ret;
}
