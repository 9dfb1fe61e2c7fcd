// The command line end to end, in-process: verbs, exit codes, byte-identical output and replay.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "tests/cli/support.h"

TEST_CASE("perfmc --version and --help exit 0 and say what they are", "[cli]")
{
	auto v = run_cli({"--version"});
	CHECK(v.code == 0);
	CHECK(contains(v.out, "perfmc "));
	auto h = run_cli({"run", "--help"});
	CHECK(h.code == 0);
	CHECK(contains(h.out, "example: perfmc run mmap-vs-sched_out --variant mmap-ctx-lock"));
}

TEST_CASE("bad usage exits 2 with a message on stderr", "[cli]")
{
	SECTION("no verb") { CHECK(run_cli({}).code == 2); }
	SECTION("unknown verb") { CHECK(run_cli({"frobnicate"}).code == 2); }
	SECTION("a misspelt option") { CHECK(run_cli({"run", "mmap-vs-sched_out", "--varaint", "x"}).code == 2); }
	SECTION("a bad search mode")
	{
		auto r = run_cli({"run", "mmap-vs-sched_out", "--search", "sideways"});
		CHECK(r.code == 2);
		CHECK_FALSE(r.err.empty());
	}
}

TEST_CASE("perfmc list names every shipped scenario with its summary", "[cli]")
{
	auto r = run_cli({"list"});
	REQUIRE(r.code == 0);
	CHECK(contains(r.out, "mmap-vs-sched_out "));
	CHECK(contains(r.out, "read-vs-sched_out-torn "));
	auto ops = run_cli({"list", "--ops"});
	REQUIRE(ops.code == 0);
	CHECK(contains(ops.out, "sched_out(task)"));
	CHECK(contains(ops.out, "mmap-ctx-lock"));
}

TEST_CASE("perfmc show prints the scenario as the checker understands it", "[cli]")
{
	auto r = run_cli({"show", "mmap-vs-sched_out"});
	REQUIRE(r.code == 0);
	CHECK(contains(r.out, "mmap-vs-sched_out"));
	CHECK(contains(r.out, "sched_out(T)"));
	CHECK(contains(r.out, "mmap(E)"));
}

TEST_CASE("an unknown scenario name exits 2 and suggests the closest one", "[cli]")
{
	auto r = run_cli({"run", "mmap-vs-schedout"});
	CHECK(r.code == 2);
	CHECK(r.err == "perfmc: error: no scenario named 'mmap-vs-schedout'\n"
		       "  hint: did you mean 'mmap-vs-sched_out'? `perfmc list` shows all\n");
}

TEST_CASE("an unknown variant exits 2 and lists the variants", "[cli]")
{
	auto r = run_cli({"run", "mmap-vs-sched_out", "--variant", "mmap-ctx-lok"});
	CHECK(r.code == 2);
	CHECK(contains(r.err, "unknown variant 'mmap-ctx-lok'"));
	CHECK(contains(r.err, "did you mean 'mmap-ctx-lock'?"));
}

TEST_CASE("perfmc run mmap-vs-sched_out is harmful under upstream, with race, ticks, lanes and replay", "[cli][run]")
{
	auto r = run_cli({"run", "mmap-vs-sched_out"});
	CAPTURE(r.out, r.err);
	REQUIRE(r.code == 1);
	CHECK(r.out.rfind("mmap-vs-sched_out [upstream]: harmful: ", 0) == 0);
	CHECK(contains(r.out, "BUG: KCSAN: data-race in "));
	CHECK(contains(r.out, "perf_mmap_rb"));
	// the harm, in ticks: lost or double-counted against the ledger, or time running backwards
	CHECK(std::regex_search(r.out, std::regex("ledger says [0-9]+: [0-9]+ ticks? (lost|double-counted)|[0-9]+ ticks? backwards")));
	CHECK(contains(r.out, "cpu0: task switch"));
	CHECK(contains(r.out, "cpu1: mmap syscall"));
	CHECK(contains(r.out, "replay: perfmc run mmap-vs-sched_out --variant upstream --replay "));
	CHECK(contains(r.err, "executions explored (exhaustive)"));
}

TEST_CASE("the same run twice prints the same bytes", "[cli][run]")
{
	auto a = run_cli({"run", "mmap-vs-sched_out"});
	auto b = run_cli({"run", "mmap-vs-sched_out"});
	CHECK(a.code == b.code);
	CHECK(a.out == b.out);
}

