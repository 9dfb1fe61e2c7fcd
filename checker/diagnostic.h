// Diagnostics for bad input: where (file:line:col), what was expected, one hint.
// Shape follows compilers and LLVM's style: lowercase, no final period.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace perfmc {

struct Diagnostic {
	std::string file;     // path as the user gave it; empty for command-line input
	int line = 0;         // 1-based; 0 when the error has no position
	int column = 0;       // 1-based; 0 when unknown
	std::string message;  // "unknown op 'mmapp'"
	std::string hint;     // "did you mean 'mmap'? `perfmc list --ops` lists every op"; may be empty

	// "file:line:col: error: message\n  hint: ...\n" (parts without a value are left out)
	std::string str() const;
};

// Thrown for any input error; carries every diagnostic found (not only the first).
// The CLI prints them to stderr and exits 2.
class InputError : public std::runtime_error {
public:
	explicit InputError(std::vector<Diagnostic> diagnostics);
	explicit InputError(Diagnostic diagnostic);
	const std::vector<Diagnostic> &diagnostics() const { return diagnostics_; }
	std::string str() const;  // every diagnostic, one after the other

private:
	std::vector<Diagnostic> diagnostics_;
};

// The closest candidate by edit distance, or "" when nothing is close enough to suggest. Bounded:
// words longer than kMaxSuggestedLength get no suggestion, and a candidate whose length alone is
// too far from the word's is not compared, so a hint never costs more than a few microseconds.
inline constexpr size_t kMaxSuggestedLength = 64;
std::string closest_match(const std::string &word, const std::vector<std::string> &candidates);

// The whole content of a regular file a user named (`what`: "scenario file", "report file"...).
// A missing, unreadable or special file (a directory, a FIFO) is an InputError naming the path,
// with `hint` when given; so is a file over max_bytes.
std::string read_input_file(const std::string &path, const std::string &what, const std::string &hint = {},
			    size_t max_bytes = size_t{64} << 20);

}  // namespace perfmc
