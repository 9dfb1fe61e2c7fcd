// Issue 18: `perfmc merge` checks every result it is given (one validation, validate_result) and
// refuses a malformed one with exit 2 and the field at fault; it never crashes or reads garbage.
#include <catch2/catch.hpp>

#include <functional>

#include <nlohmann/json.hpp>

#include "checker/api.h"
#include "checker/diagnostic.h"
#include "tests/cli/support.h"

namespace {

struct Shards {
	std::string dir;
	nlohmann::json zero, one;
	std::string one_path;
};

const Shards &shards()
{
	static const Shards s = [] {
		Shards s;
		s.dir = temp_dir("merge");
		for (int k = 0; k < 2; k++) {
			auto r = run_cli({"run", "perf_event_update_time-vs-sched_out", "--shard", std::to_string(k) + "/2", "--json"});
			REQUIRE(r.code == 0);
			(k ? s.one : s.zero) = nlohmann::json::parse(r.out);
		}
		s.one_path = write_file(s.dir + "/one.json", s.one.dump());
		return s;
	}();
	return s;
}

CliRun merge_with(const std::string &text)
{
	return run_cli({"merge", write_file(shards().dir + "/zero.json", text), shards().one_path});
}

}  // namespace

TEST_CASE("merge refuses a result with a missing, mistyped or out-of-range field, naming the field", "[cli][merge]")
{
	using nlohmann::json;
	const std::vector<std::pair<std::function<void(json &)>, std::string>> cases = {
		{[](json &j) { j["shard"] = json::array(); }, "'shard': expected an array of two numbers [K, N], got 0 elements"},
		{[](json &j) { j["shard"] = {0}; }, "'shard': expected an array of two numbers [K, N], got 1 element"},
		{[](json &j) { j["shard"] = {2, 2}; }, "'shard': expected [K, N] with 0 <= K < N"},
		{[](json &j) { j["shard"] = {-1, 2}; }, "'shard[0]': expected a whole number, 0 or more, got a negative number"},
		{[](json &j) { j["shard"] = {0, 0}; }, "'shard': expected [K, N] with 0 <= K < N"},
		{[](json &j) { j["shard"] = "0/2"; }, "'shard': expected an array [K, N], got a string"},
		{[](json &j) { j["executions"] = -1; }, "'executions': expected a whole number, 0 or more, got a negative number"},
		{[](json &j) { j["executions"] = 1.5; }, "'executions': expected a whole number, 0 or more, got a fractional number"},
		{[](json &j) { j.erase("variant"); }, "'variant': missing"},
		{[](json &j) { j.erase("scenario"); }, "'scenario': missing"},
		{[](json &j) { j["verdict"] = "fine"; }, "'verdict': expected pass, benign, harmful or incomplete, got 'fine'"},
		{[](json &j) { j["verdict"] = 3; }, "'verdict': expected a string, got a number"},
		{[](json &j) { j["complete"] = "yes"; }, "'complete': expected a boolean, got a string"},
		{[](json &j) { j["elapsed_ms"] = nullptr; }, "'elapsed_ms': expected a number of milliseconds"},
		{[](json &j) { j["races"] = {{{"title", 1}}}; }, "'races[0].title': expected a string, got a number"},
		{[](json &j) { j["races"] = {{{"title", "t"}, {"field", "f"}, {"first", json::object()}}}; },
		 "'races[0].first.type': missing"},
		{[](json &j) { j["verdict"] = "harmful"; }, "'replay': a harmful result carries the replay token"},
		{[](json &j) { j = json::array(); }, "expected a JSON object, got an array"},
	};
	for (const auto &[mutate, message] : cases) {
		json j = shards().zero;
		mutate(j);
		auto r = merge_with(j.dump());
		CAPTURE(j.dump().substr(0, 200), r.err);
		CHECK(r.code == 2);
		CHECK(contains(r.err, message));
		CHECK(contains(r.err, "zero.json: error: "));
	}
}

TEST_CASE("merge refuses deep nesting, non-JSON and results of different runs", "[cli][merge]")
{
	auto deep = merge_with(std::string(200000, '[') + std::string(200000, ']'));
	CHECK(deep.code == 2);
	CHECK(contains(deep.err, "JSON nested deeper than 64 levels"));
	auto deep_object = merge_with("{\"scenario\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
	CHECK(deep_object.code == 2);
	auto garbage = merge_with("{\"scenario\": ");
	CHECK(garbage.code == 2);
	CHECK(contains(garbage.err, "not JSON"));

	nlohmann::json other = shards().zero;
	other["variant"] = "mmap-ctx-lock";
	auto mixed = merge_with(other.dump());
	CHECK(mixed.code == 2);
	CHECK(contains(mixed.err, "comes from another run"));
	auto twice = run_cli({"merge", shards().one_path, shards().one_path});
	CHECK(twice.code == 2);
	CHECK(contains(twice.err, "shard 1 appears twice"));
}

TEST_CASE("merge exits as the merged verdict: 0 complete, 4 when a shard is missing", "[cli][merge]")
{
	auto whole = merge_with(shards().zero.dump());
	CHECK(whole.code == 0);
	CHECK(nlohmann::json::parse(whole.out)["complete"] == true);
	auto half = run_cli({"merge", shards().one_path});
	CHECK(half.code == 4);
	CHECK(nlohmann::json::parse(half.out)["verdict"] == "incomplete");
}

TEST_CASE("validate_result accepts what perfmc run --json writes, harmful ones included", "[cli][merge]")
{
	auto harmful = run_cli({"run", "mmap-vs-sched_out", "--json"});
	REQUIRE(harmful.code == 1);
	CHECK_NOTHROW(perfmc::validate_result(nlohmann::json::parse(harmful.out), "harmful"));
	CHECK_NOTHROW(perfmc::validate_result(shards().zero, "zero"));
	CHECK_THROWS_AS(perfmc::merge_results({}), perfmc::InputError);
}
