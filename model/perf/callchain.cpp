/*
 * perf's side of deferred user callchains: kernel/events/core.c and kernel/events/callchain.c
 * as "[PATCH v16 2/4] perf: Support deferred user callchains" (seed 002) leaves them, with
 * v16 3/4 ("perf: Have the deferred request record the user context cookie") as a variant. (The
 * context-switch fast path that nr_no_switch_fast guards is perf_event_context_sched_out() in
 * sched.cpp, unchanged by the series.)
 *
 * core.c lines of the v16 functions are those of the patched file (index be94b437e7e0), from the
 * patch's hunk headers: perf_pending_unwind_sync 5585, perf_event_callchain_deferred 5599,
 * perf_event_deferred_task 5636, _free_event 5709, deferred_request 8265, perf_callchain 8282.
 */
#include "model/perf/core.h"

/*
 * kernel/events/callchain.c: get_perf_callchain() @ v16 2/4 (callchain.c:220), the user part
 * only. Model: no real stacks; the sample records whether it carries PERF_CONTEXT_USER_DEFERRED
 * (and, under v16-cookie, the cookie after it: v16 3/4) or a user callchain taken in place.
 */
static void get_perf_callchain(struct model_sample *sample, bool kernel, bool user, u32 max_stack, bool crosstask,
			       bool add_mark, bool defer_user, u64 defer_cookie)
{
	MODEL_FRAME_FILE("callchain.c", 220);
	(void)kernel; (void)max_stack; (void)add_mark;

	if (user && !crosstask) {
		if (callchain_variant_has(V16_COOKIE) ? defer_cookie != 0 : defer_user) {
			/*
			 * Foretell the coming of PERF_RECORD_CALLCHAIN_DEFERRED
			 * which can be stitched to this one.
			 */
			sample->user_deferred = true;	/* perf_callchain_store_context(&ctx, PERF_CONTEXT_USER_DEFERRED) */
			if (callchain_variant_has(V16_COOKIE))
				sample->cookie = defer_cookie;	/* v16 3/4: perf_callchain_store_context(&ctx, defer_cookie) */
			return;	/* goto exit_put */
		}
		sample->user_inline = true;	/* perf_callchain_user(&ctx, regs) */
	}
}

/*
 * kernel/events/core.c: deferred_request() @ v16 2/4 (core.c:8265); under v16-cookie the
 * v16 3/4 form that hands the cookie back (the model always hands it back, for the ghost).
 */
static int deferred_request(struct perf_event *event, u64 *defer_cookie)
{
	MODEL_FRAME(8265);
	struct unwind_work *work = &event->unwind_work;
	u64 cookie;
	int ret;

	/* Only defer for task events */
	if (!event->ctx->task)
		return -EINVAL;

	if ((current->flags & (PF_KTHREAD | PF_USER_WORKER)) || !current->model_has_mm)
		return -EINVAL;	/* || !user_mode(task_pt_regs(current)) */

	ret = unwind_deferred_request(work, &cookie);
	*defer_cookie = cookie;
	return ret;
}

/*
 * kernel/events/core.c: perf_callchain() @ v16 2/4 (core.c:8282), with v16 3/4's defer_cookie
 * under v16-cookie. Model: the callchain is the model_sample the caller passes; the ghost
 * remembers each request that put the marker into a sample, with its cookie; under
 * v16-cancel-dec the v15-style pending_unwind_callback is set next to the local_inc.
 */
