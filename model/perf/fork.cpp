/*
 * kernel/events/core.c, inheritance at fork and the feedback at exit (issue 15 b):
 * sync_child_event(), perf_event_exit_event(), perf_event_exit_task_context(),
 * perf_event_exit_task(), inherit_event(), inherit_group(), inherit_task_group(),
 * perf_event_init_context(), perf_event_init_task(), at 12f24484da13
 * (AOSC-Tracking/ubuntu-linux-unstable), read with read_file at file offsets 344000-362000; their
 * line numbers were not counted (MODEL_FRAME(0)).
 *
 * Model: the child's task and context are the world's (a task context of the scenario that has no
 * events and is not running): perf_event_init_task() detaches that context from the task as the
 * kernel's fresh child has none, and alloc_perf_context() hands it back (model_task_context()).
 * perf_event_alloc() of a child is reduced to what the model's events carry (model_perf_event_alloc()).
 * Not modelled: the owner list (perf_event_list / perf_event_mutex; the scenario's fds have no
 * owner task), PERF_RECORD_FORK/EXIT records (perf_event_task()), perf_ctx_data, freq mode,
 * inherit_thread and sigtrap, clone_flags.
 *
 * Ghost: sync_child_event() runs under the child's ctx->lock and the parent's child_mutex; there the
 * ledger checks that the totals added are the child's ledger (invariant child-time-once) and adds
 * them to the parent's ghost record, which check_final() compares with child_total_time_*.
 */
#include <string>

#include "model/perf/core.h"

/*
 * kernel/events/core.c: sync_child_event() @ 12f24484da13 (line not counted).
 * The inherit_stat PERF_RECORD_READ (perf_event_read_event(), read_local.cpp) is written only while
 * child_event->ctx->task is a live task: at exit perf_event_exit_task_context() has already stored
 * TASK_TOMBSTONE, so the tree writes none there (c418d8b4d7a4 "perf/core: Fix missing read event
 * generation on task exit", later than the tree, fixed it). Variant fix-c418d8b4d7a4: the task is
 * the argument perf_event_exit_event() passes (the fix's signature; NULL from the other callers).
 */
void sync_child_event(struct perf_event *child_event, struct task_struct *task)
{
	MODEL_FRAME(0);
	struct perf_event *parent_event = child_event->parent;
	bool model_parent_rb = parent_event->rb.peek() != nullptr;	/* ghost: a buffer to write into */
	u64 child_val;

	if (child_event->attr.inherit_stat) {
		if (!variant(C418D8B4D7A4))
			task = child_event->ctx->task;	/* the tree: struct task_struct *task = child_event->ctx->task; */

		if (task && task != TASK_TOMBSTONE)
			perf_event_read_event(child_event, task);
		ghost_check_exit_read_record(child_event, model_parent_rb);	/* model-only */
	}

	child_val = perf_event_count(child_event, false);

	/*
	 * Add back the child's count to the parent's count:
	 */
	atomic64_add(child_val, &parent_event->child_count);
	atomic64_add(child_event->total_time_enabled,
		     &parent_event->child_total_time_enabled);
	atomic64_add(child_event->total_time_running,
		     &parent_event->child_total_time_running);

	ghost_child_synced(child_event, parent_event, child_event->total_time_enabled.peek(),
			   child_event->total_time_running.peek());	/* model-only */
}

/*
 * kernel/events/core.c: perf_event_exit_event() @ 12f24484da13 (line not counted).
 * Variant pre-a3c3c66670ce: without DETACH_EXIT; the EXIT state is set after the removal, under
 * ctx->lock, as before a3c3c66670ce. Variant fix-c418d8b4d7a4: the task parameter, and the
 * sync_child_event(event, task) under child_mutex before the removal (perf_child_detach() no
 * longer syncs).
 */
