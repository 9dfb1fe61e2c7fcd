/*
 * include/linux/refcount.h: refcount_t on atomic_t, with the orderings of
 * Documentation/core-api/refcount-vs-atomic.rst (dec_and_test: release, acquire on success).
 * Saturation and the underflow warnings are checked as kernel warnings.
 */
#pragma once

#include "model/kernel/atomic.h"
#include "model/kernel/bug.h"
#include "model/kernel/mutex.h"

typedef struct refcount_struct {
	atomic_t refs;
	refcount_struct() = default;
	explicit refcount_struct(const char *name) : refs(name) {}  /* `refcount_t refcount{"perf_event.refcount"};` */
} refcount_t;

inline void refcount_set(refcount_t *r, int n) { atomic_set(&r->refs, n); }
inline unsigned int refcount_read(const refcount_t *r) { return atomic_read(&r->refs); }
inline void refcount_inc(refcount_t *r)
{
	int old = r->refs.counter.rmw([](int x) { return x + 1; }, ::sim::Order::Relaxed);
	WARN_ON_ONCE(old == 0); /* refcount_t: addition on 0; use-after-free */
}
inline bool refcount_inc_not_zero(refcount_t *r) { return atomic_inc_not_zero(&r->refs); }
inline bool refcount_dec_and_test(refcount_t *r)
{
	int old = r->refs.counter.rmw([](int x) { return x - 1; }, ::sim::Order::AcqRel);
	WARN_ON_ONCE(old <= 0); /* refcount_t: underflow; use-after-free */
	return old == 1;
}
inline void refcount_dec(refcount_t *r) { (void)refcount_dec_and_test(r); }

/* lib/refcount.c: refcount_dec_not_one(): decrement unless the count is 1 (then false) */
inline bool refcount_dec_not_one(refcount_t *r)
{
	int val = atomic_read(&r->refs);

	do {
		if (val == 1)
			return false;
		int old = atomic_cmpxchg(&r->refs, val, val - 1);
		if (old == val)
			return true;
		val = old;
	} while (1);
}

/* lib/refcount.c: refcount_dec_and_mutex_lock(): true with `lock` held when the count drops to 0 */
inline bool refcount_dec_and_mutex_lock(refcount_t *r, struct mutex *lock)
{
	if (refcount_dec_not_one(r))
		return false;

	mutex_lock(lock);
	if (!refcount_dec_and_test(r)) {
		mutex_unlock(lock);
		return false;
	}

	return true;
}
