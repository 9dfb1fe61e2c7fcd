/*
 * perfmc's scheduler without Relacy: at each scheduling point, which lane runs next. The Relacy
 * adapter (runner.cpp) constructs one per round and calls it at the start of each execution, at
 * each scheduling point and at the end of each execution; it asks the strategy at each decision
 * and keeps the sleep sets, the preemption count and the run's limits. Part of the search core.
 *
 * The candidates at a scheduling point are the runnable lanes, the current one first (choice 0
 * means "go on", so a token's trailing zeros can be dropped), then the others by index. Choosing
 * another lane while the current one could go on is a preemption. Points with a single candidate
 * are not decisions and are not recorded.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "checker/sim/search/reduction.h"
#include "checker/sim/search/run.h"

namespace sim::search {

/* the lanes as the scheduler that runs them sees them */
struct Lanes {
	const int *running;   // the lanes that have not finished and are not parked
	int count;
};

class SchedulerCore {
public:
	explicit SchedulerCore(Run &run);

	/* an execution starts: the lane that runs first */
	int begin(const Lanes &lanes, uint64_t iteration);
	/* `current` (running: neither parked nor finished) reached a scheduling point: who runs next */
	int choose(int current, bool current_running, const Lanes &lanes);
	/* the execution `iteration` of this round ended: true when the round is over */
	bool end(uint64_t iteration);

private:
	bool pick_unstarted(const Lanes &lanes);
	void show_progress(uint64_t done) const;

	Run &run_;
	size_t depth_ = 0;          // the decisions of this execution so far
	unsigned started_ = 0;      // the lanes that have reached their first scheduling point
	int next_start_ = 0;
	std::vector<int> candidates_;
	SleepSet sleep_;
	bool repeat_ = false;       // every awake choice was asleep (or the bound left nothing): the
	                            // rest of the execution repeats one explored
};

}  // namespace sim::search
