/*
 * kernel/events/core.c, cross-CPU calls, context locking and event installation:
 * core.c:73-373 (remote_function .. event_function_call), 794-808 (perf_ctx_disable/enable),
 * 1249-1410 (perf_pmu_disable .. perf_event_ctx_unlock), 1612-1790 (get_event_type ..
 * add_event_to_groups), 1886-2110 (list_add_event .. perf_group_attach), 2250, 2353-2362,
 * 2847 (add_event_to_ctx), at 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable).
 *
 * Model differences common to this file: no cgroups, one PMU, no clone contexts (ctx->parent_ctx
 * is always NULL), the group trees are vectors in group_index order.
 */
#include "model/perf/core.h"

/*
 * kernel/events/core.c: remote_function() @ 12f24484da13 (core.c:73).
 * Runs as the IPI handler on the target CPU (smp_call_function_single: IRQs off there).
 */
void remote_function(void *data)
{
	MODEL_FRAME(73);
	struct remote_function_call *tfc = (struct remote_function_call *)data;
	struct task_struct *p = tfc->p;

	if (p) {
		/* -EAGAIN */
		if (task_cpu(p) != (unsigned int)smp_processor_id())
			return;

		/*
		 * Now that we're on right CPU with IRQs disabled, we can test
		 * if we hit the right task without races.
		 */

		tfc->ret = -ESRCH; /* No such (running) process */
		if (p != current)
			return;
	}

	tfc->ret = tfc->func(tfc->info);
}

/*
 * kernel/events/core.c: task_function_call() @ 12f24484da13 (core.c:109).
 * Model: cond_resched() is a scheduling point.
 */
int task_function_call(struct task_struct *p, remote_function_f func, void *info)
{
	MODEL_FRAME(109);
	struct remote_function_call data = {
		.p	= p,
		.func	= func,
		.info	= info,
		.ret	= -EAGAIN,
	};
	int ret;

	for (;;) {
		ret = smp_call_function_single(task_cpu(p), remote_function,
					       &data, 1);
		if (!ret)
			ret = data.ret;

		if (ret != -EAGAIN)
			break;

		sim::schedule_point();	/* cond_resched() */
	}

	return ret;
}

/* kernel/events/core.c: cpu_function_call() @ 12f24484da13 (core.c:145). */
int cpu_function_call(int cpu, remote_function_f func, void *info)
{
	MODEL_FRAME(145);
	struct remote_function_call data = {
		.p	= NULL,
		.func	= func,
		.info	= info,
		.ret	= -ENXIO, /* No such CPU */
	};

	smp_call_function_single(cpu, remote_function, &data, 1);

	return data.ret;
}

/* kernel/events/core.c: __perf_ctx_lock() @ 12f24484da13 (core.c:173). */
void __perf_ctx_lock(struct perf_event_context *ctx)
{
	MODEL_FRAME_INLINE(173);
	raw_spin_lock(&ctx->lock);
	WARN_ON_ONCE(ctx->is_active & EVENT_FROZEN);
}

/* kernel/events/core.c: perf_ctx_lock() @ 12f24484da13 (core.c:179). */
void perf_ctx_lock(struct perf_cpu_context *cpuctx, struct perf_event_context *ctx)
{
	MODEL_FRAME(179);
	__perf_ctx_lock(&cpuctx->ctx);
	if (ctx)
		__perf_ctx_lock(ctx);
}

/* kernel/events/core.c: __perf_ctx_unlock() @ 12f24484da13 (core.c:187). */
void __perf_ctx_unlock(struct perf_event_context *ctx)
{
	MODEL_FRAME_INLINE(187);
	/*
	 * If ctx_sched_in() didn't again set any ALL flags, clean up
	 * after ctx_sched_out() by clearing is_active.
	 */
	if (ctx->is_active & EVENT_FROZEN) {
		if (!(ctx->is_active & EVENT_ALL))
			ctx->is_active = 0;
		else
			ctx->is_active &= ~EVENT_FROZEN;
	}
	raw_spin_unlock(&ctx->lock);
}

/* kernel/events/core.c: perf_ctx_unlock() @ 12f24484da13 (core.c:202). */
void perf_ctx_unlock(struct perf_cpu_context *cpuctx, struct perf_event_context *ctx)
{
	MODEL_FRAME(202);
	if (ctx)
		__perf_ctx_unlock(ctx);
	__perf_ctx_unlock(&cpuctx->ctx);
}

