// Parsing KCSAN reports out of whatever text carries them. Each line is read in two steps: the
// prefixes that logs and mail put in front of it are stripped (its "payload" is what is left),
// then the payload is matched against the report's fixed shape, which is that of
// kernel/kcsan/report.c:print_report():
//
//	==================================================================
//	BUG: KCSAN: data-race in A / B
//	<blank>
//	KIND [(FLAGS)] to 0xADDRESS of N bytes by task PID|interrupt on cpu N:
//	 frames, innermost first [  |  +-> reordered to: frame]
//	[verbose info: held locks, irq trace]
//	<blank>
//	KIND ... (the second access) | or one "race at unknown origin, with KIND ..." access
//	 frames
//	<blank>
//	value changed: 0xOLD -> 0xNEW
//	<blank>
//	Reported by Kernel Concurrency Sanitizer on:
//	CPU: ... / Tainted: ... / Hardware name: ... / Workqueue: ...
//	==================================================================
//
// Text outside a report is ignored; inside one, anything off that shape is an error at its
// line:col, so that a report is never half-read in silence. What the parser repairs or steps over
// (a soft-wrapped title, a comment interleaved in a quoted stack, KCSAN's own frames) it says in
// Report::notes.
//
// Before any of that the text is decoded as mail delivers it: quoted-printable (when the mail says
// so, or shows its escapes) and format=flowed soft line breaks, keeping each decoded line's first
// line in the original, so that diagnostics point into the file the user has.
#include "checker/kcsan/report.h"

#include "checker/diagnostic.h"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>

namespace perfmc::kcsan {

namespace {

constexpr std::string_view title_prefix = "BUG: KCSAN:";
constexpr std::string_view unknown_origin_prefix = "race at unknown origin";
constexpr std::string_view value_changed_prefix = "value changed:";
constexpr std::string_view trailer_line = "Reported by Kernel Concurrency Sanitizer on:";

constexpr std::string_view paste_hint =
	"paste the whole report, from the '====' line to 'Reported by Kernel Concurrency Sanitizer on:'";
constexpr std::string_view access_shape = "an access line 'KIND to 0xADDRESS of N bytes by task PID on cpu N:'";
constexpr std::string_view frame_shape = "a stack frame 'function+0xOFFSET/0xSIZE file:line'";

// As get_access_type() spells them; longest first, so that "read-write" is not taken for "read".
constexpr std::string_view access_kinds[] = {"assert no accesses", "assert no writes", "read-write", "read", "write"};

// ---- characters, without <cctype>: its answers depend on the locale and it takes no plain char

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string_view trim(std::string_view s)
{
	while (!s.empty() && is_blank(s.front()))
		s.remove_prefix(1);
	while (!s.empty() && is_blank(s.back()))
		s.remove_suffix(1);
	return s;
}

// What kallsyms can print for a function: C identifiers, GCC's clones ("foo.isra.0",
// "foo.cold"), raw addresses ("0xffffffff81000000") for what it cannot name.
bool is_symbol(std::string_view s)
{
	if (s.empty())
		return false;
	for (char c : s)
		if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '.' && c != '$')
			return false;
	return true;
}

bool is_hex_number(std::string_view s)
{
	if (!s.starts_with("0x") || s.size() == 2)
		return false;
	for (char c : s.substr(2))
		if (!is_hex_digit(c))
			return false;
	return true;
}

// "+0x71c/0x910" (%pS), or "+0x71c" without the size.
bool is_offset(std::string_view s)
{
	if (!s.starts_with('+'))
		return false;
	s.remove_prefix(1);
	size_t slash = s.find('/');
	if (slash == std::string_view::npos)
		return is_hex_number(s);
	return is_hex_number(s.substr(0, slash)) && is_hex_number(s.substr(slash + 1));
}

// "perf_mmap_rb+0x71c/0x910" into "perf_mmap_rb" and "+0x71c/0x910".
bool split_symbol(std::string_view s, std::string &function, std::string &offset)
{
	size_t plus = s.find('+');
	std::string_view name = s.substr(0, plus);
	if (!is_symbol(name))
		return false;
	if (plus != std::string_view::npos && !is_offset(s.substr(plus)))
		return false;
	function = name;
	offset = plus == std::string_view::npos ? std::string_view() : s.substr(plus);
	return true;
}

bool is_rule(std::string_view s)
{
	return s.size() >= 10 && s.find_first_not_of('=') == std::string_view::npos;
}

template <typename Int>
bool parse_int(std::string_view s, Int &value, int base = 10)
{
	if (s.empty())
		return false;
	auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value, base);
	return error == std::errc() && end == s.data() + s.size();
}

// "kernel/events/core.c:737", also with a column ("file.c:737:12") as some symbolisers add.
// addr2line's "??:0" and "??:?" say there is no location, which is not an error.
bool parse_location(std::string_view s, Frame &frame)
{
	if (s == "??:0" || s == "??:?")
		return true;
	size_t colon = s.find(':');
	if (colon == 0 || colon == std::string_view::npos)
		return false;
	std::string_view number = s.substr(colon + 1);
	if (number == "?") {  // decode_stacktrace.sh: the file is known, the line is not
		frame.file = s.substr(0, colon);
		frame.line = 0;
		return true;
	}
	size_t column = number.find(':');
	if (column != std::string_view::npos) {
		std::string_view rest = number.substr(column + 1);
		if (rest.empty() || rest.find_first_not_of("0123456789") != std::string_view::npos)
			return false;
		number = number.substr(0, column);
	}
	if (!parse_int(number, frame.line))
		return false;
	frame.file = s.substr(0, colon);
	return true;
}

