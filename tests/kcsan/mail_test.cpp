// The KCSAN parser on text as it reaches a maintainer (issue 16 item 6): stacks cut with "<snip>",
// titles soft-wrapped by format=flowed mail, quoted-printable bodies, every quote prefix, several
// reports in one file quoted differently, a broken report next to good ones, comments written into a
// quoted stack, reports quoted without their title line, KCSAN's own frames, and the other frame
// spellings found in real reports (tests/kcsan/data/corpus/ holds the real ones).
#include "support.h"

#include <fmt/format.h>

using namespace perfmc::kcsan;
using namespace perfmc::kcsan::test;

namespace {

// The seed report's lines, each rewritten.
std::string rewrite(const std::string &text, const std::function<std::string(const std::string &)> &line)
{
	std::string out;
	for (const std::string &l : split_lines(text))
		out += line(l) + "\n";
	return out;
}

std::string prefixed(const std::string &text, const std::string &prefix)
{
	return rewrite(text, [&](const std::string &l) {
		std::string out = prefix + l;
		while (!out.empty() && out.back() == ' ')
			out.pop_back();
		return out;
	});
}

// Quoted-printable as a mail client writes it: '=' as =3D, a space before a line end as =20, lines
// longer than 76 characters cut with a soft break ('=' at the end).
std::string quoted_printable(const std::string &text)
{
	std::string out;
	for (const std::string &l : split_lines(text)) {
		std::string encoded;
		for (size_t i = 0; i < l.size(); i++) {
			char c = l[i];
			if (c == '=')
				encoded += "=3D";
			else if (c == ' ' && i + 1 == l.size())
				encoded += "=20";
			else
				encoded += c;
		}
		while (encoded.size() > 75) {
			size_t cut = 75;
			while (cut > 0 && (encoded[cut - 1] == '=' || (cut > 1 && encoded[cut - 2] == '=')))
				cut--;  // never inside an escape
			out += encoded.substr(0, cut) + "=\n";
			encoded.erase(0, cut);
		}
		out += encoded + "\n";
	}
	return out;
}

ParseResult parse(const std::string &text) { return parse_all(text, "mail.txt"); }

bool has_note(const Report &report, const std::string &part)
{
	for (const std::string &note : report.notes)
		if (note.find(part) != std::string::npos)
			return true;
	return false;
}

}  // namespace

TEST_CASE("a stack cut short with <snip> parses, and a good report in the same file is kept", "[kcsan][parse][mail]")
{
	const Report expected = parse_one(seed_report());
	std::vector<std::string> lines = split_lines(seed_report());
	// cut the read stack after its 10th frame, as a commit message would
	size_t read = 0;
	while (!lines[read].starts_with("read to"))
		read++;
	std::vector<std::string> cut(lines.begin(), lines.begin() + static_cast<long>(read) + 11);
	cut.push_back("<snip>");
	cut.insert(cut.end(), lines.begin() + static_cast<long>(read) + 35, lines.end());
	for (const std::string marker : {"<snip>", " <snip>", "[ snip ]", "...", "[...]", "<< snip ... >>"}) {
		CAPTURE(marker);
		cut[read + 11] = marker;
		ParseResult result = parse(join_lines(cut) + "\n" + data_file("net.txt"));
		REQUIRE(result.errors.empty());
		REQUIRE(result.reports.size() == 2);
		const Report &report = result.reports[0];
		CHECK(report.accesses[0] == expected.accesses[0]);
		CHECK(report.accesses[1].stack.size() == 10);
		CHECK(report.value_changed == expected.value_changed);
		CHECK(result.reports[1].title == "data-race in tcp_poll / tcp_rcv_state_process");
	}
}

