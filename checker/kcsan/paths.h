// The kernel paths of a report's two accesses (issue 16, for items 3, 4 and 5): how each CPU got
// to its access (a syscall, the scheduler's switch-out or switch-in, the PMU's NMI, irq_work,
// task_work, an hrtimer, a cross-CPU call, ...), in which context (task, hardirq, softirq, NMI),
// what it interrupted on its CPU, which locks it held as far as the frames tell, and how the two
// accesses relate (two CPUs, or one CPU where one interrupted the other).
//
// This is what a scenario is built from: each path's `kind` is the model op a synthesised scenario
// would run on that CPU (`model_op`), its context the lane's `in`. It is also how a shipped
// scenario is compared with the report: the kinds its CPUs run against the kinds of the report.
#pragma once

#include <string>
#include <vector>

#include "checker/kcsan/report.h"

namespace perfmc::kcsan {

enum class Context { Task, Softirq, Hardirq, Nmi };
const char *context_name(Context context);  // "task", "softirq", "hardirq", "NMI"

// A lock the access's CPU holds (or waits for) at the access.
struct HeldLock {
	std::string lock;     // "event->mmap_mutex", "ctx->lock", "rq->__lock"
	std::string by;       // the frame that takes it: "perf_mmap"
	bool waiting = false; // the stack is inside the lock's acquisition (blocked on it)
};

// One execution context of a stack, outermost first: what entered the kernel or interrupted it.
struct Segment {
	Context context = Context::Task;
	std::string entry;        // "syscall mmap", "kernel thread", "idle", "hardirq (irq_work)", "NMI", ...
	size_t first = 0, last = 0;  // frame indexes (innermost-first numbering), first <= last
};

struct AccessPath {
	size_t access = 0;
	Context context = Context::Task;  // where the access ran
	int cpu = -1;
	int task_pid = -1;
	std::string kind;         // "sched-out", "sched-in", "mmap", "munmap", "read", "read_local", "ioctl", "poll", "close",
	                          // "exit", "exec", "fork", "perf_event_open", "pmu-nmi", "irq_work",
	                          // "task_work", "hrtimer", "ipi", "tick", "tracepoint", "software-event",
	                          // "syscall", "kernel-thread", "idle", "interrupt", "unknown"
	std::string description;  // "task switch-out: __perf_event_task_sched_out()"
	std::vector<std::string> frames;  // the frames that identify the path, outermost first
	std::string model_op;     // the perf model's op for it ("sched_out", "mmap", "enable", ...), or ""
	std::string outer;        // how the task entered the kernel: "syscall pselect6", "kernel thread", ...
	std::vector<Segment> segments;     // outermost first; the last is the access's own context
	std::vector<std::string> interrupted;  // the contexts under the access's, innermost first
	std::vector<HeldLock> locks;
};

struct Paths {
	std::vector<AccessPath> accesses;
	bool same_cpu = false;
	std::string relation;  // "two CPUs (1 and 0)", "one CPU (0): the NMI interrupted ...", ...
};

Paths entry_paths(const Report &report);

// "write, task 12011 on cpu 1: mmap() syscall: perf_mmap -> perf_mmap_rb" and the locks line, for
// the answer people read.
std::string describe_path(const Report &report, const AccessPath &path);
std::string describe_locks(const AccessPath &path);

}  // namespace perfmc::kcsan
