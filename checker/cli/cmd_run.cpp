// perfmc run NAME|FILE: explore one scenario under one variant and print the verdict and proof.
#include <csignal>
#include <cstdio>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checker/api.h"
#include "checker/cli/cli.h"
#include "checker/cli/workers.h"
#include "checker/diagnostic.h"

namespace perfmc {

namespace {
struct RunCliOptions {
	std::string scenario, dir = default_scenario_dir();
	RunOptions run;
	std::string search, shard, replay;
	int jobs = 1;
	bool strict = false, json = false, no_reduction = false;
};

std::pair<int, int> parse_shard(const std::string &text)
{
	int k = -1, n = -1;
	char slash = 0, extra = 0;
	if (std::sscanf(text.c_str(), "%d%c%d%c", &k, &slash, &n, &extra) != 3 || slash != '/' || n < 1 || k < 0 || k >= n)
		throw InputError(Diagnostic{"", 0, 0, "bad --shard '" + text + "': expected K/N with 0 <= K < N",
					    "e.g. --shard 0/4 ... --shard 3/4, then `perfmc merge` their --json outputs"});
	return {k, n};
}

void on_interrupt(int) { sim::request_stop(); }

/* --jobs N: the shards of this run as N local processes, merged here */
nlohmann::json run_jobs(const Scenario &scenario, const RunCliOptions &o)
{
	std::vector<nlohmann::json> parts;
	for (const std::string &text : run_in_processes(o.jobs, [&](int k) {
		     RunOptions ro = o.run;
		     ro.shard = k;
		     ro.shards = o.jobs;
		     ro.progress = false;
		     return report_json(scenario, run_scenario(scenario, ro, o.scenario)).dump();
	     }))
		parts.push_back(nlohmann::json::parse(text));
	return merge_results(parts);
}

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
	o.run.reduction = !o.no_reduction;
	if (!o.shard.empty())
		std::tie(o.run.shard, o.run.shards) = parse_shard(o.shard);
	if (o.jobs > 1 && (o.run.shards > 1 || o.run.replay))
		throw InputError(Diagnostic{"", 0, 0, "--jobs cannot be combined with --shard or --replay", ""});
	o.run.progress = isatty(STDERR_FILENO) && !o.json;
	Scenario scenario = load_scenario(o.scenario, o.dir);

	auto previous = std::signal(SIGINT, on_interrupt);
	if (o.jobs > 1) {
		nlohmann::json merged = run_jobs(scenario, o);
		std::signal(SIGINT, previous);
		if (o.json) {
			out << merged.dump(2) << "\n";
		} else if (merged["verdict"] == "harmful") {
			/* the text report of the failing execution, by replaying it here */
			RunOptions replay = o.run;
			replay.replay = merged["replay"].get<std::string>();
			RunResult r = run_scenario(scenario, replay, o.scenario);
			out << format_report(scenario, r);
			err << fmt::format("perfmc: {} executions explored by {} jobs\n", merged["executions"].get<uint64_t>(), o.jobs);
		} else {
			out << fmt::format("{} [{}]: {}: {} executions by {} jobs, {} data races{}\n", scenario.name, o.run.variant,
					   merged["verdict"].get<std::string>(), merged["executions"].get<uint64_t>(), o.jobs,
					   merged["races"].size(), merged["complete"].get<bool>() ? " (search complete)" : "");
		}
		return merged["verdict"] == "harmful" ? kExitViolation : kExitOk;
	}
	RunResult result = run_scenario(scenario, o.run, o.scenario);
	std::signal(SIGINT, previous);
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
	cmd->add_option_function<int>("--pct", [o](int d) { o->run.pct = d; },
				      "random: PCT priorities for bugs of depth D (D-1 priority changes per execution); 0: uniform")
		->check(CLI::Range(0, 16));
	cmd->add_option("--replay", o->replay, "run exactly the execution of this token (from a report)");
	cmd->add_option("--shard", o->shard, "explore only part K of N disjoint parts (K/N); merge with `perfmc merge`");
	cmd->add_option("--jobs", o->jobs, "run the search as N local processes, one shard each")->check(CLI::Range(1, 64));
	cmd->add_option("--max-executions", o->run.max_executions, "stop after this many executions (verdict: incomplete)");
	cmd->add_option("--timeout", o->run.timeout_seconds, "stop after this many seconds (verdict: incomplete)");
	cmd->add_flag("--no-reduction", o->no_reduction, "schedule at every access (the full search; for comparison)");
	cmd->add_flag("--strict", o->strict, "report every conflict with a plain access (not KCSAN's default policy)");
	cmd->add_flag("--json", o->json, "print the result as JSON");
	return Verb{cmd, [o](std::ostream &out, std::ostream &err) { return run_run(*o, out, err); }};
}

}  // namespace perfmc
