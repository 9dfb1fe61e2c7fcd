/*
 * kernel/events/core.c @ 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable): PERF_FORMAT_GROUP
 * reads (issue 15 (a)): __perf_read_group_add() (core.c:5927) and perf_read_group() (core.c:6006),
 * reached from __perf_read() (read.cpp) for an event whose read_format has PERF_FORMAT_GROUP
 * (attr read_format_group). The group branches of perf_event_read() / __perf_event_read() are the
 * read area's (read.cpp), with data->group = true.
 *
 * Model: kzalloc() is a vector, copy_to_user() memcpy. Inherited children (fork, issue 15 b) are
 * read through the leader's child_list.
 * Model-only (ghost): the group read's values are compared with the fields as they were when it
 * started gathering them and when it ended (group-read-snapshot), and its result is checked per
 * reader (monotonic-read, running-le-enabled, monotonic-count).
 */
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "model/perf/core.h"

/*
 * model-only: list_for_each_entry(sub, &leader->sibling_list, sibling_list) where nothing pins the
 * list (variant pre-2aeb18835476): the kernel's walk goes on from sub->sibling_list.next, so an entry
 * that perf_group_detach() list_del_init()ed under the walk points to itself and the walk visits it
 * again and again (each visit a values[n++] further past the buffer), and one that was freed
 * meanwhile is read after _free_event(). The model walks the vector by entry, as the kernel does:
 * the next of a deleted entry is that entry, which memory-safe reports, then the walk stops (the
 * kernel would not).
 */
static struct perf_event *model_sibling_next(struct perf_event *leader, struct perf_event *sub)
{
	auto &list = leader->sibling_list;
	auto it = std::find(list.begin(), list.end(), sub);
	if (it == list.end())
		return sub;	/* list_del_init(): sub->sibling_list.next == &sub->sibling_list */
	++it;
	return it == list.end() ? NULL : *it;
}

/*
 * kernel/events/core.c: __perf_read_group_add() @ 12f24484da13 (core.c:5927).
 * Variant pre-a9cd8194e1e6: the leader's times, count (and id/lost) are read before
 * raw_spin_lock_irqsave(&ctx->lock), which covers only the sibling loop, as 2aeb18835476
 * "perf/core: Fix locking for children siblings group read" left it and before a9cd8194e1e6
 * "perf/core: Fix __perf_read_group_add() locking" (model/README.md, "Kernel history").
 * Variant pre-2aeb18835476: no ctx->lock at all, as before 2aeb18835476 "perf/core: Fix locking
 * for children siblings group read" (Jiri Olsa, 2017-07; Fixes: ba5213ae6b88): the sibling list
 * of an inherited (child) leader is walked while the child's exit detaches and frees its siblings
 * (model_sibling_next()). The later lines of 32671e3799ca (the -ECHILD check) and a9cd8194e1e6
 * stay as upstream has them, unlocked.
 */
