// Local parallelism for `run --jobs` and `suite --jobs`: Relacy keeps process-global state, so
// parallel work means processes. Each worker computes a string (JSON) that the parent collects.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace perfmc {

// Forks n workers, runs work(k) in worker k, returns their outputs in worker order. Throws
// std::runtime_error when a worker cannot be started or does not finish cleanly.
std::vector<std::string> run_in_processes(int n, const std::function<std::string(int)> &work);

}  // namespace perfmc
