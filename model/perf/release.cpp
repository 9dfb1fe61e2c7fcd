/*
 * kernel/events/core.c, close() of an event (issue 15 b): put_event() (core.c:5753) and
 * perf_event_release_kernel() (core.c:5773) at 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable),
 * lines counted back from __perf_event_read_value() (core.c:5885) in the text read with read_file.
 * _free_event() is the callchain area's (callchain.cpp: v16 adds perf_pending_unwind_sync() to it);
 * perf_remove_from_context() and its callees are install.cpp's.
 *
 * Model: no owner list (perf_remove_from_owner() is left out: the scenario's fds have no owner
 * task; is_kernel_event() would be false); RCU read sections are empty; get_ctx()/put_ctx() of the
 * child loop are the kernel's (the world holds a reference on every context, so none is last).
 */
#include "model/perf/core.h"

/*
 * kernel/events/core.c: put_event() @ 12f24484da13 (core.c:5753).
 * The fd holds one reference, each inherited child one on its parent (inherit_event()).
 */
void put_event(struct perf_event *event)
{
	MODEL_FRAME(5753);
	struct perf_event *parent;

	if (!atomic_long_dec_and_test(&event->refcount))
		return;

	parent = event->parent;
	_free_event(event);

	/* Matches the refcount bump in inherit_event() */
	if (parent)
		put_event(parent);
}

/*
 * kernel/events/core.c: perf_event_release_kernel() @ 12f24484da13 (core.c:5773).
 * Kill an event dead; while event:refcount will preserve the event object, it will not preserve
 * its functionality. Once the last 'user' gives up the object, we'll destroy the thing.
 * Model: perf_remove_from_owner() is left out (no owner list); the state store of an event
 * already REVOKED/EXIT is a plain store, as in the kernel, followed by the ledger's.
 */
int perf_event_release_kernel(struct perf_event *event)
{
	MODEL_FRAME(5773);
	struct perf_event_context *ctx = event->ctx;
	struct perf_event *child, *tmp;

	/*
	 * If we got here through err_alloc: free_event(event); we will not
	 * have attached to a context yet.
	 */
	if (!ctx) {
		WARN_ON_ONCE(event->attach_state &
				(PERF_ATTACH_CONTEXT|PERF_ATTACH_GROUP));
		goto no_ctx;
	}

	/* if (!is_kernel_event(event)) perf_remove_from_owner(event); -- no owner list */

	ctx = perf_event_ctx_lock(event);
	WARN_ON_ONCE(ctx->parent_ctx);

	/*
	 * Mark this event as STATE_DEAD, there is no external reference to it
	 * anymore.
	 *
	 * Anybody acquiring event->child_mutex after the below loop _must_
	 * also see this, most importantly inherit_event() which will avoid
	 * placing more children on the list.
	 *
	 * Thus this guarantees that we will in fact observe and kill _ALL_
	 * child events.
	 */
	if (event->state > PERF_EVENT_STATE_REVOKED) {
		perf_remove_from_context(event, DETACH_GROUP|DETACH_DEAD);
	} else {
		event->state = PERF_EVENT_STATE_DEAD;
		ghost_set_state(event, PERF_EVENT_STATE_DEAD);	/* model-only */
	}

	perf_event_ctx_unlock(event, ctx);

again:
	mutex_lock(&event->child_mutex);
	/* list_for_each_entry(child, &event->child_list, child_list): every pass ends in goto again */
	if (!event->child_list.empty()) {
		child = event->child_list.front();
		/*
		 * Cannot change, child events are not migrated, see the
		 * comment with perf_event_ctx_lock_nested().
		 */
		ctx = READ_ONCE(child->ctx);
		/*
		 * Since child_mutex nests inside ctx::mutex, we must jump
		 * through hoops. We start by grabbing a reference on the ctx.
		 *
		 * Since the event cannot get freed while we hold the
		 * child_mutex, the context must also exist and have a !0
		 * reference count.
		 */
		get_ctx(ctx);

		/*
		 * Now that we have a ctx ref, we can drop child_mutex, and
		 * acquire ctx::mutex without fear of it going away. Then we
		 * can re-acquire child_mutex.
		 */
		mutex_unlock(&event->child_mutex);
		mutex_lock(&ctx->mutex);
		mutex_lock(&event->child_mutex);

		/*
		 * Now that we hold ctx::mutex and child_mutex, revalidate our
		 * state, if child is still the first entry, it didn't get freed
		 * and we can continue doing so.
		 */
		tmp = event->child_list.empty() ? NULL : event->child_list.front();	/* list_first_entry_or_null() */
		if (tmp == child) {
			perf_remove_from_context(child, DETACH_GROUP | DETACH_CHILD);
		} else {
			child = NULL;
		}

		mutex_unlock(&event->child_mutex);
		mutex_unlock(&ctx->mutex);

		if (child) {
			/* Last reference unless ->pending_task work is pending */
			put_event(child);
		}
		put_ctx(ctx);

		goto again;
	}
	mutex_unlock(&event->child_mutex);

no_ctx:
	/*
	 * Last reference unless ->pending_task work is pending on this event
	 * or any of its children.
	 */
	put_event(event);
	return 0;
}