int __perf_read_group_add(struct perf_event *leader, u64 read_format, u64 *values)
{
	MODEL_FRAME(5927);
	struct perf_event_context *ctx = leader->ctx;
	struct perf_event *parent;
	unsigned long flags;
	int n = 1; /* skip @nr */
	int ret;
	/* model-only: the fields before and after gathering, and what this call added */
	std::vector<u64> model_before, model_base;
	size_t model_nr = ghost_group_fields(leader, read_format).size();

	ret = perf_event_read(leader, true);
	if (ret)
		return ret;

	if (!variant(PRE_A9CD8194E1E6) && !variant(PRE_2AEB18835476))
		raw_spin_lock_irqsave(&ctx->lock, flags);
	/*
	 * Verify the grouping between the parent and child (inherited)
	 * events is still in tact.
	 *
	 * Specifically:
	 *  - leader->ctx->lock pins leader->sibling_list
	 *  - parent->child_mutex pins parent->child_list
	 *  - parent->ctx->mutex pins parent->sibling_list
	 *
	 * Because parent->ctx != leader->ctx (and child_list nests inside
	 * ctx->mutex), group destruction is not atomic between children, also
	 * see perf_event_release_kernel(). Additionally, parent can grow the
	 * group.
	 *
	 * Therefore it is possible to have parent and child groups in a
	 * different configuration and summing over such a beast makes no sense
	 * what so ever.
	 *
	 * Reject this.
	 */
	parent = leader->parent;
	if (parent &&
	    (parent->group_generation != leader->group_generation ||
	     parent->nr_siblings != leader->nr_siblings)) {
		ret = -ECHILD;
		if (variant(PRE_A9CD8194E1E6))	/* that variant takes the lock only below */
			return ret;
		goto unlock;
	}

	model_before = ghost_group_fields(leader, read_format);	/* model-only */
	model_base.assign(values + 1, values + 1 + model_nr);	/* model-only */

	/*
	 * Since we co-schedule groups, {enabled,running} times of siblings
	 * will be identical to those of the leader, so we only publish one
	 * set.
	 */
	if (read_format & PERF_FORMAT_TOTAL_TIME_ENABLED) {
		values[n++] += leader->total_time_enabled +
			atomic64_read(&leader->child_total_time_enabled);
	}

	if (read_format & PERF_FORMAT_TOTAL_TIME_RUNNING) {
		values[n++] += leader->total_time_running +
			atomic64_read(&leader->child_total_time_running);
	}

	/*
	 * Write {count,id} tuples for every sibling.
	 */
	values[n++] += perf_event_count(leader, false);
	if (read_format & PERF_FORMAT_ID)
		values[n++] = leader->id;	/* primary_event_id(leader): no parent */
	if (read_format & PERF_FORMAT_LOST)
		values[n++] = atomic64_read(&leader->lost_samples);

	if (variant(PRE_A9CD8194E1E6))
		raw_spin_lock_irqsave(&ctx->lock, flags);	/* 2aeb18835476: the siblings only */

	if (variant(PRE_2AEB18835476)) {	/* variant pre-2aeb18835476: the list unpinned */
		struct perf_event *sub = leader->sibling_list.empty() ? NULL : leader->sibling_list.front();
		while (sub) {
			ghost_check_not_freed(sub, "__perf_read_group_add()");	/* model-only */
			if (sub->model_freed)
				break;
			values[n++] += perf_event_count(sub, false);
			if (read_format & PERF_FORMAT_ID)
				values[n++] = sub->id;
			if (read_format & PERF_FORMAT_LOST)
				values[n++] = atomic64_read(&sub->lost_samples);
			struct perf_event *next = model_sibling_next(leader, sub);
			if (next == sub) {	/* model-only: the kernel loops here */
				ghost_memory_unsafe(std::string("__perf_read_group_add() walks ") + leader->model_name +
						    "'s sibling_list without ctx->lock: " + sub->model_name +
						    " was list_del_init()ed under the walk (perf_group_detach() at its exit), its next "
						    "entry is itself: the walk loops on it, writing values[] past its end" +
						    (sub->model_freed ? ", and reads it after _free_event()" : ""));
				break;
			}
			sub = next;
		}
	} else
	for_each_sibling_event(sub, leader) {
		values[n++] += perf_event_count(sub, false);
		if (read_format & PERF_FORMAT_ID)
			values[n++] = sub->id;	/* primary_event_id(sub) */
		if (read_format & PERF_FORMAT_LOST)
			values[n++] = atomic64_read(&sub->lost_samples);
	}

	{	/* model-only: one snapshot? (values of this call: what it added to the base) */
		std::vector<u64> model_gathered(values + 1, values + 1 + model_nr);
		for (size_t i = 0; i < model_nr; i++)
			model_gathered[i] -= model_base[i];
		ghost_group_read_gathered(leader, read_format, model_gathered, model_before,
					  ghost_group_fields(leader, read_format));
	}

unlock:
	if (!variant(PRE_2AEB18835476))
		raw_spin_unlock_irqrestore(&ctx->lock, flags);
	return ret;
}

/* kernel/events/core.c: perf_read_group() @ 12f24484da13 (core.c:6006). */
int perf_read_group(struct perf_event *event, u64 read_format, char *buf)
{
	MODEL_FRAME(6006);
	struct perf_event *leader = event->group_leader;
	struct perf_event_context *ctx = leader->ctx;
	int ret;
	u64 *values;

	lockdep_assert_held(&ctx->mutex);

	std::vector<u64> model_values(event->read_size / sizeof(u64) + 1, 0);	/* kzalloc(event->read_size) */
	values = model_values.data();

	values[0] = 1 + leader->nr_siblings;

	mutex_lock(&leader->child_mutex);

	ret = __perf_read_group_add(leader, read_format, values);
	if (ret)
		goto unlock;

	for (struct perf_event *child : leader->child_list) {	/* list_for_each_entry(child, &leader->child_list, child_list) */
		ret = __perf_read_group_add(child, read_format, values);
		if (ret)
			goto unlock;
	}

	mutex_unlock(&leader->child_mutex);

	ghost_group_read_result(leader, read_format, values);	/* model-only */

	ret = event->read_size;
	memcpy(buf, values, event->read_size);	/* copy_to_user() */
	goto out;

unlock:
	mutex_unlock(&leader->child_mutex);
out:
	return ret;
}
