// The model tests' shared fixture: a fresh sequential simulator, a setup that carries the run's
// variant and invariant selection (model::select(), as the checker does), the setup builders
// and the violation text every sequential test compares.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "checker/sim/runner.h"
#include "model/model.h"

namespace fixture {

/* The clock stands at t (with tick 0, every perf_clock() read returns t until the next at()). */
inline void at(uint64_t t) { sim::set_clock(t); }

inline std::string violations_text(const std::vector<sim::Violation> &v)
{
	std::string out;
	for (const auto &x : v)
		out += x.invariant + ": " + x.detail + "\n";
	return out;
}

/* the violations the sequential runs have found so far, taken (none left over), as text */
inline std::string taken_violations() { return violations_text(sim::take_sequential_violations()); }

/* the model's final checks on a world (its model's check_final(), found by argument-dependent
 * lookup: model:: for perf_world, legacy:: for legacy_world), then taken_violations() */
template <class World> std::string final_violations(World &world)
{
	check_final(world);
	return taken_violations();
}

/*
 * One sequential run: the sequential simulator reset (no violation left over, cpu0), and the
 * run's selection, which every setup() carries into the world it builds.
 */
struct Fresh {
	explicit Fresh(const model::Model &m, const std::string &variant, std::vector<std::string> invariants = {})
		: model(m)
	{
		REQUIRE(m.find_variant(variant) >= 0);
		model::select(m, variant, invariants, selection);
		sim::take_sequential_violations();
		sim::set_sequential_cpu(0);
	}
	/* an empty setup with this run's selection */
	model::WorldSetup setup() const { return selection; }
	/* this run's setup with these contexts and events, perf_clock() advancing by `tick` a read */
	model::WorldSetup setup(std::vector<model::ContextSetup> contexts, std::vector<model::EventSetup> events,
				uint64_t tick = 10) const
	{
		model::WorldSetup s = selection;
		s.tick = tick;
		s.contexts = std::move(contexts);
		s.events = std::move(events);
		return s;
	}

	const model::Model &model;
	model::WorldSetup selection;
};

/* Fresh for one model, its base variant by default: `using Fresh = fixture::FreshFor<model::perf_model>;` */
template <const model::Model &(*M)()> struct FreshFor : Fresh {
	explicit FreshFor(const std::string &variant = M().variants.front().name, std::vector<std::string> invariants = {})
		: Fresh(M(), variant, std::move(invariants))
	{
	}
};

inline model::ContextSetup cpu_context(const char *name, int cpu)
{
	model::ContextSetup c;
	c.name = name;
	c.is_task = false;
	c.cpu = cpu;
	return c;
}

/* running_on -1: the task does not run (setup enables its events without a reschedule) */
inline model::ContextSetup task_context(const char *name, int running_on = -1)
{
	model::ContextSetup c;
	c.name = name;
	c.is_task = true;
	c.running_on = running_on;
	return c;
}

inline model::EventSetup event(const char *name, int context, const char *state, int leader = -1,
			       std::vector<std::pair<std::string, int64_t>> attr = {})
{
	model::EventSetup e;
	e.name = std::string(name);
	e.context = context;
	e.state = std::string(state);
	e.leader = leader;
	e.attr = std::move(attr);
	return e;
}

/* the event mmap()ed in the setup */
inline model::EventSetup mapped(model::EventSetup e)
{
	e.mapped = true;
	return e;
}

}  // namespace fixture
