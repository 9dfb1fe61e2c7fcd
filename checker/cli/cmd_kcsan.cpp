// perfmc kcsan REPORT: a pasted KCSAN report in, a verdict and its proof out.
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
	std::string file, dir = default_scenario_dir();
	bool parse_only = false, json = false;
};

std::string read_input(const std::string &file)
{
	if (file == "-")
		return std::string(std::istreambuf_iterator<char>(std::cin), {});
	return read_input_file(file, "report file", "give the path of a text file holding a KCSAN report, or - for standard input");
}

std::string stack_summary(const kcsan::Access &a)
{
	std::string s;
	size_t n = 0;
	for (const kcsan::Frame &f : a.stack) {
		if (n++ == 5) {
			s += " <- ...";
			break;
		}
		s += (s.empty() ? "" : " <- ") + f.function;
	}
	return s;
}

int run_kcsan(const KcsanOptions &o, std::ostream &out)
{
	std::vector<kcsan::Report> reports = kcsan::parse_reports(read_input(o.file), o.file);
	/* a report's text may hold bytes that are not UTF-8: JSON output replaces them */
	auto dump = [](const nlohmann::json &j) { return j.dump(2, ' ', false, kJsonReplace); };
	if (o.parse_only) {
		if (o.json)
			out << dump(kcsan::to_json(reports)) << "\n";
		else
			out << kcsan::format_text(reports);
		return kExitOk;
	}
	StopOnSignal stop_on_signal;
	bool harmful = false, incomplete = false;
	nlohmann::json all = nlohmann::json::array();
	for (size_t i = 0; i < reports.size(); i++) {
		const kcsan::Report &report = reports[i];
		nlohmann::json j = {{"report", i + 1}, {"line", report.line}, {"title", report.title}};
		/* a page that quotes the same report twice (syzbot's does) is answered once */
		size_t same = 0;
		while (same < i && !(reports[same].title == report.title && reports[same].accesses == report.accesses))
			same++;
		if (same < i) {
			j["same_as_report"] = same + 1;
			j["verdict"] = all[same]["verdict"];
			all.push_back(j);
			if (!o.json)
				out << fmt::format("\nKCSAN report {} (line {}) is the same as report {}: {}\n", i + 1,
						   report.line, same + 1, all[same]["verdict"].get<std::string>());
			continue;
		}
		if (!o.json) {
			out << fmt::format("{}KCSAN report {} (line {}): {}\n", i ? "\n" : "", i + 1, report.line, report.title);
			for (const kcsan::Access &a : report.accesses)
				out << fmt::format("  {}\n    {}\n", kcsan::format_access(a), stack_summary(a));
		}
		std::vector<Match> matches = match_scenarios(report, o.dir);
		if (matches.empty()) {
			std::string skeleton = scenario_skeleton(report);
			j["verdict"] = "not covered";
			j["skeleton"] = skeleton;
			if (!o.json)
				out << "\nverdict: not covered: no scenario models both sides of this race\n"
				       "a scenario skeleton to complete:\n\n"
				    << skeleton;
			all.push_back(j);
			continue;
		}
		nlohmann::json runs = nlohmann::json::array();
		/* the best match is run; the others that declare the pair as well are named, to run by hand */
		std::string also;
		for (size_t m = 1; m < matches.size(); m++)
			also += " " + matches[m].scenario;
		j["also_covered_by"] = nlohmann::json::array();
		for (size_t m = 1; m < matches.size(); m++)
			j["also_covered_by"].push_back(matches[m].scenario);
		matches.resize(1);
		for (const Match &m : matches) {
			Scenario scenario = load_scenario_file(m.file, model_registries());
			RunOptions base;  // the model's base variant: upstream, or the series as posted
			RunResult r = run_scenario(scenario, base, scenario.name);
			nlohmann::json run = report_json(scenario, r);
			run["match"] = m.pair;
			nlohmann::json fixes = nlohmann::json::object();
			std::string fix_text;
			for (const auto &[variant, expected] : scenario.expect) {
				if (variant == r.variant)
					continue;
				RunOptions ro;
				ro.variant = variant;
				RunResult f = run_scenario(scenario, ro, scenario.name);
				fixes[variant] = verdict_name(f.verdict);
				fix_text += fmt::format("  --variant {}: {}\n", variant, verdict_name(f.verdict));
			}
			run["fix_variants"] = fixes;
			runs.push_back(run);
			harmful = harmful || r.verdict == Verdict::Harmful;
			incomplete = incomplete || r.verdict == Verdict::Incomplete;
			if (!o.json) {
				out << fmt::format("\ncovered by scenario {} (declares {})\n", scenario.name, m.pair);
				out << "verdict: " << verdict_name(r.verdict);
				if (r.verdict == Verdict::Benign)
					out << ": the exhaustive search under " << r.variant << " broke no invariant; the race is benign";
				else if (r.verdict == Verdict::Pass)
					out << ": under " << r.variant << " the model shows no race here";
				out << "\n\n" << format_report(scenario, r);
				if (!fix_text.empty())
					out << "\nfix variants:\n" << fix_text;
			}
		}
		if (!o.json && !also.empty())
			out << "\nalso covered by:" << also << " (perfmc run NAME)\n";
		j["verdict"] = runs[0]["verdict"];
		j["scenarios"] = runs;
		all.push_back(j);
	}
	if (o.json)
		out << dump(all) << "\n";
	return harmful ? kExitViolation : incomplete ? kExitIncomplete : kExitOk;
}
}  // namespace

Verb setup_kcsan(CLI::App &app)
{
	auto o = std::make_shared<KcsanOptions>();
	CLI::App *cmd = app.add_subcommand(
		"kcsan", "Triage a pasted KCSAN report: the scenario that covers it, benign or harmful, and the proof\n"
			 "  example: perfmc kcsan report.txt\n"
			 "  exit status: 0 benign or not covered, 1 harmful, 2 bad input (no KCSAN report in the file),\n"
			 "  4 the covering scenario's search did not finish (a random search, or SIGINT/SIGTERM)");
	cmd->add_option("report", o->file, "file holding one or more KCSAN reports, or - for standard input")->required();
	cmd->add_option("--scenarios", o->dir, "scenario directory");
	cmd->add_flag("--parse-only", o->parse_only, "only print the parsed structure of the report(s)");
	cmd->add_flag("--json", o->json, "print the result as JSON");
	return Verb{cmd, [o](std::ostream &out, std::ostream &) { return run_kcsan(*o, out); }};
}

}  // namespace perfmc
