/*
 * include/asm-generic/barrier.h: smp_rmb/smp_wmb/smp_mb, smp_load_acquire/smp_store_release.
 * For happens-before they act as C11 fences around the marked accesses they order (the LKMM's
 * message-passing pattern: WRITE_ONCE after smp_wmb, READ_ONCE before smp_rmb).
 */
#pragma once

#include "model/kernel/compiler.h"

#define smp_rmb() (::sim::fence_acquire())
#define smp_wmb() (::sim::fence_release())
#define smp_mb() (::sim::fence_full())
#define smp_mb__after_atomic() (::sim::fence_full())
#define smp_mb__before_atomic() (::sim::fence_full())

namespace sim {
template <typename T> inline T load_acquire(const field<T> &f) { return f.read(Marking::Once, Order::Acquire); }
template <typename T, typename V> inline void store_release(field<T> &f, V v)
{
	f.write(static_cast<T>(v), Marking::Once, Order::Release);
}
}  // namespace sim

#define smp_load_acquire(p) (::sim::load_acquire(*(p)))
#define smp_store_release(p, v) (::sim::store_release(*(p), (v)))
