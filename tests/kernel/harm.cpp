// Harm mode: races are recorded, accesses behave as if atomic, and invariants decide.
#include <catch2/catch.hpp>

#include <memory>
#include <set>

#include "checker/sim/runner.h"
#include "model/kernel/kernel.h"

namespace {

struct counter_obj {
	sim::field<u64> x{"obj.x"};
	sim::field<u64> a{"obj.a"};
	sim::field<u64> b{"obj.b"};
	raw_spinlock_t lock{"obj.lock"};
};
std::unique_ptr<counter_obj> obj;

sim::Program increments(bool locked)
{
	sim::Program p;
	p.setup = [] { obj = std::make_unique<counter_obj>(); };
	p.teardown = [] { obj.reset(); };
	auto body = [locked] {
		MODEL_FRAME(0);
		if (locked)
			raw_spin_lock(&obj->lock);
		obj->x = obj->x + 1;
		if (locked)
			raw_spin_unlock(&obj->lock);
	};
	p.lanes = {{"A", 0, sim::LaneContext::Task, body}, {"B", 1, sim::LaneContext::Task, body}};
	p.finish = [] {
		if (obj->x.peek() != 2)
			sim::violation("no-lost-update", "x != 2");
	};
	return p;
}

}  // namespace

TEST_CASE("two unlocked x = x + 1 lose an increment in some execution, and the search finds it", "[kernel][harm]")
{
	auto r = sim::explore(increments(false), sim::Options{});
	REQUIRE(r.outcome == sim::Outcome::Violation);
	CHECK(r.violation->invariant == "no-lost-update");
	CHECK_FALSE(r.failing_races.empty());  // and the race that causes it is in the failing execution
	CHECK(r.preemptions >= 1);
}

TEST_CASE("two x = x + 1 under a spinlock never lose an increment", "[kernel][harm]")
{
	auto r = sim::explore(increments(true), sim::Options{});
	CHECK(r.outcome == sim::Outcome::Ok);
	CHECK(r.complete);
	CHECK(r.races.empty());
}

TEST_CASE("in harm mode a race is recorded and the execution goes on", "[kernel][harm]")
{
	sim::Program p;
	p.setup = [] { obj = std::make_unique<counter_obj>(); };
	p.teardown = [] { obj.reset(); };
	p.lanes = {{"A", 0, sim::LaneContext::Task, [] { obj->x = 1; }},
		   {"B", 1, sim::LaneContext::Task, [] { (void)(u64)obj->x; }}};
	auto r = sim::explore(p, sim::Options{});
	CHECK(r.outcome == sim::Outcome::Ok);
	CHECK(r.complete);
	// once per order (write then read, read then write), though several executions hit each
	REQUIRE(r.races.size() == 2);
	CHECK(r.races[0].field == "obj.x");
	CHECK(r.races[0].first.type != r.races[1].first.type);
}

TEST_CASE("a cross-CPU call is excluded by the target CPU's IRQ-disabled section", "[kernel][smp]")
{
	auto program = [](bool irqs_off) {
		sim::Program p;
		p.setup = [] { obj = std::make_unique<counter_obj>(); };
		p.teardown = [] { obj.reset(); };
		auto target = [irqs_off] {
			unsigned long flags = 0;
			if (irqs_off)
				local_irq_save(flags);
			obj->a = 1;
			obj->b = 1;
			if (irqs_off)
				local_irq_restore(flags);
		};
		auto caller = [] {
			smp_call_function_single(
				0,
				[](void *) {
					if (smp_processor_id() != 0)
						sim::violation("ipi", "the function did not run as cpu0");
					if (READ_ONCE(obj->a) != READ_ONCE(obj->b))
						sim::violation("ipi", "saw the middle of cpu0's IRQ-disabled section");
				},
				nullptr, 1);
		};
		p.lanes = {{"cpu0 task", 0, sim::LaneContext::Task, target}, {"cpu1 caller", 1, sim::LaneContext::Task, caller}};
		return p;
	};
	SECTION("with IRQs disabled around the two stores, the function never sees them half done")
	{
		auto r = sim::explore(program(true), sim::Options{});
		CHECK(r.outcome == sim::Outcome::Ok);
		CHECK(r.complete);
	}
	SECTION("without it, some interleaving does")
	{
		auto r = sim::explore(program(false), sim::Options{});
		REQUIRE(r.outcome == sim::Outcome::Violation);
		CHECK(r.violation->detail == "saw the middle of cpu0's IRQ-disabled section");
	}
}