/* kernel/events/core.c: event_function() @ 12f24484da13 (core.c:266). */
int event_function(void *info)
{
	MODEL_FRAME(266);
	struct event_function_struct *efs = (struct event_function_struct *)info;
	struct perf_event *event = efs->event;
	struct perf_event_context *ctx = event->ctx;
	struct perf_cpu_context *cpuctx = this_cpu_ptr(&perf_cpu_context);
	struct perf_event_context *task_ctx = cpuctx->task_ctx;
	int ret = 0;

	lockdep_assert_irqs_disabled();

	perf_ctx_lock(cpuctx, task_ctx);
	/*
	 * Since we do the IPI call without holding ctx->lock things can have
	 * changed, double check we hit the task we set out to hit.
	 */
	if (ctx->task) {
		if (ctx->task != current) {
			ret = -ESRCH;
			goto unlock;
		}

		/*
		 * We only use event_function_call() on established contexts,
		 * and event_function() is only ever called when active (or
		 * rather, we'll have bailed in task_function_call() or the
		 * above ctx->task != current test), therefore we must have
		 * ctx->is_active here.
		 */
		WARN_ON_ONCE(!ctx->is_active);
		/*
		 * And since we have ctx->is_active, cpuctx->task_ctx must
		 * match.
		 */
		WARN_ON_ONCE(task_ctx != ctx);
	} else {
		WARN_ON_ONCE(&cpuctx->ctx != ctx);
	}

	efs->func(event, cpuctx, ctx, efs->data);
unlock:
	perf_ctx_unlock(cpuctx, task_ctx);

	return ret;
}

/*
 * kernel/events/core.c: event_function_call() @ 12f24484da13 (core.c:312).
 * Model: no TASK_TOMBSTONE contexts (tasks never exit); the checks stay.
 */
void event_function_call(struct perf_event *event, event_f func, void *data)
{
	MODEL_FRAME(312);
	struct perf_event_context *ctx = event->ctx;
	struct task_struct *task = READ_ONCE(ctx->task); /* verified in event_function */
	struct perf_cpu_context *cpuctx;
	struct event_function_struct efs = {
		.event = event,
		.func = func,
		.data = data,
	};

	if (!event->parent) {
		/*
		 * If this is a !child event, we must hold ctx::mutex to
		 * stabilize the event->ctx relation. See
		 * perf_event_ctx_lock().
		 */
		lockdep_assert_held(&ctx->mutex);
	}

	if (!task) {
		cpu_function_call(event->cpu, event_function, &efs);
		return;
	}

	if (task == TASK_TOMBSTONE)
		return;

again:
	if (!task_function_call(task, event_function, &efs))
		return;

	local_irq_disable();
	cpuctx = this_cpu_ptr(&perf_cpu_context);
	perf_ctx_lock(cpuctx, ctx);
	/*
	 * Reload the task pointer, it might have been changed by
	 * a concurrent perf_event_context_sched_out().
	 */
	task = ctx->task;
	if (task == TASK_TOMBSTONE)
		goto unlock;
	if (ctx->is_active) {
		perf_ctx_unlock(cpuctx, ctx);
		local_irq_enable();
		goto again;
	}
	func(event, NULL, ctx, data);
unlock:
	perf_ctx_unlock(cpuctx, ctx);
	local_irq_enable();
}

/*
 * kernel/events/core.c: event_function_local() @ 12f24484da13 (core.c:369).
 * Similar to event_function_call() + event_function(), but hard assumes IRQs are already
 * disabled and we're on the right CPU (perf_event_disable_local() from perf_pending_disable()).
 */
