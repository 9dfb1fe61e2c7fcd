// perfmc kcsan on the issue-15 ops' rows (checker/kcsan/synth.cpp): the hand-written reports of
// tests/kcsan/data/lifecycle (no public KCSAN report goes through these paths; README.md there)
// answered through the scenario built from each report's own paths, or the shipped scenario that
// runs them. What each answer is, and why:
//
//   exec, exit, remove (by IPI and in perf_event_open()): harmful, the seed's bug seen from another
//     path: perf_mmap_rb() updates event->tstamp without ctx->lock while the other path updates it
//     under it; mmap-ctx-lock closes it.
//   rotate: the same, decided by the shipped mmap-vs-rotate, whose CPUs run the report's paths.
//   read_local: benign, decided by the shipped read_local-vs-mmap: the races store the values
//     already there.
//   install in perf_event_open(): benign, exhaustively (T is switched out: the event goes on under
//     ctx->lock in the syscall, mmap() races with list_add_event()'s stamp and nothing is lost).
//   install by IPI: the race reproduces (its verdict needs more than the test's budget).
//   fork: not reproduced: perf_ioctl() and perf_event_init_context() both hold the parent's
//     ctx->mutex, so the disable's IPI never meets inherit_event()'s read of the state.
//   read_group: not reproduced: __perf_read_group_add() reads the leader's totals under ctx->lock,
//     which the switch-out holds too (before a9cd8194e1e6 it did not: pre-a9cd8194e1e6 is harmful in
//     the shipped read_group-vs-sched_out).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "checker/api.h"
#include "checker/triage.h"
#include "tests/cli/support.h"

using namespace perfmc;

namespace {

const std::string lifecycle_dir = PERFMC_SOURCE_DIR "/tests/kcsan/data/lifecycle/";

struct Expected {
	std::string file;
	size_t report = 0;
	std::string op;          // the lane of access 2 in the scenario built from the report
	std::string verdict;     // "" where it depends on the budget (the race reproduces either way)
	bool reproduced = false;
	std::string decided_by;  // the scenario that decided
	std::vector<std::string> closed_by;
};

}  // namespace

TEST_CASE("perfmc kcsan answers the hand-written exec, fork, exit, rotate, group read, local read, install and "
	  "remove reports on their own paths",
	  "[cli][kcsan][synthesis]")
{
	const std::string built = "kcsan-perf_event_set_state-vs-perf_mmap_rb";
	const std::vector<Expected> cases = {
		{"exec.txt", 0, "exec(T)", "harmful", true, built, {"mmap-ctx-lock"}},
		{"exit.txt", 0, "exit(T)", "harmful", true, built, {"mmap-ctx-lock"}},
		{"remove.txt", 0, "remove(E)", "harmful", true, built, {"mmap-ctx-lock"}},
		{"remove.txt", 1, "remove(E)", "harmful", true, built, {"mmap-ctx-lock"}},
		{"rotate.txt", 0, "rotate", "harmful", true, "mmap-vs-rotate", {"mmap-ctx-lock"}},
		{"read_local.txt", 0, "read_local(E)", "", true, "read_local-vs-mmap", {}},
		{"install.txt", 1, "install(E)", "benign", true, "kcsan-list_add_event-vs-perf_mmap_rb", {}},
		{"install.txt", 0, "install(E)", "", true, "kcsan-list_add_event-vs-perf_mmap_rb", {}},
		{"fork.txt", 0, "disable(E)", "not reproduced", false, "", {}},
		{"read_group.txt", 0, "sched_out(T)", "not reproduced", false, "", {}},
	};
	int reproduced = 0;
	for (const Expected &c : cases) {
		CAPTURE(c.file, c.report);
		kcsan::ParseResult parsed = kcsan::parse_all(slurp(lifecycle_dir + c.file), c.file);
		REQUIRE(parsed.reports.size() > c.report);
		TriageOptions o;
		o.dir = default_scenario_dir();
		o.input = c.file;
		o.budget_seconds = 1.0;
		Answer a = triage(parsed.reports[c.report], c.report, o);
		CAPTURE(a.verdict, a.missing, a.shipped_note);
		CHECK(a.missing.empty());
		REQUIRE(a.synthesised);  // the scenario built from the report parses and runs
		CHECK(a.synthesised->ran);
		REQUIRE(a.synthesis.lanes.size() == 2);
		CHECK(a.synthesis.lanes[1].op == c.op);
		if (!c.verdict.empty())
			CHECK(a.verdict == c.verdict);
		CHECK(a.evidence.has_value() == c.reproduced);
		if (!a.evidence)
			continue;
		reproduced++;
		const Evidence &e = *a.evidence;
		CHECK(e.reproduced());
		CHECK(e.race.field == a.field.race.member);  // the model races on the field the report names
		CHECK(e.scenario.name == c.decided_by);
		std::vector<std::string> closed;
		if (e.upstream.verdict == Verdict::Harmful)
			for (const auto &[variant, verdict] : e.variants)
				if (verdict != Verdict::Harmful && verdict != Verdict::Incomplete)
					closed.push_back(variant);
		CHECK(closed == c.closed_by);
	}
	WARN(fmt::format("hand-written lifecycle reports: {} of {} reproduced on their own paths", reproduced, cases.size()));
}
