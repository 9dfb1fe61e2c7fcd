// SIGINT and SIGTERM while perfmc works: the search stops after its current execution and the
// verb prints what it found (a run its partial statistics, a suite the rows it finished) and exits
// 4, incomplete (1 if a violation or deviation was found). A second signal to the same process
// ends it at once, with the signal's default action.
#pragma once

#include <csignal>
#include <sys/types.h>

namespace perfmc {

class StopOnSignal {
public:
	StopOnSignal();   // clears an earlier stop request, then installs the handlers
	~StopOnSignal();  // puts the previous handlers back
	StopOnSignal(const StopOnSignal &) = delete;
	StopOnSignal &operator=(const StopOnSignal &) = delete;

private:
	struct sigaction old_int_ {}, old_term_ {};
};

// What a SIGINT/SIGTERM does (async-signal-safe): asks this process's search to stop
// (perfmc::request_stop()) and forwards the request to its --jobs workers.
void request_stop_all();

// Worker processes (--jobs): the parent forwards a stop to each, so that every worker returns
// what it finished; a worker never escalates to its default action.
void add_stop_target(pid_t worker);
void remove_stop_target(pid_t worker);  // it has been reaped: its pid may be reused
void clear_stop_targets();
void become_worker();  // in a worker, right after fork()

}  // namespace perfmc
