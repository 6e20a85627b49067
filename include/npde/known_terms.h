// ---------------------------------------------------------------------------
// npde: the known data of the forward problem at every time level.
//
// The known source S^n = ∫ s(t_n) φ_i + ∫_{Γ_N} q_N(t_n) φ_i, the Dirichlet
// values u_D(t_n) and the initial state U^0 (the interpolant of u_0 with the
// Dirichlet values of t_0 and conforming hanging-node values) do not depend
// on θ: they are computed once per mesh, for every level, rather than in
// every training iteration. Each is checked as it is computed, and a value
// that is not finite is an error naming the parameter, a point and t.
// ---------------------------------------------------------------------------
#ifndef npde_known_terms_h
#define npde_known_terms_h

#include <npde/point_operators.h>
#include <npde/time_grid.h>

#include <utility>
#include <vector>

namespace npde
{
  using namespace dealii;

  template <int dim>
  class KnownTerms
  {
  public:
    using VectorType = typename Discretization<dim>::VectorType;

    /// @p quadrature_points: the point operators of the discretization's
    /// quadrature(), which integrate s.
    KnownTerms(const Discretization<dim> &discretization,
               const PointOperators<dim> &quadrature_points,
               const TimeGrid            &time_grid,
               const Model<dim>          &model);

    /// Compute everything for the current mesh.
    void
    setup();

    /// Compute S^n again (s or q_N changed with a trained constant; u_D and
    /// U^0 cannot hold one).
    void
    update_sources();

    /// Whether there is a known source at all (s or q_N not zero).
    bool
    has_source() const;

    /// S^n (only if has_source()).
    const VectorType &
    source(const unsigned int n) const;

    /// Whether u_D(t_n) = u_D(t_{n−1}) at every Dirichlet dof of every rank
    /// (false for n = 0).
    bool
    same_boundary_values(const unsigned int n) const;

    /// Give @p u the Dirichlet values of t_n, then hanging-node values:
    /// the constraints every U^n satisfies.
    void
    apply_constraints(const unsigned int n, VectorType &u) const;

    /// U^0.
    const VectorType &
    initial_state() const;

  private:
    void
    setup_boundary_values();
    void
    setup_sources();
    void
    add_neumann_fluxes();
    void
    setup_initial_state();

    const Discretization<dim> &discretization;
    const PointOperators<dim> &quadrature_points;
    const TimeGrid            &time_grid;
    const Model<dim>          &model;

    std::vector<VectorType> sources; // S^n, empty if s = q_N = 0
    // u_D(t_n) at the owned Dirichlet dofs, by local index.
    std::vector<std::vector<std::pair<unsigned int, double>>> boundary_values;
    std::vector<bool> same_values; // u_D(t_n) = u_D(t_{n−1}) on all ranks
    VectorType        initial;
  };
} // namespace npde

#endif
