// The locks a scenario's `call` op holds (model::LockKind, model/model.h), taken and released as the
// kernel takes them, on the objects a model's world names by index: ctx->lock with IRQs off
// (raw_spin_lock_irq()), ctx->mutex, event->mmap_mutex. One body for every model: each model's
// world.cpp instantiates it with its own objects (its own struct perf_event_context), so the two
// models' types never meet; the lock primitives are model/kernel's, which both models use.
#pragma once

#include <stdexcept>

#include "model/kernel/mutex.h"
#include "model/kernel/spinlock.h"
#include "model/model.h"

namespace model {

/*
 * Objects: a model's view of its world by index,
 *   ctx(i):        the perf_event_context of context i,
 *   mmap_mutex(i): event i's mmap_mutex (a model without one throws).
 */
template <class Objects> void lock_object_of(const Objects &objects, LockKind kind, int object)
{
	switch (kind) {
	case LockKind::CtxLock:
		raw_spin_lock_irq(&objects.ctx(object)->lock);
		break;
	case LockKind::CtxMutex:
		mutex_lock(&objects.ctx(object)->mutex);
		break;
	case LockKind::MmapMutex:
		mutex_lock(objects.mmap_mutex(object));
		break;
	}
}

template <class Objects> void unlock_object_of(const Objects &objects, LockKind kind, int object)
{
	switch (kind) {
	case LockKind::CtxLock:
		raw_spin_unlock_irq(&objects.ctx(object)->lock);
		break;
	case LockKind::CtxMutex:
		mutex_unlock(&objects.ctx(object)->mutex);
		break;
	case LockKind::MmapMutex:
		mutex_unlock(objects.mmap_mutex(object));
		break;
	}
}

}  // namespace model