void perf_event_exit_event(struct perf_event *event, struct perf_event_context *ctx, bool revoke,
			   struct task_struct *task)
{
	MODEL_FRAME(0);
	struct perf_event *parent_event = event->parent;
	unsigned long detach_flags = variant(PRE_A3C3C66670CE) ? 0 : DETACH_EXIT;
	unsigned int attach_state = 0;

	if (parent_event) {
		/*
		 * Do not destroy the 'original' grouping; because of the
		 * context switch optimization the original events could've
		 * ended up in a random child task.
		 *
		 * If we were to destroy the original group, all group related
		 * operations would cease to function properly after this
		 * random child dies.
		 *
		 * Do destroy all inherited groups, we don't care about those
		 * and being thorough is better.
		 */
		detach_flags |= DETACH_GROUP | DETACH_CHILD;
		mutex_lock(&parent_event->child_mutex);
		/* PERF_ATTACH_ITRACE might be set concurrently */
		attach_state = READ_ONCE(event->attach_state);

		if (variant(C418D8B4D7A4) && (attach_state & PERF_ATTACH_CHILD))	/* variant fix-c418d8b4d7a4 */
			sync_child_event(event, task);
	}

	if (revoke)
		detach_flags |= DETACH_GROUP | DETACH_REVOKE;

	perf_remove_from_context(event, detach_flags);

	if (variant(PRE_A3C3C66670CE)) {	/* variant pre-a3c3c66670ce */
		raw_spin_lock_irq(&ctx->lock);
		if (event->state > PERF_EVENT_STATE_EXIT)
			perf_event_set_state(event, PERF_EVENT_STATE_EXIT);
		raw_spin_unlock_irq(&ctx->lock);
	}

	/*
	 * Child events can be freed.
	 */
	if (parent_event) {
		mutex_unlock(&parent_event->child_mutex);

		/*
		 * Match the refcount initialization. Make sure it doesn't happen
		 * twice if pmu_detach_event() calls it on an already exited task.
		 */
		if (attach_state & PERF_ATTACH_CHILD) {
			/*
			 * Kick perf_poll() for is_event_hup();
			 */
			perf_event_wakeup(parent_event);
			/*
			 * pmu_detach_event() will have an extra refcount.
			 * perf_pending_task() might have one too.
			 */
			put_event(event);
		}

		return;
	}

	/*
	 * Parent events are governed by their filedesc, retain them.
	 */
	perf_event_wakeup(event);
}

/*
 * kernel/events/core.c: perf_event_exit_task_context() @ 12f24484da13 (line not counted).
 * Model: perf_event_task() (PERF_RECORD_EXIT) is not written; the !exit path (fork failure) is
 * not reached.
 */
static void perf_event_exit_task_context(struct task_struct *task, bool exit)
{
	MODEL_FRAME(0);
	struct perf_event_context *ctx, *clone_ctx = NULL;

	ctx = perf_pin_task_context(task);
	if (!ctx)
		return;

	/*
	 * In order to reduce the amount of tricky in ctx tear-down, we hold
	 * ctx::mutex over the entire thing. This serializes against almost
	 * everything that wants to access the ctx.
	 */
	mutex_lock(&ctx->mutex);

	/*
	 * In a single ctx::lock section, de-schedule the events and detach the
	 * context from the task such that we cannot ever get it scheduled back
	 * in.
	 */
	raw_spin_lock_irq(&ctx->lock);
	if (exit)
		task_ctx_sched_out(ctx, NULL, EVENT_ALL);

	/*
	 * Now that the context is inactive, destroy the task <-> ctx relation
	 * and mark the context dead.
	 */
	RCU_INIT_POINTER(task->perf_event_ctxp, nullptr);
	put_ctx(ctx); /* cannot be last */
	WRITE_ONCE(ctx->task, TASK_TOMBSTONE);
	/* put_task_struct(task); -- no task refcount */

	clone_ctx = unclone_ctx(ctx);
	raw_spin_unlock_irq(&ctx->lock);

	if (clone_ctx)
		put_ctx(clone_ctx);

	/* if (exit) perf_event_task(task, ctx, 0); -- no PERF_RECORD_EXIT */

	/* list_for_each_entry_safe(): perf_event_exit_event() unlinks the entry */
	for (struct perf_event *child_event : std::vector<struct perf_event *>(ctx->event_list))
		perf_event_exit_event(child_event, ctx, false, exit ? task : NULL);	/* the task: fix-c418d8b4d7a4 only */

	mutex_unlock(&ctx->mutex);

	put_ctx(ctx);
}

