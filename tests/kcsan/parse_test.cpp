// The KCSAN report parser: the seed report field by field, the same report as logs and mail
// deliver it, hand-written reports of every shape KCSAN prints, rejected input with its exact
// diagnostic, and input it must survive without a crash.
#include "support.h"

#include <fmt/format.h>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>

using namespace perfmc::kcsan;
using namespace perfmc::kcsan::test;

namespace {

const std::string seed_title = "BUG: KCSAN: data-race in perf_event_set_state / perf_mmap_rb\n";
const std::string seed_write = "write to 0xffff88812279f1a0 of 8 bytes by task 12011 on cpu 1:\n";
const std::string paste_hint =
	"  hint: paste the whole report, from the '====' line to 'Reported by Kernel Concurrency Sanitizer on:'\n";

// A line quoted the way mail and commit messages do: an empty line keeps the bare mark.
std::string quoted(std::string_view mark, const std::string &line)
{
	std::string out(mark);
	if (!line.empty())
		out.append(" ").append(line);
	return out;
}

// A frame line indented by a tab instead of its one space; other lines as they are.
std::string tab_indented(const std::string &line)
{
	if (!line.starts_with(' '))
		return line;
	std::string out(1, '\t');
	out.append(line, 1);
	return out;
}

// The diagnostics parse_reports() throws for text, or "(accepted)".
std::string diagnostics_of(const std::string &text)
{
	try {
		parse_reports(text, "bad.txt");
	} catch (const perfmc::InputError &e) {
		return e.str();
	}
	return "(accepted)";
}

}  // namespace

TEST_CASE("the seed report parses to a write in perf_mmap_rb racing a read in perf_event_set_state",
	  "[kcsan][parse]")
{
	Report report = parse_one(seed_report());

	CHECK(report.line == 2);
	CHECK(report.title == "data-race in perf_event_set_state / perf_mmap_rb");
	CHECK(report.bug_type == "data-race");
	CHECK(report.title_functions == std::vector<std::string>{"perf_event_set_state", "perf_mmap_rb"});
	REQUIRE(report.accesses.size() == 2);

	const Access &write = report.accesses[0];
	CHECK(write.kind == "write");
	CHECK_FALSE(write.marked);
	CHECK_FALSE(write.reordered);
	CHECK(write.address == "0xffff88812279f1a0");
	CHECK(write.size == 8);
	CHECK(write.task_pid == 12011);
	CHECK_FALSE(write.interrupt);
	CHECK(write.cpu == 1);
	CHECK_FALSE(write.unknown_origin);
	CHECK(write.reordered_to.empty());
	REQUIRE(write.stack.size() == 16);
	CHECK(write.stack[0] == Frame{"perf_event_update_time", "", "kernel/events/core.c", 737, true, ""});
	CHECK(write.stack[1] == Frame{"perf_mmap_rb", "+0x71c/0x910", "kernel/events/core.c", 7037, false, ""});
	CHECK(write.stack[15] == Frame{"entry_SYSCALL_64_after_hwframe", "+0x77/0x7f", "", 0, false, ""});

	const Access &read = report.accesses[1];
	CHECK(read.kind == "read");
	CHECK(read.address == "0xffff88812279f1a0");
	CHECK(read.size == 8);
	CHECK(read.task_pid == 12005);
	CHECK(read.cpu == 0);
	REQUIRE(read.stack.size() == 34);
	CHECK(read.stack[0] == Frame{"__perf_update_times", "", "kernel/events/core.c", 720, true, ""});
	CHECK(read.stack[2] == Frame{"perf_event_set_state", "+0x153/0x440", "kernel/events/core.c", 754, false, ""});

	CHECK(report.value_changed == std::pair<uint64_t, uint64_t>{0x38c145, 0x3929d3});
	CHECK(report.reported_on.starts_with("CPU: 0 UID: 0 PID: 12005 Comm: syz.4.2772 Tainted: G"));
	CHECK(report.reported_on.ends_with("PREEMPT(voluntary)"));  // the trailing blank is trimmed
	CHECK(report.hardware == "Google Google Compute Engine/Google Compute Engine, BIOS Google 10/25/2025");
}

