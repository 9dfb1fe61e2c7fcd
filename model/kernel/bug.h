/*
 * include/asm-generic/bug.h: WARN_ON() and friends. A kernel warning reached in the model is a
 * violation of the invariant "kernel-warning" (the execution ends and is reported).
 */
#pragma once

#include "model/kernel/sim.h"

#define WARN_ON(cond)                                                                \
	({                                                                           \
		bool __c = !!(cond);                                                 \
		if (__c)                                                             \
			::sim::violation("kernel-warning", "WARN_ON(" #cond ")");    \
		__c;                                                                 \
	})
#define WARN_ON_ONCE(cond)                                                           \
	({                                                                           \
		bool __c = !!(cond);                                                 \
		if (__c)                                                             \
			::sim::violation("kernel-warning", "WARN_ON_ONCE(" #cond ")"); \
		__c;                                                                 \
	})
#define BUG_ON(cond) do { if (cond) ::sim::violation("kernel-bug", "BUG_ON(" #cond ")"); } while (0)
