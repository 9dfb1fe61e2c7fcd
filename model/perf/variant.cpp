/* Model variants (model-only): see model/perf/variant.h. */
#include "model/perf/variant.h"

const std::vector<model::Variant> &model_variants()
{
	static const std::vector<model::Variant> variants = {
		{"upstream",
		 "the kernel as modelled: core.c @ 12f24484da13 (model/README.md); deferred user callchains as posted in v16 1/4 + 2/4",
		 "time"},
		{"mmap-ctx-lock",
		 "perf_mmap_rb() updates the event's times and user page under ctx->lock (proposed for seed 000; no upstream fix found)",
		 "mmap"},
		{"mmap-count-inc",
		 "perf_mmap_rb() counts a new buffer's mapping on top of a close in flight (inc, or 1 from 0), as perf_mmap() did before the 2025-08 split; proposed, not upstream",
		 "mmap"},
		{"pre-baf1b12a67f5",
		 "reverts baf1b12a67f5 \"perf: fix perf_event_context->time\": ctx_sched_in() restarts the clock if is_active ^ EVENT_TIME",
		 "time"},
		{"pre-5d95a2af973d",
		 "reverts 5d95a2af973d \"perf: Add context time freeze\": __perf_event_enable() stops and restarts the clock",
		 "enable"},
		{"pre-a3c3c66670ce",
		 "reverts a3c3c66670ce \"perf/core: Fix child_total_time_enabled accounting bug at task exit\": an exiting child is synced to its parent before its state changes",
		 "fork"},
		{"pre-f79256532682",
		 "reverts f79256532682 \"perf/core: fix userpage->time_enabled of inactive events\": no user-page update for an event that cannot go on",
		 "userpage"},
		{"pre-a9cd8194e1e6",
		 "reverts a9cd8194e1e6 \"perf/core: Fix __perf_read_group_add() locking\": the leader's values read before ctx->lock",
		 "read"},
		{"pre-bc4394e5e79c",
		 "reverts bc4394e5e79c \"perf: Fix the throttle error of some clock events\": a throttle in the hrtimer handler hrtimer_cancel()s its own timer",
		 "swevent"},
		{"fix-c418d8b4d7a4",
		 "applies c418d8b4d7a4 \"perf/core: Fix missing read event generation on task exit\" (later than the tree): "
		 "sync_child_event() before the removal, with the task perf_event_exit_task_context() passes",
		 "fork"},
		{"pre-2aeb18835476",
		 "reverts 2aeb18835476 \"perf/core: Fix locking for children siblings group read\": no ctx->lock in __perf_read_group_add()",
		 "read"},
		{"pre-7fa343b7fdc4",
		 "reverts 7fa343b7fdc4 \"perf/core: Fix corner case in perf_rotate_context()\": only an ACTIVE flexible event is rotated",
		 "rotate"},
		{"2.6.35", "perf_event_wakeup() wakes only event->waitq, as seed 004 reports for 2.6.35-3.1", "output"},
		{"seed-fix",
		 "2.6.35 plus seed 004's patch: event->output stored after the buffer, the handle's event in __perf_output_begin()",
		 "output"},
		{"aux-pause-throttle",
		 "seed 003 (v1, 2026-05-14): throttle and unthrottle an AUX event with perf_event_aux_pause()", "throttle"},
		{"v16-cancel", "unwind_deferred_cancel() reaches cancel_unwind_task() (v16 1/4's description)", "callchain"},
		{"v16-cancel-dec",
		 "v16-cancel, and perf_pending_unwind_sync() drops the count of a cancelled request (after v15)", "callchain"},
		{"v16-cookie", "v16-cancel-dec plus v16 3/4: the request's cookie in the sample", "callchain"},
	};
	return variants;
}

/* the kernel-history variants: pre-<id> reverts a fix of the tree, fix-<id> applies a later one */
bool model_variant_is_prefix(const std::string &name) { return name.rfind("pre-", 0) == 0 || name.rfind("fix-", 0) == 0; }