// One stack line after its prefixes are gone. Spellings accepted:
//	syzbot:            "perf_mmap_rb+0x71c/0x910 kernel/events/core.c:7037", "f core.c:737 [inline]"
//	raw dmesg:         "perf_mmap_rb+0x71c/0x910", "nft_do_chain+0x8c/0x6b0 [nf_tables]"
//	decode_stacktrace: "perf_mmap_rb (kernel/events/core.c:7037 (discriminator 3))"
//	x86 unwinder:      "? perf_mmap_rb+0x71c/0x910" (an unreliable frame)
std::optional<Frame> parse_frame(std::string_view s)
{
	Frame frame;
	if (s.starts_with("? "))
		s = trim(s.substr(2));
	size_t end = s.find_first_of(" \t(");
	if (!split_symbol(s.substr(0, end), frame.function, frame.offset))
		return std::nullopt;
	std::string_view rest = end == std::string_view::npos ? std::string_view() : trim(s.substr(end));
	bool located = false;
	while (!rest.empty()) {
		if (rest.starts_with("[inline]")) {
			frame.inlined = true;
			rest = trim(rest.substr(8));
		} else if (rest.front() == '[') {
			size_t close = rest.find(']');
			if (close == std::string_view::npos || !frame.module.empty() || !is_symbol(rest.substr(1, close - 1)))
				return std::nullopt;
			frame.module = rest.substr(1, close - 1);
			rest = trim(rest.substr(close + 1));
		} else if (rest.front() == '(') {
			size_t close = 0;
			for (int depth = 0; close < rest.size(); close++) {
				if (rest[close] == '(')
					depth++;
				else if (rest[close] == ')' && --depth == 0)
					break;
			}
			if (close == rest.size() || located)
				return std::nullopt;
			// decode_stacktrace.sh: "(file:line)", "(file:line (discriminator 3))", or the whole
			// inline chain "(fs/ioctl.c:52 fs/ioctl.c:904 fs/ioctl.c:890)": the first is the frame's
			std::string_view inside = trim(rest.substr(1, close - 1));
			if (!parse_location(inside.substr(0, inside.find_first_of(" \t")), frame))
				return std::nullopt;
			located = true;
			rest = trim(rest.substr(close + 1));
			// then the module, bare: "kvm_vcpu_on_spin (virt/kvm/kvm_main.c:4112) kvm"
			std::string_view word = rest.substr(0, rest.find_first_of(" \t"));
			if (!word.empty() && frame.module.empty() && is_symbol(word) && word.find('.') == std::string_view::npos) {
				frame.module = word;
				rest = trim(rest.substr(word.size()));
			}
		} else {
			std::string_view token = rest.substr(0, rest.find_first_of(" \t"));
			if (located || !parse_location(token, frame))
				return std::nullopt;
			located = true;
			rest = trim(rest.substr(token.size()));
		}
	}
	return frame;
}

// Where a person cut a stack short: "...", "[...]", "<snip>", "[ snip ]", "<< snip ... >>", and the
// ellipsis character mail clients substitute for "...".
bool is_cut_marker(std::string_view s)
{
	if (s == "..." || s == "\xe2\x80\xa6" || s == "[...]" || s == "[ ... ]" || s == "<...>")
		return true;
	if (s.size() < 6 || s.size() > 60)
		return false;
	bool bracketed = (s.front() == '<' && s.back() == '>') || (s.front() == '[' && s.back() == ']');
	return bracketed && s.find("snip") != std::string_view::npos;
}

// addr2line's second location of an inlined frame, printed alone on the next line:
// "unix_dgram_sendmsg+0x9a9/0xb70 include/linux/skbuff.h:1821" then "net/unix/af_unix.c:1761".
bool is_location_only(std::string_view s)
{
	Frame frame;
	return s.find_first_of(" \t") == std::string_view::npos && s.find('/') != std::string_view::npos &&
	       s.find(':') != std::string_view::npos && parse_location(s, frame) && !frame.file.empty();
}

// A quoted piece of input for a message: short, and printable whatever the input held.
std::string describe(std::string_view found)
{
	if (found.empty())
		return "end of line";
	constexpr size_t shown = 60;
	std::string out = "'";
	for (char c : found.substr(0, shown)) {
		if (c >= ' ' && c <= '~')
			out += c;
		else
			out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
	}
	if (found.size() > shown)
		out += "...";
	return out + "'";
}

// ---- decoding: the text as the mail client would have shown it

// A line of the decoded text and the line of the original it starts on.
struct SourceLine {
	std::string text;
	int line = 0;  // 1-based, in the original
};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool contains_nocase(std::string_view text, std::string_view word)
{
	auto it = std::search(text.begin(), text.end(), word.begin(), word.end(),
			      [](char a, char b) { return lower(a) == lower(b); });
	return it != text.end();
}

int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

std::string decode_quoted_printable(std::string_view s)
{
	std::string out;
	out.reserve(s.size());
	for (size_t i = 0; i < s.size(); i++) {
		if (s[i] == '=' && i + 2 < s.size()) {
			int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
			if (hi >= 0 && lo >= 0) {
				out += static_cast<char>(hi * 16 + lo);
				i += 2;
				continue;
			}
		}
		out += s[i];
	}
	return out;
}

