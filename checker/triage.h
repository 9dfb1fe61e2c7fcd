// KCSAN report triage (`perfmc kcsan`): from a parsed report to an answer a maintainer can paste
// into a reply: is it perf's, which field, the two kernel paths with their locks, the verdict with
// the invariant broken and by how much, the fixes (variants) that close it, the replay command, and
// where the full proof is.
//
// The steps:
//   kcsan::classify()         scope            (checker/kcsan/scope.h)
//   kcsan::name_race_field()  field            (checker/kcsan/fields.h)
//   kcsan::entry_paths()      paths            (checker/kcsan/paths.h)
//   kcsan::plan_scenario()    the scenario built from the paths (checker/kcsan/synth.h)
//   shipped_evidence()        a shipped scenario declaring the report's pair: it decides only when
//                             its CPUs run the report's paths and its run races on the field
//   synthesised_evidence()    the built scenario, parsed as files are, run under upstream and every
//                             variant within the time budget; it decides otherwise
//   format_answer() / answer_json()   the answer
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "checker/api.h"
#include "checker/kcsan/fields.h"
#include "checker/kcsan/paths.h"
#include "checker/kcsan/report.h"
#include "checker/kcsan/scope.h"
#include "checker/kcsan/synth.h"

namespace perfmc {

struct Match {
	std::string scenario;  // name
	std::string file;
	int score = 0;         // 3: the title's function pair; 2: both stacks; 1: the one access (unknown origin)
	std::string pair;      // the scenario's `covers` entry that matched
	int path_score = 0;    // report frames named by the scenario's ops: the tie-break
};

// Scenarios in dir whose declared KCSAN pairs match the report, best match first (the pair, then
// how many of the report's frames the scenario's ops enter through).
std::vector<Match> match_scenarios(const kcsan::Report &report, const std::string &dir);

// The kinds of kernel path (kcsan::AccessPath::kind) a scenario's CPUs run, one per lane.
std::vector<std::string> scenario_path_kinds(const Scenario &scenario);

// The model's race on the report's field between the lanes that run the report's two paths.
struct FieldRace {
	bool found = false;
	std::string field;           // the model's member: "perf_event.tstamp"
	std::string functions;       // the model's racing functions: "perf_event_update_time / __perf_update_times"
	bool same_functions = false; // each report access's function is on its model access's stack
	std::vector<int> lanes;      // the two lanes
};

// What decides the verdict.
struct Evidence {
	std::string source;        // "shipped scenario" or "synthesised scenario"
	Scenario scenario;
	std::string text;          // the scenario file (synthesised: as built, with the verdicts found)
	std::string matched_on;    // "the title's pair perf_event_set_state / perf_mmap_rb", "the report's paths"
	std::vector<std::string> scenario_paths;  // per lane
	bool paths_agree = false;  // the scenario's CPUs run the report's paths
	std::string path_note;     // how they agree or differ, for people
	FieldRace race;            // the report's race, as the model ran it under upstream
	RunResult upstream;
	std::vector<std::pair<std::string, Verdict>> variants;  // shipped: every variant the scenario expects;
	                                                        // synthesised: every variant of the model
	std::vector<std::string> also;  // other shipped scenarios declaring the pair
	bool ran = false;          // a shipped scenario whose CPUs run other paths is not run
	double seconds = 0;        // all its runs
	bool reproduced() const { return paths_agree && race.found; }
};

// How long the runs of one report may take in all (each search gets its share, then is cut:
// incomplete), so that an answer takes under 5 s (bench/kcsan).
inline constexpr double kTriageBudgetSeconds = 3.5;

// The best shipped scenario declaring the report's pair, run, with its CPUs' paths and its races
// compared with the report's; nothing when none declares the pair.
std::optional<Evidence> shipped_evidence(const kcsan::Report &report, const kcsan::Paths &paths, const std::string &dir,
					 const kcsan::RaceField &field = {}, double budget_seconds = kTriageBudgetSeconds);

// The scenario built from the report (kcsan/synth.h), parsed as files are, run under upstream and
// every variant of the model within budget_seconds; nothing when the plan is not runnable (an
// access has no model op). Throws InputError if the built text does not parse (a bug: kcsan's
// tests check every corpus report's).
std::optional<Evidence> synthesised_evidence(const kcsan::Report &report, const kcsan::Paths &paths,
					     const kcsan::RaceField &field, const kcsan::Synthesis &plan,
					     double budget_seconds = kTriageBudgetSeconds, const std::string &origin = "");

// The race on the report's field in a run, between the lanes running the report's paths (lane_of:
// per access, the lanes that may run it).
FieldRace find_field_race(const kcsan::Report &report, const kcsan::RaceField &field, const RunResult &run,
			  const std::vector<std::vector<int>> &lane_of);

struct Answer {
	kcsan::Report report;
	size_t index = 0;                  // in the file, from 0
	std::optional<size_t> same_as;     // the same report as an earlier one in the file
	kcsan::Scope scope;
	kcsan::RaceField field;
	kcsan::Paths paths;
	kcsan::Synthesis synthesis;        // the scenario built from the report's paths
	std::string scenario_text;         // its file: the synthesised evidence's text, or the plan's
	std::optional<Evidence> evidence;  // what decides: the shipped scenario that runs the report's
	                                   // paths and races on its field, else the synthesised one
	std::optional<Evidence> shipped;   // a shipped scenario that matched the title only (not deciding)
	std::optional<Evidence> synthesised;  // the synthesised scenario's runs, when it ran
	std::string shipped_note;          // how the title-matched shipped scenario differs, or ""
	std::string verdict;               // reproduced: "harmful", "benign", "pass", "incomplete"; else
	                                   // "not modelled", "not reproduced"; "not perf"
	std::vector<std::string> missing;  // "perf_swevent_event() in stack 2": the frames the model lacks
};

struct TriageOptions {
	std::string dir;         // scenarios
	std::string input;       // the report file as the user named it, for the commands printed
	std::string proof_file;  // where the full answers are written (--proof), or ""
	double budget_seconds = kTriageBudgetSeconds;  // for the runs of one report
};

Answer triage(const kcsan::Report &report, size_t index, const TriageOptions &options);

// The answer to read (about 25 lines at most; one line for a report that is not perf's), or with
// verbose everything behind it: parser notes, both fields, the full paths, the proof (the race as
// the model saw it, the invariant, the interleaving), the skeleton.
std::string format_answer(const Answer &answer, const TriageOptions &options, bool verbose);

// The same for machines: everything format_answer(verbose) says.
nlohmann::json answer_json(const Answer &answer, const TriageOptions &options = {});

// The process exit status for a set of answers: 1 when one is harmful, else 0.
int answers_exit_status(const std::vector<Answer> &answers);

}  // namespace perfmc
