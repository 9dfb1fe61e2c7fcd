/* Everything the model needs from include/linux, in one include (model-only convenience). */
#pragma once

#include "model/kernel/atomic.h"
#include "model/kernel/barrier.h"
#include "model/kernel/bug.h"
#include "model/kernel/cleanup.h"
#include "model/kernel/compiler.h"
#include "model/kernel/field.h"
#include "model/kernel/irqflags.h"
#include "model/kernel/local.h"
#include "model/kernel/lockdep.h"
#include "model/kernel/mutex.h"
#include "model/kernel/rcupdate.h"
#include "model/kernel/refcount.h"
#include "model/kernel/sim.h"
#include "model/kernel/smp.h"
#include "model/kernel/spinlock.h"
#include "model/kernel/types.h"
