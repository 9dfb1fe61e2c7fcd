// The plan of a scenario built from a report's paths (checker/kcsan/synth.h): which op each access's
// kernel entry becomes, on which CPU and in which context, the setup the ops need, and the frames
// the model lacks. Running it is checked in tests/cli (it needs the model).
#include "support.h"

#include "checker/kcsan/synth.h"

using namespace perfmc::kcsan;
using namespace perfmc::kcsan::test;

namespace {

Report first_report(const std::string &file)
{
	ParseResult parsed = parse_all(data_file(file), file);
	REQUIRE_FALSE(parsed.reports.empty());
	return parsed.reports.front();
}

}  // namespace

TEST_CASE("the model's frames are generated from its sources, the functions the model ports",
	  "[kcsan][synthesis]")
{
	CHECK(model_ports("perf_mmap_rb"));
	CHECK(model_ports("event_sched_out"));
	CHECK(model_ports("event_sched_out.isra.0"));  // GCC's clone suffix
	CHECK(model_ports("perf_event_update_userpage"));
	CHECK_FALSE(model_ports("find_get_context"));
	CHECK(model_ports("cpu_clock_event_add"));  // the software clocks (issue 15)
	CHECK_FALSE(model_ports("perf_swevent_event"));
	CHECK(std::is_sorted(model_frames().begin(), model_frames().end()));
	CHECK(model_frames().size() > 100);
}

TEST_CASE("the seed report becomes mmap() on the report's cpu 1 against the task's switch-out on cpu 0",
	  "[kcsan][synthesis]")
{
	Report report = first_report("syzbot-perf_event_set_state-perf_mmap_rb.txt");
	Paths paths = entry_paths(report);
	Synthesis plan = plan_scenario(report, paths);
	CHECK(plan.runnable);
	CHECK(plan.missing.empty());
	REQUIRE(plan.lanes.size() == 2);
	CHECK(plan.lanes[0].op == "mmap(E)");
	CHECK(plan.lanes[0].cpu == 1);
	CHECK(plan.lanes[0].in == "task");
	CHECK(plan.lanes[1].op == "sched_out(T)");
	CHECK(plan.lanes[1].cpu == 0);
	CHECK(plan.task_cpu == 0);
	CHECK(plan.state == "ACTIVE");
	CHECK_FALSE(plan.mapped);  // the mmap() lane maps it
	std::string text = scenario_toml(report, paths, plan, {{"upstream", "harmful"}, {"mmap-ctx-lock", "benign"}});
	CHECK(text.find("name = \"kcsan-perf_event_set_state-vs-perf_mmap_rb\"\n") != std::string::npos);
	CHECK(text.find("covers = [\"perf_event_set_state / perf_mmap_rb\"]") != std::string::npos);
	CHECK(text.find("running_on = 0\n") != std::string::npos);
	CHECK(text.find("cpu  = 1\nrun  = [\"mmap(E)\"]") != std::string::npos);
	CHECK(text.find("cpu  = 0\nrun  = [\"sched_out(T)\"]") != std::string::npos);
	CHECK(text.find("[expect]\nupstream = \"harmful\"\nmmap-ctx-lock = \"benign\"\n") != std::string::npos);
}

TEST_CASE("an NMI that interrupted irq_work on one CPU becomes an nmi lane and an irq lane on one CPU, with the "
	  "buffer the irq_work's wakeup needs",
	  "[kcsan][synthesis]")
{
	Report report = first_report("corpus/lkml-perf-overflow-vs-pending_irq-2022.eml");
	Paths paths = entry_paths(report);
	REQUIRE(paths.same_cpu);
	Synthesis plan = plan_scenario(report, paths);
	CHECK(plan.runnable);
	REQUIRE(plan.lanes.size() == 2);
	CHECK(plan.lanes[0].in == "nmi");
	CHECK(plan.lanes[1].in == "irq");
	CHECK(plan.lanes[0].cpu == 0);
	CHECK(plan.lanes[1].cpu == 0);
	CHECK(plan.task_cpu == 0);
	CHECK(plan.mapped);
	CHECK(plan.setup_ops == std::vector<std::string>{"overflow(E)", "tick()"});
	CHECK(plan.attrs == std::vector<std::string>{"watermark = 1", "wakeup_watermark = 48"});
	/* the NMI only queues its irq_work; the self-IPI after the NMI returns runs it */
	CHECK(plan.lanes[0].op == "overflow(E); pending_irq(0)");
	CHECK(plan.lanes[1].op == "overflow(E)");
	std::string text = scenario_toml(report, paths, plan, {});
	CHECK(text.find("in   = \"nmi\"\nrun  = [\"overflow(E)\", \"pending_irq(0)\"]\n") != std::string::npos);
}

