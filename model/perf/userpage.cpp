/*
 * kernel/events/core.c, the mmap()ed user page: core.c:6502-6592 (perf_event_index,
 * perf_event_init_userpage, perf_event_update_userpage) at 12f24484da13
 * (AOSC-Tracking/ubuntu-linux-unstable), and its user-space reader, the seqcount loop that
 * include/uapi/linux/perf_event.h documents for struct perf_event_mmap_page.
 * arch_perf_update_userpage() is x86's (arch_x86.cpp, issue 15 (a)): cap_user_time and the
 * time_offset/time_mult/time_shift/time_zero that the documented loop extrapolates with
 * (model_userpage_read_time() below; model_userpage_read() is the older reader that only retries on
 * an odd or changed sequence and does not extrapolate, kept for the scenarios that use it).
 */
#include "model/perf/core.h"

/* kernel/events/core.c: perf_event_index() @ 12f24484da13 (core.c:6502). */
int perf_event_index(struct perf_event *event)
{
	MODEL_FRAME(6502);
	if (event->hw.state & PERF_HES_STOPPED)
		return 0;

	if (event->state != PERF_EVENT_STATE_ACTIVE)
		return 0;

	return event->pmu->event_idx(event);
}

/* kernel/events/core.c: perf_event_init_userpage() @ 12f24484da13 (core.c:6513). */
void perf_event_init_userpage(struct perf_event *event)
{
	MODEL_FRAME(6513);
	struct perf_event_mmap_page *userpg;
	struct perf_buffer *rb;

	rcu_read_lock();
	rb = rcu_dereference(event->rb);
	if (!rb)
		goto unlock;

	userpg = rb->user_page;

	/* Allow new userspace to detect that bit 0 is deprecated */
	userpg->cap_bit0_is_deprecated = 1;
	userpg->size = PERF_EVENT_MMAP_PAGE_RESERVED_OFFSET;	/* offsetof(struct perf_event_mmap_page, __reserved) */
	userpg->data_offset = PAGE_SIZE;
	userpg->data_size = rb->nr_pages * PAGE_SIZE;		/* perf_data_size(rb) */

unlock:
	rcu_read_unlock();
}

/*
 * kernel/events/core.c: perf_event_update_userpage() @ 12f24484da13 (core.c:6545).
 * Callers need to ensure there can be no nesting of this function, otherwise
 * the seqlock logic goes bad. We can not serialize this because the arch
 * code calls this from NMI context.
 * Model-only: the ledger records the (time_enabled, time_running) pair this writer publishes,
 * after its closing ++userpg->lock.
 */
void perf_event_update_userpage(struct perf_event *event)
{
	MODEL_FRAME(6545);
	struct perf_event_mmap_page *userpg;
	struct perf_buffer *rb;
	u64 enabled, running, now;
	u64 model_enabled, model_running;	/* model-only */

	rcu_read_lock();
	rb = rcu_dereference(event->rb);
	if (!rb)
		goto unlock;

	/*
	 * compute total_time_enabled, total_time_running
	 * based on snapshot values taken when the event
	 * was last scheduled in.
	 *
	 * we cannot simply called update_context_time()
	 * because of locking issue as we can be called in
	 * NMI context
	 */
	calc_timer_values(event, &now, &enabled, &running);

	userpg = rb->user_page;
	/*
	 * Disable preemption to guarantee consistent time stamps are stored to
	 * the user page.
	 */
	preempt_disable();
	++userpg->lock;
	barrier();
	userpg->index = perf_event_index(event);
	userpg->offset = perf_event_count(event, false);
	if (userpg->index)
		userpg->offset -= local64_read(&event->hw.prev_count);

	userpg->time_enabled = enabled +
			atomic64_read(&event->child_total_time_enabled);
	model_enabled = userpg->time_enabled.peek();	/* model-only: what this writer stored */

	userpg->time_running = running +
			atomic64_read(&event->child_total_time_running);
	model_running = userpg->time_running.peek();	/* model-only */

	arch_perf_update_userpage(event, userpg, now);	/* x86's (arch_x86.cpp) */

	barrier();
	++userpg->lock;
	ghost_userpage_published(event, model_enabled, model_running);	/* model-only */
	preempt_enable();
unlock:
	rcu_read_unlock();
}

/*
 * model-only: the user-space reader of the user page, as include/uapi/linux/perf_event.h
 * documents it for struct perf_event_mmap_page:
 *
 *	do {
 *		seq = pc->lock;
 *		barrier();
 *		enabled = pc->time_enabled;
 *		running = pc->time_running;
 *		index = pc->index;
 *		count = pc->offset;
 *		barrier();
 *	} while (pc->lock != seq);
 *
 * plus a retry while seq is odd (a writer is inside), which the documented loop leaves to the
 * seq change. User space is outside KCSAN's view, so its loads are data_race(); they are still
 * scheduling points. The model gives up after a few retries (a bounded search cannot spin) and
 * returns false; a consistent read goes to the ledger ("monotonic-read", torn pairs).
 */
