/*
 * include/asm-generic/rwonce.h and include/linux/compiler.h: READ_ONCE, WRITE_ONCE, data_race(),
 * barrier(). READ_ONCE/WRITE_ONCE on a sim::field are marked accesses; on anything else (a local)
 * they are the identity, as in C. data_race() wraps its expression in kcsan_disable_current() /
 * kcsan_enable_current() exactly as the kernel's definition does.
 */
#pragma once

#include "model/kernel/field.h"
#include "model/kernel/types.h"

namespace sim {
template <typename T> inline T read_once(const field<T> &f) { return f.read(Marking::Once); }
template <typename T> inline T read_once(const T &v) { return v; }
template <typename T, typename V> inline void write_once(field<T> &f, V v) { f.write(static_cast<T>(v), Marking::Once); }
template <typename T, typename V> inline void write_once(T &x, V v) { x = static_cast<T>(v); }
}  // namespace sim

#define READ_ONCE(x) (::sim::read_once(x))
#define WRITE_ONCE(x, val) (::sim::write_once((x), (val)))

/* include/linux/compiler.h: data_race() @ v6.17 (same shape: disable, evaluate, enable) */
#define data_race(expr)                                      \
	({                                                   \
		::sim::kcsan_disable_current();              \
		auto __v = (expr);                           \
		::sim::kcsan_enable_current();               \
		__v;                                         \
	})

/* barrier(): a compiler barrier; every model access is already a separate, ordered step */
#define barrier() do { } while (0)
