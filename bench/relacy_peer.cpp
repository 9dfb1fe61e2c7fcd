/*
 * The peer benchmark written by hand as a plain Relacy test (rl::var fields, rl::mutex for
 * ctx->lock, Relacy's own full-search scheduler): the baseline for perfmc's engine overhead.
 * Same shape as bench/scenarios/peer-T{2,3}-K{1..4}-fixed.toml: CPU A alternates task-switch
 * state changes under ctx->lock, CPU B runs perf_event_update_time under ctx->lock, CPU C (T=3)
 * reads the INACTIVE event under ctx->lock. The time arithmetic follows __perf_update_times().
 *
 * usage: perfmc_bench_relacy T K   -> prints "executions seconds accesses" (accesses: every rl::var
 * access the threads made over the whole search, for the cost per access)
 */
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <relacy/relacy.hpp>

static int K = 1;
static unsigned long long accesses;  // field accesses by the threads, over the whole search
#define A(v) (++accesses, v($))

struct peer_state {
	rl::var<unsigned long> time, timestamp, now;  // ctx->time, ctx->timestamp, the model clock
	rl::var<int> state;
	rl::var<unsigned long> tstamp, enabled, running;
};

template <int T> struct peer : rl::test_suite<peer<T>, T> {
	rl::mutex lock;
	peer_state s;

	void before()
	{
		s.time($) = 0;
		s.timestamp($) = 0;
		s.now($) = 0;
		s.state($) = 1;
		s.tstamp($) = 0;
		s.enabled($) = 0;
		s.running($) = 0;
	}
	void update_context_time()
	{
		unsigned long now = A(s.now) + 10;
		A(s.now) = now;
		A(s.time) = A(s.time) + (now - A(s.timestamp));
		A(s.timestamp) = now;
	}
	void update_time()
	{
		unsigned long now = A(s.time);
		unsigned long delta = now - A(s.tstamp);
		A(s.enabled) = A(s.enabled) + delta;
		if (A(s.state) == 1)
			A(s.running) = A(s.running) + delta;
		A(s.tstamp) = now;
	}
	void thread(unsigned index)
	{
		for (int i = 0; i < K; i++) {
			lock.lock($);
			update_context_time();
			update_time();
			if (index == 0)
				A(s.state) = A(s.state) == 1 ? 0 : 1;
			lock.unlock($);
		}
	}
};

template <int T> static void run()
{
	rl::test_params p;
	p.search_type = rl::sched_full;
	p.execution_depth_limit = 100000;
	std::ostringstream sink;
	p.output_stream = &sink;
	p.progress_stream = &sink;
	auto start = std::chrono::steady_clock::now();
	rl::simulate<peer<T>>(p);
	double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	std::printf("%llu %.3f %llu\n", static_cast<unsigned long long>(p.stop_iteration), seconds, accesses);
}

int main(int argc, char **argv)
{
	int t = argc > 1 ? std::atoi(argv[1]) : 2;
	K = argc > 2 ? std::atoi(argv[2]) : 1;
	if (t == 3)
		run<3>();
	else
		run<2>();
	return 0;
}