bool model_userpage_read(struct perf_event *event, u64 *enabled, u64 *running, u32 *index, s64 *offset)
{
	MODEL_FRAME(0);
	struct perf_buffer *rb = event->rb.peek();	/* the mapping user space holds */
	struct perf_event_mmap_page *pc;
	u32 seq;

	if (!rb)
		return false;
	pc = rb->user_page;

	for (int tries = 0; tries < 3; tries++) {
		seq = data_race(READ_ONCE(pc->lock));
		barrier();

		*enabled = data_race(READ_ONCE(pc->time_enabled));
		*running = data_race(READ_ONCE(pc->time_running));
		*index = data_race(READ_ONCE(pc->index));
		*offset = data_race(READ_ONCE(pc->offset));

		barrier();
		if (data_race(READ_ONCE(pc->lock)) != seq || (seq & 1))
			continue;

		ghost_userpage_result(event, *enabled, *running);	/* model-only */
		return true;
	}
	sim::note("user-page reader: no consistent read in 3 tries, gave up");
	return false;
}

/*
 * model-only: the user-space reader of include/uapi/linux/perf_event.h as documented for struct
 * perf_event_mmap_page with cap_user_time (issue 15 (a)):
 *
 *	do {
 *		seq = pc->lock;
 *		barrier()
 *
 *		enabled = pc->time_enabled;
 *		running = pc->time_running;
 *
 *		if (pc->cap_usr_time && enabled != running) {
 *			cyc = rdtsc();
 *			time_offset = pc->time_offset;
 *			time_mult   = pc->time_mult;
 *			time_shift  = pc->time_shift;
 *		}
 *
 *		index = pc->index;
 *		count = pc->offset;
 *		if (pc->cap_user_rdpmc && index) { ... rdpmc(index - 1) ... }	(rdpmc: not modelled)
 *
 *		barrier();
 *	} while (pc->lock != seq);
 *
 * and then, with time_offset, time_mult, time_shift and cyc read in the loop:
 *
 *	quot = (cyc >> time_shift);
 *	rem = cyc & (((u64)1 << time_shift) - 1);
 *	delta = time_offset + quot * time_mult + ((rem * time_mult) >> time_shift);
 *	enabled += delta;
 *	if (index)
 *		running += delta;
 *
 * rdtsc() is the model clock (a register read: no scheduling point, no advance). User-space loads
 * are data_race() (outside KCSAN's view) but scheduling points. At most 3 passes (a bounded search
 * cannot spin); false if it gave up. Model-only: the ledger's enabled/running at the clock read
 * are taken at that same instant, and the result is checked against them (userpage-time).
 */
bool model_userpage_read_time(struct perf_event *event, struct model_userpage_time *r)
{
	MODEL_FRAME(0);
	struct perf_buffer *rb = event->rb.peek();	/* the mapping user space holds */
	struct perf_event_mmap_page *pc;
	u32 seq, time_mult = 0, time_shift = 0;
	u64 time_offset = 0;
	u64 model_true_enabled = 0, model_true_running = 0;	/* model-only */
	bool model_checkable = false;				/* model-only */
	std::string model_why;					/* model-only */

	if (!rb)
		return false;
	pc = rb->user_page;

	for (int tries = 0; tries < 3; tries++) {
		r->cyc = 0;
		r->extrapolated = false;
		seq = data_race(READ_ONCE(pc->lock));
		barrier();

		r->enabled = data_race(READ_ONCE(pc->time_enabled));
		r->running = data_race(READ_ONCE(pc->time_running));

		if (data_race(READ_ONCE(pc->cap_user_time)) && r->enabled != r->running) {
			r->cyc = sim::clock_peek();	/* rdtsc() */
			r->extrapolated = true;	/* model: cyc was read */
			model_checkable = ghost_times_at(event, r->cyc, &model_true_enabled, &model_true_running, &model_why);
			time_offset = data_race(READ_ONCE(pc->time_offset));
			time_mult = data_race(READ_ONCE(pc->time_mult));
			time_shift = data_race(READ_ONCE(pc->time_shift));
		} else {
			/* model-only: the instant of the loop's last load, for the not-ahead check */
			model_checkable = ghost_times_at(event, sim::clock_peek(), &model_true_enabled, &model_true_running,
							 &model_why);
		}

		r->index = data_race(READ_ONCE(pc->index));
		r->count = data_race(READ_ONCE(pc->offset));

		barrier();
		if (data_race(READ_ONCE(pc->lock)) != seq)
			continue;

		if (r->extrapolated) {
			u64 quot, rem, delta;

			quot = (r->cyc >> time_shift);
			rem = r->cyc & (((u64)1 << time_shift) - 1);
			delta = time_offset + quot * time_mult + ((rem * time_mult) >> time_shift);
			r->enabled += delta;
			if (r->index)
				r->running += delta;
		}
		ghost_userpage_time_result(event, r->extrapolated, model_checkable, model_why, r->enabled, r->running,
					   model_true_enabled, model_true_running, r->index,
					   r->extrapolated ? r->cyc : sim::clock_peek());	/* model-only */
		return true;
	}
	sim::note("user-page time reader: no consistent read in 3 tries, gave up");
	return false;
}
