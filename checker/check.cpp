// From a scenario to a simulator program, and from the simulator's result to a verdict.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "checker/api.h"
#include "checker/diagnostic.h"
#include "model/world.h"

#ifndef PERFMC_SCENARIO_DIR
#define PERFMC_SCENARIO_DIR "scenarios"
#endif

namespace perfmc {

const char *verdict_name(Verdict verdict)
{
	switch (verdict) {
	case Verdict::Pass: return "pass";
	case Verdict::Benign: return "benign";
	case Verdict::Harmful: return "harmful";
	case Verdict::Incomplete: return "incomplete";
	}
	return "?";
}

std::optional<Verdict> parse_verdict(const std::string &name)
{
	for (Verdict v : {Verdict::Pass, Verdict::Benign, Verdict::Harmful, Verdict::Incomplete})
		if (name == verdict_name(v))
			return v;
	return std::nullopt;
}

static ArgKind to_parser_kind(model::ArgKind kind)
{
	switch (kind) {
	case model::ArgKind::Event: return ArgKind::Event;
	case model::ArgKind::Context: return ArgKind::Context;
	case model::ArgKind::Cpu: return ArgKind::Cpu;
	case model::ArgKind::Integer: return ArgKind::Integer;
	}
	return ArgKind::Integer;
}

static std::vector<OpSpec> to_op_specs(const std::vector<model::Entry> &entries)
{
	std::vector<OpSpec> specs;
	for (const model::Entry &e : entries) {
		OpSpec spec{e.name, {}, e.summary};
		for (const auto &[name, kind] : e.params)
			spec.params.push_back(ParamSpec{name, to_parser_kind(kind)});
		specs.push_back(std::move(spec));
	}
	return specs;
}

const std::vector<Registry> &model_registries()
{
	static const std::vector<Registry> registries = [] {
		std::vector<Registry> all;
		for (const model::Model *m : model::models()) {
			Registry r;
			r.name = m->name();
			r.summary = m->summary();
			r.ops = to_op_specs(m->ops());
			r.functions = to_op_specs(m->functions());
			r.variants = m->variants();
			r.invariants = m->invariants();
			r.attrs = m->attrs();
			all.push_back(std::move(r));
		}
		return all;
	}();
	return registries;
}

std::string default_scenario_dir()
{
	if (const char *env = std::getenv("PERFMC_SCENARIOS"); env && *env)
		return env;
	return PERFMC_SCENARIO_DIR;
}

std::vector<std::string> scenario_files(const std::string &dir)
{
	namespace fs = std::filesystem;
	std::error_code ec;
	if (!fs::is_directory(dir, ec))
		throw InputError(Diagnostic{"", 0, 0, "no scenario directory '" + dir + "'",
					    "pass a directory of *.toml scenario files, or set PERFMC_SCENARIOS"});
	std::vector<std::string> files;
	for (const auto &entry : fs::directory_iterator(dir))
		if (entry.is_regular_file() && entry.path().extension() == ".toml")
			files.push_back(entry.path().string());
	std::sort(files.begin(), files.end());
	return files;
}

Scenario load_scenario(const std::string &name_or_path, const std::string &dir)
{
	namespace fs = std::filesystem;
	bool is_path = name_or_path.find('/') != std::string::npos ||
		       (name_or_path.size() > 5 && name_or_path.substr(name_or_path.size() - 5) == ".toml");
	if (is_path)
		return load_scenario_file(name_or_path, model_registries());
	std::string path = (fs::path(dir) / (name_or_path + ".toml")).string();
	if (!fs::exists(path)) {
		std::vector<std::string> names;
		for (const std::string &f : scenario_files(dir))
			names.push_back(fs::path(f).stem().string());
		std::string guess = closest_match(name_or_path, names);
		throw InputError(Diagnostic{"", 0, 0, "no scenario named '" + name_or_path + "'",
					    guess.empty() ? "`perfmc list` shows all"
							  : "did you mean '" + guess + "'? `perfmc list` shows all"});
	}
	return load_scenario_file(path, model_registries());
}

namespace {

/* The world of the current execution; the simulator runs one execution at a time per process. */
std::unique_ptr<model::World> world;
const model::Model *current_model = nullptr;

model::WorldSetup world_setup(const Scenario &s)
{
	model::WorldSetup w;
	w.tick = static_cast<uint64_t>(s.tick);
	int max_cpu = 0;
	for (const LaneSpec &l : s.lanes)
		max_cpu = std::max(max_cpu, l.cpu);
	for (const ContextSpec &c : s.contexts) {
		model::ContextSetup cs;
		cs.name = c.name;
		cs.is_task = c.task.has_value();
		cs.cpu = c.cpu.value_or(-1);
		cs.running_on = c.running_on.value_or(-1);
		max_cpu = std::max({max_cpu, cs.cpu, cs.running_on});
		w.contexts.push_back(cs);
	}
	for (const EventSpec &e : s.events) {
		model::EventSetup es;
		es.name = e.name;
		es.context = e.context;
		es.leader = e.leader;
		es.state = e.state;
		es.mapped = e.mapped;
		for (const auto &[k, v] : e.attr)
			es.attr.emplace_back(k, v);
		w.events.push_back(es);
	}
	w.nr_cpus = std::max(2, max_cpu + 1);
	return w;
}

const model::Entry &find_entry(const std::vector<model::Entry> &entries, const std::string &name)
{
	for (const model::Entry &e : entries)
		if (name == e.name)
			return e;
	throw std::logic_error("perfmc: BUG: op '" + name + "' passed the parser but the model lacks it");
}

model::LockKind to_model_lock(LockRef::Kind kind)
{
	switch (kind) {
	case LockRef::Kind::CtxLock: return model::LockKind::CtxLock;
	case LockRef::Kind::CtxMutex: return model::LockKind::CtxMutex;
	case LockRef::Kind::MmapMutex: return model::LockKind::MmapMutex;
	}
	return model::LockKind::CtxLock;
}

/* One op, bound to its model entry point and arguments, run in a lane. */
struct BoundOp {
	const model::Entry *entry;
	std::vector<int64_t> args;
	std::vector<std::pair<model::LockKind, int>> locks;

