/*
 * The Relacy side of the simulator: a test suite per lane count, and perfmc's own scheduler
 * (search/core.h) adapted to Relacy's scheduler interface and plugged into its context
 * (rl::run_test<Suite, Scheduler>). One round of the search (search/round.h) is one run_test().
 * What to choose, when a round ends and what the search found is the search core's
 * (checker/sim/search/, checker/sim/execution.cpp), which knows nothing of Relacy. This is the
 * only translation unit that includes Relacy; it includes Relacy's headers one by one so that
 * relacy.hpp's macros (new, delete, malloc, assert) never leak into C++ code.
 */
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <ostream>
#include <set>
#include <sstream>
#include <streambuf>
#include <string>
#include <type_traits>
#include <vector>

#include "checker/sim/relacy_platform.h"  // stands in for relacy/platform.hpp: fibers that free their stacks
#include <relacy/base.hpp>
#include <relacy/context.hpp>
#include <relacy/context_base_impl.hpp>
#include <relacy/atomic_fence.hpp>
#include <relacy/atomic.hpp>
#include <relacy/var.hpp>
#include <relacy/test_suite.hpp>
#include <relacy/stdlib/mutex.hpp>
#include <relacy/stdlib/condition_variable.hpp>
#include <relacy/stdlib/semaphore.hpp>
#include <relacy/stdlib/event.hpp>

#include "checker/sim/execution.h"
#include "checker/sim/runtime.h"
#include "checker/sim/search/core.h"
#include "checker/sim/search/round.h"

/*
 * relacy/context.hpp replaces the global operator new and delete (and new[]/delete[]) for the
 * whole program: in a Relacy context they go to its allocator, which perfmc keeps on malloc/free
 * (use_plain_heap() below), elsewhere straight to malloc/free. C++14's sized deletes and the
 * nothrow forms it leaves out would then be the C++ library's, or a sanitizer's, freeing memory
 * that Relacy's new took from malloc (AddressSanitizer: alloc-dealloc-mismatch, before main).
 * These complete the set, so every form of new and delete pairs with its match. (The aligned
 * forms are neither replaced by Relacy nor used with its new: they stay the library's.)
 */
/* (not inlined: g++ would see the free() inside Relacy's delete and take it for a mismatch) */
__attribute__((noinline)) void operator delete(void *p, std::size_t) noexcept { ::operator delete(p); }
__attribute__((noinline)) void operator delete[](void *p, std::size_t) noexcept { ::operator delete[](p); }
void *operator new(std::size_t size, const std::nothrow_t &) noexcept
{
	try {
		return ::operator new(size);
	} catch (...) {
		return nullptr;
	}
}
void *operator new[](std::size_t size, const std::nothrow_t &) noexcept
{
	try {
		return ::operator new[](size);
	} catch (...) {
		return nullptr;
	}
}
__attribute__((noinline)) void operator delete(void *p, const std::nothrow_t &) noexcept { ::operator delete(p); }
__attribute__((noinline)) void operator delete[](void *p, const std::nothrow_t &) noexcept { ::operator delete[](p); }

/*
 * Relacy's replacements are declared `inline`, so g++ emits one only where some call to it is not
 * inlined; a form left out of the program is then the C++ library's (or ASan's), not Relacy's, and
 * frees what the other allocated. Taking their addresses emits all four.
 */
__attribute__((used)) void *(*const relacy_new_forms[])(std::size_t) = {
	static_cast<void *(*)(std::size_t)>(&::operator new), static_cast<void *(*)(std::size_t)>(&::operator new[])};
__attribute__((used)) void (*const relacy_delete_forms[])(void *) = {static_cast<void (*)(void *)>(&::operator delete),
								       static_cast<void (*)(void *)>(&::operator delete[])};

namespace sim::search {
namespace {

/*
 * The one pointer of context that Relacy's interface forces: rl::run_test() constructs the
 * scheduler and the test suite itself, with no argument of ours, so they find the search they
 * belong to here. Set by run_round() for the duration of one rl::run_test(), null otherwise.
 */
Run *the_run = nullptr;

/*
 * perfmc's scheduler as Relacy's: each call goes to the search core (SchedulerCore), with the
 * lanes as Relacy's scheduler base keeps them.
 */
template <rl::thread_id_t N>
class Scheduler : public rl::scheduler<Scheduler<N>, rl::scheduler_thread_info, N> {
public:
	typedef rl::scheduler<Scheduler<N>, rl::scheduler_thread_info, N> base_t;
	typedef typename base_t::thread_info_t thread_info_t;
	typedef typename base_t::shared_context_t shared_context_t;
	struct task_t {};

	Scheduler(rl::test_params &params, shared_context_t &ctx, rl::thread_id_t dynamic)
		: base_t(params, ctx, dynamic), core_(*the_run)
	{
	}

