/*
 * include/linux/spinlock.h: raw_spinlock_t and spinlock_t, with the _irq and _irqsave forms.
 * Taking a spinlock disables preemption (and IRQs for the _irq/_irqsave forms) on the current
 * CPU, then acquires the lock: a scheduling point that may block; release to acquire orders.
 * Lockdep's IRQ-usage rule is checked per lock name (irq-unsafe-lock), and a handler spinning on
 * a lock held by the code it interrupted is a deadlock (checker/sim/README.md, "IRQ safety").
 */
#pragma once

#include "model/kernel/irqflags.h"
#include "model/kernel/sim.h"

typedef struct raw_spinlock {
	::sim::LockState sim;
	explicit raw_spinlock(const char *name = "raw_spinlock") : sim(name) {}
} raw_spinlock_t;

typedef raw_spinlock_t spinlock_t;

inline void raw_spin_lock_init(raw_spinlock_t *lock) { (void)lock; }
inline void raw_spin_lock(raw_spinlock_t *lock)
{
	::sim::preempt_off();
	::sim::lock_acquire(lock->sim, ::sim::LockKind::Spin);
}
inline void raw_spin_unlock(raw_spinlock_t *lock)
{
	::sim::lock_release(lock->sim, ::sim::LockKind::Spin);
	::sim::preempt_on();
}
inline void raw_spin_lock_irq(raw_spinlock_t *lock)
{
	::sim::irq_off();
	::sim::lock_acquire(lock->sim, ::sim::LockKind::Spin);
}
inline void raw_spin_unlock_irq(raw_spinlock_t *lock)
{
	::sim::lock_release(lock->sim, ::sim::LockKind::Spin);
	::sim::irq_on();
}
/* as the kernel's (__raw_spin_lock_irqsave(): local_irq_save(), preempt_disable(); the unlock:
 * local_irq_restore(), preempt_enable()), so that raw_spin_lock() + raw_spin_unlock_irqrestore()
 * after a local_irq_save() (perf_lock_task_context() / perf_pin_task_context()) balances */
#define raw_spin_lock_irqsave(lock, flags) do { local_irq_save(flags); ::sim::preempt_off(); ::sim::lock_acquire((lock)->sim, ::sim::LockKind::Spin); } while (0)
#define raw_spin_unlock_irqrestore(lock, flags) do { ::sim::lock_release((lock)->sim, ::sim::LockKind::Spin); local_irq_restore(flags); ::sim::preempt_on(); } while (0)

#define spin_lock_init raw_spin_lock_init
#define spin_lock raw_spin_lock
#define spin_unlock raw_spin_unlock
#define spin_lock_irq raw_spin_lock_irq
#define spin_unlock_irq raw_spin_unlock_irq
#define spin_lock_irqsave raw_spin_lock_irqsave
#define spin_unlock_irqrestore raw_spin_unlock_irqrestore

inline bool raw_spin_is_locked_by_me(const raw_spinlock_t *lock) { return ::sim::lock_held(lock->sim); }
