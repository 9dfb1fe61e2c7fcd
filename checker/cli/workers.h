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

// Runs work(0) .. work(tasks - 1), each in a process of its own, at most `workers` at a time: task
// k + 1 starts as soon as a process is free (tasks in order, so the first tasks start first).
// Returns the outputs in task order; throws as run_in_processes(). With `usage`, also each task's
// worker slot (0 to workers - 1) and the CPU time (user + system) its process took. A task for which
// `skip` (asked when it would start) says true is not run: its output is empty.
struct TaskUsage {
	int slot = 0;
	double cpu_ms = 0;
};
std::vector<std::string> run_in_pool(int tasks, int workers, const std::function<std::string(int)> &work,
				     std::vector<TaskUsage> *usage = nullptr, const std::function<bool(int)> &skip = {});

}  // namespace perfmc
