// A report's scope (issue 16 item 1) and its two kernel paths (the groundwork of items 3 and 4): the
// subsystem from the racing access's file or, without files, its name; each access's entry point,
// context, what it interrupted and the locks its frames hold; one CPU or two.
#include "support.h"

#include "checker/kcsan/paths.h"
#include "checker/kcsan/scope.h"

using namespace perfmc::kcsan;
using namespace perfmc::kcsan::test;

namespace {

std::vector<std::string> lock_names(const AccessPath &p, bool waiting)
{
	std::vector<std::string> out;
	for (const HeldLock &l : p.locks)
		if (l.waiting == waiting)
			out.push_back(l.lock);
	return out;
}

}  // namespace

TEST_CASE("a path names its subsystem; generic code is looked through", "[kcsan][scope]")
{
	CHECK(subsystem_of_path("kernel/events/core.c") == "perf");
	CHECK(subsystem_of_path("kernel/events/ring_buffer.c") == "perf");
	CHECK(subsystem_of_path("arch/x86/events/intel/core.c") == "perf");
	CHECK(subsystem_of_path("drivers/perf/arm_pmu.c") == "perf");
	CHECK(subsystem_of_path("include/linux/perf_event.h") == "perf");
	CHECK(subsystem_of_path("io_uring/io_uring.c") == "io_uring");
	CHECK(subsystem_of_path("fs/io_uring.c") == "io_uring");
	CHECK(subsystem_of_path("fs/ext4/inode.c") == "ext4");
	CHECK(subsystem_of_path("fs/namei.c") == "vfs");
	CHECK(subsystem_of_path("mm/memcontrol.c") == "mm");
	CHECK(subsystem_of_path("net/ipv4/tcp.c") == "net");
	CHECK(subsystem_of_path("kernel/sched/core.c") == "sched");
	CHECK(subsystem_of_path("include/linux/compiler.h").empty());
	CHECK(subsystem_of_path("lib/find_bit.c").empty());
	CHECK(subsystem_of_path("arch/x86/include/asm/atomic.h").empty());
}

TEST_CASE("a report is perf's when an access lies in perf; else it is named by its subsystem", "[kcsan][scope]")
{
	SECTION("the seed: both accesses in kernel/events/core.c")
	{
		Scope s = classify(parse_one(seed_report()));
		CHECK(s.perf);
		CHECK(s.subsystem == "perf");
		CHECK(s.summary.find("kernel/events/core.c") != std::string::npos);
	}
	SECTION("TCP: not perf, named net, though both stacks pass through generic code")
	{
		Scope s = classify(parse_one(data_file("net.txt")));
		CHECK_FALSE(s.perf);
		CHECK(s.subsystem == "net");
		CHECK(s.summary.starts_with("not perf: net"));
	}
	SECTION("a stack without files: the racing function's name decides")
	{
		Report r = parse_one(data_file("old_2019.txt"));
		Scope s = classify(r);
		CHECK(s.perf);
		CHECK(s.accesses[0].from_names);
	}
	SECTION("a perf function only the model knows counts too")
	{
		Report r = parse_one(data_file("net.txt"));
		r.accesses[0].stack[0] = Frame{"my_model_function", "", "", 0, false, ""};
		CHECK_FALSE(classify(r).accesses[0].subsystem == "perf");
		Report unnamed = r;
		for (Access &a : unnamed.accesses)
			for (Frame &f : a.stack)
				f.file.clear();
		CHECK(classify(unnamed, {"my_model_function"}).perf);
	}
}

