/*
 * Model variants (model-only, no kernel twin): named fixes chosen at run time. A variant is a
 * small, visible difference in the function it patches:
 *
 *	if (variant(MMAP_CTX_LOCK))	// variant mmap-ctx-lock
 *		raw_spin_lock_irq(&event->ctx->lock);
 *
 * The upstream line stays as it is; the variant adds or skips around it.
 */
#pragma once

#include <string>
#include <vector>

#include "model/model.h"

enum model_variant {
	UPSTREAM,	/* "upstream": the kernel as modelled (model/README.md names the commit) */
	MMAP_CTX_LOCK,	/* "mmap-ctx-lock": perf_mmap_rb() updates the event's times and its user
			 * page under ctx->lock (proposed for the seed-000 race; no upstream fix
			 * found as of the tree modelled) */
	MMAP_COUNT_INC,	/* "mmap-count-inc": perf_mmap_rb() counts a new buffer's mapping on top of an
			 * event->mmap_count that a perf_mmap_close() in flight still holds (refcount
			 * inc, or set to 1 from 0), as perf_mmap() did with atomic_inc() before
			 * "perf/core: Split the ringbuffer mmap() and allocation code out" (Thomas
			 * Gleixner, 2025-08) made it refcount_set(.., 1). Proposed; not upstream */
	/*
	 * Kernel history (issue 5 item 5): each reverts one upstream fix at the lines it changed,
	 * so the fixed code is "upstream". These change behaviour even when nothing runs
	 * concurrently (model_variant_is_prefix()).
	 */
	PRE_BAF1B12A67F5,	/* "pre-baf1b12a67f5": ctx_sched_in() restarts the context clock with
				 * `if (is_active ^ EVENT_TIME)`, as before baf1b12a67f5 "perf: fix
				 * perf_event_context->time" (Song Liu, 2023-03) */
	PRE_5D95A2AF973D,	/* "pre-5d95a2af973d": __perf_event_enable() stops the context clock with
				 * ctx_sched_out(ctx, NULL, EVENT_TIME) and restarts it with
				 * ctx_sched_in(ctx, NULL, EVENT_TIME) instead of ctx_time_freeze(), as
				 * before 5d95a2af973d "perf: Add context time freeze" (Peter
				 * Zijlstra, 2024-08) */
	PRE_A3C3C66670CE,	/* "pre-a3c3c66670ce": __perf_remove_from_context() syncs an exiting child
				 * to its parent before its state (and times) change, as before
				 * a3c3c66670ce "perf/core: Fix child_total_time_enabled accounting
				 * bug at task exit" (Yeoreum Yun, 2025-03) */
	/*
	 * Issue 15 (a): kernel history of group reads and the user page's time (same rules).
	 */
	PRE_F79256532682,	/* "pre-f79256532682": merge_sched_in() does not write the user page of
				 * an event that cannot go on, and perf_mmap_rb() does not update the
				 * event's times first, as before f79256532682 "perf/core: fix
				 * userpage->time_enabled of inactive events" (Song Liu, 2021-09) */
	PRE_A9CD8194E1E6,	/* "pre-a9cd8194e1e6": __perf_read_group_add() reads the leader's times
				 * and count before taking ctx->lock (which covers the siblings only), as
				 * 2aeb18835476 left it, before a9cd8194e1e6 "perf/core: Fix
				 * __perf_read_group_add() locking" */
	PRE_BC4394E5E79C,	/* "pre-bc4394e5e79c": perf_event_throttle() stops before marking the event
				 * throttled and perf_swevent_cancel_hrtimer() always hrtimer_cancel()s,
				 * so a throttle in the hrtimer handler waits for itself; the clocks'
				 * stop() updates without PERF_EF_UPDATE; before bc4394e5e79c "perf: Fix
				 * the throttle error of some clock events" (Kan Liang, 2025-06) */
	C418D8B4D7A4,	/* "fix-c418d8b4d7a4": c418d8b4d7a4 "perf/core: Fix missing read event generation
			 * on task exit" (Thaumy Cheng, 2025-12; not in the tree modelled): sync_child_event()
			 * takes the exiting task from perf_event_exit_event(), which calls it before
			 * perf_remove_from_context() (perf_child_detach() no longer does) */
	/*
	 * Issue 15 item 3 (i15-hist): kernel history of inherited group reads and rotation (same rules).
	 */
	PRE_2AEB18835476,	/* "pre-2aeb18835476": __perf_read_group_add() takes no ctx->lock, so the
				 * sibling list of an inherited leader is walked while the child's exit
				 * detaches and frees its siblings, as before 2aeb18835476 "perf/core: Fix
				 * locking for children siblings group read" (Jiri Olsa, 2017-07) */
	PRE_7FA343B7FDC4,	/* "pre-7fa343b7fdc4": ctx_event_to_rotate() picks only the first ACTIVE
				 * flexible event (ctx_first_active()), so a rotation that finds none rotates
				 * nothing, as before 7fa343b7fdc4 "perf/core: Fix corner case in
				 * perf_rotate_context()" (Song Liu, 2019-10) */
	/*
	 * The output area (seed 004): the wakeup of a buffer shared through perf_event_set_output().
	 */
	V2_6_35,	/* "2.6.35": perf_event_wakeup() wakes only event->waitq, the 2.6.35-3.1
			 * behaviour seed 004 reports (the 3.1 source was not read) */
	SEED_FIX,	/* "seed-fix": 2.6.35 plus seed 004's patch: event->output stored after the
			 * buffer in perf_event_set_output(), and __perf_output_begin() makes it the
			 * handle's event */
	/*
	 * The throttle and aux areas (seed 003).
	 */
	AUX_PAUSE_THROTTLE,	/* "aux-pause-throttle": seed 003 (v1, 2026-05-14), "perf/core: Use AUX
				 * pause/resume for throttling": a PMU with PERF_PMU_CAP_AUX_PAUSE is
				 * throttled with perf_event_aux_pause(event, true) and unthrottled with
				 * perf_event_aux_pause(event, false) */
	/*
	 * The callchain area: deferred user callchains, [PATCH v16 2/4] on v16 1/4 (seed 002). The
	 * series is not in the tree; the base ("upstream") is v16 as posted (UNWIND_TASK ==
	 * UNWIND_PENDING_BIT == 0). These three are cumulative, each includes the one before
	 * (callchain_variant_has()), and stay last in this order.
	 */
	V16_CANCEL,	/* "v16-cancel": unwind_deferred_cancel() reaches cancel_unwind_task() (v16 1/4's
			 * description of cancel for a single-task work) */
	V16_CANCEL_DEC,	/* "v16-cancel-dec": v16-cancel, and perf_pending_unwind_sync() drops the
			 * nr_no_switch_fast count of a request whose callback did not run (as v15 did;
			 * the model's proposal) */
	V16_COOKIE,	/* "v16-cookie": v16-cancel-dec plus v16 3/4 (the request's cookie in the sample) */
	NR_MODEL_VARIANTS,
};

/* true if the run's selected variant is `v` (the world's, model/model.h): one load and a compare */
static inline bool variant(enum model_variant v) { return model::execution().variant == v; }

/* true for the callchain variants that include the change of `v` (cumulative: cancel < dec < cookie) */
static inline bool callchain_variant_has(enum model_variant v)
{
	int selected = model::execution().variant;
	return selected >= v && selected <= V16_COOKIE;
}

/* The variant table, in enum order: the name and the fix each stands for (model::Variant). */
const std::vector<model::Variant> &model_variants();
/* true for the kernel-history variants: the pre-fix code, which differs from upstream even in a
 * sequential run (the fixes are not only about concurrency) */
bool model_variant_is_prefix(const std::string &name);
