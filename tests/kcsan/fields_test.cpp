// Naming the racing field (issue 16 item 2): the core.c table at 12f24484da13 against the model's
// MODEL_FRAME lines, the user page's uapi layout, and each way a field gets named (the line at the
// modelled tree, the line shifted by the report's kernel, the only field of its kind and size, the
// user page's offset, the other access at the same address) or is left unnamed with its candidates.
#include "support.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include <fmt/format.h>

#include "checker/kcsan/fields.h"

using namespace perfmc::kcsan;
using namespace perfmc::kcsan::test;

namespace {

// A two-access report with the given innermost frames (function, file:line), access kinds, sizes and
// addresses; the second frame of each stack is a caller, when given.
Report report_of(const std::vector<std::vector<Frame>> &stacks, const std::vector<std::string> &kinds,
		 const std::vector<int> &sizes, const std::vector<std::string> &addresses)
{
	Report r;
	r.bug_type = "data-race";
	for (size_t i = 0; i < stacks.size(); i++) {
		Access a;
		a.kind = kinds[i];
		a.size = sizes[i];
		a.address = addresses[i];
		a.task_pid = 100 + static_cast<int>(i);
		a.cpu = static_cast<int>(i);
		a.stack = stacks[i];
		r.accesses.push_back(a);
		r.title_functions.push_back(stacks[i].front().function);
	}
	return r;
}

Frame core(const std::string &function, int line, bool inlined = false)
{
	return Frame{function, inlined ? "" : "+0x10/0x100", "kernel/events/core.c", line, inlined, ""};
}

}  // namespace

TEST_CASE("the core.c table is sorted, and every use lies inside its function's lines", "[kcsan][fields]")
{
	const auto &table = core_c_uses();
	REQUIRE(table.size() > 20);
	for (size_t i = 1; i < table.size(); i++)
		CHECK(table[i - 1].function < table[i].function);
	for (const FunctionUses &f : table) {
		CAPTURE(f.function);
		CHECK_FALSE(f.uses.empty());
		for (const FieldUse &u : f.uses) {
			CAPTURE(u.line, u.field, u.member);
			if (f.first > 0) {
				CHECK(u.line > f.first);
				if (f.last > 0)
					CHECK(u.line < f.last);
			}
			if (u.use == 'c') {
				CHECK(u.field.empty());
				CHECK_FALSE(u.member.empty());
			} else {
				CHECK((u.use == 'r' || u.use == 'w' || u.use == 'm'));
				CHECK((u.size == 1 || u.size == 2 || u.size == 4 || u.size == 8));
				// "event->tstamp" belongs to "perf_event.tstamp": the names agree
				std::string last = u.field.substr(u.field.find_last_of(">.") + 1);
				CHECK(u.member.ends_with("." + last));
			}
		}
	}
	CHECK(find_function("perf_event_update_time") != nullptr);
	CHECK(find_function("no_such_function") == nullptr);
	CHECK(base_function("event_sched_in.isra.0.part.0") == "event_sched_in");
	CHECK(base_function("perf_mmap") == "perf_mmap");
}

TEST_CASE("the table's first lines are the model's MODEL_FRAME lines wherever the model ports the function",
	  "[kcsan][fields]")
{
	// "kernel/events/core.c: NAME() @ 12f24484da13 (core.c:N)" in the model's sources
	std::map<std::string, int> model;
	const std::regex origin(R"(kernel/events/core\.c: ([A-Za-z_0-9]+)\(\) @ 12f24484da13 \(core\.c:([0-9]+)\))");
	for (const auto &entry : std::filesystem::recursive_directory_iterator(PERFMC_SOURCE_DIR "/model")) {
		if (!entry.is_regular_file())
			continue;
		std::ifstream in(entry.path());
		std::string text((std::istreambuf_iterator<char>(in)), {});
		for (std::sregex_iterator it(text.begin(), text.end(), origin), end; it != end; ++it)
			model[(*it)[1]] = std::stoi((*it)[2]);
	}
	REQUIRE(model.size() > 30);
	int compared = 0;
	for (const FunctionUses &f : core_c_uses()) {
		auto it = model.find(f.function);
		if (it == model.end() || f.first == 0)
			continue;
		CAPTURE(f.function);
		CHECK(f.first == it->second);
		compared++;
	}
	CHECK(compared >= 20);
}

TEST_CASE("the user page's layout is include/uapi/linux/perf_event.h's", "[kcsan][fields]")
{
	const auto &layout = perf_event_mmap_page_layout();
	for (size_t i = 1; i < layout.size(); i++)
		CHECK(layout[i - 1].offset + layout[i - 1].size <= layout[i].offset);  // in order, no overlap
	CHECK(layout.back().offset + layout.back().size == 0x440);                 // aux_size ends the struct
	// the offsets the issue names, and the seqcount
	CHECK(user_page_field(0x0c, 4)->name == "index");
	CHECK(user_page_field(0x20, 8)->name == "time_running");
	CHECK(user_page_field(0x18, 8)->name == "time_enabled");
	CHECK(user_page_field(0x08, 4)->name == "lock");
	CHECK(user_page_field(0x400, 8)->name == "data_head");
	CHECK(user_page_field(0x22, 2)->name == "time_running");  // a part of it
	CHECK_FALSE(user_page_field(0x1c, 8).has_value());       // straddles time_enabled and time_running
	CHECK_FALSE(user_page_field(0x100, 8).has_value());      // __reserved
}

