// The field tables (fields.h) and naming a report's racing field from them.
#include "checker/kcsan/fields.h"

#include <algorithm>
#include <charconv>
#include <set>

#include <fmt/format.h>

namespace perfmc::kcsan {

namespace {

// Shorthands for the table: a use of a field at a line, a call at a line.
FieldUse R(int line, const char *field, const char *member, int size) { return {line, field, member, 'r', size, false}; }
FieldUse W(int line, const char *field, const char *member, int size) { return {line, field, member, 'w', size, false}; }
FieldUse M(int line, const char *field, const char *member, int size) { return {line, field, member, 'm', size, false}; }
FieldUse RO(int line, const char *field, const char *member, int size) { return {line, field, member, 'r', size, true}; }
FieldUse WO(int line, const char *field, const char *member, int size) { return {line, field, member, 'w', size, true}; }
FieldUse C(int line, const char *callee) { return {line, "", callee, 'c', 0, false}; }

// kernel/events/core.c at 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable), read with the search
// tool's read_file. first: the function's first line (its return type's line), the model's
// MODEL_FRAME line where the model ports it; last: its closing brace. Sizes are x86-64's.
// Reads of perf_event_attr and other fields fixed after perf_event_open() are left out: they never
// race. A `*enabled`/`*running` of __perf_update_times() is the event's own total when
// perf_event_update_time() calls it (a read-modify-write then), a local of calc_timer_values()
// otherwise.
std::vector<FunctionUses> make_table()
{
	std::vector<FunctionUses> t = {
		{"__perf_effective_state", 709, 718,
		 {R(712, "event->group_leader", "perf_event.group_leader", 8), R(714, "leader->state", "perf_event.state", 4),
		  R(715, "leader->state", "perf_event.state", 4), R(717, "event->state", "perf_event.state", 4)}},
		{"__perf_update_times", 720, 733,
		 {C(723, "__perf_effective_state"), R(724, "event->tstamp", "perf_event.tstamp", 8),
		  M(726, "event->total_time_enabled", "perf_event.total_time_enabled", 8),
		  M(728, "event->total_time_enabled", "perf_event.total_time_enabled", 8),
		  M(730, "event->total_time_running", "perf_event.total_time_running", 8),
		  M(732, "event->total_time_running", "perf_event.total_time_running", 8)}},
		{"perf_event_update_time", 735, 742,
		 {C(737, "perf_event_time"), C(739, "__perf_update_times"), W(741, "event->tstamp", "perf_event.tstamp", 8)}},
		{"perf_event_update_sibling_time", 744, 750, {C(749, "perf_event_update_time")}},
		{"perf_event_set_state", 752, 767,
		 {R(755, "event->state", "perf_event.state", 4), C(758, "perf_event_update_time"),
		  R(763, "event->state", "perf_event.state", 4), C(764, "perf_event_update_sibling_time"),
		  WO(766, "event->state", "perf_event.state", 4)}},
		{"perf_pin_task_context", 1529, 1541, {M(1537, "ctx->pin_count", "perf_event_context.pin_count", 4)}},
		{"perf_unpin_context", 1543, 1550, {M(1548, "ctx->pin_count", "perf_event_context.pin_count", 4)}},
		{"__update_context_time", 1555, 1575,
		 {M(1562, "ctx->time", "perf_event_context.time", 8), R(1562, "ctx->timestamp", "perf_event_context.timestamp", 8),
		  W(1563, "ctx->timestamp", "perf_event_context.timestamp", 8),
		  WO(1574, "ctx->timeoffset", "perf_event_context.timeoffset", 8), R(1574, "ctx->time", "perf_event_context.time", 8),
		  R(1574, "ctx->timestamp", "perf_event_context.timestamp", 8)}},
		{"update_context_time", 1577, 1580, {C(1579, "__update_context_time")}},
		{"perf_event_time", 1582, 1593,
		 {R(1584, "event->ctx", "perf_event.ctx", 8), R(1592, "ctx->time", "perf_event_context.time", 8)}},
		{"perf_event_time_now", 1595, 1610,
		 {R(1597, "event->ctx", "perf_event.ctx", 8), RO(1605, "ctx->is_active", "perf_event_context.is_active", 4),
		  R(1606, "ctx->time", "perf_event_context.time", 8), RO(1608, "ctx->timeoffset", "perf_event_context.timeoffset", 8)}},
		{"list_add_event", 1886, 1920, {C(1894, "perf_event_time"), W(1894, "event->tstamp", "perf_event.tstamp", 8)}},
		{"perf_event__state_init", 1925, 1929, {W(1927, "event->state", "perf_event.state", 4)}},
		{"event_sched_out", 2365, 2410,
		 {R(2377, "event->state", "perf_event.state", 4), C(2389, "pmu->del"), W(2390, "event->oncpu", "perf_event.oncpu", 4),
		  R(2392, "event->pending_disable", "perf_event.pending_disable", 4),
		  W(2393, "event->pending_disable", "perf_event.pending_disable", 4), C(2398, "perf_event_set_state")}},
		{"group_sched_out", 2412, 2429,
		 {R(2417, "group_event->state", "perf_event.state", 4), C(2422, "event_sched_out"), C(2428, "event_sched_out")}},
		{"__ctx_time_update", 2431, 2440,
		 {R(2434, "ctx->is_active", "perf_event_context.is_active", 4), R(2435, "ctx->is_active", "perf_event_context.is_active", 4),
		  C(2437, "update_context_time")}},
		{"event_sched_in", 2712, 2767,
		 {R(2723, "event->state", "perf_event.state", 4), WO(2726, "event->oncpu", "perf_event.oncpu", 4),
		  C(2733, "perf_event_set_state"), R(2740, "event->hw.interrupts", "hw_perf_event.interrupts", 8), C(2747, "pmu->add"),
		  C(2748, "perf_event_set_state"), W(2749, "event->oncpu", "perf_event.oncpu", 4)}},
		{"__perf_event_read", 4674, 4719,
		 {C(4695, "perf_event_update_time"), R(4699, "event->state", "perf_event.state", 4)}},
		{"calc_timer_values", 4729, 4739, {C(4737, "perf_event_time_now"), C(4738, "__perf_update_times")}},
		{"perf_event_read", 4823, 4895,
		 {RO(4825, "event->state", "perf_event.state", 4), RO(4844, "event->oncpu", "perf_event.oncpu", 4),
		  C(4867, "smp_call_function_single"), R(4876, "event->state", "perf_event.state", 4),
		  C(4888, "perf_event_update_time"), C(4890, "perf_event_update_sibling_time")}},
		// counted from perf_event_read() above (no model port of its own)
		{"find_get_context", 4960, 5031,
		 {M(4978, "ctx->pin_count", "perf_event_context.pin_count", 4), M(4989, "ctx->pin_count", "perf_event_context.pin_count", 4),
		  M(5013, "ctx->pin_count", "perf_event_context.pin_count", 4)}},
		{"perf_event_index", 6502, 6511,
		 {R(6504, "event->hw.state", "hw_perf_event.state", 4), R(6507, "event->state", "perf_event.state", 4)}},
		{"perf_event_init_userpage", 6513, 6533,
		 {RO(6519, "event->rb", "perf_event.rb", 8), R(6523, "rb->user_page", "perf_buffer.user_page", 8),
		  M(6526, "perf_event_mmap_page.capabilities", "perf_event_mmap_page.capabilities", 8),
		  W(6527, "perf_event_mmap_page.size", "perf_event_mmap_page.size", 4),
		  W(6528, "perf_event_mmap_page.data_offset", "perf_event_mmap_page.data_offset", 8),
		  W(6529, "perf_event_mmap_page.data_size", "perf_event_mmap_page.data_size", 8)}},
		{"perf_event_update_userpage", 6545, 6593,
		 {RO(6552, "event->rb", "perf_event.rb", 8), C(6565, "calc_timer_values"), R(6567, "rb->user_page", "perf_buffer.user_page", 8),
		  M(6573, "perf_event_mmap_page.lock", "perf_event_mmap_page.lock", 4), C(6575, "perf_event_index"),
		  W(6575, "perf_event_mmap_page.index", "perf_event_mmap_page.index", 4),
		  W(6576, "perf_event_mmap_page.offset", "perf_event_mmap_page.offset", 8),
		  R(6577, "perf_event_mmap_page.index", "perf_event_mmap_page.index", 4),
		  M(6578, "perf_event_mmap_page.offset", "perf_event_mmap_page.offset", 8),
		  W(6580, "perf_event_mmap_page.time_enabled", "perf_event_mmap_page.time_enabled", 8),
		  W(6583, "perf_event_mmap_page.time_running", "perf_event_mmap_page.time_running", 8),
		  C(6586, "arch_perf_update_userpage"), M(6589, "perf_event_mmap_page.lock", "perf_event_mmap_page.lock", 4)}},
		{"perf_mmap_rb", 6984, 7051,
		 {R(7002, "event->rb", "perf_event.rb", 8), C(7041, "ring_buffer_attach"), C(7043, "perf_event_update_time"),
		  C(7044, "perf_event_init_userpage"), C(7045, "perf_event_update_userpage")}},
		{"perf_mmap", 7129, 0, {R(7166, "event->state", "perf_event.state", 4), C(7170, "perf_mmap_rb")}},
		{"perf_event_wakeup", 7237, 7245,
		 {R(7241, "event->pending_kill", "perf_event.pending_kill", 4), R(7242, "event->pending_kill", "perf_event.pending_kill", 4),
		  W(7243, "event->pending_kill", "perf_event.pending_kill", 4)}},
		{"perf_pending_irq", 7331, 7353,
		 {R(7346, "event->pending_wakeup", "perf_event.pending_wakeup", 4),
		  W(7347, "event->pending_wakeup", "perf_event.pending_wakeup", 4), C(7348, "perf_event_wakeup")}},
		// lines counted in issue 15 (model/README.md, "Overflow in perf")
		{"__perf_event_overflow", 10318, 10408,
		 {W(10346, "event->pending_kill", "perf_event.pending_kill", 4), R(10399, "event->pending_kill", "perf_event.pending_kill", 4),
		  R(10370, "event->pending_work", "perf_event.pending_work", 4), W(10372, "event->pending_work", "perf_event.pending_work", 4),
		  W(10376, "event->pending_addr", "perf_event.pending_addr", 8),
		  RO(10397, "event->overflow_handler", "perf_event.overflow_handler", 8),
		  W(10400, "event->pending_wakeup", "perf_event.pending_wakeup", 4)}},
	};
	std::sort(t.begin(), t.end(), [](const FunctionUses &a, const FunctionUses &b) { return a.function < b.function; });
	return t;
}

// A read in the report is a read or the load of a read-modify-write; a write likewise.
bool kind_fits(const std::string &kind, char use)
{
	if (use == 'c')
		return false;
	if (kind == "read" || kind.starts_with("assert"))
		return use == 'r' || use == 'm';
	if (kind == "write")
		return use == 'w' || use == 'm';
	return use == 'm';  // read-write
}

bool is_core_c(const Frame &frame) { return frame.file.ends_with("kernel/events/core.c"); }

uint64_t parse_address(const std::string &address)
{
	uint64_t value = 0;
	const char *first = address.data() + (address.starts_with("0x") ? 2 : 0);
	std::from_chars(first, address.data() + address.size(), value, 16);
	return value;
}

}  // namespace

const std::vector<FunctionUses> &core_c_uses()
{
	static const std::vector<FunctionUses> table = make_table();
	return table;
}

const FunctionUses *find_function(const std::string &function)
{
	const std::vector<FunctionUses> &t = core_c_uses();
	auto it = std::lower_bound(t.begin(), t.end(), function,
				   [](const FunctionUses &f, const std::string &name) { return f.function < name; });
	return it != t.end() && it->function == function ? &*it : nullptr;
}

std::string base_function(const std::string &function)
{
	size_t dot = function.find('.');
	return dot == std::string::npos || dot == 0 ? function : function.substr(0, dot);
}

const std::vector<UserPageField> &perf_event_mmap_page_layout()
{
	// include/uapi/linux/perf_event.h: struct perf_event_mmap_page
	static const std::vector<UserPageField> layout = {
		{0x000, 4, "version"},      {0x004, 4, "compat_version"}, {0x008, 4, "lock"},       {0x00c, 4, "index"},
		{0x010, 8, "offset"},       {0x018, 8, "time_enabled"},   {0x020, 8, "time_running"}, {0x028, 8, "capabilities"},
		{0x030, 2, "pmc_width"},    {0x032, 2, "time_shift"},     {0x034, 4, "time_mult"},  {0x038, 8, "time_offset"},
		{0x040, 8, "time_zero"},    {0x048, 4, "size"},           {0x04c, 4, "__reserved_1"}, {0x050, 8, "time_cycles"},
		{0x058, 8, "time_mask"},    {0x400, 8, "data_head"},      {0x408, 8, "data_tail"},  {0x410, 8, "data_offset"},
		{0x418, 8, "data_size"},    {0x420, 8, "aux_head"},       {0x428, 8, "aux_tail"},   {0x430, 8, "aux_offset"},
		{0x438, 8, "aux_size"},
	};
	return layout;
}

std::optional<UserPageField> user_page_field(uint64_t offset, int size)
{
	for (const UserPageField &f : perf_event_mmap_page_layout())
		if (offset >= f.offset && offset + static_cast<uint64_t>(size) <= f.offset + f.size)
			return f;
	return std::nullopt;
}

bool writes_user_page(const std::string &function)
{
	static const std::set<std::string> writers = {"perf_event_update_userpage", "perf_event_init_userpage",
						      "arch_perf_update_userpage", "perf_output_put_handle",
						      "perf_aux_output_begin", "perf_aux_output_end", "__perf_output_begin",
						      "perf_output_begin", "perf_output_begin_forward",
						      "perf_output_begin_backward", "ring_buffer_init"};
	return writers.count(base_function(function)) > 0;
}

FieldAnswer name_access_field(const Report &report, size_t index)
{
	FieldAnswer answer;
	if (index >= report.accesses.size() || report.accesses[index].stack.empty()) {
		answer.how = "unknown";
		answer.explanation = "the access has no stack";
		return answer;
	}
	const Access &access = report.accesses[index];
	const std::vector<Frame> &stack = access.stack;
	const Frame &top = stack.front();
	answer.function = base_function(top.function);
	answer.line = is_core_c(top) ? top.line : 0;

	const FunctionUses *function = find_function(answer.function);
	auto note_kernel = [&](const char *why) {
		if (function && function->first > 0 && answer.line > 0 &&
		    (answer.line < function->first || (function->last > 0 && answer.line > function->last)))
			answer.kernel_note = fmt::format("the report's kernel differs from 12f24484da13 here: {}() spans core.c:{}-{} "
							 "there, the report has core.c:{}{}",
							 answer.function, function->first,
							 function->last ? std::to_string(function->last) : std::string("?"),
							 answer.line, why);
	};
	// The user page: page-aligned, its layout a uapi, so the address's offset names the field.
	if (writes_user_page(answer.function)) {
		uint64_t offset = parse_address(access.address) & 0xfff;
		if (auto field = user_page_field(offset, access.size)) {
			answer.field = "perf_event_mmap_page." + field->name;
			answer.member = answer.field;
			answer.how = "address";
			answer.explanation = fmt::format("{}() writes the mmap()ed user page, which is page-aligned: offset 0x{:x} "
							 "of {} bytes is {} (include/uapi/linux/perf_event.h)",
							 answer.function, offset, access.size, answer.field);
			note_kernel(" (the address names the field all the same)");
			return answer;
		}
	}

	if (!function) {
		answer.how = "unknown";
		answer.explanation = fmt::format("{}() is not in perfmc's table of core.c field uses at 12f24484da13",
						 answer.function);
		return answer;
	}
	std::vector<const FieldUse *> fits;
	for (const FieldUse &use : function->uses)
		if (kind_fits(access.kind, use.use) && (use.size == 0 || use.size == access.size))
			fits.push_back(&use);
	auto name = [&](const FieldUse &use, const std::string &how, std::string explanation) {
		answer.field = use.field;
		answer.member = use.member;
		answer.how = how;
		answer.explanation = std::move(explanation);
	};
	auto at_line = [&](int line) -> const FieldUse * {
		for (const FieldUse *use : fits)
			if (use->line == line)
				return use;
		return nullptr;
	};
	bool in_range = function->first > 0 && answer.line >= function->first &&
			(function->last == 0 || answer.line <= function->last);
	if (answer.line > 0 && function->first > 0) {
		if (const FieldUse *use = in_range ? at_line(answer.line) : nullptr) {
			name(*use, "exact", fmt::format("core.c:{} in {}() {} {} at 12f24484da13", answer.line, answer.function,
							use->use == 'w' ? "writes" : use->use == 'm' ? "updates" : "reads", use->field));
			return answer;
		}
		answer.kernel_note =
			in_range ? fmt::format("the report's kernel differs from 12f24484da13 here: core.c:{} is no {}-byte {} of "
					       "{}() there",
					       answer.line, access.size, access.kind, answer.function)
				 : fmt::format("the report's kernel differs from 12f24484da13 here: {}() spans core.c:{}-{} there, "
					       "the report has core.c:{}",
					       answer.function, function->first,
					       function->last ? std::to_string(function->last) : std::string("?"), answer.line);
		// The shift of the report's kernel here, from the caller frame nearest in the file whose call
		// site the table knows: in this access's stack or the other's (both ran one kernel).
		struct Shift {
			int distance, shift;
			std::string caller, callee;
			int report_line, line;
		};
		std::optional<Shift> best;
		for (size_t s = 0; s < report.accesses.size(); s++) {
			const std::vector<Frame> &frames = report.accesses[(index + s) % report.accesses.size()].stack;
			for (size_t i = 1; i < frames.size(); i++) {
				if (!is_core_c(frames[i]) || frames[i].line == 0)
					continue;
				const FunctionUses *caller = find_function(base_function(frames[i].function));
				if (!caller || caller->first == 0)
					continue;
				int distance = std::abs(caller->first - function->first);
				if (distance > 300 || (best && distance >= best->distance))
					continue;
				std::string callee = base_function(frames[i - 1].function);
				for (const FieldUse &call : caller->uses)
					if (call.use == 'c' && call.member == callee)
						best = Shift{distance, call.line - frames[i].line, caller->function, callee, frames[i].line,
							     call.line};
			}
		}
		if (best) {
			if (const FieldUse *use = at_line(answer.line + best->shift)) {
				answer.shift = best->shift;
				name(*use, "shifted",
				     fmt::format("{}() calls {}() at core.c:{} in the report and at core.c:{} at 12f24484da13: "
						 "the report's core.c:{} is core.c:{} there, which {} {}",
						 best->caller, best->callee, best->report_line, best->line, answer.line,
						 answer.line + best->shift,
						 use->use == 'w' ? "writes" : use->use == 'm' ? "updates" : "reads", use->field));
				return answer;
			}
		}
	}
	std::set<std::string> fields;
	for (const FieldUse *use : fits)
		fields.insert(use->field);
	if (fields.size() == 1) {
		name(*fits.front(), "function",
		     fmt::format("{}() {}s only one field of {} bytes: {}", answer.function,
				 access.kind == "read" ? "read" : access.kind == "write" ? "write" : "update", access.size,
				 fits.front()->field));
		return answer;
	}
	answer.candidates.assign(fields.begin(), fields.end());
	answer.how = fields.empty() ? "unknown" : "candidates";
	answer.explanation =
		fields.empty() ? fmt::format("{}() makes no {}-byte {} perfmc's table knows", answer.function, access.size, access.kind)
			       : fmt::format("{}() makes a {}-byte {} of {} fields: {}", answer.function, access.size,
					     access.kind, fields.size(), fmt::join(fields, ", "));
	return answer;
}

// Said of every field named in struct perf_event or its context: why its address was not used.
constexpr const char *layout_note =
	"; the address is not used for it: struct perf_event's and perf_event_context's layouts depend on the "
	"config and the version";

RaceField name_race_field(const Report &report)
{
	RaceField out;
	for (size_t a = 0; a < report.accesses.size(); a++)
		out.accesses.push_back(name_access_field(report, a));
	if (out.accesses.empty()) {
		out.race.how = "unknown";
		return out;
	}
	// the most certain answer wins; a shared address lets a certain side name the other
	auto rank = [](const FieldAnswer &f) {
		if (f.how == "address" || f.how == "exact")
			return 4;
		if (f.how == "shifted")
			return 3;
		if (f.how == "function")
			return 2;
		if (f.how == "candidates")
			return 1;
		return 0;
	};
	size_t best = 0;
	for (size_t a = 1; a < out.accesses.size(); a++)
		if (rank(out.accesses[a]) > rank(out.accesses[best]))
			best = a;
	out.race = out.accesses[best];
	bool same_address = report.accesses.size() == 2 && report.accesses[0].address == report.accesses[1].address;
	if (same_address) {
		FieldAnswer &other = out.accesses[1 - best];
		const FieldAnswer &named = out.accesses[best];
		if (!named.field.empty() && other.field.empty()) {
			bool fits = other.candidates.empty() ||
				    std::find(other.candidates.begin(), other.candidates.end(), named.field) != other.candidates.end();
			if (fits) {
				other.field = named.field;
				other.member = named.member;
				other.how = "other access";
				other.explanation = fmt::format("the same address as access {}, which is {}", best + 1, named.field);
				other.candidates.clear();
			}
		}
		// both only narrowed down: the field they have in common
		if (out.race.field.empty() && !out.accesses[0].candidates.empty() && !out.accesses[1].candidates.empty()) {
			std::vector<std::string> common;
			for (const std::string &c : out.accesses[0].candidates)
				if (std::find(out.accesses[1].candidates.begin(), out.accesses[1].candidates.end(), c) !=
				    out.accesses[1].candidates.end())
					common.push_back(c);
			if (common.size() == 1) {
				out.race.field = common[0];
				out.race.how = "function";
				out.race.explanation = fmt::format("the only field both functions touch with accesses of this kind "
								   "and size: {}", common[0]);
				out.race.candidates.clear();
			}
		}
	}
	for (FieldAnswer *f : {&out.race}) {
		if (f->member.starts_with("perf_event.") || f->member.starts_with("perf_event_context.") ||
		    f->member.starts_with("hw_perf_event."))
			f->explanation += layout_note;
	}
	if (out.race.member.empty() && !out.race.field.empty()) {
		for (const FieldAnswer &f : out.accesses)
			if (f.field == out.race.field && !f.member.empty())
				out.race.member = f.member;
	}
	return out;
}

}  // namespace perfmc::kcsan
