// perfmc kcsan: pasted KCSAN reports in, an answer a maintainer can paste into a reply out (issue 16):
// scope, field, both paths with their locks, the verdict with the broken invariant and the fixes,
// the replay command and where the proof is, in a screen; everything in --verbose and --json.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "model/model.h"
#include "tests/cli/support.h"

namespace model {
const Model &perf_model();  // model/perf/world.h (which defines `current`, clashing with CLI11)
}

namespace {

std::string write_temp(const std::string &name, const std::string &text)
{
	std::string path = "/tmp/perfmc-kcsan-test-" + name;
	std::ofstream(path, std::ios::binary) << text;
	return path;
}

const std::string data = PERFMC_SOURCE_DIR "/tests/kcsan/data/";
const std::string seed = data + "syzbot-perf_event_set_state-perf_mmap_rb.txt";

size_t lines_of(const std::string &text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

// The seed page's first report alone.
std::string seed_report()
{
	std::string text = slurp(seed);
	size_t begin = text.find("==================================================================");
	size_t end = text.find("==================================================================", begin + 10);
	return text.substr(begin, end - begin + 66) + "\n";
}

// The part of the answer from "label:" to the end of its line.
std::string field_of(const std::string &out, const std::string &label)
{
	size_t at = out.find("\n" + label);
	if (at == std::string::npos)
		return "";
	size_t end = out.find('\n', at + 1);
	return out.substr(at + 1, end - at - 1);
}

}  // namespace

TEST_CASE("the syzbot seed report, verbatim, is answered in a screen: perf, event->tstamp, mmap() against a "
	  "switch-out, harmful, closed by mmap-ctx-lock",
	  "[cli][kcsan]")
{
	REQUIRE_FALSE(slurp(seed).empty());
	auto r = run_cli({"kcsan", seed});
	CAPTURE(r.out, r.err);
	CHECK(r.code == 1);
	CHECK(contains(r.out, "KCSAN report 1 (line 9): data-race in perf_event_set_state / perf_mmap_rb\n"));
	CHECK(field_of(r.out, "scope:").starts_with("scope:    perf ("));
	CHECK(contains(field_of(r.out, "field:"), "event->tstamp"));
	CHECK(contains(field_of(r.out, "path 1:"), "write by task 12011 on cpu 1: mmap() of a perf fd (syscall mmap)"));
	CHECK(contains(r.out, "holds: mm->mmap_lock (vm_mmap_pgoff), event->mmap_mutex (perf_mmap)"));
	CHECK(contains(field_of(r.out, "path 2:"), "read by task 12005 on cpu 0: task switch-out (syscall pselect6)"));
	CHECK(contains(r.out, "waiting for event->mmap_mutex (perf_poll)"));
	CHECK(contains(r.out, "cpus:     two CPUs (1 and 0)"));
	CHECK(contains(r.out, "verdict:  HARMFUL under upstream"));
	CHECK(contains(r.out, "on shipped scenario mmap-vs-sched_out"));
	CHECK(contains(r.out, "its CPUs run the report's paths (mmap, sched-out)"));
	CHECK(contains(r.out, "reproduced on the report's paths"));
	CHECK(contains(r.out, "the synthesised scenario kcsan-perf_event_set_state-vs-perf_mmap_rb: harmful under upstream, "
			      "the same race"));
	CHECK(contains(r.out, "broken:   no-lost-time: E: total_time_enabled = 20, ledger says 10: 1 tick double-counted"));
	CHECK(contains(r.out, "fixes:    mmap-ctx-lock (benign) closes it"));
	CHECK(contains(r.out, "replay:   perfmc run mmap-vs-sched_out --variant upstream --replay "));
	CHECK(contains(r.out, "proof:    perfmc kcsan " + seed + " --verbose"));
	CHECK(contains(r.out, "KCSAN report 2 (line 77) is the same as report 1: harmful"));
	// a screen: no interleaving, no race blocks before the summary
	CHECK_FALSE(contains(r.out, "interleaving (one column per CPU"));
	CHECK_FALSE(contains(r.out, "BUG: KCSAN"));
	CHECK(lines_of(r.out) <= 25);
}

TEST_CASE("the verbose answer and --proof carry the full proof: the model's race, the invariant, the interleaving",
	  "[cli][kcsan]")
{
	auto verbose = run_cli({"kcsan", seed, "--verbose"});
	CHECK(verbose.code == 1);
	CHECK(contains(verbose.out, "-- the field, access by access"));
	CHECK(contains(verbose.out, "access 2: event->tstamp (shifted)"));
	CHECK(contains(verbose.out, "-- the proof: scenario mmap-vs-sched_out under upstream"));
	CHECK(contains(verbose.out, "interleaving (one column per CPU, one row per step):"));
	CHECK(contains(verbose.out, "invariant no-lost-time broken"));

	std::string proof = "/tmp/perfmc-kcsan-test-proof.txt";
	std::remove(proof.c_str());
	auto short_answer = run_cli({"kcsan", seed, "--proof", proof});
	CHECK(short_answer.code == 1);
	CHECK(contains(short_answer.out, "proof:    in " + proof));
	std::string written = slurp(proof);
	CHECK(contains(written, "interleaving (one column per CPU, one row per step):"));
	CHECK(lines_of(short_answer.out) <= 25);
}

TEST_CASE("the seed report as mail or dmesg gets the same answer", "[cli][kcsan]")
{
	std::string report = seed_report();
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
		CHECK(contains(r.out, "on shipped scenario mmap-vs-sched_out"));
		CHECK(contains(r.out, "verdict:  HARMFUL"));
		CHECK(contains(r.out, "event->tstamp"));
	}
}

