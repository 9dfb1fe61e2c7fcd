/*
 * The driver of a search (sim::explore()): the rounds of the preemption bound, the restarts when
 * the reduction finds a new visible name, the shards' board, and the Result. Part of the search
 * core; it reaches Relacy only through run_round() (round.h, runner.cpp).
 */
#include <algorithm>
#include <csignal>
#include <cstdio>

#include "checker/sim/execution.h"
#include "checker/sim/runtime.h"
#include "checker/sim/search/round.h"
#include "checker/sim/search/strategy.h"
#include "checker/sim/search/token.h"

namespace sim {

namespace {
/* the one process-wide flag: request_stop() is called from a signal handler */
volatile std::sig_atomic_t stop_flag = 0;
}  // namespace

namespace search {
bool stop_requested() { return stop_flag != 0; }
}  // namespace search

void request_stop() { stop_flag = 1; }

Result explore(const Program &program, const Options &options)
{
	using namespace search;
	stop_flag = 0;
	Result result;
	for (const LaneSpec &l : program.lanes) {
		result.lane_names.push_back(l.name);
		result.lane_cpus.push_back(l.cpu);
	}
	if (program.lanes.empty() || program.lanes.size() > static_cast<size_t>(kMaxLanes)) {
		result.outcome = Outcome::Error;
		result.error = "a program needs 1 to " + std::to_string(kMaxLanes) + " lanes";
		return result;
	}
	for (const LaneSpec &l : program.lanes)
		if (l.cpu < 0 || l.cpu >= kMaxCpus) {
			result.outcome = Outcome::Error;
			result.error = "cpu " + std::to_string(l.cpu) + " out of range (0-" + std::to_string(kMaxCpus - 1) + ")";
			return result;
		}

	Runtime &rt = runtime();
	Run run;
	run.program = &program;
	run.options = options;
	run.start = std::chrono::steady_clock::now();
	install_scheduler_hooks();
	rt.race_mode = options.race_mode;
	rt.reduction = options.reduction;
	rt.prove_locking = options.prove_locking;
	rt.visible.clear();
	if (options.reduction)
		rt.visible.insert(options.visible.begin(), options.visible.end());
	rt.new_visible = false;
	rt.frozen = false;
	/*
	 * Exhaustive and unbounded searches deepen the preemption bound round by round (0, 1, 2...)
	 * until a round cuts nothing off: the whole tree, simplest counterexamples first. Round b
	 * explores only what round b - 1's bound cut off, so every execution of the tree runs once,
	 * in the round of its number of preemptions.
	 */
	const bool tree = options.search == Search::Exhaustive || options.search == Search::Bounded;
	const bool deepening = options.search == Search::Exhaustive || (options.search == Search::Bounded && options.bound < 0);
	const int first_bound = options.search == Search::Bounded && options.bound >= 0 ? options.bound : deepening ? 0 : -1;
	switch (options.search) {
	case Search::Exhaustive:
	case Search::Bounded:
		run.strategy = make_depth_first(run, first_bound, deepening);
		break;
	case Search::Random:
		run.strategy = make_random(run);
		break;
	case Search::Replay: {
		std::vector<uint8_t> choices;
		if (!decode_token(options.replay, choices, result.error)) {
			result.outcome = Outcome::Error;
			return result;
		}
		run.strategy = make_replay(run, std::move(choices));
		break;
	}
	}
	Strategy &strategy = *run.strategy;
	rt.clear_visible_cache();  // after the token's names, if any
	rt.policy = options.policy;
	rt.simulating = true;
	rt.accesses = 0;

	RoundEnd end = RoundEnd::Passed;
	std::vector<std::string> round_visible;  // the names the last round ran under
	strategy.first_round();
	for (;;) {
		run.restart = false;
		rt.new_visible = false;
		round_visible.assign(rt.visible.begin(), rt.visible.end());
		const RoundResult round = run_round(run, options.search == Search::Random ? options.iterations : 1);
		end = round.end;
		run.executions_before += round.runs;
		result.runs += round.runs;
		result.bound = strategy.bound();
		/*
		 * An execution that fails (a violation, a deadlock, an exception) while it turned a name
		 * visible ran with that name invisible up to there: its token, which lists the name,
		 * would not replay it. The search restarts with the name, as after a round, and finds
		 * the failure again where its token replays it.
		 */
		const bool failed_discovering =
			end != RoundEnd::Passed && rt.new_visible && !run.limited && options.search != Search::Replay;
		if (failed_discovering) {
			run.thrown = nullptr;
			run.thrown_lane = -1;
			run.restart = true;
			end = RoundEnd::Passed;
		}
		const bool board = options.board && tree;
		if (end == RoundEnd::Passed && run.restart && !run.limited && options.stop_at_new_name) {
			/* a --jobs epoch: the coordinator restarts every shard with the new names */
			if (board)
				options.board->post(ShardBoard::key(strategy.bound(), options.shard));
			run.limited = true;  // not complete: the part must be searched again with the new names
			break;
		}
		if (end != RoundEnd::Passed && board)
			options.board->post(ShardBoard::key(strategy.bound(), options.shard));
		if (end == RoundEnd::Passed && run.restart && !run.limited) {
			/* the search again from its first round, with the names this one found visible */
			result.restarts++;
			result.discovery_executions += run.executions_before;
			run.executions_before = 0;
			run.not_owned = 0;
			strategy.first_round();
			continue;
		}
		if (end != RoundEnd::Passed || run.limited || !run.error.empty() || !strategy.more())
			break;
		strategy.deepen();
	}
	rt.simulating = false;
	rt.set_in_lane(false);
	rt.frozen = false;

	result.executions = run.executions_before - run.not_owned;
	result.accesses = rt.accesses;
	result.limited = run.limited;
	result.yielded = run.yielded;
	result.deepening = deepening;
	if (end != RoundEnd::Passed) {
		if (run.thrown)
			result.outcome = Outcome::Thrown;
		else if (rt.race_failed)
			result.outcome = Outcome::Race;
		else if (end == RoundEnd::Deadlock)
			result.outcome = Outcome::Deadlock;
		else
			result.outcome = Outcome::Violation;
		if (result.outcome == Outcome::Violation)
			result.violation = rt.violation;
		materialize_races(run, &result.failing_races);
		copy_steps(options.max_steps, result);
		result.schedule = encode_token(run.choices, rt.reduction);
		result.preemptions = run.preemptions;
	}
	teardown_world(run);
	if (!run.error.empty()) {
		result.outcome = Outcome::Error;
		result.error = run.error;
	}
	result.thrown = run.thrown;
	result.thrown_lane = run.thrown_lane;
	result.races = run.races;
	result.outcomes.assign(run.outcomes.begin(), run.outcomes.end());
	/* the names the explored executions were scheduled at; the last execution may have found more
	 * (then it ended the search: a new name with Options::stop_at_new_name, or a violation) */
	result.visible = round_visible;
	std::sort(result.visible.begin(), result.visible.end());
	for (const std::string &n : rt.visible)
		if (!std::binary_search(result.visible.begin(), result.visible.end(), n))
			result.new_names.push_back(n);
	std::sort(result.new_names.begin(), result.new_names.end());
	result.complete = result.outcome == Outcome::Ok && !run.limited && tree && !strategy.cut_off();
	result.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - run.start).count();
	if (options.progress && result.elapsed_ms >= 1000)
		std::fprintf(stderr, "\n");
	return result;
}

}  // namespace sim
