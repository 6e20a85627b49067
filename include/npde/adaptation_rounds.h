// ---------------------------------------------------------------------------
// npde: what the trainer knows of mesh adaptation.
//
// The trainer asks after every iteration whether a round is due, and runs
// it; how the mesh changes (MeshAdaptation<dim>, mesh_adaptation.h) is not
// its business. This interface is all it sees, so that it needs no `dim`.
// ---------------------------------------------------------------------------
#ifndef npde_adaptation_rounds_h
#define npde_adaptation_rounds_h

#include <vector>

namespace npde
{
  class AdaptationRounds
  {
  public:
    virtual ~AdaptationRounds() = default;

    /// Whether adaptation is on at all.
    virtual bool
    enabled() const = 0;

    /// Whether a round is due after @p iteration, given the losses of the
    /// accepted iterations since the last round (or the start).
    virtual bool
    due(const unsigned int         iteration,
        const std::vector<double> &losses) const = 0;

    /// One round; false if nothing changed.
    virtual bool
    refine() = 0;

    /// The rounds so far.
    virtual unsigned int
    rounds() const = 0;

    /// Whether no more rounds will come after @p iteration in a run that
    /// ends at @p last_iteration.
    virtual bool
    finished(const unsigned int iteration,
             const unsigned int last_iteration) const = 0;
  };
} // namespace npde

#endif
