// Issue 17: a sharded search is the whole search. For N = 1..7, `run --jobs N` and the `--shard K/N`
// parts put together by `perfmc merge` (re-running, as the merge asks, the shards that lacked
// visible names) give the unsharded executions and verdict, and nothing claims `complete` for less.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "checker/api.h"
#include "checker/cli/values.h"
#include "tests/cli/support.h"

using namespace perfmc;

namespace {

using nlohmann::json;

json run_json(std::vector<std::string> args)
{
	args.insert(args.begin(), "run");
	args.push_back("--json");
	CliRun r = run_cli(args);
	INFO(r.err);
	REQUIRE((r.code == 0 || r.code == 1 || r.code == 4));
	return json::parse(r.out);
}

/* what must not depend on the number of shards */
void check_same_search(const json &whole, const json &sharded)
{
	CHECK(sharded["verdict"] == whole["verdict"]);
	if (whole["verdict"] == "harmful") {
		/* the first counterexample in (round, shard) order: the fewest preemptions, like the whole search's */
		CHECK(sharded["complete"] == false);
		CHECK(sharded["preemptions"] == whole["preemptions"]);
		CHECK(sharded["fewest_preemptions"] == true);
		return;
	}
	CHECK(sharded["complete"] == whole["complete"]);
	CHECK(sharded["executions"] == whole["executions"]);
	CHECK(sharded["visible"] == whole["visible"]);
	std::set<std::string> a, b;
	for (const json &r : whole["races"])
		a.insert(r["title"].get<std::string>() + "|" + r["field"].get<std::string>());
	for (const json &r : sharded["races"])
		b.insert(r["title"].get<std::string>() + "|" + r["field"].get<std::string>());
	CHECK(a == b);
}

/*
 * The --shard K/N recipe for separate machines: run every shard, merge; while the merge says the
 * shards searched under different visible names (incomplete, `rerun`), run the shards it names
 * again with `rerun.option` and merge again. No merge before the last may claim complete.
 */
json shard_and_merge(const std::string &scenario, const std::string &variant, int n, const std::string &dir,
		     const json &whole)
{
	std::map<int, std::string> files;
	std::vector<std::string> extra;
	auto run_shard = [&](int k) {
		std::vector<std::string> args{scenario, "--variant", variant, "--shard", std::to_string(k) + "/" + std::to_string(n)};
		args.insert(args.end(), extra.begin(), extra.end());
		files[k] = write_file(dir + "/" + std::to_string(k) + ".json", run_json(args).dump());
	};
	for (int k = 0; k < n; k++)
		run_shard(k);
	for (int round = 0;; round++) {
		std::vector<std::string> args{"merge"};
		for (const auto &[k, f] : files)
			args.push_back(f);
		CliRun m = run_cli(args);
		INFO(m.err);
		json merged = json::parse(m.out);
		CHECK(m.code == exit_status(merged["verdict"].get<std::string>()));
		if (merged["complete"] == true) {  // complete only when it is the whole search
			CHECK(merged["executions"] == whole["executions"]);
			CHECK(merged["verdict"] == whole["verdict"]);
		}
		if (!merged.contains("rerun") || merged["verdict"] == "harmful")
			return merged;
		INFO("merge " << round << ": " << merged["rerun"].dump());
		CHECK(merged["complete"] == false);
		CHECK(merged["verdict"] == "incomplete");
		CHECK(m.code == 4);
		REQUIRE(round < 16);  // every re-run adds a name: the names of the scenario bound the rounds
		REQUIRE(!merged["rerun"]["shards"].empty());
		const std::string option = merged["rerun"]["option"];
		extra = {"--visible", option.substr(std::string("--visible ").size())};
		for (const json &k : merged["rerun"]["shards"])
			run_shard(k.get<int>());
	}
}

void check_shards(const std::string &scenario, const std::string &variant, int max_n = 7)
{
	INFO(scenario << " [" << variant << "]");
	const json whole = run_json({scenario, "--variant", variant});
	const std::string dir = temp_dir("shards");
	for (int n = 1; n <= max_n; n++) {
		INFO("N = " << n);
		{
			INFO("--jobs");
			check_same_search(whole, run_json({scenario, "--variant", variant, "--jobs", std::to_string(n)}));
		}
		if (whole["verdict"] == "harmful")
			continue;  // separate shards have no board: a shard with no early violation runs its whole part
		{
			INFO("--shard K/N and merge");
			const json merged = shard_and_merge(scenario, variant, n, dir, whole);
			CHECK(merged["verdict"] == whole["verdict"]);
			if (whole["verdict"] != "harmful") {
				CHECK(merged["complete"] == whole["complete"]);
				CHECK(merged["executions"] == whole["executions"]);
				CHECK(merged["visible"] == whole["visible"]);
			}
		}
	}
}

}  // namespace