TEST_CASE("an interrupt lane is excluded by its CPU's IRQ-disabled sections but an NMI is not", "[kernel][smp]")
{
	auto program = [](sim::LaneContext in) {
		sim::Program p;
		p.setup = [] { obj = std::make_unique<counter_obj>(); };
		p.teardown = [] { obj.reset(); };
		p.lanes = {{"task", 0, sim::LaneContext::Task,
			    [] {
				    local_irq_disable();
				    obj->a = 1;
				    obj->b = 1;
				    local_irq_enable();
			    }},
			   {"handler", 0, in, [] {
				    if (READ_ONCE(obj->a) != READ_ONCE(obj->b))
					    sim::violation("irq", "handler saw a half-done section");
			    }}};
		return p;
	};
	CHECK(sim::explore(program(sim::LaneContext::Irq), sim::Options{}).outcome == sim::Outcome::Ok);
	CHECK(sim::explore(program(sim::LaneContext::Nmi), sim::Options{}).outcome == sim::Outcome::Violation);
}

TEST_CASE("a failing execution replays to the same steps from its token", "[kernel][replay]")
{
	auto first = sim::explore(increments(false), sim::Options{});
	REQUIRE(first.outcome == sim::Outcome::Violation);
	sim::Options replay;
	replay.search = sim::Search::Replay;
	replay.replay = first.schedule;
	auto again = sim::explore(increments(false), replay);
	REQUIRE(again.outcome == sim::Outcome::Violation);
	CHECK(again.executions == 1);
	REQUIRE(again.steps.size() == first.steps.size());
	for (size_t i = 0; i < first.steps.size(); i++) {
		CHECK(again.steps[i].lane == first.steps[i].lane);
		CHECK(again.steps[i].what == first.steps[i].what);
		CHECK(again.steps[i].value == first.steps[i].value);
	}
}

TEST_CASE("the preemption-bounded search finds the lost increment with one preemption", "[kernel][search]")
{
	sim::Options o;
	o.search = sim::Search::Bounded;  // no bound: 0, 1, 2, ...
	auto r = sim::explore(increments(false), o);
	REQUIRE(r.outcome == sim::Outcome::Violation);
	CHECK(r.preemptions == 1);
	CHECK(r.bound == 1);
}

TEST_CASE("a deepening round tries the preemptions just before a write first", "[kernel][search]")
{
	// A and B: x = x + 1, then three reads of b, which C writes. The lost increment needs a lane
	// overtaken between its read and its write of x; depth-first order alone would first try
	// the later preemptions, before the reads of b
	sim::Program p;
	p.setup = [] { obj = std::make_unique<counter_obj>(); };
	p.teardown = [] { obj.reset(); };
	auto body = [] {
		obj->x = obj->x + 1;
		for (int i = 0; i < 3; i++)
			obj->a.poke(obj->b);
	};
	p.lanes = {{"A", 0, sim::LaneContext::Task, body},
		   {"B", 1, sim::LaneContext::Task, body},
		   {"C", 2, sim::LaneContext::Task, [] { obj->b = 1; }}};
	p.finish = [] {
		if (obj->x.peek() != 2)
			sim::violation("no-lost-update", "x != 2");
	};
	auto r = sim::explore(p, sim::Options{});
	REQUIRE(r.outcome == sim::Outcome::Violation);
	CHECK(r.preemptions == 1);
	CHECK(r.executions <= 3);
}

