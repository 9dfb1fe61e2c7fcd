/*
 * include/linux/irqflags.h and include/linux/preempt.h: what IRQ and preemption state exclude.
 * Disabling IRQs on a CPU keeps that CPU's irq lanes and the cross-CPU calls aimed at it from
 * starting (an NMI still may); disabling preemption keeps the other task lanes of the CPU from
 * running. IRQs off implies preemption off, as in the kernel. In a handler (irq, NMI, a
 * cross-CPU call's function) both are off (checker/sim/README.md, "Interrupts").
 */
#pragma once

#include "model/kernel/sim.h"

#define local_irq_disable() (::sim::irq_off())
#define local_irq_enable() (::sim::irq_on())
#define local_irq_save(flags) do { (flags) = ::sim::irqs_off() ? 1 : 0; ::sim::irq_off(); } while (0)
#define local_irq_restore(flags) do { ::sim::irq_on(); (void)(flags); } while (0)
#define irqs_disabled() (::sim::irqs_off())

#define preempt_disable() (::sim::preempt_off())
#define preempt_enable() (::sim::preempt_on())
#define preempt_count() (::sim::preempt_depth())
