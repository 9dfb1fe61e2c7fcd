// The entry-to-op table and a scenario's text from a report's paths (synth.h).
#include "checker/kcsan/synth.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

namespace perfmc::kcsan {

namespace {

const std::vector<std::string> frames_list = {
#include "model_frames.inc"
};

using enum TaskNeed;
using enum OtherEvent;

/* ioctl(PERF_EVENT_IOC_<CMD>) of E: op <cmd>(E), E in the state the command changes */
EntryRule ioctl_row(const std::string &cmd, const std::string &state)
{
	std::string upper;
	for (char c : cmd)
		upper += static_cast<char>(c - 'a' + 'A');
	return {.kind = "ioctl", .model_op = cmd, .op = cmd + "(E)", .state = state,
		.note = fmt::format("ioctl(PERF_EVENT_IOC_{}): perf_ioctl() -> _perf_event_{}()", upper, cmd)};
}

/* A cross-CPU call: the lane is the syscall that sends the IPI (from a CPU of its own) whose
 * `frame` runs on the access's CPU, where T runs */
EntryRule ipi_row(const std::string &frame, const std::string &op, const std::string &state, const std::string &attr,
		  const std::string &sender)
{
	return {.kind = "ipi", .needs_frame = frame, .op = op, .task = RunsHere, .state = state, .attr = attr,
		.note = fmt::format("{} on another CPU sends the IPI whose {}() runs on the task's CPU", sender, frame),
		.remote = true};
}

/*
 * The table. A row maps one kind of kernel entry (paths.cpp names the kinds) to the perf model's op
 * that enters the kernel there (`perfmc list --ops`), with the setup the op needs to reach the
 * report's access. Rows are tried in order: a row with needs_frame or model_op before the general
 * row of its kind. A new op of the model is a new row: one entry naming only the fields it needs
 * (the others keep their defaults), its note on a line of its own when the entry does not fit on
 * one; ioctl_row() and ipi_row() write the rows of those two shapes.
 *
 * No row maps userpage_read or userpage_time: they are user space reading the mmap()ed page, which
 * KCSAN does not instrument, so no report has their stack.
 */
const std::vector<EntryRule> rules = {
	{.kind = "sched-out", .op = "sched_out(T)", .task = RunsHere, .state = "ACTIVE",
	 .note = "the task switches out on this CPU: perf_event_task_sched_out() -> __perf_event_task_sched_out()"},
	{.kind = "sched-in", .op = "sched_in(T)", .task = NotRunning, .state = "INACTIVE",
	 .note = "the task switches in on this CPU: perf_event_task_sched_in() -> __perf_event_task_sched_in()"},
	{.kind = "mmap", .op = "mmap(E)", .note = "mmap() of the event's fd: perf_mmap() -> perf_mmap_rb()"},
	{.kind = "munmap", .op = "munmap(E)", .mapped = true,
	 .note = "munmap() of the event's mapping: perf_mmap_close()"},
	{.kind = "read", .needs_frame = "perf_read_group", .op = "read_group(E)",
	 .attr = "read_format_group = true", .other = Member,
	 .note = "read() of a PERF_FORMAT_GROUP leader: perf_read() -> __perf_read() -> perf_read_group() (S is E's group member)"},
	{.kind = "read", .op = "read(E)", .note = "read() of the event's fd: perf_read() -> perf_read_one()"},
	{.kind = "read_local", .op = "read_local(E)", .task = RunsHere,
	 .note = "a BPF program on this CPU: bpf_perf_event_read_value() -> perf_event_read_local(), IRQs off, no lock"},
	ioctl_row("enable", "OFF"),
	ioctl_row("disable", "ACTIVE"),
	ioctl_row("reset", ""),
	{.kind = "ioctl", .model_op = "refresh", .op = "refresh(E, 1)", .state = "ACTIVE",
	 .note = "ioctl(PERF_EVENT_IOC_REFRESH, 1): perf_ioctl() -> _perf_event_refresh() (event_limit, then enable)"},
	{.kind = "poll", .op = "poll(E)", .mapped = true, .attr = "watermark = 1, wakeup_watermark = 16",
	 .note = "poll(2) on the event's fd: do_poll() -> perf_poll()"},
	{.kind = "close", .op = "close(E)",
	 .note = "close() of the event's last fd: perf_release() -> perf_event_release_kernel()"},
	{.kind = "exec", .op = "exec(T)", .task = RunsHere, .state = "OFF", .attr = "enable_on_exec = true",
	 .note = "execve(): begin_new_exec() -> perf_event_exec() -> perf_event_enable_on_exec() (E waits OFF with enable_on_exec)"},
	{.kind = "fork", .op = "fork(T, C)", .task = RunsHere, .attr = "inherit = true", .context = "C",
	 .note = "fork(): copy_process() -> perf_event_init_task() -> inherit_task_group() -> inherit_event() (E inherited by the child C)"},
	{.kind = "exit", .op = "exit(T)", .task = RunsHere,
	 .note = "do_exit() -> perf_event_exit_task() -> perf_event_exit_event() -> perf_remove_from_context()"},
	{.kind = "perf_event_open", .needs_frame = "perf_install_in_context", .op = "install(E)", .state = "INACTIVE",
	 .attr = "open_later = true",
	 .note = "the end of perf_event_open(): perf_install_in_context() -> task_function_call() (E opened, not yet installed)"},
	{.kind = "perf_event_open", .needs_frame = "perf_remove_from_context", .op = "remove(E)",
	 .note = "perf_event_open()'s move_group: perf_remove_from_context(E, 0) under ctx->mutex"},
	{.kind = "hrtimer", .needs_frame = "perf_mux_hrtimer_handler", .op = "rotate", .task = RunsHere, .state = "INACTIVE",
	 .attr = "exclusive = true", .other = Competitor,
	 .note = "the mux hrtimer: perf_mux_hrtimer_handler() -> perf_rotate_context() (A holds the PMU, E waits: the groups rotate)"},
	{.kind = "pmu-nmi", .needs_frame = "deferred_request", .op = "nmi_sample(E)", .task = RunsHere, .state = "ACTIVE",
	 .attr = "defer_callchain = true",
	 .note = "the PMU's overflow NMI samples a deferred callchain: perf_callchain() -> deferred_request()"},
	{.kind = "pmu-nmi", .op = "overflow(E)", .task = RunsHere, .state = "ACTIVE",
	 .note = "the PMU's overflow interrupt: perf_event_overflow() -> __perf_event_overflow() (in an NMI, then its irq_work: pending_irq)"},
	{.kind = "interrupt", .needs_frame = "__perf_event_overflow", .op = "overflow(E)", .task = RunsHere, .state = "ACTIVE",
	 .note = "the PMU's overflow interrupt: perf_event_overflow() -> __perf_event_overflow()"},
	/*
	 * The irq_work of an overflow whose record crossed the wakeup watermark. A first record in the
	 * setup (32 of 48 bytes) makes the lane's record the one that crosses it, and another overflow
	 * (an NMI's) after it one that does not. The lane is a hard IRQ, whose overflow runs the work
	 * it queues as the handler returns; an NMI lane's overflow(E) is followed by pending_irq(cpu),
	 * the self-IPI that runs the work after the NMI returns (the pmu-nmi rows above).
	 */
	{.kind = "irq_work", .needs_frame = "perf_pending_irq", .op = "overflow(E)", .task = RunsHere, .state = "ACTIVE", .mapped = true,
	 .attr = "watermark = 1, wakeup_watermark = 48", .setup_op = "overflow(E); tick()",
	 .note = "the overflow's irq_work as the interrupt returns: perf_pending_irq() -> perf_event_wakeup() (the op runs the overflow that queues it first)"},
	{.kind = "irq_work", .needs_frame = "perf_pending_disable", .op = "overflow(E)", .task = RunsHere, .state = "ACTIVE",
	 .attr = "refresh = 1",
	 .note = "the overflow that uses up E's REFRESH credit queues the pending disable: perf_pending_disable() -> perf_event_disable_local() as the interrupt returns"},
	{.kind = "task_work", .needs_frame = "unwind_deferred_task_work", .op = "return_to_user(T)", .task = RunsHere, .state = "ACTIVE",
	 .attr = "defer_callchain = true",
	 .note = "the task returns to user space: task_work_run() -> unwind_deferred_task_work() -> perf_event_deferred_task()"},
	{.kind = "tick", .op = "tick()", .task = RunsHere, .state = "ACTIVE",
	 .note = "the scheduler tick on this CPU: perf_event_task_tick() -> perf_adjust_freq_unthr_context()"},
	ipi_row("__perf_event_read", "read(E)", "ACTIVE", "", "read(): perf_event_read()"),
	ipi_row("__perf_event_enable", "enable(E)", "OFF", "", "ioctl(ENABLE): event_function_call()"),
	ipi_row("__perf_event_disable", "disable(E)", "ACTIVE", "", "ioctl(DISABLE): event_function_call()"),
	ipi_row("__perf_install_in_context", "install(E)", "INACTIVE", "open_later = true", "perf_event_open(): perf_install_in_context()"),
	ipi_row("__perf_remove_from_context", "remove(E)", "", "", "perf_event_open()'s move_group: perf_remove_from_context()"),
};

bool is_perf_frame(const Frame &frame)
{
	if (!frame.file.empty())
		return frame.file.find("kernel/events/") != std::string::npos ||
		       frame.file.find("include/linux/perf_event.h") != std::string::npos;
	std::string f = base_function(frame.function);
	return f.starts_with("perf_") || f.starts_with("__perf_") || f.starts_with("_perf_") || find_function(f) != nullptr;
}

// The PMU drivers (arch/*/events/, drivers/perf/): the model's PMU stands in for them.
bool is_pmu_driver(const Frame &frame)
{
	const std::string &file = frame.file;
	if (file.starts_with("drivers/perf/"))
		return true;
	if (file.starts_with("arch/") && file.find("/events/") != std::string::npos)
		return true;
	std::string f = base_function(frame.function);
	return file.empty() && (f == "perf_event_nmi_handler" || f.ends_with("_pmu_handle_irq") || f == "handle_pmi_common");
}

bool has_frame(const Report &report, const AccessPath &path, std::string_view function)
{
	const std::vector<Frame> &stack = report.accesses[path.access].stack;
	if (path.segments.empty())
		return false;
	const Segment &own = path.segments.back();
	for (size_t i = own.first; i <= own.last && i < stack.size(); i++)
		if (base_function(stack[i].function) == function)
			return true;
	return false;
}

// The index of the frame the path enters at (its hook), or the last frame of its own context.
size_t entry_index(const Report &report, const AccessPath &path)
{
	const std::vector<Frame> &stack = report.accesses[path.access].stack;
	const Segment &own = path.segments.back();
	if (!path.frames.empty()) {
		const std::string &entry = path.frames.front();
		for (size_t i = own.first; i <= own.last && i < stack.size(); i++)
			if (stack[i].function == entry)
				return i;
	}
	return std::min(own.last, stack.size() - 1);
}

std::string lane_in(Context context)
{
	switch (context) {
	case Context::Nmi: return "nmi";
	case Context::Hardirq:
	case Context::Softirq: return "irq";
	case Context::Task: break;
	}
	return "task";
}

std::string name_part(const std::string &function)
{
	std::string f = base_function(function);
	return f.substr(std::min(f.find_first_not_of('_'), f.size()));
}

std::string toml_string(const std::string &s)
{
	std::string out = "\"";
	for (char c : s) {
		if (c == '"' || c == '\\')
			out += '\\';
		if (static_cast<unsigned char>(c) < 0x20)
			continue;
		out += c;
	}
	return out + "\"";
}

// "# " before each line of a comment that may wrap
std::string comment(const std::string &text) { return "# " + text + "\n"; }

}  // namespace

const std::vector<std::string> &model_frames() { return frames_list; }

bool model_ports(const std::string &function)
{
	return std::binary_search(frames_list.begin(), frames_list.end(), base_function(function));
}

const std::vector<EntryRule> &entry_rules() { return rules; }

std::string MissingFrame::text() const
{
	if (entry_unknown)
		return fmt::format("the kernel entry of stack {} (it ends at {}())", access + 1, function);
	return fmt::format("{}() in stack {}", function, access + 1);
}

const EntryRule *rule_for(const Report &report, const AccessPath &path)
{
	for (const EntryRule &rule : rules) {
		if (rule.kind != path.kind)
			continue;
		if (!rule.model_op.empty() && rule.model_op != path.model_op)
			continue;
		if (!rule.needs_frame.empty() && !has_frame(report, path, rule.needs_frame))
			continue;
		return &rule;
	}
	return nullptr;
}

Synthesis plan_scenario(const Report &report, const Paths &paths)
{
	Synthesis plan;
	for (const std::string &f : report.title_functions)
		plan.name += (plan.name.empty() ? "" : "-vs-") + name_part(f);
	if (plan.name.empty())
		plan.name = "kcsan-report";
	plan.name = "kcsan-" + plan.name;

	// CPUs: the report's, renumbered from 0 in order; one for both when the report says so
	std::vector<int> report_cpus;
	for (const AccessPath &p : paths.accesses)
		if (std::find(report_cpus.begin(), report_cpus.end(), p.cpu) == report_cpus.end())
			report_cpus.push_back(p.cpu);
	std::sort(report_cpus.begin(), report_cpus.end());
	auto cpu_of = [&](const AccessPath &p) {
		if (paths.same_cpu)
			return 0;
		auto it = std::find(report_cpus.begin(), report_cpus.end(), p.cpu);
		return static_cast<int>(it - report_cpus.begin());
	};

	std::optional<int> task_cpu;  // T runs there
	bool not_running = false;
	std::string state;
	bool mmap_lane = false, want_mapped = false;
	std::set<std::string> attrs;
	for (const AccessPath &p : paths.accesses) {
		const Access &access = report.accesses[p.access];
		// the frames between the access and its entry that the model lacks
		if (!access.stack.empty() && !p.segments.empty()) {
			size_t entry = entry_index(report, p);
			for (size_t i = 0; i <= entry && i < access.stack.size(); i++) {
				const Frame &f = access.stack[i];
				if (!is_perf_frame(f) || is_pmu_driver(f) || model_ports(f.function))
					continue;
				bool listed = std::any_of(plan.missing.begin(), plan.missing.end(), [&](const MissingFrame &m) {
					return m.access == p.access && m.function == base_function(f.function);
				});
				if (listed)
					continue;
				plan.missing.push_back({p.access, base_function(f.function), "the model does not port it"});
			}
		}
		const EntryRule *rule = rule_for(report, p);
		if (!rule) {
			std::string entry = p.frames.empty() ? (access.stack.empty() ? std::string("?") : access.stack.front().function)
							     : p.frames.front();
			std::string why = fmt::format("no model op enters the kernel at {} ({})", p.kind, p.description);
			plan.unmapped.push_back(fmt::format("stack {}: {}", p.access + 1, why));
			bool named = std::any_of(plan.missing.begin(), plan.missing.end(),
						 [&](const MissingFrame &x) { return x.access == p.access; });
			if (p.kind == "unknown" && model_ports(entry)) {
				// the report's stack is cut (or starts) at a function the model has: its caller,
				// the kernel entry the lane would run, is not in the report
				MissingFrame m{p.access, base_function(entry),
					       fmt::format("the stack shows no kernel entry above {}(), which the model ports: the "
							   "op to run is the caller's, which the report does not show",
							   base_function(entry))};
				m.entry_unknown = true;
				plan.missing.push_back(m);
			} else if (!named) {
				// every perf frame of the stack is ported: what is missing is the op at its entry
				plan.missing.push_back({p.access, base_function(entry), why});
			}
			continue;
		}
		LanePlan lane;
		lane.access = p.access;
		lane.cpu = cpu_of(p);
		lane.in = lane_in(p.context);
		int here = lane.cpu;  // the access's CPU, where the rule's task need applies
		if (rule->remote) {
			// the sender: a CPU that is not the access's nor another lane's
			std::set<int> used;
			for (const AccessPath &q : paths.accesses)
				used.insert(cpu_of(q));
			for (const LanePlan &l : plan.lanes)
				used.insert(l.cpu);
			lane.cpu = 0;
			while (used.count(lane.cpu) && lane.cpu < 3)
				lane.cpu++;
			lane.in = "task";
		}
		lane.op = std::string(rule->op);
		if (lane.in == "nmi" && lane.op == "overflow(E)")  // the NMI queues the irq_work; the self-IPI runs it
			lane.op += fmt::format("; pending_irq({})", lane.cpu);
		lane.name = fmt::format("access {}: {}", p.access + 1, p.description);
		lane.note = std::string(rule->note);
		mmap_lane = mmap_lane || rule->kind == "mmap";
		want_mapped = want_mapped || rule->mapped;
		if (!rule->attr.empty())
			attrs.insert(std::string(rule->attr));
		for (size_t at = 0; at < rule->setup_op.size();) {  // "overflow(E); tick()"
			size_t end = std::min(rule->setup_op.find("; ", at), rule->setup_op.size());
			std::string op(rule->setup_op.substr(at, end - at));
			if (std::find(plan.setup_ops.begin(), plan.setup_ops.end(), op) == plan.setup_ops.end())
				plan.setup_ops.push_back(op);
			at = end + 2;
		}
		if (!rule->context.empty())
			plan.context = rule->context;
		if (rule->other != OtherEvent::None) {
			if (plan.other != OtherEvent::None && plan.other != rule->other)
				plan.notes.push_back(fmt::format("access {} needs another event of T that another access does not "
								 "want: the first access's is kept",
								 p.access + 1));
			else
				plan.other = rule->other;
		}
		if (rule->task == TaskNeed::RunsHere) {
			if (not_running || (task_cpu && *task_cpu != here))
				plan.notes.push_back(fmt::format("access {} needs T running on cpu {}, another access needs it "
								 "elsewhere or switched out: the first access's need is kept",
								 p.access + 1, here));
			else
				task_cpu = here;
		} else if (rule->task == TaskNeed::NotRunning) {
			if (task_cpu)
				plan.notes.push_back(fmt::format("access {} needs T switched out, another access needs it running: "
								 "the first access's need is kept",
								 p.access + 1));
			else
				not_running = true;
		}
		if (!rule->state.empty()) {
			if (state.empty())
				state = std::string(rule->state);
			else if (state != rule->state)
				plan.notes.push_back(fmt::format("access {} needs E {}, another access {}: {} is kept", p.access + 1,
								 rule->state, state, state));
		}
		plan.lanes.push_back(lane);
	}
	plan.runnable = !plan.lanes.empty() && plan.lanes.size() == paths.accesses.size();

	// T runs where a lane needs it; else, for an event that counts, on a CPU no lane runs on
	if (!task_cpu && !not_running && state != "INACTIVE" && state != "OFF") {
		std::set<int> used;
		for (const LanePlan &l : plan.lanes)
			used.insert(l.cpu);
		int free = 0;
		while (used.count(free) && free < 3)
			free++;
		task_cpu = free;
		plan.notes.push_back(fmt::format("no path switches T: T runs on cpu {} and E counts", free));
	}
	plan.task_cpu = task_cpu ? *task_cpu : -1;
	if (state.empty())
		state = plan.task_cpu >= 0 ? "ACTIVE" : "INACTIVE";
	if (state == "ACTIVE" && plan.task_cpu < 0) {
		plan.notes.push_back("E cannot be ACTIVE in a task that is switched out: INACTIVE");
		state = "INACTIVE";
	}
	plan.state = state;
	plan.mapped = want_mapped && !mmap_lane;
	if (want_mapped && mmap_lane)
		plan.notes.push_back("E is not mmap()ed in the setup: a lane mmap()s it");
	for (const std::string &a : attrs) {
		// "watermark = 1, wakeup_watermark = 16": one key each, the first row's value kept
		size_t start = 0;
		while (start < a.size()) {
			size_t comma = a.find(',', start);
			std::string entry = a.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
			entry.erase(0, entry.find_first_not_of(' '));
			entry.erase(entry.find_last_not_of(' ') + 1);
			std::string key = entry.substr(0, entry.find(' '));
			if (std::none_of(plan.attrs.begin(), plan.attrs.end(),
					 [&](const std::string &e) { return e.substr(0, e.find(' ')) == key; }))
				plan.attrs.push_back(entry);
			start = comma == std::string::npos ? a.size() : comma + 1;
		}
	}
	if (std::none_of(plan.attrs.begin(), plan.attrs.end(), [](const std::string &e) { return e.starts_with("watermark"); }))
		std::erase_if(plan.attrs, [](const std::string &e) { return e.starts_with("wakeup_watermark"); });
	return plan;
}

std::string scenario_toml(const Report &report, const Paths &paths, const Synthesis &plan,
			  const std::vector<std::pair<std::string, std::string>> &expect, const std::string &origin)
{
	std::string out;
	out += comment(fmt::format("Built by `perfmc kcsan` from the KCSAN report \"{}\"{}.", report.title,
				   origin.empty() ? "" : " (" + origin + ")"));
	out += comment(fmt::format("Save it as scenarios/{}.toml and run `perfmc run {}`.", plan.name, plan.name));
	for (const AccessPath &p : paths.accesses)
		out += comment(fmt::format("access {}: {}", p.access + 1, describe_path(report, p)));
	out += comment(fmt::format("cpus: {}", paths.relation));
	for (const MissingFrame &m : plan.missing)
		out += comment(fmt::format("not modelled: {}: {}", m.text(), m.why));
	for (const std::string &u : plan.unmapped)
		out += comment(u);
	for (const std::string &note : plan.notes)
		out += comment("setup: " + note);
	out += fmt::format("name = {}\n", toml_string(plan.name));
	std::string title;
	for (const std::string &f : report.title_functions)
		title += (title.empty() ? "" : " / ") + f;
	std::vector<std::string> path_words;
	for (const LanePlan &l : plan.lanes)
		path_words.push_back(fmt::format("{} on cpu {}{}", l.op, l.cpu, l.in == "task" ? "" : " in " + l.in));
	out += fmt::format("summary = \"\"\"The report's paths in the model: {}. {}\"\"\"\n",
			   path_words.empty() ? std::string("none yet") : fmt::format("{}", fmt::join(path_words, " against ")),
			   plan.runnable ? "Every access's kernel entry is a model op." : "TODO: the paths the model lacks (above).");
	if (report.title_functions.size() == 2)
		out += fmt::format("covers = [{}]\n", toml_string(title));
	out += fmt::format("references = [{}]\n\n", toml_string("KCSAN: " + report.title));
	out += "[setup]\ntick = 10\n";
	if (!plan.setup_ops.empty()) {
		std::vector<std::string> quoted;
		for (const std::string &op : plan.setup_ops)
			quoted.push_back(toml_string(op));
		out += fmt::format("ops  = [{}]\n", fmt::join(quoted, ", "));
	}
	out += "\n";
	out += "[[setup.context]]\nname = \"T\"\ntask = \"T\"\n";
	if (plan.task_cpu >= 0)
		out += fmt::format("running_on = {}\n", plan.task_cpu);
	if (!plan.context.empty())
		out += fmt::format("\n[[setup.context]]\nname = \"{0}\"\ntask = \"{0}\"\n", plan.context);
	if (plan.other == OtherEvent::Competitor)  // counting first, so that E (exclusive) waits
		out += fmt::format("\n[[setup.event]]\nname = \"A\"\ncontext = \"T\"\nstate = \"{}\"\n",
				   plan.task_cpu >= 0 ? "ACTIVE" : "INACTIVE");
	out += "\n[[setup.event]]\nname = \"E\"\ncontext = \"T\"\n";
	out += fmt::format("state = \"{}\"\n", plan.state);
	if (plan.mapped)
		out += "mapped = true\n";
	if (!plan.attrs.empty())
		out += fmt::format("attr = {{ {} }}\n", fmt::join(plan.attrs, ", "));
	if (plan.other == OtherEvent::Member)  // E's group member, in E's state
		out += fmt::format("\n[[setup.event]]\nname = \"S\"\ncontext = \"T\"\nstate = \"{}\"\nleader = \"E\"\n",
				   plan.state);
	for (const AccessPath &p : paths.accesses) {
		auto lane = std::find_if(plan.lanes.begin(), plan.lanes.end(), [&](const LanePlan &l) { return l.access == p.access; });
		out += "\n";
		if (lane == plan.lanes.end()) {
			out += comment(fmt::format("TODO access {}: {}: the model has no op for this path yet", p.access + 1,
						   p.description));
			out += "# [[cpu]]\n";
			out += fmt::format("# name = {}\n", toml_string(fmt::format("access {}: {}", p.access + 1, p.description)));
			out += fmt::format("# cpu  = {}\n", paths.same_cpu ? 0 : static_cast<int>(p.access));
			if (lane_in(p.context) != "task")
				out += fmt::format("# in   = \"{}\"\n", lane_in(p.context));
			out += "# run  = []\n";
			continue;
		}
		out += fmt::format("[[cpu]]   # {}\n", lane->note);
		out += fmt::format("name = {}\n", toml_string(lane->name));
		out += fmt::format("cpu  = {}\n", lane->cpu);
		if (lane->in != "task")
			out += fmt::format("in   = \"{}\"\n", lane->in);
		std::string run;  // "overflow(E); pending_irq(1)": ops in order
		for (size_t at = 0; at < lane->op.size();) {
			size_t end = std::min(lane->op.find("; ", at), lane->op.size());
			run += fmt::format("{}\"{}\"", run.empty() ? "" : ", ", lane->op.substr(at, end - at));
			at = end + 2;
		}
		out += fmt::format("run  = [{}]\n", run);
	}
	out += "\n[expect]\n";
	if (expect.empty())
		out += "upstream = \"incomplete\"   # TODO: pass | benign | harmful, once run\n";
	for (const auto &[variant, verdict] : expect) {
		bool quote = variant.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
			     std::string::npos;
		out += fmt::format("{} = \"{}\"\n", quote ? toml_string(variant) : variant, verdict);
	}
	return out;
}

}  // namespace perfmc::kcsan
