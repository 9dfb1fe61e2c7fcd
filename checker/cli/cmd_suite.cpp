// perfmc suite [DIR]: every scenario under every variant it names, compared with its expectation.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <map>
#include <optional>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "checker/api.h"
#include "checker/cli/cli.h"
#include "checker/cli/signals.h"
#include "checker/cli/values.h"
#include "checker/cli/workers.h"
#include "checker/diagnostic.h"

namespace perfmc {

namespace {
struct SuiteOptions {
	std::string dir = default_scenario_dir();
	bool json = false, times = false;
	std::optional<std::string> jobs;
	std::string junit;  // --junit FILE: the results as JUnit XML for a CI's test report
};

struct Task {
	Scenario scenario;
	std::string variant, expected;
};

/* One run's row; "verdict": "error" when the scenario cannot run (its diagnostics in "error"). */
nlohmann::json run_task(const Task &t)
{
	nlohmann::json row = {{"scenario", t.scenario.name}, {"model", t.scenario.model}, {"variant", t.variant},
			      {"expected", t.expected}};
	try {
		RunOptions ro;
		ro.variant = t.variant;
		RunResult r = run_scenario(t.scenario, ro, t.scenario.name);
		row["verdict"] = verdict_name(r.verdict);
		row["ok"] = t.expected == verdict_name(r.verdict);
		row["executions"] = r.sim.executions;
		row["elapsed_ms"] = r.sim.elapsed_ms;
		row["replay_command"] = r.replay_command;
		row["stopped"] = r.stopped == Stop::Signal;
	} catch (const std::exception &e) {
		/* an input error, or perfmc's own (exit 3 for a single run): a row, and the others still run */
		const InputError *input = dynamic_cast<const InputError *>(&e);
		row["verdict"] = "error";
		row["ok"] = false;
		row["error"] = input ? input->str() : std::string("perfmc: internal error: ") + e.what() + "\n";
		row["internal"] = !input;
		row["executions"] = 0;
		row["elapsed_ms"] = 0.0;
		row["replay_command"] = "";
		row["stopped"] = false;
	}
	return row;
}

/* a row the suite finished: not one a signal cut short (unless it found its violation first) */
bool finished(const nlohmann::json &row) { return !row["stopped"].get<bool>() || row["verdict"] == "harmful"; }

/* --jobs N: tasks dealt round-robin to N processes; rows come back in task order, and the rows a
 * signal kept from finishing stay empty */
std::vector<std::optional<nlohmann::json>> run_tasks(const std::vector<Task> &tasks, int jobs)
{
	std::vector<std::optional<nlohmann::json>> rows(tasks.size());
	if (jobs <= 1) {
		for (size_t i = 0; i < tasks.size() && !stop_requested(); i++)
			if (nlohmann::json row = run_task(tasks[i]); finished(row))
				rows[i] = row;
		return rows;
	}
	std::vector<std::string> outputs = run_in_processes(jobs, [&](int k) {
		nlohmann::json mine = nlohmann::json::object();
		for (size_t i = static_cast<size_t>(k); i < tasks.size() && !stop_requested(); i += static_cast<size_t>(jobs))
			if (nlohmann::json row = run_task(tasks[i]); finished(row))
				mine[std::to_string(i)] = row;
		return mine.dump(-1, ' ', false, kJsonReplace);
	});
	for (const std::string &text : outputs) {
		const nlohmann::json part = nlohmann::json::parse(text);  // named: items() refers to it
		for (const auto &[index, row] : part.items())
			rows[std::stoul(index)] = row;
	}
	return rows;
}

/* --junit: refused before anything runs when the file could not be written */
void check_writable(const std::string &path)
{
	namespace fs = std::filesystem;
	auto fail = [&](const std::string &why) {
		return InputError(Diagnostic{path, 0, 0, "cannot write the JUnit file: " + why, "give --junit a writable path"});
	};
	std::error_code ec;
	if (path.empty())
		throw fail("no path given");
	if (fs::is_directory(path, ec))
		throw fail("it is a directory");
	if (fs::exists(path, ec)) {
		if (access(path.c_str(), W_OK) != 0)
			throw fail(std::strerror(errno));
		return;
	}
	fs::path dir = fs::path(path).parent_path();
	if (dir.empty())
		dir = ".";
	if (!fs::is_directory(dir, ec))
		throw fail("no directory " + dir.string());
	if (access(dir.c_str(), W_OK | X_OK) != 0)
		throw fail(std::strerror(errno));
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
	struct Counts {
		int failures = 0, errors = 0;
		double seconds = 0;
	};
	std::map<std::string, Counts> counts;
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
		counts[model].seconds += seconds;
		const std::string expected = row["expected"], got = row["verdict"];
		if (got == "error") {
			counts[model].errors++;
			pugi::xml_node f = c.append_child("error");
			f.append_attribute("message") = "the scenario cannot run";
			f.append_attribute("type") = "input";
			f.text() = row["error"].get<std::string>().c_str();
		} else if (!row["ok"].get<bool>()) {
			counts[model].failures++;
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
		node.append_attribute("failures") = counts[model].failures;
		node.append_attribute("errors") = counts[model].errors;
		node.append_attribute("time") = fmt::format("{:.3f}", counts[model].seconds).c_str();
	}
	if (!doc.save_file(path.c_str(), "  "))
		throw InputError(Diagnostic{path, 0, 0, fmt::format("cannot write the JUnit file: {}", std::strerror(errno)),
					    "give --junit a writable path"});
}

int run_suite(const SuiteOptions &o, std::ostream &out, std::ostream &err)
{
	const int jobs = o.jobs ? parse_jobs(*o.jobs) : 1;
	if (!o.junit.empty())
		check_writable(o.junit);
	std::vector<Task> tasks;
	const std::vector<std::string> files = scenario_files(o.dir);
	if (files.empty())
		throw InputError(Diagnostic{o.dir, 0, 0, "no scenarios here: the suite would run nothing",
					    "a scenario directory holds NAME.toml files (see scenarios/README.md)"});
	for (const std::string &file : files) {
		Scenario scenario = load_scenario_file(file, model_registries());
		for (const auto &[variant, expected] : scenario.expect)
			tasks.push_back(Task{scenario, variant, expected});
	}
	StopOnSignal stop_on_signal;
	nlohmann::json rows = nlohmann::json::array();
	int deviations = 0, errors = 0, internal = 0, runs = 0;
	if (!o.json)
		out << fmt::format("{:<36} {:<22} {:<10} {:<10} {:>10}{}\n", "scenario", "variant", "expected", "got",
				   "executions", o.times ? "       time" : "");
	const std::vector<std::optional<nlohmann::json>> results = run_tasks(tasks, jobs);
	std::vector<nlohmann::json> done;
	for (const std::optional<nlohmann::json> &row : results)
		if (row)
			done.push_back(*row);
	const size_t not_run = tasks.size() - done.size();
	if (!o.junit.empty())
		write_junit(o.junit, done);
	std::string diagnostics;
	for (const nlohmann::json &row : done) {
		bool ok = row["ok"];
		bool error = row["verdict"] == "error";
		deviations += !ok && !error;
		errors += error;
		internal += row.value("internal", false);
		runs++;
		if (error)
			diagnostics += row["error"].get<std::string>();
		if (o.json)
			rows.push_back(row);
		else
			out << fmt::format("{:<36} {:<22} {:<10} {:<10} {:>10}{}{}\n", row["scenario"].get<std::string>(),
					   row["variant"].get<std::string>(), row["expected"].get<std::string>(),
					   row["verdict"].get<std::string>(), row["executions"].get<uint64_t>(),
					   o.times ? fmt::format(" {:>8.1f} ms", row["elapsed_ms"].get<double>()) : "",
					   error ? "  ERROR" : ok ? "" : "  DEVIATION");
	}
	if (o.json)
		out << nlohmann::json{{"runs", runs},
				      {"deviations", deviations},
				      {"errors", errors},
				      {"not_run", not_run},
				      {"interrupted", not_run > 0},
				      {"results", rows}}
				   .dump(2, ' ', false, kJsonReplace)
		    << "\n";
	else
		out << fmt::format("\n{} runs, {} as expected, {} deviations{}{}\n", runs, runs - deviations - errors, deviations,
				   errors ? fmt::format(", {} that cannot run", errors) : "",
				   not_run ? fmt::format("; stopped by a signal, {} not run", not_run) : "");
	err << diagnostics;
	if (internal)
		return kExitInternal;
	if (errors)
		return kExitInput;
	if (deviations)
		return kExitViolation;
	return not_run ? kExitIncomplete : kExitOk;
}
}  // namespace

Verb setup_suite(CLI::App &app)
{
	auto o = std::make_shared<SuiteOptions>();
	CLI::App *cmd = app.add_subcommand(
		"suite", "Run every scenario under every variant it names and compare with its expected verdict\n"
			 "  example: perfmc suite\n"
			 "  SIGINT or SIGTERM stops it after the current runs; it prints the rows it finished and exits 4\n"
			 "  exit status: 0 every verdict as expected, 1 a deviation, 2 bad input (or no scenarios), 4 stopped");
	cmd->add_option("dir", o->dir, "scenario directory (default: the shipped scenarios)");
	cmd->add_flag("--json", o->json, "print the results as JSON");
	cmd->add_flag("--times", o->times, "add each run's time to the table");
	cmd->add_option_function<std::string>("--jobs", [o](const std::string &v) { o->jobs = v; },
					      "run scenarios in N processes (1 to 64)");
	cmd->add_option("--junit", o->junit, "also write the results as JUnit XML to FILE (one testcase per scenario and variant)");
	return Verb{cmd, [o](std::ostream &out, std::ostream &err) { return run_suite(*o, out, err); }};
}

}  // namespace perfmc
