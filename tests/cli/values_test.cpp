// Issue 18: every value on the command line is checked in one place (checker/cli/values.cpp and
// check_run_options), and a replay token replays only on the scenario and variant it came from.
#include <catch2/catch.hpp>

#include <regex>

#include "tests/cli/support.h"

namespace {
std::string token_of(const CliRun &r)
{
	std::smatch m;
	REQUIRE(std::regex_search(r.out, m, std::regex("--replay (\\S+)")));
	return m[1].str();
}
}  // namespace

TEST_CASE("a bad or contradictory option value exits 2 and names the option", "[cli][values]")
{
	const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
		{{"--timeout", "nan"}, "bad --timeout 'nan'"},
		{{"--timeout", "inf"}, "bad --timeout 'inf'"},
		{{"--timeout", "-1"}, "bad --timeout '-1'"},
		{{"--timeout", "0"}, "bad --timeout '0'"},
		{{"--timeout", "1e400"}, "bad --timeout '1e400'"},
		{{"--timeout", "99999999999"}, "bad --timeout '99999999999': expected at most a year"},
		{{"--max-executions", "-1"}, "bad --max-executions '-1'"},
		{{"--max-executions", "0"}, "bad --max-executions '0'"},
		{{"--max-executions", "18446744073709551616"}, "bad --max-executions"},
		{{"--search", "random", "--seed", "-1"}, "bad --seed '-1'"},
		{{"--search", "random", "--seed", "1.5"}, "bad --seed '1.5'"},
		{{"--search", "random", "--iterations", "0"}, "bad --iterations '0'"},
		{{"--search", "random", "--pct", "17"}, "bad --pct '17'"},
		{{"--shard", "0/99999999999"}, "bad --shard '0/99999999999'"},
		{{"--shard", "3/3"}, "bad --shard '3/3'"},
		{{"--shard", "-1/3"}, "bad --shard '-1/3'"},
		{{"--shard", "1/2/3"}, "bad --shard '1/2/3'"},
		{{"--shard", "0/0"}, "bad --shard '0/0'"},
		{{"--jobs", "0"}, "bad --jobs '0'"},
		{{"--jobs", "99999999999"}, "bad --jobs '99999999999'"},
		{{"--search", "bounded", "--bound", "-1"}, "bad --bound '-1'"},
		{{"--replay", ""}, "--replay needs a value"},
		{{"--variant", ""}, "--variant needs a value"},
		{{"--search", "exhaustive", "--bound", "2"}, "--bound applies to the bounded search, and this run is exhaustive"},
		{{"--search", "random", "--bound", "2"}, "--bound applies to the bounded search, and this run is random"},
		{{"--seed", "3"}, "--seed applies to the random search, and this run is exhaustive"},
		{{"--search", "bounded", "--iterations", "3"}, "--iterations applies to the random search, and this run is bounded"},
		{{"--jobs", "2", "--shard", "0/2"}, "--jobs cannot be combined with --shard"},
	};
	for (const auto &[extra, message] : cases) {
		std::vector<std::string> args = {"run", "mmap-vs-sched_out"};
		args.insert(args.end(), extra.begin(), extra.end());
		auto r = run_cli(args);
		CAPTURE(args, r.err);
		CHECK(r.code == 2);
		CHECK(contains(r.err, message));
		CHECK(r.out.empty());  // refused before anything ran
	}
	// the same values where they belong run
	CHECK(run_cli({"run", "mmap-vs-sched_out", "--search", "bounded", "--bound", "1"}).code == 1);
	CHECK(run_cli({"run", "mmap-vs-sched_out", "--timeout", "30", "--max-executions", "100"}).code == 1);
	CHECK(run_cli({"suite", scenarios_dir(), "--jobs", "0"}).code == 2);
}

TEST_CASE("a replay token names its scenario and variant: another's is refused, a copy's is not", "[cli][values][replay]")
{
	auto torn = run_cli({"run", "read-vs-sched_out-torn"});
	REQUIRE(torn.code == 1);
	const std::string token = token_of(torn);
	REQUIRE(std::regex_match(token, std::regex("[0-9a-f]{8}-.+")));

	// issue 18: this token replayed on mmap-vs-sched_out as "benign", exit 0
	auto other = run_cli({"run", "mmap-vs-sched_out", "--replay", token});
	CHECK(other.code == 2);
	CHECK(contains(other.err, "replay token for another scenario or variant"));
	CHECK(contains(other.err, "hint: a token replays only on the scenario and --variant of the report that printed it"));
	auto variant = run_cli({"run", "read-vs-sched_out-torn", "--variant", "mmap-ctx-lock", "--replay", token});
	CHECK(variant.code == 2);
	CHECK(contains(variant.err, "replay token for another scenario or variant"));

	// the same scenario copied elsewhere replays: the identity is its content, not its path
	std::string copy = write_file(temp_dir("replay-copy") + "/read-vs-sched_out-torn.toml",
				      slurp(scenarios_dir() + "/read-vs-sched_out-torn.toml"));
	auto again = run_cli({"run", copy, "--replay", token});
	CHECK(again.code == 1);
	CHECK(again.out.substr(0, again.out.find("\nreplay: ")) == torn.out.substr(0, torn.out.find("\nreplay: ")));
	CHECK(token_of(again) == token);

	// bytes that are not printable ASCII (here not even UTF-8, which --json cannot print) are refused
	auto binary = run_cli({"run", "read-vs-sched_out-torn", "--replay", token + "+\xff", "--json"});
	CHECK(binary.code == 2);
	CHECK(contains(binary.err, "expected at most 65536 printable ASCII characters"));

	// and an edit to what runs (one more read) makes it another scenario
	std::string text = slurp(scenarios_dir() + "/read-vs-sched_out-torn.toml");
	std::string edited = std::regex_replace(text, std::regex("\\[\"read\\(E\\)\", \"read\\(E\\)\"\\]"),
						"[\"read(E)\", \"read(E)\", \"read(E)\"]");
	REQUIRE(edited != text);
	auto changed = run_cli({"run", write_file(temp_dir("replay-edit") + "/read-vs-sched_out-torn.toml", edited),
				"--replay", token});
	CHECK(changed.code == 2);
	CHECK(contains(changed.err, "replay token for another scenario or variant"));
}