/*
 * kernel/events/core.c: perf_event_exit_task() @ 12f24484da13 (line not counted).
 * Model: no owner list (perf_event_mutex, perf_event_list), no perf_event_task(), no perf_ctx_data.
 */
void perf_event_exit_task(struct task_struct *task)
{
	MODEL_FRAME(0);
	WARN_ON_ONCE(task != current);

	/* the owner list: list_del_init(&event->owner_entry), smp_store_release(&event->owner, NULL) -- not modelled */

	perf_event_exit_task_context(task, true);

	/* perf_event_task(task, NULL, 0); detach_task_ctx_data(task); -- not modelled */
}

/*
 * model-only: perf_event_alloc(attr, cpu, task, group_leader, parent_event, NULL, NULL, -1) as
 * inherit_event() calls it, reduced to the fields the model's events carry (build_world() sets
 * the same for the scenario's events): the storage is the world's.
 */
static struct perf_event *model_perf_event_alloc(struct perf_event_attr *attr, int cpu, struct task_struct *task,
						 struct perf_event *group_leader, struct perf_event *parent_event)
{
	struct perf_event *event = model_alloc_event(parent_event, task);

	event->attr = *attr;
	event->pmu = parent_event->pmu;
	event->cpu = cpu;
	event->group_leader = group_leader ? group_leader : event;
	event->parent = parent_event;
	event->overflow_handler = perf_event_output_forward;
	init_waitqueue_head(&event->waitq, event->model_name);
	event->pending_irq.func = perf_pending_irq;
	event->pending_irq.model_event = event;
	if (task) {
		event->attach_state = PERF_ATTACH_TASK;
		event->hw.target = task;
	}
	event->oncpu.poke(-1);
	event->hw.state.poke(PERF_HES_STOPPED | PERF_HES_UPTODATE);
	refcount_set(&event->mmap_count, 0);
	atomic_long_set(&event->refcount, 1);
	perf_event__state_init(event);
	perf_event_alloc_defer(event, task);
	return event;
}

/*
 * kernel/events/core.c: inherit_event() @ 12f24484da13 (line not counted).
 * Model: no freq mode;
 * find_get_pmu_context() is the world's (model_find_get_pmu_context(): a sibling joins its
 * leader's pmu_ctx, as build_world()).
 */
static struct perf_event *inherit_event(struct perf_event *parent_event, struct task_struct *parent,
					struct perf_event_context *parent_ctx, struct task_struct *child,
					struct perf_event *group_leader, struct perf_event_context *child_ctx)
{
	MODEL_FRAME(0);
	enum perf_event_state parent_state = parent_event->state;
	struct perf_event_pmu_context *pmu_ctx;
	struct perf_event *child_event;
	unsigned long flags;

	/*
	 * Instead of creating recursive hierarchies of events,
	 * we link inherited events back to the original parent,
	 * which has a filp for sure, which we use as the reference
	 * count:
	 */
	if (parent_event->parent)
		parent_event = parent_event->parent;

	if (parent_event->state <= PERF_EVENT_STATE_REVOKED)
		return NULL;

	child_event = model_perf_event_alloc(&parent_event->attr,
					     parent_event->cpu,
					     child,
					     group_leader, parent_event);

	get_ctx(child_ctx);
	child_event->ctx = child_ctx;

	pmu_ctx = model_find_get_pmu_context(child_event->pmu, child_ctx, child_event);
	child_event->pmu_ctx = pmu_ctx;

