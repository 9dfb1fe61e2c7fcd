// Scenario files: TOML in, a fully resolved Scenario out, or every problem in the file as
// "file:line:col: error: ..." diagnostics. Validation runs to the end even after an error, so one
// edit-run cycle fixes the whole file; an object that failed keeps index -1, and checks that need
// it are skipped rather than reported twice.
#include "checker/scenario/scenario.h"

#include "checker/diagnostic.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <functional>
#include <tuple>

namespace perfmc {

namespace {

const std::vector<std::string> states = {"OFF", "INACTIVE", "ACTIVE", "ERROR"};
const std::vector<std::string> verdicts = {"pass", "benign", "harmful", "incomplete"};
const std::vector<std::string> lane_contexts = {"task", "irq", "nmi"};
const std::vector<std::string> search_modes = {"exhaustive", "bounded", "random"};
const std::vector<std::string> root_keys = {"name",  "model", "summary", "covers", "references", "invariants",
                                            "setup", "cpu",   "expect",  "search"};

const char *const op_list_hint = "`perfmc list --ops` lists every op";
const char *const lock_hint =
	"locks are <context>.lock (ctx->lock), <context>.mutex (ctx->mutex) and <event>.mmap_mutex";
const char *const call_form_hint = R"(a call is an inline table: { call = "function", args = [...], locks = [...] })";

std::string join(const std::vector<std::string> &words, std::string_view separator = ", ")
{
	std::string out;
	for (const auto &w : words) {
		if (!out.empty())
			out += separator;
		out += w;
	}
	return out;
}

bool contains(const std::vector<std::string> &words, std::string_view word)
{
	return std::find(words.begin(), words.end(), word) != words.end();
}

// "did you mean 'x'?" when one candidate is close; otherwise `otherwise` followed by every
// candidate, so the reader learns what is valid (no list when `otherwise` is empty: the message
// already gave it).
std::string suggest(const std::string &word, const std::vector<std::string> &candidates, std::string_view otherwise)
{
	std::string best = closest_match(word, candidates);
	if (!best.empty())
		return fmt::format("did you mean '{}'?", best);
	if (candidates.empty() || otherwise.empty())
		return "";
	return fmt::format("{}{}", otherwise, join(candidates));
}

std::string type_name(const toml::node &node)
{
	switch (node.type()) {
	case toml::node_type::table: return "a table";
	case toml::node_type::array: return "an array";
	case toml::node_type::string: return "a string";
	case toml::node_type::integer: return "an integer";
	case toml::node_type::floating_point: return "a floating-point number";
	case toml::node_type::boolean: return "a boolean";
	case toml::node_type::date: return "a date";
	case toml::node_type::time: return "a time";
	case toml::node_type::date_time: return "a date-time";
	default: return "nothing";
	}
}

std::string kind_name(ArgKind kind)
{
	switch (kind) {
	case ArgKind::Event: return "an event";
	case ArgKind::Context: return "a context";
	case ArgKind::Cpu: return "a CPU number";
	case ArgKind::Integer: return "an integer";
	}
	return "?";
}

SourcePos pos_of(const toml::source_region &region)
{
	return {static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

// Object names appear inside op strings and lock names ("T.lock"), so they are C identifiers.
bool is_identifier(std::string_view s)
{
	if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
		return false;
	return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// Scenario names are kebab-case around kernel names: "mmap-vs-sched_out".
// Letters, digits, '-' and '_', starting with a letter or digit: usable as a file name and on a
// command line. Kernel names keep their case (the peer benchmark is peer-T3-K4).
bool is_scenario_name(std::string_view s)
{
	if (s.empty() || !std::isalnum(static_cast<unsigned char>(s[0])))
		return false;
	return std::all_of(s.begin(), s.end(), [](char c) {
		return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
	});
}

std::optional<int64_t> parse_integer(std::string_view s)
{
	int64_t value = 0;
	auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
	if (ec != std::errc() || end != s.data() + s.size())
		return std::nullopt;
	return value;
}

bool looks_like_integer(std::string_view s)
{
	if (!s.empty() && s[0] == '-')
		s.remove_prefix(1);
	return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// toml++ counts columns in code points; op strings are indexed in bytes.
int code_points(std::string_view s)
{
	return static_cast<int>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

std::string fold_whitespace(std::string_view s)
{
	std::string out;
	bool space = false;
	for (char c : s) {
		if (std::isspace(static_cast<unsigned char>(c))) {
			space = !out.empty();
			continue;
		}
		if (space)
			out += ' ';
		space = false;
		out += c;
	}
	return out;
}

std::string_view trim(std::string_view s)
{
	while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
		s.remove_prefix(1);
	while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
		s.remove_suffix(1);
	return s;
}

// toml++ says "Error while parsing key-value pair: expected value, saw '\n'"; diagnostics start
// lowercase and say what is wrong before where.
std::string toml_message(std::string_view description)
{
	constexpr std::string_view prefix = "Error while parsing ";
	if (description.substr(0, prefix.size()) == prefix) {
		description.remove_prefix(prefix.size());
		auto colon = description.find(": ");
		if (colon != std::string_view::npos)
			return fmt::format("invalid TOML in {}: {}", description.substr(0, colon), description.substr(colon + 2));
	}
	return fmt::format("invalid TOML: {}", description);
}

const OpSpec *find_spec(const std::vector<OpSpec> &specs, std::string_view name)
{
	for (const auto &spec : specs)
		if (spec.name == name)
			return &spec;
	return nullptr;
}

// "'sched_out' takes 1 argument (ctx), got 2"
std::string arity_message(const OpSpec &spec, size_t got)
{
	if (spec.params.empty())
		return fmt::format("'{}' takes no arguments, got {}", spec.name, got);
	std::vector<std::string> names;
	for (const auto &p : spec.params)
		names.push_back(p.name);
	return fmt::format("'{}' takes {} argument{} ({}), got {}", spec.name, spec.params.size(),
	                   spec.params.size() == 1 ? "" : "s", join(names), got);
}

// An op string split into its parts; offsets are byte offsets into the string.
struct RawOp {
	std::string name;
	size_t name_offset = 0;
	std::vector<std::pair<std::string, size_t>> args;  // text, offset
};

class Parser {
public:
	Parser(std::string_view text, std::string file, const std::vector<Registry> &registries)
		: text_(text), file_(std::move(file)), registries_(registries), registry_(registries.at(0))
	{
	}

	// `stem`: when loaded from a file, the name the scenario must have.
	Scenario parse(const std::optional<std::string> &stem)
	{
		toml::table root;
		try {
			root = toml::parse(text_, std::string_view(file_));
		} catch (const toml::parse_error &e) {
			error(pos_of(e.source()), toml_message(e.description()));
			throw InputError(diagnostics_);
		}
		scenario_.file = file_;
		parse_root(root, stem);
		if (!diagnostics_.empty()) {
			// Passes run in dependency order (setup before lanes); readers want file order.
			std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic &a, const Diagnostic &b) {
				return std::tie(a.line, a.column) < std::tie(b.line, b.column);
			});
			throw InputError(diagnostics_);
		}
		return std::move(scenario_);
	}

private:
	struct Object {
		bool is_event;
		int index;
		SourcePos pos;
	};

	std::string_view text_;
	std::string file_;
	const std::vector<Registry> &registries_;
	std::reference_wrapper<const Registry> registry_;  // the scenario's model; the first until `model` is read
	Scenario scenario_;
	std::vector<Diagnostic> diagnostics_;
	std::map<std::string, Object> objects_;  // contexts and events share one namespace

	void error(SourcePos pos, std::string message, std::string hint = {})
	{
		diagnostics_.push_back(Diagnostic{file_, pos.line, pos.column, std::move(message), std::move(hint)});
	}

	void type_error(const toml::node &node, std::string_view expected, std::string_view key)
	{
		error(pos_of(node.source()), fmt::format("expected {} for '{}', got {}", expected, key, type_name(node)));
	}

	// ---- typed access: a wrong type is reported and reads as absent

	void check_keys(const toml::table &table, const std::vector<std::string> &known, std::string_view where)
	{
		for (auto &&[key, value] : table) {
			std::string k(key.str());
			if (contains(known, k))
				continue;
			error(pos_of(key.source()),
			      where.empty() ? fmt::format("unknown key '{}'", k) : fmt::format("unknown key '{}' in {}", k, where),
			      suggest(k, known, "expected one of: "));
		}
	}

	// `shown` names the key in the message when quoting it is not the clearest form: "[[cpu]]".
	bool require(const toml::table &table, std::string_view key, std::string_view where, std::string hint = {},
	             std::string_view shown = {})
	{
		if (table.contains(key))
			return true;
		std::string what = shown.empty() ? fmt::format("'{}'", key) : std::string(shown);
		error(pos_of(table.source()),
		      where.empty() ? fmt::format("missing {}", what) : fmt::format("missing {} in {}", what, where),
		      std::move(hint));
		return false;
	}

	std::optional<std::string> get_string(const toml::table &table, std::string_view key)
	{
		const toml::node *node = table.get(key);
		if (!node)
			return std::nullopt;
		if (const auto *s = node->as_string())
			return s->get();
		type_error(*node, "a string", key);
		return std::nullopt;
	}

	// An integer in [min, max]; `range` says what that is, for the message.
	std::optional<int64_t> get_integer(const toml::table &table, std::string_view key, int64_t min, int64_t max,
	                                   std::string_view range)
	{
		const toml::node *node = table.get(key);
		if (!node)
			return std::nullopt;
		const auto *i = node->as_integer();
		if (!i) {
			type_error(*node, "an integer", key);
			return std::nullopt;
		}
		if (i->get() < min || i->get() > max) {
			error(pos_of(node->source()), fmt::format("expected {} for '{}', got {}", range, key, i->get()));
			return std::nullopt;
		}
		return i->get();
	}

	std::optional<int> get_cpu(const toml::table &table, std::string_view key)
	{
		auto cpu = get_integer(table, key, 0, max_cpus - 1, fmt::format("a CPU number from 0 to {}", max_cpus - 1));
		if (!cpu)
			return std::nullopt;
		return static_cast<int>(*cpu);
	}

	const toml::table *get_table(const toml::table &table, std::string_view key, std::string_view header)
	{
		const toml::node *node = table.get(key);
		if (!node)
			return nullptr;
		if (const auto *t = node->as_table())
			return t;
		type_error(*node, fmt::format("a table {}", header), key);
		return nullptr;
	}

	const toml::array *get_array(const toml::table &table, std::string_view key, std::string_view expected = "an array")
	{
		const toml::node *node = table.get(key);
		if (!node)
			return nullptr;
		if (const auto *a = node->as_array())
			return a;
		type_error(*node, expected, key);
		return nullptr;
	}

	// [[header]] tables; a non-table element is reported and skipped.
	std::vector<const toml::table *> get_tables(const toml::table &table, std::string_view key, std::string_view header)
	{
		std::vector<const toml::table *> out;
		const toml::array *array = get_array(table, key, fmt::format("an array of tables {}", header));
		if (!array)
			return out;
		for (const auto &element : *array) {
			if (const auto *t = element.as_table())
				out.push_back(t);
			else
				error(pos_of(element.source()), fmt::format("expected a table in '{}', got {}", key, type_name(element)));
		}
		return out;
	}

	std::vector<std::pair<std::string, SourcePos>> get_strings(const toml::table &table, std::string_view key)
	{
		std::vector<std::pair<std::string, SourcePos>> out;
		const toml::array *array = get_array(table, key, "an array of strings");
		if (!array)
			return out;
		for (const auto &element : *array) {
			if (const auto *s = element.as_string())
				out.emplace_back(s->get(), pos_of(element.source()));
			else
				error(pos_of(element.source()), fmt::format("expected a string in '{}', got {}", key, type_name(element)));
		}
		return out;
	}

	// ---- positions inside strings

	// Opening quote length of the string value at `pos`: 3 for """ and ''', else 1.
	int quote_length(SourcePos pos) const
	{
		auto continuation = [](char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; };
		size_t offset = 0;
		for (int line = 1; line < pos.line; line++) {
			offset = text_.find('\n', offset);
			if (offset == std::string_view::npos)
				return 1;
			offset++;
		}
		for (int column = 1; column < pos.column && offset < text_.size(); column++) {
			offset++;
			while (offset < text_.size() && continuation(text_[offset]))
				offset++;
		}
		std::string_view quote = text_.substr(std::min(offset, text_.size()), 3);
		return quote == R"(""")" || quote == "'''" ? 3 : 1;
	}

	// The position of byte `offset` of the single-line string value at `string_pos`.
	// FIXME: escape sequences before `offset` shift the column; op strings have none in practice.
	SourcePos inside(SourcePos string_pos, std::string_view content, size_t offset) const
	{
		return {string_pos.line, string_pos.column + quote_length(string_pos) +
		                             code_points(content.substr(0, std::min(offset, content.size())))};
	}

	// ---- objects

	void declare(const std::string &name, bool is_event, int index, SourcePos pos)
	{
		auto [it, inserted] = objects_.emplace(name, Object{is_event, index, pos});
		if (!inserted)
			error(pos, fmt::format("duplicate name '{}', already used by the {} at line {}", name,
			                       it->second.is_event ? "event" : "context", it->second.pos.line));
	}

	std::vector<std::string> names_of(bool events) const
	{
		std::vector<std::string> out;
		if (events) {
			for (const auto &e : scenario_.events)
				if (!e.name.empty())
					out.push_back(e.name);
		} else {
			for (const auto &c : scenario_.contexts)
				if (!c.name.empty())
					out.push_back(c.name);
		}
		return out;
	}

	// The index of the event or context `name`; -1 after reporting. `expectation` opens the
	// message when the name is an object of the other kind: "'mmap' expects an event".
	int resolve_object(const std::string &name, bool want_event, SourcePos pos, std::string_view expectation)
	{
		const char *kind = want_event ? "event" : "context";
		auto it = objects_.find(name);
		if (it == objects_.end()) {
			auto candidates = names_of(want_event);
			error(pos, fmt::format("no {} named '{}'", kind, name),
			      candidates.empty() ? fmt::format("no {}s are declared in [[setup.{}]]", kind, kind)
			                         : suggest(name, candidates, fmt::format("{}s: ", kind)));
			return -1;
		}
		if (it->second.is_event != want_event) {
			error(pos, fmt::format("{}, got {} '{}'", expectation, it->second.is_event ? "event" : "context", name));
			return -1;
		}
		return it->second.index;
	}

	// ---- the file, table by table

	void parse_root(const toml::table &root, const std::optional<std::string> &stem)
	{
		check_keys(root, root_keys, "");
		parse_model(root);
		if (require(root, "name", "", R"(name = "..." names the scenario, as its file name does)")) {
			if (auto name = get_string(root, "name")) {
				SourcePos pos = pos_of(root.get("name")->source());
				if (!is_scenario_name(*name))
					error(pos, fmt::format("expected a scenario name of letters, digits, '-' and '_', got '{}'", *name));
				else if (stem && *name != *stem)
					error(pos, fmt::format("expected name = \"{}\" to match the file name, got '{}'", *stem, *name),
					      "`perfmc run NAME` finds a scenario by its file name");
				scenario_.name = *name;
			}
		}
		if (require(root, "summary", "", R"(summary = "..." is one paragraph on the hazard, in kernel terms)")) {
			if (auto summary = get_string(root, "summary")) {
				scenario_.summary = fold_whitespace(*summary);
				if (scenario_.summary.empty())
					error(pos_of(root.get("summary")->source()), "expected a paragraph for 'summary', got an empty string");
			}
		}
		for (auto &[cover, pos] : get_strings(root, "covers")) {
			// KCSAN titles are two function names: "data-race in A / B".
			auto slash = cover.find(" / ");
			auto is_function = [](std::string_view f) {
				return !f.empty() && std::none_of(f.begin(), f.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
			};
			bool ok = slash != std::string::npos && is_function(std::string_view(cover).substr(0, slash)) &&
			          is_function(std::string_view(cover).substr(slash + 3));
			if (!ok)
				error(pos, fmt::format("expected a KCSAN title 'A / B' in 'covers', got '{}'", cover),
				      "as in 'BUG: KCSAN: data-race in perf_event_set_state / perf_mmap_rb'");
			scenario_.covers.push_back(cover);
		}
		for (auto &[reference, pos] : get_strings(root, "references"))
			scenario_.references.push_back(reference);
		parse_invariants(root);
		if (const toml::table *setup = get_table(root, "setup", "[setup]"))
			parse_setup(*setup);
		parse_lanes(root);
		parse_expect(root);
		if (const toml::table *search = get_table(root, "search", "[search]"))
			parse_search(*search);
	}

	// `model = "perf-2.6.32"`: which model the rest of the file is checked against.
	void parse_model(const toml::table &root)
	{
		scenario_.model = registries_.front().name;
		auto model = get_string(root, "model");
		if (!model)
			return;
		std::vector<std::string> names;
		for (const Registry &r : registries_) {
			names.push_back(r.name);
			if (r.name == *model) {
				registry_ = r;
				scenario_.model = r.name;
				return;
			}
		}
		for (const Registry &r : registries_) {
			for (const auto &[retired, instead] : r.retired) {
				if (retired == *model) {
					error(pos_of(root.get("model")->source()),
					      fmt::format("model '{}' is now part of model '{}'", *model, r.name), instead);
					return;
				}
			}
		}
		error(pos_of(root.get("model")->source()), fmt::format("unknown model '{}'", *model),
		      suggest(*model, names, "models: "));
	}

	void parse_invariants(const toml::table &root)
	{
		if (!root.contains("invariants")) {
			scenario_.invariants = registry_.get().invariants;
			return;
		}
		auto invariants = get_strings(root, "invariants");
		if (invariants.empty() && root.get("invariants")->is_array())
			error(pos_of(root.get("invariants")->source()), "expected at least one invariant in 'invariants', got none",
			      "leave 'invariants' out to check every invariant");
		for (auto &[invariant, pos] : invariants) {
			if (!contains(registry_.get().invariants, invariant))
				error(pos, fmt::format("unknown invariant '{}'", invariant),
				      suggest(invariant, registry_.get().invariants, "invariants: "));
			else if (contains(scenario_.invariants, invariant))
				error(pos, fmt::format("invariant '{}' is listed twice", invariant));
			else
				scenario_.invariants.push_back(invariant);
		}
	}

	void parse_setup(const toml::table &setup)
	{
		check_keys(setup, {"tick", "context", "event", "ops"}, "[setup]");
		if (auto tick = get_integer(setup, "tick", 1, INT64_MAX, "a positive integer"))
			scenario_.tick = *tick;
		for (const toml::table *t : get_tables(setup, "context", "[[setup.context]]"))
			parse_context(*t);
		// Events name contexts, and leaders may be declared after their members: two passes.
		std::vector<std::optional<std::pair<std::string, SourcePos>>> leaders;
		for (const toml::table *t : get_tables(setup, "event", "[[setup.event]]"))
			leaders.push_back(parse_event(*t));
		for (size_t i = 0; i < leaders.size(); i++)
			if (leaders[i])
				resolve_leader(scenario_.events[i], static_cast<int>(i), leaders[i]->first, leaders[i]->second);
		for (size_t i = 0; i < leaders.size(); i++)
			check_group(scenario_.events[i], leaders[i] ? leaders[i]->second : scenario_.events[i].pos);
		// ops = ["set_output(B, A)", ...]: run in order on cpu0 before the lanes start
		if (setup.contains("ops"))
			if (const toml::array *ops = get_array(setup, "ops", "an array of ops"))
				for (const auto &element : *ops) {
					std::optional<Op> op;
					if (const auto *s = element.as_string())
						op = parse_op_string(element, s->get());
					else
						error(pos_of(element.source()),
						      fmt::format("expected an op string in 'ops', got {}", type_name(element)));
					if (op)
						scenario_.setup_ops.push_back(std::move(*op));
				}
	}

	// Returns the name string or nothing, reporting a bad one; `what` is "context", "event"...
	std::optional<std::string> get_name(const toml::table &table, std::string_view where, std::string_view what)
	{
		if (!require(table, "name", where))
			return std::nullopt;
		auto name = get_string(table, "name");
		if (name && !is_identifier(*name)) {
			error(pos_of(table.get("name")->source()),
			      fmt::format("expected {} name of letters, digits and '_', got '{}'", what, *name),
			      "names appear in ops such as sched_out(T) and in locks such as T.lock");
			return std::nullopt;
		}
		return name;
	}

	void parse_context(const toml::table &table)
	{
		ContextSpec context;
		context.pos = pos_of(table.source());
		int index = static_cast<int>(scenario_.contexts.size());
		check_keys(table, {"name", "task", "cpu", "running_on"}, "[[setup.context]]");
		if (auto name = get_name(table, "[[setup.context]]", "a context")) {
			context.name = *name;
			declare(*name, false, index, pos_of(table.get("name")->source()));
		}
		context.task = get_string(table, "task");
		if (context.task && !is_identifier(*context.task)) {
			error(pos_of(table.get("task")->source()),
			      fmt::format("expected a task name of letters, digits and '_', got '{}'", *context.task));
			context.task.reset();
		}
		context.cpu = get_cpu(table, "cpu");
		context.running_on = get_cpu(table, "running_on");
		bool has_task = table.contains("task"), has_cpu = table.contains("cpu");
		const char *form_hint = R"(a context belongs to a task (task = "T") or to a CPU (cpu = 1))";
		if (has_task == has_cpu)
			error(context.pos,
			      fmt::format("expected either 'task' or 'cpu' in context '{}', got {}", context.name,
			                  has_task ? "both" : "neither"),
			      form_hint);
		else if (has_cpu && table.contains("running_on"))
			error(pos_of(table.get("running_on")->source()),
			      fmt::format("'running_on' applies only to task contexts, and '{}' is a CPU context", context.name));
		// One perf_event_context per task and per CPU, as since the 6.2 context rework.
		for (const auto &other : scenario_.contexts) {
			if (context.task && other.task == context.task)
				error(context.pos, fmt::format("task '{}' already has a context, '{}' at line {}", *context.task,
				                               other.name, other.pos.line));
			if (context.cpu && other.cpu == context.cpu)
				error(context.pos, fmt::format("CPU {} already has a context, '{}' at line {}", *context.cpu,
				                               other.name, other.pos.line));
		}
		scenario_.contexts.push_back(std::move(context));
	}

	// Returns the leader as written, to resolve once every event is declared.
	std::optional<std::pair<std::string, SourcePos>> parse_event(const toml::table &table)
	{
		EventSpec event;
		event.pos = pos_of(table.source());
		int index = static_cast<int>(scenario_.events.size());
		event.leader = index;
		check_keys(table, {"name", "context", "state", "leader", "mapped", "attr"}, "[[setup.event]]");
		if (auto name = get_name(table, "[[setup.event]]", "an event")) {
			event.name = *name;
			declare(*name, true, index, pos_of(table.get("name")->source()));
		}
		if (require(table, "context", event.name.empty() ? "[[setup.event]]" : fmt::format("event '{}'", event.name)))
			if (auto context = get_string(table, "context"))
				event.context = resolve_object(*context, false, pos_of(table.get("context")->source()),
				                               "expected a context for 'context'");
		if (auto state = get_string(table, "state")) {
			if (contains(states, *state)) {
				event.state = *state;
			} else {
				std::string upper = *state;
				std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
				error(pos_of(table.get("state")->source()),
				      fmt::format("expected a state ({}), got '{}'", join(states), *state),
				      contains(states, upper) ? fmt::format("states are upper case, as in the kernel: '{}'", upper)
				                              : suggest(*state, states, ""));
			}
		}
		if (const toml::node *mapped = table.get("mapped")) {
			if (const auto *b = mapped->as_boolean())
				event.mapped = b->get();
			else
				type_error(*mapped, "a boolean", "mapped");
		}
		if (const toml::table *attr = get_table(table, "attr", "{ bit = value, ... }"))
			parse_attr(*attr, event);
		std::optional<std::pair<std::string, SourcePos>> leader;
		if (auto name = get_string(table, "leader"))
			leader.emplace(*name, pos_of(table.get("leader")->source()));
		scenario_.events.push_back(std::move(event));
		return leader;
	}

	void parse_attr(const toml::table &attr, EventSpec &event)
	{
		for (auto &&[key, value] : attr) {
			std::string bit(key.str());
			if (!contains(registry_.get().attrs, bit)) {
				error(pos_of(key.source()), fmt::format("unknown attr '{}'", bit),
				      suggest(bit, registry_.get().attrs, "attrs the model uses: "));
				continue;
			}
			if (const auto *b = value.as_boolean())
				event.attr[bit] = b->get() ? 1 : 0;
			else if (const auto *i = value.as_integer())
				event.attr[bit] = i->get();
			else
				error(pos_of(value.source()),
				      fmt::format("expected a boolean or an integer for attr '{}', got {}", bit, type_name(value)));
		}
	}

	void resolve_leader(EventSpec &event, int index, const std::string &name, SourcePos pos)
	{
		int leader = resolve_object(name, true, pos, "expected an event for 'leader'");
		if (leader < 0) {
			event.leader = -1;
			return;
		}
		event.leader = leader;
		const EventSpec &l = scenario_.events[leader];
		if (leader != index && event.context >= 0 && l.context >= 0 && l.context != event.context)
			error(pos, fmt::format("group leader '{}' is in context '{}', but event '{}' is in context '{}'", name,
			                       scenario_.contexts[l.context].name, event.name, scenario_.contexts[event.context].name),
			      "a group lives in one context");
	}

	// Runs after every leader is resolved: a leader must lead its own group.
	void check_group(const EventSpec &event, SourcePos pos)
	{
		if (event.leader < 0)
			return;
		const EventSpec &leader = scenario_.events[event.leader];
		if (leader.leader >= 0 && leader.leader != event.leader)
			error(pos,
			      fmt::format("group leader '{}' of event '{}' is itself in the group of '{}'", leader.name, event.name,
			                  scenario_.events[leader.leader].name),
			      fmt::format("groups do not nest: name '{}' as the leader", scenario_.events[leader.leader].name));
	}

	void parse_lanes(const toml::table &root)
	{
		if (!require(root, "cpu", "", R"x(each [[cpu]] table is one CPU lane: name = "...", run = ["op(args)", ...])x",
		             "[[cpu]]"))
			return;
		auto tables = get_tables(root, "cpu", "[[cpu]]");
		const toml::node *node = root.get("cpu");
		if (node->is_array() && node->as_array()->empty())
			error(pos_of(node->source()), fmt::format("expected 1 to {} [[cpu]] lanes, got none", max_cpus));
		for (size_t i = 0; i < tables.size(); i++) {
			if (i == max_cpus)
				error(pos_of(tables[i]->source()),
				      fmt::format("expected at most {} [[cpu]] lanes, got {}", max_cpus, tables.size()));
			parse_lane(*tables[i], static_cast<int>(i));
		}
		// Two lanes on one CPU are one CPU interrupting itself: only a task, an irq and an nmi.
		for (size_t i = 0; i < scenario_.lanes.size(); i++)
			for (size_t j = 0; j < i; j++) {
				const LaneSpec &a = scenario_.lanes[j], &b = scenario_.lanes[i];
				if (a.cpu == b.cpu && a.in == b.in)
					error(b.pos,
					      fmt::format("lanes '{}' and '{}' both run in {} context on CPU {}", a.name, b.name, b.in, b.cpu),
					      "lanes may share a CPU only if their 'in' differs (task, irq, nmi)");
			}
	}

	void parse_lane(const toml::table &table, int index)
	{
		LaneSpec lane;
		lane.pos = pos_of(table.source());
		lane.cpu = index;
		check_keys(table, {"name", "cpu", "in", "run"}, "[[cpu]]");
		if (require(table, "name", "[[cpu]]", R"(the lane's name is shown above it in reports: name = "task switch")"))
			if (auto name = get_string(table, "name")) {
				lane.name = *name;
				for (const auto &other : scenario_.lanes)
					if (other.name == lane.name)
						error(pos_of(table.get("name")->source()),
						      fmt::format("duplicate lane name '{}', already used by the lane at line {}", lane.name,
						                  other.pos.line));
			}
		if (auto cpu = get_cpu(table, "cpu"))
			lane.cpu = *cpu;
		if (auto in = get_string(table, "in")) {
			if (contains(lane_contexts, *in))
				lane.in = *in;
			else
				error(pos_of(table.get("in")->source()),
				      fmt::format("expected a context to run in ({}), got '{}'", join(lane_contexts), *in));
		}
		if (require(table, "run", lane.name.empty() ? "[[cpu]]" : fmt::format("lane '{}'", lane.name),
		            R"x(run = ["op(args)", ...] lists the lane's ops, in order)x"))
			if (const toml::array *run = get_array(table, "run", "an array of ops")) {
				if (run->empty())
					error(pos_of(run->source()), "expected at least one op in 'run', got none");
				for (const auto &element : *run) {
					std::optional<Op> op;
					if (const auto *s = element.as_string())
						op = parse_op_string(element, s->get());
					else if (const auto *t = element.as_table())
						op = parse_call(*t);
					else
						error(pos_of(element.source()),
						      fmt::format("expected an op (a string or an inline table) in 'run', got {}", type_name(element)));
					if (op)
						lane.ops.push_back(std::move(*op));
				}
			}
		scenario_.lanes.push_back(std::move(lane));
	}

	// ---- ops

	// Splits "name(arg, arg)" or "name"; reports a syntax error at the character that breaks it.
	std::optional<RawOp> split_op(std::string_view s, SourcePos pos)
	{
		RawOp op;
		size_t p = 0;
		auto skip_space = [&] {
			while (p < s.size() && std::isspace(static_cast<unsigned char>(s[p])))
				p++;
		};
		// A name or an integer; a minus sign only leads an argument.
		auto word = [&](bool argument) {
			size_t start = p;
			if (argument && p < s.size() && s[p] == '-')
				p++;
			while (p < s.size() && (std::isalnum(static_cast<unsigned char>(s[p])) || s[p] == '_'))
				p++;
			return std::string(s.substr(start, p - start));
		};
		auto fail = [&](std::string_view expected) {
			std::string found = p < s.size() ? fmt::format("'{}'", s[p]) : std::string("the end");
			error(inside(pos, s, p), fmt::format("expected {} in op '{}', got {}", expected, trim(s), found),
			      "an op is name or name(arg, ...)");
			return std::nullopt;
		};
		skip_space();
		if (trim(s).empty()) {
			error(inside(pos, s, 0), "expected an op, got an empty string");
			return std::nullopt;
		}
		op.name_offset = p;
		op.name = word(false);
		if (op.name.empty() || !is_identifier(op.name)) {
			p = op.name_offset;
			return fail("an op name");
		}
		skip_space();
		if (p == s.size())
			return op;
		if (s[p] != '(')
			return fail("'(' or the end");
		p++;
		skip_space();
		if (p < s.size() && s[p] == ')') {
			p++;
		} else {
			for (;;) {
				size_t start = p;
				std::string arg = word(true);
				if (arg.empty() || (!is_identifier(arg) && !looks_like_integer(arg))) {
					p = start;
					return fail("an argument (a name or an integer)");
				}
				op.args.emplace_back(arg, start);
				skip_space();
				if (p < s.size() && s[p] == ',') {
					p++;
					skip_space();
					continue;
				}
				if (p < s.size() && s[p] == ')') {
					p++;
					break;
				}
				return fail("',' or ')'");
			}
		}
		skip_space();
		if (p != s.size())
			return fail("the end");
		return op;
	}

	std::optional<Op> parse_op_string(const toml::node &node, const std::string &s)
	{
		SourcePos pos = pos_of(node.source());
		auto raw = split_op(s, pos);
		if (!raw)
			return std::nullopt;
		Op op;
		op.name = raw->name;
		op.pos = inside(pos, s, raw->name_offset);
		op.text = std::string(trim(s));
		const OpSpec *spec = find_spec(registry_.get().ops, op.name);
		if (!spec) {
			std::vector<std::string> names;
			for (const auto &o : registry_.get().ops)
				names.push_back(o.name);
			std::string best = closest_match(op.name, names);
			error(op.pos, fmt::format("unknown op '{}'", op.name),
			      op.name == "call" ? call_form_hint
			      : best.empty()    ? std::string(op_list_hint)
			                        : fmt::format("did you mean '{}'? {}", best, op_list_hint));
			return std::nullopt;
		}
		op.summary = spec->summary;
		if (raw->args.size() != spec->params.size()) {
			error(op.pos, arity_message(*spec, raw->args.size()));
			return std::nullopt;
		}
		bool ok = true;
		for (size_t i = 0; i < raw->args.size(); i++) {
			auto &[text, offset] = raw->args[i];
			auto arg = resolve_arg(*spec, spec->params[i], text, inside(pos, s, offset));
			ok &= arg.has_value();
			if (arg)
				op.args.push_back(*arg);
		}
		if (!ok)
			return std::nullopt;
		return op;
	}

	std::optional<OpArg> resolve_arg(const OpSpec &spec, const ParamSpec &param, const std::string &text, SourcePos pos)
	{
		OpArg arg{text, param.kind, -1, pos};
		std::string expectation = fmt::format("'{}' expects {}", spec.name, kind_name(param.kind));
		bool integer = looks_like_integer(text);
		switch (param.kind) {
		case ArgKind::Event:
		case ArgKind::Context:
			if (integer) {
				error(pos, fmt::format("{}, got {}", expectation, text));
				return std::nullopt;
			}
			arg.index = resolve_object(text, param.kind == ArgKind::Event, pos, expectation);
			break;
		case ArgKind::Cpu:
		case ArgKind::Integer: {
			auto value = integer ? parse_integer(text) : std::nullopt;
			if (!value) {
				error(pos, fmt::format("{}, got '{}'", expectation, text));
				return std::nullopt;
			}
			if (param.kind == ArgKind::Cpu && (*value < 0 || *value >= max_cpus)) {
				error(pos, fmt::format("{} from 0 to {}, got {}", expectation, max_cpus - 1, *value));
				return std::nullopt;
			}
			// FIXME: OpArg::index is an int; integer arguments beyond its range are refused.
			if (*value < INT32_MIN || *value > INT32_MAX) {
				error(pos, fmt::format("{} that fits in 32 bits, got {}", expectation, *value));
				return std::nullopt;
			}
			arg.index = static_cast<int>(*value);
			break;
		}
		}
		if (arg.index < 0 && (param.kind == ArgKind::Event || param.kind == ArgKind::Context))
			return std::nullopt;
		return arg;
	}

	std::optional<Op> parse_call(const toml::table &table)
	{
		Op op;
		op.is_call = true;
		op.pos = pos_of(table.source());
		check_keys(table, {"call", "args", "locks"}, "a call op");
		if (!require(table, "call", "an inline op table", call_form_hint))
			return std::nullopt;
		auto function = get_string(table, "call");
		if (!function)
			return std::nullopt;
		op.name = *function;
		const OpSpec *spec = find_spec(registry_.get().functions, op.name);
		if (!spec) {
			std::vector<std::string> names;
			for (const auto &f : registry_.get().functions)
				names.push_back(f.name);
			error(pos_of(table.get("call")->source()), fmt::format("unknown function '{}'", op.name),
			      suggest(op.name, names, "a call may name: "));
		} else {
			op.summary = spec->summary;
		}
		bool ok = spec != nullptr;
		std::vector<std::string> arg_texts;
		if (const toml::array *args = get_array(table, "args")) {
			if (spec && args->size() != spec->params.size()) {
				error(pos_of(args->source()), arity_message(*spec, args->size()));
				ok = false;
			}
			for (size_t i = 0; i < args->size(); i++) {
				const toml::node &element = *args->get(i);
				std::string text;
				SourcePos pos = pos_of(element.source());
				if (const auto *s = element.as_string())
					text = s->get();
				else if (const auto *n = element.as_integer())
					text = std::to_string(n->get());
				else {
					error(pos, fmt::format("expected a name or an integer in 'args', got {}", type_name(element)));
					ok = false;
					continue;
				}
				arg_texts.push_back(text);
				if (!ok || !spec)
					continue;
				auto arg = resolve_arg(*spec, spec->params[i], text, pos);
				ok &= arg.has_value();
				if (arg)
					op.args.push_back(*arg);
			}
		} else if (spec && !spec->params.empty() && !table.contains("args")) {
			error(op.pos, arity_message(*spec, 0));
			ok = false;
		}
		std::vector<std::string> lock_texts;
		for (auto &[text, pos] : get_strings(table, "locks")) {
			lock_texts.push_back(text);
			auto lock = parse_lock(text, pos);
			if (!lock) {
				ok = false;
				continue;
			}
			bool twice = std::any_of(op.locks.begin(), op.locks.end(), [&](const LockRef &l) { return l.text == text; });
			if (twice) {
				error(pos, fmt::format("lock '{}' is listed twice", text));
				ok = false;
			}
			op.locks.push_back(*lock);
		}
		op.text = fmt::format("{}({})", op.name, join(arg_texts));
		if (!lock_texts.empty())
			op.text += " under " + join(lock_texts);
		if (!ok)
			return std::nullopt;
		return op;
	}

	std::optional<LockRef> parse_lock(const std::string &text, SourcePos pos)
	{
		LockRef lock;
		lock.text = text;
		lock.pos = pos;
		auto dot = text.rfind('.');
		std::string suffix = dot == std::string::npos ? "" : text.substr(dot + 1);
		if (suffix == "lock")
			lock.kind = LockRef::Kind::CtxLock;
		else if (suffix == "mutex")
			lock.kind = LockRef::Kind::CtxMutex;
		else if (suffix == "mmap_mutex")
			lock.kind = LockRef::Kind::MmapMutex;
		else {
			error(pos, fmt::format("unknown lock '{}'", text), lock_hint);
			return std::nullopt;
		}
		bool want_event = lock.kind == LockRef::Kind::MmapMutex;
		lock.object = resolve_object(text.substr(0, dot), want_event, pos,
		                             fmt::format("expected {} before '.{}'", want_event ? "an event" : "a context", suffix));
		if (lock.object < 0)
			return std::nullopt;
		return lock;
	}

	// ---- expectations and search defaults

	void parse_expect(const toml::table &root)
	{
		if (!require(root, "expect", "", "[expect] gives the verdict (pass, benign, harmful, incomplete) expected under each variant",
		             "[expect]"))
			return;
		const toml::table *expect = get_table(root, "expect", "[expect]");
		if (!expect)
			return;
		if (expect->empty())
			error(pos_of(expect->source()), "expected a verdict for at least one variant in [expect], got none",
			      R"(as in upstream = "harmful")");
		// toml++ keeps keys sorted; the file's order is the author's, so keep that.
		std::vector<std::pair<const toml::key *, const toml::node *>> entries;
		for (auto &&[key, value] : *expect)
			entries.emplace_back(&key, &value);
		std::stable_sort(entries.begin(), entries.end(), [](const auto &a, const auto &b) {
			const auto &x = a.first->source().begin, &y = b.first->source().begin;
			return std::tie(x.line, x.column) < std::tie(y.line, y.column);
		});
		for (auto [key, value] : entries) {
			std::string variant(key->str());
			bool ok = true;
			if (!contains(registry_.get().variants, variant)) {
				error(pos_of(key->source()), fmt::format("unknown variant '{}'", variant),
				      suggest(variant, registry_.get().variants, "variants: "));
				ok = false;
			}
			const auto *verdict = value->as_string();
			if (!verdict) {
				type_error(*value, fmt::format("a verdict ({})", join(verdicts)), variant);
				continue;
			}
			if (!contains(verdicts, verdict->get())) {
				error(pos_of(value->source()), fmt::format("expected a verdict ({}), got '{}'", join(verdicts), verdict->get()));
				continue;
			}
			if (ok)
				scenario_.expect.emplace_back(variant, verdict->get());
		}
	}

	void parse_search(const toml::table &search)
	{
		check_keys(search, {"mode", "bound", "iterations", "seed", "pct"}, "[search]");
		if (auto mode = get_string(search, "mode")) {
			if (contains(search_modes, *mode))
				scenario_.search.mode = *mode;
			else
				error(pos_of(search.get("mode")->source()),
				      fmt::format("expected a search mode ({}), got '{}'", join(search_modes), *mode));
		}
		if (auto bound = get_integer(search, "bound", 0, INT32_MAX, "a non-negative integer"))
			scenario_.search.bound = static_cast<int>(*bound);
		scenario_.search.iterations = get_integer(search, "iterations", 1, INT64_MAX, "a positive integer");
		scenario_.search.seed = get_integer(search, "seed", 0, INT64_MAX, "a non-negative integer");
		if (auto pct = get_integer(search, "pct", 0, 16, "a PCT depth from 0 to 16"))
			scenario_.search.pct = static_cast<int>(*pct);
	}
};

}  // namespace

Scenario parse_scenario(std::string_view text, const std::string &filename, const std::vector<Registry> &registries)
{
	return Parser(text, filename, registries).parse(std::nullopt);
}

Scenario parse_scenario(std::string_view text, const std::string &filename, const Registry &registry)
{
	return parse_scenario(text, filename, std::vector<Registry>{registry});
}

Scenario load_scenario_file(const std::string &path, const Registry &registry)
{
	return load_scenario_file(path, std::vector<Registry>{registry});
}

Scenario load_scenario_file(const std::string &path, const std::vector<Registry> &registries)
{
	std::string contents = read_input_file(path, "scenario file");
	std::string stem = std::filesystem::path(path).stem().string();
	return Parser(contents, path, registries).parse(stem);
}

}  // namespace perfmc
