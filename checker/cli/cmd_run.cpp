// perfmc run NAME|FILE: explore one scenario under one variant and print the verdict and proof.
#include <nlohmann/json.hpp>

#include "checker/api.h"
#include "checker/cli/cli.h"

namespace perfmc {

namespace {
struct RunCliOptions {
	std::string scenario, dir = default_scenario_dir();
	RunOptions run;
	std::string search;
	int bound = -1;
	uint64_t seed = 0, iterations = 0;
	std::string replay;
	bool strict = false, json = false;
};

int run_run(RunCliOptions &o, std::ostream &out, std::ostream &err)
{
	if (!o.search.empty())
		o.run.search = o.search == "bounded" ? SearchMode::Bounded
			       : o.search == "random" ? SearchMode::Random
						      : SearchMode::Exhaustive;
	if (!o.replay.empty())
		o.run.replay = o.replay;
	if (o.strict)
		o.run.policy = sim::RacePolicy::Strict;
	Scenario scenario = load_scenario(o.scenario, o.dir);
	RunResult result = run_scenario(scenario, o.run, o.scenario);
	if (o.json)
		out << report_json(scenario, result).dump(2) << "\n";
	else
		out << format_report(scenario, result);
	if (!o.json && result.verdict == Verdict::Harmful)
		err << format_statistics(result);
	return result.verdict == Verdict::Harmful ? kExitViolation : kExitOk;
}
}  // namespace

Verb setup_run(CLI::App &app)
{
	auto o = std::make_shared<RunCliOptions>();
	CLI::App *cmd = app.add_subcommand(
		"run", "Explore a scenario's interleavings under a model variant; print the verdict and the proof\n"
		       "  example: perfmc run mmap-vs-sched_out --variant mmap-ctx-lock   # does the fix close the race?\n"
		       "  exit status: 0 no violation, 1 violation (harmful), 2 bad usage or input");
	cmd->add_option("scenario", o->scenario, "scenario name or .toml path")->required();
	cmd->add_option("--scenarios", o->dir, "scenario directory");
	cmd->add_option("--variant", o->run.variant, "model variant: upstream (default) or a fix, see `perfmc list --ops`");
	cmd->add_option("--search", o->search, "exhaustive (default), bounded or random; default: the scenario's [search]")
		->check(CLI::IsMember({"exhaustive", "bounded", "random"}));
	cmd->add_option_function<int>("--bound", [o](int b) { o->run.bound = b; },
				      "bounded: at most this many preemptions (default: 0, 1, 2... until complete)")
		->check(CLI::NonNegativeNumber);
	cmd->add_option_function<uint64_t>("--seed", [o](uint64_t s) { o->run.seed = s; }, "random: the seed");
	cmd->add_option_function<uint64_t>("--iterations", [o](uint64_t n) { o->run.iterations = n; },
					   "random: how many executions")
		->check(CLI::PositiveNumber);
	cmd->add_option("--replay", o->replay, "run exactly the execution of this token (from a report)");
	cmd->add_option("--max-executions", o->run.max_executions, "stop after this many executions (verdict: incomplete)");
	cmd->add_option("--timeout", o->run.timeout_seconds, "stop after this many seconds (verdict: incomplete)");
	cmd->add_flag("--strict", o->strict, "report every conflict with a plain access (not KCSAN's default policy)");
	cmd->add_flag("--json", o->json, "print the result as JSON");
	return Verb{cmd, [o](std::ostream &out, std::ostream &err) { return run_run(*o, out, err); }};
}

}  // namespace perfmc