// The quote depth of a raw line ('>' marks, spaces between them allowed) and where its text starts.
std::pair<int, size_t> quote_prefix(std::string_view s)
{
	int depth = 0;
	size_t at = 0, end = 0;
	for (;;) {
		size_t k = at;
		while (k < s.size() && s[k] == ' ')
			k++;
		if (k < s.size() && s[k] == '>') {
			depth++;
			at = end = k + 1;
			continue;
		}
		break;
	}
	return {depth, end};
}

std::vector<SourceLine> decode(std::string_view text, std::vector<std::string> &notes)
{
	if (text.starts_with("\xef\xbb\xbf"))  // a byte-order mark from a Windows editor
		text.remove_prefix(3);
	std::vector<std::string_view> raw;
	while (!text.empty()) {
		size_t end = text.find('\n');
		std::string_view line = text.substr(0, end);
		while (!line.empty() && line.back() == '\r')
			line.remove_suffix(1);
		raw.push_back(line);
		if (end == std::string_view::npos)
			break;
		text.remove_prefix(end + 1);
	}
	std::vector<SourceLine> lines;
	bool qp = false, flowed = false, delsp = false;
	for (std::string_view line : raw) {
		if (contains_nocase(line, "content-transfer-encoding: quoted-printable"))
			qp = true;
		if (contains_nocase(line, "format=flowed")) {
			flowed = true;
			delsp = delsp || contains_nocase(line, "delsp=yes");
		}
		if (!qp && (line.find("=3D") != std::string_view::npos ||
			    (line.ends_with("=20") && line.size() > 3)))
			qp = true;
	}
	// quoted-printable when the mail declares it, or when its escapes show ("=3D" for '=', "=20" for
	// a space at a line's end): join soft breaks, then decode the escapes
	int joined = 0;
	for (size_t i = 0; i < raw.size(); i++) {
		SourceLine out{std::string(raw[i]), static_cast<int>(i) + 1};
		if (qp) {
			// a soft break; a rule of '=' (never encoded that way) is not one
			while (!out.text.empty() && out.text.back() == '=' &&
			       out.text.find_first_not_of('=') != std::string::npos && i + 1 < raw.size()) {
				out.text.pop_back();
				out.text += raw[++i];
				joined++;
			}
			out.text = decode_quoted_printable(out.text);
		}
		lines.push_back(std::move(out));
	}
	if (qp)
		notes.push_back(fmt::format("quoted-printable text decoded ({} soft line breaks joined)", joined));
	if (!flowed)
		return lines;
	// format=flowed (RFC 3676): a line ending in a space goes on in the next line of the same quote
	// depth; "-- " is the signature separator, never a soft break
	std::vector<SourceLine> unflowed;
	int wraps = 0;
	for (size_t i = 0; i < lines.size(); i++) {
		SourceLine out = lines[i];
		while (out.text.ends_with(' ') && out.text != "-- " && i + 1 < lines.size()) {
			auto [depth, at] = quote_prefix(out.text);
			auto [next_depth, next_at] = quote_prefix(lines[i + 1].text);
			std::string_view next = std::string_view(lines[i + 1].text).substr(next_at);
			if (next_depth != depth || trim(next).empty())
				break;
			if (delsp)
				out.text.pop_back();
			if (next_depth > 0 && next.starts_with(' '))  // space-stuffing after the quote marks
				next.remove_prefix(1);
			out.text += next;
			i++;
			wraps++;
		}
		unflowed.push_back(std::move(out));
	}
	if (wraps > 0)
		notes.push_back(fmt::format("format=flowed soft line breaks joined ({})", wraps));
	return unflowed;
}

// ---- lines and their prefixes

struct Payload {
	std::string_view text;        // the line without prefixes and surrounding blanks
	int line = 0;                 // 1-based, in the original text
	int column = 1;               // 1-based byte column of text[0] in the (decoded) line
	bool trailing_blank = false;  // a soft break in format=flowed mail: the line goes on below
	int depth = 0;                // quote marks ('>', and '|' in commit-message quoting) stripped

	int column_of(std::string_view part) const { return column + static_cast<int>(part.data() - text.data()); }
};

// "<3>" (a log level, as /dev/kmsg and some consoles print it).
size_t level_length(std::string_view s)
{
	size_t k = 1;
	while (k < s.size() && k <= 3 && is_digit(s[k]))
		k++;
	return s.starts_with('<') && k > 1 && k < s.size() && s[k] == '>' ? k + 1 : 0;
}

// "[  123.456789]", "[ T1234]", "[    C0]" (printk caller ids), "[Tue Jan 14 12:50:01 2026]"
// (dmesg -T). Requiring a digit keeps "[inline]" and "[...]" out.
size_t stamp_length(std::string_view s)
{
	if (!s.starts_with('['))
		return 0;
	size_t close = s.find(']');
	if (close == std::string_view::npos || close > 64)
		return 0;
	bool digit = false;
	for (char c : s.substr(1, close - 1)) {
		if (is_digit(c))
			digit = true;
		else if (!is_alpha(c) && c != ' ' && c != '.' && c != ':' && c != '+' && c != '-' && c != '_')
			return 0;
	}
	return digit ? close + 1 : 0;
}

// "kern  :err   : " (dmesg -x).
size_t facility_length(std::string_view s)
{
	if (!s.starts_with("kern"))
		return 0;
	size_t k = 4;
	while (k < s.size() && s[k] == ' ')
		k++;
	if (k == s.size() || s[k++] != ':')
		return 0;
	size_t level = k;
	while (k < s.size() && is_alpha(s[k]))
		k++;
	if (k == level)
		return 0;
	while (k < s.size() && s[k] == ' ')
		k++;
	return k < s.size() && s[k] == ':' ? k + 1 : 0;
}

