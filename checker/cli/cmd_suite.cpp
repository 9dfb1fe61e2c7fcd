// perfmc suite [DIR]: every scenario under every variant it names, compared with its expectation.
#include <cerrno>
#include <cstring>
#include <iterator>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "checker/api.h"
#include "checker/cli/cli.h"
#include "checker/cli/workers.h"
#include "checker/diagnostic.h"

namespace perfmc {

namespace {
struct SuiteOptions {
	std::string dir = default_scenario_dir();
	bool json = false, times = false;
	int jobs = 1;
	std::string junit;  // --junit FILE: the results as JUnit XML for a CI's test report
};

struct Task {
	Scenario scenario;
	std::string variant, expected;
};

nlohmann::json run_task(const Task &t)
{
	RunOptions ro;
	ro.variant = t.variant;
	RunResult r = run_scenario(t.scenario, ro, t.scenario.name);
	return {{"scenario", t.scenario.name},
		{"model", t.scenario.model},
		{"variant", t.variant},
		{"expected", t.expected},
		{"verdict", verdict_name(r.verdict)},
		{"ok", t.expected == verdict_name(r.verdict)},
		{"executions", r.sim.executions},
		{"elapsed_ms", r.sim.elapsed_ms},
		{"replay_command", r.replay_command}};
}

/* --jobs N: tasks dealt round-robin to N processes; rows come back in task order */
std::vector<nlohmann::json> run_tasks(const std::vector<Task> &tasks, int jobs)
{
	std::vector<nlohmann::json> rows(tasks.size());
	if (jobs <= 1) {
		for (size_t i = 0; i < tasks.size(); i++)
			rows[i] = run_task(tasks[i]);
		return rows;
	}
	std::vector<std::string> outputs = run_in_processes(jobs, [&](int k) {
		nlohmann::json mine = nlohmann::json::object();
		for (size_t i = static_cast<size_t>(k); i < tasks.size(); i += static_cast<size_t>(jobs))
			mine[std::to_string(i)] = run_task(tasks[i]);
		return mine.dump();
	});
	for (const std::string &text : outputs) {
		const nlohmann::json part = nlohmann::json::parse(text);  // named: items() refers to it
		for (const auto &[index, row] : part.items())
			rows[std::stoul(index)] = row;
	}
	return rows;
}

/*
 * One <testcase> per run, named "scenario [variant]", in a <testsuite> per model; a deviation is a
 * <failure> whose text gives the replay command when there is one.
 */
void write_junit(const std::string &path, const std::vector<nlohmann::json> &rows)
{
	pugi::xml_document doc;
	pugi::xml_node decl = doc.append_child(pugi::node_declaration);
	decl.append_attribute("version") = "1.0";
	decl.append_attribute("encoding") = "UTF-8";
	pugi::xml_node suites = doc.append_child("testsuites");
	suites.append_attribute("name") = "perfmc suite";
	std::map<std::string, pugi::xml_node> by_model;
	std::map<std::string, std::pair<int, double>> counts;  // failures, seconds
	for (const nlohmann::json &row : rows) {
		const std::string model = row.value("model", "perf");
		auto it = by_model.find(model);
		if (it == by_model.end()) {
			pugi::xml_node s = suites.append_child("testsuite");
			s.append_attribute("name") = model.c_str();
			it = by_model.emplace(model, s).first;
		}
		const double seconds = row["elapsed_ms"].get<double>() / 1000.0;
		pugi::xml_node c = it->second.append_child("testcase");
		c.append_attribute("classname") = ("perfmc." + model).c_str();
		c.append_attribute("name") =
			fmt::format("{} [{}]", row["scenario"].get<std::string>(), row["variant"].get<std::string>()).c_str();
		c.append_attribute("time") = fmt::format("{:.3f}", seconds).c_str();
		counts[model].second += seconds;
		const std::string expected = row["expected"], got = row["verdict"];
		if (!row["ok"].get<bool>()) {
			counts[model].first++;
			pugi::xml_node f = c.append_child("failure");
			f.append_attribute("message") = fmt::format("expected {}, got {}", expected, got).c_str();
			f.append_attribute("type") = "deviation";
			std::string replay = row["replay_command"];
			f.text() = fmt::format("expected {}, got {} in {} executions{}", expected, got,
					       row["executions"].get<uint64_t>(), replay.empty() ? "" : "\nreplay: " + replay)
					   .c_str();
		}
		c.append_child("system-out").text() =
			fmt::format("{} in {} executions", got, row["executions"].get<uint64_t>()).c_str();
	}
	for (auto &[model, node] : by_model) {
		int tests = static_cast<int>(std::distance(node.children("testcase").begin(), node.children("testcase").end()));
		node.append_attribute("tests") = tests;
		node.append_attribute("failures") = counts[model].first;
		node.append_attribute("errors") = 0;
		node.append_attribute("time") = fmt::format("{:.3f}", counts[model].second).c_str();
	}
	if (!doc.save_file(path.c_str(), "  "))
		throw InputError(Diagnostic{path, 0, 0, fmt::format("cannot write the JUnit file: {}", std::strerror(errno)),
					    "give --junit a writable path"});
}

int run_suite(const SuiteOptions &o, std::ostream &out)
{
	std::vector<Task> tasks;
	for (const std::string &file : scenario_files(o.dir)) {
		Scenario scenario = load_scenario_file(file, model_registries());
		for (const auto &[variant, expected] : scenario.expect)
			tasks.push_back(Task{scenario, variant, expected});
	}
	nlohmann::json rows = nlohmann::json::array();
	int deviations = 0, runs = 0;
	if (!o.json)
		out << fmt::format("{:<36} {:<22} {:<10} {:<10} {:>10}{}\n", "scenario", "variant", "expected", "got",
				   "executions", o.times ? "       time" : "");
	const std::vector<nlohmann::json> results = run_tasks(tasks, o.jobs);
	if (!o.junit.empty())
		write_junit(o.junit, results);
	for (const nlohmann::json &row : results) {
		bool ok = row["ok"];
		deviations += !ok;
		runs++;
		if (o.json)
			rows.push_back(row);
		else
			out << fmt::format("{:<36} {:<22} {:<10} {:<10} {:>10}{}{}\n", row["scenario"].get<std::string>(),
					   row["variant"].get<std::string>(), row["expected"].get<std::string>(),
					   row["verdict"].get<std::string>(), row["executions"].get<uint64_t>(),
					   o.times ? fmt::format(" {:>8.1f} ms", row["elapsed_ms"].get<double>()) : "",
					   ok ? "" : "  DEVIATION");
	}
	if (o.json)
		out << nlohmann::json{{"runs", runs}, {"deviations", deviations}, {"results", rows}}.dump(2) << "\n";
	else
		out << fmt::format("\n{} runs, {} as expected, {} deviations\n", runs, runs - deviations, deviations);
	return deviations ? kExitViolation : kExitOk;
}
}  // namespace

Verb setup_suite(CLI::App &app)
{
	auto o = std::make_shared<SuiteOptions>();
	CLI::App *cmd = app.add_subcommand(
		"suite", "Run every scenario under every variant it names and compare with its expected verdict\n"
			 "  example: perfmc suite\n"
			 "  exit status: 0 every verdict as expected, 1 a deviation, 2 bad input");
	cmd->add_option("dir", o->dir, "scenario directory (default: the shipped scenarios)");
	cmd->add_flag("--json", o->json, "print the results as JSON");
	cmd->add_flag("--times", o->times, "add each run's time to the table");
	cmd->add_option("--jobs", o->jobs, "run scenarios in N processes")->check(CLI::Range(1, 64));
	cmd->add_option("--junit", o->junit, "also write the results as JUnit XML to FILE (one testcase per scenario and variant)");
	return Verb{cmd, [o](std::ostream &out, std::ostream &) { return run_suite(*o, out); }};
}

}  // namespace perfmc
