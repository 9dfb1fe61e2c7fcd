// The simulator's limits (issue 18 items 3, 5, 7): model code that throws inside a simulated lane
// ends the search with the exception and the execution that threw (never std::terminate), the
// timeout is kept to a fraction of a second, --max-executions counts the executions it reports,
// the failing execution kept for the report is bounded, and searches in one process do not grow
// its memory.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include <unistd.h>

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

namespace {

/* lanes that each write then read `n` shared fields: no reduction, a tree far beyond any test's time */
sim::Program wide(int lanes, int n)
{
	sim::Program p;
	p.setup = [] { obj = std::make_unique<shared_obj>(); };
	p.teardown = [] { obj.reset(); };
	for (int l = 0; l < lanes; l++)
		p.lanes.push_back({std::string(1, static_cast<char>('A' + l)), l, sim::LaneContext::Task, [n] {
					   for (int i = 0; i < n; i++) {
						   obj->x = obj->x + 1;
						   obj->y = obj->y + 1;
					   }
				   }});
	return p;
}

}  // namespace

TEST_CASE("a timeout stops the search within a tenth of a second of the limit", "[kernel][limits]")
{
	sim::Options o;
	o.reduction = false;
	o.timeout_seconds = 0.3;
	auto start = std::chrono::steady_clock::now();
	auto r = sim::explore(wide(3, 4), o);
	const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	CHECK(r.limited);
	CHECK_FALSE(r.complete);
	CHECK(seconds >= 0.3);
	CHECK(seconds < 0.45);  // 0.1 s, and a margin for a loaded machine
	CHECK(r.elapsed_ms < 450);
}

TEST_CASE("a max_executions limit counts the executions the result reports", "[kernel][limits]")
{
	for (int shards : {1, 2, 3}) {
		CAPTURE(shards);
		sim::Options o;
		o.max_executions = 50;
		o.shard = shards - 1;
		o.shards = shards;
		auto r = sim::explore(wide(3, 2), o);  // sleep sets cut executions short, shards skip some
		CHECK(r.limited);
		CHECK(r.executions == 50);
		CHECK(r.runs > r.executions);  // the runs not counted: repeats, other shards', discovery
	}
	sim::Options random;
	random.search = sim::Search::Random;
	random.iterations = 1000;
	random.max_executions = 7;
	auto r = sim::explore(wide(2, 2), random);
	CHECK(r.executions == 7);
	CHECK(r.limited);
}

TEST_CASE("a failing execution of a long lane is kept bounded: its start and its end, the middle counted", "[kernel][limits]")
{
	sim::Program p;
	p.setup = [] { obj = std::make_unique<shared_obj>(); };
	p.teardown = [] { obj.reset(); };
	p.lanes = {{"long", 0, sim::LaneContext::Task, [] {
			    MODEL_FRAME(0);
			    for (int i = 0; i < 100000; i++)
				    obj->x = obj->x + 1;
			    sim::violation("long-lane", "the end of a long lane");
		    }}};
	sim::Options o;
	o.max_steps = 1000;
	const std::clock_t start = std::clock();  // CPU time: the machine may be busy with other tests
	auto r = sim::explore(p, o);
	const double seconds = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
	REQUIRE(r.outcome == sim::Outcome::Violation);
	CHECK(r.steps.size() == 1000);
	CHECK(r.steps_elided == 200001 - 1000);  // a read and a write per increment, and the violation
	CHECK(r.steps_elided_at == 250);
	CHECK(r.steps.front().what == "obj.x");
	CHECK(r.steps.back().kind == sim::StepKind::Violation);
	CHECK(seconds < 1.0);

	o.max_steps = 0;  // every step
	CHECK(sim::explore(p, o).steps.size() == 200001);
}

namespace {

long resident_kib()
{
	std::ifstream statm("/proc/self/statm");
	long size = 0, resident = 0;
	statm >> size >> resident;
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

}  // namespace

TEST_CASE("searches in one process do not grow its memory (fiber stacks are given back)", "[kernel][limits]")
{
	/* eight lanes: Relacy's own fibers kept 8 x 64 KiB per round, never freed (about 100 MB here) */
	sim::Program p = wide(8, 1);
	sim::Options o;
	o.max_executions = 1;
	for (int i = 0; i < 20; i++)
		sim::explore(p, o);
	const long before = resident_kib();
	for (int i = 0; i < 300; i++) {
		auto r = sim::explore(p, o);
		REQUIRE(r.executions == 1);
	}
	const long grown = resident_kib() - before;
	INFO("resident set grew by " << grown << " KiB over 300 searches");
	CHECK(grown < 4096);
}