TEST_CASE("perfmc kcsan --json carries the whole answer", "[cli][kcsan]")
{
	auto r = run_cli({"kcsan", seed, "--json"});
	REQUIRE(r.code == 1);
	auto j = nlohmann::json::parse(r.out);
	REQUIRE(j.size() == 2);  // the seed page quotes the report twice
	CHECK(j[1]["same_as_report"] == 1);
	const auto &a = j[0];
	CHECK(a["verdict"] == "harmful");
	CHECK(a["scope"]["perf"] == true);
	CHECK(a["scope"]["subsystem"] == "perf");
	CHECK(a["field"]["field"] == "event->tstamp");
	CHECK(a["field"]["member"] == "perf_event.tstamp");
	CHECK(a["field"]["accesses"].size() == 2);
	CHECK(a["paths"]["same_cpu"] == false);
	CHECK(a["paths"]["accesses"][0]["kind"] == "mmap");
	CHECK(a["paths"]["accesses"][1]["kind"] == "sched-out");
	std::vector<std::string> locks;
	for (const auto &l : a["paths"]["accesses"][1]["locks"])
		locks.push_back(l["lock"].get<std::string>() + (l["waiting"].get<bool>() ? " (waiting)" : ""));
	CHECK(locks == std::vector<std::string>{"event->mmap_mutex (waiting)", "rq->__lock", "ctx->lock"});
	CHECK(a["evidence"]["scenario"] == "mmap-vs-sched_out");
	CHECK(a["evidence"]["paths_agree"] == true);
	CHECK(a["verdict_on_report_paths"] == true);
	CHECK(a["broken"]["invariant"] == "no-lost-time");
	CHECK(a["fixes"]["mmap-ctx-lock"] == "benign");
	CHECK(a["replay"].get<std::string>().starts_with("perfmc run mmap-vs-sched_out --variant upstream --replay "));
	CHECK(a["proof"] == "perfmc kcsan " + seed + " --verbose");
	CHECK(a["untitled"] == false);
	// the run itself, as `perfmc run --json` gives it
	CHECK(a["scenarios"][0]["scenario"] == "mmap-vs-sched_out");
	CHECK(a["scenarios"][0]["fix_variants"]["mmap-ctx-lock"] == "benign");
	CHECK(a["scenarios"][0]["replay"].is_string());
	// the scenario built from the report: its text, and its runs under every variant
	CHECK(a["synthesis"]["name"] == "kcsan-perf_event_set_state-vs-perf_mmap_rb");
	CHECK(a["synthesis"]["runnable"] == true);
	CHECK(a["synthesis"]["scenario"].get<std::string>().find("upstream = \"harmful\"\nmmap-ctx-lock = \"benign\"\n") !=
	      std::string::npos);
	CHECK(a["synthesis"]["evidence"]["reproduced"] == true);
	CHECK(a["synthesis"]["evidence"]["upstream"] == "harmful");
	CHECK(a["synthesis"]["evidence"]["variants"]["mmap-ctx-lock"] == "benign");
	CHECK(a["evidence"]["race"]["field"] == "perf_event.tstamp");
}