TEST_CASE("the same search explores the same number of executions every time", "[kernel][search]")
{
	auto a = sim::explore(increments(true), sim::Options{});
	auto b = sim::explore(increments(true), sim::Options{});
	CHECK(a.executions == b.executions);
	CHECK(a.executions > 0);
}

TEST_CASE("the reduced search reaches the same final outcomes as the full one", "[kernel][search][reduction][.slow]")
{
	for (bool locked : {false, true}) {
		CAPTURE(locked);
		sim::Program p;
		p.setup = [] { obj = std::make_unique<counter_obj>(); };
		p.teardown = [] { obj.reset(); };
		auto body = [locked](u64 v) {
			return [locked, v] {
				if (locked)
					raw_spin_lock(&obj->lock);
				obj->x = obj->x + v;
				obj->a = v;
				if (locked)
					raw_spin_unlock(&obj->lock);
				obj->b = obj->b + 1;
			};
		};
		p.lanes = {{"A", 0, sim::LaneContext::Task, body(1)}, {"B", 1, sim::LaneContext::Task, body(10)}};
		if (locked)  // all-unlocked, three lanes would take the full search minutes
			p.lanes.push_back({"C", 2, sim::LaneContext::Task, body(100)});
		p.outcome = [] {
			return std::to_string(obj->x.peek()) + "/" + std::to_string(obj->a.peek()) + "/" +
			       std::to_string(obj->b.peek());
		};
		sim::Options full;
		full.reduction = false;
		auto reduced = sim::explore(p, sim::Options{});
		auto all = sim::explore(p, full);
		REQUIRE(all.complete);
		REQUIRE(reduced.complete);
		CHECK(reduced.outcomes == all.outcomes);
		if (locked)  // unlocked, every field races and the reduction has nothing to skip
			CHECK(reduced.executions * 10 < all.executions);
	}
}

TEST_CASE("an acquire load of another lane's release store still makes the field a scheduling point", "[kernel][search][reduction]")
{
	// the load synchronises with the store it reads, but which runs first decides what it reads:
	// the reduced search must see both outcomes, as the full one does
	sim::Program p;
	p.setup = [] { obj = std::make_unique<counter_obj>(); };
	p.teardown = [] { obj.reset(); };
	p.lanes = {{"publisher", 0, sim::LaneContext::Task, [] { smp_store_release(&obj->a, 1); }},
		   {"reader", 1, sim::LaneContext::Task, [] { obj->b.poke(smp_load_acquire(&obj->a)); }}};
	p.outcome = [] { return "reader saw " + std::to_string(obj->b.peek()); };
	sim::Options full;
	full.reduction = false;
	auto reduced = sim::explore(p, sim::Options{});
	auto all = sim::explore(p, full);
	REQUIRE(reduced.complete);
	CHECK(all.outcomes == std::vector<std::string>{"reader saw 0", "reader saw 1"});
	CHECK(reduced.outcomes == all.outcomes);
	CHECK(reduced.races.empty());  // ordered by release/acquire: no data race to report
}

