/*
 * The models' face to the checker (model-only, no kernel twin): each model (the current perf
 * timekeeping, the 2.6.32 generation, AUX throttling, ...) builds the kernel objects a scenario's
 * setup names, runs kernel entry points on them, and checks its ghost invariants.
 *
 * The checker never touches kernel structures directly: it describes the setup in plain data
 * (WorldSetup), gets a World from the scenario's Model, and calls entry points by name through
 * Model::ops() and Model::functions(). Everything here is rebuilt for every execution.
 */
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace model {

/* One execution's kernel objects; each model derives its own. */
struct World {
	virtual ~World() = default;
};

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

/* --- entry points and callable functions --- */

enum class ArgKind { Event, Context, Cpu, Integer };

/* A kernel entry point an op runs (`sched_out(T)`), or a model function `call` can run. */
struct Entry {
	const char *name;                 // "sched_out" / "perf_event_update_time"
	std::vector<std::pair<const char *, ArgKind>> params;
	const char *summary;              // one line: which kernel path it enters, e.g. "task switch out: perf_event_task_sched_out()"
	void (*run)(World &world, const std::vector<int64_t> &args);  // args: object indices or integers
};

/* Locks a `call` op can hold, by object and kind, in the order given (released in reverse). */
enum class LockKind { CtxLock, CtxMutex, MmapMutex };

/*
 * A model: one kernel generation or area, with its own structures, entry points, variants and
 * invariants. A scenario names its model (`model = "perf-2.6.32"`); "perf" is the default.
 * select_variant/select_invariants set process-wide state for the executions that follow.
 */
class Model {
public:
	virtual ~Model() = default;
	virtual const char *name() const = 0;     // "perf"
	virtual const char *summary() const = 0;  // the kernel it models: "kernel/events/core.c @ 12f24484da13 (6.17+): ..."

	/* Builds the world (sequentially, no simulation); throws std::invalid_argument for a setup
	 * the kernel cannot reach. */
	virtual std::unique_ptr<World> build_world(const WorldSetup &setup) const = 0;
	virtual const std::vector<Entry> &ops() const = 0;        // what a [[cpu]] lane runs by name
	virtual const std::vector<Entry> &functions() const = 0;  // what a `call` op may name
	virtual void lock_object(World &world, LockKind kind, int object) const = 0;
	virtual void unlock_object(World &world, LockKind kind, int object) const = 0;

	virtual const std::vector<std::string> &variants() const = 0;  // "upstream" (or the base) first, then each fix
	virtual bool select_variant(const std::string &name) const = 0; // false: unknown
	virtual const std::vector<std::string> &invariants() const = 0;
	virtual void select_invariants(const std::vector<std::string> &names) const = 0;  // empty: all
	virtual const std::vector<std::string> &attrs() const = 0;     // attr bits accepted in EventSetup::attr

	/* After every lane has finished: the model's final checks; a failure calls sim::violation(). */
	virtual void check_final(World &world) const = 0;
};

/* Every model, the default ("perf") first; find_model returns nullptr for an unknown name. */
const std::vector<const Model *> &models();
const Model *find_model(const std::string &name);

}  // namespace model
