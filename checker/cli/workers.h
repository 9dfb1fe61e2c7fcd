// Local parallelism for `run --jobs` and `suite --jobs`: Relacy keeps process-global state, so
// parallel work means processes. Each worker computes a string (JSON) that the parent collects.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "checker/sim/runner.h"

namespace perfmc {

// The board of a --jobs search (sim::ShardBoard), in memory that the workers forked after its
// creation share with the parent and each other.
class SharedBoard {
public:
	SharedBoard();
	~SharedBoard();
	SharedBoard(const SharedBoard &) = delete;
	SharedBoard &operator=(const SharedBoard &) = delete;
	sim::ShardBoard *get() { return board_; }
	void reset() { board_->first_event.store(UINT64_MAX); }

private:
	sim::ShardBoard *board_;
};

// Forks n workers, runs work(k) in worker k, returns their outputs in worker order. Throws
// std::runtime_error when a worker cannot be started or does not finish cleanly.
std::vector<std::string> run_in_processes(int n, const std::function<std::string(int)> &work);

}  // namespace perfmc
