// The simulator's limits (issue 18 items 3, 5, 7): model code that throws inside a simulated lane
// ends the search with the exception and the execution that threw (never std::terminate), the
// timeout is kept to a fraction of a second, --max-executions counts the executions it reports,
// the failing execution kept for the report is bounded, and searches in one process do not grow
// its memory.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "checker/sim/runner.h"
#include "model/kernel/kernel.h"

namespace {

struct shared_obj {
	sim::field<u64> x{"obj.x"};
	sim::field<u64> y{"obj.y"};
	raw_spinlock_t lock{"obj.lock"};
};
std::unique_ptr<shared_obj> obj;

/* two lanes racing on x; lane B throws `E` once it reads 1 (an interleaving the search must reach) */
template <class E> sim::Program throws_when_overtaken()
{
	sim::Program p;
	p.setup = [] { obj = std::make_unique<shared_obj>(); };
	p.teardown = [] { obj.reset(); };
	p.lanes = {{"A", 0, sim::LaneContext::Task, [] { obj->x = 1; }},
		   {"B", 1, sim::LaneContext::Task, [] {
			    MODEL_FRAME(0);
			    raw_spin_lock(&obj->lock);  // held when it throws: the teardown must still run
			    if (obj->x == 1)
				    throw E("B saw x = 1");
			    raw_spin_unlock(&obj->lock);
		    }}};
	return p;
}

}  // namespace

TEST_CASE("an exception thrown by model code in a lane ends the search with it and its execution", "[kernel][limits]")
{
	auto r = sim::explore(throws_when_overtaken<std::invalid_argument>(), sim::Options{});
	REQUIRE(r.outcome == sim::Outcome::Thrown);
	CHECK(r.thrown_lane == 1);
	REQUIRE(r.thrown);
	CHECK_THROWS_AS(std::rethrow_exception(r.thrown), std::invalid_argument);
	CHECK_FALSE(r.complete);
	CHECK_FALSE(r.schedule.empty());
	REQUIRE_FALSE(r.steps.empty());
	CHECK(r.steps.back().what == "threw: B saw x = 1");
	CHECK(r.steps.back().lane == 1);
	CHECK(obj == nullptr);  // the world was torn down

	INFO("token " << r.schedule);
	// the token replays the execution that threw
	sim::Options replay;
	replay.search = sim::Search::Replay;
	replay.replay = r.schedule;
	auto again = sim::explore(throws_when_overtaken<std::invalid_argument>(), replay);
	CHECK(again.outcome == sim::Outcome::Thrown);
	CHECK(again.thrown_lane == 1);

	// and the next search in the process runs normally
	sim::Program fine = throws_when_overtaken<std::invalid_argument>();
	fine.lanes[0].body = [] { obj->y = 1; };
	auto ok = sim::explore(fine, sim::Options{});
	CHECK(ok.outcome == sim::Outcome::Ok);
	CHECK(ok.complete);
}

TEST_CASE("an exception thrown by the setup or the final check is caught too, with no lane", "[kernel][limits]")
{
	sim::Program p = throws_when_overtaken<std::invalid_argument>();
	p.lanes[1].body = [] { obj->y = 1; };
	p.finish = [] {
		if (obj->x.peek() == 1)
			throw std::logic_error("final check");
	};
	auto r = sim::explore(p, sim::Options{});
	REQUIRE(r.outcome == sim::Outcome::Thrown);
	CHECK(r.thrown_lane == -1);
	CHECK_THROWS_AS(std::rethrow_exception(r.thrown), std::logic_error);

	p.finish = nullptr;
	p.setup = [] { throw std::runtime_error("setup"); };
	auto s = sim::explore(p, sim::Options{});
	REQUIRE(s.outcome == sim::Outcome::Thrown);
	CHECK(s.thrown_lane == -1);
}
