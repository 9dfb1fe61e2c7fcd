/*
 * What a model is, as data (model-only, no kernel twin). A model is one kernel tree: the current
 * core.c (model/perf/, "perf", the default) or the 2.6.32 generation (model/legacy/,
 * "perf-2.6.32"). It builds the kernel objects a scenario's setup names, runs kernel entry points
 * on them by name, and checks its ghost invariants.
 *
 * The checker never touches kernel structures directly: it describes the setup in plain data
 * (WorldSetup), selects a variant and the invariants with select() (one helper for every model),
 * puts the selection into the setup, gets a World from the model's builder, and calls entry points
 * by name through Model::ops and Model::functions. Everything a run selects travels in the
 * setup into the World: nothing about a run is process-global, and a Model is constant data.
 * The world of the execution that runs is what model code reaches (model::execution()), through
 * the simulator's per-execution runtime (sim::current_world), one execution at a time.
 */
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/kernel/sim.h"

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
	std::vector<std::pair<std::string, int64_t>> attr;  // attr bits by name (see Model::attrs)
};

struct WorldSetup {
	uint64_t tick = 1;       // perf_clock() advance per read
	int nr_cpus = 2;         // CPUs in the system (>= every CPU named)
	std::vector<ContextSetup> contexts;
	std::vector<EventSetup> events;
	/* the run's selection (select()): an index into Model::variants, and bit i for
	 * Model::invariants[i] being checked; the defaults are the base variant and all invariants */
	int variant = 0;
	uint64_t invariants = ~0ULL;
};

/*
 * One execution's kernel objects; each model derives its own. Built, it is the execution's world
 * (sim::current_world) until it is destroyed. variant and invariants are the run's selection,
 * copied from the setup.
 */
struct World {
	explicit World(const WorldSetup &setup);
	virtual ~World();
	World(const World &) = delete;
	World &operator=(const World &) = delete;

	const int variant;
	const uint64_t invariants;
	bool checks(int invariant) const { return (invariants >> invariant) & 1; }
};

/* The world of the execution that runs (model code: variant(), the invariants, per-CPU state). */
inline World &execution() { return *static_cast<World *>(sim::current_world); }

/* --- entry points and callable functions --- */

enum class ArgKind { Event, Context, Cpu, Integer };

/* A kernel entry point an op runs (`sched_out(T)`), or a model function `call` can run. */
struct Entry {
	const char *name;                 // "sched_out" / "perf_event_update_time"
	std::vector<std::pair<const char *, ArgKind>> params;
	const char *summary;              // one line: which kernel path it enters, e.g. "task switch out: perf_event_task_sched_out()"
	void (*run)(World &world, const std::vector<int64_t> &args);  // args: object indices or integers
	const char *area = "";            // the kernel area it belongs to ("time", "aux", ...), for listings
};

/* Locks a `call` op can hold, by object and kind, in the order given (released in reverse). */
enum class LockKind { CtxLock, CtxMutex, MmapMutex };
const char *lock_kind_name(LockKind kind);  // "ctx->lock", "ctx->mutex", "event->mmap_mutex"

/* A variant: the kernel as modelled (the first, the base), or one fix or kernel-history revert. */
struct Variant {
	const char *name;  // "mmap-ctx-lock"
	const char *fix;   // one line: the fix it stands for, with its commit or proposal
	const char *area;  // the area whose code it patches
};

/* An invariant the model checks (a ghost check, or a kernel WARN the shim reports). */
struct Invariant {
	const char *name;     // "no-lost-time"
	const char *summary;  // one line
	const char *area;
};

/*
 * A model, as data. A scenario names its model (`model = "perf-2.6.32"`); "perf" is the default.
 */
struct Model {
	const char *name;     // "perf"
	const char *summary;  // the kernel it models: "kernel/events/core.c @ 12f24484da13 (6.17+): ..."
	std::vector<Variant> variants;      // the base first, then each fix (names unique)
	std::vector<Invariant> invariants;  // at most 64
	std::vector<std::string> attrs;     // attr bits accepted in EventSetup::attr
	std::vector<Entry> ops;             // what a [[cpu]] lane runs by name
	std::vector<Entry> functions;       // what a `call` op may name
	std::vector<LockKind> lock_kinds;   // what a `call` op may hold
	/* names of former models now part of this one, each with what a scenario writes instead */
	std::vector<std::pair<const char *, const char *>> retired = {};
	/* Builds the world (sequentially, no simulation); throws std::invalid_argument for a setup
	 * the kernel cannot reach. */
	std::unique_ptr<World> (*build_world)(const WorldSetup &setup);
	void (*lock_object)(World &world, LockKind kind, int object);
	void (*unlock_object)(World &world, LockKind kind, int object);
	/* After every lane has finished: the model's final checks; a failure calls sim::violation(). */
	void (*check_final)(World &world);

	std::vector<std::string> variant_names() const;
	std::vector<std::string> invariant_names() const;
	int find_variant(const std::string &name) const;    // -1: unknown
	int find_invariant(const std::string &name) const;  // -1: unknown
	bool has_lock_kind(LockKind kind) const;
};

/* Every model, the default ("perf") first; find_model returns nullptr for an unknown name. */
const std::vector<const Model *> &models();
const Model *find_model(const std::string &name);

/* An unknown variant or invariant name; what() says which, and names the known ones. */
struct SelectionError : std::invalid_argument {
	using std::invalid_argument::invalid_argument;
	std::string unknown;               // the name that was not found
	std::vector<std::string> known;    // the names it could have been
};

/*
 * The one selection helper of every model: the variant by name and the invariants by name
 * (empty: all), into a setup. Throws SelectionError for an unknown name.
 */
void select(const Model &model, const std::string &variant, const std::vector<std::string> &invariants,
	    WorldSetup &setup);

}  // namespace model