// "Jan 14 12:50:01 host kernel: " (syslog), "2026-01-14T12:50:01+0000 host kernel: " (journalctl
// -o short-iso). The prefix must hold a clock time, so that text that merely mentions "kernel: "
// keeps it.
size_t syslog_length(std::string_view s)
{
	constexpr std::string_view tag = "kernel: ";
	size_t at = s.find(tag);
	if (at == 0)
		return tag.size();
	if (at == std::string_view::npos || at > 96 || s[at - 1] != ' ')
		return 0;
	for (size_t k = 0; k + 5 <= at; k++)
		if (is_digit(s[k]) && is_digit(s[k + 1]) && s[k + 2] == ':' && is_digit(s[k + 3]) && is_digit(s[k + 4]))
			return at + tag.size();
	return 0;
}

class Lines {
public:
	explicit Lines(std::vector<SourceLine> lines) : lines_(std::move(lines)) {}

	size_t size() const { return lines_.size(); }

	// pipe_quoted: strip one '|' as a quote mark too. Kernel commit messages quote reports with
	// "| ", where a bare "|" is a quoted blank line; elsewhere a bare "|" is the reorder marker.
	Payload payload(size_t index, bool pipe_quoted) const
	{
		std::string_view s = lines_[index].text;
		size_t at = 0;
		int depth = 0;
		for (;;) {
			while (at < s.size() && is_blank(s[at]))
				at++;
			std::string_view rest = s.substr(at);
			size_t prefix = 0;
			if (rest.starts_with('>')) {
				prefix = 1;
				depth++;
			} else if (rest.starts_with('|') && pipe_quoted) {
				prefix = 1;
				pipe_quoted = false;
				depth++;
			} else if (!rest.empty()) {
				prefix = level_length(rest);
				if (prefix == 0)
					prefix = stamp_length(rest);
				if (prefix == 0)
					prefix = facility_length(rest);
				if (prefix == 0)
					prefix = syslog_length(rest);
			}
			if (prefix == 0)
				break;
			at += prefix;
		}
		Payload p;
		p.text = trim(s.substr(at));
		p.line = lines_[index].line;
		p.column = static_cast<int>(at) + 1;
		p.trailing_blank = !s.empty() && (s.back() == ' ' || s.back() == '\t');
		p.depth = depth;
		return p;
	}

	// Where "end of input" is: just after the last character.
	std::pair<int, int> end_position() const
	{
		if (lines_.empty())
			return {1, 1};
		return {lines_.back().line, static_cast<int>(lines_.back().text.size()) + 1};
	}

	std::string_view raw(size_t index) const { return lines_[index].text; }
	int line_of(size_t index) const { return lines_[index].line; }

private:
	std::vector<SourceLine> lines_;
};

bool is_title(const Payload &p) { return p.text.starts_with(title_prefix); }

bool is_access_line(const Payload &p)
{
	if (p.text.starts_with(unknown_origin_prefix))
		return true;
	for (std::string_view kind : access_kinds) {
		if (!p.text.starts_with(kind))
			continue;
		std::string_view rest = p.text.substr(kind.size());
		return rest.starts_with(" to ") || rest.starts_with(" (") || rest == " to";
	}
	return false;
}

// Lines that end the accesses part of a report: what follows both stacks, or the next report.
bool ends_accesses(const Payload &p)
{
	return is_title(p) || p.text.starts_with(value_changed_prefix) || p.text == trailer_line || is_rule(p.text);
}

// Thrown inside one report; the parser records it and looks for the next report.
struct ReportError {
	Diagnostic diagnostic;
};

// Reads one payload left to right, so that every complaint points at the column it stopped at.
class Cursor {
public:
	explicit Cursor(const Payload &payload) : payload_(payload), rest_(payload.text) {}

	std::string_view rest() const { return rest_; }
	bool done() const { return rest_.empty(); }
	int column() const { return payload_.column_of(rest_); }

	void skip_blanks()
	{
		while (!rest_.empty() && is_blank(rest_.front()))
			rest_.remove_prefix(1);
	}

	bool eat(std::string_view s)
	{
		if (!rest_.starts_with(s))
			return false;
		rest_.remove_prefix(s.size());
		return true;
	}

	// A whole word: "to" does not match "top".
	bool eat_word(std::string_view word)
	{
		skip_blanks();
		if (!rest_.starts_with(word) || (rest_.size() > word.size() && !is_blank(rest_[word.size()])))
			return false;
		rest_.remove_prefix(word.size());
		return true;
	}

	// The next blank-separated word, left in place.
	std::string_view word()
	{
		skip_blanks();
		return rest_.substr(0, std::min(rest_.size(), rest_.find_first_of(" \t")));
	}

	std::string_view take(size_t n)
	{
		std::string_view taken = rest_.substr(0, n);
		rest_.remove_prefix(taken.size());
		return taken;
	}

	// The leading decimal digits, or "" (nothing taken) when there are none.
	std::string_view digits()
	{
		skip_blanks();
		size_t n = 0;
		while (n < rest_.size() && is_digit(rest_[n]))
			n++;
		return take(n);
	}

private:
	const Payload &payload_;
	std::string_view rest_;
};