TEST_CASE("ioctl(PERF_EVENT_IOC_REFRESH) becomes refresh(E, 1), and an overflow NMI is followed by its self-IPI",
	  "[kcsan][synthesis]")
{
	Report report = first_report("lifecycle/refresh.txt");
	Paths paths = entry_paths(report);
	Synthesis plan = plan_scenario(report, paths);
	CHECK(plan.runnable);
	CHECK(plan.missing.empty());
	REQUIRE(plan.lanes.size() == 2);
	CHECK(plan.lanes[0].op == "refresh(E, 1)");
	CHECK(plan.lanes[0].in == "task");
	CHECK(plan.lanes[1].op == "overflow(E); pending_irq(0)");
	CHECK(plan.lanes[1].in == "nmi");
	CHECK(plan.task_cpu == 0);
}

TEST_CASE("a path the model has no op for is named with its innermost unported frame, and its lane is a TODO",
	  "[kcsan][synthesis]")
{
	Report report = first_report("corpus/tip-perf-pin_count.eml");
	Paths paths = entry_paths(report);
	Synthesis plan = plan_scenario(report, paths);
	CHECK_FALSE(plan.runnable);
	CHECK(plan.lanes.empty());
	REQUIRE(plan.missing.size() >= 2);
	CHECK(plan.missing[0].text() == "find_get_context() in stack 1");
	std::string text = scenario_toml(report, paths, plan);
	CHECK(text.find("# TODO access 1: perf_event_open(): the model has no op for this path yet\n# [[cpu]]\n") !=
	      std::string::npos);
	CHECK(text.find("upstream = \"incomplete\"") != std::string::npos);
}

TEST_CASE("a stack that stops at a function the model ports names its missing kernel entry, not the function",
	  "[kcsan][synthesis]")
{
	Report report = first_report("assert.txt");
	Paths paths = entry_paths(report);
	Synthesis plan = plan_scenario(report, paths);
	CHECK_FALSE(plan.runnable);
	bool entry = false;
	for (const MissingFrame &m : plan.missing)
		if (m.entry_unknown) {
			entry = true;
			CHECK(m.text() == "the kernel entry of stack 2 (it ends at event_sched_out())");
		}
	CHECK(entry);
}

TEST_CASE("an access in a cross-CPU call becomes the syscall that sends it, on a CPU of its own, with the task on "
	  "the access's CPU",
	  "[kcsan][synthesis]")
{
	Report report = first_report("ipi.txt");
	Paths paths = entry_paths(report);
	REQUIRE(paths.accesses.size() == 2);
	CHECK(paths.accesses[1].kind == "ipi");
	Synthesis plan = plan_scenario(report, paths);
	CHECK(plan.runnable);
	REQUIRE(plan.lanes.size() == 2);
	CHECK(plan.lanes[0].op == "mmap(E)");
	CHECK(plan.lanes[0].cpu == 1);
	CHECK(plan.lanes[1].op == "read(E)");
	CHECK(plan.lanes[1].cpu == 2);  // neither the report's cpu 0 (the IPI's target) nor cpu 1
	CHECK(plan.lanes[1].in == "task");
	CHECK(plan.task_cpu == 0);
	CHECK(plan.state == "ACTIVE");
}

// The rows of the issue-15 ops (exec, fork, exit, rotate, read_group, read_local, install, remove),
// each from a hand-written report whose stacks run the kernel's entry into the op
// (tests/kcsan/data/lifecycle/README.md): the op, its CPU and context, the setup it needs, and no
// frame missing (every perf frame of the stacks is one the model ports).
namespace {

struct RowCase {
	std::string file;
	size_t report = 0;      // which report of the file
	std::string kind;       // the path kind of the lane under test (access 2)
	std::string op;         // its op
	int cpu = 0;
	std::string in;         // task, irq or nmi
	int task_cpu = 0;       // where T runs at the start (-1: switched out)
	std::string state;      // E's
	std::vector<std::string> attrs;
	std::string context;    // another task context
	OtherEvent other = OtherEvent::None;
	std::string other_lane; // the other access's op
};

}  // namespace

