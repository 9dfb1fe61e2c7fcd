// KCSAN report triage: which scenarios model a report, and the skeleton of one when none does.
#pragma once

#include <string>
#include <vector>

#include "checker/api.h"
#include "checker/kcsan/report.h"

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

// A scenario file to complete: one CPU per access, a `call` of the innermost model function of
// each stack, a comment for each frame the model does not know. Valid TOML as printed.
std::string scenario_skeleton(const kcsan::Report &report);

}  // namespace perfmc