TEST_CASE("a report from another subsystem is one line: not perf, its subsystem, exit 0, no scenario",
	  "[cli][kcsan]")
{
	auto r = run_cli({"kcsan", data + "net.txt"});
	CAPTURE(r.out);
	CHECK(r.code == 0);
	CHECK(r.out == "KCSAN report 1 (line 5): data-race in tcp_poll / tcp_rcv_state_process: not perf: net, "
		       "tcp_rcv_state_process() in net/ipv4/tcp_input.c; perfmc models perf only\n");
	for (const std::string file : {"corpus/kasan-dev-io_uring-io_wq-reply.eml", "corpus/lkml-memcg-obj_stock-reply.eml",
					 "corpus/lkml-fs-step_into-vfs_unlink-2022.eml"}) {
		CAPTURE(file);
		auto other = run_cli({"kcsan", data + file});
		CHECK(other.code == 0);
		CHECK(contains(other.out, ": not perf: "));
		CHECK(lines_of(other.out) == 1);
		CHECK_FALSE(contains(other.out, "[[cpu]]"));
	}
	auto j = nlohmann::json::parse(run_cli({"kcsan", data + "net.txt", "--json"}).out);
	CHECK(j[0]["verdict"] == "not perf");
	CHECK(j[0]["scope"]["perf"] == false);
	CHECK(j[0]["scope"]["subsystem"] == "net");
	CHECK_FALSE(j[0].contains("synthesis"));
}

TEST_CASE("a perf report is reproduced on the shipped scenario that runs its paths and on a scenario built from them, the "
	  "NMI interrupting the irq_work on one CPU, benign, the scenario written on request",
	  "[cli][kcsan]")
{
	std::string file = data + "corpus/lkml-perf-overflow-vs-pending_irq-2022.eml";
	auto r = run_cli({"kcsan", file});
	CAPTURE(r.out);
	CHECK(r.code == 0);
	CHECK(contains(r.out, "field:    event->pending_kill"));
	CHECK(contains(r.out, "path 1:   write by NMI on cpu 0: PMU NMI: perf_event_nmi_handler()"));
	CHECK(contains(r.out, "path 2:   read by hardirq on cpu 0: irq_work: perf_pending_irq()"));
	CHECK(contains(r.out, "cpus:     one CPU (0): the NMI of access 1 interrupted access 2"));
	CHECK(contains(r.out, "verdict:  benign under upstream (the exhaustive search broke no invariant), reproduced on the "
			      "report's paths"));
	// issue 15: the shipped overflow-nmi-vs-pending_irq runs these paths (the NMI's irq_work as its
	// self-IPI) and decides; the scenario built from the report agrees
	CHECK(contains(r.out, "on shipped scenario overflow-nmi-vs-pending_irq: its CPUs run the report's paths (pmu-nmi, "
			      "irq_work); the model's race: perf_event.pending_kill in"));
	CHECK(contains(r.out, "the synthesised scenario kcsan-perf_event_overflow-vs-perf_pending_irq: benign under upstream, "
			      "the same race"));
	CHECK_FALSE(contains(r.out, "[[cpu]]"));
	CHECK(lines_of(r.out) <= 25);

	// --emit-scenario: one CPU, the NMI lane and the irq lane, named for the file; perfmc run agrees
	std::string path = "/tmp/perfmc-kcsan-test-pending_kill.toml";
	std::remove(path.c_str());
	auto emitted = run_cli({"kcsan", file, "--emit-scenario", path});
	CHECK(emitted.code == 0);
	std::string scenario = slurp(path);
	CHECK(contains(scenario, "name = \"perfmc-kcsan-test-pending_kill\"\n"));
	// the NMI queues its irq_work; the self-IPI after it returns (pending_irq) runs it
	CHECK(contains(scenario, "cpu  = 0\nin   = \"nmi\"\nrun  = [\"overflow(E)\", \"pending_irq(0)\"]"));
	CHECK(contains(scenario, "cpu  = 0\nin   = \"irq\"\nrun  = [\"overflow(E)\"]"));
	CHECK(contains(scenario, "upstream = \"benign\"\n"));
	auto run = run_cli({"run", path});
	CAPTURE(run.out);
	CHECK(run.code == 0);
	CHECK(contains(run.out, "perfmc-kcsan-test-pending_kill [upstream]: benign"));
	CHECK(contains(run.out, "BUG: KCSAN: data-race in __perf_event_overflow / perf_event_wakeup"));

	// --json: the scenario built, and its verdict under every variant of the model
	auto j = nlohmann::json::parse(run_cli({"kcsan", file, "--json"}).out)[0];
	CHECK(j["verdict"] == "benign");
	CHECK(j["reproduced"] == true);
	CHECK(j["evidence"]["source"] == "shipped scenario");
	CHECK(j["evidence"]["scenario"] == "overflow-nmi-vs-pending_irq");
	CHECK(j["evidence"]["race"]["field"] == "perf_event.pending_kill");
	CHECK(j["synthesis"]["scenario"].get<std::string>().find("[[cpu]]") != std::string::npos);
	CHECK(j["synthesis"]["lanes"].size() == 2);
	// every variant of the perf model but upstream (counted from the model: each new variant adds one)
	CHECK(j["synthesis"]["evidence"]["variants"].size() == model::perf_model().variants.size() - 1);
	CHECK(j["synthesis"]["evidence"]["variants"]["mmap-ctx-lock"].is_string());
}

