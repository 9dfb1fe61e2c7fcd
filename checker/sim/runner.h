/*
 * The simulator's public surface: explore every interleaving (or a bounded or random part, or one
 * replayed schedule) of a few lanes of model code on Relacy, and say what happened.
 *
 * A Program is plain C++ (lambdas): setup builds the world for each execution, each lane runs its
 * body on its own simulated thread, finish runs after every lane has finished (final checks).
 * Relacy itself stays inside runner.cpp; nothing here includes it.
 */
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/kernel/sim.h"

namespace sim {

/* What a lane's code runs as on its CPU. */
enum class LaneContext {
	Task,  // process context: does not run while a handler of its CPU runs, or another task lane
	       // of its CPU has preemption off
	Irq,   // a hard interrupt: starts where its CPU has IRQs on and no handler runs, and owns the
	       // CPU until it returns (the code it interrupted waits); IRQs off throughout
	Nmi,   // an NMI: starts anywhere but in another NMI of its CPU (or a masked PMI), owns the CPU
};

struct LaneSpec {
	std::string name;       // "task switch", shown in the report's lanes
	int cpu = 0;
	LaneContext in = LaneContext::Task;
	std::function<void()> body;
};

struct Program {
	std::function<void()> setup;     // builds the world, every execution (sequential, not checked)
	std::vector<LaneSpec> lanes;     // 1 to kMaxLanes
	std::function<void()> finish;    // after all lanes, every execution (may call violation())
	std::function<void()> teardown;  // frees the world, every execution (also after a failure)
	std::function<std::string()> outcome;  // optional: the final state of an execution, after finish
	uint64_t tick = 1;               // the model clock's advance per read
};

enum class Search {
	Exhaustive,  // every schedule (depth-first over the scheduling choices)
	Bounded,     // schedules with at most `bound` preemptions; bound < 0: 0, 1, 2, ... until complete
	Random,      // `iterations` random schedules from `seed`
	Replay,      // exactly the schedule in `replay`
};

enum class RaceMode {
	Record,  // harm mode: races are recorded and the execution goes on (every access as if atomic)
	Fatal,   // race mode: the first race ends the execution and the search
};

enum class RacePolicy {
	Default,  // KCSAN's default: CONFIG_KCSAN_ASSUME_PLAIN_WRITES_ATOMIC=y
	Strict,   // every conflict with a plain access
};

/*
 * The board the shards of one `--jobs` search share (in memory mapped into every worker process):
 * the first event so far in the order (preemption round, shard) -- a violation, or an execution
 * that found a new visible name. A shard whose search can only produce later events stops
 * (Result::yielded). See README "Sharding".
 */
struct ShardBoard {
	std::atomic<uint64_t> first_event{UINT64_MAX};
	static uint64_t key(int round, int shard)
	{
		return (static_cast<uint64_t>(static_cast<uint32_t>(round + 1)) << 32) | static_cast<uint32_t>(shard);
	}
	void post(uint64_t key)
	{
		uint64_t seen = first_event.load(std::memory_order_relaxed);
		while (key < seen && !first_event.compare_exchange_weak(seen, key, std::memory_order_relaxed)) {
		}
	}
	bool passed(uint64_t key) const { return first_event.load(std::memory_order_relaxed) < key; }
};

struct Options {
	Search search = Search::Exhaustive;
	int bound = -1;
	uint64_t seed = 1;
	uint64_t iterations = 1000;
	int pct_depth = 0;              // random: 0 uniform choices; d >= 1 PCT priorities with d-1 change points
	std::string replay;             // a schedule token (Result::schedule)
	RaceMode race_mode = RaceMode::Record;
	RacePolicy policy = RacePolicy::Default;
	bool reduction = true;          // skip scheduling points that cannot change the outcome (README)
	bool prove_locking = true;      // lockdep's IRQ-usage check (CONFIG_PROVE_LOCKING): irq-unsafe-lock
	size_t deepening_budget = size_t{16} << 20;  // bytes for a deepening round's work list; over it, rounds re-run the tree
	int shard = 0, shards = 1;      // explore only part `shard` of `shards` disjoint parts (runner.cpp)
	std::vector<std::string> visible;  // names visible from the start: the set the shards agreed on (README "Sharding")
	bool stop_at_new_name = false;  // a new visible name ends the search (Result::new_names) instead of restarting it
	ShardBoard *board = nullptr;    // Exhaustive/Bounded: the other shards' first event (stop when it comes before ours)
	uint64_t max_executions = 0;    // 0: no limit
	double timeout_seconds = 0;     // 0: no limit
	bool progress = false;          // a progress line on stderr for searches over a second
	size_t max_steps = 2000;        // the failing execution's steps kept in Result::steps (0: all)
};

struct FrameInfo {
	std::string function;
	int line = 0;
	bool inlined = false;
	std::string file = "core.c";  // the kernel source file's base name
};

struct AccessInfo {
	int lane = -1, cpu = -1;
	AccessType type = AccessType::Read;
	Marking marking = Marking::Plain;
	unsigned size = 0;
	std::vector<FrameInfo> stack;  // innermost first
	uint64_t old_value = 0, new_value = 0;
	int step = -1;                 // index into the execution's steps
};

struct Race {
	std::string field;           // "perf_event.total_time_enabled"
	AccessInfo first, second;    // first: the earlier access; second: the one that found the race
	std::string title() const;   // "data-race in perf_event_set_state / perf_mmap_rb" (KCSAN's order)
	std::string key() const;     // identity for de-duplication: field, access types, both stacks
};

enum class StepKind : uint8_t { Read, Write, ReadWrite, Acquire, Release, Block, Clock, Note, Violation };

/* One row of the interleaving: what a lane did, in the function it did it in. */
struct Step {
	int lane = -1, cpu = -1;
	StepKind kind = StepKind::Note;
	Marking marking = Marking::Plain;
	std::vector<FrameInfo> stack;  // innermost first
	std::string what;              // field, lock or note text
	uint64_t old_value = 0, value = 0;
	bool racy = false;             // this access is one side of a reported race
};

struct Violation {
	std::string invariant;  // "no-lost-time", "kernel-warning", "lockdep", ...
	std::string detail;
	int lane = -1;          // -1: found by the final check
	std::vector<FrameInfo> stack;
};

enum class Outcome {
	Ok,         // no violation (races may have been recorded)
	Violation,  // an invariant broke: the failing execution is in steps/schedule
	Race,       // RaceMode::Fatal only: the first race
	Deadlock,   // every lane blocked
	Error,      // the search itself failed (bad replay token, non-determinism)
	Thrown,     // model code threw (in a lane, the setup or the final check): the search stops
	            // there; `thrown` holds the exception, steps/schedule the execution that threw
};

struct Result {
	Outcome outcome = Outcome::Ok;
	bool complete = false;          // every schedule of the search space was explored
	bool limited = false;           // stopped by max_executions or the timeout
	uint64_t executions = 0;
	double elapsed_ms = 0;
	int bound = -1;                 // Bounded: the preemption bound of the last round run
	int restarts = 0;               // rounds restarted because the reduction found a new visible name
	uint64_t discovery_executions = 0;  // executions of those rounds (not in `executions`)
	uint64_t runs = 0;              // executions run in all: every round, restarted, cut short or another shard's
	uint64_t accesses = 0;          // field accesses the lanes made over all those runs
	std::vector<std::string> visible;  // the names the reduction scheduled at, sorted
	std::vector<std::string> new_names;  // Options::stop_at_new_name: the names the stopping execution found, sorted
	bool yielded = false;           // stopped because another shard's board event comes first (Options::board)
	bool deepening = false;         // the preemption bound grew round by round: the first counterexample has the fewest
	std::vector<std::string> outcomes; // Program::outcome of every passing execution, sorted, unique
	std::vector<Race> races;        // every distinct race over the search, first occurrence
	std::optional<Violation> violation;
	std::vector<Race> failing_races;  // the races of the failing execution
	std::vector<Step> steps;        // the failing execution (or, with Fatal, the racing one), at most
	                                // Options::max_steps of them: its beginning and its end
	uint64_t steps_elided = 0;      // steps of that execution left out of `steps`, between the two parts
	size_t steps_elided_at = 0;     // where in `steps` they were (the index of the first step after them)
	std::string schedule;           // its replay token
	int preemptions = 0;            // preemptions in that execution
	std::vector<std::string> lane_names;
	std::vector<int> lane_cpus;
	std::string error;
	std::exception_ptr thrown;      // Outcome::Thrown: what model code threw
	int thrown_lane = -1;           // the lane it threw in; -1: Program::setup, finish or outcome
};

/* Asks a running search to stop after the current execution (safe from a signal handler). */
void request_stop();

/* Explores the program's schedules under the options. One simulation at a time per process. */
Result explore(const Program &program, const Options &options);

/* The race as KCSAN would print it (title, both accesses with their stacks, value change). */
std::string format_race(const Race &race, const std::vector<std::string> &lane_names);

/* Violations found while no simulation runs (sequential tests, setup); cleared by the call. */
std::vector<Violation> take_sequential_violations();

/* Short names for the report. */
const char *marking_name(Marking marking);
const char *access_type_name(AccessType type);

}  // namespace sim
