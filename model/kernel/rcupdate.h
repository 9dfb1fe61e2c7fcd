/*
 * include/linux/rcupdate.h: rcu_dereference() is a marked load that orders what follows it
 * (address dependency, modelled as acquire); rcu_assign_pointer() a release store. Read-side
 * critical sections and grace periods are not modelled: nothing in the model frees under RCU.
 */
#pragma once

#include "model/kernel/barrier.h"

#define rcu_read_lock() do { } while (0)
#define rcu_read_unlock() do { } while (0)
#define rcu_dereference(p) (::sim::load_acquire(p))
#define rcu_dereference_raw(p) (::sim::load_acquire(p))
#define rcu_access_pointer(p) (READ_ONCE(p))
#define rcu_assign_pointer(p, v) (::sim::store_release((p), (v)))
#define RCU_INIT_POINTER(p, v) (WRITE_ONCE((p), (v)))
