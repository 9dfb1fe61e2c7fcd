// The command line, callable in-process (tests) as well as from main().
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace perfmc {

// Exit codes, the same for every verb.
enum ExitCode {
	kExitOk = 0,         // ran, and met the expectation (no violation; every verdict as expected)
	kExitViolation = 1,  // a violation (run), a deviation (suite), a harmful report (kcsan)
	kExitInput = 2,      // bad usage or bad input
	kExitInternal = 3,   // a bug in perfmc
};

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