TEST_CASE("sharded searches of 1 to 7 shards add up to the unsharded search", "[cli][shard]")
{
	/* a few scenarios, fast, of different shapes: several restarts for new visible names, many
	 * executions, an IPI, harmful ones (the fewest-preemption counterexample) */
	check_shards("two-events-vs-close", "v16-cancel-dec");  // the case: 7 names, found by different shards
	check_shards("read-vs-sched_in", "mmap-ctx-lock");
	check_shards("nmi_sample-vs-close", "v16-cancel-dec");
	check_shards("disable-vs-sched_out", "upstream");
	check_shards("mmap-vs-enable", "upstream");  // harmful after 2 executions
	check_shards("mmap-vs-disable-leader", "upstream");
}

TEST_CASE("sharded searches of 1 to 7 shards add up to the unsharded search over the whole catalogue", "[cli][shard][.slow]")
{
	for (const std::string &file : scenario_files(scenarios_dir())) {
		Scenario s = load_scenario(file, scenarios_dir());
		if (s.search.mode != "exhaustive")
			continue;  // bounded and random scenarios are not exhaustive to begin with
		for (const auto &[variant, verdict] : s.expect)
			check_shards(file, variant);
	}
}

TEST_CASE("merge refuses to call parts of different trees complete and names the shards to re-run", "[cli][shard][merge]")
{
	const std::string dir = temp_dir("shard-disagree");
	std::vector<std::string> files{"merge"};
	for (int k = 0; k < 3; k++)
		files.push_back(write_file(
			dir + "/" + std::to_string(k) + ".json",
			run_json({"two-events-vs-close", "--variant", "v16-cancel-dec", "--shard", std::to_string(k) + "/3"}).dump()));
	CliRun m = run_cli(files);
	json merged = json::parse(m.out);
	/* with these shards, shard 0 ends with fewer names than the others: its part is of another tree */
	CHECK(m.code == 4);
	CHECK(merged["verdict"] == "incomplete");
	CHECK(merged["complete"] == false);
	CHECK(merged["stopped"] == "visible-names-differ");
	CHECK(merged["rerun"]["shards"] == json::array({0}));
	CHECK(merged["rerun"]["visible"].size() == 7);
}

TEST_CASE("run --jobs stops every worker at the first violation and says the counterexample has the fewest preemptions",
	  "[cli][shard][jobs]")
{
	/* the search alone is harmful after 2 executions; 7 workers used to run the rest of their parts */
	const json whole = run_json({"mmap-vs-enable"});
	REQUIRE(whole["verdict"] == "harmful");
	const auto start = std::chrono::steady_clock::now();
	const json jobs = run_json({"mmap-vs-enable", "--jobs", "7"});
	const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	CHECK(seconds < 20);  // was over 120 s
	CHECK(jobs["verdict"] == "harmful");
	CHECK(jobs["preemptions"] == whole["preemptions"]);
	CHECK(jobs["fewest_preemptions"] == true);
	CHECK(jobs["executions"].get<uint64_t>() < 1000);
	CliRun text = run_cli({"run", "mmap-vs-enable", "--jobs", "7"});
	CHECK(text.code == 1);
	CHECK(contains(text.err, "no execution with fewer preemptions breaks an invariant"));
	/* the same counterexample every time: the first in (round, shard) order, not the first to finish */
	for (int i = 0; i < 3; i++)
		CHECK(run_json({"mmap-vs-enable", "--jobs", "7"})["replay"] == jobs["replay"]);
}