TEST_CASE("the issue-15 ops' rows map a report's exec, fork, exit, rotation, group read, local read, install and remove "
	  "paths to their ops, with the setup each needs",
	  "[kcsan][synthesis]")
{
	const std::vector<RowCase> cases = {
		{"lifecycle/exec.txt", 0, "exec", "exec(T)", 0, "task", 0, "OFF", {"enable_on_exec = true"}, "", OtherEvent::None, "mmap(E)"},
		{"lifecycle/exit.txt", 0, "exit", "exit(T)", 0, "task", 0, "ACTIVE", {}, "", OtherEvent::None, "mmap(E)"},
		{"lifecycle/rotate.txt", 0, "hrtimer", "rotate", 0, "irq", 0, "INACTIVE", {"exclusive = true"}, "", OtherEvent::Competitor, "mmap(E)"},
		{"lifecycle/read_local.txt", 0, "read_local", "read_local(E)", 0, "task", 0, "ACTIVE", {}, "", OtherEvent::None, "mmap(E)"},
		// the IPI's lane is the syscall that sends it, on a CPU of neither access
		{"lifecycle/install.txt", 0, "ipi", "install(E)", 2, "task", 0, "INACTIVE", {"open_later = true"}, "", OtherEvent::None, "mmap(E)"},
		// perf_event_open() with T switched out: __perf_install_in_context() runs in the syscall
		{"lifecycle/install.txt", 1, "perf_event_open", "install(E)", 0, "task", -1, "INACTIVE", {"open_later = true"}, "", OtherEvent::None, "mmap(E)"},
		{"lifecycle/remove.txt", 0, "ipi", "remove(E)", 2, "task", 0, "ACTIVE", {}, "", OtherEvent::None, "mmap(E)"},
		{"lifecycle/remove.txt", 1, "perf_event_open", "remove(E)", 0, "task", 2, "ACTIVE", {}, "", OtherEvent::None, "mmap(E)"},
	};
	for (const RowCase &c : cases) {
		CAPTURE(c.file, c.report);
		ParseResult parsed = parse_all(data_file(c.file), c.file);
		REQUIRE(parsed.errors.empty());
		REQUIRE(parsed.reports.size() > c.report);
		const Report &report = parsed.reports[c.report];
		Paths paths = entry_paths(report);
		REQUIRE(paths.accesses.size() == 2);
		CHECK(paths.accesses[1].kind == c.kind);
		Synthesis plan = plan_scenario(report, paths);
		CHECK(plan.runnable);
		CHECK(plan.missing.empty());
		REQUIRE(plan.lanes.size() == 2);
		CHECK(plan.lanes[0].op == c.other_lane);
		CHECK(plan.lanes[0].cpu == 1);
		CHECK(plan.lanes[1].op == c.op);
		CHECK(plan.lanes[1].cpu == c.cpu);
		CHECK(plan.lanes[1].in == c.in);
		CHECK(plan.task_cpu == c.task_cpu);
		CHECK(plan.state == c.state);
		CHECK(plan.attrs == c.attrs);
		CHECK(plan.context == c.context);
		CHECK(plan.other == c.other);
	}
}

TEST_CASE("fork: the child context is declared and the disable IPI that interrupted the fork is sent from another "
	  "CPU, with T forking on the report's CPU",
	  "[kcsan][synthesis]")
{
	Report report = first_report("lifecycle/fork.txt");
	Paths paths = entry_paths(report);
	REQUIRE(paths.accesses.size() == 2);
	CHECK(paths.same_cpu);
	CHECK(paths.accesses[0].kind == "fork");
	CHECK(paths.accesses[1].kind == "ipi");
	Synthesis plan = plan_scenario(report, paths);
	CHECK(plan.runnable);
	CHECK(plan.missing.empty());
	REQUIRE(plan.lanes.size() == 2);
	CHECK(plan.lanes[0].op == "fork(T, C)");
	CHECK(plan.lanes[0].cpu == 0);
	CHECK(plan.lanes[1].op == "disable(E)");
	CHECK(plan.lanes[1].cpu == 1);
	CHECK(plan.task_cpu == 0);
	CHECK(plan.state == "ACTIVE");
	CHECK(plan.context == "C");
	CHECK(plan.attrs == std::vector<std::string>{"inherit = true"});
	std::string text = scenario_toml(report, paths, plan);
	CHECK(text.find("[[setup.context]]\nname = \"C\"\ntask = \"C\"\n") != std::string::npos);
	CHECK(text.find("run  = [\"fork(T, C)\"]") != std::string::npos);
}

TEST_CASE("a group read of a PERF_FORMAT_GROUP leader gets a group member in the leader's state, and a rotation a "
	  "competitor declared before the event",
	  "[kcsan][synthesis]")
{
	{
		Report report = first_report("lifecycle/read_group.txt");
		Paths paths = entry_paths(report);
		Synthesis plan = plan_scenario(report, paths);
		CHECK(plan.runnable);
		CHECK(plan.missing.empty());
		REQUIRE(plan.lanes.size() == 2);
		CHECK(plan.lanes[0].op == "read_group(E)");
		CHECK(plan.lanes[0].cpu == 1);
		CHECK(plan.lanes[1].op == "sched_out(T)");
		CHECK(plan.other == OtherEvent::Member);
		std::string text = scenario_toml(report, paths, plan);
		CHECK(text.find("attr = { read_format_group = true }\n\n[[setup.event]]\nname = \"S\"\ncontext = \"T\"\n"
				"state = \"ACTIVE\"\nleader = \"E\"\n") != std::string::npos);
	}
	{
		Report report = first_report("lifecycle/rotate.txt");
		Paths paths = entry_paths(report);
		Synthesis plan = plan_scenario(report, paths);
		std::string text = scenario_toml(report, paths, plan);
		size_t a = text.find("[[setup.event]]\nname = \"A\"\ncontext = \"T\"\nstate = \"ACTIVE\"\n");
		size_t e = text.find("[[setup.event]]\nname = \"E\"\ncontext = \"T\"\nstate = \"INACTIVE\"\n");
		REQUIRE(a != std::string::npos);
		REQUIRE(e != std::string::npos);
		CHECK(a < e);  // A is scheduled first and holds the PMU, so E (exclusive) waits and the groups rotate
		CHECK(text.find("in   = \"irq\"\nrun  = [\"rotate\"]") != std::string::npos);
	}
}