namespace {

/*
 * A takes L1 then L2; B takes L1; C takes L2. Each records its arrival under the lock, so the
 * outcome is the order on L1 and the order on L2: four outcomes, one execution each when B's and
 * C's independent sections are not also reordered against each other.
 */
struct two_locks {
	raw_spinlock_t l1, l2;
	sim::field<u64> on1{"obj.on1"}, on2{"obj.on2"};
	two_locks(const char *name1, const char *name2) : l1{name1}, l2{name2} {}
};
std::unique_ptr<two_locks> locks;

sim::Program two_lock_sections(const char *name1, const char *name2)
{
	auto section = [](raw_spinlock_t *l, sim::field<u64> *order, u64 who) {
		raw_spin_lock(l);
		*order = *order * 10 + who;
		raw_spin_unlock(l);
	};
	sim::Program p;
	p.setup = [name1, name2] { locks = std::make_unique<two_locks>(name1, name2); };
	p.teardown = [] { locks.reset(); };
	p.lanes = {{"A", 0, sim::LaneContext::Task,
		    [section] {
			    section(&locks->l1, &locks->on1, 1);
			    section(&locks->l2, &locks->on2, 1);
		    }},
		   {"B", 1, sim::LaneContext::Task, [section] { section(&locks->l1, &locks->on1, 2); }},
		   {"C", 2, sim::LaneContext::Task, [section] { section(&locks->l2, &locks->on2, 3); }}};
	p.outcome = [] { return std::to_string(locks->on1.peek()) + "/" + std::to_string(locks->on2.peek()); };
	return p;
}

/* Three lanes, two locked x = x * 4 + v each: each of the 90 acquisition orders leaves its own x. */
sim::Program three_lanes_two_locked_updates()
{
	sim::Program p;
	p.setup = [] { obj = std::make_unique<counter_obj>(); };
	p.teardown = [] { obj.reset(); };
	auto body = [](u64 v) {
		return [v] {
			for (int i = 0; i < 2; i++) {
				raw_spin_lock(&obj->lock);
				obj->x = obj->x * 4 + v;
				raw_spin_unlock(&obj->lock);
			}
		};
	};
	p.lanes = {{"A", 0, sim::LaneContext::Task, body(1)}, {"B", 1, sim::LaneContext::Task, body(2)},
		   {"C", 2, sim::LaneContext::Task, body(3)}};
	p.outcome = [] { return std::to_string(obj->x.peek()); };
	return p;
}

}  // namespace

TEST_CASE("sleep sets: independent lock sections are not reordered, and every outcome is still reached", "[kernel][search][reduction]")
{
	sim::Program p = two_lock_sections("obj.l1", "obj.l2");
	sim::Options full;
	full.reduction = false;
	auto reduced = sim::explore(p, sim::Options{});
	auto all = sim::explore(p, full);
	REQUIRE(reduced.complete);
	REQUIRE(all.complete);
	CHECK(all.outcomes == std::vector<std::string>{"12/13", "12/31", "21/13", "21/31"});
	CHECK(reduced.outcomes == all.outcomes);
	CHECK(reduced.executions == 4);
}

TEST_CASE("sleep sets tell lock instances apart: sections under two locks of one class commute", "[kernel][search][reduction]")
{
	// both locks are "obj.lock" (two contexts' ctx->lock, say): B's and C's sections take
	// different instances, so they still commute
	auto reduced = sim::explore(two_lock_sections("obj.lock", "obj.lock"), sim::Options{});
	REQUIRE(reduced.complete);
	CHECK(reduced.outcomes == std::vector<std::string>{"12/13", "12/31", "21/13", "21/31"});
	CHECK(reduced.executions == 4);
}

TEST_CASE("the preemption-bound deepening runs every execution once, in the round of its preemptions", "[kernel][search]")
{
	// 90 acquisition orders needing 0 to 5 preemptions: the rounds together run exactly what
	// one round without a bound runs (re-running the earlier rounds' executions would be ~3x)
	sim::Program p = three_lanes_two_locked_updates();
	auto deepened = sim::explore(p, sim::Options{});
	sim::Options one_round;
	one_round.search = sim::Search::Bounded;
	one_round.bound = 64;
	auto flat = sim::explore(p, one_round);
	REQUIRE(deepened.complete);
	REQUIRE(flat.complete);
	CHECK(deepened.bound >= 4);  // it did deepen
	CHECK(deepened.executions == 90);
	CHECK(deepened.outcomes.size() == 90);  // every order leaves a different x
	CHECK(deepened.outcomes == flat.outcomes);
	CHECK(deepened.runs == flat.runs);
}