// Functions that only show because KCSAN's delay was running when an interrupt arrived: they are
// left out with the KCSAN frame they sit right inside of.
bool is_delay_helper(std::string_view function)
{
	constexpr std::string_view helpers[] = {"delay_tsc",      "delay_loop",      "delay_halt",  "__delay",
						"__udelay",       "__const_udelay",  "udelay",      "rep_nop",
						"cpu_relax",      "native_pause",    "arch_local_irq_restore",
						"raw_local_irq_restore", "local_irq_restore"};
	return std::find(std::begin(helpers), std::end(helpers), function) != std::end(helpers);
}

class Parser {
public:
	Parser(std::string_view text, const std::string &filename)
		: text_(text), filename_(filename), lines_(decode(text, file_notes_))
	{
	}

	ParseResult parse()
	{
		ParseResult result;
		if (text_.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos) {
			result.errors.push_back(Diagnostic{filename_, 0, 0, "file is empty", std::string(paste_hint)});
			return result;
		}
		for (Start start = find_start(); start != Start::None; start = find_start()) {
			size_t first = at_;
			try {
				Report report = start == Start::Title ? parse_report() : parse_untitled_report();
				finish(report);
				result.reports.push_back(std::move(report));
			} catch (const ReportError &e) {
				result.errors.push_back(e.diagnostic);
				// Resume at the line that broke the report when it is the next report's title,
				// else after it: the same broken access line must not be read again as a report
				// without a title.
				if (at_end() || at_ <= first || !is_title(current()))
					at_ = std::max(at_ + 1, first + 1);
			}
		}
		if (result.reports.empty() && result.errors.empty())
			result.errors.push_back(no_report());
		return result;
	}

private:
	enum class Start { None, Title, Access };

	std::string_view text_;
	const std::string &filename_;
	std::vector<std::string> file_notes_;  // from decoding: quoted-printable, format=flowed
	Lines lines_;
	size_t at_ = 0;             // the line being read
	bool pipe_quoted_ = false;  // the current report is quoted with "| " (see Lines::payload)
	int depth_ = 0;             // the quote depth of the current report
	std::string joined_title_;  // a title soft-wrapped over two lines, joined
	std::vector<std::string> notes_;  // the current report's

	bool at_end() const { return at_ >= lines_.size(); }
	Payload current() const { return lines_.payload(at_, pipe_quoted_); }
	void next() { at_++; }

	[[noreturn]] void fail(int line, int column, std::string message, std::string hint = {}) const
	{
		throw ReportError{Diagnostic{filename_, line, column, std::move(message), std::move(hint)}};
	}

	// "expected X, got Y" at the current line, or at the end of input when there is no line.
	[[noreturn]] void fail_expected(std::string_view expected, std::string hint = {}) const
	{
		if (at_end()) {
			auto [line, column] = lines_.end_position();
			fail(line, column, fmt::format("expected {}, got end of input", expected), std::move(hint));
		}
		Payload p = current();
		std::string found = p.text.empty() ? "a blank line" : describe(p.text);
		fail(p.line, p.column, fmt::format("expected {}, got {}", expected, found), std::move(hint));
	}

	// A title, or an access line that no title comes before (a report quoted in a commit message).
	Start find_start()
	{
		for (; !at_end(); at_++) {
			for (bool pipe : {false, true}) {
				Payload p = lines_.payload(at_, pipe);
				bool title = is_title(p);
				if (title || is_access_line(p)) {
					pipe_quoted_ = pipe;
					depth_ = p.depth;
					notes_.clear();
					return title ? Start::Title : Start::Access;
				}
			}
		}
		return Start::None;
	}

	// The first line after the current one at the report's quote depth, or lines_.size().
	size_t next_at_depth(size_t from) const
	{
		for (size_t i = from, n = 0; i < lines_.size() && n < 64; i++, n++)
			if (lines_.payload(i, pipe_quoted_).depth == depth_)
				return i;
		return lines_.size();
	}

	// A title or an access line at line i however it is quoted: the next report, even when its
	// quoting is not the current report's ('| ' after plain text).
	bool starts_report(size_t i) const
	{
		for (bool pipe : {false, true}) {
			Payload p = lines_.payload(i, pipe);
			if (is_title(p) || is_access_line(p))
				return true;
		}
		return false;
	}

	bool is_stack_line(const Payload &p) const
	{
		return parse_frame(p.text).has_value() || is_cut_marker(p.text) || is_location_only(p.text);
	}

	Report parse_report()
	{
		Report report;
		Payload title = current();
		report.line = title.line;
		parse_title(title, report);
		next();
		while (!at_end() && (current().text.empty() || current().depth != depth_))
			next();
		if (at_end() || !is_access_line(current()))
			fail_expected(fmt::format("{} after the title", access_shape));
		parse_accesses(report, report.title_functions.size() > 1);
		parse_tail(report);
		return report;
	}

	// A report quoted from its first access line: commit messages often leave the title out.
	Report parse_untitled_report()
	{
		Report report;
		report.untitled = true;
		report.line = current().line;
		parse_accesses(report, !current().text.starts_with(unknown_origin_prefix));
		parse_tail(report);
		notes_.push_back("quoted without its title line: the racing functions are the stacks' innermost");
		return report;
	}