TEST_CASE("functions() lists an access's stack innermost first, inlined frames included", "[kcsan][parse]")
{
	Report report = parse_one(seed_report());
	std::vector<std::string> write = report.functions(0);
	REQUIRE(write.size() == 16);
	CHECK(std::vector<std::string>(write.begin(), write.begin() + 3) ==
	      std::vector<std::string>{"perf_event_update_time", "perf_mmap_rb", "perf_mmap"});
	std::vector<std::string> read = report.functions(1);
	CHECK(std::vector<std::string>(read.begin(), read.begin() + 4) ==
	      std::vector<std::string>{"__perf_update_times", "perf_event_update_time", "perf_event_set_state",
				       "event_sched_out"});
	CHECK(report.functions(2).empty());
}

TEST_CASE("the seed page verbatim holds the report twice, and both copies parse alike", "[kcsan][parse]")
{
	// The crash report, then the assessment step that quotes it; the prose around them is not a
	// report and must not be taken for one.
	std::vector<Report> reports = parse_reports(seed_page(), "syzbot-perf_event_set_state-perf_mmap_rb.txt");
	REQUIRE(reports.size() == 2);
	CHECK(reports[0].line == 9);
	CHECK(reports[1].line == 77);
	check_same_report(reports[0], parse_one(seed_report()));
	check_same_report(reports[1], reports[0]);
}

TEST_CASE("log prefixes, mail quoting and line ends do not change the parsed report", "[kcsan][parse]")
{
	const std::vector<std::string> lines = split_lines(seed_report());
	const Report expected = parse_one(seed_report());

	struct Variation {
		std::string name;
		std::function<std::string(const std::string &line, size_t index)> rewrite;
		std::string line_end = "\n";
	};
	auto stamp = [](size_t index) { return fmt::format("[{:5}.{:06}]", 2771 + index / 40, index * 24631 % 1000000); };
	const std::vector<Variation> variations = {
		{"dmesg timestamps", [&](auto &line, size_t i) { return stamp(i) + " " + line; }},
		{"dmesg timestamps and caller ids",
		 [&](auto &line, size_t i) { return stamp(i) + (i % 2 ? "[ T12005] " : "[    C1] ") + line; }},
		{"a log level", [](auto &line, size_t) { return "<3>" + line; }},
		{"a log level and a timestamp", [&](auto &line, size_t i) { return "<3>" + stamp(i) + " " + line; }},
		{"syslog", [](auto &line, size_t) { return "Jan 14 12:50:01 syzkaller kernel: " + line; }},
		{"journalctl -o short-iso",
		 [](auto &line, size_t) { return "2026-01-14T12:50:01+0000 syzkaller kernel: " + line; }},
		{"dmesg -x", [&](auto &line, size_t i) { return "kern  :err   : " + stamp(i) + " " + line; }},
		{"mail quoting", [](auto &line, size_t) { return quoted(">", line); }},
		{"mail quoting, two levels", [](auto &line, size_t) { return quoted(">>", line); }},
		{"mail quoting, two spaced levels", [](auto &line, size_t) { return quoted("> >", line); }},
		{"a commit message quoting with '| '",
		 [](auto &line, size_t) { return quoted("|", line); }},
		{"a commit message indenting by 4", [](auto &line, size_t) { return "    " + line; }},
		{"CRLF line ends", [](auto &line, size_t) { return line; }, "\r\n"},
		{"tabs for the frame indent",
		 [](auto &line, size_t) { return tab_indented(line); }},
		{"trailing blanks", [](auto &line, size_t) { return line + " \t "; }},
	};
	for (const Variation &variation : variations) {
		DYNAMIC_SECTION(variation.name)
		{
			std::vector<std::string> rewritten;
			for (size_t i = 0; i < lines.size(); i++)
				rewritten.push_back(variation.rewrite(lines[i], i));
			std::string text = join_lines(rewritten, variation.line_end);
			INFO(text.substr(0, 400));
			Report report = parse_one(text);
			check_same_report(report, expected);
			CHECK(report.line == expected.line);
		}
	}
}

