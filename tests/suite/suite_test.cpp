// The shipped scenarios give the verdict each expects under each variant it names.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "checker/api.h"
#include "tests/cli/support.h"

TEST_CASE("every shipped scenario gives its expected verdict under every variant it names", "[suite]")
{
	auto r = run_cli({"suite", scenarios_dir(), "--json"});
	CAPTURE(r.out, r.err);
	REQUIRE(r.code == 0);
	auto j = nlohmann::json::parse(r.out);
	CHECK(j["deviations"] == 0);
	CHECK(j["runs"].get<int>() >= 6);  // every scenario names upstream and mmap-ctx-lock at least
	for (const auto &row : j["results"]) {
		CAPTURE(row.dump());
		CHECK(row["ok"] == true);
	}
}

TEST_CASE("the suite fails on a deviation", "[suite]")
{
	// a copy of a passing scenario that claims the wrong verdict
	std::string dir = "/tmp/perfmc-suite-deviation";
	std::system(("rm -rf " + dir + " && mkdir -p " + dir).c_str());
	std::system(("sed 's/^upstream *= *\"harmful\"/upstream = \"pass\"/' " + scenarios_dir() +
		     "/read-vs-sched_out-torn.toml > " + dir + "/read-vs-sched_out-torn.toml")
			    .c_str());
	std::string junit = dir + "/junit.xml";
	auto r = run_cli({"suite", dir, "--junit", junit});
	CHECK(r.code == 1);
	CHECK(contains(r.out, "DEVIATION"));

	// the same runs as JUnit XML: one testcase per scenario and variant, the deviation a failure
	// that carries the replay command
	pugi::xml_document doc;
	REQUIRE(doc.load_file(junit.c_str()));
	pugi::xml_node suite = doc.child("testsuites").child("testsuite");
	CHECK(std::string(suite.attribute("name").value()) == "perf");
	CHECK(suite.attribute("tests").as_int() == 2);
	CHECK(suite.attribute("failures").as_int() == 1);
	pugi::xml_node failed = suite.find_child_by_attribute("testcase", "name", "read-vs-sched_out-torn [upstream]");
	REQUIRE(failed);
	CHECK(std::string(failed.child("failure").attribute("message").value()) == "expected pass, got harmful");
	CHECK(contains(failed.child("failure").text().get(), "replay: perfmc run read-vs-sched_out-torn --variant upstream --replay "));
	pugi::xml_node passed = suite.find_child_by_attribute("testcase", "name", "read-vs-sched_out-torn [mmap-ctx-lock]");
	REQUIRE(passed);
	CHECK_FALSE(passed.child("failure"));

	auto unwritable = run_cli({"suite", dir, "--junit", "/nonexistent-dir/junit.xml"});
	CHECK(unwritable.code == 2);
	CHECK(contains(unwritable.err, "cannot write the JUnit file"));
}

// Issue 6's soundness check on the shipped scenarios: wherever the full search (no reduction)
// completes within a budget, the reduced search reaches the same verdict. Scenarios with a
// bounded [search] are left out: a preemption bound counts different points in the two searches.
TEST_CASE("the reduced search gives the full search's verdict on every shipped scenario the full search completes", "[suite][reduction][.slow]")
{
	using namespace perfmc;
	int compared = 0, harmful = 0, clean = 0;
	for (const std::string &file : scenario_files(scenarios_dir())) {
		Scenario s = load_scenario_file(file, model_registries());
		if (s.search.mode != "exhaustive")
			continue;
		for (const auto &[variant, expected] : s.expect) {
			CAPTURE(s.name, variant);
			RunOptions full;
			full.variant = variant;
			full.reduction = false;
			full.max_executions = 30000;
			RunResult f = run_scenario(s, full, s.name);
			if (f.verdict == Verdict::Incomplete)
				continue;  // the full search did not finish within the budget
			RunOptions reduced;
			reduced.variant = variant;
			RunResult r = run_scenario(s, reduced, s.name);
			CHECK(verdict_name(r.verdict) == std::string(verdict_name(f.verdict)));
			compared++;
			harmful += f.verdict == Verdict::Harmful;
			clean += f.verdict != Verdict::Harmful;
		}
	}
	// not vacuous: both kinds of verdict are compared
	CHECK(compared >= 20);
	CHECK(harmful >= 5);
	CHECK(clean >= 5);
}