void perf_callchain(struct perf_event *event, struct model_sample *sample)
{
	MODEL_FRAME(8282);
	bool kernel = !event->attr.exclude_callchain_kernel;
	bool user   = !event->attr.exclude_callchain_user &&
		!(current->flags & (PF_KTHREAD | PF_USER_WORKER));
	/* Disallow cross-task user callchains. */
	bool crosstask = event->ctx->task && event->ctx->task != current;
	const u32 max_stack = event->attr.sample_max_stack;
	u64 defer_cookie = 0;
	u64 request_cookie = 0;
	bool defer_user = /* IS_ENABLED(CONFIG_UNWIND_USER) && */ user &&
			  event->attr.defer_callchain;

	if (!current->model_has_mm)
		user = false;

	if (!kernel && !user)
		return;	/* &__empty_callchain */

	/* Disallow cross-task callchains. */
	if (event->ctx->task && event->ctx->task != current)
		return;	/* &__empty_callchain */

	if (defer_user) {
		int ret = deferred_request(event, &defer_cookie);
		request_cookie = defer_cookie;
		if (!ret) {
			local_inc(&event->ctx->nr_no_switch_fast);
			if (callchain_variant_has(V16_CANCEL_DEC))
				event->pending_unwind_callback = 1;	/* variant: as v15 */
		} else if (ret < 0) {
			defer_user = false;
			defer_cookie = 0;	/* v16 3/4 */
		}
	}

	get_perf_callchain(sample, kernel, user, max_stack, crosstask, true, defer_user, defer_cookie);

	/* ghost: a cookie names one kernel entry of one task (get_cookie(): "a unique identifier
	 * that is assigned to a user space stacktrace") */
	if (request_cookie) {
		for (const auto &[c, entry] : current->model_cookies) {
			if (c == request_cookie && entry != current->model_entry &&
			    ghost_invariant_enabled(GHOST_COOKIE_PER_ENTRY)) {
				ghost_report(GHOST_COOKIE_PER_ENTRY,
					     std::string(event->model_name) + ": unwind_deferred_request() hands out cookie " +
						     std::to_string(request_cookie) + " in kernel entry " +
						     std::to_string(current->model_entry) + " of " + current->comm +
						     ", already handed out in entry " + std::to_string(entry) +
						     ": user space stitches this entry's stack to the older samples");
				break;
			}
		}
		current->model_cookies.push_back({request_cookie, current->model_entry});
	}
	sample->model_request_cookie = request_cookie;
	sample->model_entry = current->model_entry;
	if (sample->user_deferred)
		event->model_unanswered.push_back(request_cookie);
	event->model_samples.push_back(*sample);
}

/*
 * kernel/events/core.c: perf_event_callchain_deferred() @ v16 2/4 (core.c:5599). Model: the
 * record is kept in the event's ghost (no ring buffer: perf_output_begin() always succeeds);
 * the ghost checks that its cookie is the one every unanswered request of this event got, and,
 * under v16-cookie, the one stored in the samples.
 */
static void perf_event_callchain_deferred(struct perf_event *event, struct unwind_stacktrace *trace, u64 cookie)
{
	MODEL_FRAME(5599);
	u64 nr;

	nr = trace->nr + 1 ; /* '+1' == callchain_context */
	(void)nr;

	/* ghost */
	if (event->model_freed)
		ghost_report(GHOST_NO_CALLBACK_AFTER_FREE, std::string("perf_event_callchain_deferred() writes a record for ") +
								   event->model_name + " after _free_event()");
	for (u64 asked : event->model_unanswered) {
		if (asked != cookie && ghost_invariant_enabled(GHOST_DEFERRED_COOKIE)) {
			ghost_report(GHOST_DEFERRED_COOKIE, std::string(event->model_name) +
								    ": PERF_RECORD_CALLCHAIN_DEFERRED carries cookie " +
								    std::to_string(cookie) + " but a sample's request got cookie " +
								    std::to_string(asked));
			break;
		}
	}
	event->model_unanswered.clear();
	event->model_records.push_back({cookie, current->model_entry});
	sim::note((std::string("PERF_RECORD_CALLCHAIN_DEFERRED for ") + event->model_name + ", cookie " + std::to_string(cookie))
			  .c_str());
}

