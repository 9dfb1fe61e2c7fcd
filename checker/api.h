// The checker's small public surface: load a scenario, run it under a variant with a search, get
// a verdict and the proof; what the CLI and the tests call. Relacy stays behind checker/sim/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "checker/scenario/scenario.h"
#include "checker/sim/runner.h"

namespace perfmc {

enum class Verdict {
	Pass,        // no race, no violation, search complete
	Benign,      // races, but no invariant broke in a complete search
	Harmful,     // an invariant broke (or every CPU deadlocked): the failing execution is the proof
	Incomplete,  // no violation found within the bound, the iterations or the limits
};

const char *verdict_name(Verdict verdict);       // "pass", "benign", "harmful", "incomplete"
std::optional<Verdict> parse_verdict(const std::string &name);

enum class SearchMode { Exhaustive, Bounded, Random };

struct RunOptions {
	std::string variant;                  // empty: the model's base variant, its first ("upstream", "v16"...)
	std::optional<SearchMode> search;     // default: the scenario's [search], else exhaustive
	std::optional<int> bound;             // bounded: preemption bound (none: 0, 1, 2... until complete)
	std::optional<uint64_t> seed;         // random
	std::optional<uint64_t> iterations;   // random
	std::optional<int> pct;               // random: PCT depth (0: uniform random choices)
	std::optional<std::string> replay;    // a token (RunResult::replay_token): run exactly that execution
	sim::RacePolicy policy = sim::RacePolicy::Default;
	uint64_t max_executions = 0;          // 0: no limit
	double timeout_seconds = 0;           // 0: no limit; else finite and positive
	bool reduction = true;                // checker/sim/README.md
	int shard = 0, shards = 1;            // this part of a sharded search
	std::vector<std::string> visible;     // --visible: names scheduled at from the start (the shards' agreed set)
	bool stop_at_new_name = false;        // a --jobs epoch: a new visible name ends the search (sim::Options)
	sim::ShardBoard *board = nullptr;     // a --jobs epoch: the shards' shared first event (sim::Options)
	bool progress = false;                // a progress line on stderr (the CLI sets it for a terminal)
};

// Why a search ended before it was complete (Verdict::Incomplete).
enum class Stop {
	None,           // it ran to its end (a random search's end is its iterations)
	Bound,          // the preemption bound cut schedules off
	MaxExecutions,  // --max-executions
	Timeout,        // --timeout
	Signal,         // SIGINT or SIGTERM (request_stop())
	OtherShard,     // --jobs: another shard found a violation or a new visible name first
	NewNames,       // --jobs: this shard found a new visible name; every shard searches again with it
};
const char *stop_name(Stop stop);  // null for None; "bound", "max-executions", "timeout", "signal", "other-shard", "new-visible-names"

struct RunResult {
	std::string scenario;     // name
	std::string source;       // how the user named it (name or path), for the replay command
	std::string variant;      // the variant run (the model's base variant when none was asked for)
	Verdict verdict = Verdict::Pass;
	std::string search_description;  // "exhaustive", "at most 2 preemptions", "1000 random executions from seed 1"
	sim::Result sim;
	Stop stopped = Stop::None;       // what cut the search short, if anything
	std::string replay_token;        // empty unless harmful: the scenario's identity, then the schedule
	std::string replay_command;      // empty unless the verdict is harmful
	int shard = 0, shards = 1;
};

// Asks the running search (and every search until clear_stop()) to stop after its current
// execution; async-signal-safe, for SIGINT/SIGTERM handlers. stop_requested() says whether asked.
void request_stop();
bool stop_requested();
void clear_stop();

// Every model's entry points, functions, variants, invariants and attrs, as the parser wants
// them; the first is the default model ("perf").
const std::vector<Registry> &model_registries();

// The directory `perfmc` finds scenarios in: $PERFMC_SCENARIOS, else the source tree's scenarios/.
std::string default_scenario_dir();

// A scenario by name (in dir) or by path (anything ending in .toml or containing '/').
// Throws InputError for unknown names (with a did-you-mean hint) and for bad files.
Scenario load_scenario(const std::string &name_or_path, const std::string &dir);

// Every *.toml in dir, sorted by name. Throws InputError when dir is missing.
std::vector<std::string> scenario_files(const std::string &dir);

// Runs the scenario under the options. Throws InputError for an unknown variant, options that do
// not fit together or with the scenario (check_run_options), a setup the model cannot build
// (pointing at the context, event or setup op at fault), or a token of another scenario or variant.
RunResult run_scenario(const Scenario &scenario, const RunOptions &options, const std::string &source);

// The one check of a run's options, against the scenario's search mode: values in range (a finite,
// positive timeout; a shard K/N with 0 <= K < N), and no option of another search (--bound is for
// bounded searches, --seed/--iterations/--pct for random ones). Throws InputError naming the option.
void check_run_options(const Scenario &scenario, const RunOptions &options);

// The variant a run uses: options.variant, or the model's base variant when it is empty.
std::string effective_variant(const Scenario &scenario, const RunOptions &options);

// The identity a replay token carries: 8 hex digits of a stable hash (FNV-1a) of the model, the
// variant and the scenario's canonical form (what runs: setup, ops, lanes, invariants; not its
// path, summary or expectations), so a token replays on a copy of the scenario anywhere, and on
// nothing else.
std::string scenario_identity(const Scenario &scenario, const std::string &variant);

// The report a person reads: verdict line, race blocks, violated invariant, per-CPU lanes,
// replay command. Deterministic: no times, no addresses.
std::string format_report(const Scenario &scenario, const RunResult &result);

// How much was searched ("perfmc: 7 executions explored (exhaustive)"), for stderr: kept out of
// the harmful report so that its replay prints the same bytes.
std::string format_statistics(const RunResult &result);

// The same for machines: verdict, races, violation, executions, elapsed_ms, replay token.
nlohmann::json report_json(const Scenario &scenario, const RunResult &result);

// A search splits into at most this many shards (--shard K/N).
inline constexpr int kMaxShards = 1'000'000;

// The one check of a --json result as `perfmc merge` reads it: an object whose every field the
// merge uses has its type and range (scenario, variant, verdict, shard [K, N] with 0 <= K < N,
// complete, executions >= 0, elapsed_ms, races...). Throws InputError naming `origin` (a file) and
// the field ("races[2].first.stack: expected an array, got a string").
void validate_result(const nlohmann::json &result, const std::string &origin);

// Reads, parses (nesting at most kMaxJsonDepth deep) and validates one result file.
inline constexpr int kMaxJsonDepth = 64;
nlohmann::json read_result_file(const std::string &path);

// Merges the --json results of the shards of one run (same scenario and variant) into one result
// of the same shape: executions add up, races are united, the verdict is the worst, the failing
// execution is the first shard's that failed. Each part is validated first (origins name them in
// messages; "result N" when not given). Throws InputError when they do not belong together.
nlohmann::json merge_results(const std::vector<nlohmann::json> &parts, const std::vector<std::string> &origins = {});

// The interleaving as one column per CPU, one row per step.
std::string format_lanes(const sim::Result &result);

}  // namespace perfmc
