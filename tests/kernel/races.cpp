// KCSAN race semantics of the shim: small multi-CPU programs, each asserting the verdict.
#include <catch2/catch.hpp>

#include <memory>

#include "checker/sim/runner.h"
#include "model/kernel/kernel.h"

namespace {

struct shared_obj {
	sim::field<u64> x{"obj.x"};
	sim::field<u64> y{"obj.y"};
	sim::field<int> flag{"obj.flag"};
	raw_spinlock_t lock{"obj.lock"};
};

std::unique_ptr<shared_obj> obj;

sim::Program two_lanes(std::function<void()> a, std::function<void()> b)
{
	sim::Program p;
	p.setup = [] { obj = std::make_unique<shared_obj>(); };
	p.teardown = [] { obj.reset(); };
	p.lanes = {{"A", 0, sim::LaneContext::Task, std::move(a)}, {"B", 1, sim::LaneContext::Task, std::move(b)}};
	return p;
}

sim::Options race_mode(sim::RacePolicy policy = sim::RacePolicy::Default)
{
	sim::Options o;
	o.race_mode = sim::RaceMode::Fatal;
	o.policy = policy;
	return o;
}

void plain_writer()
{
	MODEL_FRAME(0);
	obj->x = 42;
}
void plain_reader()
{
	MODEL_FRAME(0);
	u64 v = obj->x;
	(void)v;
}
void locked_writer()
{
	MODEL_FRAME(0);
	raw_spin_lock(&obj->lock);
	obj->x = 42;
	raw_spin_unlock(&obj->lock);
}
void locked_reader()
{
	MODEL_FRAME(0);
	raw_spin_lock(&obj->lock);
	u64 v = obj->x;
	(void)v;
	raw_spin_unlock(&obj->lock);
}

}  // namespace

TEST_CASE("an unlocked plain write and plain read on two CPUs race", "[kernel][race]")
{
	auto r = sim::explore(two_lanes(plain_writer, plain_reader), race_mode());
	REQUIRE(r.outcome == sim::Outcome::Race);
	REQUIRE(r.failing_races.size() == 1);
	CHECK(r.failing_races[0].field == "obj.x");
}

TEST_CASE("the same accesses under one spinlock do not race, in any interleaving", "[kernel][race]")
{
	auto r = sim::explore(two_lanes(locked_writer, locked_reader), race_mode());
	CHECK(r.outcome == sim::Outcome::Ok);
	CHECK(r.complete);
	CHECK(r.races.empty());
	CHECK(r.executions >= 2);  // both lock orders were explored
}

TEST_CASE("a plain write under a lock races with an unlocked plain read", "[kernel][race]")
{
	auto r = sim::explore(two_lanes(locked_writer, plain_reader), race_mode());
	REQUIRE(r.outcome == sim::Outcome::Race);
	CHECK(r.failing_races[0].field == "obj.x");
}

TEST_CASE("READ_ONCE against WRITE_ONCE is not a data race", "[kernel][race]")
{
	auto r = sim::explore(two_lanes([] { WRITE_ONCE(obj->x, 1); }, [] { (void)READ_ONCE(obj->x); }),
			      race_mode(sim::RacePolicy::Strict));
	CHECK(r.outcome == sim::Outcome::Ok);
	CHECK(r.complete);
}

TEST_CASE("a marked read against a plain aligned 8-byte write is reported only under the strict policy",
	  "[kernel][race]")
{
	auto program = two_lanes([] { obj->x = 7; }, [] { (void)READ_ONCE(obj->x); });
	SECTION("default policy: plain writes up to word size are assumed atomic")
	{
		auto r = sim::explore(program, race_mode(sim::RacePolicy::Default));
		CHECK(r.outcome == sim::Outcome::Ok);
		CHECK(r.races.empty());
	}
	SECTION("strict policy: every conflict with a plain access")
	{
		auto r = sim::explore(program, race_mode(sim::RacePolicy::Strict));
		CHECK(r.outcome == sim::Outcome::Race);
	}
	SECTION("a plain compound write (x += 1) is never assumed atomic")
	{
		auto r = sim::explore(two_lanes([] { obj->x += 1; }, [] { (void)READ_ONCE(obj->x); }),
				      race_mode(sim::RacePolicy::Default));
		CHECK(r.outcome == sim::Outcome::Race);
	}
}

TEST_CASE("data_race() is never reported, even under the strict policy", "[kernel][race]")
{
	auto r = sim::explore(two_lanes([] { obj->x = 3; }, [] { (void)data_race((u64)obj->x); }),
			      race_mode(sim::RacePolicy::Strict));
	CHECK(r.outcome == sim::Outcome::Ok);
	CHECK(r.races.empty());
}

TEST_CASE("a release store and an acquire load that reads it order the plain accesses around them",
	  "[kernel][race]")
{
	auto producer = [] {
		obj->x = 1;
		smp_store_release(&obj->flag, 1);
	};
	SECTION("consumer reads x only after seeing the flag: no race")
	{
		auto consumer = [] {
			if (smp_load_acquire(&obj->flag))
				(void)(u64)obj->x;
		};
		auto r = sim::explore(two_lanes(producer, consumer), race_mode(sim::RacePolicy::Strict));
		CHECK(r.outcome == sim::Outcome::Ok);
		CHECK(r.complete);
	}
	SECTION("the same with a relaxed READ_ONCE of the flag races")
	{
		auto consumer = [] {
			if (READ_ONCE(obj->flag))
				(void)(u64)obj->x;
		};
		auto r = sim::explore(two_lanes(producer, consumer), race_mode(sim::RacePolicy::Strict));
		CHECK(r.outcome == sim::Outcome::Race);
	}
	SECTION("smp_wmb before WRITE_ONCE and smp_rmb after READ_ONCE order them too")
	{
		auto writer = [] {
			obj->x = 1;
			smp_wmb();
			WRITE_ONCE(obj->flag, 1);
		};
		auto reader = [] {
			if (READ_ONCE(obj->flag)) {
				smp_rmb();
				(void)(u64)obj->x;
			}
		};
		auto r = sim::explore(two_lanes(writer, reader), race_mode(sim::RacePolicy::Strict));
		CHECK(r.outcome == sim::Outcome::Ok);
	}
}

TEST_CASE("a race report names both functions and both stacks, KCSAN style", "[kernel][race][report]")
{
	auto r = sim::explore(two_lanes(plain_writer, plain_reader), race_mode());
	REQUIRE(r.outcome == sim::Outcome::Race);
	std::string text = sim::format_race(r.failing_races[0], r.lane_names);
	CAPTURE(text);
	CHECK(text.rfind("BUG: KCSAN: data-race in plain_reader / plain_writer\n", 0) == 0);
	CHECK(text.find("write to obj.x of 8 bytes by cpu0 (A):\n plain_writer\n") != std::string::npos);
	CHECK(text.find("read to obj.x of 8 bytes by cpu1 (B):\n plain_reader\n") != std::string::npos);
}

TEST_CASE("a KCSAN report shows the value change the reader could see", "[kernel][race][report]")
{
	auto r = sim::explore(two_lanes(plain_reader, plain_writer), race_mode());
	REQUIRE(r.outcome == sim::Outcome::Race);
	std::string text = sim::format_race(r.failing_races[0], r.lane_names);
	CHECK(text.find("value changed: 0x0000000000000000 -> 0x000000000000002a") != std::string::npos);
}
