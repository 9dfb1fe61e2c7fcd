// From a scenario to a simulator program, and from the simulator's result to a verdict.
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "checker/api.h"
#include "checker/diagnostic.h"
#include "model/model.h"

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

const char *stop_name(Stop stop)
{
	switch (stop) {
	case Stop::None: return nullptr;
	case Stop::Bound: return "bound";
	case Stop::MaxExecutions: return "max-executions";
	case Stop::Timeout: return "timeout";
	case Stop::Signal: return "signal";
	case Stop::OtherShard: return "other-shard";
	case Stop::NewNames: return "new-visible-names";
	}
	return nullptr;
}

namespace {
volatile std::sig_atomic_t stop_flag = 0;
}

void request_stop()
{
	stop_flag = 1;
	sim::request_stop();
}

bool stop_requested() { return stop_flag != 0; }

void clear_stop() { stop_flag = 0; }

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
		OpSpec spec{e.name, {}, e.summary, e.area};
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
			r.name = m->name;
			r.summary = m->summary;
			r.ops = to_op_specs(m->ops);
			r.functions = to_op_specs(m->functions);
			r.variants = m->variant_names();
			r.invariants = m->invariant_names();
			r.attrs = m->attrs;
			for (const auto &[retired, instead] : m->retired)
				r.retired.emplace_back(retired, instead);
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
	fs::directory_iterator it(dir, ec), end;
	for (; !ec && it != end; it.increment(ec)) {
		std::error_code entry_ec;  // an entry that cannot be read (a dangling link) is not a scenario
		if (it->is_regular_file(entry_ec) && it->path().extension() == ".toml")
			files.push_back(it->path().string());
	}
	if (ec)
		throw InputError(Diagnostic{dir, 0, 0, "cannot read the scenario directory: " + ec.message(), ""});
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
	std::error_code ec;
	if (!fs::exists(path, ec)) {
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

/* One run's state: its model, and the world of the execution that runs (rebuilt for each). */
struct Run {
	const model::Model *model;
	std::unique_ptr<model::World> world;
};

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

	void run(Run &run) const
	{
		for (const auto &[kind, object] : locks)
			run.model->lock_object(*run.world, kind, object);
		entry->run(*run.world, args);
		for (auto it = locks.rbegin(); it != locks.rend(); ++it)
			run.model->unlock_object(*run.world, it->first, it->second);
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

/*
 * Model code threw inside the simulation (sim::Outcome::Thrown). std::invalid_argument is the
 * model refusing what the scenario asks of it (an op the model allows only in the setup, a state
 * the op cannot run from): an input error at the op's position. Anything else is the model at
 * fault: an internal error, with the execution that reaches it.
 */
[[noreturn]] void throw_lane_exception(const Scenario &scenario, const sim::Result &r, const std::vector<size_t> &at,
				       const std::string &replay)
{
	std::string what = "an exception that is not a std::exception";
	bool input = false;
	try {
		std::rethrow_exception(r.thrown);
	} catch (const std::invalid_argument &e) {
		what = e.what();
		input = true;
	} catch (const std::exception &e) {
		what = e.what();
	} catch (...) {
	}
	const int lane = r.thrown_lane;
	if (lane < 0 || static_cast<size_t>(lane) >= scenario.lanes.size() ||
	    at[static_cast<size_t>(lane)] >= scenario.lanes[static_cast<size_t>(lane)].ops.size())
		throw std::logic_error(fmt::format("perfmc: BUG: the model threw outside the lanes: {} (execution: {})", what, replay));
	const LaneSpec &l = scenario.lanes[static_cast<size_t>(lane)];
	const Op &op = l.ops[at[static_cast<size_t>(lane)]];
	if (!input)
		throw std::logic_error(fmt::format("perfmc: BUG: op '{}' of lane '{}' ({}:{}:{}) threw: {} (execution: {})",
						   op.text, l.name, scenario.file, op.pos.line, op.pos.column, what, replay));
	throw InputError(Diagnostic{scenario.file, op.pos.line, op.pos.column,
				    fmt::format("op '{}' cannot run in lane '{}': {}", op.text, l.name, what),
				    fmt::format("the model allows it in the setup only, or not from the state this "
						"execution reaches: {}",
						replay)});
}

std::string preemptions(int n) { return n == 1 ? "1 preemption" : std::to_string(n) + " preemptions"; }

/* builds a world, or says why the model refuses it ("" when it builds) */
std::string build_error(const model::Model &m, const model::WorldSetup &setup)
{
	std::string error;
	try {
		std::unique_ptr<model::World> w = m.build_world(setup);
	} catch (const std::exception &e) {
		error = e.what();
		if (error.empty())
			error = "the model refuses it";
	}
	sim::take_sequential_violations();
	return error;
}

/*
 * The object of the setup the model refuses (`what` holds the model's message on entry, and the
 * message naming the object on return): the first context, or else the first event, whose
 * addition to what comes before it makes the setup unbuildable. Leaders declared later than an
 * event are left out of the event's prefix; the leader itself is then the one found.
 */
SourcePos culprit(const Scenario &s, const model::Model &m, const model::WorldSetup &full, std::string &what,
		  std::string &hint)
{
	/* the model's message, led by the object's name unless it names it already */
	auto named = [](const std::string &message, const char *kind, const std::string &name) {
		if (message.find("'" + name + "'") != std::string::npos)
			return message;
		return fmt::format("{} '{}': {}", kind, name, message);
	};
	/* a context is at fault when a prefix of the contexts fails as the whole setup does (a model
	 * may refuse a world with no events for a reason of its own) */
	const std::string full_error = what;
	model::WorldSetup part = full;
	part.events.clear();
	for (size_t k = 1; k <= full.contexts.size(); k++) {
		part.contexts.assign(full.contexts.begin(), full.contexts.begin() + static_cast<long>(k));
		std::string e = build_error(m, part);
		if (e == full_error) {
			what = named(e, "context", s.contexts[k - 1].name);
			hint = "each model builds the contexts its kernel code can reach (model/README.md)";
			return s.contexts[k - 1].pos;
		}
	}
	part.contexts = full.contexts;
	for (size_t k = 1; k <= full.events.size(); k++) {
		part.events.assign(full.events.begin(), full.events.begin() + static_cast<long>(k));
		for (model::EventSetup &e : part.events)
			if (e.leader >= static_cast<int>(k))
				e.leader = -1;
		std::string e = build_error(m, part);
		if (!e.empty()) {
			what = named(e, "event", s.events[k - 1].name);
			hint = "give each event a state, group and attrs its context and model allow (model/README.md)";
			return s.events[k - 1].pos;
		}
	}
	return SourcePos{};  // no single object: the whole setup
}

uint64_t fnv1a(std::string_view text)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (unsigned char c : text) {
		h ^= c;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* What runs, in one string: the parts of a scenario a replayed schedule depends on. */
std::string canonical_form(const Scenario &s)
{
	std::string out = fmt::format("model {}\ntick {}\n", s.model, s.tick);
	for (const std::string &i : s.invariants)
		out += "invariant " + i + "\n";
	for (const ContextSpec &c : s.contexts)
		out += fmt::format("context {} task {} cpu {} running_on {}\n", c.name, c.task.value_or("-"), c.cpu.value_or(-1),
				   c.running_on.value_or(-1));
	for (const EventSpec &e : s.events) {
		out += fmt::format("event {} context {} leader {} state {} mapped {}", e.name, e.context, e.leader, e.state,
				   e.mapped ? 1 : 0);
		for (const auto &[k, v] : e.attr)
			out += fmt::format(" {}={}", k, v);
		out += "\n";
	}
	auto op_text = [](const Op &op) {
		std::string t = fmt::format("{}{}(", op.is_call ? "call " : "", op.name);
		for (const OpArg &a : op.args)
			t += fmt::format("{},", a.kind == ArgKind::Event || a.kind == ArgKind::Context ? a.text : std::to_string(a.index));
		t += ")";
		for (const LockRef &l : op.locks)
			t += fmt::format(" lock {}:{}", static_cast<int>(l.kind), l.object);
		return t;
	};
	for (const Op &op : s.setup_ops)
		out += "setup " + op_text(op) + "\n";
	for (const LaneSpec &l : s.lanes) {
		out += fmt::format("lane {} cpu {} in {}\n", l.name, l.cpu, l.in);
		for (const Op &op : l.ops)
			out += "  " + op_text(op) + "\n";
	}
	return out;
}

constexpr size_t kIdentityDigits = 8;
constexpr size_t kMaxTokenLength = size_t{1} << 16;
const char *const kReplayHint = "a token replays only on the scenario and --variant of the report that printed it: "
				"run that report's replay command as printed";

/* "1a2b3c4d-0001+..." into the simulator's token, after checking the identity */
std::string unwrap_token(const std::string &token, const std::string &identity)
{
	bool shaped = token.size() > kIdentityDigits + 1 && token[kIdentityDigits] == '-' &&
		      std::all_of(token.begin(), token.begin() + kIdentityDigits,
				  [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
	if (!shaped)
		throw InputError(Diagnostic{"", 0, 0,
					    fmt::format("bad replay token '{}': expected {} hex digits naming the scenario, "
							"'-', then the schedule",
							token.size() > 80 ? token.substr(0, 77) + "..." : token, kIdentityDigits),
					    kReplayHint});
	const bool printable = token.size() <= kMaxTokenLength &&
			       std::all_of(token.begin(), token.end(), [](char c) { return c > ' ' && c < 0x7f; });
	if (!printable)
		throw InputError(Diagnostic{"", 0, 0,
					    fmt::format("bad replay token of {} bytes: expected at most {} printable ASCII "
							"characters, no spaces",
							token.size(), kMaxTokenLength),
					    kReplayHint});
	if (token.compare(0, kIdentityDigits, identity) != 0)
		throw InputError(Diagnostic{"", 0, 0,
					    fmt::format("replay token for another scenario or variant: it names {}, this run is {}",
							token.substr(0, kIdentityDigits), identity),
					    kReplayHint});
	return token.substr(kIdentityDigits + 1);
}

std::string mode_of(const Scenario &scenario, const RunOptions &options)
{
	if (!options.search)
		return scenario.search.mode;
	switch (*options.search) {
	case SearchMode::Bounded: return "bounded";
	case SearchMode::Random: return "random";
	case SearchMode::Exhaustive: return "exhaustive";
	}
	return "exhaustive";
}

InputError option_error(std::string message, std::string hint = {})
{
	return InputError(Diagnostic{"", 0, 0, std::move(message), std::move(hint)});
}

}  // namespace

std::string effective_variant(const Scenario &scenario, const RunOptions &options)
{
	if (!options.variant.empty())
		return options.variant;
	const model::Model *m = model::find_model(scenario.model);
	return m && !m->variants.empty() ? std::string(m->variants.front().name) : std::string();
}

std::string scenario_identity(const Scenario &scenario, const std::string &variant)
{
	uint64_t h = fnv1a(canonical_form(scenario) + "variant " + variant + "\n");
	return fmt::format("{:08x}", static_cast<uint32_t>(h ^ (h >> 32)));
}

void check_run_options(const Scenario &scenario, const RunOptions &o)
{
	const std::string mode = mode_of(scenario, o);
	if (!std::isfinite(o.timeout_seconds) || o.timeout_seconds < 0)
		throw option_error(fmt::format("--timeout must be a finite, positive number of seconds, got {}", o.timeout_seconds));
	if (o.shards < 1 || o.shard < 0 || o.shard >= o.shards)
		throw option_error(fmt::format("bad shard {}/{}: expected K/N with 0 <= K < N", o.shard, o.shards));
	if (o.replay) {
		if (o.replay->empty())
			throw option_error("--replay needs a token", kReplayHint);
		if (o.shards > 1)
			throw option_error("--replay runs one execution, which is not split into shards", "drop --shard");
		if (!o.visible.empty())
			throw option_error("--replay runs under the visible names its token carries", "drop --visible");
		return;  // a replay runs one schedule: the search options do not apply, and are not read
	}
	if (o.bound) {
		if (*o.bound < 0)
			throw option_error(fmt::format("--bound must be a number of preemptions (0 or more), got {}", *o.bound));
		if (mode != "bounded")
			throw option_error(fmt::format("--bound applies to the bounded search, and this run is {}", mode),
					   mode == "exhaustive" ? "an exhaustive search has no bound: add --search bounded, or drop --bound"
								: "add --search bounded, or drop --bound");
	}
	auto random_only = [&](bool given, const char *option) {
		if (given && mode != "random")
			throw option_error(fmt::format("{} applies to the random search, and this run is {}", option, mode),
					   "add --search random");
	};
	random_only(o.seed.has_value(), "--seed");
	random_only(o.iterations.has_value(), "--iterations");
	random_only(o.pct.has_value(), "--pct");
	if (o.iterations && *o.iterations == 0)
		throw option_error("--iterations must be at least 1");
	if (o.pct && (*o.pct < 0 || *o.pct > 16))
		throw option_error(fmt::format("--pct must be a depth from 0 to 16, got {}", *o.pct));
}

RunResult run_scenario(const Scenario &scenario, const RunOptions &options, const std::string &source)
{
	const model::Model *m = model::find_model(scenario.model);
	if (!m)
		throw InputError(Diagnostic{scenario.file, 0, 0, "unknown model '" + scenario.model + "'", "`perfmc list --ops` lists the models"});
	const std::string variant = effective_variant(scenario, options);
	model::WorldSetup setup = world_setup(scenario);
	try {
		model::select(*m, variant, scenario.invariants, setup);
	} catch (const model::SelectionError &e) {
		std::string guess = closest_match(e.unknown, e.known);
		std::string all;
		for (const auto &v : e.known)
			all += (all.empty() ? "" : ", ") + v;
		std::string what = e.unknown == variant ? "variant" : "invariant";
		throw InputError(Diagnostic{"", 0, 0, "unknown " + what + " '" + e.unknown + "'",
					    guess.empty() ? what + "s: " + all : "did you mean '" + guess + "'? " + what + "s: " + all});
	}
	check_run_options(scenario, options);
	const std::string identity = scenario_identity(scenario, variant);
	std::string schedule;
	if (options.replay)
		schedule = unwrap_token(*options.replay, identity);
	Run run{m, nullptr};

	auto bind = [m, &scenario](const std::vector<Op> &in) {
		std::vector<BoundOp> ops;
		for (const Op &op : in) {
			BoundOp b;
			b.entry = &find_entry(op.is_call ? m->functions : m->ops, op.name);
			for (const OpArg &a : op.args)
				b.args.push_back(a.index);
			for (const LockRef &l : op.locks) {
				if (!m->has_lock_kind(to_model_lock(l.kind)))
					throw InputError(Diagnostic{scenario.file, l.pos.line, l.pos.column,
								    fmt::format("model '{}' has no {} for `{}` to hold", m->name,
										model::lock_kind_name(to_model_lock(l.kind)), l.text),
								    "the model's lock kinds are listed by `perfmc list --ops`"});
				b.locks.emplace_back(to_model_lock(l.kind), l.object);
			}
			ops.push_back(b);
		}
		return ops;
	};
	const std::vector<BoundOp> setup_ops = bind(scenario.setup_ops);
	std::vector<std::vector<BoundOp>> lanes;
	for (const LaneSpec &lane : scenario.lanes)
		lanes.push_back(bind(lane.ops));

	/* build the world once, sequentially: a setup the kernel cannot reach is an input error,
	 * reported here, at the object at fault, rather than from inside a simulated CPU */
	sim::take_sequential_violations();
	if (std::string e = build_error(*m, setup); !e.empty()) {
		std::string what = e, hint = "the model refuses this setup as a whole";
		SourcePos pos = culprit(scenario, *m, setup, what, hint);
		throw InputError(Diagnostic{scenario.file, pos.line, pos.column, "the setup cannot be built: " + what, hint});
	}
	try {
		run.world = m->build_world(setup);
		sim::set_sequential_cpu(0);
		for (size_t i = 0; i < setup_ops.size(); i++) {
			const Op &op = scenario.setup_ops[i];
			try {
				setup_ops[i].run(run);
			} catch (const std::exception &e) {
				throw InputError(Diagnostic{scenario.file, op.pos.line, op.pos.column,
							    fmt::format("setup op '{}' cannot run: {}", op.text, e.what()),
							    "setup ops run alone on cpu0, before the lanes: give them a state they can run from"});
			}
			std::vector<sim::Violation> v = sim::take_sequential_violations();
			if (!v.empty())
				throw InputError(Diagnostic{scenario.file, op.pos.line, op.pos.column,
							    fmt::format("setup op '{}' breaks '{}': {}", op.text, v.front().invariant,
									v.front().detail),
							    "setup ops run alone on cpu0, before the lanes: give them a state they can run from"});
		}
	} catch (...) {
		run.world.reset();
		sim::take_sequential_violations();
		throw;
	}
	run.world.reset();

	sim::Program program;
	program.tick = setup.tick;
	program.setup = [&run, &setup, &setup_ops] {
		if (stop_requested())
			sim::request_stop();  // a signal between two searches (a suite's runs) stops this one too
		run.world.reset();
		run.world = run.model->build_world(setup);
		sim::set_sequential_cpu(0);
		for (const BoundOp &op : setup_ops)
			op.run(run);
	};
	program.teardown = [&run] { run.world.reset(); };
	program.finish = [&run] { run.model->check_final(*run.world); };
	std::vector<size_t> at(scenario.lanes.size(), 0);  // the op each lane runs (an exception's position)
	for (size_t i = 0; i < scenario.lanes.size(); i++) {
		const LaneSpec &l = scenario.lanes[i];
		const std::vector<BoundOp> *ops = &lanes[i];
		size_t *op_at = &at[i];
		program.lanes.push_back(sim::LaneSpec{l.name, l.cpu, lane_context(l.in), [ops, op_at, &run] {
							      for (size_t k = 0; k < ops->size(); k++) {
								      *op_at = k;
								      (*ops)[k].run(run);
							      }
						      }});
	}

	sim::Options o;
	o.policy = options.policy;
	o.max_executions = options.max_executions;
	o.timeout_seconds = options.timeout_seconds;
	o.reduction = options.reduction;
	o.shard = options.shard;
	o.shards = options.shards;
	if (!options.replay)
		o.visible = options.visible;
	o.stop_at_new_name = options.stop_at_new_name;
	o.board = options.board;
	o.progress = options.progress;
	const std::string mode = mode_of(scenario, options);
	RunResult result;
	result.scenario = scenario.name;
	result.source = source;
	result.variant = variant;
	result.shard = options.shard;
	result.shards = options.shards;
	if (options.replay) {
		o.search = sim::Search::Replay;
		o.replay = schedule;
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
	run.world.reset();
	const sim::Result &r = result.sim;
	if (r.outcome == sim::Outcome::Thrown)
		throw_lane_exception(scenario, r, at, fmt::format("perfmc run {} --variant {} --replay {}-{}", source,
								   variant, identity, r.schedule));
	if (r.outcome == sim::Outcome::Error) {
		if (options.replay)
			throw InputError(Diagnostic{"", 0, 0, r.error, kReplayHint});
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
	if (r.limited) {
		if (options.stop_at_new_name && !r.new_names.empty())
			result.stopped = Stop::NewNames;
		else if (r.yielded)
			result.stopped = Stop::OtherShard;
		else if (stop_requested())
			result.stopped = Stop::Signal;
		else if (options.timeout_seconds > 0 &&
			 (!options.max_executions || r.elapsed_ms >= options.timeout_seconds * 1000))
			result.stopped = Stop::Timeout;
		else
			result.stopped = Stop::MaxExecutions;
	} else if (result.verdict == Verdict::Incomplete && o.search == sim::Search::Bounded) {
		result.stopped = Stop::Bound;
	}
	if (result.verdict == Verdict::Harmful) {
		result.replay_token = identity + "-" + r.schedule;
		result.replay_command = fmt::format("perfmc run {} --variant {} --replay {}", source, variant, result.replay_token);
	}
	return result;
}

}  // namespace perfmc
