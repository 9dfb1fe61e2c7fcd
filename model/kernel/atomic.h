/*
 * include/linux/atomic.h: atomic_t and atomic64_t. Every operation is a marked access (never a
 * data race); value-returning read-modify-writes are fully ordered, the others relaxed, as in the
 * LKMM (Documentation/atomic_t.txt).
 */
#pragma once

#include "model/kernel/field.h"
#include "model/kernel/types.h"

/* `atomic_t poll{"perf_buffer.poll"};` names the instance for race reports and traces */
typedef struct atomic_t {
	::sim::field<int> counter;
	atomic_t() : counter("atomic_t.counter") {}
	explicit atomic_t(const char *name) : counter(name) {}
} atomic_t;

typedef struct atomic64_t {
	::sim::field<s64> counter;
	atomic64_t() : counter("atomic64_t.counter") {}
	explicit atomic64_t(const char *name) : counter(name) {}
} atomic64_t;

#define ATOMIC_INIT(i) {{"atomic_t.counter", (i)}}

#define __MODEL_ATOMIC_OPS(pfx, type, T)                                                                  \
	inline T pfx##_read(const type *v) { return v->counter.read(::sim::Marking::Atomic); }             \
	inline void pfx##_set(type *v, T i) { v->counter.write(i, ::sim::Marking::Atomic); }               \
	inline void pfx##_add(T i, type *v) { v->counter.rmw([i](T x) { return x + i; }, ::sim::Order::Relaxed); } \
	inline void pfx##_sub(T i, type *v) { v->counter.rmw([i](T x) { return x - i; }, ::sim::Order::Relaxed); } \
	inline void pfx##_inc(type *v) { pfx##_add(1, v); }                                                \
	inline void pfx##_dec(type *v) { pfx##_sub(1, v); }                                                \
	inline T pfx##_add_return(T i, type *v)                                                            \
	{                                                                                                  \
		return v->counter.rmw([i](T x) { return x + i; }, ::sim::Order::AcqRel) + i;                \
	}                                                                                                  \
	inline T pfx##_sub_return(T i, type *v) { return pfx##_add_return(-i, v); }                        \
	inline T pfx##_inc_return(type *v) { return pfx##_add_return(1, v); }                              \
	inline T pfx##_dec_return(type *v) { return pfx##_add_return(-1, v); }                             \
	inline bool pfx##_dec_and_test(type *v) { return pfx##_dec_return(v) == 0; }                       \
	inline bool pfx##_inc_and_test(type *v) { return pfx##_inc_return(v) == 0; }                       \
	inline T pfx##_xchg(type *v, T n) { return v->counter.rmw([n](T) { return n; }, ::sim::Order::AcqRel); } \
	inline T pfx##_cmpxchg(type *v, T o, T n)                                                          \
	{                                                                                                  \
		return v->counter.rmw([o, n](T x) { return x == o ? n : x; }, ::sim::Order::AcqRel);       \
	}                                                                                                  \
	inline bool pfx##_inc_not_zero(type *v)                                                            \
	{                                                                                                  \
		return v->counter.rmw([](T x) { return x ? x + 1 : x; }, ::sim::Order::AcqRel) != 0;       \
	}

__MODEL_ATOMIC_OPS(atomic, atomic_t, int)
__MODEL_ATOMIC_OPS(atomic64, atomic64_t, s64)

/* include/linux/atomic/atomic-long.h: atomic_long_t is atomic64_t on 64-bit */
typedef atomic64_t atomic_long_t;
__MODEL_ATOMIC_OPS(atomic_long, atomic_long_t, s64)