	void parse_accesses(Report &report, bool needs_second)
	{
		report.accesses.push_back(parse_access());
		if (report.accesses[0].unknown_origin)
			return;
		// CONFIG_KCSAN_VERBOSE prints held locks and the irq trace after each stack.
		while (!at_end() && !is_access_line(current()) && !ends_accesses(current()) && !starts_report(at_))
			next();
		if (!at_end() && is_access_line(current()))
			report.accesses.push_back(parse_access());
		else if (needs_second)
			fail_expected(fmt::format("the second access of the race, {}", access_shape),
				      report.untitled ? "a report quoted without its title line needs both accesses; " +
								std::string(paste_hint)
						      : "the title names two functions, so KCSAN printed two accesses; " +
								std::string(paste_hint));
	}

	// "data-race in perf_event_set_state / perf_mmap_rb". Reports before 5.6 and unknown-origin
	// titles print offsets ("in foo+0x12/0x40", %pS), the first ones "A and B"; raw module symbols
	// add " [mod]". Mail may wrap it after the " / ": the next line goes on.
	void parse_title(const Payload &line, Report &report)
	{
		Payload p = line;
		std::string_view text = p.text;
		if ((text.ends_with(" /") || text.ends_with(" and")) && at_ + 1 < lines_.size()) {
			Payload more = lines_.payload(at_ + 1, pipe_quoted_);
			if (more.depth == depth_ && !more.text.empty() && !is_access_line(more)) {
				joined_title_ = std::string(text) + " " + std::string(more.text);
				p.text = joined_title_;
				next();
				notes_.push_back(fmt::format("title soft-wrapped over lines {} and {}", line.line, more.line));
			}
		}
		Cursor cursor(p);
		cursor.eat(title_prefix);
		std::vector<std::string_view> type;
		for (cursor.skip_blanks(); !cursor.done() && cursor.word() != "in"; cursor.skip_blanks())
			type.push_back(cursor.take(cursor.word().size()));
		if (type.empty() || cursor.done())
			fail(p.line, cursor.column(),
			     fmt::format("expected 'data-race in FUNCTION / FUNCTION' after 'BUG: KCSAN:', got {}",
					 describe(trim(p.text.substr(title_prefix.size())))));
		report.bug_type = fmt::format("{}", fmt::join(type, " "));
		cursor.eat_word("in");
		do {
			std::string_view word = cursor.word();
			int column = cursor.column();
			Frame symbol;
			if (!split_symbol(word, symbol.function, symbol.offset))
				fail(p.line, column, fmt::format("expected a function name in the title, got {}",
								   describe(word.empty() ? cursor.rest() : word)));
			cursor.take(word.size());
			std::string_view module = cursor.word();
			if (module.starts_with('[') && module.ends_with(']'))
				cursor.take(module.size());
			report.title_functions.push_back(symbol.function);
		} while (cursor.eat_word("/") || cursor.eat_word("and"));
		cursor.skip_blanks();
		if (!cursor.done())
			fail(p.line, cursor.column(),
			     fmt::format("expected ' / ' or the end of the title, got {}", describe(cursor.rest())));
		report.title = fmt::format("{} in {}", report.bug_type, fmt::join(report.title_functions, " / "));
	}

	// The access line, then its stack up to a blank line.
	Access parse_access()
	{
		Access access = parse_access_line(current());
		next();
		std::vector<Frame> *frames = &access.stack;
		std::string previous;  // the last frame's text, to rejoin a frame that mail wrapped
		bool previous_wrapped = false;
		for (; !at_end(); next()) {
			Payload p = current();
			if (p.depth != depth_) {
				// A comment written into a quoted report, at another quote depth: step over it
				// when the stack goes on below it.
				size_t resume = next_at_depth(at_ + 1);
				if (resume < lines_.size() && is_stack_line(lines_.payload(resume, pipe_quoted_))) {
					notes_.push_back(fmt::format("lines {}-{}: text at another quote depth inside the stack, stepped over",
								     p.line, lines_.line_of(resume - 1)));
					at_ = resume - 1;
					continue;
				}
				break;
			}
			std::string_view text = p.text;
			if (text.empty() || ends_accesses(p) || starts_report(at_))
				break;
			// "|" leads to "+-> reordered to:"; "...", "[...]" and "<snip>" are where a person cut
			// a long stack short.
			if (text == "|" || is_cut_marker(text))
				continue;
			if (text.starts_with("+->")) {
				text = trim(text.substr(3));
				if (!text.starts_with("reordered to:"))
					fail(p.line, p.column_of(text),
					     fmt::format("expected 'reordered to:' after '+->', got {}", describe(text)));
				text = trim(text.substr(13));
				frames = &access.reordered_to;
				if (text.empty())
					continue;
			}
			if (auto frame = parse_frame(text)) {
				frames->push_back(*frame);
				previous = text;
				previous_wrapped = p.trailing_blank;
			} else if (previous_wrapped && !frames->empty() &&
				   (frame = parse_frame(previous + " " + std::string(text)))) {
				// Mail wraps a frame line once at most; rejoining again would let a long run
				// of such lines grow one frame without bound.
				frames->back() = *frame;
				previous_wrapped = false;
			} else if (!frames->empty() && is_location_only(text)) {
				// the outer location of an inlined frame, on a line of its own: the frame keeps
				// its first, innermost one
				previous_wrapped = false;
			} else if (!frames->empty() && at_ + 1 < lines_.size() &&
				   lines_.payload(at_ + 1, pipe_quoted_).depth == depth_ &&
				   parse_frame(lines_.payload(at_ + 1, pipe_quoted_).text)) {
				// another message printed into the middle of the stack (the console
				// interleaves CPUs' output): the stack goes on below it
				notes_.push_back(fmt::format("line {}: {} is no stack frame and was stepped over (the stack goes on below it)",
							     p.line, describe(text)));
				previous_wrapped = false;
			} else {
				fail(p.line, p.column_of(text), fmt::format("expected {}, got {}", frame_shape, describe(text)));
			}
		}
		if (access.stack.empty())
			fail_expected(fmt::format("{} after the access line", frame_shape));
		return access;
	}

