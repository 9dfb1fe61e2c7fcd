// perfmc list [--ops]: the scenarios with their one-line summaries, or the ops a scenario can use.
#include <algorithm>
#include <filesystem>

#include <fmt/ranges.h>

#include <fmt/format.h>

#include "checker/api.h"
#include "checker/cli/cli.h"
#include "checker/diagnostic.h"

namespace perfmc {

namespace {
struct ListOptions {
	std::string dir;
	bool ops = false;
	std::string model;  // --ops for this model only
};

std::string first_sentence(const std::string &summary)
{
	size_t end = summary.find(". ");
	std::string s = end == std::string::npos ? summary : summary.substr(0, end + 1);
	return s.size() > 100 ? s.substr(0, 97) + "..." : s;
}

int run_list(const ListOptions &o, std::ostream &out)
{
	if (o.ops) {
		const std::vector<Registry> &all = model_registries();
		std::vector<std::string> names;
		for (const Registry &r : all)
			names.push_back(r.name);
		if (!o.model.empty() && std::find(names.begin(), names.end(), o.model) == names.end()) {
			std::string guess = closest_match(o.model, names);
			throw InputError(Diagnostic{"", 0, 0, "unknown model '" + o.model + "'",
						    (guess.empty() ? std::string() : "did you mean '" + guess + "'? ") +
							    "models: " + fmt::format("{}", fmt::join(names, ", "))});
		}
		// grouped by kernel area, the areas in the order they first appear
		auto print = [&out](const std::vector<OpSpec> &specs) {
			std::vector<std::string> areas;
			for (const OpSpec &s : specs)
				if (std::find(areas.begin(), areas.end(), s.area) == areas.end())
					areas.push_back(s.area);
			for (const std::string &area : areas) {
				if (!area.empty())
					out << fmt::format("  {}:\n", area);
				for (const OpSpec &s : specs) {
					if (s.area != area)
						continue;
					std::string params;
					for (const ParamSpec &p : s.params)
						params += (params.empty() ? "" : ", ") + p.name;
					out << fmt::format("  {}{:<40} {}\n", area.empty() ? "" : "  ", s.name + "(" + params + ")",
							   s.summary);
				}
			}
		};
		bool first = true;
		for (const Registry &r : all) {
			if (!o.model.empty() && r.name != o.model)
				continue;
			if (!first)
				out << "\n";
			first = false;
			out << fmt::format("model {}{}: {}\n\n", r.name, &r == &all.front() ? " (the default)" : "", r.summary);
			out << "ops (kernel entry points a [[cpu]] runs):\n";
			print(r.ops);
			out << "\nfunctions ({ call = \"...\", args = [...], locks = [...] }):\n";
			print(r.functions);
			out << "\nvariants:";
			for (const std::string &v : r.variants)
				out << " " << v;
			out << "\ninvariants:";
			for (const std::string &v : r.invariants)
				out << " " << v;
			out << "\nattrs:";
			for (const std::string &v : r.attrs)
				out << " " << v;
			out << "\n";
		}
		return kExitOk;
	}
	std::vector<std::pair<std::string, std::string>> rows;  // "name [model]", first sentence
	size_t width = 0;
	for (const std::string &file : scenario_files(o.dir)) {
		Scenario s = load_scenario_file(file, model_registries());
		rows.emplace_back(s.name + (s.model == model_registries().front().name ? "" : " [" + s.model + "]"),
				  first_sentence(s.summary));
		width = std::max(width, rows.back().first.size());
	}
	for (const auto &[name, sentence] : rows)
		out << fmt::format("{:<{}}  {}\n", name, width, sentence);
	return kExitOk;
}
}  // namespace

Verb setup_list(CLI::App &app)
{
	auto opts = std::make_shared<ListOptions>();
	opts->dir = default_scenario_dir();
	CLI::App *cmd = app.add_subcommand("list", "List the scenarios, or with --ops the ops, functions and variants\n"
						   "  example: perfmc list --ops");
	cmd->add_option("--scenarios", opts->dir, "scenario directory");
	cmd->add_flag("--ops", opts->ops, "list each model's ops, `call` functions, variants and invariants instead");
	cmd->add_option("--model", opts->model, "with --ops: this model only (perf, ...)");
	return Verb{cmd, [opts](std::ostream &out, std::ostream &) { return run_list(*opts, out); }};
}

}  // namespace perfmc
