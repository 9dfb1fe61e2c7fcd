#include "checker/sim/search/core.h"

#include <algorithm>
#include <cstdio>

#include "checker/sim/search/strategy.h"

namespace sim::search {

SchedulerCore::SchedulerCore(Run &run) : run_(run) { run_.strategy->begin_round(); }

/*
 * Every lane first runs, in lane order and without decisions, to its first scheduling point:
 * what comes before it is invisible (local or race-free), so its order cannot matter.
 */
int SchedulerCore::begin(const Lanes &lanes, uint64_t iteration)
{
	depth_ = 0;
	started_ = 0;
	sleep_.clear();
	repeat_ = false;
	run_.choices.clear();
	run_.preemptions = 0;
	run_.strategy->begin_execution(iteration);
	int first = lanes.running[0];
	for (int i = 0; i < lanes.count; i++)
		first = std::min(first, lanes.running[i]);
	return first;
}

int SchedulerCore::choose(int current, bool current_running, const Lanes &lanes)
{
	Runtime &rt = runtime();
	started_ |= 1u << current;
	if (pick_unstarted(lanes))
		return next_start_;
	/* a lane about to take a lock another lane holds would only block: not a choice */
	const bool current_runnable = current_running && rt.enabled(current);
	candidates_.clear();
	if (current_runnable)
		candidates_.push_back(current);
	const size_t first_other = candidates_.size();
	for (int i = 0; i < lanes.count; i++)
		if (lanes.running[i] != current && rt.enabled(lanes.running[i]))
			candidates_.push_back(lanes.running[i]);
	std::sort(candidates_.begin() + static_cast<std::ptrdiff_t>(first_other), candidates_.end());
	if (candidates_.empty()) {
		/* every runnable lane waits for a held lock: let Relacy run one into the block */
		sleep_.clear();
		if (current_running)
			return current;
		for (int i = 0; i < lanes.count; i++)
			candidates_.push_back(lanes.running[i]);
		std::sort(candidates_.begin(), candidates_.end());
		return candidates_[0];
	}
	if (repeat_)  // the rest of a repeated execution: no decisions, nothing recorded
		return candidates_[0];
	const int first = candidates_[0];
	if (rt.reduction) {
		/* sleep sets: a lane asleep here would only repeat an execution explored before */
		sleep_.remove_asleep(candidates_);
		if (candidates_.empty()) {
			repeat_ = true;
			return first;
		}
	}
	/* the preemption bound holds: only the current lane may go on (choice 0, if awake) */
	Strategy &strategy = *run_.strategy;
	const int bound = strategy.bound();
	const bool bound_holds = current_runnable && bound >= 0 && run_.preemptions >= bound;
	const bool current_awake = current_runnable && candidates_[0] == current;
	const Decision d{static_cast<unsigned>(candidates_.size()), depth_, current, bound_holds, current_awake, candidates_};
	unsigned index = 0;
	if (candidates_.size() > 1) {
		index = strategy.decide(d);
		if (index == kNothingLeft) {
			repeat_ = true;
			return first;
		}
		depth_++;
		run_.choices.push_back(static_cast<uint8_t>(index));
	} else if (bound_holds && !current_awake) {
		strategy.cut_single(d);
		repeat_ = true;  // the one lane left would be a preemption: next round's
		return first;
	}
	const int chosen = candidates_[index];
	if (current_runnable && chosen != current)
		run_.preemptions++;
	if (rt.reduction)
		sleep_.after(rt, candidates_, index, chosen, rt.nr_lanes);
	return chosen;
}

bool SchedulerCore::end(uint64_t iteration)
{
	Strategy &strategy = *run_.strategy;
	strategy.execution_ended(depth_);
	if (runtime().new_visible) {
		if (stop_requested() || out_of_time(run_))
			run_.limited = true;  // the search would restart: it did not finish
		else
			run_.restart = true;
		return true;
	}
	const Search mode = run_.options.search;
	if ((mode == Search::Exhaustive || mode == Search::Bounded) && !strategy.owns(repeat_, run_.preemptions))
		run_.not_owned++;
	/* the executions the result will report (Result::executions): what the limits count */
	const uint64_t done = run_.executions_before + iteration - run_.not_owned;
	const Options &o = run_.options;
	if (o.board && o.board->passed(ShardBoard::key(strategy.bound(), o.shard))) {
		/* another shard found a violation or a new name first, in (round, shard) order: what
		 * this shard could still find would come after it (README "Sharding") */
		run_.limited = !strategy.last_execution(depth_);
		run_.yielded = run_.limited;
		return true;
	}
	if (stop_requested()) {
		run_.limited = !strategy.last_execution(depth_);
		return true;
	}
	if (o.progress && (iteration & 4095) == 0)
		show_progress(done);
	if (o.max_executions && done >= o.max_executions) {
		run_.limited = !strategy.last_execution(depth_);
		return true;
	}
	if (out_of_time(run_)) {
		run_.limited = !strategy.last_execution(depth_);
		return true;
	}
	return strategy.advance(depth_, iteration);
}

/* the lowest runnable lane that has not reached its first scheduling point, if any */
bool SchedulerCore::pick_unstarted(const Lanes &lanes)
{
	bool found = false;
	for (int i = 0; i < lanes.count; i++) {
		const int lane = lanes.running[i];
		if (!(started_ & (1u << lane)) && (!found || lane < next_start_)) {
			next_start_ = lane;
			found = true;
		}
	}
	return found;
}

void SchedulerCore::show_progress(uint64_t done) const
{
	std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - run_.start;
	if (elapsed.count() < 1.0)
		return;
	std::fprintf(stderr, "\rperfmc: %llu executions, %.0f/s, %.1f s ", static_cast<unsigned long long>(done),
		     done / elapsed.count(), elapsed.count());
	std::fflush(stderr);
}

}  // namespace sim::search
