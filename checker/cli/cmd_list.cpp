// perfmc list [--ops]: the scenarios with their one-line summaries, or the ops a scenario can use.
#include <filesystem>

#include <fmt/format.h>

#include "checker/api.h"
#include "checker/cli/cli.h"

namespace perfmc {

namespace {
struct ListOptions {
	std::string dir;
	bool ops = false;
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
		const Registry &r = model_registry();
		auto print = [&out](const std::vector<OpSpec> &specs) {
			for (const OpSpec &s : specs) {
				std::string params;
				for (const ParamSpec &p : s.params)
					params += (params.empty() ? "" : ", ") + p.name;
				out << fmt::format("  {:<40} {}\n", s.name + "(" + params + ")", s.summary);
			}
		};
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
		out << "\n";
		return kExitOk;
	}
	for (const std::string &file : scenario_files(o.dir)) {
		Scenario s = load_scenario_file(file, model_registry());
		out << fmt::format("{:<40} {}\n", s.name, first_sentence(s.summary));
	}
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
	cmd->add_flag("--ops", opts->ops, "list the ops, `call` functions, variants and invariants instead");
	return Verb{cmd, [opts](std::ostream &out, std::ostream &) { return run_list(*opts, out); }};
}

}  // namespace perfmc
