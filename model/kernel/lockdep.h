/*
 * include/linux/lockdep.h: lockdep_assert_held() is checked, not trusted: a model function
 * called without the lock its kernel twin asserts is a model bug, reported as a violation.
 */
#pragma once

#include "model/kernel/sim.h"

#define lockdep_assert_held(l)                                                              \
	do {                                                                                \
		if (!::sim::lock_held((l)->sim))                                            \
			::sim::violation("lockdep", "lockdep_assert_held(" #l ") failed"); \
	} while (0)
#define lockdep_assert_irqs_disabled()                                                  \
	do {                                                                                \
		if (!::sim::irqs_off())                                                \
			::sim::violation("lockdep", "lockdep_assert_irqs_disabled() failed"); \
	} while (0)