TEST_CASE("a title soft-wrapped by format=flowed mail is joined, with or without the mail's headers",
	  "[kcsan][parse][mail]")
{
	const Report expected = parse_one(seed_report());
	// a format=flowed writer leaves no space at the end of a line it does not wrap
	std::string wrapped = rewrite(seed_report(), [](const std::string &l) {
		std::string out = l;
		while (!out.empty() && out.back() == ' ')
			out.pop_back();
		return out;
	});
	size_t slash = wrapped.find("perf_event_set_state / ") + 22;
	wrapped.replace(slash, 1, "  \n");  // "... perf_event_set_state /  \nperf_mmap_rb" as syzbot's mails
	SECTION("as delivered: Content-Type format=flowed; delsp=yes")
	{
		std::string mail = "Subject: KCSAN: data-race in perf_event_set_state / perf_mmap_rb\n"
				   "Content-Type: text/plain; charset=\"UTF-8\"; format=flowed; delsp=yes\n\n" + wrapped;
		Report report = parse_one(mail);
		check_same_report(report, expected);
		CHECK(has_note(report, "format=flowed"));
	}
	SECTION("pasted without the headers")
	{
		Report report = parse_one(wrapped);
		check_same_report(report, expected);
		CHECK(report.line == expected.line);
		CHECK(has_note(report, "title soft-wrapped over lines 2 and 3"));
	}
	SECTION("quoted in a reply")
	{
		Report report = parse_one(prefixed(wrapped, "> "));
		check_same_report(report, expected);
	}
}

TEST_CASE("a quoted-printable body is decoded: =3D, =20 and soft line breaks, at the original lines",
	  "[kcsan][parse][mail]")
{
	const Report expected = parse_one(seed_report());
	std::string encoded = quoted_printable(seed_report());
	REQUIRE(encoded.find("=3D") != std::string::npos);
	REQUIRE(encoded.find("=\n") != std::string::npos);
	SECTION("declared by the mail")
	{
		std::string mail = "Content-Type: text/plain; charset=\"UTF-8\"\nContent-Transfer-Encoding: quoted-printable\n\n" +
				   encoded;
		Report report = parse_one(mail);
		check_same_report(report, expected);
		CHECK(report.line == line_of(mail, "BUG: KCSAN"));  // in the file, not in the decoded text
		CHECK(has_note(report, "quoted-printable"));
	}
	SECTION("undeclared, in a quoted reply with timestamps")
	{
		std::string stamped = rewrite(seed_report(), [](const std::string &l) { return "[  111.345991][  T789] " + l; });
		Report report = parse_one(quoted_printable(prefixed(stamped, ">> ")));
		check_same_report(report, expected);
	}
	SECTION("a real one: kasan-dev, 2020, a soft break inside an access line")
	{
		std::vector<Report> reports = parse_reports(data_file("corpus/kasan-dev-osq_lock-qp.eml"), "osq.eml");
		REQUIRE(reports.size() == 1);
		CHECK(reports[0].title == "data-race in osq_lock / osq_unlock");
		CHECK(reports[0].accesses[0].task_pid == 421);
		CHECK(reports[0].accesses[0].cpu == 38);
		CHECK(reports[0].accesses[0].marked);
	}
}

TEST_CASE("reports quoted differently in one file are all read, each at its own line", "[kcsan][parse][mail]")
{
	const std::string seed = seed_report();
	const std::string net = data_file("net.txt");
	const std::vector<std::pair<std::string, std::function<std::string(const std::string &)>>> quotings = {
		{"plain", [](const std::string &t) { return t; }},
		{"> ", [](const std::string &t) { return prefixed(t, "> "); }},
		{"> > ", [](const std::string &t) { return prefixed(t, "> > "); }},
		{">> ", [](const std::string &t) { return prefixed(t, ">> "); }},
		{"| ", [](const std::string &t) { return prefixed(t, "| "); }},
		{"> | ", [](const std::string &t) { return prefixed(t, "> | "); }},
		{"tab", [](const std::string &t) { return prefixed(t, "\t"); }},
		{"4 spaces", [](const std::string &t) { return prefixed(t, "    "); }},
		{"dmesg", [](const std::string &t) { return prefixed(t, "[ 5231.981472] "); }},
		{"caller ids", [](const std::string &t) { return prefixed(t, "[ 5231.981472][ T4926] "); }},
		{"cpu caller ids", [](const std::string &t) { return prefixed(t, "[   44.377931][    C4] "); }},
		{"quoted dmesg", [](const std::string &t) { return prefixed(t, "> > [    0.237939] "); }},
	};
	for (size_t a = 0; a < quotings.size(); a++) {
		for (size_t b = 0; b < quotings.size(); b++) {
			CAPTURE(quotings[a].first, quotings[b].first);
			std::string first = quotings[a].second(seed), second = quotings[b].second(net);
			std::string text = "Hi,\n\n" + first + "\nand the other one:\n\n" + second + "\nThanks\n";
			ParseResult result = parse(text);
			REQUIRE(result.errors.empty());
			REQUIRE(result.reports.size() == 2);
			CHECK(result.reports[0].title == "data-race in perf_event_set_state / perf_mmap_rb");
			CHECK(result.reports[0].accesses[1].stack.size() == 34);
			CHECK(result.reports[1].title == "data-race in tcp_poll / tcp_rcv_state_process");
			CHECK(result.reports[1].accesses[1].stack.size() == 13);
			CHECK(result.reports[0].line == line_of(text, "perf_event_set_state / perf_mmap_rb"));
			CHECK(result.reports[1].line == line_of(text, "tcp_poll / tcp_rcv_state_process"));
		}
	}
}

