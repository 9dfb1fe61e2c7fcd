/*
 * The world behind model/world.h (model-only, no kernel twin): the kernel objects one execution
 * works on, and typed entry points for the model's own tests. The checker uses model/world.h only.
 */
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "model/world.h"
#include "model/events/core.h"

struct perf_world {
	model::WorldSetup setup;
	std::deque<struct model_cpu> cpus;
	std::deque<struct task_struct> tasks;			/* one per task context */
	std::deque<struct perf_event_context> task_ctxs;
	std::deque<struct perf_event_pmu_context> task_epcs;
	std::vector<struct perf_event_context *> contexts;	/* by setup index */
	std::vector<struct task_struct *> context_task;	/* by setup index; NULL: a CPU context */
	std::deque<struct perf_event> events;			/* by setup index */
	std::deque<struct file> files;				/* by event index: the event's fd */
	std::vector<std::vector<struct vm_area_struct *>> vmas;	/* by event index: live mappings */
	std::deque<struct vm_area_struct> vma_storage;
	std::deque<struct perf_buffer> buffers;
	model_percpu<struct perf_cpu_pmu_context> cpu_pmu_context;
};

namespace model {

/* What read() returned (ret < 0: an error; then the values are 0). */
struct ReadValues {
	long ret = 0;
	u64 count = 0, enabled = 0, running = 0;
};

/* The ops, typed, on the current CPU (sim::set_sequential_cpu() when no simulation runs). */
void op_sched_out(perf_world &w, int context);
void op_sched_in(perf_world &w, int context);
int op_mmap(perf_world &w, int event);
void op_munmap(perf_world &w, int event);
ReadValues op_read(perf_world &w, int event);
long op_ioctl(perf_world &w, int event, unsigned int cmd);
bool op_userpage_read(perf_world &w, int event, u64 *enabled, u64 *running);

}  // namespace model
