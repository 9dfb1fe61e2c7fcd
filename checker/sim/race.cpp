/*
 * Race reports in KCSAN's shape (kernel/kcsan/report.c): the title names the first non-inlined
 * function of each access, sorted so the title is stable; then each access with its model call
 * stack, innermost first; then the value change when there was one.
 */
#include <fmt/format.h>

#include "checker/sim/runner.h"

namespace sim {

const char *marking_name(Marking marking)
{
	switch (marking) {
	case Marking::Plain: return "plain";
	case Marking::Once: return "marked";
	case Marking::Atomic: return "atomic";
	case Marking::DataRace: return "data_race";
	}
	return "?";
}

const char *access_type_name(AccessType type)
{
	switch (type) {
	case AccessType::Read: return "read";
	case AccessType::Write: return "write";
	case AccessType::ReadWrite: return "read-write";
	}
	return "?";
}

/* KCSAN's title uses the symbol of the frame, which for an inlined function is its caller's */
static std::string title_function(const std::vector<FrameInfo> &stack)
{
	for (const FrameInfo &f : stack)
		if (!f.inlined)
			return f.function;
	return stack.empty() ? std::string("<unknown>") : stack.back().function;
}

std::string Race::title() const
{
	std::string a = title_function(second.stack), b = title_function(first.stack);
	if (b < a)
		std::swap(a, b);
	return "data-race in " + a + " / " + b;
}

std::string Race::key() const
{
	std::string k = field;
	for (const AccessInfo *a : {&first, &second}) {
		k += fmt::format("|{}:{}:", access_type_name(a->type), marking_name(a->marking));
		for (const FrameInfo &f : a->stack)
			k += f.function + ",";
	}
	return k;
}

static std::string format_access(const AccessInfo &a, const std::string &field,
				  const std::vector<std::string> &lane_names)
{
	std::string kind = access_type_name(a.type);
	if (a.marking == Marking::Once || a.marking == Marking::Atomic)
		kind += " (marked)";
	std::string who = fmt::format("cpu{}", a.cpu);
	if (a.lane >= 0 && a.lane < static_cast<int>(lane_names.size()) && !lane_names[a.lane].empty())
		who += " (" + lane_names[a.lane] + ")";
	std::string out = fmt::format("{} to {} of {} bytes by {}:\n", kind, field, a.size, who);
	for (const FrameInfo &f : a.stack) {
		out += " " + f.function;
		if (f.line > 0)
			out += fmt::format(" {}:{}", f.file, f.line);
		if (f.inlined)
			out += " [inline]";
		out += "\n";
	}
	return out;
}

std::string format_race(const Race &race, const std::vector<std::string> &lane_names)
{
	std::string out = "BUG: KCSAN: " + race.title() + "\n\n";
	out += format_access(race.second, race.field, lane_names) + "\n";
	out += format_access(race.first, race.field, lane_names);
	/* the value the reading side saw change, as KCSAN's watchpoint does */
	const AccessInfo &writer = race.second.type != AccessType::Read ? race.second : race.first;
	if (writer.type != AccessType::Read && writer.old_value != writer.new_value)
		out += fmt::format("\nvalue changed: 0x{:016x} -> 0x{:016x}\n", writer.old_value, writer.new_value);
	return out;
}

}  // namespace sim
