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

enum model_variant {
	UPSTREAM,	/* "upstream": the kernel as modelled (model/README.md names the commit) */
	MMAP_CTX_LOCK,	/* "mmap-ctx-lock": perf_mmap_rb() updates the event's times and its user
			 * page under ctx->lock (proposed for the seed-000 race; no upstream fix
			 * found as of the tree modelled) */
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
	NR_MODEL_VARIANTS,
};

/* true if the selected variant is `v` */
bool variant(enum model_variant v);

const std::vector<std::string> &model_variant_names();	/* "upstream" first */
bool model_select_variant(const std::string &name);	/* false: unknown name */
/* true for the kernel-history variants: the pre-fix code, which differs from upstream even in a
 * sequential run (the fixes are not only about concurrency) */
bool model_variant_is_prefix(const std::string &name);
