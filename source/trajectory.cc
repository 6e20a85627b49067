// ---------------------------------------------------------------------------
// npde: the store of the trajectory.
// ---------------------------------------------------------------------------
#include <npde/trajectory.h>

namespace npde
{
  void
  InMemoryTrajectory::reinit(const unsigned int n_levels,
                             const IndexSet    &owned,
                             const MPI_Comm     communicator)
  {
    levels.assign(n_levels, VectorType(owned, communicator));
  }



  unsigned int
  InMemoryTrajectory::n_levels() const
  {
    return levels.size();
  }



  InMemoryTrajectory::VectorType &
  InMemoryTrajectory::level(const unsigned int n)
  {
    return levels[n];
  }



  const InMemoryTrajectory::VectorType &
  InMemoryTrajectory::level(const unsigned int n) const
  {
    return levels[n];
  }



  double
  InMemoryTrajectory::memory(const unsigned int n_levels,
                             const double       n_dofs) const
  {
    return 8. * n_levels * n_dofs;
  }
} // namespace npde