TEST_CASE("the replay command of a report prints the same report, byte for byte", "[cli][run][replay]")
{
	auto first = run_cli({"run", "mmap-vs-sched_out"});
	REQUIRE(first.code == 1);
	std::smatch m;
	REQUIRE(std::regex_search(first.out, m, std::regex("--replay (\\S+)")));
	auto again = run_cli({"run", "mmap-vs-sched_out", "--variant", "upstream", "--replay", m[1].str()});
	CHECK(again.code == 1);
	CHECK(again.out == first.out);
}

TEST_CASE("a random search's counterexample replays too", "[cli][run][replay]")
{
	auto first = run_cli({"run", "mmap-vs-sched_out", "--search", "random", "--seed", "7", "--iterations", "500"});
	REQUIRE(first.code == 1);
	std::smatch m;
	REQUIRE(std::regex_search(first.out, m, std::regex("--replay (\\S+)")));
	auto again = run_cli({"run", "mmap-vs-sched_out", "--replay", m[1].str()});
	CHECK(again.out == first.out);
}

TEST_CASE("a replay token that does not fit the scenario exits 2", "[cli][run][replay]")
{
	auto first = run_cli({"run", "mmap-vs-sched_out"});
	std::smatch m;
	REQUIRE(std::regex_search(first.out, m, std::regex("--replay ([0-9a-f]{8})-(\\S+)")));
	// this scenario's identity, but choices its executions never offer
	auto r = run_cli({"run", "mmap-vs-sched_out", "--replay", m[1].str() + "-7777"});
	CHECK(r.code == 2);
	CHECK(contains(r.err, "the replay token does not fit this scenario"));
	auto bad = run_cli({"run", "mmap-vs-sched_out", "--replay", m[1].str() + "-x1"});
	CHECK(bad.code == 2);
	CHECK(contains(bad.err, "bad replay token"));
	auto shapeless = run_cli({"run", "mmap-vs-sched_out", "--replay", "7777"});
	CHECK(shapeless.code == 2);
	CHECK(contains(shapeless.err, "bad replay token '7777': expected 8 hex digits naming the scenario"));
}

TEST_CASE("the mmap-ctx-lock variant closes mmap-vs-sched_out's time race in an exhaustive search", "[cli][run]")
{
	auto r = run_cli({"run", "mmap-vs-sched_out", "--variant", "mmap-ctx-lock"});
	CAPTURE(r.out);
	CHECK(r.code == 0);
	// no invariant breaks; what is left is perf_mmap()'s plain read of event->state
	CHECK(r.out.rfind("mmap-vs-sched_out [mmap-ctx-lock]: benign: 1 data race, but no invariant broken", 0) == 0);
	CHECK(contains(r.out, "exhaustive search complete"));
	CHECK(contains(r.out, "BUG: KCSAN: data-race in perf_event_set_state / perf_mmap\n"));
	CHECK_FALSE(contains(r.out, "perf_mmap_rb"));
}

TEST_CASE("run --json carries verdict, races, violation, executions, elapsed_ms and the replay token", "[cli][run]")
{
	auto r = run_cli({"run", "mmap-vs-sched_out", "--json"});
	REQUIRE(r.code == 1);
	auto j = nlohmann::json::parse(r.out);
	CHECK(j["verdict"] == "harmful");
	CHECK(j["executions"].get<uint64_t>() > 0);
	CHECK(j.contains("elapsed_ms"));
	CHECK(j["replay"].is_string());
	CHECK_FALSE(j["failing_races"].empty());
	CHECK(j["violation"]["invariant"].is_string());
}

TEST_CASE("a bounded search without a bound reports the fewest preemptions", "[cli][run]")
{
	auto r = run_cli({"run", "mmap-vs-sched_out", "--search", "bounded"});
	REQUIRE(r.code == 1);
	CHECK(contains(r.out, "the failing execution needs 1 preemption"));
}

TEST_CASE("a malformed scenario file exits 2 with file:line:col", "[cli]")
{
	std::string path = "/tmp/perfmc-cli-test-bad.toml";
	{
		std::ofstream f(path);
		f << "name = \"perfmc-cli-test-bad\"\nsummary = \"x\"\n[setup]\n[[setup.context]]\nname = \"T\"\ntask = \"T\"\n"
		     "[[setup.event]]\nname = \"E\"\ncontext = \"T\"\n[[cpu]]\nname = \"a\"\nrun = [\"mmapp(E)\"]\n"
		     "[expect]\nupstream = \"pass\"\n";
	}
	auto r = run_cli({"run", path});
	std::remove(path.c_str());
	CHECK(r.code == 2);
	CHECK(contains(r.err, path + ":12:"));
	CHECK(contains(r.err, "unknown op 'mmapp'"));
}

