/*
 * The state of one search (one sim::explore() call), local to it: what used to be a global of
 * runner.cpp. The driver (driver.cpp) owns it; the Relacy adapter (runner.cpp) reaches it through
 * the one pointer Relacy's interface forces (it constructs the scheduler and the test suite
 * itself, with no argument of ours). Part of the search core; no Relacy here.
 */
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "checker/sim/runner.h"

namespace sim::search {

class Strategy;

struct Run {
	const Program *program = nullptr;
	Options options;
	std::unique_ptr<Strategy> strategy;
	std::chrono::steady_clock::time_point start;

	/* how the search ends */
	bool limited = false;            // stopped before the end: a limit, a signal, another shard
	bool restart = false;            // the reduction found a new visible name: run the search again
	bool yielded = false;            // stopped: another shard's board event comes first (Options::board)
	std::string error;               // the search itself failed (a bad token, non-determinism)

	/* the current execution */
	std::vector<uint8_t> choices;    // its choices at the decisions (its replay token)
	int preemptions = 0;

	/* counts */
	uint64_t executions_before = 0;  // executions of earlier rounds
	uint64_t not_owned = 0;          // executions another shard or an earlier round owns, or repeats

	/* what the executions found */
	bool world_alive = false;        // Program::setup ran, Program::teardown not yet
	std::set<std::string> race_keys;
	std::set<std::string> outcomes;
	std::vector<Race> races;
	std::exception_ptr thrown;       // what model code threw (the search stops there)
	int thrown_lane = -1;
};

/* request_stop() was called (a signal): the search stops after the current execution */
bool stop_requested();

/* --timeout: the clock is read after every execution (a vDSO call, tens of nanoseconds) */
inline bool out_of_time(const Run &run)
{
	if (run.options.timeout_seconds <= 0)
		return false;
	const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - run.start;
	return elapsed.count() > run.options.timeout_seconds;
}

}  // namespace sim::search