TEST_CASE("two reports in one file come back in file order, with the text around them ignored", "[kcsan][parse]")
{
	const std::string seed = seed_report();
	const Report expected = parse_one(seed);
	const size_t seed_lines = split_lines(seed).size();

	SECTION("two copies of the same report, junk before, between and after")
	{
		std::string text = "Hi, I hit this twice overnight:\n\n" + seed +
				   "\n[  301.000412] perf: interrupt took too long (2503 > 2500)\nand again:\n" + seed +
				   "-- \nsent from a phone\n";
		std::vector<Report> reports = parse_reports(text, "mail.txt");
		REQUIRE(reports.size() == 2);
		check_same_report(reports[0], expected);
		check_same_report(reports[1], expected);
		CHECK(reports[0].line == 4);
		CHECK(reports[1].line == static_cast<int>(2 + seed_lines + 3 + 2));
	}
	SECTION("different reports, one without the closing '====' line")
	{
		std::string net = data_file("net.txt");
		std::string cut = seed.substr(0, seed.rfind("=========="));
		std::vector<Report> reports = parse_reports(cut + net, "two.txt");
		REQUIRE(reports.size() == 2);
		check_same_report(reports[0], expected);
		CHECK(reports[1].title == "data-race in tcp_poll / tcp_rcv_state_process");
	}
}

TEST_CASE("a reordered access keeps its stack apart from the frame it was reordered to", "[kcsan][parse]")
{
	Report report = parse_one(data_file("reordered.txt"));
	REQUIRE(report.accesses.size() == 2);
	const Access &plain = report.accesses[0];
	CHECK_FALSE(plain.reordered);
	CHECK(plain.reordered_to.empty());
	const Access &reordered = report.accesses[1];
	CHECK(reordered.kind == "read-write");
	CHECK(reordered.marked);
	CHECK(reordered.reordered);
	CHECK(reordered.stack.size() == 16);
	CHECK(reordered.stack.back().function == "entry_SYSCALL_64_after_hwframe");
	REQUIRE(reordered.reordered_to.size() == 1);
	CHECK(reordered.reordered_to[0] ==
	      Frame{"perf_event_update_userpage", "+0x1b6/0x3c0", "kernel/events/core.c", 6199, false, ""});
	CHECK(report.value_changed == std::pair<uint64_t, uint64_t>{7, 8});

	SECTION("quoted in a commit message with '| ', where a bare '|' is a quoted blank line")
	{
		std::vector<std::string> lines;
		for (const auto &line : split_lines(data_file("reordered.txt")))
			lines.push_back(quoted("|", line));
		check_same_report(parse_one(join_lines(lines)), report);
	}
	SECTION("and that commit message quoted in a reply")
	{
		std::vector<std::string> lines;
		for (const auto &line : split_lines(data_file("reordered.txt")))
			lines.push_back(quoted("> |", line));
		check_same_report(parse_one(join_lines(lines)), report);
	}
}

TEST_CASE("a race at unknown origin has one access, and its title loses the %pS offset", "[kcsan][parse]")
{
	Report report = parse_one(data_file("unknown_origin.txt"));
	CHECK(report.title == "data-race in perf_output_begin_forward");
	CHECK(report.title_functions == std::vector<std::string>{"perf_output_begin_forward"});
	REQUIRE(report.accesses.size() == 1);
	const Access &access = report.accesses[0];
	CHECK(access.unknown_origin);
	CHECK(access.kind == "read");
	CHECK(access.task_pid == 2981);
	CHECK(access.cpu == 3);
	CHECK(access.stack.size() == 14);
	CHECK(report.functions(0)[1] == "perf_output_begin_forward");
	CHECK(report.value_changed == std::pair<uint64_t, uint64_t>{0x3f40, 0x3f88});
}

TEST_CASE("an access made in interrupt context has no task", "[kcsan][parse]")
{
	Report report = parse_one(data_file("interrupt.txt"));
	REQUIRE(report.accesses.size() == 2);
	CHECK_FALSE(report.accesses[0].interrupt);
	CHECK(report.accesses[0].task_pid == 5120);
	const Access &irq = report.accesses[1];
	CHECK(irq.interrupt);
	CHECK(irq.task_pid == -1);
	CHECK(irq.cpu == 0);
	CHECK(irq.stack[1].function == "perf_swevent_hrtimer");
}