void event_function_local(struct perf_event *event, event_f func, void *data)
{
	MODEL_FRAME(369);
	struct perf_event_context *ctx = event->ctx;
	struct perf_cpu_context *cpuctx = this_cpu_ptr(&perf_cpu_context);
	struct task_struct *task = READ_ONCE(ctx->task);
	struct perf_event_context *task_ctx = NULL;

	lockdep_assert_irqs_disabled();

	if (task) {
		if (task == TASK_TOMBSTONE)
			return;

		task_ctx = ctx;
	}

	perf_ctx_lock(cpuctx, task_ctx);

	task = ctx->task;
	if (task == TASK_TOMBSTONE)
		goto unlock;

	if (task) {
		/*
		 * We must be either inactive or active and the right task,
		 * otherwise we're screwed, since we cannot IPI to somewhere
		 * else.
		 */
		if (ctx->is_active) {
			if (WARN_ON_ONCE(task != current))
				goto unlock;

			if (WARN_ON_ONCE(cpuctx->task_ctx != ctx))
				goto unlock;
		}
	} else {
		WARN_ON_ONCE(&cpuctx->ctx != ctx);
	}

	func(event, cpuctx, ctx, data);
unlock:
	perf_ctx_unlock(cpuctx, task_ctx);
}

/* kernel/events/core.c: perf_ctx_disable() @ 12f24484da13 (core.c:794). Model: for_each_epc without cgroup filter. */
void perf_ctx_disable(struct perf_event_context *ctx, bool cgroup)
{
	MODEL_FRAME(794);
	for (struct perf_event_pmu_context *pmu_ctx : ctx->pmu_ctx_list)
		perf_pmu_disable(pmu_ctx->pmu);
}

/* kernel/events/core.c: perf_ctx_enable() @ 12f24484da13 (core.c:802). */
void perf_ctx_enable(struct perf_event_context *ctx, bool cgroup)
{
	MODEL_FRAME(802);
	for (struct perf_event_pmu_context *pmu_ctx : ctx->pmu_ctx_list)
		perf_pmu_enable(pmu_ctx->pmu);
}

/* kernel/events/core.c: this_cpc() @ 12f24484da13 (core.c:1244). */
struct perf_cpu_pmu_context *this_cpc(struct pmu *pmu)
{
	MODEL_FRAME_INLINE(1244);
	return this_cpu_ptr(pmu->cpu_pmu_context);
}

/* kernel/events/core.c: perf_pmu_disable() @ 12f24484da13 (core.c:1249). */
void perf_pmu_disable(struct pmu *pmu)
{
	MODEL_FRAME(1249);
	int *count = &this_cpc(pmu)->pmu_disable_count;
	if (!(*count)++)
		pmu->pmu_disable(pmu);
}

/* kernel/events/core.c: perf_pmu_enable() @ 12f24484da13 (core.c:1256). */
void perf_pmu_enable(struct pmu *pmu)
{
	MODEL_FRAME(1256);
	int *count = &this_cpc(pmu)->pmu_disable_count;
	if (!--(*count))
		pmu->pmu_enable(pmu);
}

/* kernel/events/core.c: perf_assert_pmu_disabled() @ 12f24484da13 (core.c:1263). */
void perf_assert_pmu_disabled(struct pmu *pmu)
{
	MODEL_FRAME(1263);
	int *count = &this_cpc(pmu)->pmu_disable_count;
	WARN_ON_ONCE(*count == 0);
}

/* kernel/events/core.c: perf_pmu_read() @ 12f24484da13 (core.c:1269). */
void perf_pmu_read(struct perf_event *event)
{
	MODEL_FRAME_INLINE(1269);
	if (event->state == PERF_EVENT_STATE_ACTIVE)
		event->pmu->read(event);
}

/* kernel/events/core.c: get_ctx() @ 12f24484da13 (core.c:1275). */
void get_ctx(struct perf_event_context *ctx)
{
	MODEL_FRAME(1275);
	refcount_inc(&ctx->refcount);
}

/*
 * kernel/events/core.c: put_ctx() @ 12f24484da13 (core.c:1288).
 * Model: the world holds a reference on every context, so the last put never happens here;
 * if it did, the context is not freed (the world owns it) and it is a kernel warning.
 */
void put_ctx(struct perf_event_context *ctx)
{
	MODEL_FRAME(1288);
	if (refcount_dec_and_test(&ctx->refcount))
		WARN_ON_ONCE(1);	/* model: the world's reference was dropped */
}

/*
 * kernel/events/core.c: perf_event_ctx_lock_nested() @ 12f24484da13 (core.c:1370).
 * Model: mutex_lock_nested() is mutex_lock(); RCU read sections are empty.
 */
