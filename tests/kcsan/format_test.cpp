// The printers of parsed KCSAN reports: the text dump people read (`perfmc kcsan --parse-only`)
// and the JSON machines read (`--json`).
#include "support.h"

#include <nlohmann/json.hpp>

using namespace perfmc::kcsan;
using namespace perfmc::kcsan::test;

namespace {

const std::vector<std::string> data_files = {"reordered.txt", "unknown_origin.txt", "interrupt.txt", "marked.txt",
					     "net.txt",       "old_2019.txt",       "verbose.txt",   "assert.txt"};

}  // namespace

TEST_CASE("the text dump of the seed report shows its title, accesses and frames in columns", "[kcsan][format]")
{
	std::vector<std::string> lines = split_lines(format_text(parse_reports(seed_report(), "seed.txt")));
	REQUIRE(lines.size() == 1 + 1 + 16 + 1 + 34 + 3);
	CHECK(lines[0] == "report 1 of 1, line 2: data-race in perf_event_set_state / perf_mmap_rb");
	CHECK(lines[1] == "  access 1: write to 0xffff88812279f1a0 of 8 bytes by task 12011 on cpu 1");
	CHECK(lines[2] == "    #0   perf_event_update_time                    kernel/events/core.c:737 [inline]");
	CHECK(lines[3] == "    #1   perf_mmap_rb+0x71c/0x910                  kernel/events/core.c:7037");
	CHECK(lines[17] == "    #15  entry_SYSCALL_64_after_hwframe+0x77/0x7f");
	CHECK(lines[18] == "  access 2: read to 0xffff88812279f1a0 of 8 bytes by task 12005 on cpu 0");
	CHECK(lines[19] == "    #0   __perf_update_times                       kernel/events/core.c:720 [inline]");
	CHECK(lines[53] == "  value changed: 0x000000000038c145 -> 0x00000000003929d3");
	CHECK(lines[54].starts_with("  reported on: CPU: 0 UID: 0 PID: 12005 Comm: syz.4.2772 Tainted: G "));
	CHECK(lines[55] == "  hardware: Google Google Compute Engine/Google Compute Engine, BIOS Google 10/25/2025");
}

TEST_CASE("the text dump shows what a report lacks, and the frames it was reordered to", "[kcsan][format]")
{
	std::string old = format_text(parse_reports(data_file("old_2019.txt"), "old.txt"));
	CHECK(old.find("\n  value changed: (not reported)\n") != std::string::npos);
	CHECK(old.find("\n    #0   perf_event_update_userpage+0x1a/0x2c0\n") != std::string::npos);
	CHECK(old.find("by interrupt on cpu 1\n") != std::string::npos);

	std::string reordered = format_text(parse_reports(data_file("reordered.txt"), "reordered.txt"));
	CHECK(reordered.find("read-write (marked, reordered) to 0xffff888104b6a000 of 4 bytes by task 3122 on cpu 1\n") !=
	      std::string::npos);
	CHECK(reordered.find("\n    reordered to:\n    #0   perf_event_update_userpage+0x1b6/0x3c0    "
			     "kernel/events/core.c:6199\n") != std::string::npos);
	// KCSAN pads the value change to the size of the access it watched: 4 bytes, 8 digits.
	CHECK(reordered.find("\n  value changed: 0x00000007 -> 0x00000008\n") != std::string::npos);
}

TEST_CASE("several reports print in file order, each numbered", "[kcsan][format]")
{
	const std::string seed = seed_report();
	std::string text = format_text(parse_reports(seed + data_file("net.txt"), "two.txt"));
	size_t net_title = split_lines(seed).size() + 5;  // after the file's two lines of prose, a blank and '===='
	size_t first = text.find("report 1 of 2, line 2: data-race in perf_event_set_state / perf_mmap_rb\n");
	size_t second = text.find("\n\nreport 2 of 2, line " + std::to_string(net_title) +
				  ": data-race in tcp_poll / tcp_rcv_state_process\n");
	CHECK(first == 0);
	CHECK(second != std::string::npos);
}