TEST_CASE("a report without its trailer does not swallow the next one, however that one is quoted",
	  "[kcsan][parse][mail]")
{
	// a commit message quotes the title, the accesses and nothing after them
	auto without_trailer = [](const std::string &report) {
		std::string out;
		for (const std::string &l : split_lines(report)) {
			if (l.starts_with("Reported by"))
				break;
			if (!l.starts_with("=========="))
				out += l + "\n";
		}
		return out;
	};
	const std::string first = without_trailer(seed_report());
	std::vector<std::string> net = split_lines(data_file("net.txt"));
	const std::string second = without_trailer(join_lines(std::vector<std::string>(net.begin() + 3, net.end())));
	for (const std::string prefix : {"", "| ", "> ", "    ", "[  1.000000] "}) {
		for (bool prose : {false, true}) {
			CAPTURE(prefix, prose);
			std::string text = first + (prose ? "and then this one:\n" : "") + prefixed(second, prefix);
			ParseResult result = parse(text);
			REQUIRE(result.errors.empty());
			REQUIRE(result.reports.size() == 2);
			CHECK(result.reports[0].accesses[1].stack.size() == 34);
			CHECK(result.reports[1].title == "data-race in tcp_poll / tcp_rcv_state_process");
		}
	}
}

TEST_CASE("a broken report costs only itself: the others are read, the broken one named at its line",
	  "[kcsan][parse][mail]")
{
	const std::string seed = seed_report();
	const std::string broken = "BUG: KCSAN: data-race in perf_event_set_state / perf_mmap_rb\n\n"
				   "write to 0xffff88812279f1a0 of 8 bytes by task 12011 on cpu 1:\n"
				   " perf_mmap_rb+0x71c/\n";
	std::string text = prefixed(seed, "> ") + "\n" + broken + "\n" + data_file("net.txt");
	ParseResult result = parse(text);
	REQUIRE(result.reports.size() == 2);
	CHECK(result.reports[0].title == "data-race in perf_event_set_state / perf_mmap_rb");
	CHECK(result.reports[1].title == "data-race in tcp_poll / tcp_rcv_state_process");
	REQUIRE(result.errors.size() == 1);
	const int broken_line = static_cast<int>(split_lines(seed).size()) + 2;
	CHECK(result.errors[0].line == broken_line + 3);
	CHECK(result.errors[0].message.starts_with("expected a stack frame"));
	CHECK_THROWS_AS(parse_reports(text, "mail.txt"), perfmc::InputError);
}

TEST_CASE("a comment written into a quoted stack at another quote depth is stepped over", "[kcsan][parse][mail]")
{
	const Report expected = parse_one(seed_report());
	std::vector<std::string> lines = split_lines(prefixed(seed_report(), "> > "));
	// after the write's second frame, the replier's own words, one level less deep
	size_t at = 0;
	while (lines[at].find("perf_mmap_rb+0x71c") == std::string::npos)
		at++;
	lines.insert(lines.begin() + static_cast<long>(at) + 1,
		     {"> ", "> This is the unlocked update:", "> ", ">         event->tstamp = now;", "> "});
	Report report = parse_one(join_lines(lines));
	check_same_report(report, expected);
	CHECK(has_note(report, "another quote depth"));

	SECTION("and a line another CPU printed into the middle of a console stack")
	{
		std::vector<std::string> console = split_lines(prefixed(seed_report(), "[    3.162989] "));
		console.insert(console.begin() + 10, "[    3.168849] ata5: SATA link down (SStatus 0 SControl 300)");
		Report interleaved = parse_one(join_lines(console));
		check_same_report(interleaved, expected);
		CHECK(has_note(interleaved, "ata5: SATA link down"));
	}
}

