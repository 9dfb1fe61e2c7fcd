#include "checker/cli/signals.h"

#include <signal.h>
#include <unistd.h>

#include "checker/api.h"

namespace perfmc {

namespace {

constexpr int kMaxTargets = 64;
volatile pid_t targets[kMaxTargets];
volatile std::sig_atomic_t nr_targets = 0;
volatile std::sig_atomic_t is_worker = 0;
volatile std::sig_atomic_t signals_seen = 0;

extern "C" void on_stop_signal(int sig)
{
	const bool again = signals_seen != 0;
	signals_seen = 1;
	if (again && !is_worker) {
		/* the second one: the user means it */
		std::signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	request_stop_all();
}

}  // namespace

void request_stop_all()
{
	request_stop();
	for (int i = 0; i < nr_targets; i++)
		kill(targets[i], SIGTERM);
}

StopOnSignal::StopOnSignal()
{
	clear_stop();
	signals_seen = 0;
	struct sigaction sa {};
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, &old_int_);
	sigaction(SIGTERM, &sa, &old_term_);
}

StopOnSignal::~StopOnSignal()
{
	sigaction(SIGINT, &old_int_, nullptr);
	sigaction(SIGTERM, &old_term_, nullptr);
}

void add_stop_target(pid_t worker)
{
	if (nr_targets < kMaxTargets) {
		targets[nr_targets] = worker;
		nr_targets = nr_targets + 1;
	}
}

void remove_stop_target(pid_t worker)
{
	for (int i = 0; i < nr_targets; i++)
		if (targets[i] == worker) {
			targets[i] = targets[nr_targets - 1];  // a signal in between signals the last one twice
			nr_targets = nr_targets - 1;
			return;
		}
}

void clear_stop_targets() { nr_targets = 0; }

void become_worker()
{
	nr_targets = 0;
	is_worker = 1;
}

}  // namespace perfmc
