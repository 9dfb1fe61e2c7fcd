// Issue 18: a search cut short (a limit, SIGINT, SIGTERM) says so, prints what it found, and exits
// 4, never like a proven pass; `perfmc suite` keeps the rows it finished.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <thread>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/cli/support.h"

namespace {

/* While alive, a signal that arrives after perfmc put its own handler back is ignored, so that a
 * late signal cannot kill the test runner. */
struct IgnoreLateSignals {
	struct sigaction old_int {}, old_term {};
	IgnoreLateSignals()
	{
		struct sigaction sa {};
		sa.sa_handler = [](int) {};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
	}
	~IgnoreLateSignals()
	{
		sigaction(SIGINT, &old_int, nullptr);
		sigaction(SIGTERM, &old_term, nullptr);
	}
};

/* runs the command, sending this process `sig` after `delay` */
CliRun run_signalled(std::vector<std::string> args, int sig, std::chrono::milliseconds delay)
{
	IgnoreLateSignals ignore;
	std::thread sender([sig, delay] {
		std::this_thread::sleep_for(delay);
		kill(getpid(), sig);
	});
	CliRun r = run_cli(std::move(args));
	sender.join();
	return r;
}

}  // namespace

TEST_CASE("a search stopped by --max-executions or --timeout is incomplete, exit 4, with its statistics", "[cli][limits]")
{
	auto max = run_cli({"run", "userpage_read-vs-sched_in", "--max-executions", "10"});
	CHECK(max.code == 4);
	CHECK(max.out.rfind("userpage_read-vs-sched_in [upstream]: incomplete: no violation found in ", 0) == 0);
	CHECK(contains(max.out, "before --max-executions stopped the search"));
	CHECK(contains(max.err, "executions explored (exhaustive), stopped by --max-executions"));

	auto timeout = run_cli({"run", "userpage_read-vs-sched_in", "--no-reduction", "--timeout", "0.2"});
	CHECK(timeout.code == 4);
	CHECK(contains(timeout.out, "before --timeout stopped the search"));
	CHECK(contains(timeout.err, "stopped by --timeout"));

	auto json = run_cli({"run", "userpage_read-vs-sched_in", "--max-executions", "10", "--json"});
	CHECK(json.code == 4);
	auto j = nlohmann::json::parse(json.out);
	CHECK(j["verdict"] == "incomplete");
	CHECK(j["stopped"] == "max-executions");
	CHECK(j["complete"] == false);

	// the same across --jobs workers, merged
	auto jobs = run_cli({"run", "userpage_read-vs-sched_in", "--max-executions", "10", "--jobs", "2"});
	CHECK(jobs.code == 4);
	CHECK(contains(jobs.out, "userpage_read-vs-sched_in [upstream]: incomplete: "));

	// a bound that cuts schedules off, and a random search, are incomplete too
	CHECK(run_cli({"run", "userpage_read-vs-sched_in", "--search", "bounded", "--bound", "0"}).code == 4);
	CHECK(run_cli({"run", "userpage_read-vs-sched_in", "--search", "random", "--iterations", "20"}).code == 4);
	// and a complete search that found nothing is a pass, exit 0
	auto pass = run_cli({"run", "perf_event_update_time-vs-sched_out"});
	CHECK(pass.code == 0);
	CHECK(contains(pass.out, "search complete"));
}

TEST_CASE("SIGTERM and SIGINT stop a run after its current execution: statistics printed, exit 4", "[cli][limits][signal]")
{
	for (int sig : {SIGTERM, SIGINT}) {
		CAPTURE(sig);
		auto start = std::chrono::steady_clock::now();
		auto r = run_signalled({"run", "userpage_read-vs-sched_in", "--no-reduction", "--timeout", "60"}, sig,
				       std::chrono::milliseconds(300));
		double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
		CAPTURE(r.out, r.err);
		CHECK(r.code == 4);
		CHECK(contains(r.out, "before a signal stopped the search"));
		CHECK(contains(r.err, "executions explored (exhaustive), stopped by a signal (SIGINT or SIGTERM)"));
		CHECK(seconds < 10);
	}
}

TEST_CASE("SIGINT during perfmc suite prints the rows it finished and exits 4", "[cli][limits][signal][suite]")
{
	for (const char *jobs : {"1", "2"}) {
		CAPTURE(jobs);
		auto r = run_signalled({"suite", scenarios_dir(), "--jobs", jobs}, SIGINT, std::chrono::milliseconds(700));
		CAPTURE(r.out, r.err);
		CHECK(r.code == 4);
		CHECK(contains(r.out, "stopped by a signal"));
		CHECK(contains(r.out, "scenario                             variant"));
		CHECK_FALSE(contains(r.out, " 0 runs"));  // the finished rows are kept
		CHECK_FALSE(contains(r.out, "DEVIATION"));  // a run cut short is not a deviation
	}
}

TEST_CASE("suite --junit checks its path before running anything; an empty directory is bad input", "[cli][suite]")
{
	auto start = std::chrono::steady_clock::now();
	auto unwritable = run_cli({"suite", scenarios_dir(), "--junit", "/nonexistent-dir/junit.xml"});
	double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	CHECK(unwritable.code == 2);
	CHECK(contains(unwritable.err, "cannot write the JUnit file: no directory /nonexistent-dir"));
	CHECK(unwritable.out.empty());
	CHECK(seconds < 1.0);
	auto directory = run_cli({"suite", scenarios_dir(), "--junit", temp_dir("junit-dir")});
	CHECK(directory.code == 2);
	CHECK(contains(directory.err, "cannot write the JUnit file: it is a directory"));

	auto empty = run_cli({"suite", temp_dir("empty-suite")});
	CHECK(empty.code == 2);
	CHECK(contains(empty.err, "no scenarios here"));
}

TEST_CASE("a suite row that cannot run is an error row, and the suite exits 2 after the others", "[cli][suite]")
{
	std::string dir = temp_dir("suite-error");
	write_file(dir + "/read-vs-sched_out-torn.toml", slurp(scenarios_dir() + "/read-vs-sched_out-torn.toml"));
	// a setup the model refuses: T running on cpu0 and a second task U running there too
	std::string text = slurp(scenarios_dir() + "/read-vs-sched_out-torn.toml");
	text.replace(text.find("name    = \"read-vs-sched_out-torn\""), std::string("name    = \"read-vs-sched_out-torn\"").size(),
		     "name = \"two-running\"");
	text.replace(text.find("[[setup.event]]"), std::string("[[setup.event]]").size(),
		     "[[setup.context]]\nname = \"U\"\ntask = \"U\"\nrunning_on = 0\n\n[[setup.event]]");
	write_file(dir + "/two-running.toml", text);
	std::string junit = dir + "/junit.xml";
	auto r = run_cli({"suite", dir, "--junit", junit});
	CAPTURE(r.out, r.err);
	CHECK(r.code == 2);
	CHECK(contains(slurp(junit), "failures=\"0\" errors=\"2\""));  // both variants of two-running
	CHECK(contains(r.out, "read-vs-sched_out-torn               upstream               harmful    harmful"));
	CHECK(contains(r.out, "ERROR"));
	CHECK(contains(r.err, "two-running.toml:"));
	CHECK(contains(r.err, "the setup cannot be built: context 1 ('U')"));
}
