/*
 * kernel/events/core.c, read(): core.c:4674-4719 (__perf_event_read), 4823-4890
 * (perf_event_read), 5885-5925 (__perf_event_read_value, perf_event_read_value), 6048-6128
 * (perf_read_one, __perf_read, perf_read), at 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable).
 * Left out: __perf_event_read_cpu() (no READ_SCOPE/READ_ACTIVE_PKG events: the event's CPU is
 * used as is), the security hook. PERF_FORMAT_GROUP reads: read_group.cpp.
 */
#include <cstring>

#include "model/perf/core.h"

/* kernel/events/core.c: __perf_event_read() @ 12f24484da13 (core.c:4674). Cross CPU call. */
void __perf_event_read(void *info)
{
	MODEL_FRAME(4674);
	struct perf_read_data *data = (struct perf_read_data *)info;
	struct perf_event *event = data->event;
	struct perf_event_context *ctx = event->ctx;
	struct perf_cpu_context *cpuctx = this_cpu_ptr(&perf_cpu_context);
	struct pmu *pmu = event->pmu;

	/*
	 * If this is a task context, we need to check whether it is
	 * the current task context of this cpu.  If not it has been
	 * scheduled out before the smp call arrived.  In that case
	 * event->count would have been updated to a recent sample
	 * when the event was scheduled out.
	 */
	if (ctx->task && cpuctx->task_ctx != ctx)
		return;

	raw_spin_lock(&ctx->lock);
	ctx_time_update_event(ctx, event);

	perf_event_update_time(event);
	if (data->group)
		perf_event_update_sibling_time(event);

	if (event->state != PERF_EVENT_STATE_ACTIVE)
		goto unlock;

	if (!data->group) {
		pmu->read(event);
		data->ret = 0;
		goto unlock;
	}

	pmu->start_txn(pmu, PERF_PMU_TXN_READ);

	pmu->read(event);

	for_each_sibling_event(sub, event)
		perf_pmu_read(sub);

	data->ret = pmu->commit_txn(pmu);

unlock:
	raw_spin_unlock(&ctx->lock);
}

/*
 * kernel/events/core.c: perf_event_read() @ 12f24484da13 (core.c:4823).
 * Model: __perf_event_read_cpu() is the identity (see the file comment).
 */
int perf_event_read(struct perf_event *event, bool group)
{
	MODEL_FRAME(4823);
	enum perf_event_state state = READ_ONCE(event->state);
	int event_cpu, ret = 0;

	/*
	 * If event is enabled and currently active on a CPU, update the
	 * value in the event structure:
	 */
again:
	if (state == PERF_EVENT_STATE_ACTIVE) {
		struct perf_read_data data;

		/*
		 * Orders the ->state and ->oncpu loads such that if we see
		 * ACTIVE we must also see the right ->oncpu.
		 *
		 * Matches the smp_wmb() from event_sched_in().
		 */
		smp_rmb();

		event_cpu = READ_ONCE(event->oncpu);
		if ((unsigned)event_cpu >= (unsigned)nr_cpu_ids)
			return 0;

		data = (struct perf_read_data){
			.event = event,
			.group = group,
			.ret = 0,
		};

		preempt_disable();

		/*
		 * Purposely ignore the smp_call_function_single() return
		 * value.
		 *
		 * If event_cpu isn't a valid CPU it means the event got
		 * scheduled out and that will have updated the event count.
		 *
		 * Therefore, either way, we'll have an up-to-date event count
		 * after this.
		 */
		(void)smp_call_function_single(event_cpu, __perf_event_read, &data, 1);
		preempt_enable();
		ret = data.ret;

	} else if (state == PERF_EVENT_STATE_INACTIVE) {
		struct perf_event_context *ctx = event->ctx;
		unsigned long flags;

		raw_spin_lock_irqsave(&ctx->lock, flags);
		state = event->state;
		if (state != PERF_EVENT_STATE_INACTIVE) {
			raw_spin_unlock_irqrestore(&ctx->lock, flags);
			goto again;
		}

		/*
		 * May read while context is not active (e.g., thread is
		 * blocked), in that case we cannot update context time
		 */
		ctx_time_update_event(ctx, event);

		perf_event_update_time(event);
		if (group)
			perf_event_update_sibling_time(event);
		raw_spin_unlock_irqrestore(&ctx->lock, flags);
	}

	return ret;
}