	rl::thread_id_t iteration_begin_impl()
	{
		const rl::thread_id_t first = core_.begin(lanes(), this->iter_);
		runtime().set_lane(static_cast<int>(first));
		return first;
	}

	rl::thread_id_t schedule_impl(rl::unpark_reason &reason, unsigned /*yield*/)
	{
		reason = rl::unpark_reason_normal;
		const thread_info_t &t = *this->thread_;
		const rl::thread_id_t chosen = core_.choose(t.index_, t.state_ == rl::thread_state_running, lanes());
		runtime().set_lane(static_cast<int>(chosen));  // Relacy switches to it next
		return chosen;
	}

	bool iteration_end_impl() { return core_.end(this->iter_); }

	unsigned rand_impl(unsigned /*limit*/, rl::sched_type /*type*/) { return 0; }  // no other randomness in perfmc's use
	rl::iteration_t iteration_count_impl() { return this->iter_ + 1; }
	void get_state_impl(std::ostream &) {}
	void set_state_impl(std::istream &) {}
	void on_thread_block(rl::thread_id_t, bool) {}
	void purge_blocked_threads() {}

private:
	static_assert(std::is_same_v<rl::thread_id_t, int>, "search::Lanes holds Relacy's thread ids as they are");
	Lanes lanes() const
	{
		return Lanes{&this->running_threads[0], static_cast<int>(this->running_threads_count)};
	}

	SchedulerCore core_;
};

/*
 * Relacy replaces the global operator new/delete and, while its context's allocation tracking is
 * on, serves allocations from its own heap (to find leaks in the code under test). perfmc's model
 * allocates with the ordinary heap and frees across executions, so the tracking is kept off:
 * every allocation goes to malloc. disable_alloc_ is protected; a member pointer reaches it.
 */
struct ContextAccess : rl::context {
	static int rl::context::*disable_alloc() { return &ContextAccess::disable_alloc_; }
};

void use_plain_heap()
{
	rl::context &c = rl::ctx();
	if (c.*ContextAccess::disable_alloc() == 0)
		c.*ContextAccess::disable_alloc() = 1;
}

/*
 * Relacy mallocs the suite object's storage once per rl::run_test() and never frees it (its
 * context's destructor has the free commented out); the suite records it and run_round() frees it.
 */
void *suite_storage = nullptr;

template <rl::thread_id_t N> struct Suite : rl::test_suite<Suite<N>, N> {
	Suite() { suite_storage = this; }
	void before()
	{
		use_plain_heap();
		begin_execution(*the_run);
	}
	void thread(unsigned index) { run_lane(*the_run, index); }
	void after() { end_execution(*the_run); }
};

struct NullBuffer : std::streambuf {
	int overflow(int c) override { return c; }
};

template <rl::thread_id_t N> rl::test_result_e run_test(rl::test_params &params)
{
	std::ostringstream state;
	suite_storage = nullptr;
	const rl::test_result_e res = rl::run_test<Suite<N>, Scheduler<N>>(params, state, false);
	std::free(suite_storage);  // Suite is trivially destructible: nothing else to undo
	suite_storage = nullptr;
	return res;
}

rl::test_result_e run_test_dispatch(int lanes, rl::test_params &params)
{
	switch (lanes) {
	case 1: return run_test<1>(params);
	case 2: return run_test<2>(params);
	case 3: return run_test<3>(params);
	case 4: return run_test<4>(params);
	case 5: return run_test<5>(params);
	case 6: return run_test<6>(params);
	case 7: return run_test<7>(params);
	case 8: return run_test<8>(params);
	}
	return rl::test_result_success;
}

}  // namespace

RoundResult run_round(Run &run, uint64_t iterations)
{
	NullBuffer null_buffer;
	std::ostream null_stream(&null_buffer);
	rl::test_params params;
	params.output_stream = &null_stream;
	params.progress_stream = &null_stream;
	params.execution_depth_limit = 1u << 30;
	params.iteration_count = iterations;
	params.search_type = rl::sched_full;  // only for Relacy's bookkeeping; perfmc's scheduler decides
	the_run = &run;
	const rl::test_result_e res = run_test_dispatch(static_cast<int>(run.program->lanes.size()), params);
	the_run = nullptr;
	RoundResult round;
	round.end = res == rl::test_result_success    ? RoundEnd::Passed
		    : res == rl::test_result_deadlock ? RoundEnd::Deadlock
						      : RoundEnd::Failed;
	round.runs = params.stop_iteration;
	return round;
}

void install_scheduler_hooks()
{
	SchedulerHooks &s = runtime().sched;
	s.schedule = [] { rl::ctx().sched(); };
	s.park = [] { rl::ctx().park_current_thread(false, false, false, $); };
	s.unpark = [](int lane) { rl::ctx().unpark_thread(lane, false, $); };
	s.fail = [] { rl::ctx().fail_test("perfmc", rl::test_result_user_assert_failed, $); };
}

}  // namespace sim::search
