// `perfmc show`: the scenario as the checker understood it, after defaults and name resolution,
// so a kernel developer can check the setup against the hazard before reading any verdict.
#include "checker/scenario/scenario.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace perfmc {

namespace {

// Greedy word wrap; the summary is already one paragraph with single spaces.
std::string wrap(const std::string &text, std::string_view indent, size_t width)
{
	std::string out, line;
	size_t start = 0;
	while (start < text.size()) {
		size_t end = text.find(' ', start);
		if (end == std::string::npos)
			end = text.size();
		std::string_view word(text.data() + start, end - start);
		if (!line.empty() && indent.size() + line.size() + 1 + word.size() > width) {
			out += fmt::format("{}{}\n", indent, line);
			line.clear();
		}
		if (!line.empty())
			line += ' ';
		line += word;
		start = end + 1;
	}
	if (!line.empty())
		out += fmt::format("{}{}\n", indent, line);
	return out;
}

// Ops as the registry spells them, whatever spacing the file used.
std::string op_text(const Op &op)
{
	if (op.is_call)
		return fmt::format("call {}", op.text);
	if (op.args.empty())
		return op.name;
	std::vector<std::string> args;
	for (const auto &a : op.args)
		args.push_back(a.text);
	return fmt::format("{}({})", op.name, fmt::join(args, ", "));
}

std::string describe_event(const Scenario &s, const EventSpec &e, int index)
{
	std::string out = fmt::format("in {}, {}", s.contexts.at(e.context).name, e.state);
	out += e.leader == index ? ", group leader" : fmt::format(", in {}'s group", s.events.at(e.leader).name);
	if (e.mapped)
		out += ", mapped";
	if (!e.attr.empty()) {
		out += ", attr";
		for (const auto &[bit, value] : e.attr)
			out += fmt::format(" {}={}", bit, value);
	}
	return out;
}

}  // namespace

std::string describe(const Scenario &s)
{
	std::string out = fmt::format("scenario {}", s.name);
	if (!s.file.empty())
		out += fmt::format("  ({})", s.file);
	out += fmt::format("\n{}\n", wrap(s.summary, "  ", 78));

	if (s.model != "perf")
		out += fmt::format("{:<12}{}\n", "model", s.model);
	for (const auto &c : s.covers)
		out += fmt::format("{:<12}{}\n", "covers", c);
	for (const auto &r : s.references)
		out += fmt::format("{:<12}{}\n", "reference", r);
	out += fmt::format("{:<12}{}\n\n", "invariants", fmt::join(s.invariants, ", "));

	out += fmt::format("setup: perf_clock() advances {} ns per read\n", s.tick);
	size_t width = 0;
	for (const auto &c : s.contexts)
		width = std::max(width, c.name.size());
	for (const auto &e : s.events)
		width = std::max(width, e.name.size());
	for (const auto &c : s.contexts) {
		std::string what = c.cpu ? fmt::format("CPU {} context", *c.cpu) : fmt::format("task {} context", c.task.value_or("?"));
		if (c.running_on)
			what += fmt::format(", running on CPU {}", *c.running_on);
		else if (c.task)
			what += ", not running";
		out += fmt::format("  context {:<{}}  {}\n", c.name, width, what);
	}
	for (size_t i = 0; i < s.events.size(); i++)
		out += fmt::format("  event   {:<{}}  {}\n", s.events[i].name, width,
		                   describe_event(s, s.events[i], static_cast<int>(i)));
	if (!s.setup_ops.empty()) {
		out += "  then, on CPU 0 before the lanes start:\n";
		for (size_t i = 0; i < s.setup_ops.size(); i++)
			out += fmt::format("    {}. {}  {}\n", i + 1, op_text(s.setup_ops[i]), s.setup_ops[i].summary);
	}
	out += "\n";

	for (const auto &lane : s.lanes) {
		out += fmt::format("CPU {} ({}): {}\n", lane.cpu, lane.in, lane.name);
		size_t op_width = 0;
		for (const auto &op : lane.ops)
			op_width = std::max(op_width, op_text(op).size());
		for (size_t i = 0; i < lane.ops.size(); i++) {
			std::string line = fmt::format("  {}. {:<{}}  {}", i + 1, op_text(lane.ops[i]), op_width, lane.ops[i].summary);
			line.erase(line.find_last_not_of(' ') + 1);
			out += line + "\n";
		}
	}
	out += "\n";

	size_t variant_width = 0;
	for (const auto &[variant, verdict] : s.expect)
		variant_width = std::max(variant_width, variant.size());
	out += "expect\n";
	for (const auto &[variant, verdict] : s.expect)
		out += fmt::format("  {:<{}}  {}\n", variant, variant_width, verdict);

	out += fmt::format("\nsearch: {}", s.search.mode);
	if (s.search.bound)
		out += fmt::format(", bound {}", *s.search.bound);
	if (s.search.iterations)
		out += fmt::format(", {} iterations", *s.search.iterations);
	if (s.search.seed)
		out += fmt::format(", seed {}", *s.search.seed);
	if (s.search.pct)
		out += fmt::format(", PCT depth {}", *s.search.pct);
	return out + "\n";
}

}  // namespace perfmc