TEST_CASE("the seed's paths: mmap() under mmap_mutex against a task switch-out under ctx->lock, on two CPUs",
	  "[kcsan][paths]")
{
	Report r = parse_one(seed_report());
	Paths p = entry_paths(r);
	REQUIRE(p.accesses.size() == 2);
	CHECK_FALSE(p.same_cpu);
	CHECK(p.relation == "two CPUs (1 and 0)");

	const AccessPath &mmap = p.accesses[0];
	CHECK(mmap.kind == "mmap");
	CHECK(mmap.model_op == "mmap");
	CHECK(mmap.context == Context::Task);
	CHECK(mmap.outer == "syscall mmap");
	CHECK(mmap.frames == std::vector<std::string>{"perf_mmap", "perf_mmap_rb", "perf_event_update_time"});
	CHECK(lock_names(mmap, false) == std::vector<std::string>{"mm->mmap_lock", "event->mmap_mutex"});
	CHECK(describe_locks(mmap) == "mm->mmap_lock (vm_mmap_pgoff), event->mmap_mutex (perf_mmap)");

	const AccessPath &out = p.accesses[1];
	CHECK(out.kind == "sched-out");
	CHECK(out.model_op == "sched_out");
	CHECK(out.outer == "syscall pselect6");
	CHECK(out.frames.front() == "perf_event_context_sched_out");
	CHECK(lock_names(out, false) == std::vector<std::string>{"rq->__lock", "ctx->lock"});
	// perf_poll() is blocked taking event->mmap_mutex: the reason it was switched out
	CHECK(lock_names(out, true) == std::vector<std::string>{"event->mmap_mutex"});
	CHECK(describe_path(r, out).starts_with("read by task 12005 on cpu 0: task switch-out (syscall pselect6): "));
}

TEST_CASE("an NMI that interrupted the irq_work whose access KCSAN watched: both on one CPU", "[kcsan][paths]")
{
	std::vector<Report> reports =
		parse_reports(data_file("corpus/lkml-perf-overflow-vs-pending_irq-2022.eml"), "overflow.eml");
	REQUIRE(reports.size() == 1);
	Paths p = entry_paths(reports[0]);
	CHECK(p.same_cpu);
	CHECK(p.relation.starts_with("one CPU (0): the NMI of access 1 interrupted access 2"));
	const AccessPath &nmi = p.accesses[0];
	CHECK(nmi.kind == "pmu-nmi");
	CHECK(nmi.context == Context::Nmi);
	CHECK(nmi.interrupted == std::vector<std::string>{"hardirq (irq_work)", "softirq (timers)", "hardirq (timer)",
							  "syscall clone3"});
	CHECK(describe_locks(nmi) == "no lock the frames show, in NMI");
	const AccessPath &work = p.accesses[1];
	CHECK(work.kind == "irq_work");
	CHECK(work.context == Context::Hardirq);
	CHECK(work.frames == std::vector<std::string>{"perf_pending_irq", "perf_event_wakeup"});
	REQUIRE(work.segments.size() == 4);
	CHECK(work.segments.back().entry == "hardirq (irq_work)");
}

TEST_CASE("other entries: an hrtimer interrupt, an ioctl's op, a kernel thread, a title-less report's syscalls",
	  "[kcsan][paths]")
{
	SECTION("an hrtimer-driven software event against PERF_EVENT_IOC_PERIOD")
	{
		Paths p = entry_paths(parse_one(data_file("interrupt.txt")));
		CHECK(p.accesses[0].kind == "ioctl");
		CHECK(p.accesses[0].outer == "syscall ioctl");
		CHECK(p.accesses[1].kind == "hrtimer");
		CHECK(p.accesses[1].context == Context::Hardirq);
		CHECK(p.relation == "two CPUs (1 and 0)");
	}
	SECTION("ENABLE through perf_ioctl(): the model's op is \"enable\"")
	{
		Report r = parse_one(data_file("interrupt.txt"));
		r.accesses[0].stack.insert(r.accesses[0].stack.begin(),
					   Frame{"_perf_event_enable", "", "kernel/events/core.c", 3187, true, ""});
		CHECK(entry_paths(r).accesses[0].model_op == "enable");
	}
	SECTION("a workqueue's kernel thread and a syscall, outside perf")
	{
		std::vector<Report> rs = parse_reports(data_file("corpus/stable-rcu-kvfree-snip.eml"), "rcu.eml");
		Paths p = entry_paths(rs[0]);
		CHECK(p.accesses[0].outer == "syscall bpf");
		CHECK(p.accesses[1].kind == "kernel-thread");
		CHECK(p.accesses[1].outer == "kernel thread (workqueue)");
	}
	SECTION("the pin_count fix's report, quoted without its title: perf_event_open() twice")
	{
		Paths p = entry_paths(parse_one(data_file("corpus/tip-perf-pin_count.eml")));
		CHECK(p.accesses[0].kind == "perf_event_open");
		CHECK(p.accesses[1].kind == "perf_event_open");
	}
}