TEST_CASE("a marked access is told apart from a plain one", "[kcsan][parse]")
{
	Report report = parse_one(data_file("marked.txt"));
	REQUIRE(report.accesses.size() == 2);
	CHECK_FALSE(report.accesses[0].marked);
	CHECK(report.accesses[1].kind == "read");
	CHECK(report.accesses[1].marked);
	CHECK_FALSE(report.accesses[1].reordered);
	CHECK(report.accesses[1].size == 4);
	CHECK(report.value_changed == std::pair<uint64_t, uint64_t>{1, 0xffffffff});
}

TEST_CASE("a data race outside perf parses like any other, whatever its functions", "[kcsan][parse]")
{
	Report report = parse_one(data_file("net.txt"));
	CHECK(report.title_functions == std::vector<std::string>{"tcp_poll", "tcp_rcv_state_process"});
	REQUIRE(report.accesses.size() == 2);
	CHECK(report.accesses[0].size == 1);
	CHECK(report.functions(0)[0] == "tcp_rcv_state_process");
	CHECK(report.functions(1)[0] == "tcp_poll");
	CHECK(report.accesses[1].stack[2] == Frame{"vfs_poll", "", "include/linux/poll.h", 82, true, ""});
	CHECK(report.value_changed == std::pair<uint64_t, uint64_t>{0, 3});
	// The Workqueue line after the hardware is part of the trailer, not a new field.
	CHECK(report.hardware == "Google Google Compute Engine/Google Compute Engine, BIOS Google 10/25/2025");
}

TEST_CASE("a 2019 report from dmesg: offsets in the title, frames without file:line, no value change",
	  "[kcsan][parse]")
{
	Report report = parse_one(data_file("old_2019.txt"));
	CHECK(report.line == 3);
	CHECK(report.title == "data-race in perf_event_update_userpage / perf_output_begin");
	REQUIRE(report.accesses.size() == 2);
	CHECK(report.accesses[0].stack[0] == Frame{"perf_event_update_userpage", "+0x1a/0x2c0", "", 0, false, ""});
	CHECK(report.accesses[0].stack.size() == 11);
	CHECK(report.accesses[1].interrupt);
	CHECK(report.accesses[1].stack.size() == 8);
	CHECK_FALSE(report.value_changed.has_value());
	CHECK(report.reported_on == "CPU: 0 PID: 1 Comm: swapper/0 Not tainted 5.4.0-rc3+ #0");
	CHECK(report.hardware == "QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.12.0-1 04/01/2014");
}

TEST_CASE("CONFIG_KCSAN_VERBOSE lock and irq lines after a stack are not taken for frames", "[kcsan][parse]")
{
	Report report = parse_one(data_file("verbose.txt"));
	REQUIRE(report.accesses.size() == 2);
	CHECK(report.functions(0) == std::vector<std::string>{"perf_event_update_time", "perf_mmap_rb", "perf_mmap",
							       "entry_SYSCALL_64_after_hwframe"});
	CHECK(report.functions(1) == std::vector<std::string>{"__perf_update_times", "perf_event_update_time",
							       "perf_event_set_state", "event_sched_out"});
	CHECK(report.value_changed == std::pair<uint64_t, uint64_t>{0x38c145, 0x3929d3});
}

TEST_CASE("an assertion report names the assertion as the access kind", "[kcsan][parse]")
{
	Report report = parse_one(data_file("assert.txt"));
	CHECK(report.bug_type == "assert: race");
	CHECK(report.title == "assert: race in perf_event_update_time / perf_mmap_rb");
	REQUIRE(report.accesses.size() == 2);
	CHECK(report.accesses[1].kind == "assert no writes");
	CHECK(report.accesses[1].task_pid == 12005);
}

