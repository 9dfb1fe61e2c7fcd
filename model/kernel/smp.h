/*
 * include/linux/smp.h: smp_processor_id() and smp_call_function_single(). The cross-CPU call
 * runs func on the calling lane but as if on the target CPU with its IRQs disabled: it is
 * excluded from the target's IRQ-disabled sections, and it and the caller are ordered both ways
 * (wait=1). Model difference: the target's IRQ-enabled code is not paused while it runs.
 */
#pragma once

#include "model/kernel/sim.h"

typedef void (*smp_call_func_t)(void *info);

#define smp_processor_id() (::sim::current_cpu())
#define raw_smp_processor_id() (::sim::current_cpu())

inline int smp_call_function_single(int cpu, smp_call_func_t func, void *info, int wait)
{
	(void)wait;  /* every model caller waits; an asynchronous IPI is not modelled */
	::sim::call_on_cpu(cpu, func, info);
	return 0;
}