struct perf_event_context *perf_event_ctx_lock_nested(struct perf_event *event, int nesting)
{
	MODEL_FRAME(1370);
	struct perf_event_context *ctx;

again:
	rcu_read_lock();
	ctx = READ_ONCE(event->ctx);
	if (!refcount_inc_not_zero(&ctx->refcount)) {
		rcu_read_unlock();
		goto again;
	}
	rcu_read_unlock();

	mutex_lock(&ctx->mutex);
	if (event->ctx != ctx) {
		mutex_unlock(&ctx->mutex);
		put_ctx(ctx);
		goto again;
	}

	return ctx;
}

/* kernel/events/core.c: perf_event_ctx_lock() @ 12f24484da13 (core.c:1394). */
struct perf_event_context *perf_event_ctx_lock(struct perf_event *event)
{
	MODEL_FRAME_INLINE(1394);
	return perf_event_ctx_lock_nested(event, 0);
}

/* kernel/events/core.c: perf_event_ctx_unlock() @ 12f24484da13 (core.c:1400). */
void perf_event_ctx_unlock(struct perf_event *event, struct perf_event_context *ctx)
{
	MODEL_FRAME(1400);
	mutex_unlock(&ctx->mutex);
	put_ctx(ctx);
}

/* kernel/events/core.c: get_event_type() @ 12f24484da13 (core.c:1612). */
enum event_type_t get_event_type(struct perf_event *event)
{
	MODEL_FRAME(1612);
	struct perf_event_context *ctx = event->ctx;
	enum event_type_t event_type;

	lockdep_assert_held(&ctx->lock);

	/*
	 * It's 'group type', really, because if our group leader is
	 * pinned, so are we.
	 */
	if (event->group_leader != event)
		event = event->group_leader;

	event_type = event->attr.pinned ? EVENT_PINNED : EVENT_FLEXIBLE;
	if (!ctx->task)
		event_type |= EVENT_CPU;

	return event_type;
}

/* kernel/events/core.c: get_event_groups() @ 12f24484da13 (core.c:1646). */
struct perf_event_groups *get_event_groups(struct perf_event *event, struct perf_event_context *ctx)
{
	MODEL_FRAME(1646);
	if (event->attr.pinned)
		return &ctx->pinned_groups;
	else
		return &ctx->flexible_groups;
}

/*
 * kernel/events/core.c: perf_event_groups_insert() @ 12f24484da13 (core.c:1776).
 * Model: the tree is a vector; a new group_index is the largest, so it goes last.
 */
void perf_event_groups_insert(struct perf_event_groups *groups, struct perf_event *event)
{
	MODEL_FRAME(1776);
	event->group_index = ++groups->index;

	groups->tree.push_back(event);	/* rb_add(&event->group_node, &groups->tree, __group_less) */
}

/* kernel/events/core.c: add_event_to_groups() @ 12f24484da13 (core.c:1788). */
void add_event_to_groups(struct perf_event *event, struct perf_event_context *ctx)
{
	MODEL_FRAME(1788);
	struct perf_event_groups *groups;

	groups = get_event_groups(event, ctx);
	perf_event_groups_insert(groups, event);
}

/*
 * kernel/events/core.c: list_add_event() @ 12f24484da13 (core.c:1886).
 * Model: no nr_user/nr_no_switch_fast accounting, no cgroups.
 */
void list_add_event(struct perf_event *event, struct perf_event_context *ctx)
{
	MODEL_FRAME(1886);
	lockdep_assert_held(&ctx->lock);

	WARN_ON_ONCE(event->attach_state & PERF_ATTACH_CONTEXT);
	event->attach_state |= PERF_ATTACH_CONTEXT;

	event->tstamp = perf_event_time(event);

	/*
	 * If we're a stand alone event or group leader, we go to the context
	 * list, group events are kept attached to the group so that
	 * perf_group_detach can, at all times, locate all siblings.
	 */
	if (event->group_leader == event) {
		event->group_caps = event->event_caps;
		add_event_to_groups(event, ctx);
	}

	ctx->event_list.insert(ctx->event_list.begin(), event);	/* list_add_rcu(&event->event_entry, &ctx->event_list): at the head */
	ctx->nr_events++;
	if (event->attr.inherit_stat)	/* issue 15 b: the clone swap's perf_event_sync_stat() */
		ctx->nr_stat++;

	event->pmu_ctx->nr_events++;
}

