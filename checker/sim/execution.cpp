#include "checker/sim/execution.h"

#include <set>
#include <string>

#include "checker/sim/runtime.h"

namespace sim {

namespace {

/*
 * Model code runs on Relacy's fibers, where an exception that escapes ends the process
 * (std::terminate). Each entry into model code (setup, a lane, the final check) catches what it
 * throws, keeps it for Result::thrown and ends the execution as failed, which stops the search
 * with this execution as the failing one. The fail is called outside the catch block: it switches
 * fibers and never returns, and must not leave an exception half-handled.
 */
template <class Body> void guarded(search::Run &run, int lane, Body &&body)
{
	std::exception_ptr thrown;
	try {
		body();
	} catch (...) {
		thrown = std::current_exception();
	}
	if (!thrown)
		return;
	if (!run.thrown) {
		run.thrown = thrown;
		run.thrown_lane = lane;
		std::string what = "an exception";
		try {
			std::rethrow_exception(thrown);
		} catch (const std::exception &e) {
			what = e.what();
		} catch (...) {
		}
		note(("threw: " + what).c_str());  // the last row of the interleaving
	}
	runtime().failed = true;
	runtime().sched.fail();
}

}  // namespace

void teardown_world(search::Run &run)
{
	if (run.world_alive && run.program->teardown)
		run.program->teardown();
	run.world_alive = false;
}

void begin_execution(search::Run &run)
{
	Runtime &rt = runtime();
	teardown_world(run);
	const Program &p = *run.program;
	rt.begin_execution(static_cast<int>(p.lanes.size()), p.lanes);
	rt.set_in_lane(false);
	rt.tick = p.tick;
	run.world_alive = true;
	if (p.setup)
		guarded(run, -1, p.setup);
	rt.set_in_lane(true);
}

void run_lane(search::Run &run, unsigned index)
{
	const LaneSpec &spec = run.program->lanes[index];
	LaneState &l = runtime().lanes[index];
	if (spec.in != LaneContext::Task)
		handler_enter(spec.cpu, spec.in);  // where it interrupts its CPU is the search's choice
	guarded(run, static_cast<int>(index), spec.body);
	if (spec.in != LaneContext::Task) {
		if (l.irq_depth != 1 || l.preempt_depth != 1)
			violation("lockdep", "the handler returned with IRQs or preemption not as they were at its entry");
		handler_exit();
	} else if (l.irq_depth || l.preempt_depth) {
		violation("lockdep", "the lane's code returned with IRQs or preemption still disabled");
	}
}

void end_execution(search::Run &run)
{
	runtime().set_in_lane(false);
	guarded(run, -1, [&run] {
		if (run.program->finish)
			run.program->finish();
		if (run.program->outcome)
			run.outcomes.insert(run.program->outcome());
	});
	materialize_races(run, nullptr);
	teardown_world(run);
}

void materialize_races(search::Run &run, std::vector<Race> *failing)
{
	Runtime &rt = runtime();
	for (const RaceRecord &r : rt.races) {
		Race race;
		race.field = r.field;
		auto fill = [&rt](AccessInfo &a, int lane, int cpu, const Shadow::Epoch &e) {
			a.lane = lane;
			a.cpu = cpu;
			a.type = e.type;
			a.marking = e.marking;
			a.size = e.size;
			const RawStep &s = rt.steps.at(static_cast<size_t>(e.trace));
			a.stack = copy_stack(s.stack);
			a.old_value = s.old_value;
			a.new_value = s.value;
			a.step = e.trace;
		};
		fill(race.first, r.first_lane, r.first_cpu, r.first);
		fill(race.second, r.second_lane, r.second_cpu, r.second);
		if (run.race_keys.insert(race.key()).second)
			run.races.push_back(race);
		if (failing) {
			bool seen = false;
			for (const Race &f : *failing)
				seen = seen || f.key() == race.key();
			if (!seen)
				failing->push_back(race);
		}
	}
}

/*
 * The failing execution's steps for the report. A long one (a lane of thousands of ops) keeps
 * its first quarter of `max_steps` and its last three quarters, where it failed: the rest is
 * counted in Result::steps_elided, so that neither the report nor the memory it takes grows
 * with the execution. The races' step indices follow (-1 for a step left out).
 */
void copy_steps(size_t max_steps, Result &result)
{
	const std::vector<RawStep> &raw = runtime().steps;
	const size_t n = raw.size();
	const size_t keep = max_steps && n > max_steps ? max_steps : n;
	const size_t head = keep == n ? n : keep / 4, tail = keep - head;
	const size_t elided = n - keep;
	auto kept = [&](int i) -> int {
		if (i < 0)
			return -1;
		const size_t u = static_cast<size_t>(i);
		if (u < head)
			return i;
		if (u >= n - tail && u < n)
			return static_cast<int>(u - elided);
		return -1;
	};
	std::set<int> racy_steps;
	for (Race &r : result.failing_races) {
		racy_steps.insert(r.first.step);
		racy_steps.insert(r.second.step);
		r.first.step = kept(r.first.step);
		r.second.step = kept(r.second.step);
	}
	result.steps.reserve(keep);
	for (size_t i = 0; i < n; i++) {
		if (i == head && elided) {
			i += elided - 1;
			continue;
		}
		const RawStep &s = raw[i];
		Step step;
		step.lane = s.lane;
		step.cpu = s.cpu;
		step.kind = s.kind;
		step.marking = s.marking;
		step.stack = copy_stack(s.stack);
		step.what = s.text >= 0 ? runtime().texts[s.text] : s.what ? s.what : "";
		step.old_value = s.old_value;
		step.value = s.value;
		step.racy = racy_steps.count(static_cast<int>(i)) > 0;
		result.steps.push_back(std::move(step));
	}
	result.steps_elided = elided;
	result.steps_elided_at = elided ? head : 0;
}

}  // namespace sim