TEST_CASE("a report quoted without its title line takes its functions from the stacks", "[kcsan][parse][mail]")
{
	const Report expected = parse_one(seed_report());
	std::vector<std::string> lines = split_lines(seed_report());
	std::vector<std::string> untitled(lines.begin() + 3, lines.end());  // from the write's access line
	std::string text = "KCSAN reports a data race between the two updates:\n\n" + prefixed(join_lines(untitled), "  ") +
			   "\nFix it by taking ctx->lock.\n";
	Report report = parse_one(text);
	CHECK(report.untitled);
	CHECK(report.line == 3);
	// KCSAN sorts the two names; these are the innermost frames, inlined ones included
	CHECK(report.title == "data-race in __perf_update_times / perf_event_update_time");
	CHECK(report.accesses == expected.accesses);
	CHECK(report.value_changed == expected.value_changed);

	SECTION("a real one: the pin_count fix, with stacks cut by '...'")
	{
		Report pin = parse_one(data_file("corpus/tip-perf-pin_count.eml"));
		CHECK(pin.title == "data-race in find_get_context / perf_unpin_context");
		REQUIRE(pin.accesses.size() == 2);
		CHECK(pin.accesses[0].stack[0] == Frame{"find_get_context", "", "kernel/events/core.c", 4617, false, ""});
		CHECK(pin.accesses[1].stack[0] ==
		      Frame{"perf_unpin_context", "", "kernel/events/core.c", 1525, true, ""});
	}
}

TEST_CASE("KCSAN's own frames are left out; a title that names print_report gets the racing function",
	  "[kcsan][parse][mail]")
{
	SECTION("an NMI that arrived while KCSAN watched an irq_work access: both on one CPU")
	{
		std::string text = seed_title_of("__perf_event_overflow / perf_pending_irq") +
				   "write to 0xffff88805daa1a04 of 4 bytes by interrupt on cpu 0:\n"
				   " __perf_event_overflow+0x7f/0x3d0 kernel/events/core.c:9323\n"
				   " perf_event_overflow+0x26/0x30 kernel/events/core.c:9381\n"
				   " exc_nmi+0xbc/0x130 arch/x86/kernel/nmi.c:513\n"
				   " end_repeat_nmi+0x16/0x31\n"
				   " rep_nop arch/x86/include/asm/vdso/processor.h:13 [inline]\n"
				   " delay_tsc+0x67/0xe0 arch/x86/lib/delay.c:78\n"
				   " delay_access kernel/kcsan/core.c:329 [inline]\n"
				   " kcsan_setup_watchpoint+0x292/0x460 kernel/kcsan/core.c:604\n"
				   " perf_event_wakeup kernel/events/core.c:6460 [inline]\n"
				   " perf_pending_irq+0x1a5/0x3f0 kernel/events/core.c:6557\n\n"
				   "read to 0xffff88805daa1a04 of 4 bytes by interrupt on cpu 0:\n"
				   " perf_event_wakeup kernel/events/core.c:6460 [inline]\n"
				   " perf_pending_irq+0x1a5/0x3f0 kernel/events/core.c:6557\n";
		Report report = parse_one(text);
		const Access &nmi = report.accesses[0];
		CHECK(nmi.kcsan_frames == 4);
		std::vector<std::string> functions = report.functions(0);
		CHECK(functions == std::vector<std::string>{"__perf_event_overflow", "perf_event_overflow", "exc_nmi",
							    "end_repeat_nmi", "perf_event_wakeup", "perf_pending_irq"});
		CHECK(has_note(report, "4 KCSAN-internal frames"));
	}
	SECTION("a real one: the racing read's stack begins in print_report (tip, timers/migration)")
	{
		Report report = parse_one(data_file("corpus/tip-tmigr-ignore-flag.eml"));
		CHECK(report.title_functions == std::vector<std::string>{"__tmigr_cpu_activate", "tmigr_next_groupevt"});
		CHECK(report.accesses[1].stack[0].function == "tmigr_next_groupevt");
		CHECK(report.accesses[1].kcsan_frames == 3);
		CHECK(has_note(report, "the title names KCSAN's own print_report()"));
	}
	CHECK(is_kcsan_internal(Frame{"__tsan_read8", "", "", 0, false, ""}));
	CHECK(is_kcsan_internal(Frame{"check_access", "", "kernel/kcsan/core.c", 466, true, ""}));
	CHECK_FALSE(is_kcsan_internal(Frame{"check_access", "", "", 0, false, ""}));
	CHECK_FALSE(is_kcsan_internal(Frame{"perf_event_wakeup", "", "kernel/events/core.c", 6460, true, ""}));
}

