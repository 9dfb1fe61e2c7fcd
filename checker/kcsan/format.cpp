// Printing parsed KCSAN reports: a text dump for people (`perfmc kcsan --parse-only`) and JSON
// for machines. Neither depends on anything but the reports, so equal reports print equal bytes.
#include "checker/kcsan/report.h"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace perfmc::kcsan {

namespace {

// KCSAN zero-pads the value change to the size of the access it watched, which is the one it
// prints second (print_report(): "%0*llx" with ai->size * 2).
int value_digits(const Report &report)
{
	int size = report.accesses.empty() ? 8 : report.accesses.back().size;
	return size >= 1 && size <= 8 ? 2 * size : 16;
}

std::string hex_value(uint64_t value, int digits) { return fmt::format("0x{:0{}x}", value, digits); }

uint64_t parse_hex_value(const std::string &text)
{
	uint64_t value = 0;
	const char *first = text.data() + (text.starts_with("0x") ? 2 : 0);
	const char *last = text.data() + text.size();
	auto [end, error] = std::from_chars(first, last, value, 16);
	if (error != std::errc() || end != last || first == last)
		throw std::invalid_argument(fmt::format("expected a hexadecimal value like 0x38c145, got '{}'", text));
	return value;
}

// nlohmann's dump() throws on bytes that are not UTF-8, and a pasted report may hold any bytes:
// replace each bad sequence with U+FFFD. The ranges are RFC 3629's, as strict as dump() is.
std::string valid_utf8(std::string_view s)
{
	std::string out;
	out.reserve(s.size());
	for (size_t i = 0; i < s.size();) {
		auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
		unsigned char c = byte(i);
		size_t length = 0;
		unsigned char low = 0x80, high = 0xbf;  // the allowed range of the second byte
		if (c < 0x80)
			length = 1;
		else if (c >= 0xc2 && c <= 0xdf)
			length = 2;
		else if (c >= 0xe0 && c <= 0xef)
			length = 3, low = c == 0xe0 ? 0xa0 : 0x80, high = c == 0xed ? 0x9f : 0xbf;
		else if (c >= 0xf0 && c <= 0xf4)
			length = 4, low = c == 0xf0 ? 0x90 : 0x80, high = c == 0xf4 ? 0x8f : 0xbf;
		bool valid = length > 0 && i + length <= s.size();
		for (size_t k = 1; valid && k < length; k++) {
			unsigned char b = byte(i + k);
			valid = k == 1 ? b >= low && b <= high : b >= 0x80 && b <= 0xbf;
		}
		if (valid) {
			out.append(s.substr(i, length));
			i += length;
		} else {
			out += "\xef\xbf\xbd";
			i++;
		}
	}
	return out;
}

// "perf_mmap_rb+0x71c/0x910 [mod]": the part of a frame before its location.
std::string frame_symbol(const Frame &frame)
{
	std::string out = frame.function + frame.offset;
	if (!frame.module.empty())
		out += fmt::format(" [{}]", frame.module);
	return out;
}

// Column widths shared by every stack of a report, so that its stacks line up.
struct Columns {
	size_t number = 0;  // "#12"
	size_t symbol = 0;  // "perf_mmap_rb+0x71c/0x910"
};

Columns columns_of(const Report &report)
{
	Columns columns;
	for (const Access &access : report.accesses) {
		for (const auto *frames : {&access.stack, &access.reordered_to}) {
			if (!frames->empty())
				columns.number = std::max(columns.number, fmt::formatted_size("#{}", frames->size() - 1));
			for (const Frame &frame : *frames)
				columns.symbol = std::max(columns.symbol, frame_symbol(frame).size());
		}
	}
	return columns;
}

// "    #1   perf_mmap_rb+0x71c/0x910  kernel/events/core.c:7037"
void format_frames(std::string &out, const std::vector<Frame> &frames, const Columns &columns)
{
	for (size_t i = 0; i < frames.size(); i++) {
		const Frame &frame = frames[i];
		std::string line = fmt::format("    {:<{}}  {:<{}}", fmt::format("#{}", i), columns.number,
					       frame_symbol(frame), columns.symbol);
		if (!frame.file.empty())
			line += fmt::format("  {}:{}", frame.file, frame.line);
		if (frame.inlined)
			line += " [inline]";
		while (line.ends_with(' '))
			line.pop_back();
		out += line + "\n";
	}
}

nlohmann::json frame_json(const Frame &frame)
{
	return {
		{"function", valid_utf8(frame.function)},
		{"offset", valid_utf8(frame.offset)},
		{"file", valid_utf8(frame.file)},
		{"line", frame.line},
		{"inlined", frame.inlined},
		{"module", valid_utf8(frame.module)},
	};
}

nlohmann::json frames_json(const std::vector<Frame> &frames)
{
	nlohmann::json out = nlohmann::json::array();
	for (const Frame &frame : frames)
		out.push_back(frame_json(frame));
	return out;
}

std::vector<Frame> frames_from_json(const nlohmann::json &json)
{
	std::vector<Frame> frames;
	for (const auto &j : json) {
		Frame frame;
		frame.function = j.at("function").get<std::string>();
		frame.offset = j.at("offset").get<std::string>();
		frame.file = j.at("file").get<std::string>();
		frame.line = j.at("line").get<int>();
		frame.inlined = j.at("inlined").get<bool>();
		frame.module = j.at("module").get<std::string>();
		frames.push_back(std::move(frame));
	}
	return frames;
}

}  // namespace

