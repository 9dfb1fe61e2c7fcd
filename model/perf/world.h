/*
 * The world behind model/model.h (model-only, no kernel twin): the kernel objects one execution
 * works on, and typed entry points for the model's own tests. The checker uses model/model.h only.
 */
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "model/model.h"
#include "model/perf/core.h"

struct perf_world : model::World {
	explicit perf_world(const model::WorldSetup &s) : model::World(s), setup(s) {}
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
	struct perf_event_context fork_parent;			/* the parent of the contexts inherited() marks */
	std::deque<struct task_struct> poll_tasks;		/* one per poll(2) call, in call order */
	std::deque<struct poll_wqueues> pollers;		/* their poll tables */
	std::deque<std::string> child_names;			/* inherited events' names, "E(C)" (fork) */
	/* issue 15 b, close(): the fd's file lives while the fd table (until close), a syscall in
	 * flight (fdget()) or a mapping (vma->vm_file) holds it; the last fput() runs perf_release() */
	std::vector<int> fd_inflight;				/* by event index */
	std::vector<bool> fd_closed;				/* by event index */
};

namespace model {

/* --- the perf model ("perf": the current core.c), as data --- */

const Model &perf_model();

/* Builds the world: allocates tasks, contexts, events, PMU, per-CPU contexts; installs each
 * event in its context and brings it to its initial state through the model's own functions
 * (so fields and ledger agree); sets the model clock. Runs sequentially (no simulation). */
std::unique_ptr<perf_world> build_world(const WorldSetup &setup);

const std::vector<Entry> &model_ops();        // sched_out, sched_in, mmap, munmap, read, enable, disable, reset, userpage_read, tick...
const std::vector<Entry> &model_functions();  // for `call`: perf_event_update_time, __perf_event_read, ...

void lock_object(perf_world &world, LockKind kind, int object);    // context index or event index
void unlock_object(perf_world &world, LockKind kind, int object);

/* After every lane has finished: the final quiescent update under ctx->lock, then the ledger
 * comparisons. A failure calls sim::violation() with a message in ticks, e.g.
 * "E: total_time_running = 30, ledger says 40: 1 tick lost (tick = 10)". */
void check_final(perf_world &world);



/* What read() returned (ret < 0: an error; then the values are 0). */
struct ReadValues {
	long ret = 0;
	u64 count = 0, enabled = 0, running = 0;
};

/* What a PERF_FORMAT_GROUP read returned (issue 15 (a)): the times and one count per member. */
struct ReadGroupValues {
	long ret = 0;
	u64 enabled = 0, running = 0;
	std::vector<u64> counts;
};

/* The ops, typed, on the current CPU (sim::set_sequential_cpu() when no simulation runs). */
void op_sched_out(perf_world &w, int context);
void op_sched_in(perf_world &w, int context);
int op_mmap(perf_world &w, int event);
void op_munmap(perf_world &w, int event);
ReadValues op_read(perf_world &w, int event);
long op_ioctl(perf_world &w, int event, unsigned int cmd);
bool op_userpage_read(perf_world &w, int event, u64 *enabled, u64 *running);
void op_overflow(perf_world &w, int event);
void op_pending_irq(perf_world &w, int cpu);	/* issue 15: the irq_work interrupt of cpu */
long op_refresh(perf_world &w, int event, int refresh);
void op_tick(perf_world &w);
void op_nmi_sample(perf_world &w, int event);
void op_return_to_user(perf_world &w, int context);
void op_close(perf_world &w, int event);	/* issue 15 b: the last fput() -> perf_release() */
/* model-only: fdget()/fdput() of the event's fd around a syscall; false (a note) if it is closed */
bool model_fdget(perf_world &w, int event, const char *syscall);
void model_fdput(perf_world &w, int event);
void op_sched_switch(perf_world &w, int from, int to);
void op_inherited(perf_world &w, int context);
void op_poll(perf_world &w, int event);
int op_set_output(perf_world &w, int event, int output_event);
ReadGroupValues op_read_group(perf_world &w, int event);	/* issue 15 (a) */
ReadValues op_read_local(perf_world &w, int event);
bool op_userpage_time(perf_world &w, int event, struct model_userpage_time *r);
/* issue 15 b: fork(), exit() and exec() of a task running on this CPU */
void op_fork(perf_world &w, int parent, int child);
void op_exit(perf_world &w, int context);
void op_exec(perf_world &w, int context);
void op_rotate(perf_world &w);
void op_install(perf_world &w, int event);
void op_remove(perf_world &w, int event);

/* A poller asleep on a waitqueue (never woken) while the buffer of the event it polls has
 * EPOLLIN pending: one line per lost wakeup (the no-lost-wakeup invariant). */
std::vector<std::string> lost_wakeups(perf_world &w);

}  // namespace model