/* kernel/events/core.c: __perf_event_read_value() @ 12f24484da13 (core.c:5885). */
u64 __perf_event_read_value(struct perf_event *event, u64 *enabled, u64 *running)
{
	MODEL_FRAME(5885);
	u64 total = 0;

	*enabled = 0;
	*running = 0;

	mutex_lock(&event->child_mutex);

	(void)perf_event_read(event, false);
	total += perf_event_count(event, false);

	*enabled += event->total_time_enabled +
			atomic64_read(&event->child_total_time_enabled);
	*running += event->total_time_running +
			atomic64_read(&event->child_total_time_running);

	for (struct perf_event *child : event->child_list) {
		(void)perf_event_read(child, false);
		total += perf_event_count(child, false);
		*enabled += child->total_time_enabled;
		*running += child->total_time_running;
	}
	mutex_unlock(&event->child_mutex);

	return total;
}

/* kernel/events/core.c: perf_event_read_value() @ 12f24484da13 (core.c:5914). */
u64 perf_event_read_value(struct perf_event *event, u64 *enabled, u64 *running)
{
	MODEL_FRAME(5914);
	struct perf_event_context *ctx;
	u64 count;

	ctx = perf_event_ctx_lock(event);
	count = __perf_event_read_value(event, enabled, running);
	perf_event_ctx_unlock(event, ctx);

	return count;
}

/* kernel/events/core.c: perf_read_one() @ 12f24484da13 (core.c:6048). Model: copy_to_user is memcpy. */
int perf_read_one(struct perf_event *event, u64 read_format, char *buf)
{
	MODEL_FRAME(6048);
	u64 enabled, running;
	u64 values[5];
	int n = 0;

	values[n++] = __perf_event_read_value(event, &enabled, &running);
	if (read_format & PERF_FORMAT_TOTAL_TIME_ENABLED)
		values[n++] = enabled;
	if (read_format & PERF_FORMAT_TOTAL_TIME_RUNNING)
		values[n++] = running;
	if (read_format & PERF_FORMAT_ID)
		values[n++] = event->id;	/* primary_event_id(): no parent */
	if (read_format & PERF_FORMAT_LOST)
		values[n++] = 0;		/* atomic64_read(&event->lost_samples): no samples */

	memcpy(buf, values, n * sizeof(u64));	/* copy_to_user() */

	return n * sizeof(u64);
}

/* kernel/events/core.c: __perf_read() @ 12f24484da13 (core.c:6087). */
long __perf_read(struct perf_event *event, char *buf, size_t count)
{
	MODEL_FRAME(6087);
	u64 read_format = event->attr.read_format;
	int ret;

	/*
	 * Return end-of-file for a read on an event that is in
	 * error state (i.e. because it was pinned but it couldn't be
	 * scheduled on to the CPU at some point).
	 */
	if (event->state == PERF_EVENT_STATE_ERROR)
		return 0;

	if (count < event->read_size)
		return -ENOSPC;

	WARN_ON_ONCE(event->ctx->parent_ctx);
	if (read_format & PERF_FORMAT_GROUP)
		ret = perf_read_group(event, read_format, buf);	/* read_group.cpp (issue 15 (a)) */
	else
		ret = perf_read_one(event, read_format, buf);

	return ret;
}

/* kernel/events/core.c: perf_read() @ 12f24484da13 (core.c:6113). Model: no security hook. */
long perf_read(struct file *file, char *buf, size_t count, long long *ppos)
{
	MODEL_FRAME(6113);
	struct perf_event *event = (struct perf_event *)file->private_data;
	struct perf_event_context *ctx;
	int ret;

	ctx = perf_event_ctx_lock(event);
	ret = __perf_read(event, buf, count);
	perf_event_ctx_unlock(event, ctx);

	return ret;
}