TEST_CASE("frames are read in the spellings of raw dmesg, decode_stacktrace.sh, the unwinder and wrapped mail,"
	  " and a stack cut short with '[...]' goes on after it",
	  "[kcsan][parse]")
{
	const std::string text = seed_title + "\n" + seed_write +
				 " perf_event_update_time (kernel/events/core.c:737 (discriminator 3))\n"
				 " perf_mmap_rb+0x71c/0x910 (kernel/events/core.c:7037)\n"
				 " ? perf_mmap+0x1ce/0x2f0\n"
				 " [...]\n"  // where a person cut the stack short
				 " nft_counter_eval+0x5c/0x120 [nf_tables]\n"
				 " vm_mmap_pgoff+0x17a/0x2e0 ??:0\n"
				 " x64_sys_call+0x16bb/0x3000 \n"
				 "arch/x86/include/generated/asm/syscalls_64.h:10\n"
				 "\n"
				 "read to 0xffff88812279f1a0 of 8 bytes by task 12005 on cpu 0:\n"
				 " __perf_update_times+0x1c/0x60 kernel/events/core.c:720:9\n"
				 "\n"
				 "Reported by Kernel Concurrency Sanitizer on:\n"
				 "CPU: 0 PID: 12005 Comm: syz-executor.4 Not tainted 5.4.0-rc3+ #0\n"
				 "Hardware name: Google Google Compute Engine/Google Compute Engine, BIOS  \n"
				 "Google 01/01/2011\n"
				 "==================================================================\n";
	Report report = parse_one(text);
	REQUIRE(report.accesses.size() == 2);
	const std::vector<Frame> &stack = report.accesses[0].stack;
	REQUIRE(stack.size() == 6);
	CHECK(stack[0] == Frame{"perf_event_update_time", "", "kernel/events/core.c", 737, false, ""});
	CHECK(stack[1] == Frame{"perf_mmap_rb", "+0x71c/0x910", "kernel/events/core.c", 7037, false, ""});
	CHECK(stack[2] == Frame{"perf_mmap", "+0x1ce/0x2f0", "", 0, false, ""});
	CHECK(stack[3] == Frame{"nft_counter_eval", "+0x5c/0x120", "", 0, false, "nf_tables"});
	CHECK(stack[4] == Frame{"vm_mmap_pgoff", "+0x17a/0x2e0", "", 0, false, ""});
	CHECK(stack[5] == Frame{"x64_sys_call", "+0x16bb/0x3000", "arch/x86/include/generated/asm/syscalls_64.h", 10,
				false, ""});
	CHECK(report.accesses[1].stack[0] ==
	      Frame{"__perf_update_times", "+0x1c/0x60", "kernel/events/core.c", 720, false, ""});
	CHECK(report.hardware == "Google Google Compute Engine/Google Compute Engine, BIOS Google 01/01/2011");
}