std::string format_frame(const Frame &frame)
{
	std::string out = frame_symbol(frame);
	if (!frame.file.empty())
		out += fmt::format(" {}:{}", frame.file, frame.line);
	if (frame.inlined)
		out += " [inline]";
	return out;
}

std::string format_access(const Access &access)
{
	std::vector<std::string_view> flags;
	if (access.marked)
		flags.push_back("marked");
	if (access.reordered)
		flags.push_back("reordered");
	if (access.scoped)
		flags.push_back("scoped");
	std::string out = access.unknown_origin ? "race at unknown origin, with " : "";
	out += access.kind;
	if (!flags.empty())
		out += fmt::format(" ({})", fmt::join(flags, ", "));
	std::string by = access.interrupt ? "interrupt" : fmt::format("task {}", access.task_pid);
	out += fmt::format(" to {} of {} bytes by {} on cpu {}", access.address, access.size, by, access.cpu);
	return out;
}

std::string format_text(const std::vector<Report> &reports)
{
	std::string out;
	for (size_t r = 0; r < reports.size(); r++) {
		const Report &report = reports[r];
		if (r > 0)
			out += "\n";
		out += fmt::format("report {} of {}, line {}: {}{}\n", r + 1, reports.size(), report.line, report.title,
				   report.untitled ? " (no title line: named from the stacks)" : "");
		Columns columns = columns_of(report);
		for (size_t a = 0; a < report.accesses.size(); a++) {
			const Access &access = report.accesses[a];
			out += fmt::format("  access {}: {}\n", a + 1, format_access(access));
			format_frames(out, access.stack, columns);
			if (access.kcsan_frames > 0)
				out += fmt::format("    ({} KCSAN-internal frame{} left out)\n", access.kcsan_frames,
						   access.kcsan_frames == 1 ? "" : "s");
			if (!access.reordered_to.empty()) {
				out += "    reordered to:\n";
				format_frames(out, access.reordered_to, columns);
			}
		}
		if (report.value_changed) {
			int digits = value_digits(report);
			out += fmt::format("  value changed: {} -> {}\n", hex_value(report.value_changed->first, digits),
					   hex_value(report.value_changed->second, digits));
		} else {
			out += "  value changed: (not reported)\n";
		}
		out += fmt::format("  reported on: {}\n", report.reported_on.empty() ? "(not reported)" : report.reported_on);
		out += fmt::format("  hardware: {}\n", report.hardware.empty() ? "(not reported)" : report.hardware);
		for (const std::string &note : report.notes)
			out += fmt::format("  note: {}\n", note);
	}
	return out;
}

