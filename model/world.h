/*
 * The model's face to the checker (model-only, no kernel twin): build the kernel objects a
 * scenario's setup names, run kernel entry points on them, and check the ghost ledger.
 *
 * The checker never touches perf structures directly: it describes the setup in plain data
 * (WorldSetup), gets a perf_world, and calls entry points by name through model_ops() and
 * model_functions(). Everything here is rebuilt for every execution.
 */
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct perf_world;

namespace model {

/* --- the setup, as plain data --- */

struct ContextSetup {
	std::string name;
	bool is_task = true;   // a task context (true) or a CPU context (false)
	int cpu = -1;          // CPU context: its CPU
	int running_on = -1;   // task context: the CPU the task runs on at the start, -1: not running
};

struct EventSetup {
	std::string name;
	int context = 0;         // index into WorldSetup::contexts
	int leader = -1;         // index into WorldSetup::events; -1 or itself: a group leader
	std::string state = "INACTIVE";  // OFF, INACTIVE, ACTIVE, ERROR
	bool mapped = false;     // a ring buffer is mapped already (perf_mmap done, user page live)
	std::vector<std::pair<std::string, int64_t>> attr;  // attr bits by name (see model_attrs())
};

struct WorldSetup {
	uint64_t tick = 1;       // perf_clock() advance per read
	int nr_cpus = 2;         // CPUs in the system (>= every CPU named)
	std::vector<ContextSetup> contexts;
	std::vector<EventSetup> events;
};

/* Builds the world: allocates tasks, contexts, events, PMU, per-CPU contexts; installs each
 * event in its context and brings it to its initial state through the model's own functions
 * (so fields and ledger agree); sets the model clock. Runs sequentially (no simulation). */
std::unique_ptr<perf_world, void (*)(perf_world *)> build_world(const WorldSetup &setup);

/* --- entry points and callable functions --- */

enum class ArgKind { Event, Context, Cpu, Integer };

/* A kernel entry point an op runs (`sched_out(T)`), or a model function `call` can run. */
struct Entry {
	const char *name;                 // "sched_out" / "perf_event_update_time"
	std::vector<std::pair<const char *, ArgKind>> params;
	const char *summary;              // one line: which kernel path it enters, e.g. "task switch out: perf_event_task_sched_out()"
	void (*run)(perf_world &world, const std::vector<int64_t> &args);  // args: object indices or integers
};

const std::vector<Entry> &model_ops();        // sched_out, sched_in, mmap, munmap, read, enable, disable, reset, userpage_read, tick...
const std::vector<Entry> &model_functions();  // for `call`: perf_event_update_time, __perf_event_read, ...

/* Locks a `call` op can hold, by object and kind, in the order given (released in reverse). */
enum class LockKind { CtxLock, CtxMutex, MmapMutex };
void lock_object(perf_world &world, LockKind kind, int object);    // context index or event index
void unlock_object(perf_world &world, LockKind kind, int object);

/* --- variants and invariants --- */

const std::vector<std::string> &variant_names();   // "upstream" first, then each fix
/* Selects the variant for the executions that follow; false if the name is unknown. */
bool select_variant(const std::string &name);

const std::vector<std::string> &invariant_names(); // "no-lost-time", "running-le-enabled", "monotonic-read", "no-time-travel", ...
/* Which invariants are checked (default: all). */
void select_invariants(const std::vector<std::string> &names);

const std::vector<std::string> &attr_names();      // attr bits accepted in EventSetup::attr

/* After every lane has finished: the final quiescent update under ctx->lock, then the ledger
 * comparisons. A failure calls sim::violation() with a message in ticks, e.g.
 * "E: total_time_running = 30, ledger says 40: 1 tick lost (tick = 10)". */
void check_final(perf_world &world);

}  // namespace model
