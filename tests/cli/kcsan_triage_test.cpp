// perfmc kcsan: a pasted KCSAN report in, the covering scenario's verdict and proof out.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/cli/support.h"

namespace {

std::string write_temp(const std::string &name, const std::string &text)
{
	std::string path = "/tmp/perfmc-kcsan-test-" + name;
	std::ofstream(path, std::ios::binary) << text;
	return path;
}

const std::string seed = PERFMC_SOURCE_DIR "/tests/kcsan/data/syzbot-perf_event_set_state-perf_mmap_rb.txt";

}  // namespace

TEST_CASE("the syzbot seed report, verbatim, is covered by mmap-vs-sched_out and judged harmful", "[cli][kcsan]")
{
	REQUIRE_FALSE(slurp(seed).empty());
	auto r = run_cli({"kcsan", seed});
	CAPTURE(r.out, r.err);
	CHECK(r.code == 1);
	CHECK(contains(r.out, "KCSAN report 1 (line 9): data-race in perf_event_set_state / perf_mmap_rb"));
	CHECK(contains(r.out, "covered by scenario mmap-vs-sched_out (declares perf_event_set_state / perf_mmap_rb)"));
	CHECK(contains(r.out, "verdict: harmful"));
	CHECK(contains(r.out, "interleaving (one column per CPU, one row per step):"));
	CHECK(contains(r.out, "replay: perfmc run mmap-vs-sched_out --variant upstream --replay "));
	CHECK(contains(r.out, "--variant mmap-ctx-lock: benign"));
}

TEST_CASE("the seed report as mail or dmesg gets the same verdict", "[cli][kcsan]")
{
	std::string text = slurp(seed);
	size_t begin = text.find("==================================================================");
	size_t end = text.find("==================================================================", begin + 10);
	REQUIRE(end != std::string::npos);
	std::string report = text.substr(begin, end - begin + 66);
	std::string quoted, stamped, crlf;
	std::istringstream lines(report);
	int n = 0;
	for (std::string line; std::getline(lines, line); n++) {
		quoted += "> " + line + "\n";
		char stamp[32];
		std::snprintf(stamp, sizeof stamp, "[%5d.%06d] ", 100 + n, n * 37);
		stamped += stamp + line + "\n";
		crlf += line + "\r\n";
	}
	for (const auto &[name, variant] : {std::pair{"quoted", quoted}, {"dmesg", stamped}, {"crlf", crlf}}) {
		CAPTURE(name);
		auto r = run_cli({"kcsan", write_temp(name, variant)});
		CHECK(r.code == 1);
		CHECK(contains(r.out, "covered by scenario mmap-vs-sched_out"));
		CHECK(contains(r.out, "verdict: harmful"));
	}
}

TEST_CASE("perfmc kcsan --json gives the verdict, the scenario run and the fix variants", "[cli][kcsan]")
{
	auto r = run_cli({"kcsan", seed, "--json"});
	REQUIRE(r.code == 1);
	auto j = nlohmann::json::parse(r.out);
	REQUIRE(j.size() == 2);  // the seed page quotes the report twice
	CHECK(j[1]["same_as_report"] == 1);
	CHECK(j[0]["verdict"] == "harmful");
	CHECK(j[0]["scenarios"][0]["scenario"] == "mmap-vs-sched_out");
	CHECK(j[0]["scenarios"][0]["fix_variants"]["mmap-ctx-lock"] == "benign");
	CHECK(j[0]["scenarios"][0]["replay"].is_string());
}

TEST_CASE("a report from another subsystem is not covered and yields a skeleton that runs once completed",
	  "[cli][kcsan]")
{
	auto r = run_cli({"kcsan", PERFMC_SOURCE_DIR "/tests/kcsan/data/net.txt"});
	CAPTURE(r.out);
	CHECK(r.code == 0);
	CHECK(contains(r.out, "verdict: not covered"));
	size_t at = r.out.find("# A scenario skeleton");
	REQUIRE(at != std::string::npos);
	std::string skeleton = r.out.substr(at);
	CHECK(contains(skeleton, "# not in the model: tcp_poll+0x11e/0x6d0 net/ipv4/tcp.c:531"));
	CHECK(contains(skeleton, "covers = [\"tcp_poll / tcp_rcv_state_process\"]"));

	SECTION("as printed it is rejected only for what is left to complete")
	{
		std::string path = "/tmp/tcp_poll-vs-tcp_rcv_state_process.toml";
		std::ofstream(path) << skeleton;
		auto bad = run_cli({"run", path});
		CHECK(bad.code == 2);
		CHECK(contains(bad.err, "run"));
	}
	SECTION("with each CPU given an op, perfmc run accepts it")
	{
		std::string done = std::regex_replace(skeleton, std::regex("  # TODO: no frame of this stack[^\n]*\n"),
						      "  \"read(E)\",\n");
		std::string path = "/tmp/tcp_poll-vs-tcp_rcv_state_process.toml";
		std::ofstream(path) << done;
		auto ok = run_cli({"run", path, "--search", "bounded", "--bound", "1"});
		CAPTURE(done, ok.out, ok.err);
		CHECK((ok.code == 0 || ok.code == 1 || ok.code == 4));  // 4: the bound may cut schedules off
		CHECK(contains(ok.out, "tcp_poll-vs-tcp_rcv_state_process [upstream]: "));
	}
}

TEST_CASE("a file without a KCSAN report, or an empty one, exits 2 with a message", "[cli][kcsan]")
{
	auto garbage = run_cli({"kcsan", write_temp("garbage.txt", "hello\nthis is not a kernel log\n")});
	CHECK(garbage.code == 2);
	CHECK(contains(garbage.err, "no KCSAN report found"));
	auto empty = run_cli({"kcsan", write_temp("empty.txt", "")});
	CHECK(empty.code == 2);
	CHECK(contains(empty.err, "file is empty"));
	auto missing = run_cli({"kcsan", "/nonexistent/report.txt"});
	CHECK(missing.code == 2);
}

TEST_CASE("perfmc kcsan --parse-only prints the structure without running anything", "[cli][kcsan]")
{
	auto r = run_cli({"kcsan", "--parse-only", seed});
	CHECK(r.code == 0);
	CHECK(contains(r.out, "perf_mmap_rb"));
	CHECK_FALSE(contains(r.out, "verdict"));
}
