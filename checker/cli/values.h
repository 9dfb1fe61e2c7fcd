// Values given on the command line, converted in one place: every number strictly (the whole
// text, digits only where no sign or fraction makes sense, no overflow, a finite value in its
// range), so that a bad value is an InputError naming the option (exit 2), never a silent default,
// a wrapped number or a crash. CLI11 hands each verb the text; these turn it into values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "checker/api.h"

namespace perfmc {

// A non-negative integer in [min, max]: "--max-executions must be a whole number from 1 to ..."
uint64_t parse_count(const std::string &option, const std::string &text, uint64_t min, uint64_t max);

// Seconds: a finite decimal number, more than 0 and at most a year.
double parse_seconds(const std::string &option, const std::string &text);

// --shard K/N: 0 <= K < N <= kMaxShards (checker/api.h).
std::pair<int, int> parse_shard(const std::string &text);

// --jobs N: 1 <= N <= kMaxJobs local processes.
inline constexpr int kMaxJobs = 64;
int parse_jobs(const std::string &text);

// --visible A,B,...: the visible names a sharded search agreed on (`perfmc merge` prints them).
std::vector<std::string> parse_visible(const std::string &text);

// A value that must not be empty (a replay token, a path): returned as given.
std::string parse_nonempty(const std::string &option, const std::string &text, const std::string &hint = {});

}  // namespace perfmc