TEST_CASE("a shipped scenario matched on the title alone does not decide, the scenario built from the report does, "
	  "and the answer says how the shipped one differs",
	  "[cli][kcsan]")
{
	// __perf_read / perf_event_set_state: read-vs-sched_in declares the pair, but the report's
	// event_sched_out() runs in a task switch-out, not a switch-in
	auto r = run_cli({"kcsan", data + "marked.txt"});
	CAPTURE(r.out);
	CHECK(r.code == 1);
	CHECK(contains(r.out, "verdict:  HARMFUL under upstream, reproduced on the report's paths"));
	CHECK(contains(r.out, "on synthesised scenario kcsan-perf_read-vs-perf_event_set_state: built from the report's paths "
			      "(sched-out, read); the model's race: perf_event.state in perf_event_set_state() / __perf_read()"));
	CHECK(contains(r.out, "shipped:  shipped read-vs-sched_in matches the title's pair __perf_read / perf_event_set_state "
			      "only: its CPUs run sched-in | read, read, not the report's paths: access 1 runs task switch-out"));
	CHECK(contains(r.out, "replay:   perfmc kcsan " + data + "marked.txt --emit-scenario "
			      "kcsan-perf_read-vs-perf_event_set_state.toml && perfmc run "
			      "kcsan-perf_read-vs-perf_event_set_state.toml --variant upstream --replay "));
	auto j = nlohmann::json::parse(run_cli({"kcsan", data + "marked.txt", "--json"}).out)[0];
	CHECK(j["verdict_on_report_paths"] == true);
	CHECK(j["shipped"]["scenario"] == "read-vs-sched_in");
	CHECK(j["shipped"]["paths_agree"] == false);
	CHECK(j["shipped"]["ran"] == false);
	CHECK(j["evidence"]["source"] == "synthesised scenario");
}

TEST_CASE("a perf report whose stack the model lacks names the frame, and the scenario built so far is still "
	  "written",
	  "[cli][kcsan]")
{
	std::string file = data + "corpus/tip-perf-pin_count.eml";
	auto r = run_cli({"kcsan", file});
	CAPTURE(r.out);
	CHECK(r.code == 0);
	CHECK(contains(r.out, "verdict:  not modelled: find_get_context() in stack 1, __do_sys_perf_event_open() in stack 2\n"));
	CHECK(contains(r.out, "stack 1: no model op enters the kernel at perf_event_open"));
	std::string path = "/tmp/perfmc-kcsan-test-pin_count.toml";
	std::remove(path.c_str());
	CHECK(run_cli({"kcsan", file, "--emit-scenario", path}).code == 0);
	std::string scenario = slurp(path);
	CHECK(contains(scenario, "# not modelled: find_get_context() in stack 1: the model does not port it"));
	CHECK(contains(scenario, "# TODO access 1: perf_event_open(): the model has no op for this path yet\n# [[cpu]]"));
	auto j = nlohmann::json::parse(run_cli({"kcsan", file, "--json"}).out)[0];
	CHECK(j["verdict"] == "not modelled");
	CHECK(j["missing"] == nlohmann::json::array({"find_get_context() in stack 1", "__do_sys_perf_event_open() in stack 2"}));
	CHECK(j["synthesis"]["runnable"] == false);
}

