// perfmc show NAME: the parsed scenario, as the checker understands it.
#include "checker/api.h"
#include "checker/cli/cli.h"

namespace perfmc {

Verb setup_show(CLI::App &app)
{
	struct ShowOptions {
		std::string scenario, dir = default_scenario_dir();
	};
	auto opts = std::make_shared<ShowOptions>();
	CLI::App *cmd = app.add_subcommand("show", "Show a scenario as the checker understands it\n"
						   "  example: perfmc show mmap-vs-sched_out");
	cmd->add_option("scenario", opts->scenario, "scenario name or .toml path")->required();
	cmd->add_option("--scenarios", opts->dir, "scenario directory");
	return Verb{cmd, [opts](std::ostream &out, std::ostream &) {
			    out << describe(load_scenario(opts->scenario, opts->dir));
			    return kExitOk;
		    }};
}

}  // namespace perfmc
