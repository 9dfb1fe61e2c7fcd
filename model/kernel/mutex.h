/*
 * include/linux/mutex.h: struct mutex, a sleeping lock: acquiring it is a scheduling point that
 * may block; release to acquire orders. Preemption stays enabled while it is held. mutex_lock()
 * in a handler or with IRQs or preemption off is might_sleep()'s kernel-warning.
 */
#pragma once

#include "model/kernel/sim.h"

struct mutex {
	::sim::LockState sim;
	explicit mutex(const char *name = "mutex") : sim(name) {}
};

inline void mutex_init(struct mutex *lock) { (void)lock; }
inline void mutex_lock(struct mutex *lock) { ::sim::lock_acquire(lock->sim, ::sim::LockKind::Mutex); }
inline int mutex_trylock(struct mutex *lock) { return ::sim::lock_try_acquire(lock->sim, ::sim::LockKind::Mutex); }
inline void mutex_unlock(struct mutex *lock) { ::sim::lock_release(lock->sim, ::sim::LockKind::Mutex); }
inline bool mutex_is_locked_by_me(const struct mutex *lock) { return ::sim::lock_held(lock->sim); }