TEST_CASE("a deepening whose work list outgrows its budget re-runs the tree and explores the same executions", "[kernel][search]")
{
	sim::Program p = three_lanes_two_locked_updates();
	auto listed = sim::explore(p, sim::Options{});
	sim::Options tight;
	tight.deepening_budget = 1;  // no room for a single item: every round after the first re-runs
	auto rerun = sim::explore(p, tight);
	REQUIRE(listed.complete);
	REQUIRE(rerun.complete);
	CHECK(rerun.executions == listed.executions);
	CHECK(rerun.outcomes == listed.outcomes);
	CHECK(rerun.bound == listed.bound);
	CHECK(rerun.runs > listed.runs);  // the earlier rounds' executions ran again, uncounted
}

TEST_CASE("lock-protected lanes explore only the lock acquisition orders", "[kernel][search][reduction]")
{
	// three lanes, two locked updates each: (3*2)! / (2!)^3 = 90 acquisition orders
	sim::Program p;
	p.setup = [] { obj = std::make_unique<counter_obj>(); };
	p.teardown = [] { obj.reset(); };
	auto body = [] {
		for (int i = 0; i < 2; i++) {
			raw_spin_lock(&obj->lock);
			obj->x = obj->x + 1;
			raw_spin_unlock(&obj->lock);
		}
	};
	p.lanes = {{"A", 0, sim::LaneContext::Task, body}, {"B", 1, sim::LaneContext::Task, body},
		   {"C", 2, sim::LaneContext::Task, body}};
	auto r = sim::explore(p, sim::Options{});
	CHECK(r.complete);
	CHECK(r.executions == 90);
	CHECK(r.discovery_executions == 1);  // before the lock turned visible
}

TEST_CASE("shards split the search into disjoint parts that add up to the whole", "[kernel][search][shard]")
{
	sim::Program p;
	p.setup = [] { obj = std::make_unique<counter_obj>(); };
	p.teardown = [] { obj.reset(); };
	auto body = [](u64 v) {
		return [v] {
			raw_spin_lock(&obj->lock);
			obj->x = obj->x * 2 + v;
			raw_spin_unlock(&obj->lock);
			raw_spin_lock(&obj->lock);
			obj->a = obj->x;
			raw_spin_unlock(&obj->lock);
		};
	};
	p.lanes = {{"A", 0, sim::LaneContext::Task, body(1)}, {"B", 1, sim::LaneContext::Task, body(2)},
		   {"C", 2, sim::LaneContext::Task, body(3)}};
	p.outcome = [] { return std::to_string(obj->x.peek()) + "/" + std::to_string(obj->a.peek()); };
	sim::Options whole;
	auto all = sim::explore(p, whole);
	REQUIRE(all.complete);
	for (int n : {2, 3, 5, 7}) {
		CAPTURE(n);
		uint64_t executions = 0;
		std::set<std::string> outcomes;
		for (int k = 0; k < n; k++) {
			sim::Options o;
			o.shard = k;
			o.shards = n;
			auto part = sim::explore(p, o);
			CHECK(part.complete);
			executions += part.executions;
			outcomes.insert(part.outcomes.begin(), part.outcomes.end());
		}
		CHECK(executions == all.executions);
		CHECK(std::vector<std::string>(outcomes.begin(), outcomes.end()) == all.outcomes);
	}
}

TEST_CASE("two unlocked postfix increments (x++) can lose one, like x = x + 1", "[kernel][harm]")
{
	sim::Program p;
	p.setup = [] { obj = std::make_unique<counter_obj>(); };
	p.teardown = [] { obj.reset(); };
	auto body = [] { (void)obj->x++; };
	p.lanes = {{"A", 0, sim::LaneContext::Task, body}, {"B", 1, sim::LaneContext::Task, body}};
	p.finish = [] {
		if (obj->x.peek() != 2)
			sim::violation("no-lost-update", "x != 2");
	};
	auto r = sim::explore(p, sim::Options{});
	REQUIRE(r.outcome == sim::Outcome::Violation);
	CHECK(r.violation->invariant == "no-lost-update");
}
