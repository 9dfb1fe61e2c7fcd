/*
 * The seam between the driver (driver.cpp) and Relacy: one round is one rl::run_test() with
 * perfmc's scheduler (search/core.h) plugged in. Defined by runner.cpp, the one translation unit
 * that includes Relacy.
 */
#pragma once

#include <cstdint>

#include "checker/sim/search/run.h"

namespace sim::search {

enum class RoundEnd {
	Passed,    // every execution of the round passed (or the round stopped at a limit)
	Deadlock,  // its last execution deadlocked
	Failed,    // its last execution failed: a violation, a fatal race, an exception
};

struct RoundResult {
	RoundEnd end = RoundEnd::Passed;
	uint64_t runs = 0;  // the executions it ran
};

/* runs executions until the strategy ends the round (Random: at most `iterations` of them) */
RoundResult run_round(Run &run, uint64_t iterations);
/* the Runtime's SchedulerHooks (runtime.h) to Relacy's context */
void install_scheduler_hooks();

}  // namespace sim::search