TEST_CASE("a scenario naming a former model gets an input error with the new spelling", "[cli]")
{
	for (const char *former : {"aux-throttle", "output-wakeup", "deferred-callchain"}) {
		CAPTURE(former);
		std::string path = "/tmp/perfmc-cli-test-former.toml";
		{
			std::ofstream f(path);
			f << "name = \"perfmc-cli-test-former\"\nmodel = \"" << former << "\"\nsummary = \"x\"\n"
			  << "[[setup.context]]\nname = \"T\"\ntask = \"T\"\n[[cpu]]\nname = \"a\"\nrun = [\"sched_in(T)\"]\n"
			  << "[expect]\nupstream = \"pass\"\n";
		}
		auto r = run_cli({"run", path});
		std::remove(path.c_str());
		CHECK(r.code == 2);
		CHECK(contains(r.err, path + ":2:"));
		CHECK(contains(r.err, std::string("model '") + former + "' is now part of model 'perf'"));
		CHECK(contains(r.err, "remove the `model` line"));
	}
}

TEST_CASE("a call holding a lock kind its model lacks is an input error, not a run-time violation", "[cli]")
{
	std::string path = "/tmp/perfmc-cli-test-lockkind.toml";
	{
		std::ofstream f(path);
		f << "name = \"perfmc-cli-test-lockkind\"\nmodel = \"perf-2.6.32\"\nsummary = \"x\"\n"
		  << "[[setup.context]]\nname = \"T\"\ntask = \"T\"\n[[setup.event]]\nname = \"E\"\ncontext = \"T\"\n"
		  << "[[cpu]]\nname = \"a\"\nrun = [{ call = \"update_event_times\", args = [\"E\"], locks = [\"E.mmap_mutex\"] }]\n"
		  << "[expect]\nupstream = \"pass\"\n";
	}
	auto r = run_cli({"run", path});
	std::remove(path.c_str());
	CHECK(r.code == 2);
	CHECK(contains(r.err, "model 'perf-2.6.32' has no event->mmap_mutex"));
}

TEST_CASE("perfmc list --ops shows the one model's ops grouped by kernel area", "[cli]")
{
	auto r = run_cli({"list", "--ops", "--model", "perf"});
	REQUIRE(r.code == 0);
	for (const char *area : {"  sched:\n", "  output:\n", "  callchain:\n", "  throttle:\n", "  aux:\n"})
		CHECK(contains(r.out, area));
	CHECK(contains(r.out, "    set_output(event, output)"));
	CHECK(contains(r.out, "    nmi_sample(event)"));
	CHECK(contains(r.out, "aux-pause-throttle"));
	CHECK(contains(r.out, "v16-cancel"));
}

TEST_CASE("run --jobs and merged --shard results agree with the single-process run", "[cli][run][shard]")
{
	auto single = run_cli({"run", "perf_event_update_time-vs-sched_out", "--json"});
	REQUIRE(single.code == 0);
	auto whole = nlohmann::json::parse(single.out);
	auto jobs = run_cli({"run", "perf_event_update_time-vs-sched_out", "--jobs", "2", "--json"});
	REQUIRE(jobs.code == 0);
	auto merged_jobs = nlohmann::json::parse(jobs.out);
	CHECK(merged_jobs["verdict"] == whole["verdict"]);
	CHECK(merged_jobs["executions"] == whole["executions"]);
	CHECK(merged_jobs["complete"] == true);

	std::vector<std::string> files;
	for (int k = 0; k < 3; k++) {
		auto part = run_cli({"run", "perf_event_update_time-vs-sched_out", "--shard", std::to_string(k) + "/3", "--json"});
		REQUIRE(part.code == 0);
		files.push_back("/tmp/perfmc-shard-" + std::to_string(k) + ".json");
		std::ofstream(files.back()) << part.out;
	}
	auto merged = run_cli({"merge", files[0], files[1], files[2]});
	REQUIRE(merged.code == 0);
	auto m = nlohmann::json::parse(merged.out);
	CHECK(m["verdict"] == whole["verdict"]);
	CHECK(m["executions"] == whole["executions"]);
	auto incomplete = run_cli({"merge", files[0], files[2]});
	CHECK(incomplete.code == 4);
	CHECK(nlohmann::json::parse(incomplete.out)["verdict"] == "incomplete");  // shard 1 missing
	CHECK(run_cli({"run", "mmap-vs-sched_out", "--shard", "3/3"}).code == 2);
}

