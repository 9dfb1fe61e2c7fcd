// The scenario parser: what it accepts (names resolved, defaults applied, positions right) and
// what it rejects (each malformed input with the exact diagnostic a kernel developer reads).
#include "checker/diagnostic.h"
#include "checker/scenario/scenario.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

namespace perfmc {
Registry test_registry();  // registry_fixture.cpp
}

using namespace perfmc;

namespace {

const std::string data_dir = PERFMC_SOURCE_DIR "/tests/scenario/data/";

// A small valid scenario, one line per field, so a case shows only what it changes and the line
// numbers in its expected diagnostics can be read off this list. `tables` (line 7 on) holds
// [table] sections, which must follow every top-level key.
struct Doc {
	std::string name = R"%(name = "t")%";                                                                // line 1
	std::string summary = R"%(summary = "s")%";                                                          // line 2
	std::string extra = "";                                                                               // line 3
	std::string setup = R"%(setup = { context = [{ name = "T", task = "T" }], event = [{ name = "E", context = "T" }] })%"; // line 4
	std::string cpu = R"%(cpu = [{ name = "a", run = ["mmap(E)"] }])%";                                  // line 5
	std::string expect = R"%(expect = { upstream = "pass" })%";                                          // line 6
	std::string tables = "";                                                                               // line 7 on

	std::string text() const
	{
		return name + "\n" + summary + "\n" + extra + "\n" + setup + "\n" + cpu + "\n" + expect + "\n" + tables + "\n";
	}
};

// Doc's setup as tables, for cases about one key of a context or an event: lines 7 to 12, so
// a key appended after it is on line 13 and belongs to event E.
const std::string setup_tables = R"%([[setup.context]]
name = "T"
task = "T"
[[setup.event]]
name = "E"
context = "T"
)%";

// Every diagnostic for `text`, as printed; "accepted" when there is none.
std::string rejection(const std::string &text)
{
	try {
		parse_scenario(text, "t.toml", test_registry());
	} catch (const InputError &e) {
		return e.str();
	}
	return "accepted";
}

std::string read_file(const std::string &path)
{
	std::ifstream in(path);
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

}  // namespace