TEST_CASE("input that is no KCSAN report, or a broken one, is rejected with where and what was expected",
	  "[kcsan][parse]")
{
	auto [name, text, expected] = GENERATE(table<std::string, std::string, std::string>({
		{"an empty file", "", "bad.txt: error: file is empty\n" + paste_hint},
		{"blank lines only", "\n \t\r\n\n", "bad.txt: error: file is empty\n" + paste_hint},
		{"text that is no report", "perf record -e cycles -- sleep 1\n[ perf record: Woken up 1 times ]\n",
		 "bad.txt:1:1: error: no KCSAN report found: expected a title line 'BUG: KCSAN: data-race in A / B'\n" +
			 paste_hint},
		{"binary bytes", std::string("\x7f" "ELF\x02\x01\x01\0\0\xff\xfe\n\x80\x81", 14),
		 "bad.txt:1:1: error: no KCSAN report found: expected a title line 'BUG: KCSAN: data-race in A / B'\n" +
			 paste_hint},
		{"one access line without its title (a title-less report needs both accesses)",
		 seed_write + " perf_mmap_rb+0x71c/0x910 kernel/events/core.c:7037\n",
		 "bad.txt:2:52: error: expected the second access of the race, an access line 'KIND to 0xADDRESS of N "
		 "bytes by task PID on cpu N:', got end of input\n"
		 "  hint: a report quoted without its title line needs both accesses; paste the whole "
		 "report, from the '====' line to 'Reported by Kernel Concurrency Sanitizer on:'\n"},
		{"a title behind a prefix that is no known log prefix", "serial0| " + seed_title,
		 "bad.txt:1:1: error: no KCSAN report found: expected a title line 'BUG: KCSAN: data-race in A / B'\n"
		 "  hint: line 1 holds 'BUG: KCSAN:' at column 10, after text that is not a known log prefix; "
		 "remove that prefix from every line of the report\n"},
		{"a title and nothing else", seed_title,
		 "bad.txt:1:61: error: expected an access line 'KIND to 0xADDRESS of N bytes by task PID on cpu N:' "
		 "after the title, got end of input\n"},
		{"a title followed by prose", seed_title + "\nThis one again, see the attached log.\n",
		 "bad.txt:3:1: error: expected an access line 'KIND to 0xADDRESS of N bytes by task PID on cpu N:' "
		 "after the title, got 'This one again, see the attached log.'\n"},
		{"a title without functions", "BUG: KCSAN: data-race in\n",
		 "bad.txt:1:25: error: expected a function name in the title, got end of line\n"},
		{"a title without 'in'", "BUG: KCSAN: data-race\n",
		 "bad.txt:1:22: error: expected 'data-race in FUNCTION / FUNCTION' after 'BUG: KCSAN:', got "
		 "'data-race'\n"},
		{"an access line cut short", seed_title + "\nwrite to 0xffff88812279f1a0 of 8 bytes by ta\n",
		 "bad.txt:3:43: error: expected 'task PID' or 'interrupt' after 'by', got 'ta'\n"},
		{"an access line with a size that is no number",
		 seed_title + "\nwrite to 0xffff88812279f1a0 of eight bytes by task 1 on cpu 0:\n",
		 "bad.txt:3:32: error: expected a size in bytes after 'of', got 'eight'\n"},
		{"an unknown access flag", seed_title + "\nwrite (atomic) to 0xffff88812279f1a0 of 8 bytes by task 1 on cpu 0:\n",
		 "bad.txt:3:8: error: unknown access flag 'atomic': expected marked, reordered or scoped\n"},
		{"an access line without a stack", seed_title + "\n" + seed_write + "\n",
		 "bad.txt:4:1: error: expected a stack frame 'function+0xOFFSET/0xSIZE file:line' after the access "
		 "line, got a blank line\n"},
		{"a frame cut in the middle", seed_title + "\n" + seed_write + " perf_mmap_rb+0x71c/\n",
		 "bad.txt:4:2: error: expected a stack frame 'function+0xOFFSET/0xSIZE file:line', got "
		 "'perf_mmap_rb+0x71c/'\n"},
		{"a report cut after its first access", seed_title + "\n" + seed_write +
			 " perf_mmap_rb+0x71c/0x910 kernel/events/core.c:7037\n\n",
		 "bad.txt:5:1: error: expected the second access of the race, an access line 'KIND to 0xADDRESS of N "
		 "bytes by task PID on cpu N:', got end of input\n"
		 "  hint: the title names two functions, so KCSAN printed two accesses; paste the whole report, from "
		 "the '====' line to 'Reported by Kernel Concurrency Sanitizer on:'\n"},
		{"a value change without '->'", seed_title + "\n" + seed_write + " perf_mmap_rb+0x71c/0x910\n\n" +
			 "read to 0xffff88812279f1a0 of 8 bytes by task 12005 on cpu 0:\n perf_event_set_state+0x153/0x440\n\n"
			 "value changed: 0x000000000038c145 => 0x00000000003929d3\n",
		 "bad.txt:9:35: error: expected '->' between the old and the new value, got '=>'\n"},
	}));
	CAPTURE(name, text);
	CHECK_THROWS_AS(parse_reports(text, "bad.txt"), perfmc::InputError);
	CHECK(diagnostics_of(text) == expected);
}

TEST_CASE("every broken report in a file is reported, even next to good ones", "[kcsan][parse]")
{
	const std::string good = seed_report();
	const std::string broken = seed_title + "\nThis one again.\n";
	std::string text = broken + good + broken;
	try {
		parse_reports(text, "mixed.txt");
		FAIL("accepted a file with broken reports");
	} catch (const perfmc::InputError &e) {
		REQUIRE(e.diagnostics().size() == 2);
		CHECK(e.diagnostics()[0].line == 3);
		CHECK(e.diagnostics()[1].line == static_cast<int>(3 + split_lines(good).size() + 3));
		CHECK(e.diagnostics()[1].file == "mixed.txt");
	}
}

