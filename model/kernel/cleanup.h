/*
 * include/linux/cleanup.h: guard() and scoped_guard(), as C++ scope objects.
 *   guard(mutex)(&event->mmap_mutex);          holds the mutex to the end of the scope
 *   scoped_guard (raw_spinlock_irq, &ctx->lock) { ... }
 * The model defines the classes it uses (guard_mutex, guard_raw_spinlock_irq, ...); a kernel
 * DEFINE_GUARD(name, type, lock, unlock) becomes MODEL_DEFINE_GUARD(name, type, lock, unlock).
 */
#pragma once

#include "model/kernel/mutex.h"
#include "model/kernel/spinlock.h"

#define __model_concat2(a, b) a##b
#define __model_concat(a, b) __model_concat2(a, b)

#define MODEL_DEFINE_GUARD(_name, _type, _lock, _unlock)            \
	struct guard_##_name {                                      \
		_type _T;                                           \
		explicit guard_##_name(_type t) : _T(t) { _lock; }  \
		~guard_##_name() { _unlock; }                       \
		guard_##_name(const guard_##_name &) = delete;       \
		guard_##_name &operator=(const guard_##_name &) = delete; \
	};

MODEL_DEFINE_GUARD(mutex, struct mutex *, mutex_lock(_T), mutex_unlock(_T))
MODEL_DEFINE_GUARD(raw_spinlock, raw_spinlock_t *, raw_spin_lock(_T), raw_spin_unlock(_T))
MODEL_DEFINE_GUARD(raw_spinlock_irq, raw_spinlock_t *, raw_spin_lock_irq(_T), raw_spin_unlock_irq(_T))
MODEL_DEFINE_GUARD(irq, int, local_irq_disable(), local_irq_enable())
MODEL_DEFINE_GUARD(preempt, int, preempt_disable(), preempt_enable())

#define guard(_name) guard_##_name __model_concat(__guard_, __LINE__)
#define scoped_guard(_name, ...)                                                             \
	for (struct { guard_##_name g; bool done; } __scope{guard_##_name(__VA_ARGS__), false}; \
	     !__scope.done; __scope.done = true)
