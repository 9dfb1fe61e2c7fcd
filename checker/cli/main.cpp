// perfmc's front door: parse the verb and its options, run it, map every failure to an exit code.
#include <sstream>

#include "checker/cli/cli.h"
#include "checker/diagnostic.h"

#ifndef PERFMC_VERSION
#define PERFMC_VERSION "0"
#endif

namespace perfmc {

const char *const kExitStatusHelp =
	"exit status: 0 ok (no violation in a complete search; every suite verdict as expected; a KCSAN report\n"
	"  benign or not covered), 1 violation (harmful; a suite deviation), 2 bad usage or input, 3 internal\n"
	"  error (a bug in perfmc), 4 incomplete (no violation found, but the search did not finish: a bound,\n"
	"  --max-executions, --timeout, SIGINT or SIGTERM; a random search is always incomplete)";

int exit_status(Verdict verdict)
{
	switch (verdict) {
	case Verdict::Harmful: return kExitViolation;
	case Verdict::Incomplete: return kExitIncomplete;
	case Verdict::Pass:
	case Verdict::Benign: return kExitOk;
	}
	return kExitInternal;
}

int exit_status(const std::string &verdict)
{
	std::optional<Verdict> v = parse_verdict(verdict);
	return v ? exit_status(*v) : kExitInternal;
}

int perfmc_main(const std::vector<std::string> &args, std::ostream &out, std::ostream &err)
{
	CLI::App app{std::string("perfmc: a deterministic model checker for Linux perf event timekeeping\n") + kExitStatusHelp};
	app.name("perfmc");
	app.set_version_flag("--version", "perfmc " PERFMC_VERSION);
	app.require_subcommand(1);
	std::vector<Verb> verbs = {setup_list(app), setup_show(app), setup_run(app), setup_suite(app),
				   setup_kcsan(app),
				   setup_merge(app)};
	std::vector<std::string> reversed(args.rbegin(), args.rend());
	try {
		app.parse(reversed);
	} catch (const CLI::CallForHelp &e) {
		out << app.help();
		return kExitOk;
	} catch (const CLI::CallForAllHelp &e) {
		out << app.help("", CLI::AppFormatMode::All);
		return kExitOk;
	} catch (const CLI::CallForVersion &e) {
		out << e.what() << "\n";
		return kExitOk;
	} catch (const CLI::ParseError &e) {
		std::ostringstream o, er;
		int code = app.exit(e, o, er);
		out << o.str();
		err << er.str();
		return code == 0 ? kExitOk : kExitInput;
	}
	for (const Verb &v : verbs) {
		if (!v.command->parsed())
			continue;
		try {
			return v.run(out, err);
		} catch (const InputError &e) {
			err << e.str();
			return kExitInput;
		} catch (const std::exception &e) {
			std::string what = e.what();
			if (what.rfind("perfmc: BUG: ", 0) != 0)
				what = "perfmc: BUG: " + what;
			err << what << "\n  this is a bug in perfmc: please report it with the command line above\n";
			return kExitInternal;
		} catch (...) {
			err << "perfmc: BUG: an unknown exception\n  this is a bug in perfmc: please report it with the command line above\n";
			return kExitInternal;
		}
	}
	return kExitInput;
}

}  // namespace perfmc