/* kernel/events/core.c: perf_event_deferred_task() @ v16 2/4 (core.c:5636). */
static void perf_event_deferred_task(struct unwind_work *work, struct unwind_stacktrace *trace, u64 cookie)
{
	MODEL_FRAME(5636);
	struct perf_event *event = work->model_owner;	/* container_of(work, struct perf_event, unwind_work) */

	perf_event_callchain_deferred(event, trace, cookie);

	if (callchain_variant_has(V16_CANCEL_DEC))
		event->pending_unwind_callback = 0;	/* variant: as v15 */
	local_dec(&event->ctx->nr_no_switch_fast);
}

/*
 * kernel/events/core.c: perf_pending_unwind_sync() @ v16 2/4 (core.c:5585).
 * Variant v16-cancel-dec: after unwind_deferred_cancel() (which returns with the callback
 * neither running nor queued), a request whose callback did not run still holds its
 * nr_no_switch_fast count: drop it, as v15's perf_pending_unwind_sync() did in its
 * task_work_cancel() branch ("event->pending_unwind_callback = 0;
 * local_dec(&event->ctx->nr_no_switch_fast);"). Not a posted fix for v16.
 */
void perf_pending_unwind_sync(struct perf_event *event)
{
	MODEL_FRAME(5585);
	struct unwind_work *work = &event->unwind_work;

	unwind_deferred_cancel(work);

	if (callchain_variant_has(V16_CANCEL_DEC) && event->pending_unwind_callback) {
		event->pending_unwind_callback = 0;
		local_dec(&event->ctx->nr_no_switch_fast);
	}
}

/*
 * kernel/events/core.c: _free_event() @ v16 2/4 (core.c:5709; 12f24484da13 core.c:5659, where the
 * series' perf_pending_unwind_sync() call is not yet). Model: irq_work_sync() x2 (the model's
 * irq_work runs in the interrupt that raised it, before that lane ends), unaccount_event(),
 * security_perf_event_free(), the bpf and address filters, and __free_event()'s teardown
 * (put_pmu_ctx(), put_ctx(): the world owns the contexts) are left out; the ring-buffer detach
 * stays (issue 15 b: close()). call_rcu(free_event_rcu) is where the ghost marks the event freed
 * (an access after a grace period is a use after free, and the model does not bound how long the
 * task takes to return to user space).
 */
void _free_event(struct perf_event *event)
{
	MODEL_FRAME(5709);
	perf_pending_unwind_sync(event);

	/* irq_work_sync(&event->pending_irq); irq_work_sync(&event->pending_disable_irq); unaccount_event(event); */

	if (event->rb) {
		/*
		 * Can happen when we close an event with re-directed output.
		 *
		 * Since we have a 0 refcount, perf_mmap_close() will skip
		 * over us; possibly making our ring_buffer_put() the last.
		 */
		mutex_lock(&event->mmap_mutex);
		ring_buffer_attach(event, NULL);
		mutex_unlock(&event->mmap_mutex);
	}

	/* __free_event(event): put_pmu_ctx(), put_ctx() -- the world owns them */
	event->model_freed = true;	/* call_rcu(&event->rcu_head, free_event_rcu) */
	sim::note((std::string(event->model_name) + " freed (call_rcu)").c_str());
}

/*
 * kernel/events/core.c: perf_event_alloc() @ v16 2/4, the defer_callchain block only (it starts
 * at core.c:13148 of the patched file, hunk @@ -13046,6 +13145,13 @@; the function's own first
 * line is not shown by the patch): a task event gets a single-task unwind_work whose callback
 * is perf_event_deferred_task().
 */
int perf_event_alloc_defer(struct perf_event *event, struct task_struct *task)
{
	MODEL_FRAME(13148);
	int err = 0;

	event->unwind_work.model_owner = event;
	if (event->attr.defer_callchain) {
		if (task) {
			err = unwind_deferred_task_init(&event->unwind_work,
							perf_event_deferred_task);
		}
	}
	return err;
}
