// The text report: what a kernel developer reads after `perfmc run`. Order: the verdict line,
// the KCSAN-style race blocks, the broken invariant, the interleaving as per-CPU lanes, and the
// command that replays the execution. No times and no addresses, so identical runs print
// identical bytes.
#include <algorithm>

#include <fmt/format.h>

#include "checker/api.h"

namespace perfmc {

static std::string value_text(uint64_t v)
{
	if (v >= (uint64_t{1} << 48))
		return fmt::format("{:#x}", v);  // a wrapped u64 subtraction reads better in hex
	return std::to_string(v);
}

static std::string action_text(const sim::Step &s)
{
	switch (s.kind) {
	case sim::StepKind::Read: {
		const char *how = s.marking == sim::Marking::Once     ? "READ_ONCE"
				  : s.marking == sim::Marking::Atomic ? "atomic read"
				  : s.marking == sim::Marking::DataRace ? "data_race read"
									  : "read";
		return fmt::format("{} {} = {}", how, s.what, value_text(s.value));
	}
	case sim::StepKind::Write:
	case sim::StepKind::ReadWrite: {
		const char *how = s.marking == sim::Marking::Once     ? "WRITE_ONCE"
				  : s.marking == sim::Marking::Atomic ? "atomic write"
				  : s.kind == sim::StepKind::ReadWrite ? "write (+=)"
									  : "write";
		return fmt::format("{} {} = {} (was {})", how, s.what, value_text(s.value), value_text(s.old_value));
	}
	case sim::StepKind::Acquire: return "lock " + s.what;
	case sim::StepKind::Release: return "unlock " + s.what;
	case sim::StepKind::Block: return "waits for " + s.what;
	case sim::StepKind::Clock: return fmt::format("perf_clock() = {}", s.value);
	case sim::StepKind::Note: return s.what;
	case sim::StepKind::Violation: return "VIOLATION " + s.what;
	}
	return s.what;
}

static std::string step_text(const sim::Step &s)
{
	std::string fn = s.stack.empty() ? std::string() : s.stack.front().function + ": ";
	return fn + action_text(s) + (s.racy ? "  <- race" : "");
}

std::string format_lanes(const sim::Result &r)
{
	const size_t lanes = r.lane_names.size();
	std::vector<size_t> width(lanes, 0);
	std::vector<std::string> header(lanes);
	for (size_t i = 0; i < lanes; i++) {
		header[i] = fmt::format("cpu{}: {}", r.lane_cpus[i], r.lane_names[i]);
		width[i] = header[i].size();
	}
	std::vector<std::string> texts;
	for (const sim::Step &s : r.steps) {
		texts.push_back(step_text(s));
		if (s.lane >= 0 && static_cast<size_t>(s.lane) < lanes)
			width[s.lane] = std::min<size_t>(std::max(width[s.lane], texts.back().size()), 72);
	}
	const int number_width = static_cast<int>(std::to_string(r.steps.size() + r.steps_elided).size());
	std::string out = fmt::format("{:>{}}  ", "", number_width);
	for (size_t i = 0; i < lanes; i++)
		out += fmt::format("{:<{}}{}", header[i], i + 1 < lanes ? width[i] : 0, i + 1 < lanes ? " | " : "");
	out += "\n";
	for (size_t n = 0; n < r.steps.size(); n++) {
		const sim::Step &s = r.steps[n];
		if (r.steps_elided && n == r.steps_elided_at)  // a long execution: its middle is left out
			out += fmt::format("{:>{}}  ... {} steps left out (the report keeps the first {} and the last {})\n", "",
					   number_width, r.steps_elided, r.steps_elided_at, r.steps.size() - r.steps_elided_at);
		const uint64_t number = n + 1 + (r.steps_elided && n >= r.steps_elided_at ? r.steps_elided : 0);
		std::string row = fmt::format("{:>{}}  ", number, number_width);
		for (size_t i = 0; i < lanes; i++) {
			bool mine = s.lane == static_cast<int>(i);
			bool last = i + 1 == lanes;
			std::string cell = mine ? texts[n] : "";
			if (last)
				row += cell;
			else
				row += fmt::format("{:<{}} | ", cell, width[i]);
		}
		while (!row.empty() && row.back() == ' ')
			row.pop_back();
		out += row + "\n";
	}
	return out;
}

/* one race block per title and field, as KCSAN reports one per pair of code locations */
static std::vector<sim::Race> distinct_races(const std::vector<sim::Race> &races)
{
	std::vector<sim::Race> out;
	for (const sim::Race &r : races) {
		bool seen = false;
		for (const sim::Race &o : out)
			seen = seen || (o.title() == r.title() && o.field == r.field);
		if (!seen)
			out.push_back(r);
	}
	return out;
}

static std::string count(uint64_t n, const char *what)
{
	return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

static std::string verdict_line(const RunResult &result)
{
	const sim::Result &r = result.sim;
	std::string head = fmt::format("{} [{}]: {}", result.scenario, result.variant, verdict_name(result.verdict));
	if (result.search_description.rfind("replay", 0) == 0 && result.verdict != Verdict::Harmful)
		return head + fmt::format(": the replayed execution breaks no invariant ({} in it)",
					  count(distinct_races(r.races).size(), "data race"));
	switch (result.verdict) {
	case Verdict::Harmful:
		/* no search statistics here: a replay must print the same bytes (they go to stderr) */
		if (r.outcome == sim::Outcome::Deadlock)
			return head + fmt::format(": every CPU blocked; the failing execution needs {}",
						  count(r.preemptions, "preemption"));
		return head + fmt::format(": {} broken; the failing execution needs {}",
					  r.violation ? r.violation->invariant : std::string("an invariant"),
					  count(r.preemptions, "preemption"));
	case Verdict::Benign:
		return head + fmt::format(": {}, but no invariant broken in {} ({} search complete)",
					  count(distinct_races(r.races).size(), "data race"), count(r.executions, "execution"),
					  result.search_description);
	case Verdict::Pass:
		return head + fmt::format(": no data race and no invariant broken in {} ({} search complete)",
					  count(r.executions, "execution"), result.search_description);
	case Verdict::Incomplete:
		if (const char *by = result.stopped == Stop::MaxExecutions ? "--max-executions"
				     : result.stopped == Stop::Timeout     ? "--timeout"
				     : result.stopped == Stop::Signal      ? "a signal"
									   : nullptr)
			return head + fmt::format(": no violation found in {} before {} stopped the search ({}{})",
						  count(r.executions, "execution"), by, result.search_description,
						  r.races.empty() ? "" : ", " + count(distinct_races(r.races).size(), "data race"));
		return head + fmt::format(": no violation found within {} ({}{})", result.search_description,
					  count(r.executions, "execution"),
					  r.races.empty() ? "" : ", " + count(distinct_races(r.races).size(), "data race"));
	}
	return head;
}

std::string format_statistics(const RunResult &result)
{
	std::string out = fmt::format("perfmc: {} explored ({})", count(result.sim.executions, "execution"),
				      result.search_description);
	switch (result.stopped) {
	case Stop::None:
	case Stop::Bound: break;
	case Stop::MaxExecutions: out += ", stopped by --max-executions"; break;
	case Stop::Timeout: out += fmt::format(", stopped by --timeout after {:.1f} s", result.sim.elapsed_ms / 1000); break;
	case Stop::Signal: out += ", stopped by a signal (SIGINT or SIGTERM)"; break;
	case Stop::OtherShard: out += ", stopped: another shard found a violation or a new visible name first"; break;
	case Stop::NewNames: out += ", stopped: a new visible name (every shard searches again with it)"; break;
	}
	if (!result.sim.races.empty())
		out += fmt::format(", {} found", count(distinct_races(result.sim.races).size(), "data race"));
	return out + "\n";
}

std::string format_report(const Scenario &scenario, const RunResult &result)
{
	const sim::Result &r = result.sim;
	std::string out = verdict_line(result) + "\n";
	for (const sim::Race &race : distinct_races(result.verdict == Verdict::Harmful ? r.failing_races : r.races))
		out += fmt::format("\n{}", sim::format_race(race, r.lane_names));  // not "\n" + s: g++ 12 -Wrestrict false positive
	if (result.verdict == Verdict::Harmful) {
		if (r.violation) {
			out += fmt::format("\ninvariant {} broken", r.violation->invariant);
			if (!r.violation->stack.empty())
				out += " in " + r.violation->stack.front().function;
			else if (r.violation->lane < 0)
				out += " at the final check (after every CPU finished, under ctx->lock)";
			out += ":\n  " + r.violation->detail + "\n";
		} else if (r.outcome == sim::Outcome::Deadlock) {
			out += "\ndeadlock: every lane waits, for a lock or for a CPU that a handler or a preempt-off section holds\n";
		}
		out += "\ninterleaving (one column per CPU, one row per step):\n" + format_lanes(r);
		out += "\nreplay: " + result.replay_command + "\n";
	}
	(void)scenario;
	return out;
}

}  // namespace perfmc
