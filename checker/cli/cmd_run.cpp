// perfmc run NAME|FILE: explore one scenario under one variant and print the verdict and proof.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checker/api.h"
#include "checker/cli/cli.h"
#include "checker/cli/signals.h"
#include "checker/cli/values.h"
#include "checker/cli/workers.h"
#include "checker/diagnostic.h"

namespace perfmc {

namespace {
/* the options as given: text, converted and checked in to_run_options() */
struct RunCliOptions {
	std::string scenario, dir = default_scenario_dir();
	std::optional<std::string> variant, search, bound, seed, iterations, pct, replay, shard, jobs, max_executions,
		timeout, visible;
	bool strict = false, json = false, no_reduction = false;
};

constexpr uint64_t kNoMax = std::numeric_limits<uint64_t>::max();

/* every value of the command line, in one place (checker/cli/values.h) */
RunOptions to_run_options(const RunCliOptions &o, int &jobs)
{
	RunOptions run;
	if (o.variant)
		run.variant = parse_nonempty("--variant", *o.variant, "`perfmc list --ops` lists each model's variants");
	if (o.search)
		run.search = *o.search == "bounded" ? SearchMode::Bounded
			     : *o.search == "random" ? SearchMode::Random
						     : SearchMode::Exhaustive;
	if (o.bound)
		run.bound = static_cast<int>(parse_count("--bound", *o.bound, 0, 1'000'000));
	if (o.seed)
		run.seed = parse_count("--seed", *o.seed, 0, kNoMax);
	if (o.iterations)
		run.iterations = parse_count("--iterations", *o.iterations, 1, kNoMax);
	if (o.pct)
		run.pct = static_cast<int>(parse_count("--pct", *o.pct, 0, 16));
	if (o.replay)
		run.replay = parse_nonempty("--replay", *o.replay, "give the token of a report's replay line");
	if (o.shard)
		std::tie(run.shard, run.shards) = parse_shard(*o.shard);
	if (o.visible)
		run.visible = parse_visible(*o.visible);
	if (o.max_executions)
		run.max_executions = parse_count("--max-executions", *o.max_executions, 1, kNoMax);
	if (o.timeout)
		run.timeout_seconds = parse_seconds("--timeout", *o.timeout);
	jobs = o.jobs ? parse_jobs(*o.jobs) : 1;
	if (jobs > 1 && (run.shards > 1 || run.replay))
		throw InputError(Diagnostic{"", 0, 0, "--jobs cannot be combined with --shard or --replay", ""});
	if (o.strict)
		run.policy = sim::RacePolicy::Strict;
	run.reduction = !o.no_reduction;
	return run;
}

/*
 * --jobs N: the search as many more parts (shards) than workers, kPartsPerJob per job, run as
 * local processes, at most N at a time, each part starting as soon as a worker is free
 * (checker/sim/README.md, "Sharding"), merged here, in epochs. Every part of an epoch searches its
 * part of the tree of the same visible names. A part that finds a violation or a new visible name
 * posts it on the shared board, and every part whose remaining search comes later in (preemption
 * round, part) order stops (a part that starts after that stops after its first execution). When
 * the first event is a new name, the next epoch runs every part again with it; when it is a
 * violation, or no part found a new name, the epoch's parts are the result.
 */
constexpr int kPartsPerJob = 16;

nlohmann::json run_jobs(const Scenario &scenario, const RunOptions &run, const std::string &source, int jobs)
{
	const bool tree = (run.search ? *run.search != SearchMode::Random : scenario.search.mode != "random");
	const int nparts = jobs * kPartsPerJob;
	SharedBoard board;
	std::vector<std::string> visible = run.visible;
	uint64_t discovery = 0, runs = 0, accesses = 0;
	std::vector<double> worker_cpu_ms(static_cast<size_t>(jobs));  // the CPU time of the parts each worker ran
	double cpu_ms = 0;
	int epochs = 0;
	const auto start = std::chrono::steady_clock::now();
	for (;;) {
		board.reset();
		RunOptions ro = run;
		ro.shards = nparts;
		ro.progress = false;
		ro.visible = visible;
		ro.stop_at_new_name = tree;
		ro.board = tree ? board.get() : nullptr;
		std::vector<nlohmann::json> parts;
		std::vector<TaskUsage> usage;
		for (const std::string &text : run_in_pool(nparts, jobs, [&](int k) {
			     ro.shard = k;
			     if (run.timeout_seconds > 0)  // what is left of it when the part starts
				     ro.timeout_seconds = std::max(
					     1e-3, run.timeout_seconds -
							   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
			     return report_json(scenario, run_scenario(scenario, ro, source)).dump(-1, ' ', false, kJsonReplace);
		     }, &usage, [&](int k) {
			     /* an event of round 0 of a lower part comes first: the part would stop after one execution */
			     return tree && board.get()->passed(sim::ShardBoard::key(0, k));
		     }))
			if (!text.empty())  // a part not run (skipped)
				parts.push_back(nlohmann::json::parse(text));
		for (const TaskUsage &u : usage)
			worker_cpu_ms[static_cast<size_t>(u.slot)] += u.cpu_ms;
		/* the first event: the least (round, shard) among violations and new names */
		const nlohmann::json *first = nullptr;
		bool cut_short = false;
		for (const nlohmann::json &p : parts) {
			const std::string stopped = p["stopped"].is_string() ? p["stopped"].get<std::string>() : "";
			cut_short = cut_short || stopped == "timeout" || stopped == "max-executions" || stopped == "signal";
			if (p["verdict"] == "harmful" || stopped == "new-visible-names")
				if (!first || p["bound"].get<int>() < (*first)["bound"].get<int>())
					first = &p;  // parts come in shard order: the first of a round is the least shard
		}
		if (first && (*first)["stopped"] == "new-visible-names" && !cut_short && !stop_requested()) {
			for (const auto &n : (*first)["new_visible"])
				visible.push_back(n.get<std::string>());
			std::sort(visible.begin(), visible.end());
			for (const nlohmann::json &p : parts) {
				discovery += p["executions"].get<uint64_t>();
				runs += p["runs"].get<uint64_t>();
				accesses += p["accesses"].get<uint64_t>();
				cpu_ms += p["elapsed_ms"].get<double>();
			}
			epochs++;
			continue;
		}
		nlohmann::json merged = merge_results(parts);
		merged["discovery_executions"] = merged["discovery_executions"].get<uint64_t>() + discovery;
		merged["runs"] = merged["runs"].get<uint64_t>() + runs;
		merged["accesses"] = merged["accesses"].get<uint64_t>() + accesses;
		merged["cpu_ms"] = merged["cpu_ms"].get<double>() + cpu_ms;
		merged["elapsed_ms"] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
		merged["epochs"] = epochs + 1;
		merged["parts"] = nparts;
		/* how evenly the parts spread: on an idle machine the wall time is about the largest */
		merged["worker_cpu_ms"] = worker_cpu_ms;
		return merged;
	}
}

int run_run(const RunCliOptions &o, std::ostream &out, std::ostream &err)
{
	int jobs = 1;
	RunOptions run = to_run_options(o, jobs);
	run.progress = isatty(STDERR_FILENO) && !o.json;
	Scenario scenario = load_scenario(o.scenario, o.dir);
	check_run_options(scenario, run);

	StopOnSignal stop_on_signal;
	if (jobs > 1) {
		nlohmann::json merged = run_jobs(scenario, run, o.scenario, jobs);
		if (o.json) {
			out << merged.dump(2, ' ', false, kJsonReplace) << "\n";
		} else if (merged["verdict"] == "harmful") {
			/* the text report of the failing execution, by replaying it here */
			RunOptions replay = run;
			replay.replay = merged["replay"].get<std::string>();
			RunResult r = run_scenario(scenario, replay, o.scenario);
			out << format_report(scenario, r);
			err << fmt::format("perfmc: {} executions explored by {} jobs; {}\n", merged["executions"].get<uint64_t>(), jobs,
					   merged.value("fewest_preemptions", false)
						   ? "no execution with fewer preemptions breaks an invariant (every shard searched the lower bounds)"
						   : "an execution with fewer preemptions may break an invariant too (not every shard searched the lower bounds)");
		} else {
			out << fmt::format("{} [{}]: {}: {} executions by {} jobs, {} data races{}\n", scenario.name,
					   merged["variant"].get<std::string>(), merged["verdict"].get<std::string>(),
					   merged["executions"].get<uint64_t>(), jobs, merged["races"].size(),
					   merged["complete"].get<bool>() ? " (search complete)"
					   : stop_requested()              ? " (stopped by a signal)"
									   : "");
		}
		return exit_status(merged["verdict"].get<std::string>());
	}
	RunResult result = run_scenario(scenario, run, o.scenario);
	if (o.json)
		out << report_json(scenario, result).dump(2, ' ', false, kJsonReplace) << "\n";
	else
		out << format_report(scenario, result);
	/* how much was searched: always for a harmful or cut-short run (kept out of the report, whose
	 * bytes a replay reproduces) */
	if (!o.json && (result.verdict == Verdict::Harmful || result.verdict == Verdict::Incomplete))
		err << format_statistics(result);
	return exit_status(result.verdict);
}
}  // namespace

Verb setup_run(CLI::App &app)
{
	auto o = std::make_shared<RunCliOptions>();
	CLI::App *cmd = app.add_subcommand(
		"run", std::string("Explore a scenario's interleavings under a model variant; print the verdict and the proof\n"
				   "  example: perfmc run mmap-vs-sched_out --variant mmap-ctx-lock   # does the fix close the race?\n"
				   "  SIGINT or SIGTERM stops the search after its current execution and prints what it found\n  ") +
			       kExitStatusHelp);
	auto text = [&](const char *name, std::optional<std::string> RunCliOptions::*field, const std::string &help) {
		return cmd->add_option_function<std::string>(
			name, [o, field](const std::string &v) { (*o).*field = v; }, help);
	};
	cmd->add_option("scenario", o->scenario, "scenario name or .toml path")->required();
	cmd->add_option("--scenarios", o->dir, "scenario directory");
	text("--variant", &RunCliOptions::variant,
	     "model variant: a fix, see `perfmc list --ops`; default: the model's first (upstream for perf)");
	text("--search", &RunCliOptions::search, "exhaustive, bounded or random; default: the scenario's [search], else exhaustive")
		->check(CLI::IsMember({"exhaustive", "bounded", "random"}));
	text("--bound", &RunCliOptions::bound, "bounded: at most this many preemptions (default: 0, 1, 2... until complete)");
	text("--seed", &RunCliOptions::seed, "random: the seed (0 or more)");
	text("--iterations", &RunCliOptions::iterations, "random: how many executions (1 or more)");
	text("--pct", &RunCliOptions::pct, "random: PCT priorities for bugs of depth D (D-1 priority changes per execution), 0 to 16; 0: uniform");
	text("--replay", &RunCliOptions::replay, "run exactly the execution of this token (from a report of the same scenario and variant)");
	text("--shard", &RunCliOptions::shard, "explore only part K of N disjoint parts (K/N); merge with `perfmc merge`");
	text("--jobs", &RunCliOptions::jobs, "run the search as N local processes, one shard each (1 to 64)");
	text("--visible", &RunCliOptions::visible,
	     "names to schedule at from the start (A,B,...): what `perfmc merge` prints under rerun.option for shards to run again");
	text("--max-executions", &RunCliOptions::max_executions, "stop after this many executions (verdict: incomplete, exit 4)");
	text("--timeout", &RunCliOptions::timeout, "stop after this many seconds (verdict: incomplete, exit 4)");
	cmd->add_flag("--no-reduction", o->no_reduction, "schedule at every access (the full search; for comparison)");
	cmd->add_flag("--strict", o->strict, "report every conflict with a plain access (not KCSAN's default policy)");
	cmd->add_flag("--json", o->json, "print the result as JSON");
	return Verb{cmd, [o](std::ostream &out, std::ostream &err) { return run_run(*o, out, err); }};
}

}  // namespace perfmc
