// Which subsystem a report belongs to: path prefixes first, function names when there are no paths.
#include "checker/kcsan/scope.h"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

#include "checker/kcsan/fields.h"

namespace perfmc::kcsan {

namespace {

struct PathRule {
	std::string_view prefix;
	std::string_view subsystem;
};

// Longest prefix wins; order does not matter. Generic paths map to "" and are looked through.
constexpr PathRule path_rules[] = {
	{"kernel/events/", "perf"},
	{"drivers/perf/", "perf"},
	{"include/linux/perf_event.h", "perf"},
	{"include/linux/perf/", "perf"},
	{"include/uapi/linux/perf_event.h", "perf"},
	{"io_uring/", "io_uring"},
	{"fs/io_uring.c", "io_uring"},
	{"fs/io-wq.c", "io_uring"},
	{"include/linux/io_uring", "io_uring"},
	{"fs/ext4/", "ext4"},
	{"fs/btrfs/", "btrfs"},
	{"fs/xfs/", "xfs"},
	{"fs/f2fs/", "f2fs"},
	{"fs/nfs/", "nfs"},
	{"fs/9p/", "9p"},
	{"fs/fuse/", "fuse"},
	{"fs/notify/", "fsnotify"},
	{"fs/proc/", "procfs"},
	{"fs/", "vfs"},
	{"include/linux/fs.h", "vfs"},
	{"include/linux/dcache.h", "vfs"},
	{"mm/", "mm"},
	{"include/linux/mm", "mm"},
	{"include/linux/memcontrol.h", "mm"},
	{"include/linux/slab.h", "mm"},
	{"net/", "net"},
	{"include/net/", "net"},
	{"include/linux/skbuff.h", "net"},
	{"include/linux/netdevice.h", "net"},
	{"drivers/net/", "net (drivers)"},
	{"kernel/sched/", "sched"},
	{"include/linux/sched", "sched"},
	{"kernel/rcu/", "rcu"},
	{"include/linux/rculist", "rcu"},
	{"kernel/time/", "time"},
	{"include/linux/hrtimer.h", "time"},
	{"kernel/locking/", "locking"},
	{"include/linux/spinlock", "locking"},
	{"include/linux/mutex.h", "locking"},
	{"kernel/bpf/", "bpf"},
	{"kernel/trace/", "tracing"},
	{"kernel/irq/", "irq"},
	{"kernel/irq_work.c", "irq_work"},
	{"kernel/printk/", "printk"},
	{"kernel/cgroup/", "cgroup"},
	{"kernel/kcsan/", "kcsan"},
	{"kernel/stop_machine.c", "stop_machine"},
	{"kernel/workqueue.c", "workqueue"},
	{"kernel/", "kernel"},
	{"block/", "block"},
	{"ipc/", "ipc"},
	{"security/", "security"},
	{"crypto/", "crypto"},
	{"sound/", "sound"},
	{"virt/kvm/", "kvm"},
	{"arch/x86/kvm/", "kvm"},
	{"arch/x86/mm/", "mm (x86)"},
	{"lib/debugobjects.c", "debugobjects"},
	// generic: look further out
	{"include/", ""},
	{"lib/", ""},
	{"arch/", ""},
	{"drivers/", ""},
};

// Without file names: what a function's name says (the commonest prefixes of the subsystems above).
struct NameRule {
	std::string_view prefix;
	std::string_view subsystem;
};
constexpr NameRule name_rules[] = {
	{"perf_", "perf"}, {"__perf_", "perf"}, {"x86_pmu_", "perf"}, {"intel_pmu_", "perf"}, {"amd_pmu_", "perf"},
	{"armpmu_", "perf"}, {"armv8pmu_", "perf"},
	{"io_uring", "io_uring"}, {"io_wq", "io_uring"}, {"__io_uring", "io_uring"},
	{"ext4_", "ext4"}, {"btrfs_", "btrfs"}, {"xfs_", "xfs"},
	{"tcp_", "net"}, {"udp_", "net"}, {"ip_", "net"}, {"inet_", "net"}, {"sock_", "net"}, {"sk_", "net"},
	{"skb_", "net"}, {"__skb_", "net"}, {"netlink_", "net"}, {"dev_", "net"}, {"napi_", "net"}, {"e1000_", "net (drivers)"},
	{"rcu_", "rcu"}, {"__rcu_", "rcu"}, {"tick_", "time"}, {"hrtimer_", "time"}, {"__hrtimer_", "time"},
	{"timer_", "time"}, {"__mod_timer", "time"}, {"del_timer", "time"}, {"tmigr_", "time"}, {"__tmigr_", "time"},
	{"mutex_", "locking"}, {"__mutex_", "locking"}, {"osq_", "locking"}, {"queued_spin", "locking"},
	{"do_raw_", "locking"}, {"_raw_spin", "locking"}, {"rwsem_", "locking"},
	{"kmem_cache", "mm"}, {"__alloc_pages", "mm"}, {"get_page_from_freelist", "mm"}, {"__change_page_attr", "mm (x86)"},
	{"drain_", "mm"}, {"obj_stock", "mm"}, {"sync_rcu", "rcu"}, {"wait_rcu", "rcu"},
	{"debug_object", "debugobjects"}, {"__debug_object", "debugobjects"}, {"fill_pool", "debugobjects"},
	{"intel_pstate", "cpufreq"}, {"cpufreq_", "cpufreq"},
	{"multi_cpu_stop", "stop_machine"}, {"cpu_stopper", "stop_machine"},
	{"__schedule", "sched"}, {"dequeue_", "sched"}, {"enqueue_", "sched"}, {"finish_task", "sched"},
};

std::string from_path(const std::string &file, bool &generic)
{
	const PathRule *best = nullptr;
	for (const PathRule &rule : path_rules)
		if (file.starts_with(rule.prefix) && (!best || rule.prefix.size() > best->prefix.size()))
			best = &rule;
	// the PMU drivers: arch/<arch>/events/
	if (file.starts_with("arch/")) {
		size_t slash = file.find('/', 5);
		if (slash != std::string::npos && file.compare(slash, 8, "/events/") == 0)
			return generic = false, "perf";
	}
	generic = !best || best->subsystem.empty();
	return best ? std::string(best->subsystem) : "";
}

std::string from_name(const std::string &function, const std::vector<std::string> &perf_functions)
{
	std::string base = base_function(function);
	if (find_function(base) || std::find(perf_functions.begin(), perf_functions.end(), base) != perf_functions.end())
		return "perf";
	const NameRule *best = nullptr;
	for (const NameRule &rule : name_rules)
		if (base.starts_with(rule.prefix) && (!best || rule.prefix.size() > best->prefix.size()))
			best = &rule;
	return best ? std::string(best->subsystem) : "";
}

// The subsystem of the racing access: the first frame, innermost out, whose file is not generic
// code; in a stack without files, the first of the innermost few frames whose name tells.
AccessScope access_scope(const Access &access, const std::vector<std::string> &perf_functions)
{
	AccessScope scope;
	int named = 0;
	for (const Frame &frame : access.stack) {
		if (!frame.file.empty()) {
			bool generic = false;
			std::string subsystem = from_path(frame.file, generic);
			if (!generic) {
				scope.subsystem = subsystem;
				scope.function = frame.function;
				scope.file = frame.file;
				scope.evidence = fmt::format("{}() in {}", frame.function, frame.file);
				return scope;
			}
			continue;
		}
		if (named++ == 3)
			break;
		std::string subsystem = from_name(frame.function, perf_functions);
		if (!subsystem.empty()) {
			scope.subsystem = subsystem;
			scope.function = frame.function;
			scope.from_names = true;
			scope.evidence = fmt::format("{}() (by its name; the stack carries no file)", frame.function);
			return scope;
		}
	}
	return scope;
}

}  // namespace

std::string subsystem_of_path(const std::string &file)
{
	bool generic = false;
	std::string subsystem = from_path(file, generic);
	return generic ? "" : subsystem;
}

Scope classify(const Report &report, const std::vector<std::string> &perf_functions)
{
	Scope scope;
	for (const Access &access : report.accesses)
		scope.accesses.push_back(access_scope(access, perf_functions));
	for (const AccessScope &a : scope.accesses)
		if (a.subsystem == "perf")
			scope.perf = true;
	if (scope.perf) {
		scope.subsystem = "perf";
		// "f() and g() in kernel/events/core.c": the functions grouped by their file
		std::vector<std::pair<std::string, std::vector<std::string>>> files;
		for (const AccessScope &a : scope.accesses) {
			if (a.subsystem != "perf")
				continue;
			std::string where = a.from_names ? "by their names: the stack carries no file" : "in " + a.file;
			std::string function = a.function + "()";
			auto it = std::find_if(files.begin(), files.end(), [&](const auto &f) { return f.first == where; });
			if (it == files.end())
				files.push_back({where, {function}});
			else if (std::find(it->second.begin(), it->second.end(), function) == it->second.end())
				it->second.push_back(function);
		}
		std::vector<std::string> where;
		for (const auto &[file, functions] : files)
			where.push_back(fmt::format("{} {}", fmt::join(functions, " and "), file));
		scope.summary = fmt::format("perf ({})", fmt::join(where, "; "));
		return scope;
	}
	std::vector<std::string> subsystems;
	for (const AccessScope &a : scope.accesses)
		if (!a.subsystem.empty() && std::find(subsystems.begin(), subsystems.end(), a.subsystem) == subsystems.end())
			subsystems.push_back(a.subsystem);
	scope.subsystem = subsystems.empty() ? "" : subsystems.front();
	if (subsystems.empty())
		scope.summary = "not perf: no frame is perf's (and none names a subsystem perfmc knows)";
	else
		scope.summary = fmt::format("not perf: {}, {}", fmt::join(subsystems, " / "),
					    scope.accesses.front().evidence.empty() ? scope.accesses.back().evidence
										    : scope.accesses.front().evidence);
	return scope;
}

}  // namespace perfmc::kcsan