	// "write (marked) to 0xffff888100000000 of 8 bytes by task 12 on cpu 1:", or the same after
	// "race at unknown origin, with ".
	Access parse_access_line(const Payload &p)
	{
		Access access;
		Cursor cursor(p);
		auto expected = [&](std::string_view what) {
			fail(p.line, cursor.column(), fmt::format("expected {}, got {}", what, describe(cursor.word())));
		};
		if (cursor.eat(unknown_origin_prefix)) {
			if (!cursor.eat(", with"))
				fail(p.line, cursor.column(),
				     fmt::format("expected ', with KIND to ...' after 'race at unknown origin', got {}",
						 describe(cursor.rest())));
			access.unknown_origin = true;
			cursor.skip_blanks();
		}
		for (std::string_view kind : access_kinds) {
			if (cursor.rest().starts_with(kind)) {
				access.kind = cursor.take(kind.size());
				break;
			}
		}
		if (access.kind.empty())
			expected("an access kind (read, write, read-write)");
		cursor.skip_blanks();
		if (cursor.eat("(")) {
			do {
				cursor.skip_blanks();
				int column = cursor.column();
				std::string_view flag = cursor.rest().substr(0, cursor.rest().find_first_of(",)"));
				cursor.take(flag.size());
				flag = trim(flag);
				if (flag == "marked")
					access.marked = true;
				else if (flag == "reordered")
					access.reordered = true;
				else if (flag == "scoped")
					access.scoped = true;
				else
					fail(p.line, column, fmt::format("unknown access flag {}: expected marked, reordered or scoped",
									 describe(flag)));
			} while (cursor.eat(","));
			if (!cursor.eat(")"))
				expected("')' to close the access flags");
		}
		if (!cursor.eat_word("to"))
			expected("'to 0xADDRESS' after the access kind");
		std::string_view address = cursor.word();
		if (!is_hex_number(address))
			expected("an address like 0xffff888100000000 after 'to'");
		access.address = cursor.take(address.size());
		if (!cursor.eat_word("of"))
			expected("'of N bytes' after the address");
		if (!parse_int(cursor.digits(), access.size))
			expected("a size in bytes after 'of'");
		if (!cursor.eat_word("bytes") && !cursor.eat_word("byte"))
			expected("'bytes' after the size");
		if (!cursor.eat_word("by"))
			expected("'by task PID' or 'by interrupt' after the size");
		if (cursor.eat_word("interrupt")) {
			access.interrupt = true;
		} else {
			if (!cursor.eat_word("task"))
				expected("'task PID' or 'interrupt' after 'by'");
			if (!parse_int(cursor.digits(), access.task_pid))
				expected("a task id after 'task'");
		}
		if (!cursor.eat_word("on"))
			expected("'on cpu N:' after the task");
		if (!cursor.eat_word("cpu"))
			expected("'cpu N:' after 'on'");
		if (!parse_int(cursor.digits(), access.cpu))
			expected("a cpu number after 'cpu'");
		cursor.eat(":");
		cursor.skip_blanks();
		if (!cursor.done())
			fail(p.line, cursor.column(),
			     fmt::format("expected the end of the access line after 'on cpu N:', got {}",
					 describe(cursor.rest())));
		return access;
	}

	// After the accesses: the value change, then the trailer, until the closing rule. Other
	// lines (CONFIG_KCSAN_VERBOSE, " bits changed: ...", text around a quoted report) are stepped
	// over; a title or an access line is the next report.
	void parse_tail(Report &report)
	{
		for (; !at_end(); next()) {
			Payload p = current();
			if (starts_report(at_))
				return;
			if (p.depth != depth_)
				continue;
			if (is_rule(p.text)) {
				next();
				return;
			}
			if (p.text == trailer_line) {
				next();
				parse_trailer(report);
				return;
			}
			if (p.text.starts_with(value_changed_prefix) && !report.value_changed)
				report.value_changed = parse_value_changed(p);
		}
	}

	// "value changed: 0x000000000038c145 -> 0x00000000003929d3"
	std::pair<uint64_t, uint64_t> parse_value_changed(const Payload &p)
	{
		Cursor cursor(p);
		cursor.eat(value_changed_prefix);
		auto value = [&] {
			std::string_view word = cursor.word();
			uint64_t v = 0;
			if (!is_hex_number(word) || !parse_int(word.substr(2), v, 16))
				fail(p.line, cursor.column(),
				     fmt::format("expected a hexadecimal value like 0x000000000038c145, got {}", describe(word)));
			cursor.take(word.size());
			return v;
		};
		uint64_t old_value = value();
		if (!cursor.eat_word("->"))
			fail(p.line, cursor.column(),
			     fmt::format("expected '->' between the old and the new value, got {}", describe(cursor.word())));
		uint64_t new_value = value();
		cursor.skip_blanks();
		if (!cursor.done())
			fail(p.line, cursor.column(),
			     fmt::format("expected the end of the line after the new value, got {}", describe(cursor.rest())));
		return {old_value, new_value};
	}

