// A scenario built from a KCSAN report itself (issue 16 item 3): each racing stack's kernel entry
// (kcsan::AccessPath::kind: the syscall, the scheduler's switch-out or switch-in, the PMU's NMI,
// irq_work, task_work, the tick, ...) becomes a lane running the model op for it, in the lane
// context the report shows (task, irq or nmi; one CPU for both accesses when one interrupted the
// other), over the setup the ops need (a task context running or not, the event's state, mmap()ed,
// attributes). The result is scenario text (TOML), so that it goes through the parser and validator
// that scenario files go through, and so that a developer can save it and complete it.
//
// The entry-to-op mapping is one table (entry_rules()): a row per kernel entry the model has an op
// for. Adding an op to the model is adding a row there: one entry, naming the fields it needs.
// A report path that no row maps, or a frame of a stack that the model does not port (the list is
// generated from the model's MODEL_FRAME()s, cmake/ModelFrames.cmake), is named as missing:
// `not modelled: perf_swevent_event() in stack 2`.
//
// Pure data and text: running the scenario is the triage's (checker/triage.h).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checker/kcsan/fields.h"
#include "checker/kcsan/paths.h"
#include "checker/kcsan/report.h"

namespace perfmc::kcsan {

// The kernel functions the perf model ports (sorted), and whether it ports one ("event_sched_in",
// a GCC clone suffix ignored).
const std::vector<std::string> &model_frames();
bool model_ports(const std::string &function);

// What an op needs of the task context T its event E lives in.
enum class TaskNeed {
	Any,
	RunsHere,    // T runs on the lane's CPU (its switch-out, its PMU's interrupts, its tick)
	NotRunning,  // T is switched out (its switch-in)
};

// Another event of T that an op needs besides E.
enum class OtherEvent {
	None,
	Competitor,  // "A", declared before E and counting: E (exclusive) waits INACTIVE, so the PMU multiplexes
	Member,      // "S", a member of E's group (leader = "E"), in E's state: a group read has a sibling
};

// One row of the entry-to-op table. The rows are written with designated initializers, one entry a
// row, the fields a row does not name at their defaults (synth.cpp).
struct EntryRule {
	std::string kind{};         // kcsan::AccessPath::kind it maps
	std::string model_op{};     // the path's model_op it needs ("" any): ioctl's enable/disable/reset
	std::string needs_frame{};  // a frame the access's own context must hold ("" none)
	std::string op{};           // the lane's op, T the task context, E the event: "sched_out(T)"
	TaskNeed task = TaskNeed::Any;
	std::string state{};        // the event's state the op needs: "ACTIVE", "INACTIVE", "OFF", "" any
	bool mapped = false;        // E mmap()ed in the setup
	std::string attr{};         // E's attributes the op needs, TOML inline-table entries, or ""
	std::string setup_op{};     // ops the [setup] runs first, "; " between them ("" none)
	std::string context{};      // another task context the op needs, switched out, with no events
	                            // ("C": fork's child), or ""
	OtherEvent other = OtherEvent::None;
	std::string note{};         // how the op covers the kernel path, for the scenario's comments
	bool remote = false;        // the access runs in a cross-CPU call: the lane sends it from
	                            // another CPU, and `task` applies to the access's CPU
};

const std::vector<EntryRule> &entry_rules();

// The row for one access's path, or null when the model has no op for it.
const EntryRule *rule_for(const Report &report, const AccessPath &path);

// A frame of a stack the model lacks.
struct MissingFrame {
	size_t access = 0;     // from 0; "stack N" says access + 1
	std::string function;  // "perf_swevent_event"
	std::string why;       // "no model op enters at software event" / "the model does not port it"
	bool entry_unknown = false;  // the stack ends at `function` (ported) without its kernel entry
	std::string text() const;  // "perf_swevent_event() in stack 2"; "the entry of stack 2 (it ends at
	                           // event_sched_out())"
};

struct LanePlan {
	size_t access = 0;
	int cpu = 0;
	std::string in = "task";  // task, irq or nmi
	std::string op;           // "sched_out(T)"
	std::string name;         // the lane's name
	std::string note;         // the path and how the op covers it
};

struct Synthesis {
	std::string name;                   // the scenario's name: "perf_event_set_state-vs-perf_mmap_rb"
	std::vector<LanePlan> lanes;        // one per access the model has an op for
	std::vector<MissingFrame> missing;  // the frames the model lacks, innermost first per stack
	bool runnable = false;              // every access has a lane
	int task_cpu = -1;                  // T runs there at the start; -1: T is switched out
	std::string state = "ACTIVE";       // E's state
	bool mapped = false;
	std::vector<std::string> attrs;     // "watermark = 1", ...
	std::vector<std::string> setup_ops; // "overflow(E)", ...
	std::string context;                // another task context the setup declares ("C"), or ""
	OtherEvent other = OtherEvent::None;
	std::vector<std::string> unmapped;  // "stack 1: no model op enters the kernel at hrtimer (...)"
	std::vector<std::string> notes;     // setup decisions and conflicts, for the scenario's comments
};

// The plan: lanes, setup and what is missing. Deterministic.
Synthesis plan_scenario(const Report &report, const Paths &paths);

// The scenario file for a plan, with the verdicts to expect (variant, verdict) in [expect]; with
// none, `upstream = "incomplete"` stands there for the parser (a run fills them in). Valid TOML
// for the perf model whenever the plan has a lane; a lane the model lacks is a commented TODO.
std::string scenario_toml(const Report &report, const Paths &paths, const Synthesis &plan,
			  const std::vector<std::pair<std::string, std::string>> &expect = {},
			  const std::string &origin = "");

}  // namespace perfmc::kcsan
