/*
 * include/asm-generic/local.h, local64.h: local_t and local64_t. CPU-local atomics (safe against
 * interrupts on the same CPU); for the race detector they are marked accesses, relaxed.
 */
#pragma once

#include "model/kernel/field.h"
#include "model/kernel/types.h"

/* `local_t head{"perf_buffer.head"};` names the instance for race reports and traces */
typedef struct local_t {
	::sim::field<long> a;
	local_t() : a("local_t.a") {}
	explicit local_t(const char *name) : a(name) {}
} local_t;

typedef struct local64_t {
	::sim::field<s64> counter;
	local64_t() : counter("local64_t.counter") {}
	explicit local64_t(const char *name) : counter(name) {}
} local64_t;

inline long local_read(const local_t *l) { return l->a.read(::sim::Marking::Atomic); }
inline void local_set(local_t *l, long i) { l->a.write(i, ::sim::Marking::Atomic); }
inline void local_inc(local_t *l) { l->a.rmw([](long x) { return x + 1; }, ::sim::Order::Relaxed); }
inline void local_dec(local_t *l) { l->a.rmw([](long x) { return x - 1; }, ::sim::Order::Relaxed); }
inline void local_add(long i, local_t *l) { l->a.rmw([i](long x) { return x + i; }, ::sim::Order::Relaxed); }
/* include/asm-generic/local.h: local_try_cmpxchg(): one marked read-modify-write; *o gets the old value */
inline bool local_try_cmpxchg(local_t *l, long *o, long n)
{
	long old = l->a.rmw([o, n](long x) { return x == *o ? n : x; }, ::sim::Order::Relaxed);
	bool ok = old == *o;
	*o = old;
	return ok;
}

inline s64 local64_read(const local64_t *l) { return l->counter.read(::sim::Marking::Atomic); }
inline void local64_set(local64_t *l, s64 i) { l->counter.write(i, ::sim::Marking::Atomic); }
inline void local64_add(s64 i, local64_t *l) { l->counter.rmw([i](s64 x) { return x + i; }, ::sim::Order::Relaxed); }
inline void local64_sub(s64 i, local64_t *l) { l->counter.rmw([i](s64 x) { return x - i; }, ::sim::Order::Relaxed); }
inline s64 local64_xchg(local64_t *l, s64 n) { return l->counter.rmw([n](s64) { return n; }, ::sim::Order::Relaxed); }
inline s64 local64_cmpxchg(local64_t *l, s64 o, s64 n)
{
	return l->counter.rmw([o, n](s64 x) { return x == o ? n : x; }, ::sim::Order::Relaxed);
}
inline bool local64_try_cmpxchg(local64_t *l, s64 *o, s64 n)
{
	s64 old = local64_cmpxchg(l, *o, n);
	bool ok = old == *o;
	*o = old;
	return ok;
}
