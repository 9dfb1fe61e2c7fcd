/*
 * include/linux/smp.h: smp_processor_id() and smp_call_function_single(). The cross-CPU call is
 * an IPI: func runs on the calling lane as the target CPU, in hard-IRQ context, once the target
 * has IRQs on and no handler running, and what the target was running waits until it returns;
 * the caller waits for it (csd_lock_wait()), so it and the caller are ordered both ways (wait=1).
 * On the caller's own CPU func runs at once with IRQs off.
 */
#pragma once

#include "model/kernel/sim.h"

typedef void (*smp_call_func_t)(void *info);

#define smp_processor_id() (::sim::current_cpu())
#define raw_smp_processor_id() (::sim::current_cpu())

inline int smp_call_function_single(int cpu, smp_call_func_t func, void *info, int wait)
{
	(void)wait;  /* every model caller waits; an asynchronous IPI is not modelled */
	if (cpu < 0 || cpu >= ::sim::kMaxCpus)
		return -6;  /* -ENXIO: not a possible CPU (e.g. the oncpu of an event that went inactive) */
	::sim::call_on_cpu(cpu, func, info);
	return 0;
}
