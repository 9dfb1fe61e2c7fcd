// Issue 18: what a user feeds perfmc (names, files, setups) gives an answer or exit 2 with a
// message that points at the fault; never exit 3, a crash or a long wait.
#include <catch2/catch.hpp>

#include <chrono>
#include <regex>
#include <sys/stat.h>

#include "checker/api.h"
#include "checker/diagnostic.h"
#include "tests/cli/support.h"

using namespace perfmc;

TEST_CASE("every shipped scenario runs with no --variant, under its model's base variant", "[cli][input]")
{
	int ran = 0;
	for (const std::string &file : scenario_files(scenarios_dir())) {
		Scenario s = load_scenario_file(file, model_registries());
		std::string base;
		for (const Registry &r : model_registries())
			if (r.name == s.model)
				base = r.variants.front();
		CAPTURE(s.name, base);
		auto r = run_cli({"run", s.name, "--max-executions", "50"});
		CAPTURE(r.err);
		CHECK(r.code != 2);
		CHECK(r.code != 3);
		CHECK(r.out.rfind(s.name + " [" + base + "]: ", 0) == 0);
		ran++;
	}
	CHECK(ran >= 40);
	// the deferred-callchain series is an area of the one perf model: its base is "upstream" too
	auto r = run_cli({"run", "nmi_sample-vs-close"});
	CHECK(r.code == 1);
	CHECK(contains(r.out, "nmi_sample-vs-close [upstream]: harmful"));
	CHECK(contains(r.out, "replay: perfmc run nmi_sample-vs-close --variant upstream --replay "));
}

TEST_CASE("a directory, a FIFO or a missing file given as input exits 2 naming it", "[cli][input]")
{
	std::string dir = temp_dir("inputs");
	std::string fifo = dir + "/fifo";
	REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
	for (const std::vector<std::string> &args :
	     std::vector<std::vector<std::string>>{{"kcsan", dir}, {"merge", dir}, {"run", dir + "/"}, {"show", dir + "/x.toml"},
						   {"kcsan", fifo}, {"merge", fifo}, {"merge", dir + "/missing.json"}}) {
		auto r = run_cli(args);
		CAPTURE(args, r.err);
		CHECK(r.code == 2);
		CHECK(contains(r.err, "error: "));
	}
	// names longer than a file name may be (ENAMETOOLONG), as a scenario name or a directory
	const std::string long_name(300, '9');
	for (const std::vector<std::string> &args : std::vector<std::vector<std::string>>{
		     {"show", long_name}, {"run", long_name + ".toml"}, {"run", "mmap-vs-sched_out", "--scenarios", long_name},
		     {"suite", long_name}, {"list", "--scenarios", dir + "/" + long_name}, {"kcsan", long_name}}) {
		auto r = run_cli(args);
		CAPTURE(args, r.err);
		CHECK(r.code == 2);
	}
	auto k = run_cli({"kcsan", dir});
	CHECK(k.err.rfind(dir + ": error: cannot read the report file: it is a directory", 0) == 0);
	auto m = run_cli({"merge", fifo});
	CHECK(m.err.rfind(fifo + ": error: cannot read the result file: it is not a regular file", 0) == 0);
}

TEST_CASE("the did-you-mean hint stays fast and quiet on very long names", "[cli][input]")
{
	const std::string a(120000, 'a'), b(120000, 'b');
	auto start = std::chrono::steady_clock::now();
	CHECK(closest_match(a, {b, a + "x", "mmap"}) == "");
	CHECK(closest_match("mmapp", {b, "mmap"}) == "mmap");  // short words still get their hint
	// a scenario whose objects and ops use 120,000-character names, none of them declared
	std::string text = slurp(scenarios_dir() + "/mmap-vs-sched_out.toml");
	text = std::regex_replace(text, std::regex("name    = \"mmap-vs-sched_out\""), "name = \"long-names\"");
	text = std::regex_replace(text, std::regex("context = \"T\""), "context = \"" + a + "\"");
	text = std::regex_replace(text, std::regex("mmap\\(E\\)"), "mmap(" + b + ")");
	std::string path = write_file(temp_dir("long-names") + "/long-names.toml", text);
	auto r = run_cli({"show", path});
	double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	CHECK(r.code == 2);
	CHECK(contains(r.err, "no context named 'aaaa"));
	CHECK(contains(r.err, "no event named 'bbbb"));
	CHECK(seconds < 2.0);  // 55 s before the hint was bounded
}

namespace {
// A perf-model scenario with two task contexts and two events; `u_running` puts U on cpu0 too,
// `f_state` is F's state.
std::string two_tasks(const std::string &u_running, const std::string &f_state)
{
	return "name = \"two-tasks\"\n"             // 1
	       "summary = \"two tasks\"\n"          // 2
	       "[setup]\n"                          // 3
	       "[[setup.context]]\n"                // 4
	       "name = \"T\"\n"                     // 5
	       "task = \"T\"\n"                     // 6
	       "running_on = 0\n"                   // 7
	       "[[setup.context]]\n"                // 8
	       "name = \"U\"\n"                     // 9
	       "task = \"U\"\n" +                   // 10
	       u_running + "\n"                     // 11
	       "[[setup.event]]\n"                  // 12
	       "name = \"E\"\n"                     // 13
	       "context = \"T\"\n"                  // 14
	       "state = \"ACTIVE\"\n"               // 15
	       "[[setup.event]]\n"                  // 16
	       "name = \"F\"\n"                     // 17
	       "context = \"U\"\n"                  // 18
	       "state = \"" + f_state + "\"\n"      // 19
	       "[[cpu]]\n"
	       "name = \"a\"\n"
	       "run = [\"mmap(E)\"]\n"
	       "[expect]\n"
	       "upstream = \"pass\"\n";
}
}  // namespace

TEST_CASE("a setup the model cannot build is reported at the context or event at fault", "[cli][input]")
{
	std::string dir = temp_dir("setup-fault");
	SECTION("a context: two running tasks on one CPU")
	{
		auto r = run_cli({"run", write_file(dir + "/two-tasks.toml", two_tasks("running_on = 0", "INACTIVE"))});
		CHECK(r.code == 2);
		CHECK(contains(r.err, "two-tasks.toml:8:1: error: the setup cannot be built: context 1 ('U'): cpu0 already runs another task"));
		// the same from --jobs workers: their input error comes back as one, not as a failed worker
		auto jobs = run_cli({"run", dir + "/two-tasks.toml", "--jobs", "2"});
		CHECK(jobs.code == 2);
		CHECK(jobs.err == r.err);
	}
	SECTION("an event: ACTIVE in a task that is not running")
	{
		auto r = run_cli({"run", write_file(dir + "/two-tasks.toml", two_tasks("", "ACTIVE"))});
		CHECK(r.code == 2);
		CHECK(contains(r.err, "two-tasks.toml:16:1: error: the setup cannot be built: event 1 ('F'): setup asks for ACTIVE"));
	}
	SECTION("a setup op: the second inherit() of the same child")
	{
		std::string text = slurp(scenarios_dir() + "/legacy-sync_stat-vs-read.toml");
		text = std::regex_replace(text, std::regex("\"inherit\\(E, EB\\)\""), "\"inherit(E, EA)\"");
		auto r = run_cli({"run", write_file(dir + "/legacy-sync_stat-vs-read.toml", text)});
		CAPTURE(r.err);
		CHECK(r.code == 2);
		CHECK(std::regex_search(r.err, std::regex("legacy-sync_stat-vs-read.toml:22:[0-9]+: error: setup op "
							  "'inherit\\(E, EA\\)' cannot run: .*already part of an inherited family")));
	}
}
