/*
 * One execution of the program, as the Relacy adapter (runner.cpp) runs it: the world built, each
 * lane's body guarded, the final check, the races and the failing execution's steps copied out of
 * the frame arena. No Relacy here: runner.cpp's test suite calls these.
 */
#pragma once

#include <cstddef>
#include <vector>

#include "checker/sim/runner.h"
#include "checker/sim/search/run.h"

namespace sim {

void begin_execution(search::Run &run);  // Program::setup
void run_lane(search::Run &run, unsigned index);
void end_execution(search::Run &run);    // Program::finish, Program::outcome, Program::teardown
void teardown_world(search::Run &run);   // Program::teardown, once, if setup ran

/* this execution's races into the run's distinct races (and the failing execution's, if given) */
void materialize_races(search::Run &run, std::vector<Race> *failing);
/* the failing execution's steps, at most `max_steps` of them */
void copy_steps(size_t max_steps, Result &result);

}  // namespace sim
