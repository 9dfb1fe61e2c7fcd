// The model world of the execution that runs (model/kernel/sim.h): the per-execution runtime's
// pointer to it; the checker's run owns the world itself.
#include "model/kernel/sim.h"

namespace sim {

void *current_world = nullptr;

}  // namespace sim
