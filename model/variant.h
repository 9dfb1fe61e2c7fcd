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
	NR_MODEL_VARIANTS,
};

/* true if the selected variant is `v` */
bool variant(enum model_variant v);

const std::vector<std::string> &model_variant_names();	/* "upstream" first */
bool model_select_variant(const std::string &name);	/* false: unknown name */