TEST_CASE("a scenario file is parsed into resolved names with their source positions", "[scenario]")
{
	SECTION("accepted: the full format, every name resolved to an index")
	{
		Scenario s = load_scenario_file(data_dir + "mmap-vs-sched_out.toml", test_registry());
		CHECK(s.name == "mmap-vs-sched_out");
		CHECK(s.summary == "perf_mmap() calls perf_event_update_time() holding only event->mmap_mutex, while "
		                   "perf_event_task_sched_out() on another CPU updates the same times under ctx->lock.");
		CHECK(s.covers == std::vector<std::string>{"perf_event_set_state / perf_mmap_rb"});
		CHECK(s.references ==
		      std::vector<std::string>{"syzbot assessment-kcsan 2026-01-14 (seed 000)", "commit d06bf78e55d5"});
		CHECK(s.invariants == std::vector<std::string>{"no-lost-time", "running-le-enabled"});
		CHECK(s.tick == 10);

		REQUIRE(s.contexts.size() == 2);
		CHECK(s.contexts[0].name == "T");
		CHECK(s.contexts[0].task == "T");
		CHECK_FALSE(s.contexts[0].cpu);
		CHECK(s.contexts[0].running_on == 0);
		CHECK(s.contexts[0].pos.line == 13);
		CHECK(s.contexts[0].pos.column == 1);
		CHECK(s.contexts[1].cpu == 1);
		CHECK_FALSE(s.contexts[1].task);
		CHECK_FALSE(s.contexts[1].running_on);

		REQUIRE(s.events.size() == 2);
		const EventSpec &e = s.events[0], &f = s.events[1];
		CHECK(e.context == 0);
		CHECK(e.leader == 0);
		CHECK(e.state == "ACTIVE");
		CHECK_FALSE(e.mapped);
		CHECK(e.attr == std::map<std::string, int64_t>{{"exclude_user", 1}, {"inherit", 0}, {"sample_period", 4000}});
		CHECK(e.pos.line == 22);
		CHECK(f.leader == 0);
		CHECK(f.state == "INACTIVE");
		CHECK(f.mapped);
		CHECK(f.attr.empty());

		REQUIRE(s.lanes.size() == 3);
		CHECK(s.lanes[0].name == "task switch");
		CHECK(s.lanes[0].cpu == 0);
		CHECK(s.lanes[0].in == "task");
		CHECK(s.lanes[0].pos.line == 34);
		CHECK(s.lanes[1].cpu == 1);
		CHECK(s.lanes[2].cpu == 1);
		CHECK(s.lanes[2].in == "nmi");

		REQUIRE(s.lanes[0].ops.size() == 2);
		const Op &sched_in = s.lanes[0].ops[1];
		CHECK(sched_in.name == "sched_in");
		CHECK(sched_in.text == "sched_in( T )");
		CHECK(sched_in.summary == "task switch in: perf_event_task_sched_in()");
		CHECK(sched_in.pos.line == 36);
		CHECK(sched_in.pos.column == 26);
		REQUIRE(sched_in.args.size() == 1);
		CHECK(sched_in.args[0].kind == ArgKind::Context);
		CHECK(sched_in.args[0].index == 0);
		CHECK(sched_in.args[0].pos.column == 36);

		REQUIRE(s.lanes[1].ops.size() == 2);
		const Op &call = s.lanes[1].ops[1];
		CHECK(call.is_call);
		CHECK(call.name == "perf_event_update_time");
		CHECK(call.text == "perf_event_update_time(F) under T.lock, F.mmap_mutex");
		CHECK(call.pos.line == 41);
		CHECK(call.pos.column == 19);
		REQUIRE(call.args.size() == 1);
		CHECK(call.args[0].kind == ArgKind::Event);
		CHECK(call.args[0].index == 1);
		CHECK(call.args[0].pos.column == 62);
		REQUIRE(call.locks.size() == 2);
		CHECK(call.locks[0].kind == LockRef::Kind::CtxLock);
		CHECK(call.locks[0].object == 0);
		CHECK(call.locks[0].pos.column == 77);
		CHECK(call.locks[1].kind == LockRef::Kind::MmapMutex);
		CHECK(call.locks[1].object == 1);
		CHECK(call.locks[1].pos.column == 87);

		REQUIRE(s.lanes[2].ops.size() == 2);
		const Op &set_period = s.lanes[2].ops[0], &tick = s.lanes[2].ops[1];
		REQUIRE(set_period.args.size() == 2);
		CHECK(set_period.args[0].index == 1);
		CHECK(set_period.args[1].kind == ArgKind::Integer);
		CHECK(set_period.args[1].index == -1);
		CHECK(set_period.args[1].pos.column == 23);
		REQUIRE(tick.args.size() == 1);
		CHECK(tick.args[0].kind == ArgKind::Cpu);
		CHECK(tick.args[0].index == 1);
		CHECK(tick.args[0].pos.column == 35);

		// [expect] in the author's order, not toml++'s sorted one
		CHECK(s.expect == std::vector<std::pair<std::string, std::string>>{{"upstream", "harmful"}, {"mmap-ctx-lock", "pass"}});
		CHECK(s.search.mode == "bounded");
		CHECK(s.search.bound == 2);
		CHECK_FALSE(s.search.iterations);
		CHECK_FALSE(s.search.seed);
	}

	SECTION("accepted: what a file leaves out takes its documented default")
	{
		Doc doc{.cpu = R"%(cpu = [{ name = "a", run = ["mmap(E)"] }, { name = "b", run = ["nop", "nop()"] }])%"};
		Scenario s = parse_scenario(doc.text(), "t.toml", test_registry());
		CHECK(s.tick == 1);
		CHECK(s.invariants == test_registry().invariants);
		CHECK(s.covers.empty());
		CHECK(s.events[0].state == "INACTIVE");
		CHECK(s.events[0].leader == 0);
		CHECK_FALSE(s.events[0].mapped);
		CHECK_FALSE(s.contexts[0].running_on);
		CHECK(s.lanes[0].cpu == 0);
		CHECK(s.lanes[1].cpu == 1);  // a lane's index
		CHECK(s.lanes[1].in == "task");
		CHECK(s.lanes[1].ops.size() == 2);
		CHECK(s.lanes[1].ops[1].args.empty());
		CHECK(s.search.mode == "exhaustive");
		CHECK_FALSE(s.search.bound);
	}

	SECTION("accepted: positions inside literal and multi-line strings skip the whole quote")
	{
		Doc doc{.cpu = R"%(cpu = [{ name = "a", run = ['mmap(E)', """sched_out(T)"""] }])%"};
		Scenario s = parse_scenario(doc.text(), "t.toml", test_registry());
		REQUIRE(s.lanes[0].ops.size() == 2);
		CHECK(s.lanes[0].ops[0].pos.column == 30);
		CHECK(s.lanes[0].ops[0].args[0].pos.column == 35);
		CHECK(s.lanes[0].ops[1].pos.column == 43);
		CHECK(s.lanes[0].ops[1].args[0].pos.column == 53);
	}

	SECTION("accepted: lanes share a CPU when one interrupts the other")
	{
		Doc doc{.cpu = R"%(cpu = [{ name = "a", run = ["mmap(E)"] }, { name = "b", cpu = 0, in = "irq", run = ["nop"] }])%"};
		Scenario s = parse_scenario(doc.text(), "t.toml", test_registry());
		REQUIRE(s.lanes.size() == 2);
		CHECK(s.lanes[1].cpu == 0);
		CHECK(s.lanes[1].in == "irq");
	}

	SECTION("rejected: each malformed input gives its exact diagnostics, every one of them")
	{
		// clang-format off
		auto [description, doc, expected] = GENERATE(table<std::string, Doc, std::string>({
			{"TOML syntax error", Doc{.extra = "tick = "},
			 "t.toml:3:8: error: invalid TOML in key-value pair: expected value, saw '\\n'\n"},
			{"an empty file", Doc{"", "", "", "", "", "", ""},
			 "t.toml:1:1: error: missing 'name'\n"
			 "  hint: name = \"...\" names the scenario, as its file name does\n"
			 "t.toml:1:1: error: missing 'summary'\n"
			 "  hint: summary = \"...\" is one paragraph on the hazard, in kernel terms\n"
			 "t.toml:1:1: error: missing [[cpu]]\n"
			 "  hint: each [[cpu]] table is one CPU lane: name = \"...\", run = [\"op(args)\", ...]\n"
			 "t.toml:1:1: error: missing [expect]\n"
			 "  hint: [expect] gives the verdict (pass, benign, harmful, incomplete) expected under each variant\n"},
			{"unknown top-level key", Doc{.extra = "cpus = 2"},
			 "t.toml:3:1: error: unknown key 'cpus'\n  hint: did you mean 'cpu'?\n"},
			{"unknown top-level key, nothing close", Doc{.extra = "colour = 1"},
			 "t.toml:3:1: error: unknown key 'colour'\n"
			 "  hint: expected one of: name, model, summary, covers, references, invariants, setup, cpu, expect, search\n"},
			{"unknown key in a lane, so its run is missing", Doc{.cpu = R"%(cpu = [{ name = "a", runs = ["mmap(E)"] }])%"},
			 "t.toml:5:8: error: missing 'run' in lane 'a'\n"
			 "  hint: run = [\"op(args)\", ...] lists the lane's ops, in order\n"
			 "t.toml:5:22: error: unknown key 'runs' in [[cpu]]\n  hint: did you mean 'run'?\n"},
			{"wrong value type", Doc{.setup = R"%(setup = { tick = "10" })%", .cpu = R"%(cpu = [{ name = "a", run = ["nop"] }])%"},
			 "t.toml:4:18: error: expected an integer for 'tick', got a string\n"},
			{"tick not positive", Doc{.setup = R"%(setup = { tick = 0 })%", .cpu = R"%(cpu = [{ name = "a", run = ["nop"] }])%"},
			 "t.toml:4:18: error: expected a positive integer for 'tick', got 0\n"},
			{"scenario name not kebab-case", Doc{.name = R"%(name = "Mmap vs")%"},
			 "t.toml:1:8: error: expected a scenario name of letters, digits, '-' and '_', got 'Mmap vs'\n"},
			{"wrong element type", Doc{.extra = "covers = [1]"},
			 "t.toml:3:11: error: expected a string in 'covers', got an integer\n"},
			{"covers not a KCSAN title", Doc{.extra = R"%(covers = ["perf_mmap_rb"])%"},
			 "t.toml:3:11: error: expected a KCSAN title 'A / B' in 'covers', got 'perf_mmap_rb'\n"
			 "  hint: as in 'BUG: KCSAN: data-race in perf_event_set_state / perf_mmap_rb'\n"},
			{"unknown invariant", Doc{.extra = R"%(invariants = ["no-lost-tim"])%"},
			 "t.toml:3:15: error: unknown invariant 'no-lost-tim'\n  hint: did you mean 'no-lost-time'?\n"},
			{"unknown op, the column past leading spaces", Doc{.cpu = R"%(cpu = [{ name = "a", run = ["  mmapp(E)"] }])%"},
			 "t.toml:5:32: error: unknown op 'mmapp'\n"
			 "  hint: did you mean 'mmap'? `perfmc list --ops` lists every op\n"},
			{"unknown op, nothing close", Doc{.cpu = R"%(cpu = [{ name = "a", run = ["frobnicate(E)"] }])%"},
			 "t.toml:5:30: error: unknown op 'frobnicate'\n  hint: `perfmc list --ops` lists every op\n"},
			{"call written as a string op", Doc{.cpu = R"%(cpu = [{ name = "a", run = ["call(E)"] }])%"},
			 "t.toml:5:30: error: unknown op 'call'\n"
			 "  hint: a call is an inline table: { call = \"function\", args = [...], locks = [...] }\n"},
			{"too many arguments", Doc{.cpu = R"%(cpu = [{ name = "a", run = ["sched_out(T, E)"] }])%"},
			 "t.toml:5:30: error: 'sched_out' takes 1 argument (ctx), got 2\n"},
			{"arguments to an op that takes none", Doc{.cpu = R"%(cpu = [{ name = "a", run = ["nop(E)"] }])%"},
			 "t.toml:5:30: error: 'nop' takes no arguments, got 1\n"},
			{"unknown object, one close", Doc{.cpu = R"%(cpu = [{ name = "a", run = ["mmap(F)"] }])%"},
			 "t.toml:5:35: error: no event named 'F'\n  hint: did you mean 'E'?\n"},
			{"unknown object, none close", Doc{.cpu = R"%(cpu = [{ name = "a", run = ["mmap(counter)"] }])%"},
			 "t.toml:5:35: error: no event named 'counter'\n  hint: events: E\n"},
			{"argument of the wrong kind", Doc{.cpu = R"%(cpu = [{ name = "a", run = ["mmap(T)"] }])%"},
			 "t.toml:5:35: error: 'mmap' expects an event, got context 'T'\n"},
			{"an integer for an event", Doc{.cpu = R"%(cpu = [{ name = "a", run = ["mmap(3)"] }])%"},
			 "t.toml:5:35: error: 'mmap' expects an event, got 3\n"},
			{"CPU number out of range", Doc{.cpu = R"%(cpu = [{ name = "a", run = ["tick(7)"] }])%"},
			 "t.toml:5:35: error: 'tick' expects a CPU number from 0 to 3, got 7\n"},
			{"a name for an integer, the second argument", Doc{.cpu = R"%(cpu = [{ name = "a", run = ["set_period(E, E)"] }])%"},
			 "t.toml:5:44: error: 'set_period' expects an integer, got 'E'\n"},
			{"unclosed argument list", Doc{.cpu = R"%(cpu = [{ name = "a", run = ["sched_out(T"] }])%"},
			 "t.toml:5:41: error: expected ',' or ')' in op 'sched_out(T', got the end\n"
			 "  hint: an op is name or name(arg, ...)\n"},
			{"argument without parentheses", Doc{.cpu = R"%(cpu = [{ name = "a", run = ["sched_out T"] }])%"},
			 "t.toml:5:40: error: expected '(' or the end in op 'sched_out T', got 'T'\n"
			 "  hint: an op is name or name(arg, ...)\n"},
			{"empty op", Doc{.cpu = R"%(cpu = [{ name = "a", run = [""] }])%"},
			 "t.toml:5:30: error: expected an op, got an empty string\n"},
			{"an op that is neither string nor table", Doc{.cpu = R"%(cpu = [{ name = "a", run = [3] }])%"},
			 "t.toml:5:29: error: expected an op (a string or an inline table) in 'run', got an integer\n"},
			{"unknown function in a call",
			 Doc{.cpu = R"%(cpu = [{ name = "a", run = [{ call = "perf_event_update_tme", args = ["E"] }] }])%"},
			 "t.toml:5:38: error: unknown function 'perf_event_update_tme'\n"
			 "  hint: did you mean 'perf_event_update_time'?\n"},
			{"call without 'call'", Doc{.cpu = R"%(cpu = [{ name = "a", run = [{ args = ["E"] }] }])%"},
			 "t.toml:5:29: error: missing 'call' in an inline op table\n"
			 "  hint: a call is an inline table: { call = \"function\", args = [...], locks = [...] }\n"},
			{"call with too few arguments",
			 Doc{.cpu = R"%(cpu = [{ name = "a", run = [{ call = "perf_event_update_time", args = [], locks = ["T.lock"] }] }])%"},
			 "t.toml:5:71: error: 'perf_event_update_time' takes 1 argument (event), got 0\n"},
			{"unknown lock",
			 Doc{.cpu = R"%(cpu = [{ name = "a", run = [{ call = "perf_event_update_time", args = ["E"], locks = ["T.spin"] }] }])%"},
			 "t.toml:5:87: error: unknown lock 'T.spin'\n"
			 "  hint: locks are <context>.lock (ctx->lock), <context>.mutex (ctx->mutex) and <event>.mmap_mutex\n"},
			{"a context's lock named on an event",
			 Doc{.cpu = R"%(cpu = [{ name = "a", run = [{ call = "perf_event_update_time", args = ["E"], locks = ["E.lock"] }] }])%"},
			 "t.toml:5:87: error: expected a context before '.lock', got event 'E'\n"},
			{"bad state", Doc{.setup = "", .tables = setup_tables + R"%(state = "RUNNING")%"},
			 "t.toml:13:9: error: expected a state (OFF, INACTIVE, ACTIVE, ERROR), got 'RUNNING'\n"},
			{"state in lower case", Doc{.setup = "", .tables = setup_tables + R"%(state = "active")%"},
			 "t.toml:13:9: error: expected a state (OFF, INACTIVE, ACTIVE, ERROR), got 'active'\n"
			 "  hint: states are upper case, as in the kernel: 'ACTIVE'\n"},
			{"unknown attr", Doc{.setup = "", .tables = setup_tables + "attr = { exclude_usr = true }"},
			 "t.toml:13:10: error: unknown attr 'exclude_usr'\n  hint: did you mean 'exclude_user'?\n"},
			{"attr of the wrong type", Doc{.setup = "", .tables = setup_tables + R"%(attr = { inherit = "yes" })%"},
			 "t.toml:13:20: error: expected a boolean or an integer for attr 'inherit', got a string\n"},
			{"event in an unknown context",
			 Doc{.setup = R"%(setup = { context = [{ name = "T", task = "T" }], event = [{ name = "E", context = "U" }] })%"},
			 "t.toml:4:84: error: no context named 'U'\n  hint: did you mean 'T'?\n"},
			{"duplicate name across contexts and events",
			 Doc{.setup = "", .tables = setup_tables + "[[setup.event]]\nname = \"T\"\ncontext = \"T\""},
			 "t.toml:14:8: error: duplicate name 'T', already used by the context at line 8\n"},
			{"group leader in another context",
			 Doc{.setup = "", .tables = setup_tables + "[[setup.context]]\nname = \"U\"\ntask = \"U\"\n"
			                                           "[[setup.event]]\nname = \"G\"\ncontext = \"U\"\nleader = \"E\""},
			 "t.toml:19:10: error: group leader 'E' is in context 'T', but event 'G' is in context 'U'\n"
			 "  hint: a group lives in one context\n"},
			{"nested groups",
			 Doc{.setup = "", .tables = setup_tables + "[[setup.event]]\nname = \"G\"\ncontext = \"T\"\nleader = \"E\"\n"
			                                           "[[setup.event]]\nname = \"H\"\ncontext = \"T\"\nleader = \"G\""},
			 "t.toml:20:10: error: group leader 'G' of event 'H' is itself in the group of 'E'\n"
			 "  hint: groups do not nest: name 'E' as the leader\n"},
			{"context with both task and cpu",
			 Doc{.setup = R"%(setup = { context = [{ name = "T", task = "T", cpu = 1 }] })%", .cpu = R"%(cpu = [{ name = "a", run = ["nop"] }])%"},
			 "t.toml:4:22: error: expected either 'task' or 'cpu' in context 'T', got both\n"
			 "  hint: a context belongs to a task (task = \"T\") or to a CPU (cpu = 1)\n"},
			{"context with neither task nor cpu",
			 Doc{.setup = R"%(setup = { context = [{ name = "T" }] })%", .cpu = R"%(cpu = [{ name = "a", run = ["nop"] }])%"},
			 "t.toml:4:22: error: expected either 'task' or 'cpu' in context 'T', got neither\n"
			 "  hint: a context belongs to a task (task = \"T\") or to a CPU (cpu = 1)\n"},
			{"running_on in a CPU context",
			 Doc{.setup = R"%(setup = { context = [{ name = "C", cpu = 1, running_on = 0 }] })%", .cpu = R"%(cpu = [{ name = "a", run = ["nop"] }])%"},
			 "t.toml:4:58: error: 'running_on' applies only to task contexts, and 'C' is a CPU context\n"},
			{"two contexts for one task",
			 Doc{.setup = R"%(setup = { context = [{ name = "T", task = "T" }, { name = "U", task = "T" }] })%", .cpu = R"%(cpu = [{ name = "a", run = ["nop"] }])%"},
			 "t.toml:4:50: error: task 'T' already has a context, 'T' at line 4\n"},
			{"object name that ops cannot spell",
			 Doc{.setup = R"%(setup = { context = [{ name = "my ctx", task = "T" }] })%", .cpu = R"%(cpu = [{ name = "a", run = ["nop"] }])%"},
			 "t.toml:4:31: error: expected a context name of letters, digits and '_', got 'my ctx'\n"
			 "  hint: names appear in ops such as sched_out(T) and in locks such as T.lock\n"},
			{"no lanes", Doc{.cpu = "cpu = []"},
			 "t.toml:5:7: error: expected 1 to 4 [[cpu]] lanes, got none\n"},
			{"more than four lanes",
			 Doc{.cpu = R"%(cpu = [{ name = "a", run = ["nop"] }, { name = "b", run = ["nop"] }, { name = "c", run = ["nop"] }, )%"
			            R"%({ name = "d", run = ["nop"] }, { name = "e", run = ["nop"] }])%"},
			 "t.toml:5:132: error: expected at most 4 [[cpu]] lanes, got 5\n"},
			{"[cpu] instead of [[cpu]]", Doc{.cpu = "", .tables = "[cpu]\nname = \"a\"\nrun = [\"mmap(E)\"]"},
			 "t.toml:7:1: error: expected an array of tables [[cpu]] for 'cpu', got a table\n"},
			{"two lanes in one context on one CPU",
			 Doc{.cpu = R"%(cpu = [{ name = "a", run = ["nop"] }, { name = "b", cpu = 0, run = ["nop"] }])%"},
			 "t.toml:5:39: error: lanes 'a' and 'b' both run in task context on CPU 0\n"
			 "  hint: lanes may share a CPU only if their 'in' differs (task, irq, nmi)\n"},
			{"unknown lane context", Doc{.cpu = R"%(cpu = [{ name = "a", in = "softirq", run = ["nop"] }])%"},
			 "t.toml:5:27: error: expected a context to run in (task, irq, nmi), got 'softirq'\n"},
			{"unknown variant", Doc{.expect = R"%(expect = { upstream = "pass", mmap-ctx-lok = "pass" })%"},
			 "t.toml:6:31: error: unknown variant 'mmap-ctx-lok'\n  hint: did you mean 'mmap-ctx-lock'?\n"},
			{"bad verdict", Doc{.expect = R"%(expect = { upstream = "race-free" })%"},
			 "t.toml:6:23: error: expected a verdict (pass, benign, harmful, incomplete), got 'race-free'\n"},
			{"no verdicts", Doc{.expect = "expect = {}"},
			 "t.toml:6:10: error: expected a verdict for at least one variant in [expect], got none\n"
			 "  hint: as in upstream = \"harmful\"\n"},
			{"unknown search mode", Doc{.tables = "[search]\nmode = \"dfs\""},
			 "t.toml:8:8: error: expected a search mode (exhaustive, bounded, random), got 'dfs'\n"},
			{"unknown key in [search]", Doc{.tables = "[search]\nseeds = 1"},
			 "t.toml:8:1: error: unknown key 'seeds' in [search]\n  hint: did you mean 'seed'?\n"},
			{"errors everywhere are all reported, in file order",
			 Doc{.extra = R"%(invariants = ["no-lost-tim"])%", .cpu = R"%(cpu = [{ name = "a", run = ["mmapp(E)"] }])%",
			     .expect = R"%(expect = { upstream = "race-free" })%"},
			 "t.toml:3:15: error: unknown invariant 'no-lost-tim'\n  hint: did you mean 'no-lost-time'?\n"
			 "t.toml:5:30: error: unknown op 'mmapp'\n  hint: did you mean 'mmap'? `perfmc list --ops` lists every op\n"
			 "t.toml:6:23: error: expected a verdict (pass, benign, harmful, incomplete), got 'race-free'\n"},
		}));
		// clang-format on
		std::string text = doc.text();
		CAPTURE(description, text);
		CHECK(rejection(text) == expected);
	}

	SECTION("rejected: a file's name must match its scenario's, and must be readable")
	{
		std::string path = data_dir + "wrong-stem.toml";
		CHECK_THROWS_WITH(load_scenario_file(path, test_registry()),
		                  path + ":2:11: error: expected name = \"wrong-stem\" to match the file name, got 'mmap-vs-sched_in'\n"
		                         "  hint: `perfmc run NAME` finds a scenario by its file name\n");
		// The same text parsed without a file has no stem to match.
		CHECK(parse_scenario(read_file(path), "wrong-stem.toml", test_registry()).name == "mmap-vs-sched_in");
		std::string missing = data_dir + "nosuch.toml";
		CHECK_THROWS_WITH(load_scenario_file(missing, test_registry()),
		                  missing + ": error: cannot read the scenario file: No such file or directory\n");
	}
}

// A second model with its own ops and variants, as model/legacy offers one: `model = "..."`
// picks the registry the whole file is checked against.
TEST_CASE("a scenario's model key chooses the registry its ops and variants are checked against", "[scenario]")
{
	Registry legacy;
	legacy.name = "legacy";
	legacy.ops = {{"sync_stat", {{"ctx", ArgKind::Context}}, "2.6.32: __perf_event_sync_stat()"},
		      {"nop", {}, "nothing"}};
	legacy.variants = {"as-is", "fixed"};
	legacy.invariants = {"no-lost-time"};
	const std::vector<Registry> both = {test_registry(), legacy};
	auto reject = [&both](const std::string &text) {
		try {
			parse_scenario(text, "t.toml", both);
		} catch (const InputError &e) {
			return e.str();
		}
		return std::string("accepted");
	};

	SECTION("no model key: the first registry")
	{
		Scenario s = parse_scenario(Doc{}.text(), "t.toml", both);
		CHECK(s.model == "perf");
		CHECK(s.invariants == test_registry().invariants);
	}
	SECTION("model = \"legacy\": its ops, variants and invariants, and the first model's are unknown")
	{
		Doc doc{.extra = R"%(model = "legacy")%", .cpu = R"%(cpu = [{ name = "a", run = ["sync_stat(T)"] }])%",
			.expect = R"%(expect = { fixed = "pass" })%"};
		Scenario s = parse_scenario(doc.text(), "t.toml", both);
		CHECK(s.model == "legacy");
		CHECK(s.invariants == std::vector<std::string>{"no-lost-time"});
		REQUIRE(s.lanes[0].ops.size() == 1);
		CHECK(s.lanes[0].ops[0].summary == "2.6.32: __perf_event_sync_stat()");
		Doc perf_op{.extra = R"%(model = "legacy")%", .expect = R"%(expect = { upstream = "pass" })%"};
		CHECK(reject(perf_op.text()) ==
		      "t.toml:5:30: error: unknown op 'mmap'\n  hint: `perfmc list --ops` lists every op\n"
		      "t.toml:6:12: error: unknown variant 'upstream'\n  hint: variants: as-is, fixed\n");
	}
	SECTION("an unknown model is an error with a hint")
	{
		CHECK(reject(Doc{.extra = R"%(model = "legcy")%"}.text()) ==
		      "t.toml:3:9: error: unknown model 'legcy'\n  hint: did you mean 'legacy'?\n");
	}
	SECTION("setup ops are resolved like lane ops, and a bad one is reported inside its string")
	{
		Doc doc{.setup = R"%(setup = { context = [{ name = "T", task = "T" }], event = [{ name = "E", context = "T" }], ops = ["mmap(E)", "read(T)"] })%"};
		CHECK(reject(doc.text()) == "t.toml:4:116: error: 'read' expects an event, got context 'T'\n");
		Doc good{.setup = R"%(setup = { context = [{ name = "T", task = "T" }], event = [{ name = "E", context = "T" }], ops = ["mmap(E)"] })%"};
		Scenario s = parse_scenario(good.text(), "t.toml", both);
		REQUIRE(s.setup_ops.size() == 1);
		CHECK(s.setup_ops[0].name == "mmap");
		CHECK(s.setup_ops[0].args[0].index == 0);
	}
}
