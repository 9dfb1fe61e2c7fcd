// Run the CLI in-process, as CLI11's own tests drive their parser: exit code, stdout, stderr.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

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

inline std::string slurp(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	std::stringstream s;
	s << in.rdbuf();
	return s.str();
}

// A fresh, empty directory for one test, /tmp/perfmc-test-<name>-<pid> (ctest runs test cases as
// parallel processes), removed when the process exits.
inline std::string temp_dir(const std::string &name)
{
	struct Cleanup {
		std::vector<std::filesystem::path> dirs;
		~Cleanup()
		{
			std::error_code ec;
			for (const auto &d : dirs)
				std::filesystem::remove_all(d, ec);
		}
	};
	static Cleanup cleanup;
	std::filesystem::path dir =
		std::filesystem::temp_directory_path() / ("perfmc-test-" + name + "-" + std::to_string(getpid()));
	std::filesystem::remove_all(dir);
	std::filesystem::create_directories(dir);
	cleanup.dirs.push_back(dir);
	return dir.string();
}

inline std::string write_file(const std::string &path, const std::string &text)
{
	std::ofstream(path, std::ios::binary) << text;
	return path;
}
