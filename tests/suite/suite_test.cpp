// The shipped scenarios give the verdict each expects under each variant it names.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

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
	auto r = run_cli({"suite", dir});
	CHECK(r.code == 1);
	CHECK(contains(r.out, "DEVIATION"));
}
