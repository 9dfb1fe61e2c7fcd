// Is a KCSAN report perf's (issue 16 item 1)? The racing access is where each stack begins (KCSAN's
// own frames already left out by the parser); its file names the subsystem. A report is perf's when
// either access lies in perf: kernel/events/, the PMU drivers (arch/*/events/, drivers/perf/),
// include/linux/perf_event.h, or, in a stack without file names, a function perf's code or the
// model knows. Generic code (include/, lib/) is looked through to the first frame that says more.
#pragma once

#include <string>
#include <vector>

#include "checker/kcsan/report.h"

namespace perfmc::kcsan {

struct AccessScope {
	std::string subsystem;  // "perf", "net", "mm", "io_uring", ...; "" when nothing tells
	std::string evidence;   // "perf_event_update_time() in kernel/events/core.c"
	std::string function;   // the frame that told: "perf_event_update_time"
	std::string file;       // its file, or "" when its name told
	bool from_names = false;  // no frame carried a file: told by the function's name
};

struct Scope {
	bool perf = false;
	std::string subsystem;             // the report's: "perf" when perf, else the first access's that
	                                   // is known, else ""
	std::string summary;               // one line for people
	std::vector<AccessScope> accesses; // per access
};

// The subsystem a kernel source path belongs to ("net/ipv4/tcp.c" -> "net"), "" for generic code
// and paths perfmc does not know.
std::string subsystem_of_path(const std::string &file);

// perf_functions: functions known to be perf's besides those with a file under kernel/events (the
// model's functions and ops; triage passes them).
Scope classify(const Report &report, const std::vector<std::string> &perf_functions = {});

}  // namespace perfmc::kcsan
