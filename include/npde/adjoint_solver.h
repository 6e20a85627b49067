// ---------------------------------------------------------------------------
// npde: the discrete adjoint (doc/design.md section 4).
//
// The exact adjoint of the discrete forward problem, not a discretised
// continuous adjoint. With r^n = ∂J/∂U^n, the backward sweep solves
//
//   n = K:        (J^K)ᵀ Λ^K = r^K,
//   n = K−1..1:   (J^n)ᵀ Λ^n = r^n − (−M + k_{n+1}(1−ϑ)(A + F'(U^n)))ᵀ Λ^{n+1},
//
// with J^n = M + k_nϑ(A + F'(U^n)) assembled at the U^n that Newton returned,
// and Λ^0 := 0 (U^0 does not depend on θ). Everything lives in the condensed
// space of the state solver: right-hand sides and coupling products are
// condensed (Cᵀ·) through distribute_local_to_global, transposes are
// assembled cell by cell, and each Λ^n gets its hanging-node values (and zero
// Dirichlet values) through `distribute` before it is used as a
// finite-element function. Then
//
//   μ^n = k_nϑ Λ^n + k_{n+1}(1−ϑ) Λ^{n+1}   (Λ^0 = Λ^{K+1} = 0)
//
// gives the weights w^n = Bᵀμ^n of the network's backward pass:
//   ∂J/∂θ = Σ_n Σ_q w^n_q ∂_θ g_θ(t_n, x_q) + λθ.
// ---------------------------------------------------------------------------
#ifndef npde_adjoint_solver_h
#define npde_adjoint_solver_h

#include <npde/linear_solver.h>
#include <npde/state_solver.h>

namespace npde
{
  using namespace dealii;

  template <int dim>
  class AdjointSolver
  {
  public:
    using VectorType = typename StateSolver<dim>::VectorType;
    using MatrixType = typename StateSolver<dim>::MatrixType;

    AdjointSolver(const StateSolver<dim> &state, TimerOutput &timer);

    /// Call after the state solver's setup(): sizes and matrices.
    void
    setup();

    /**
     * The backward sweep for the right-hand sides @p r (r[n] = ∂J/∂U^n,
     * condensed, n = 0..K; r[0] is not used). Uses the trajectory the state
     * solver holds. @p level_done, if given, is called with n as soon as
     * Λ^n is final (n = K..1), so that another thread can use it.
     */
    void
    solve(const std::vector<VectorType>           &r,
          const std::function<void(unsigned int)> &level_done = {});

    /// Λ^n (distributed, no ghosts), with hanging-node values filled in
    /// (Λ^0 = 0).
    const VectorType &
    adjoint(const unsigned int n) const;

    /// μ^n = k_nϑ Λ^n + k_{n+1}(1−ϑ) Λ^{n+1}, n = 0..K, into @p m.
    void
    mu(const unsigned int n, VectorType &m) const;

    /// The weights w^n = Bᵀμ^n at the source points, n = K..0 in this
    /// order; @p wait_for_level, if given, is called with n before μ^n is
    /// formed (it needs Λ^n and Λ^{n+1}).
    void
    source_weights(
      std::vector<Vector<double>>             &weights,
      const std::function<void(unsigned int)> &wait_for_level = {}) const;

    unsigned int
    n_linear_solves() const;

  private:
    // The forward sweep's trajectory and Jacobian, and the pieces the
    // backward sweep is built from.
    const StateSolver<dim>     &state;
    const TimeGrid             &grid;
    const Discretization<dim>  &space;
    const SpatialOperator<dim> &spatial;
    const PointOperators<dim>  &source_points;
    TimerOutput                &timer;
    std::vector<VectorType>     lambda;
    mutable VectorType          mu_buffer; // μ^n in source_weights()
    MatrixType                  transposed_jacobian;
    LinearSolver                linear_solver;
    bool                        jacobian_ready = false;
    const bool         frozen_jacobian;           // 'Frozen Jacobian'
    unsigned int       jacobian_version = 0;      // StateSolver::model_version()
    unsigned int       solves           = 0;
  };
} // namespace npde

#endif
