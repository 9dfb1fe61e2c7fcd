// A small registry standing in for the model's: the parser is tested against what it is given,
// not against whatever ops the model offers today.
#include "checker/scenario/scenario.h"

namespace perfmc {

Registry test_registry()
{
	using enum ArgKind;
	Registry r;
	r.ops = {
		{"sched_out", {{"ctx", Context}}, "task switch out: perf_event_task_sched_out()"},
		{"sched_in", {{"ctx", Context}}, "task switch in: perf_event_task_sched_in()"},
		{"mmap", {{"event", Event}}, "mmap() of the ring buffer: perf_mmap()"},
		{"read", {{"event", Event}}, "read() on the event: perf_read()"},
		{"tick", {{"cpu", Cpu}}, "timer tick: perf_event_task_tick()"},
		{"set_period", {{"event", Event}, {"period", Integer}}, "ioctl(PERF_EVENT_IOC_PERIOD): perf_event_period()"},
		{"nop", {}, "nothing: a step that touches no perf state"},
	};
	r.functions = {
		{"perf_event_update_time", {{"event", Event}}, "core.c: perf_event_update_time()"},
		{"ctx_sched_out", {{"ctx", Context}}, "core.c: ctx_sched_out()"},
	};
	r.variants = {"upstream", "mmap-ctx-lock"};
	r.invariants = {"no-lost-time", "running-le-enabled", "user-time-monotonic"};
	r.attrs = {"inherit", "exclude_user", "sample_period"};
	return r;
}

}  // namespace perfmc
