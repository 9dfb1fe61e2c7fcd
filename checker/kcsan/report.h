// KCSAN reports as data: what a pasted report says (title, both accesses with their stacks, the
// value change, the machine it ran on), parsed from text as it really reaches a developer: dmesg,
// syzbot pages and mails, journalctl, commit messages. Matching a report to scenarios is not done
// here; this layer only promises a faithful structure, and diagnostics for text that is not one.
//
// The shape follows kernel/kcsan/report.c:print_report() (5.5 to 6.x) plus syzbot's symbolised
// frames ("func+0x1/0x2 file.c:12", "func file.c:10 [inline]").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "checker/diagnostic.h"

namespace perfmc::kcsan {

// One line of a stack trace, innermost first, as printed.
struct Frame {
	std::string function;  // "perf_mmap_rb"; a raw address "0xffffffff81234567" when unsymbolised
	std::string offset;    // "+0x71c/0x910", or "" for syzbot's inlined frames
	std::string file;      // "kernel/events/core.c", or "" (raw dmesg, 2019-era reports)
	int line = 0;          // 0 when there is no file:line
	bool inlined = false;  // "[inline]": the function was inlined into the next frame
	std::string module;    // "nf_tables" from "func+0x1/0x2 [nf_tables]", or ""

	bool operator==(const Frame &) const = default;
};

// One side of the race: "write (marked) to 0xffff... of 8 bytes by task 12011 on cpu 1:".
struct Access {
	std::string kind;        // "read", "write", "read-write", "assert no writes", "assert no accesses"
	bool marked = false;     // "(marked)": READ_ONCE/WRITE_ONCE/atomic
	bool reordered = false;  // "(reordered)": KCSAN's weak-memory modelling (5.17+)
	bool scoped = false;     // "(scoped)": a scoped ASSERT_EXCLUSIVE_*() (5.10-5.16 spelling)
	std::string address;     // "0xffff88812279f1a0" as printed
	int size = 0;            // bytes
	int task_pid = -1;       // -1 when "by interrupt"
	bool interrupt = false;
	int cpu = -1;
	std::vector<Frame> stack;         // innermost first, as printed
	std::vector<Frame> reordered_to;  // frames after "+-> reordered to:", if any
	bool unknown_origin = false;      // from "race at unknown origin, with ...": the only access
	int kcsan_frames = 0;             // KCSAN's own frames (kcsan_*, __tsan_*, print_report and the
	                                  // delay they run) left out of stack: an interrupt that arrived
	                                  // while KCSAN watched shows them between the two contexts

	bool operator==(const Access &) const = default;
};

struct Report {
	std::string title;                         // "data-race in perf_event_set_state / perf_mmap_rb",
	                                           // rebuilt from the parts below, so offsets are gone
	std::string bug_type;                      // "data-race" or "assert: race"
	std::vector<std::string> title_functions;  // {"perf_event_set_state", "perf_mmap_rb"}; KCSAN
	                                           // sorts them, so they need not follow access order
	std::vector<Access> accesses;              // 1 (unknown origin) or 2, in printed order
	std::optional<std::pair<uint64_t, uint64_t>> value_changed;  // old, new
	std::string reported_on;                   // "CPU: 0 UID: 0 PID: 12005 Comm: syz.4.2772 ...", trimmed
	std::string hardware;                      // the "Hardware name: " value, or ""
	int line = 0;                              // 1-based line of the title in the input (of the
	                                           // first access line when the title was not quoted)
	bool untitled = false;                     // quoted without its title line (commit messages):
	                                           // title_functions come from the stacks
	std::vector<std::string> notes;            // what the parser had to repair or leave out, for
	                                           // people: "title soft-wrapped over 2 lines", ...

	// Every function named in accesses[access].stack, inlined frames included, innermost first;
	// empty when there is no such access.
	std::vector<std::string> functions(size_t access) const;

	bool operator==(const Report &) const = default;
};

// Every KCSAN report in text, in file order, and a diagnostic for each one that is broken: one
// broken report never costs the others. Text as it reaches a maintainer is read: prefixes that logs
// and mail add to each line (dmesg timestamps and [Tnnn]/[Cn] caller ids, <N> log levels, syslog
// "kernel: ", "> ", "> > " and "| " quoting, indentation), CRLF line ends, quoted-printable bodies
// (=20, =3D, soft line breaks), format=flowed soft wraps (a title wrapped over two lines), stacks cut
// with "...", "[...]" or "<snip>", comments interleaved at another quote depth, reports quoted
// without their title line (commit messages), KCSAN's own frames (left out, see Access). Text around
// and between reports is ignored. Diagnostic positions are lines of the original text.
struct ParseResult {
	std::vector<Report> reports;
	std::vector<Diagnostic> errors;  // one per broken report, at its offending line:col; or one
	                                 // for a file with no report at all (or an empty file)
};
ParseResult parse_all(std::string_view text, const std::string &filename);

// The same, for callers that want all or nothing: throws perfmc::InputError
// (checker/diagnostic.h) carrying parse_all()'s errors when there is any.
std::vector<Report> parse_reports(std::string_view text, const std::string &filename);

// KCSAN's own code, as it shows in a stack: kernel/kcsan/*, kcsan_*, __kcsan_*, __tsan_*,
// print_report(). Such frames are never a racing function.
bool is_kcsan_internal(const Frame &frame);

// ---- printers (format.cpp); both deterministic: same reports, same bytes

// A readable structured dump, one block per report (`perfmc kcsan --parse-only FILE`).
std::string format_text(const std::vector<Report> &reports);

// A JSON array, one object per report, fields named as in these structs. Strings are made valid
// UTF-8 (U+FFFD for bad bytes) so that dump() never throws; values are hex strings ("0x38c145").
nlohmann::json to_json(const std::vector<Report> &reports);

// The inverse of to_json(), for tools that read `perfmc kcsan --json` back. Throws
// nlohmann::json::exception on JSON of another shape, std::invalid_argument on a bad hex value.
std::vector<Report> reports_from_json(const nlohmann::json &json);

// A frame as syzbot prints it: "perf_mmap_rb+0x71c/0x910 kernel/events/core.c:7037".
std::string format_frame(const Frame &frame);

// An access line as KCSAN prints it, without the colon:
// "write (marked) to 0xffff88812279f1a0 of 8 bytes by task 12011 on cpu 1".
std::string format_access(const Access &access);

}  // namespace perfmc::kcsan
