// Scenario files: one named hazard as data (setup, CPU lanes of kernel entry points, expected
// verdicts per variant), parsed from TOML and validated against the registry of what the model
// offers. Every name is resolved to an index here, so the runner never sees an unknown name;
// every object keeps its source position, so later messages can point into the file.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace perfmc {

// CPU numbers run from 0 to max_cpus - 1: the simulator runs at most this many lanes, and per-CPU
// state in the model is sized by it.
inline constexpr int max_cpus = 4;

// ---- the registry: what the model offers, filled from the model; the parser validates against it

enum class ArgKind {
	Event,    // the name of a [[setup.event]]
	Context,  // the name of a [[setup.context]]
	Cpu,      // a CPU number, 0 to max_cpus - 1
	Integer,  // any integer literal
};

struct ParamSpec {
	std::string name;  // "ctx", shown in arity errors: "'sched_out' takes 1 argument (ctx), got 2"
	ArgKind kind;
};

struct OpSpec {
	std::string name;               // "sched_out"
	std::vector<ParamSpec> params;
	std::string summary;            // "task switch out: perf_event_task_sched_out()"
	std::string area = {};          // the kernel area it belongs to ("sched", "aux", ...), for listings
};

struct Registry {
	std::string name = "perf";                // the model: `model = "..."` in a scenario
	std::string summary;                      // the kernel it models
	std::vector<OpSpec> ops;                  // kernel entry points a lane may run by name
	std::vector<OpSpec> functions;            // model functions a `call` op may name
	std::vector<std::string> variants;        // "upstream", "mmap-ctx-lock", ...: keys of [expect]
	std::vector<std::string> invariants;      // "no-lost-time", ...: the default set is all of them
	std::vector<std::string> attrs;           // perf_event_attr bits accepted in setup.event.attr
	// model names that are no longer models, each with what to write instead (an input error)
	std::vector<std::pair<std::string, std::string>> retired;
};

// ---- the parsed scenario

struct SourcePos {
	int line = 0;    // 1-based, as toml++ counts; 0 when unknown
	int column = 0;  // 1-based, in code points
};

struct ContextSpec {
	std::string name;
	std::optional<std::string> task;  // a task context for this task ...
	std::optional<int> cpu;           // ... or a CPU context for this CPU: exactly one is set
	std::optional<int> running_on;    // task contexts: the CPU the task runs on at the start
	SourcePos pos;                    // the [[setup.context]] header
};

struct EventSpec {
	std::string name;
	int context = -1;                    // index into Scenario::contexts
	int leader = -1;                     // index into Scenario::events; itself for a group leader
	std::string state = "INACTIVE";      // OFF, INACTIVE, ACTIVE or ERROR (PERF_EVENT_STATE_*)
	bool mapped = false;                 // a ring buffer is already mapped (perf_mmap done)
	std::map<std::string, int64_t> attr; // only the bits the file sets (booleans as 0/1); an absent
	                                     // bit is 0, as in a zeroed perf_event_attr
	SourcePos pos;                       // the [[setup.event]] header
};

struct OpArg {
	std::string text;  // as written: "E", "3"
	ArgKind kind;      // the parameter's kind, from the registry
	int index = -1;    // into contexts or events; the value itself for Cpu and Integer
	SourcePos pos;     // the argument itself, inside the op string
};

struct LockRef {
	enum class Kind {
		CtxLock,    // <context>.lock: ctx->lock, a raw spinlock
		CtxMutex,   // <context>.mutex: ctx->mutex
		MmapMutex,  // <event>.mmap_mutex: event->mmap_mutex
	};
	std::string text;  // "T.lock"
	int object = -1;   // into contexts (CtxLock, CtxMutex) or events (MmapMutex)
	Kind kind = Kind::CtxLock;
	SourcePos pos;
};

struct Op {
	std::string name;            // the op ("sched_out") or, for a call, the model function
	bool is_call = false;        // { call = "...", args = [...], locks = [...] }
	std::vector<OpArg> args;     // one per registry parameter, in order
	std::vector<LockRef> locks;  // calls only: taken in this order before, released after
	SourcePos pos;               // the op's name in its string, or the inline table's '{'
	std::string text;            // as written, trimmed; for a call: "f(E) under T.lock"
	std::string summary;         // the registry's summary of the op or function
};

struct LaneSpec {
	std::string name;       // "task switch", shown above the lane in reports
	int cpu = 0;            // the CPU this lane runs on; default: the lane's index
	std::string in = "task"; // task, irq or nmi: the context its code runs in on that CPU
	std::vector<Op> ops;    // run in order
	SourcePos pos;          // the [[cpu]] header
};

struct SearchSpec {
	std::string mode = "exhaustive";   // exhaustive, bounded or random
	std::optional<int> bound;          // preemption bound, for bounded
	std::optional<int64_t> iterations; // for random
	std::optional<int64_t> seed;       // for random
	std::optional<int> pct;            // for random: PCT depth (0: uniform)
};

struct Scenario {
	std::string file;                     // as given to the parser, for messages
	std::string name;                     // equals the file stem when loaded from a file
	std::string model = "perf";           // the model (Registry::name) the scenario runs on
	std::string summary;                  // one paragraph, whitespace runs folded to one space
	std::vector<std::string> covers;      // KCSAN titles "A / B" this scenario reproduces
	std::vector<std::string> references;  // reports, commits
	std::vector<std::string> invariants;  // to check; every registry invariant when not given
	int64_t tick = 1;                     // ns perf_clock() advances per read; > 0
	std::vector<ContextSpec> contexts;
	std::vector<EventSpec> events;
	std::vector<Op> setup_ops;            // [setup] ops: run in order on cpu0, before the lanes, in every execution
	std::vector<LaneSpec> lanes;          // 1 to max_cpus
	std::vector<std::pair<std::string, std::string>> expect;  // variant, verdict; in file order
	SearchSpec search;
};

// Parses and validates a scenario. Throws InputError carrying every problem found, each as
// "file:line:col: error: ..." with at most one hint; returns only a fully resolved scenario.
// With several registries, the file's `model` key picks one (default: the first).
Scenario parse_scenario(std::string_view text, const std::string &filename, const std::vector<Registry> &registries);
Scenario parse_scenario(std::string_view text, const std::string &filename, const Registry &registry);

// Reads a scenario file and parses it as above; also requires `name` to equal the file's stem,
// since scenarios are found by file name. An unreadable file is an InputError too.
Scenario load_scenario_file(const std::string &path, const std::vector<Registry> &registries);
Scenario load_scenario_file(const std::string &path, const Registry &registry);

// What `perfmc show` prints: setup, lanes with their ops, expectations and search defaults.
// Deterministic: the same scenario gives the same bytes.
std::string describe(const Scenario &scenario);

}  // namespace perfmc
