// ---------------------------------------------------------------------------
// npde: the store of the trajectory U^0..U^K (doc/design.md section 8).
//
// The adjoint sweep runs backwards through the whole trajectory, so the
// forward sweep keeps it. Today every level stays in memory
// (InMemoryTrajectory); a checkpointed store (revolve: keep some levels,
// recompute the others from the nearest one) implements the same interface
// later. The interface works on whole levels, never on entries.
// ---------------------------------------------------------------------------
#ifndef npde_trajectory_h
#define npde_trajectory_h

#include <deal.II/lac/trilinos_vector.h>

#include <vector>

namespace npde
{
  using namespace dealii;

  class Trajectory
  {
  public:
    using VectorType = TrilinosWrappers::MPI::Vector;

    virtual ~Trajectory() = default;

    /// Room for @p n_levels levels of the layout @p owned.
    virtual void
    reinit(const unsigned int n_levels,
           const IndexSet    &owned,
           const MPI_Comm     communicator) = 0;

    virtual unsigned int
    n_levels() const = 0;

    /// Level n, to be written by the forward sweep.
    virtual VectorType &
    level(const unsigned int n) = 0;

    /// Level n, once written.
    virtual const VectorType &
    level(const unsigned int n) const = 0;

    /// Bytes that @p n_levels levels of @p n_dofs entries take on all ranks
    /// together: said before the store is allocated.
    virtual double
    memory(const unsigned int n_levels, const double n_dofs) const = 0;
  };



  /// Every level in memory.
  class InMemoryTrajectory : public Trajectory
  {
  public:
    void
    reinit(const unsigned int n_levels,
           const IndexSet    &owned,
           const MPI_Comm     communicator) override;
    unsigned int
    n_levels() const override;
    VectorType &
    level(const unsigned int n) override;
    const VectorType &
    level(const unsigned int n) const override;
    double
    memory(const unsigned int n_levels, const double n_dofs) const override;

  private:
    std::vector<VectorType> levels;
  };
} // namespace npde

#endif