TEST_CASE("suite --jobs gives the same table as the single-process suite", "[cli][suite]")
{
	// one or two scenarios of each model (the whole suite runs in the suite tests)
	std::string dir = temp_dir("suite-jobs");
	for (const char *name : {"mmap-vs-sched_out", "read-vs-sched_out-torn", "two-events-one-task", "legacy-read-vs-sched_out",
				 "nmi_sample-vs-close", "set_output-vs-overflow", "aux-throttle-no-rb"})
		write_file(dir + "/" + name + ".toml", slurp(scenarios_dir() + "/" + name + ".toml"));
	auto a = run_cli({"suite", dir});
	auto b = run_cli({"suite", dir, "--jobs", "2"});
	CHECK(contains(a.out, "\n19 runs, 19 as expected, 0 deviations\n"));
	CHECK(a.code == 0);
	CHECK(b.code == 0);
	CHECK(a.out == b.out);
}

TEST_CASE("setup ops run before the lanes in every execution: a disabled event's times survive the seed race", "[cli]")
{
	// mmap-vs-sched_out with `ops = ["disable(E)"]`: E is OFF when the lanes start, so neither
	// perf_mmap_rb() nor the task switch charges it time; the races on ctx fields remain.
	std::ifstream in(scenarios_dir() + "/mmap-vs-sched_out.toml");
	std::stringstream text;
	text << in.rdbuf();
	std::string s = text.str();
	s = std::regex_replace(s, std::regex("name    = \"mmap-vs-sched_out\""), "name = \"perfmc-setup-ops\"");
	s = std::regex_replace(s, std::regex("\ntick = 10\n"), "\ntick = 10\nops = [\"disable(E)\"]\n");
	std::string path = "/tmp/perfmc-setup-ops.toml";
	std::ofstream(path) << s;
	auto shown = run_cli({"show", path});
	REQUIRE(shown.code == 0);
	CHECK(contains(shown.out, "then, on CPU 0 before the lanes start:\n    1. disable(E)"));
	auto r = run_cli({"run", path});
	CHECK(r.code == 0);
	CHECK(contains(r.out, "perfmc-setup-ops [upstream]: benign"));
	std::remove(path.c_str());
}

TEST_CASE("perfmc list --ops --model shows one model, and an unknown model exits 2 with a hint", "[cli]")
{
	auto perf = run_cli({"list", "--ops", "--model", "perf"});
	REQUIRE(perf.code == 0);
	CHECK(contains(perf.out, "model perf (the default): kernel/events/core.c @ 12f24484da13"));
	CHECK(contains(perf.out, "sched_out(task)"));
	auto bad = run_cli({"list", "--ops", "--model", "pref"});
	CHECK(bad.code == 2);
	CHECK(contains(bad.err, "unknown model 'pref'"));
	CHECK(contains(bad.err, "did you mean 'perf'?"));
}

TEST_CASE("random search with PCT priorities find the seed race with few preemptions, deterministically, and the token replays", "[cli]")
{
	auto run = [](const char *depth) {
		return run_cli({"run", "mmap-vs-sched_out", "--search", "random", "--iterations", "200", "--seed", "7", "--pct", depth});
	};
	auto a = run("2");
	REQUIRE(a.code == 1);
	CHECK(contains(a.out, "mmap-vs-sched_out [upstream]: harmful"));
	CHECK(contains(a.err, "(PCT, depth 2)"));
	CHECK(run("2").out == a.out);  // same seed, same executions, same report
	std::smatch m;
	REQUIRE(std::regex_search(a.out, m, std::regex("--replay (\\S+)")));
	auto replay = run_cli({"run", "mmap-vs-sched_out", "--replay", m[1].str()});
	CHECK(replay.code == 1);
	CHECK(contains(replay.out, "harmful"));
	// depth 1 has no priority change: only the lanes' fixed orders run, and this race needs a
	// preemption; a random search that finds nothing is incomplete (exit 4), never a pass
	auto none = run("1");
	CHECK(none.code == 4);
	CHECK(contains(none.out, "mmap-vs-sched_out [upstream]: incomplete"));
	// PCT belongs to the random search
	auto bad = run_cli({"run", "mmap-vs-sched_out", "--pct", "2"});
	CHECK(bad.code == 2);
	CHECK(contains(bad.err, "--pct applies to the random search"));
}

TEST_CASE("docs/example-report.txt is what perfmc run mmap-vs-sched_out prints, byte for byte", "[cli][docs]")
{
	auto r = run_cli({"run", "mmap-vs-sched_out"});
	REQUIRE(r.code == 1);
	CHECK(r.out == slurp(PERFMC_SOURCE_DIR "/docs/example-report.txt"));  // regenerate it when this fails
}

TEST_CASE("perfmc --help documents every exit status", "[cli]")
{
	auto h = run_cli({"--help"});
	CHECK(h.code == 0);
	for (const char *status : {"0 ok", "1 violation", "2 bad usage or input", "3 internal", "4 incomplete"})
		CHECK(contains(h.out, status));
	CHECK(contains(run_cli({"run", "--help"}).out, "4 incomplete"));
}