	void run() const
	{
		for (const auto &[kind, object] : locks)
			current_model->lock_object(*world, kind, object);
		entry->run(*world, args);
		for (auto it = locks.rbegin(); it != locks.rend(); ++it)
			current_model->unlock_object(*world, it->first, it->second);
	}
};

sim::LaneContext lane_context(const std::string &in)
{
	if (in == "irq")
		return sim::LaneContext::Irq;
	if (in == "nmi")
		return sim::LaneContext::Nmi;
	return sim::LaneContext::Task;
}

std::string preemptions(int n) { return n == 1 ? "1 preemption" : std::to_string(n) + " preemptions"; }

}  // namespace

RunResult run_scenario(const Scenario &scenario, const RunOptions &options, const std::string &source)
{
	const model::Model *m = model::find_model(scenario.model);
	if (!m)
		throw InputError(Diagnostic{scenario.file, 0, 0, "unknown model '" + scenario.model + "'", "`perfmc list --ops` lists the models"});
	current_model = m;
	const auto &variants = m->variants();
	if (std::find(variants.begin(), variants.end(), options.variant) == variants.end()) {
		std::string guess = closest_match(options.variant, variants);
		std::string all;
		for (const auto &v : variants)
			all += (all.empty() ? "" : ", ") + v;
		throw InputError(Diagnostic{"", 0, 0, "unknown variant '" + options.variant + "'",
					    guess.empty() ? "variants: " + all : "did you mean '" + guess + "'? variants: " + all});
	}
	m->select_variant(options.variant);
	m->select_invariants(scenario.invariants);

	auto bind = [m](const std::vector<Op> &in) {
		std::vector<BoundOp> ops;
		for (const Op &op : in) {
			BoundOp b;
			b.entry = &find_entry(op.is_call ? m->functions() : m->ops(), op.name);
			for (const OpArg &a : op.args)
				b.args.push_back(a.index);
			for (const LockRef &l : op.locks)
				b.locks.emplace_back(to_model_lock(l.kind), l.object);
			ops.push_back(b);
		}
		return ops;
	};
	const std::vector<BoundOp> setup_ops = bind(scenario.setup_ops);
	std::vector<std::vector<BoundOp>> lanes;
	for (const LaneSpec &lane : scenario.lanes)
		lanes.push_back(bind(lane.ops));

	const model::WorldSetup setup = world_setup(scenario);
	/* build the world once, sequentially: a setup the kernel cannot reach is an input error,
	 * reported here rather than from inside a simulated CPU */
	auto build = [m, &setup, &setup_ops] {
		world = m->build_world(setup);
		sim::set_sequential_cpu(0);
		for (const BoundOp &op : setup_ops)
			op.run();
	};
	try {
		sim::take_sequential_violations();
		build();
		world.reset();
		std::vector<sim::Violation> v = sim::take_sequential_violations();
		if (!v.empty() && !setup_ops.empty())
			throw std::invalid_argument("the setup ops break '" + v.front().invariant + "': " + v.front().detail);
	} catch (const std::exception &e) {
		world.reset();
		throw InputError(Diagnostic{scenario.file, scenario.events.empty() ? 0 : scenario.events.front().pos.line,
					    scenario.events.empty() ? 0 : scenario.events.front().pos.column,
					    std::string("the setup cannot be built: ") + e.what(),
					    "give each event a state its context allows, and setup ops that run alone"});
	}

	sim::Program program;
	program.tick = setup.tick;
	program.setup = build;
	program.teardown = [] { world.reset(); };
	program.finish = [m] { m->check_final(*world); };
	for (size_t i = 0; i < scenario.lanes.size(); i++) {
		const LaneSpec &l = scenario.lanes[i];
		const std::vector<BoundOp> *ops = &lanes[i];
		program.lanes.push_back(sim::LaneSpec{l.name, l.cpu, lane_context(l.in), [ops] {
							      for (const BoundOp &op : *ops)
								      op.run();
						      }});
	}

	sim::Options o;
	o.policy = options.policy;
	o.max_executions = options.max_executions;
	o.timeout_seconds = options.timeout_seconds;
	o.reduction = options.reduction;
	o.shard = options.shard;
	o.shards = options.shards;
	o.progress = options.progress;
	std::string mode = scenario.search.mode;
	if (options.search)
		mode = *options.search == SearchMode::Bounded ? "bounded"
		       : *options.search == SearchMode::Random ? "random"
							      : "exhaustive";
	RunResult result;
	result.scenario = scenario.name;
	result.source = source;
	result.variant = options.variant;
	result.shard = options.shard;
	result.shards = options.shards;
	if (options.pct && mode != "random" && !options.replay)
		throw InputError(Diagnostic{"", 0, 0, fmt::format("--pct applies to the random search, and this run is {}", mode),
					    "add --search random"});
	if (options.replay) {
		o.search = sim::Search::Replay;
		o.replay = *options.replay;
		result.search_description = "replay of " + *options.replay;
	} else if (mode == "bounded") {
		o.search = sim::Search::Bounded;
		o.bound = options.bound ? *options.bound : scenario.search.bound.value_or(-1);
		result.search_description = o.bound >= 0 ? "at most " + preemptions(o.bound)
							 : "fewest preemptions first";
	} else if (mode == "random") {
		o.search = sim::Search::Random;
		o.seed = options.seed ? *options.seed : static_cast<uint64_t>(scenario.search.seed.value_or(1));
		o.iterations = options.iterations ? *options.iterations
						  : static_cast<uint64_t>(scenario.search.iterations.value_or(1000));
		o.pct_depth = options.pct ? *options.pct : scenario.search.pct.value_or(0);
		result.search_description = fmt::format("{} random executions from seed {}", o.iterations, o.seed);
		if (o.pct_depth > 0)
			result.search_description += fmt::format(" (PCT, depth {})", o.pct_depth);
	} else {
		o.search = sim::Search::Exhaustive;
		result.search_description = "exhaustive";
	}

	result.sim = sim::explore(program, o);
	world.reset();
	const sim::Result &r = result.sim;
	if (r.outcome == sim::Outcome::Error) {
		if (options.replay)
			throw InputError(Diagnostic{"", 0, 0, r.error, "replay tokens come from a report of the same scenario and variant"});
		throw std::logic_error("perfmc: BUG: " + r.error);
	}
	if (r.outcome == sim::Outcome::Violation || r.outcome == sim::Outcome::Deadlock)
		result.verdict = Verdict::Harmful;
	else if (r.outcome == sim::Outcome::Race)
		result.verdict = Verdict::Harmful;  // RaceMode::Fatal is not used by the checker
	else if (!r.complete && !options.replay)
		result.verdict = Verdict::Incomplete;
	else
		result.verdict = r.races.empty() ? Verdict::Pass : Verdict::Benign;
	if (result.verdict == Verdict::Harmful)
		result.replay_command = fmt::format("perfmc run {} --variant {} --replay {}", source, options.variant,
						    r.schedule);
	return result;
}

}  // namespace perfmc