TEST_CASE("a broken report next to good ones: each good one answered, the broken one named at its line, exit 2",
	  "[cli][kcsan]")
{
	std::string broken = "BUG: KCSAN: data-race in perf_event_set_state / perf_mmap_rb\n\n"
			     "write to 0xffff88812279f1a0 of 8 bytes by task 12011 on cpu 1:\n perf_mmap_rb+0x71c/\n";
	std::string text = slurp(data + "net.txt") + "\n" + broken + "\n" + seed_report();
	std::string path = write_temp("mixed.txt", text);
	// the broken report's frame line
	int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(text.find(" perf_mmap_rb+0x71c/\n")), '\n'));
	auto r = run_cli({"kcsan", path});
	CAPTURE(r.out, r.err);
	CHECK(r.code == 2);
	CHECK(contains(r.out, "KCSAN report 1 (line 5): data-race in tcp_poll / tcp_rcv_state_process: not perf"));
	CHECK(contains(r.out, "KCSAN report at line " + std::to_string(line) + ": not read: expected a stack frame"));
	CHECK(contains(r.out, "verdict:  HARMFUL under upstream"));
	CHECK(contains(r.err, path + ":" + std::to_string(line) + ":2: error: expected a stack frame"));
	auto j = nlohmann::json::parse(run_cli({"kcsan", path, "--json"}).out);
	REQUIRE(j.size() == 3);
	CHECK(j[0]["verdict"] == "not perf");
	CHECK(j[1]["line"] == line);
	CHECK(j[1]["error"].get<std::string>().starts_with("expected a stack frame"));
	CHECK(j[2]["verdict"] == "harmful");
}

TEST_CASE("a file without a KCSAN report, or an empty one, exits 2 with a message; with --json the error is a "
	  "JSON object on stdout",
	  "[cli][kcsan]")
{
	std::string garbage_file = write_temp("garbage.txt", "hello\nthis is not a kernel log\n");
	auto garbage = run_cli({"kcsan", garbage_file});
	CHECK(garbage.code == 2);
	CHECK(contains(garbage.err, "no KCSAN report found"));
	CHECK(garbage.out.empty());
	auto empty = run_cli({"kcsan", write_temp("empty.txt", "")});
	CHECK(empty.code == 2);
	CHECK(contains(empty.err, "file is empty"));
	auto missing = run_cli({"kcsan", "/nonexistent/report.txt"});
	CHECK(missing.code == 2);

	for (const std::string &file : {garbage_file, std::string("/nonexistent/report.txt")}) {
		CAPTURE(file);
		auto json = run_cli({"kcsan", file, "--json"});
		CHECK(json.code == 2);
		auto j = nlohmann::json::parse(json.out);
		CHECK(j.is_object());
		CHECK(j["error"].is_string());
		CHECK(j["diagnostics"][0]["file"] == file);
		CHECK(j["diagnostics"][0]["text"].get<std::string>().find("error:") != std::string::npos);
	}
}

TEST_CASE("bytes that are not UTF-8 in a report come out of --json replaced, not as an internal error",
	  "[cli][kcsan]")
{
	// a file name with a byte that is no UTF-8: it ends up in the scope's evidence
	std::string text = slurp(data + "net.txt");
	std::string file = "net/ipv4/tcp_input.c:6712";
	REQUIRE(text.find(file) != std::string::npos);
	text.replace(text.find(file), file.size(), "net/ipv4/tcp_in\xa2put.c:6712");
	auto r = run_cli({"kcsan", write_temp("utf8.txt", text), "--json"});
	CAPTURE(r.out, r.err);
	CHECK(r.code == 0);
	auto j = nlohmann::json::parse(r.out);
	CHECK(contains(j[0]["scope"]["summary"].get<std::string>(), "net/ipv4/tcp_in\xef\xbf\xbdput.c"));
}

TEST_CASE("perfmc kcsan --parse-only prints the structure without running anything", "[cli][kcsan]")
{
	auto r = run_cli({"kcsan", "--parse-only", seed});
	CHECK(r.code == 0);
	CHECK(contains(r.out, "perf_mmap_rb"));
	CHECK_FALSE(contains(r.out, "verdict"));
}

TEST_CASE("a race in a cross-CPU read reproduces through the read() that sends the IPI, and mmap-ctx-lock closes it",
	  "[cli][kcsan]")
{
	auto r = run_cli({"kcsan", data + "ipi.txt"});
	CAPTURE(r.out);
	CHECK(r.code == 1);
	CHECK(contains(r.out, "path 2:   read by hardirq on cpu 0: cross-CPU read: __perf_event_read()"));
	CHECK(contains(r.out, "verdict:  HARMFUL under upstream, reproduced on the report's paths"));
	CHECK(contains(r.out, "on synthesised scenario kcsan-perf_event_read-vs-perf_mmap_rb: built from the report's paths "
			      "(mmap, ipi); the model's race: perf_event.tstamp"));
	CHECK(contains(r.out, "fixes:    mmap-ctx-lock (benign) closes it"));
}
