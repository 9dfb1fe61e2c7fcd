// perfmc kcsan REPORT: pasted KCSAN reports in, an answer for each out (checker/triage.h).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checker/cli/cli.h"
#include "checker/cli/signals.h"
#include "checker/diagnostic.h"
#include "checker/triage.h"

namespace perfmc {

namespace {
struct KcsanOptions {
	std::string file, dir = default_scenario_dir(), proof, emit;
	bool parse_only = false, json = false, verbose = false;
};

std::string read_input(const std::string &file)
{
	if (file == "-")
		return std::string(std::istreambuf_iterator<char>(std::cin), {});
	return read_input_file(file, "report file", "give the path of a text file holding a KCSAN report, or - for standard input");
}

// Reports may hold any bytes: invalid UTF-8 is replaced (U+FFFD) rather than thrown on.
std::string dump(const nlohmann::json &j) { return j.dump(2, ' ', false, kJsonReplace); }

nlohmann::json diagnostic_json(const Diagnostic &d)
{
	return {{"file", d.file}, {"line", d.line}, {"column", d.column}, {"message", d.message}, {"hint", d.hint},
		{"text", d.str()}};
}

// --json: errors are a JSON object on stdout too, so that a script reading stdout sees them.
int json_error(const InputError &e, std::ostream &out, std::ostream &err)
{
	nlohmann::json diagnostics = nlohmann::json::array();
	for (const Diagnostic &d : e.diagnostics())
		diagnostics.push_back(diagnostic_json(d));
	out << dump(nlohmann::json{{"error", e.diagnostics().empty() ? std::string(e.what()) : e.diagnostics().front().message},
				   {"diagnostics", diagnostics}})
	    << "\n";
	err << e.str();
	return kExitInput;
}

// --emit-scenario FILE: the scenario built from each perf report, the first in FILE, the k-th
// (k > 1) in FILE's stem + "-k" + its extension. Its `name` is the file's stem, as `perfmc run`
// wants it.
void emit_scenarios(const std::string &file, const std::vector<Answer> &answers)
{
	std::filesystem::path path(file);
	size_t k = 0;
	for (const Answer &a : answers) {
		if (a.same_as || a.scenario_text.empty())
			continue;
		std::filesystem::path target = path;
		if (++k > 1)
			target.replace_filename(fmt::format("{}-{}{}", path.stem().string(), k, path.extension().string()));
		std::string text = a.scenario_text;
		std::string stem = target.stem().string();
		std::string line = fmt::format("name = \"{}\"\n", a.synthesis.name);
		if (size_t at = text.find(line); at != std::string::npos)
			text.replace(at, line.size(), fmt::format("name = \"{}\"\n", stem));
		std::ofstream out(target, std::ios::binary);
		if (!(out << text))
			throw InputError(Diagnostic{target.string(), 0, 0, "cannot write the scenario file",
						    "give --emit-scenario a path in a directory you can write"});
	}
}

int run_kcsan(const KcsanOptions &o, std::ostream &out, std::ostream &err)
{
	std::string text;
	try {
		text = read_input(o.file);
	} catch (const InputError &e) {
		if (o.json)
			return json_error(e, out, err);
		throw;
	}
	kcsan::ParseResult parsed = kcsan::parse_all(text, o.file);
	if (parsed.reports.empty()) {
		InputError e(parsed.errors);
		if (o.json)
			return json_error(e, out, err);
		throw e;
	}
	for (const Diagnostic &d : parsed.errors)
		err << d.str();
	const int broken = parsed.errors.empty() ? kExitOk : kExitInput;
	if (o.parse_only) {
		if (o.json) {
			nlohmann::json j = kcsan::to_json(parsed.reports);
			for (const Diagnostic &d : parsed.errors)
				j.push_back({{"line", d.line}, {"error", d.message}, {"diagnostic", diagnostic_json(d)}});
			out << dump(j) << "\n";
		} else {
			out << kcsan::format_text(parsed.reports);
		}
		return broken;
	}
	StopOnSignal stop_on_signal;  // SIGINT/SIGTERM end a scenario's search early: its answer is incomplete
	TriageOptions options{o.dir, o.file, o.proof};
	std::vector<Answer> answers;
	for (size_t i = 0; i < parsed.reports.size(); i++) {
		const kcsan::Report &report = parsed.reports[i];
		/* a page that quotes the same report twice (syzbot's does) is answered once */
		size_t same = 0;
		while (same < i && !(parsed.reports[same].title == report.title &&
				     parsed.reports[same].accesses == report.accesses))
			same++;
		if (same < i) {
			Answer a;
			a.report = report;
			a.index = i;
			a.same_as = same;
			a.verdict = answers[same].verdict;
			answers.push_back(a);
			continue;
		}
		answers.push_back(triage(report, i, options));
	}
	// answers and broken reports, in file order
	struct Item {
		int line;
		const Answer *answer;
		const Diagnostic *error;
	};
	std::vector<Item> items;
	for (const Answer &a : answers)
		items.push_back({a.report.line, &a, nullptr});
	for (const Diagnostic &d : parsed.errors)
		items.push_back({d.line, nullptr, &d});
	std::stable_sort(items.begin(), items.end(), [](const Item &a, const Item &b) { return a.line < b.line; });
	if (!o.proof.empty()) {
		std::ofstream proof(o.proof, std::ios::binary);
		if (!proof)
			throw InputError(Diagnostic{o.proof, 0, 0, "cannot write the proof file",
						    "give --proof a path in a directory you can write"});
		for (const Answer &a : answers)
			proof << format_answer(a, options, true) << "\n";
	}
	if (!o.emit.empty())
		emit_scenarios(o.emit, answers);
	if (o.json) {
		nlohmann::json all = nlohmann::json::array();
		for (const Item &item : items) {
			if (item.answer)
				all.push_back(answer_json(*item.answer, options));
			else
				all.push_back({{"line", item.error->line}, {"error", item.error->message},
					       {"diagnostic", diagnostic_json(*item.error)}});
		}
		out << dump(all) << "\n";
	} else {
		bool first = true;
		for (const Item &item : items) {
			if (!first)
				out << "\n";
			first = false;
			if (item.answer)
				out << format_answer(*item.answer, options, o.verbose);
			else
				out << fmt::format("KCSAN report at line {}: not read: {}\n", item.error->line, item.error->message);
		}
	}
	return broken != kExitOk ? broken : answers_exit_status(answers);
}
}  // namespace

Verb setup_kcsan(CLI::App &app)
{
	auto o = std::make_shared<KcsanOptions>();
	CLI::App *cmd = app.add_subcommand(
		"kcsan", "Triage pasted KCSAN reports: is it perf's, which field, the two kernel paths and their locks,\n"
			 "  a scenario built from those paths (or a shipped one that runs them) run under upstream and\n"
			 "  every variant: reproduced on the report's paths with its verdict, or the frame the model lacks\n"
			 "  example: perfmc kcsan mail.txt        (a syzbot mail, a reply quoting it, a dmesg log)\n"
			 "  exit status: 0 benign, pass, not modelled, not reproduced or not perf; 1 harmful; 2 bad\n"
			 "  input (no report, or a report that could not be read: the others are still answered); 4 a\n"
			 "  search that did not finish (SIGINT/SIGTERM, or the time budget)");
	cmd->add_option("report", o->file, "file holding one or more KCSAN reports, or - for standard input")->required();
	cmd->add_option("--scenarios", o->dir, "scenario directory");
	cmd->add_flag("--parse-only", o->parse_only, "only print the parsed structure of the report(s)");
	cmd->add_flag("--json", o->json, "print the answers as JSON (errors too, as a JSON object)");
	cmd->add_flag("--verbose", o->verbose, "print the full answer: parser notes, both fields, the paths, the proof");
	cmd->add_option("--proof", o->proof, "also write the full answers (as --verbose prints them) to this file");
	cmd->add_option("--emit-scenario", o->emit,
			"write the scenario built from the report to this file (name = its stem), to run with\n"
			"  perfmc run FILE or to complete where the model lacks a path; with several reports the\n"
			"  k-th goes to STEM-k.toml");
	return Verb{cmd, [o](std::ostream &out, std::ostream &err) { return run_kcsan(*o, out, err); }};
}

}  // namespace perfmc
