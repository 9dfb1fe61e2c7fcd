// Run the CLI in-process, as CLI11's own tests drive their parser: exit code, stdout, stderr.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "checker/cli/cli.h"

struct CliRun {
	int code;
	std::string out, err;
};

inline CliRun run_cli(std::vector<std::string> args)
{
	std::ostringstream out, err;
	int code = perfmc::perfmc_main(args, out, err);
	return CliRun{code, out.str(), err.str()};
}

inline bool contains(const std::string &text, const std::string &needle) { return text.find(needle) != std::string::npos; }

inline std::string scenarios_dir() { return PERFMC_SOURCE_DIR "/scenarios"; }
