/*
 * The "perf-2.6.32" model behind model/model.h (model-only, no kernel twin): the kernel objects
 * of one execution and typed entry points for the model's own tests. The checker sees only
 * legacy_model() through the registry (model/model.cpp).
 */
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "model/legacy/perf_event.h"
#include "model/model.h"

namespace legacy {

/* One CPU: its perf_cpu_context and its idle task (no perf context), and who runs on it. */
struct model_cpu {
	struct perf_cpu_context cpuctx;
	struct task_struct idle;
	struct task_struct *curr = nullptr;
};

struct legacy_world : model::World {
	explicit legacy_world(const model::WorldSetup &s) : model::World(s), setup(s) {}
	model::WorldSetup setup;
	std::deque<struct model_cpu> cpus;
	std::deque<struct task_struct> tasks;			/* by context index (every context is a task's) */
	std::deque<struct perf_event_context> ctxs;		/* by context index */
	std::deque<struct perf_event> events;			/* by event index */
};

/* What read() returned (ret <= 0: nothing read; then the values are 0). */
struct ReadValues {
	long ret = 0;
	u64 count = 0, enabled = 0, running = 0;
};

const model::Model &legacy_model();

/* Builds the world sequentially (throws std::invalid_argument for a setup 2.6.32 cannot reach). */
std::unique_ptr<legacy_world> build_world(const model::WorldSetup &setup);

/* The ops, typed, on the current CPU (sim::set_sequential_cpu() when no simulation runs);
 * a task is named by the index of the context its setup declared. */
void op_switch(legacy_world &w, int prev, int next);
void op_sched_out(legacy_world &w, int task);
void op_sched_in(legacy_world &w, int task);
ReadValues op_read(legacy_world &w, int event);
void op_enable(legacy_world &w, int event);
void op_inherit(legacy_world &w, int parent, int child);

/* The final quiescent update and the ledger comparison (what check_final runs). */
void check_final(legacy_world &w);

}  // namespace legacy