TEST_CASE("a field is named by its line at the modelled tree, or by the report's line shifted", "[kcsan][fields]")
{
	SECTION("the report's kernel is 12f24484da13: the line decides")
	{
		Report r = report_of({{core("perf_event_update_time", 741, true), core("perf_mmap_rb", 7043)},
				      {core("__perf_update_times", 726, true), core("perf_event_update_time", 739, true)}},
				     {"write", "read"}, {8, 8}, {"0xffff888100000010", "0xffff888100000020"});
		FieldAnswer w = name_access_field(r, 0);
		CHECK(w.field == "event->tstamp");
		CHECK(w.member == "perf_event.tstamp");
		CHECK(w.how == "exact");
		CHECK(w.kernel_note.empty());
		FieldAnswer rd = name_access_field(r, 1);
		CHECK(rd.field == "event->total_time_enabled");
		CHECK(rd.how == "exact");
	}
	SECTION("the seed (a9d6a792): __perf_update_times:720 is 4 lines before 12f24484da13's read of tstamp")
	{
		Report seed = parse_one(seed_report());
		FieldAnswer read = name_access_field(seed, 1);
		CHECK(read.field == "event->tstamp");
		CHECK(read.how == "shifted");
		CHECK(read.shift == 4);
		CHECK_FALSE(read.kernel_note.empty());
		// the write's own caller is perf_mmap_rb(), far from perf_event_update_time() in the file;
		// the read's stack has perf_event_update_time() itself calling __perf_update_times(): +4
		FieldAnswer write = name_access_field(seed, 0);
		CHECK(write.field == "event->tstamp");
		CHECK(write.how == "shifted");
		CHECK(write.shift == 4);
		SECTION("without the other stack, tstamp is still the only field that function writes itself")
		{
			Report alone = seed;
			alone.accesses.pop_back();
			FieldAnswer only = name_access_field(alone, 0);
			CHECK(only.field == "event->tstamp");
			CHECK(only.how == "function");
		}
		RaceField race = name_race_field(seed);
		CHECK(race.race.field == "event->tstamp");
		CHECK(race.race.member == "perf_event.tstamp");
	}
}

TEST_CASE("the user page's fields are named by the address's offset, whatever the kernel", "[kcsan][fields]")
{
	Report r = report_of({{core("perf_event_update_userpage", 5941), core("perf_mmap", 6419)},
			      {core("perf_event_update_userpage", 5941), core("cpu_clock_event_add", 10780)}},
			     {"write", "write"}, {8, 8}, {"0xffff88812430e020", "0xffff88812430e020"});
	RaceField race = name_race_field(r);
	CHECK(race.race.field == "perf_event_mmap_page.time_running");
	CHECK(race.race.how == "address");
	CHECK(race.accesses[0].kernel_note.find("spans core.c:6545-6593") != std::string::npos);
	SECTION("an offset in no field of that size is not guessed")
	{
		r.accesses[0].address = r.accesses[1].address = "0xffff88812430e01c";
		FieldAnswer f = name_access_field(r, 0);
		CHECK(f.how != "address");
	}
}

TEST_CASE("one side names the other when both accesses share the address; else the candidates are said",
	  "[kcsan][fields]")
{
	// __perf_event_overflow() writes three 4-byte fields; perf_event_wakeup() reads one of them
	Report r = report_of({{core("__perf_event_overflow", 9323), core("perf_event_overflow", 9381)},
			      {core("perf_event_wakeup", 6460, true), core("perf_pending_irq", 6557)}},
			     {"write", "read"}, {4, 4}, {"0xffff88805daa1a04", "0xffff88805daa1a04"});
	FieldAnswer alone = name_access_field(r, 0);
	CHECK(alone.field.empty());
	CHECK(alone.how == "candidates");
	CHECK(alone.candidates ==
	      std::vector<std::string>{"event->pending_kill", "event->pending_wakeup", "event->pending_work"});
	RaceField race = name_race_field(r);
	CHECK(race.race.field == "event->pending_kill");
	CHECK(race.accesses[0].field == "event->pending_kill");
	CHECK(race.accesses[0].how == "other access");

	SECTION("at different addresses nothing is carried over")
	{
		r.accesses[1].address = "0xffff88805daa1a08";
		RaceField apart = name_race_field(r);
		CHECK(apart.accesses[0].field.empty());
		CHECK(apart.race.field == "event->pending_kill");  // the best named side still names the race
	}
	SECTION("a function the table does not know is said so")
	{
		Report other = report_of({{Frame{"tcp_poll", "+0x1/0x2", "net/ipv4/tcp.c", 531, false, ""}},
					  {Frame{"tcp_rcv_state_process", "+0x1/0x2", "net/ipv4/tcp_input.c", 6712, false, ""}}},
					 {"read", "write"}, {1, 1}, {"0x10", "0x10"});
		RaceField none = name_race_field(other);
		CHECK(none.race.field.empty());
		CHECK(none.race.how == "unknown");
		CHECK(none.race.explanation.find("tcp_poll") != std::string::npos);
	}
}