namespace {

// Parse, print and dump whatever the input; only InputError may come out, and then with usable
// diagnostics. Returns the reports, or nothing when the input was rejected.
std::optional<std::vector<Report>> survive(std::string_view text)
{
	try {
		std::vector<Report> reports = parse_reports(text, "fuzz.txt");
		CHECK_FALSE(reports.empty());
		CHECK_FALSE(format_text(reports).empty());
		CHECK_FALSE(to_json(reports).dump().empty());
		return reports;
	} catch (const perfmc::InputError &e) {
		REQUIRE_FALSE(e.diagnostics().empty());
		for (const auto &diagnostic : e.diagnostics()) {
			CHECK(diagnostic.file == "fuzz.txt");
			CHECK(diagnostic.line >= 0);
			CHECK(diagnostic.line <= static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1);
			CHECK_FALSE(diagnostic.message.empty());
		}
		return std::nullopt;
	}
}

}  // namespace

TEST_CASE("no input crashes the parser: random bytes, random report words, cuts and mutations of a report",
	  "[kcsan][parse][fuzz]")
{
	std::mt19937 random(20260114);  // fixed: the same inputs on every run
	auto below = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random); };
	const std::string seed = seed_report();
	const Report expected = parse_one(seed);

	SECTION("random bytes")
	{
		for (int i = 0; i < 500; i++) {
			std::string text(below(600), '\0');
			for (char &c : text)
				c = static_cast<char>(below(256));
			survive(text);
		}
	}
	SECTION("random sequences of the words reports are made of")
	{
		const std::vector<std::string> words = {
			"BUG: KCSAN: ", "data-race in ", "assert: race in ", " / ", "foo", "+0x1c/0x30", "write", "read",
			"read-write", " (marked", ", reordered", ")", " to ", "0xffff888100000000", " of ", "8", "99999999999",
			" bytes by task ", " by interrupt", " on cpu ", ":", "\n", "\n", "\n", " ", "\t", "\r", "|", "  |\n",
			"  +-> reordered to: ", " kernel/events/core.c:737", " [inline]", " [nf_tables]", " (core.c:1 (x))",
			"race at unknown origin, with ", "value changed: ", "0x000000000038c145", " -> ", "...",
			"Reported by Kernel Concurrency Sanitizer on:\n", "CPU: 0 PID: 1", "Hardware name: x \n", "==========",
			"[  123.456789] ", "[ T12] ", "<3>", "> ", "| ", "kernel: ", "\xff", "\xef\xbb\xbf"};
		for (int i = 0; i < 3000; i++) {
			std::string text;
			for (size_t n = below(80); n > 0; n--)
				text += words[below(words.size())];
			survive(text);
		}
	}
	SECTION("the seed report cut at every byte: what parses agrees with the whole report")
	{
		for (size_t length = 0; length <= seed.size(); length++) {
			CAPTURE(length);
			auto reports = survive(std::string_view(seed).substr(0, length));
			if (!reports)
				continue;
			// A cut report parses only once the second access has a frame: the first access is
			// then whole, and the second is a prefix of the real one but for its last frame.
			REQUIRE(reports->size() == 1);
			const Report &report = reports->front();
			REQUIRE(report.accesses.size() == 2);
			CHECK(report.accesses[0] == expected.accesses[0]);
			const auto &stack = report.accesses[1].stack;
			REQUIRE(stack.size() <= expected.accesses[1].stack.size());
			for (size_t i = 0; i + 1 < stack.size(); i++)
				CHECK(stack[i] == expected.accesses[1].stack[i]);
		}
	}
	SECTION("the seed report with a line left out")
	{
		const std::vector<std::string> lines = split_lines(seed);
		for (size_t skip = 0; skip < lines.size(); skip++) {
			std::vector<std::string> kept = lines;
			kept.erase(kept.begin() + skip);
			survive(join_lines(kept));
		}
	}
	SECTION("the seed report with a few bytes replaced, inserted or deleted")
	{
		for (int i = 0; i < 3000; i++) {
			std::string text = seed;
			for (size_t n = 1 + below(5); n > 0; n--) {
				size_t at = below(text.size());
				char byte = static_cast<char>(below(256));
				switch (below(3)) {
				case 0: text[at] = byte; break;
				case 1: text.insert(text.begin() + at, byte); break;
				default: text.erase(at, 1); break;
				}
			}
			survive(text);
		}
	}
}
