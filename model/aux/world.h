/*
 * The aux-throttle world (model-only, no kernel twin): the kernel objects of one execution, and
 * typed entry points for the model's own tests. The checker uses model/world.h only.
 */
#pragma once

#include <deque>
#include <memory>

#include "model/aux/aux.h"
#include "model/world.h"

namespace aux {

struct aux_world : model::World {
	~aux_world() override;	/* forgets the world if it is the current one */
	model::WorldSetup setup;
	std::deque<struct model_cpu> cpus;
	struct perf_event_context ctx;		/* the one context */
	std::deque<struct perf_event> events;	/* by setup index */
	std::deque<struct perf_buffer> buffers;
};

}  // namespace aux

namespace model {

const Model &aux_throttle_model();

namespace aux_model {

/* Builds the world sequentially: one context, its groups, AUX buffers for `mapped` events, then
 * the context scheduled in on its CPU; throws std::invalid_argument for a setup perf_event_open()
 * or the scheduler would refuse. */
std::unique_ptr<::aux::aux_world> build_world(const WorldSetup &setup);

/* The ops, typed, on the current CPU (sim::set_sequential_cpu() when no simulation runs). */
void op_overflow(::aux::aux_world &w, int event);
void op_tick(::aux::aux_world &w);
void op_sched_out(::aux::aux_world &w, int context);
void op_sched_in(::aux::aux_world &w, int context);
void op_munmap(::aux::aux_world &w, int event);

/* The invariants on the state left behind (sim::violation() on failure). */
void check_final(::aux::aux_world &w);

}  // namespace aux_model
}  // namespace model