	/*
	 * is_orphaned_event() and list_add_tail(&parent_event->child_list)
	 * must be under the same lock in order to serialize against
	 * perf_event_release_kernel(), such that either we must observe
	 * is_orphaned_event() or they will observe us on the child_list.
	 */
	mutex_lock(&parent_event->child_mutex);
	if (is_orphaned_event(parent_event) ||
	    !atomic_long_inc_not_zero(&parent_event->refcount)) {
		mutex_unlock(&parent_event->child_mutex);
		/* free_event(child_event) */
		return NULL;
	}

	/*
	 * Make the child state follow the state of the parent event,
	 * not its attr.disabled bit.  We hold the parent's mutex,
	 * so we won't race with perf_event_{en, dis}able_family.
	 */
	if (parent_state >= PERF_EVENT_STATE_INACTIVE)
		child_event->state = PERF_EVENT_STATE_INACTIVE;
	else
		child_event->state = PERF_EVENT_STATE_OFF;
	ghost_set_state(child_event, child_event->state.peek());	/* model-only */

	child_event->overflow_handler = parent_event->overflow_handler;

	/*
	 * Precalculate sample_data sizes
	 */
	perf_event__header_size(child_event);

	/*
	 * Link it up in the child's context:
	 */
	raw_spin_lock_irqsave(&child_ctx->lock, flags);
	add_event_to_ctx(child_event, child_ctx);
	child_event->attach_state |= PERF_ATTACH_CHILD;
	raw_spin_unlock_irqrestore(&child_ctx->lock, flags);

	/*
	 * Link this into the parent event's child list
	 */
	parent_event->child_list.push_back(child_event);	/* list_add_tail(&child_event->child_list, ...) */
	mutex_unlock(&parent_event->child_mutex);

	return child_event;
}

/* kernel/events/core.c: inherit_group() @ 12f24484da13 (line not counted). */
static int inherit_group(struct perf_event *parent_event, struct task_struct *parent,
			 struct perf_event_context *parent_ctx, struct task_struct *child,
			 struct perf_event_context *child_ctx)
{
	MODEL_FRAME(0);
	struct perf_event *leader;
	struct perf_event *child_ctr;

	leader = inherit_event(parent_event, parent, parent_ctx,
			       child, NULL, child_ctx);
	/*
	 * @leader can be NULL here because of is_orphaned_event(). In this
	 * case inherit_event() will create individual events, similar to what
	 * perf_group_detach() would do anyway.
	 */
	for_each_sibling_event(sub, parent_event) {
		child_ctr = inherit_event(sub, parent, parent_ctx,
					  child, leader, child_ctx);

		if (sub->aux_event == parent_event && child_ctr &&
		    !perf_get_aux_event(child_ctr, leader))
			return -EINVAL;
	}
	if (leader)
		leader->group_generation = parent_event->group_generation;
	return 0;
}

/*
 * kernel/events/core.c: inherit_task_group() @ 12f24484da13 (line not counted).
 * Model: no inherit_thread / sigtrap attrs (their tests are false).
 */
static int inherit_task_group(struct perf_event *event, struct task_struct *parent,
			      struct perf_event_context *parent_ctx, struct task_struct *child,
			      u64 clone_flags, int *inherited_all)
{
	MODEL_FRAME(0);
	struct perf_event_context *child_ctx;
	int ret;

	(void)clone_flags;
	if (!event->attr.inherit) {
		*inherited_all = 0;
		return 0;
	}

	child_ctx = child->perf_event_ctxp;
	if (!child_ctx) {
		/*
		 * This is executed from the parent task context, so
		 * inherit events that have been marked for cloning.
		 * First allocate and initialize a context for the
		 * child.
		 */
		child_ctx = model_task_context(child);	/* alloc_perf_context(child) */
		if (!child_ctx)
			return -ENOMEM;

		child->perf_event_ctxp = child_ctx;
	}

	ret = inherit_group(event, parent, parent_ctx, child, child_ctx);
	if (ret)
		*inherited_all = 0;

	return ret;
}