nlohmann::json to_json(const std::vector<Report> &reports)
{
	nlohmann::json out = nlohmann::json::array();
	for (const Report &report : reports) {
		nlohmann::json accesses = nlohmann::json::array();
		for (const Access &access : report.accesses) {
			accesses.push_back({
				{"kind", valid_utf8(access.kind)},
				{"marked", access.marked},
				{"reordered", access.reordered},
				{"scoped", access.scoped},
				{"address", valid_utf8(access.address)},
				{"size", access.size},
				{"task_pid", access.task_pid},
				{"interrupt", access.interrupt},
				{"cpu", access.cpu},
				{"stack", frames_json(access.stack)},
				{"reordered_to", frames_json(access.reordered_to)},
				{"unknown_origin", access.unknown_origin},
				{"kcsan_frames", access.kcsan_frames},
			});
		}
		nlohmann::json title_functions = nlohmann::json::array();
		for (const std::string &function : report.title_functions)
			title_functions.push_back(valid_utf8(function));
		nlohmann::json notes = nlohmann::json::array();
		for (const std::string &note : report.notes)
			notes.push_back(valid_utf8(note));
		nlohmann::json value_changed = nullptr;
		if (report.value_changed) {
			int digits = value_digits(report);
			value_changed = {{"old", hex_value(report.value_changed->first, digits)},
					 {"new", hex_value(report.value_changed->second, digits)}};
		}
		out.push_back({
			{"title", valid_utf8(report.title)},
			{"bug_type", valid_utf8(report.bug_type)},
			{"title_functions", title_functions},
			{"accesses", accesses},
			{"value_changed", value_changed},
			{"reported_on", valid_utf8(report.reported_on)},
			{"hardware", valid_utf8(report.hardware)},
			{"line", report.line},
			{"untitled", report.untitled},
			{"notes", notes},
		});
	}
	return out;
}

std::vector<Report> reports_from_json(const nlohmann::json &json)
{
	std::vector<Report> reports;
	for (const auto &j : json) {
		Report report;
		report.title = j.at("title").get<std::string>();
		report.bug_type = j.at("bug_type").get<std::string>();
		report.title_functions = j.at("title_functions").get<std::vector<std::string>>();
		for (const auto &a : j.at("accesses")) {
			Access access;
			access.kind = a.at("kind").get<std::string>();
			access.marked = a.at("marked").get<bool>();
			access.reordered = a.at("reordered").get<bool>();
			access.scoped = a.at("scoped").get<bool>();
			access.address = a.at("address").get<std::string>();
			access.size = a.at("size").get<int>();
			access.task_pid = a.at("task_pid").get<int>();
			access.interrupt = a.at("interrupt").get<bool>();
			access.cpu = a.at("cpu").get<int>();
			access.stack = frames_from_json(a.at("stack"));
			access.reordered_to = frames_from_json(a.at("reordered_to"));
			access.unknown_origin = a.at("unknown_origin").get<bool>();
			access.kcsan_frames = a.value("kcsan_frames", 0);
			report.accesses.push_back(std::move(access));
		}
		const auto &value_changed = j.at("value_changed");
		if (!value_changed.is_null())
			report.value_changed = {parse_hex_value(value_changed.at("old").get<std::string>()),
						parse_hex_value(value_changed.at("new").get<std::string>())};
		report.reported_on = j.at("reported_on").get<std::string>();
		report.hardware = j.at("hardware").get<std::string>();
		report.line = j.at("line").get<int>();
		report.untitled = j.value("untitled", false);
		report.notes = j.value("notes", std::vector<std::string>{});
		reports.push_back(std::move(report));
	}
	return reports;
}

}  // namespace perfmc::kcsan
