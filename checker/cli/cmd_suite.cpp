// perfmc suite [DIR]: every scenario under every variant it names, compared with its expectation.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checker/api.h"
#include "checker/cli/cli.h"

namespace perfmc {

namespace {
struct SuiteOptions {
	std::string dir = default_scenario_dir();
	bool json = false, times = false;
};

int run_suite(const SuiteOptions &o, std::ostream &out)
{
	nlohmann::json rows = nlohmann::json::array();
	int deviations = 0, runs = 0;
	if (!o.json)
		out << fmt::format("{:<36} {:<22} {:<10} {:<10} {:>10}{}\n", "scenario", "variant", "expected", "got",
				   "executions", o.times ? "       time" : "");
	for (const std::string &file : scenario_files(o.dir)) {
		Scenario scenario = load_scenario_file(file, model_registry());
		for (const auto &[variant, expected] : scenario.expect) {
			RunOptions ro;
			ro.variant = variant;
			RunResult r = run_scenario(scenario, ro, scenario.name);
			bool ok = expected == verdict_name(r.verdict);
			deviations += !ok;
			runs++;
			if (o.json) {
				rows.push_back({{"scenario", scenario.name},
						{"variant", variant},
						{"expected", expected},
						{"verdict", verdict_name(r.verdict)},
						{"ok", ok},
						{"executions", r.sim.executions},
						{"elapsed_ms", r.sim.elapsed_ms},
						{"replay_command", r.replay_command}});
			} else {
				out << fmt::format("{:<36} {:<22} {:<10} {:<10} {:>10}{}{}\n", scenario.name, variant, expected,
						   verdict_name(r.verdict), r.sim.executions,
						   o.times ? fmt::format(" {:>8.1f} ms", r.sim.elapsed_ms) : "",
						   ok ? "" : "  DEVIATION");
			}
		}
	}
	if (o.json)
		out << nlohmann::json{{"runs", runs}, {"deviations", deviations}, {"results", rows}}.dump(2) << "\n";
	else
		out << fmt::format("\n{} runs, {} as expected, {} deviations\n", runs, runs - deviations, deviations);
	return deviations ? kExitViolation : kExitOk;
}
}  // namespace

Verb setup_suite(CLI::App &app)
{
	auto o = std::make_shared<SuiteOptions>();
	CLI::App *cmd = app.add_subcommand(
		"suite", "Run every scenario under every variant it names and compare with its expected verdict\n"
			 "  example: perfmc suite\n"
			 "  exit status: 0 every verdict as expected, 1 a deviation, 2 bad input");
	cmd->add_option("dir", o->dir, "scenario directory (default: the shipped scenarios)");
	cmd->add_flag("--json", o->json, "print the results as JSON");
	cmd->add_flag("--times", o->times, "add each run's time to the table");
	return Verb{cmd, [o](std::ostream &out, std::ostream &) { return run_suite(*o, out); }};
}

}  // namespace perfmc