	// dump_stack_print_info(): "CPU: ...", "Tainted: ..." (6.10+), "Hardware name: ...",
	// "Workqueue: ...", then the closing rule. A few lines at most: stop early at a blank line.
	void parse_trailer(Report &report)
	{
		constexpr std::string_view hardware = "Hardware name:";
		for (int n = 0; n < 8 && !at_end(); n++, next()) {
			Payload p = current();
			if (p.text.empty() || is_title(p) || p.depth != depth_)
				return;
			if (is_rule(p.text)) {
				next();
				return;
			}
			if (p.text.starts_with("CPU:") && report.reported_on.empty()) {
				report.reported_on = p.text;
			} else if (p.text.starts_with(hardware) && report.hardware.empty()) {
				report.hardware = trim(p.text.substr(hardware.size()));
				// syzbot's mails wrap it: "... BIOS \nGoogle 01/01/2011"
				if (p.trailing_blank && at_ + 1 < lines_.size()) {
					Payload more = lines_.payload(at_ + 1, pipe_quoted_);
					if (!more.text.empty() && more.text.find(':') == std::string_view::npos &&
					    !is_rule(more.text) && more.depth == depth_) {
						report.hardware += " " + std::string(more.text);
						next();
					}
				}
			}
		}
	}

	// KCSAN's own frames out of every stack, the title's functions from what is left when the title
	// named one of them (or when there was no title), and the notes of the file and the report.
	void finish(Report &report)
	{
		std::vector<std::string> dropped_top;  // per access: the innermost frame, when dropped
		int dropped = 0;
		for (Access &access : report.accesses) {
			std::vector<Frame> kept;
			std::string top = access.stack.empty() ? "" : access.stack.front().function;
			for (size_t i = 0; i < access.stack.size(); i++) {
				const Frame &frame = access.stack[i];
				if (is_kcsan_internal(frame)) {
					// the delay KCSAN was running: frames right inside of its own
					while (!kept.empty() && is_delay_helper(kept.back().function)) {
						kept.pop_back();
						access.kcsan_frames++;
					}
					access.kcsan_frames++;
					continue;
				}
				kept.push_back(frame);
			}
			if (access.kcsan_frames > 0 && !kept.empty()) {
				dropped += access.kcsan_frames;
				access.stack = std::move(kept);
			} else if (kept.empty()) {
				access.kcsan_frames = 0;  // nothing but KCSAN frames: keep them rather than nothing
			}
			dropped_top.push_back(access.stack.empty() || access.stack.front().function == top ? "" : top);
		}
		if (dropped > 0)
			notes_.push_back(fmt::format("{} KCSAN-internal frame{} (kcsan_*, __tsan_*, print_report and the delay they ran) left out of the stacks",
						     dropped, dropped == 1 ? "" : "s"));
		if (report.untitled) {
			report.bug_type = "data-race";
			for (const Access &access : report.accesses)
				if (access.kind.starts_with("assert"))
					report.bug_type = "assert: race";
			report.title_functions.clear();
			for (const Access &access : report.accesses)
				if (!access.stack.empty())
					report.title_functions.push_back(access.stack.front().function);
			std::sort(report.title_functions.begin(), report.title_functions.end());  // as KCSAN does
		} else {
			for (std::string &function : report.title_functions) {
				Frame named{function, "", "", 0, false, ""};
				if (!is_kcsan_internal(named))
					continue;
				for (size_t a = 0; a < report.accesses.size(); a++) {
					if (dropped_top[a] == function && !report.accesses[a].stack.empty()) {
						notes_.push_back(fmt::format("the title names KCSAN's own {}(); the racing function of access {} is {}()",
									     function, a + 1, report.accesses[a].stack.front().function));
						function = report.accesses[a].stack.front().function;
						break;
					}
				}
			}
		}
		report.title = fmt::format("{} in {}", report.bug_type, fmt::join(report.title_functions, " / "));
		report.notes = file_notes_;
		report.notes.insert(report.notes.end(), notes_.begin(), notes_.end());
		notes_.clear();
	}

	// Nothing looked like a title: say so, and where a report seems to hide, say that too.
	Diagnostic no_report() const
	{
		std::string hint(paste_hint);
		for (size_t i = 0; i < lines_.size(); i++) {
			size_t at = lines_.raw(i).find(title_prefix);
			if (at != std::string_view::npos) {
				hint = fmt::format("line {} holds 'BUG: KCSAN:' at column {}, after text that is not a known "
						   "log prefix; remove that prefix from every line of the report",
						   lines_.line_of(i), at + 1);
				break;
			}
		}
		return Diagnostic{filename_, 1, 1,
				  "no KCSAN report found: expected a title line 'BUG: KCSAN: data-race in A / B'", hint};
	}
};

}  // namespace

bool is_kcsan_internal(const Frame &frame)
{
	std::string_view f = frame.function;
	return frame.file.starts_with("kernel/kcsan/") || f.starts_with("kcsan_") || f.starts_with("__kcsan_") ||
	       f.starts_with("__tsan_") || f == "print_report";
}

std::vector<std::string> Report::functions(size_t access) const
{
	std::vector<std::string> names;
	if (access < accesses.size())
		for (const Frame &frame : accesses[access].stack)
			names.push_back(frame.function);
	return names;
}

ParseResult parse_all(std::string_view text, const std::string &filename)
{
	return Parser(text, filename).parse();
}

std::vector<Report> parse_reports(std::string_view text, const std::string &filename)
{
	ParseResult result = parse_all(text, filename);
	if (!result.errors.empty())
		throw InputError(std::move(result.errors));
	return result.reports;
}

}  // namespace perfmc::kcsan