/* kernel/events/core.c: perf_event_init_context() @ 12f24484da13 (line not counted). */
static int perf_event_init_context(struct task_struct *child, u64 clone_flags)
{
	MODEL_FRAME(0);
	struct perf_event_context *child_ctx, *parent_ctx;
	struct perf_event_context *cloned_ctx;
	struct task_struct *parent = current;
	int inherited_all = 1;
	unsigned long flags;
	int ret = 0;

	if (likely(!parent->perf_event_ctxp))
		return 0;

	/*
	 * If the parent's context is a clone, pin it so it won't get
	 * swapped under us.
	 */
	parent_ctx = perf_pin_task_context(parent);
	if (!parent_ctx)
		return 0;

	/*
	 * Lock the parent list. No need to lock the child - not PID
	 * hashed yet and not running, so nobody can access it.
	 */
	mutex_lock(&parent_ctx->mutex);

	/*
	 * We dont have to disable NMIs - we are only looking at
	 * the list, not manipulating it:
	 */
	for (struct perf_event *event : std::vector<struct perf_event *>(parent_ctx->pinned_groups.tree)) {
		ret = inherit_task_group(event, parent, parent_ctx,
					 child, clone_flags, &inherited_all);
		if (ret)
			goto out_unlock;
	}

	/*
	 * We can't hold ctx->lock when iterating the ->flexible_group list due
	 * to allocations, but we need to prevent rotation because
	 * rotate_ctx() will change the list from interrupt context.
	 */
	raw_spin_lock_irqsave(&parent_ctx->lock, flags);
	parent_ctx->rotate_disable = 1;
	raw_spin_unlock_irqrestore(&parent_ctx->lock, flags);

	for (struct perf_event *event : std::vector<struct perf_event *>(parent_ctx->flexible_groups.tree)) {
		ret = inherit_task_group(event, parent, parent_ctx,
					 child, clone_flags, &inherited_all);
		if (ret)
			goto out_unlock;
	}

	raw_spin_lock_irqsave(&parent_ctx->lock, flags);
	parent_ctx->rotate_disable = 0;

	child_ctx = child->perf_event_ctxp;

	if (child_ctx && inherited_all) {
		/*
		 * Mark the child context as a clone of the parent
		 * context, or of whatever the parent is a clone of.
		 *
		 * Note that if the parent is a clone, the holding of
		 * parent_ctx->lock avoids it from being uncloned.
		 */
		cloned_ctx = parent_ctx->parent_ctx;
		if (cloned_ctx) {
			child_ctx->parent_ctx = cloned_ctx;
			child_ctx->parent_gen = parent_ctx->parent_gen;
		} else {
			child_ctx->parent_ctx = parent_ctx;
			child_ctx->parent_gen = parent_ctx->generation;
		}
		get_ctx(child_ctx->parent_ctx);
	}

	raw_spin_unlock_irqrestore(&parent_ctx->lock, flags);
out_unlock:
	mutex_unlock(&parent_ctx->mutex);

	perf_unpin_context(parent_ctx);
	put_ctx(parent_ctx);

	return ret;
}

/*
 * kernel/events/core.c: perf_event_init_task() @ 12f24484da13 (line not counted).
 * Model: perf_recursion, perf_event_mutex/list and perf_ctx_data are not modelled; the failure
 * path (perf_event_free_task()) is not reached (the world's storage does not run out).
 */
int perf_event_init_task(struct task_struct *child, u64 clone_flags)
{
	MODEL_FRAME(0);
	int ret;

	child->perf_event_ctxp = nullptr;

	ret = perf_event_init_context(child, clone_flags);
	WARN_ON_ONCE(ret);	/* perf_event_free_task(child): not reached in the model */
	return ret;
}
