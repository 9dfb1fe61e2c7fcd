// Which field a KCSAN report races on (issue 16 item 2), named as KCSAN users say it:
// `event->tstamp`, `ctx->pin_count`, `perf_event_mmap_page.time_running`.
//
// Two sources, both data in fields.cpp:
//  - what kernel/events/core.c reads and writes, line by line, at the modelled tree
//    (AOSC-Tracking/ubuntu-linux-unstable 12f24484da13, read with the search tool; the first line
//    of each function is the model's MODEL_FRAME line, the rest counted in the source);
//  - the layout of struct perf_event_mmap_page (include/uapi/linux/perf_event.h, a uapi: the
//    offsets are the same on every kernel and config). Offsets within struct perf_event depend on
//    the config and the version, so a perf_event field is named from the source line only.
//
// A report's kernel is rarely the modelled one. The line decides when it falls on a use of the
// right kind and size at 12f24484da13; otherwise the shift of the report's kernel is estimated from
// a caller frame next to it in the file (a call site the table knows), and failing that the field is
// the only one of that kind and size the function touches. The answer says which of these it was.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checker/kcsan/report.h"

namespace perfmc::kcsan {

// One use of a field, or a call, at a line of core.c at 12f24484da13.
struct FieldUse {
	int line = 0;            // 0: the function's lines are not established, only what it touches
	std::string field;       // "event->tstamp" (as KCSAN users say it); "" for a call
	std::string member;      // "perf_event.tstamp"; for a call, the callee: "__perf_update_times"
	char use = 'r';          // 'r' read, 'w' write, 'm' read-modify-write, 'c' call
	int size = 0;            // bytes
	bool marked = false;     // READ_ONCE/WRITE_ONCE/rcu_dereference: KCSAN reports "(marked)"
};

struct FunctionUses {
	std::string function;  // "perf_event_update_time"
	int first = 0, last = 0;  // core.c lines at 12f24484da13 (first: the model's MODEL_FRAME); 0: unknown
	std::vector<FieldUse> uses;
};

// The table, sorted by function name.
const std::vector<FunctionUses> &core_c_uses();
const FunctionUses *find_function(const std::string &function);

// "event_sched_in.isra.0.part.0" -> "event_sched_in": GCC's clone suffixes.
std::string base_function(const std::string &function);

// struct perf_event_mmap_page, as include/uapi/linux/perf_event.h lays it out.
struct UserPageField {
	unsigned offset;
	unsigned size;
	std::string name;  // "time_running"
};
const std::vector<UserPageField> &perf_event_mmap_page_layout();
// The field at offset with size bytes, or nothing when the access straddles fields or lies in
// __reserved.
std::optional<UserPageField> user_page_field(uint64_t offset, int size);

// The functions that write the user page (rb->user_page): their accesses' addresses lie in it.
bool writes_user_page(const std::string &function);

struct FieldAnswer {
	std::string field;                    // "event->tstamp", or "" when not named
	std::string member;                   // "perf_event.tstamp"
	std::string how;                      // "exact" (the line), "shifted" (the line, moved), "function"
	                                      // (the only one of its kind), "address" (the user page's
	                                      // offset), "other access" (the same address, named there),
	                                      // "candidates", "unknown"
	std::string explanation;              // one sentence for people
	std::vector<std::string> candidates;  // when more than one field fits
	std::string kernel_note;              // when the report's kernel differs from 12f24484da13 here
	std::string function;                 // the function the access was made in
	int line = 0;                         // its core.c line in the report
	int shift = 0;                        // report line + shift = line at 12f24484da13, when known
};

// The field one access of the report touches.
FieldAnswer name_access_field(const Report &report, size_t access);

// The racing field: both accesses together (same address, same field), or the one access.
struct RaceField {
	std::vector<FieldAnswer> accesses;  // per access
	FieldAnswer race;                   // what the race is on
};
RaceField name_race_field(const Report &report);

}  // namespace perfmc::kcsan
