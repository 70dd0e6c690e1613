#pragma once
#include <vector>

#include "scenarios/drill.hpp"
#include "scenarios/kind_catalog.hpp"
#include "scenarios/yaml_reader.hpp"

namespace firedrill::scenarios {

// Each fault restores the state it found at its own inject, so faults on one thing (the same
// KindDecl::changes key) are right only when reverted last first, as the end of a drill does.
// An earlier fault's `for:` breaks that order when it may end while a later fault on the same
// thing is active: that revert would undo the later fault, whose own revert would bring the
// earlier one's effect back, and the drill would end degraded. Such drills are refused. The
// earlier fault is surely reverted when its `for:` is no longer than the waits and foreground
// loads between the two; validate windows count as nothing (`eventually` can end at once).
void check_fault_overlap(YamlReader& reader, const std::vector<Step>& steps,
                         const KindCatalog& kinds);

}  // namespace firedrill::scenarios
