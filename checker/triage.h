// KCSAN report triage (`perfmc kcsan`): from a parsed report to an answer a maintainer can paste
// into a reply: is it perf's, which field, the two kernel paths with their locks, the verdict with
// the invariant broken and by how much, the fixes (variants) that close it, the replay command, and
// where the full proof is.
//
// The steps are separate so that issue 16's synthesis can replace the evidence step:
//   kcsan::classify()         scope            (checker/kcsan/scope.h)
//   kcsan::name_race_field()  field            (checker/kcsan/fields.h)
//   kcsan::entry_paths()      paths            (checker/kcsan/paths.h)
//   shipped_evidence()        the verdict's evidence: today a shipped scenario that declares the
//                             report's function pair (the title), run under upstream and its variants,
//                             with its CPUs' paths compared with the report's. A synthesised scenario
//                             (built from entry_paths()) is another Evidence with source "synthesised".
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

// A scenario file to complete: one CPU per access (one CPU, and the interrupt's context, when the
// report's two accesses were on one), a `call` of the innermost model function of each stack, a
// comment for each frame the model does not know and each kernel path. Valid TOML as printed.
std::string scenario_skeleton(const kcsan::Report &report);

// The kinds of kernel path (kcsan::AccessPath::kind) a scenario's CPUs run, one per lane.
std::vector<std::string> scenario_path_kinds(const Scenario &scenario);

// What decides the verdict.
struct Evidence {
	std::string source;        // "shipped scenario" (today); "synthesised scenario" (issue 16 item 3)
	Scenario scenario;
	std::string matched_on;    // "the title's pair perf_event_set_state / perf_mmap_rb"
	std::vector<std::string> scenario_paths;  // per lane
	bool paths_agree = false;  // the scenario's CPUs run the report's paths
	std::string path_note;     // how they agree or differ, for people
	RunResult upstream;
	std::vector<std::pair<std::string, Verdict>> variants;  // every variant the scenario expects
	std::vector<std::string> also;  // other shipped scenarios declaring the pair
};

// The best shipped scenario for the report, run; nothing when none declares the pair.
std::optional<Evidence> shipped_evidence(const kcsan::Report &report, const kcsan::Paths &paths, const std::string &dir);

struct Answer {
	kcsan::Report report;
	size_t index = 0;                  // in the file, from 0
	std::optional<size_t> same_as;     // the same report as an earlier one in the file
	kcsan::Scope scope;
	kcsan::RaceField field;
	kcsan::Paths paths;
	std::optional<Evidence> evidence;
	std::string verdict;               // "harmful", "benign", "pass", "incomplete", "not covered", "not perf"
	std::string skeleton;              // perf, not covered: a scenario to complete
};

struct TriageOptions {
	std::string dir;         // scenarios
	std::string input;       // the report file as the user named it, for the commands printed
	std::string proof_file;  // where the full answers are written (--proof), or ""
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