TEST_CASE("merge says when a counterexample may not have the fewest preemptions", "[cli][shard][merge]")
{
		/* shard 1 stopped by --max-executions before it searched the lower bounds */
	const json harmful = run_json({"mmap-vs-enable", "--shard", "0/2"});
	json part = run_json({"mmap-vs-enable", "--shard", "1/2", "--max-executions", "1"});
	REQUIRE(harmful["verdict"] == "harmful");
	REQUIRE(harmful["bound"] == 1);
	REQUIRE(part["verdict"] == "incomplete");
	/* --max-executions counts the executions a shard owns, so where it stops depends on the split:
	 * say it stopped in round 0, before the bound of the violation */
	part["bound"] = 0;
	json merged = merge_results({harmful, part});
	CHECK(merged["verdict"] == "harmful");
	CHECK(merged["fewest_preemptions"] == false);
	/* had it been stopped in round 1, it would have searched every execution with 0 preemptions */
	part["bound"] = 1;
	CHECK(merge_results({harmful, part})["fewest_preemptions"] == true);
	/* a merge of the separate shards of a harmful search: the violation of the least (round, shard) */
	const json other = run_json({"mmap-vs-enable", "--shard", "1/2", "--max-executions", "200"});
	REQUIRE(other["verdict"] == "harmful");
	REQUIRE(other["bound"].get<int>() > 1);
	merged = merge_results({other, harmful});
	CHECK(merged["replay"] == harmful["replay"]);
	CHECK(merged["fewest_preemptions"] == true);
}

TEST_CASE("run takes --visible, the names merge prints, and is refused where it cannot apply", "[cli][shard]")
{
	CHECK(parse_visible("b,a,b") == std::vector<std::string>{"a", "b"});
	for (const char *bad : {"", ",", "a,,b", "a b", "a+b"}) {
		CliRun r = run_cli({"run", "mmap-vs-enable", "--visible", bad});
		INFO(bad);
		CHECK(r.code == 2);
		CHECK(contains(r.err, "--visible"));
	}
	CliRun replay = run_cli({"run", "mmap-vs-enable", "--replay", "00000000-0", "--visible", "perf_clock"});
	CHECK(replay.code == 2);
	CHECK(contains(replay.err, "drop --visible"));
	/* the names a whole search ends with, given from the start: the same search, with no restart */
	const json whole = run_json({"two-events-vs-close", "--variant", "v16-cancel-dec"});
	std::string names;
	for (const json &n : whole["visible"])
		names += (names.empty() ? "" : ",") + n.get<std::string>();
	const json seeded = run_json({"two-events-vs-close", "--variant", "v16-cancel-dec", "--visible", names});
	CHECK(seeded["executions"] == whole["executions"]);
	CHECK(seeded["visible"] == whole["visible"]);
	CHECK(seeded["discovery_executions"] == 0);
	CHECK(whole["discovery_executions"].get<uint64_t>() > 0);
}

TEST_CASE("run --jobs hands out many more parts than workers and the parts are still the whole search",
	  "[cli][shard][jobs]")
{
	/* the peer benchmark, 3 CPUs K=3, fixed: 1,680 executions (its lock acquisition orders) */
	const std::string peer = PERFMC_SOURCE_DIR "/bench/scenarios/peer-T3-K3-fixed.toml";
	const json whole = run_json({peer});
	REQUIRE(whole["verdict"] == "pass");
	REQUIRE(whole["executions"] == 1680);
	const json jobs = run_json({peer, "--jobs", "2"});
	check_same_search(whole, jobs);
	CHECK(jobs["complete"] == true);
	CHECK(jobs["parts"] == 32);                 // 16 parts per worker
	CHECK(jobs["shards_merged"] == 32);         // every part ran and was merged
	REQUIRE(jobs["worker_cpu_ms"].size() == 2);
	for (const json &ms : jobs["worker_cpu_ms"])
		CHECK(ms.get<double>() > 0);            // both workers took parts
}
