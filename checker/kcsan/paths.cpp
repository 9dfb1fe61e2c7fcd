// Kernel paths from a report's stacks: contexts from the interrupt-entry frames, the perf entry
// point (hook) of the access's own context, locks from the frames that take them.
#include "checker/kcsan/paths.h"

#include <algorithm>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "checker/kcsan/fields.h"

namespace perfmc::kcsan {

namespace {

bool starts_with_any(std::string_view s, std::initializer_list<std::string_view> prefixes)
{
	for (std::string_view p : prefixes)
		if (s.starts_with(p))
			return true;
	return false;
}

bool is_any(std::string_view s, std::initializer_list<std::string_view> names)
{
	for (std::string_view n : names)
		if (s == n)
			return true;
	return false;
}

// The frames that begin a new context, going inward.
std::optional<Context> boundary(const std::string &function)
{
	std::string f = base_function(function);
	if (is_any(f, {"asm_exc_nmi", "exc_nmi", "end_repeat_nmi", "repeat_nmi", "first_nmi", "nmi_handle", "default_do_nmi",
		       "do_nmi", "el1_nmi", "arm64_enter_nmi"}))
		return Context::Nmi;
	if (starts_with_any(f, {"asm_sysvec_", "sysvec_", "__sysvec_"}) ||
	    is_any(f, {"asm_common_interrupt", "common_interrupt", "apic_timer_interrupt", "smp_apic_timer_interrupt",
		       "call_function_single_interrupt", "call_function_interrupt", "smp_call_function_single_interrupt",
		       "irq_work_interrupt", "do_IRQ", "ret_from_intr", "el1_interrupt", "el0_interrupt", "el1h_64_irq",
		       "el0t_64_irq", "gic_handle_irq", "handle_arch_irq", "__irq_svc", "do_irq", "interrupt_async_enter_prepare"}))
		return Context::Hardirq;
	if (is_any(f, {"__do_softirq", "handle_softirqs", "do_softirq", "__irq_exit_rcu", "irq_exit_rcu", "irq_exit"}))
		return Context::Softirq;
	return std::nullopt;
}

struct Hook {
	std::string_view function;
	std::string_view kind;
	std::string_view model_op;
	std::string_view description;
};

// perf's entry points, as they show in a stack. The innermost one of the access's context is its
// path: a task that blocks in perf_poll() and is switched out is on the switch-out path.
constexpr Hook hooks[] = {
	{"__perf_event_task_sched_out", "sched-out", "sched_out", "task switch-out"},
	{"perf_event_task_sched_out", "sched-out", "sched_out", "task switch-out"},
	{"perf_event_context_sched_out", "sched-out", "sched_out", "task switch-out"},
	{"__perf_event_task_sched_in", "sched-in", "sched_in", "task switch-in"},
	{"perf_event_task_sched_in", "sched-in", "sched_in", "task switch-in"},
	{"perf_event_context_sched_in", "sched-in", "sched_in", "task switch-in"},
	{"perf_mmap", "mmap", "mmap", "mmap() of a perf fd"},
	{"perf_mmap_close", "munmap", "munmap", "munmap() of a perf mapping"},
	{"perf_read", "read", "read", "read() of a perf fd"},
	{"perf_ioctl", "ioctl", "", "ioctl() of a perf fd"},
	{"perf_compat_ioctl", "ioctl", "", "ioctl() of a perf fd"},
	{"_perf_ioctl", "ioctl", "", "ioctl() of a perf fd"},
	{"perf_poll", "poll", "", "poll() of a perf fd"},
	{"perf_release", "close", "", "close() of the last perf fd"},
	{"perf_event_release_kernel", "close", "", "close() of the last perf fd"},
	{"perf_event_exit_task", "exit", "", "task exit"},
	{"perf_event_exec", "exec", "", "exec()"},
	{"perf_event_enable_on_exec", "exec", "", "exec()"},
	{"perf_event_read_local", "read_local", "read_local", "perf_event_read_local() (a BPF program's read)"},
	{"perf_event_init_task", "fork", "", "fork(): inheriting events"},
	{"perf_event_fork", "fork", "", "fork()"},
	{"__do_sys_perf_event_open", "perf_event_open", "", "perf_event_open()"},
	{"__se_sys_perf_event_open", "perf_event_open", "", "perf_event_open()"},
	{"perf_pending_task", "task_work", "", "task_work: perf_pending_task()"},
	{"perf_pending_irq", "irq_work", "", "irq_work: perf_pending_irq()"},
	{"perf_pending_disable", "irq_work", "", "irq_work: perf_pending_disable()"},
	{"perf_pending_event", "irq_work", "", "irq_work: perf_pending_event()"},
	{"perf_swevent_hrtimer", "hrtimer", "", "hrtimer: perf_swevent_hrtimer()"},
	{"perf_mux_hrtimer_handler", "hrtimer", "", "hrtimer: perf_mux_hrtimer_handler() (rotation)"},
	{"perf_event_task_tick", "tick", "", "scheduler tick: perf_event_task_tick()"},
	{"perf_event_nmi_handler", "pmu-nmi", "", "PMU NMI: perf_event_nmi_handler()"},
	{"perf_tp_event", "tracepoint", "", "tracepoint event: perf_tp_event()"},
	{"___perf_sw_event", "software-event", "", "software event"},
	{"perf_swevent_event", "software-event", "", "software event"},
	{"remote_function", "ipi", "", "cross-CPU call: remote_function()"},
	{"event_function", "ipi", "", "cross-CPU call: event_function()"},
	{"__perf_event_read", "ipi", "", "cross-CPU read: __perf_event_read()"},
};

const Hook *find_hook(const std::string &function)
{
	std::string f = base_function(function);
	for (const Hook &h : hooks)
		if (h.function == f)
			return &h;
	return nullptr;
}

struct LockRule {
	std::string_view function;
	std::string_view lock;
};

// Locks a frame holds while it calls inward (the modelled tree's code, read in core.c and the
// model's ports): "as far as the frames tell".
constexpr LockRule lock_rules[] = {
	{"perf_mmap", "event->mmap_mutex"},
	{"perf_poll", "event->mmap_mutex"},
	{"vm_mmap_pgoff", "mm->mmap_lock"},
	{"__schedule", "rq->__lock"},
	{"perf_event_context_sched_out", "ctx->lock"},
	{"perf_event_context_sched_in", "ctx->lock"},
	{"perf_ioctl", "ctx->mutex"},
	{"perf_read", "ctx->mutex"},
	{"__perf_event_read", "ctx->lock"},
	{"event_function", "ctx->lock"},
	{"perf_unpin_context", "ctx->lock"},
	{"perf_pin_task_context", "ctx->lock"},
	{"perf_event_exit_task", "ctx->mutex"},
	{"perf_remove_from_context", "ctx->mutex"},
};

bool acquires(const std::string &function)
{
	std::string f = base_function(function);
	return starts_with_any(f, {"mutex_lock", "__mutex_lock", "down_read", "down_write", "rwsem_down", "_raw_spin_lock",
				   "raw_spin_lock", "spin_lock", "queued_spin_lock", "__raw_spin_lock", "osq_lock",
				   "mutex_spin_on_owner"});
}

// "__x64_sys_pselect6" -> "pselect6"
std::string syscall_name(const std::string &function)
{
	std::string f = base_function(function);
	for (std::string_view p : {"__x64_sys_", "__ia32_sys_", "__arm64_sys_", "__se_sys_", "__do_sys_", "__riscv_sys_",
				   "__s390x_sys_", "__ia32_compat_sys_", "__x64_compat_sys_", "ksys_", "__sys_", "sys_"}) {
		if (f.starts_with(p)) {
			std::string name = f.substr(p.size());
			if (name == "mmap_pgoff")
				name = "mmap";
			return name;
		}
	}
	if (f == "vm_mmap_pgoff")
		return "mmap";
	return "";
}

std::string task_entry(const std::vector<Frame> &stack, size_t first, size_t last)
{
	for (size_t i = last + 1; i-- > first;) {
		std::string name = syscall_name(stack[i].function);
		if (!name.empty())
			return "syscall " + name;
	}
	bool syscall = false, kthread = false, idle = false, workqueue = false, user_return = false;
	for (size_t i = first; i <= last; i++) {
		std::string f = base_function(stack[i].function);
		syscall = syscall || starts_with_any(f, {"entry_SYSCALL", "do_syscall", "x64_sys_call", "el0_svc",
							 "invoke_syscall", "system_call"});
		kthread = kthread || f == "kthread" || f == "ret_from_fork" || f == "ret_from_kernel_thread";
		workqueue = workqueue || f == "worker_thread" || f == "process_one_work";
		idle = idle || is_any(f, {"do_idle", "cpu_startup_entry", "start_kernel", "rest_init"});
		user_return = user_return || starts_with_any(f, {"exit_to_user_mode", "resume_user_mode_work", "task_work_run"});
	}
	if (idle)
		return "idle";
	if (user_return && syscall)
		return "return to user space (task_work)";
	if (syscall)
		return "a syscall";
	if (workqueue)
		return "kernel thread (workqueue)";
	if (kthread)
		return "kernel thread";
	return "task";
}

std::string interrupt_entry(Context context, const std::vector<Frame> &stack, size_t first, size_t last)
{
	std::set<std::string> names;
	for (size_t i = first; i <= last; i++)
		names.insert(base_function(stack[i].function));
	auto has = [&](std::initializer_list<std::string_view> list) {
		for (std::string_view n : list)
			if (names.count(std::string(n)))
				return true;
		return false;
	};
	switch (context) {
	case Context::Nmi:
		return has({"perf_event_nmi_handler", "intel_pmu_handle_irq", "x86_pmu_handle_irq", "amd_pmu_handle_irq",
			    "armv8pmu_handle_irq", "perf_ibs_nmi_handler"})
			       ? "NMI (PMU overflow)"
			       : "NMI";
	case Context::Hardirq:
		if (has({"irq_work_run", "__sysvec_irq_work", "irq_work_single", "irq_work_run_list"}))
			return "hardirq (irq_work)";
		if (has({"tick_sched_timer", "tick_sched_handle"}))
			return "hardirq (tick)";
		if (has({"hrtimer_interrupt", "__hrtimer_run_queues", "__run_hrtimer"}))
			return "hardirq (hrtimer)";
		if (has({"flush_smp_call_function_queue", "generic_smp_call_function_single_interrupt",
			 "__sysvec_call_function_single", "__flush_smp_call_function_queue", "smp_call_function_single_interrupt"}))
			return "hardirq (IPI)";
		if (has({"asm_sysvec_apic_timer_interrupt", "sysvec_apic_timer_interrupt", "apic_timer_interrupt",
			 "smp_apic_timer_interrupt"}))
			return "hardirq (timer)";
		return "hardirq";
	case Context::Softirq:
		if (has({"run_timer_softirq", "__run_timers"}))
			return "softirq (timers)";
		if (has({"net_rx_action", "net_tx_action"}))
			return "softirq (net)";
		if (has({"rcu_core", "rcu_core_si"}))
			return "softirq (rcu)";
		if (has({"tasklet_action", "tasklet_action_common"}))
			return "softirq (tasklet)";
		return "softirq";
	case Context::Task:
		break;
	}
	return "task";
}

std::vector<Segment> segments_of(const std::vector<Frame> &stack)
{
	std::vector<Segment> segments;
	if (stack.empty())
		return segments;
	Segment current;
	current.context = Context::Task;
	current.last = stack.size() - 1;
	for (size_t i = stack.size(); i-- > 0;) {
		std::optional<Context> b = boundary(stack[i].function);
		if (!b)
			continue;
		bool continues = i + 1 < stack.size() && boundary(stack[i + 1].function) == b;
		if (continues)
			continue;
		if (i == stack.size() - 1) {  // the stack begins in that context
			current.context = *b;
			continue;
		}
		current.first = i + 1;
		segments.push_back(current);
		current = Segment{};
		current.context = *b;
		current.last = i;
	}
	current.first = 0;
	segments.push_back(current);
	for (Segment &s : segments)
		s.entry = s.context == Context::Task ? task_entry(stack, s.first, s.last)
						     : interrupt_entry(s.context, stack, s.first, s.last);
	return segments;
}

std::string model_op_for(const Hook &hook, const std::vector<Frame> &stack, size_t upto)
{
	if (hook.kind != "ioctl")
		return std::string(hook.model_op);
	for (size_t i = 0; i < upto && i < stack.size(); i++) {
		std::string f = base_function(stack[i].function);
		if (f == "_perf_event_enable")
			return "enable";
		if (f == "_perf_event_disable")
			return "disable";
		if (f == "_perf_event_reset")
			return "reset";
		if (f == "_perf_event_refresh")
			return "refresh";
	}
	return "";
}

AccessPath path_of(const Report &report, size_t index)
{
	const Access &access = report.accesses[index];
	const std::vector<Frame> &stack = access.stack;
	AccessPath path;
	path.access = index;
	path.cpu = access.cpu;
	path.task_pid = access.task_pid;
	path.segments = segments_of(stack);
	if (path.segments.empty()) {
		path.kind = "unknown";
		path.description = "no stack";
		return path;
	}
	const Segment &own = path.segments.back();
	path.context = own.context;
	if (!access.interrupt)
		path.context = Context::Task;  // KCSAN says "by task" only when in_task()
	else if (own.context == Context::Task)
		path.context = Context::Hardirq;  // "by interrupt", with no entry frame to say which
	for (size_t s = path.segments.size() - 1; s-- > 0;)
		path.interrupted.push_back(path.segments[s].entry);
	path.outer = path.segments.front().entry;

	// the innermost perf entry point of the access's own context
	const Hook *hook = nullptr;
	size_t at = 0;
	for (size_t i = own.first; i <= own.last; i++) {
		if (const Hook *h = find_hook(stack[i].function)) {
			hook = h;
			at = i;
			break;
		}
	}
	if (hook) {
		path.kind = hook->kind;
		path.model_op = model_op_for(*hook, stack, at);
		path.description = std::string(hook->description);
		for (size_t i = std::min(at, stack.size() - 1) + 1; i-- > 0;)
			path.frames.push_back(stack[i].function);
	} else {
		if (own.context == Context::Task) {
			std::string entry = own.entry;
			path.kind = entry.starts_with("syscall") || entry == "a syscall" ? "syscall"
				    : entry.starts_with("kernel thread")                 ? "kernel-thread"
				    : entry == "idle"                                    ? "idle"
											 : "unknown";
		} else if (own.context == Context::Nmi) {
			path.kind = own.entry == "NMI (PMU overflow)" ? "pmu-nmi" : "interrupt";
		} else if (own.entry == "hardirq (irq_work)") {
			path.kind = "irq_work";
		} else if (own.entry == "hardirq (hrtimer)" || own.entry == "hardirq (tick)") {
			path.kind = own.entry == "hardirq (tick)" ? "tick" : "hrtimer";
		} else if (own.entry == "hardirq (IPI)") {
			path.kind = "ipi";
		} else {
			path.kind = "interrupt";
		}
		path.description = own.entry;
		for (size_t i = std::min<size_t>(own.last, 3) + 1; i-- > 0;)
			if (i >= own.first)
				path.frames.push_back(stack[i].function);
	}
	// locks, outermost first; only frames of the access's own context hold them for it
	for (size_t i = own.last + 1; i-- > own.first;) {
		std::string f = base_function(stack[i].function);
		for (const LockRule &rule : lock_rules) {
			if (rule.function != f)
				continue;
			HeldLock lock{std::string(rule.lock), f, i > 0 && acquires(stack[i - 1].function)};
			if (i == 0)
				continue;  // the access itself is in the function: it may be before the lock
			path.locks.push_back(lock);
		}
	}
	return path;
}

}  // namespace

const char *context_name(Context context)
{
	switch (context) {
	case Context::Task: return "task";
	case Context::Softirq: return "softirq";
	case Context::Hardirq: return "hardirq";
	case Context::Nmi: return "NMI";
	}
	return "?";
}

Paths entry_paths(const Report &report)
{
	Paths paths;
	for (size_t a = 0; a < report.accesses.size(); a++)
		paths.accesses.push_back(path_of(report, a));
	if (report.accesses.size() < 2) {
		paths.relation = "one access: the other is of unknown origin";
		return paths;
	}
	const Access &a = report.accesses[0], &b = report.accesses[1];
	if (a.cpu != b.cpu) {
		paths.relation = fmt::format("two CPUs ({} and {})", a.cpu, b.cpu);
		return paths;
	}
	paths.same_cpu = true;
	// the one in interrupt context whose stack holds the other's racing function under its own
	// context interrupted the other while KCSAN watched it
	for (size_t x = 0; x < 2; x++) {
		const AccessPath &p = paths.accesses[x];
		const Access &self = report.accesses[x], &other = report.accesses[1 - x];
		if (p.segments.size() < 2 || other.stack.empty())
			continue;
		const Segment &own = p.segments.back();
		for (size_t i = own.last + 1; i < self.stack.size(); i++) {
			if (self.stack[i].function == other.stack.front().function) {
				paths.relation = fmt::format("one CPU ({}): the {} of access {} interrupted access {} ({}) while "
							     "KCSAN watched it",
							     a.cpu, context_name(p.context), x + 1, 2 - x,
							     paths.accesses[1 - x].description);
				return paths;
			}
		}
	}
	paths.relation = fmt::format("one CPU ({}): one access interrupted or preempted the other", a.cpu);
	return paths;
}

std::string describe_path(const Report &report, const AccessPath &path)
{
	const Access &access = report.accesses[path.access];
	std::string who = access.interrupt ? fmt::format("{} on cpu {}", context_name(path.context), access.cpu)
					   : fmt::format("task {} on cpu {}", access.task_pid, access.cpu);
	// the entry point, then the last two frames before the access
	std::string frames;
	const std::vector<std::string> &f = path.frames;
	if (f.size() <= 3) {
		for (size_t i = 0; i < f.size(); i++)
			frames += (i ? " -> " : "") + f[i];
	} else {
		frames = fmt::format("{} -> {}{} -> {}", f.front(), f.size() > 4 ? "... -> " : "", f[f.size() - 2], f.back());
	}
	std::string out = fmt::format("{} by {}: {}", access.kind, who, path.description);
	if (!path.outer.empty() && path.outer != path.description && path.segments.size() == 1 &&
	    path.context == Context::Task)
		out += fmt::format(" ({})", path.outer);
	if (!frames.empty())
		out += ": " + frames;
	if (!path.interrupted.empty())
		out += fmt::format("; interrupting {}", fmt::join(path.interrupted, " <- "));
	return out;
}

std::string describe_locks(const AccessPath &path)
{
	std::vector<std::string> held, waiting;
	for (const HeldLock &lock : path.locks)
		(lock.waiting ? waiting : held).push_back(fmt::format("{} ({})", lock.lock, lock.by));
	std::string context = path.context == Context::Nmi       ? "in NMI"
			      : path.context == Context::Hardirq ? "IRQs off"
			      : path.context == Context::Softirq ? "in softirq"
								 : "";
	std::string out = held.empty() ? "no lock the frames show" : fmt::format("{}", fmt::join(held, ", "));
	if (!context.empty())
		out += ", " + context;
	if (!waiting.empty())
		out += fmt::format("; waiting for {}", fmt::join(waiting, ", "));
	return out;
}

}  // namespace perfmc::kcsan