/*
 * kernel/events/core.c: perf_event__state_init() @ 12f24484da13 (core.c:1925).
 * Model-only: the ledger learns the initial state here, where the kernel stores it.
 */
void perf_event__state_init(struct perf_event *event)
{
	MODEL_FRAME_INLINE(1925);
	event->state = event->attr.disabled ? PERF_EVENT_STATE_OFF :
					      PERF_EVENT_STATE_INACTIVE;
	ghost_event_init(event, event->state.peek());	/* model-only */
}

/* kernel/events/core.c: __perf_event_read_size() @ 12f24484da13 (core.c:1931). */
int __perf_event_read_size(u64 read_format, int nr_siblings)
{
	MODEL_FRAME(1931);
	int entry = sizeof(u64); /* value */
	int size = 0;
	int nr = 1;

	if (read_format & PERF_FORMAT_TOTAL_TIME_ENABLED)
		size += sizeof(u64);

	if (read_format & PERF_FORMAT_TOTAL_TIME_RUNNING)
		size += sizeof(u64);

	if (read_format & PERF_FORMAT_ID)
		entry += sizeof(u64);

	if (read_format & PERF_FORMAT_LOST)
		entry += sizeof(u64);

	if (read_format & PERF_FORMAT_GROUP) {
		nr += nr_siblings;
		size += sizeof(u64);
	}

	/*
	 * Since perf_event_validate_size() limits this to 16k and inhibits
	 * adding more siblings, this will never overflow.
	 */
	return size + nr * entry;
}

/* kernel/events/core.c: perf_event__header_size() @ 12f24484da13 (core.c:2006). Model: read_size only. */
void perf_event__header_size(struct perf_event *event)
{
	MODEL_FRAME(2006);
	event->read_size =
		__perf_event_read_size(event->attr.read_format,
				       event->group_leader->nr_siblings);
}

/* kernel/events/core.c: perf_group_attach() @ 12f24484da13 (core.c:2083). */
void perf_group_attach(struct perf_event *event)
{
	MODEL_FRAME(2083);
	struct perf_event *group_leader = event->group_leader;

	lockdep_assert_held(&event->ctx->lock);

	/*
	 * We can have double attach due to group movement (move_group) in
	 * perf_event_open().
	 */
	if (event->attach_state & PERF_ATTACH_GROUP)
		return;

	event->attach_state |= PERF_ATTACH_GROUP;

	if (group_leader == event)
		return;

	WARN_ON_ONCE(group_leader->ctx != event->ctx);

	group_leader->group_caps &= event->event_caps;

	group_leader->sibling_list.push_back(event);	/* list_add_tail(&event->sibling_list, ...) */
	group_leader->nr_siblings++;
	group_leader->group_generation++;

	perf_event__header_size(group_leader);

	for_each_sibling_event(pos, group_leader)
		perf_event__header_size(pos);
}

/* kernel/events/core.c: get_event_list() @ 12f24484da13 (core.c:2250). */
std::vector<struct perf_event *> *get_event_list(struct perf_event *event)
{
	MODEL_FRAME_INLINE(2250);
	return event->attr.pinned ? &event->pmu_ctx->pinned_active :
				    &event->pmu_ctx->flexible_active;
}

/* kernel/events/core.c: event_filter_match() @ 12f24484da13 (core.c:2353). Model: no cgroups. */
int event_filter_match(struct perf_event *event)
{
	MODEL_FRAME_INLINE(2353);
	return (event->cpu == -1 || event->cpu == smp_processor_id());
}

/* kernel/events/core.c: is_event_in_freq_mode() @ 12f24484da13 (core.c:2360). */
bool is_event_in_freq_mode(struct perf_event *event)
{
	MODEL_FRAME_INLINE(2360);
	return event->attr.freq && event->attr.sample_freq;
}

/* kernel/events/core.c: add_event_to_ctx() @ 12f24484da13 (core.c:2847). */
void add_event_to_ctx(struct perf_event *event, struct perf_event_context *ctx)
{
	MODEL_FRAME(2847);
	list_add_event(event, ctx);
	perf_group_attach(event);
}