TEST_CASE("format_frame and format_access print each line as the report printed it", "[kcsan][format]")
{
	// Every frame and access line of the seed, read back: the printers lose nothing the
	// parser kept, and the parser keeps everything these lines say.
	const std::string seed = seed_report();
	Report report = parse_one(seed);
	std::vector<std::string> printed;
	for (const Access &access : report.accesses) {
		printed.push_back(format_access(access) + ":");
		for (const Frame &frame : access.stack)
			printed.push_back(std::string(1, ' ').append(format_frame(frame)));
		printed.push_back("");
	}
	std::vector<std::string> lines = split_lines(seed);
	REQUIRE(lines.size() > 3 + printed.size());
	CHECK(std::vector<std::string>(lines.begin() + 3, lines.begin() + 3 + printed.size()) == printed);

	Access irq;
	irq.kind = "write";
	irq.marked = irq.reordered = true;
	irq.address = "0xffff888100000000";
	irq.size = 4;
	irq.interrupt = true;
	irq.cpu = 2;
	irq.unknown_origin = true;
	CHECK(format_access(irq) ==
	      "race at unknown origin, with write (marked, reordered) to 0xffff888100000000 of 4 bytes by interrupt on cpu 2");
	CHECK(format_frame(Frame{"nft_do_chain", "+0x1b5/0x7a0", "", 0, false, "nf_tables"}) ==
	      "nft_do_chain+0x1b5/0x7a0 [nf_tables]");
}

TEST_CASE("the same reports print the same bytes", "[kcsan][format]")
{
	// The CRLF copy parses to equal reports, so both printers must give identical output.
	std::string seed = seed_report();
	std::string crlf;
	for (const auto &line : split_lines(seed))
		crlf += line + "\r\n";
	auto a = parse_reports(seed, "a.txt");
	auto b = parse_reports(crlf, "b.txt");
	CHECK(format_text(a) == format_text(b));
	CHECK(to_json(a).dump(2) == to_json(b).dump(2));
	CHECK(format_text(a) == format_text(a));
}

TEST_CASE("the JSON names every field and reads back to the same reports", "[kcsan][format][json]")
{
	std::vector<Report> seed = parse_reports(seed_report(), "seed.txt");
	nlohmann::json json = nlohmann::json::parse(to_json(seed).dump());
	REQUIRE(json.is_array());
	REQUIRE(json.size() == 1);
	const auto &report = json[0];
	CHECK(report["title"] == "data-race in perf_event_set_state / perf_mmap_rb");
	CHECK(report["bug_type"] == "data-race");
	CHECK(report["title_functions"] == nlohmann::json{"perf_event_set_state", "perf_mmap_rb"});
	CHECK(report["line"] == 2);
	CHECK(report["accesses"].size() == 2);
	const auto &write = report["accesses"][0];
	CHECK(write["kind"] == "write");
	CHECK(write["address"] == "0xffff88812279f1a0");
	CHECK(write["size"] == 8);
	CHECK(write["task_pid"] == 12011);
	CHECK(write["cpu"] == 1);
	CHECK(write["interrupt"] == false);
	CHECK(write["stack"][0] == nlohmann::json{{"function", "perf_event_update_time"}, {"offset", ""},
						  {"file", "kernel/events/core.c"}, {"line", 737},
						  {"inlined", true}, {"module", ""}});
	CHECK(write["stack"][1]["offset"] == "+0x71c/0x910");
	CHECK(report["accesses"][1]["stack"][0]["function"] == "__perf_update_times");
	CHECK(report["value_changed"] == nlohmann::json{{"old", "0x000000000038c145"}, {"new", "0x00000000003929d3"}});
	CHECK(report["reported_on"].get<std::string>().starts_with("CPU: 0 UID: 0 PID: 12005"));

	CHECK(reports_from_json(json) == seed);
	for (const std::string &name : data_files) {
		CAPTURE(name);
		std::vector<Report> reports = parse_reports(data_file(name), name);
		CHECK(reports_from_json(nlohmann::json::parse(to_json(reports).dump())) == reports);
	}
}

TEST_CASE("the JSON stays valid UTF-8 when the report holds bytes that are not", "[kcsan][format][json]")
{
	std::string text = seed_report();
	const std::string hardware = "Hardware name: Google Google Compute Engine";
	text.replace(text.find(hardware), hardware.size(), "Hardware name: QEMU \xff\xc0\xaf PC \xe2\x82\xac");
	std::vector<Report> reports = parse_reports(text, "bytes.txt");
	std::string dumped;
	REQUIRE_NOTHROW(dumped = to_json(reports).dump());
	auto json = nlohmann::json::parse(dumped);
	// Each bad byte becomes U+FFFD; the euro sign, valid UTF-8, stays.
	CHECK(json[0]["hardware"].get<std::string>().starts_with("QEMU \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd PC \xe2\x82\xac"));
}

TEST_CASE("reading back JSON of another shape throws instead of guessing", "[kcsan][format][json]")
{
	CHECK_THROWS_AS(reports_from_json(nlohmann::json::parse(R"([{"title": "x"}])")), nlohmann::json::exception);
	auto json = to_json(parse_reports(seed_report(), "seed.txt"));
	json[0]["value_changed"]["old"] = "0xnothex";
	CHECK_THROWS_AS(reports_from_json(json), std::invalid_argument);
}