TEST_CASE("early and decoded spellings: 'A and B' titles, decode_stacktrace.sh chains, a second location line",
	  "[kcsan][parse][mail]")
{
	SECTION("KCSAN of 2019: 'data-race in multi_cpu_stop+0xa8/0x198 and set_state+0x80/0xb0'")
	{
		std::vector<Report> reports = parse_reports(data_file("corpus/tip-stop_machine.eml"), "stop.eml");
		REQUIRE(reports.size() == 2);  // the arm64 splat, then the x86 one quoted without its title
		CHECK(reports[0].title_functions == std::vector<std::string>{"multi_cpu_stop", "set_state"});
		CHECK(reports[1].untitled);
		CHECK(reports[1].accesses[0].stack[0] == Frame{"set_state", "", "kernel/stop_machine.c", 170, true, ""});
	}
	SECTION("decode_stacktrace.sh: a chain of locations in parentheses, an unknown line, a bare module")
	{
		std::string text = "BUG: KCSAN: data-race in kvm_vcpu_on_spin [kvm] / kvm_vcpu_on_spin [kvm]\n\n"
				   "write to 0xffffc90025a92344 of 4 bytes by task 4340 on cpu 16:\n"
				   "\tkvm_vcpu_on_spin (arch/x86/kvm/../../../virt/kvm/kvm_main.c:4112) kvm\n"
				   "\tvmx_handle_exit (arch/x86/kvm/vmx/vmx.c:? arch/x86/kvm/vmx/vmx.c:6606) kvm_intel\n"
				   "\t__se_sys_ioctl (fs/ioctl.c:52 fs/ioctl.c:904 fs/ioctl.c:890)\n\n"
				   "read to 0xffffc90025a92344 of 4 bytes by task 4342 on cpu 4:\n"
				   "\tkvm_vcpu_on_spin (arch/x86/kvm/../../../virt/kvm/kvm_main.c:4069) kvm\n";
		Report report = parse_one(prefixed(text, "> "));
		const auto &stack = report.accesses[0].stack;
		REQUIRE(stack.size() == 3);
		CHECK(stack[0] == Frame{"kvm_vcpu_on_spin", "", "arch/x86/kvm/../../../virt/kvm/kvm_main.c", 4112, false, "kvm"});
		CHECK(stack[1] == Frame{"vmx_handle_exit", "", "arch/x86/kvm/vmx/vmx.c", 0, false, "kvm_intel"});
		CHECK(stack[2] == Frame{"__se_sys_ioctl", "", "fs/ioctl.c", 52, false, ""});
	}
	SECTION("addr2line's outer location of an inlined frame on a line of its own")
	{
		std::string text = " BUG: KCSAN: data-race in __skb_try_recv_from_queue / unix_dgram_sendmsg\n\n"
				   " read to 0xffff8a1b1d8a81c0 of 4 bytes by task 5371 on cpu 96:\n"
				   "  unix_dgram_sendmsg+0x9a9/0xb70 include/linux/skbuff.h:1821\n"
				   "\t\t\t\t net/unix/af_unix.c:1761\n"
				   "  ____sys_sendmsg+0x33e/0x370\n\n"
				   " write to 0xffff8a1b1d8a81c0 of 4 bytes by task 1 on cpu 99:\n"
				   "  __skb_try_recv_from_queue+0x327/0x410 include/linux/skbuff.h:2029\n";
		Report report = parse_one(text);
		REQUIRE(report.accesses[0].stack.size() == 2);
		CHECK(report.accesses[0].stack[0].file == "include/linux/skbuff.h");
		CHECK(report.accesses[0].stack[1].function == "____sys_sendmsg");
	}
}
