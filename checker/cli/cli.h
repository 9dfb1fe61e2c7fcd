// The command line, callable in-process (tests) as well as from main().
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "checker/api.h"

namespace perfmc {

// Exit codes, the same for every verb (README.md, `perfmc --help`).
enum ExitCode {
	kExitOk = 0,          // ran, and met the expectation (no violation; every verdict as expected)
	kExitViolation = 1,   // a violation (run), a deviation (suite), a harmful report (kcsan)
	kExitInput = 2,       // bad usage or bad input
	kExitInternal = 3,    // a bug in perfmc
	kExitIncomplete = 4,  // no violation found, but the search did not finish (a bound, a limit, a
	                      // signal; a random search): never the same as a proven pass
};

// JSON output replaces bytes that are not UTF-8 (a name from a file, a token) rather than throw.
inline constexpr auto kJsonReplace = nlohmann::json::error_handler_t::replace;

// The exit status of one verdict: harmful 1, incomplete 4, pass and benign 0.
int exit_status(Verdict verdict);
int exit_status(const std::string &verdict);

// The help text's paragraph on exit statuses, shared by `perfmc --help` and the verbs.
extern const char *const kExitStatusHelp;

// args excludes the program name. Results go to out, diagnostics to err.
int perfmc_main(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);

// Each verb registers itself on the app and records a runner for after parsing.
struct Verb {
	CLI::App *command;
	std::function<int(std::ostream &out, std::ostream &err)> run;
};
Verb setup_list(CLI::App &app);
Verb setup_show(CLI::App &app);
Verb setup_run(CLI::App &app);
Verb setup_suite(CLI::App &app);
Verb setup_kcsan(CLI::App &app);
Verb setup_merge(CLI::App &app);

}  // namespace perfmc
