// What the KCSAN parser tests share: their inputs (the seed report, read from the syzbot page
// in data/ at test time; hand-written reports in data/) and a comparison of reports that names the field
// that differs.
#pragma once

#include "checker/diagnostic.h"
#include "checker/kcsan/report.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace perfmc::kcsan::test {

inline std::string read_file(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	INFO("reading " << path);
	REQUIRE(in);
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

inline std::vector<std::string> split_lines(const std::string &text)
{
	std::vector<std::string> lines;
	std::istringstream in(text);
	for (std::string line; std::getline(in, line);)
		lines.push_back(line);
	return lines;
}

inline std::string join_lines(const std::vector<std::string> &lines, const std::string &end = "\n")
{
	std::string text;
	for (const auto &line : lines)
		text += line + end;
	return text;
}

// The syzbot job page of the seed report (seed 000): its header, the crash report, then a step
// that quotes the report again between lines of prose.
inline std::string seed_page()
{
	return read_file(PERFMC_SOURCE_DIR "/tests/kcsan/data/syzbot-perf_event_set_state-perf_mmap_rb.txt");
}

// The seed's report alone: its first '====' line to the next one, both included.
inline std::string seed_report()
{
	std::vector<std::string> report;
	for (const auto &line : split_lines(seed_page())) {
		bool rule = line.starts_with("==========");
		if (rule || !report.empty())
			report.push_back(line);
		if (rule && report.size() > 1)
			break;
	}
	REQUIRE(report.size() > 60);
	return join_lines(report);
}

// The 1-based line of the first line of text that contains part, or 0.
inline int line_of(const std::string &text, const std::string &part)
{
	std::vector<std::string> lines = split_lines(text);
	for (size_t i = 0; i < lines.size(); i++)
		if (lines[i].find(part) != std::string::npos)
			return static_cast<int>(i) + 1;
	return 0;
}

inline std::string data_file(const std::string &name)
{
	return read_file(PERFMC_SOURCE_DIR "/tests/kcsan/data/" + name);
}

// "BUG: KCSAN: data-race in PAIR" and the blank line after it.
inline std::string seed_title_of(const std::string &pair) { return "BUG: KCSAN: data-race in " + pair + "\n\n"; }

inline Report parse_one(const std::string &text, const std::string &filename = "report.txt")
{
	std::vector<Report> reports = parse_reports(text, filename);
	REQUIRE(reports.size() == 1);
	return reports[0];
}

inline void check_same_frames(const std::vector<Frame> &actual, const std::vector<Frame> &expected)
{
	REQUIRE(actual.size() == expected.size());
	for (size_t i = 0; i < actual.size(); i++) {
		INFO("frame #" << i);
		CHECK(format_frame(actual[i]) == format_frame(expected[i]));
		CHECK(actual[i] == expected[i]);
	}
}

// Equal in every field but the line of the title, which moves when text is added before it, and
// the parser's notes, which say how the text was quoted.
inline void check_same_report(const Report &actual, const Report &expected)
{
	CHECK(actual.title == expected.title);
	CHECK(actual.bug_type == expected.bug_type);
	CHECK(actual.title_functions == expected.title_functions);
	REQUIRE(actual.accesses.size() == expected.accesses.size());
	for (size_t a = 0; a < actual.accesses.size(); a++) {
		INFO("access " << a);
		const Access &x = actual.accesses[a];
		const Access &y = expected.accesses[a];
		CHECK(format_access(x) == format_access(y));
		CHECK(x.kind == y.kind);
		CHECK(x.marked == y.marked);
		CHECK(x.reordered == y.reordered);
		CHECK(x.scoped == y.scoped);
		CHECK(x.address == y.address);
		CHECK(x.size == y.size);
		CHECK(x.task_pid == y.task_pid);
		CHECK(x.interrupt == y.interrupt);
		CHECK(x.cpu == y.cpu);
		CHECK(x.unknown_origin == y.unknown_origin);
		check_same_frames(x.stack, y.stack);
		check_same_frames(x.reordered_to, y.reordered_to);
	}
	CHECK(actual.value_changed == expected.value_changed);
	CHECK(actual.reported_on == expected.reported_on);
	CHECK(actual.hardware == expected.hardware);
	// A field added to the structures later but not above still has to match.
	Report same_line = actual;
	same_line.line = expected.line;
	same_line.notes = expected.notes;
	CHECK(same_line == expected);
}

}  // namespace perfmc::kcsan::test
