// ---------------------------------------------------------------------------
// npde: the discrete adjoint (doc/design.md section 4).
// ---------------------------------------------------------------------------
#include <npde/adjoint_solver.h>

#include <cmath>
#include <limits>

namespace npde
{
  template <int dim>
  AdjointSolver<dim>::AdjointSolver(const StateSolver<dim> &state,
                                    TimerOutput            &timer)
    : state(state)
    , grid(state.time_grid())
    , space(state.discretization())
    , spatial(state.spatial_operator())
    , source_points(state.source_operators())
    , timer(timer)
    , linear_solver(state.linear_solver_parameters())
    , frozen_jacobian(state.linear_solver_parameters().frozen_jacobian)
  {
  }



  template <int dim>
  void
  AdjointSolver<dim>::setup()
  {
    lambda.assign(grid.n_steps() + 1, space.new_vector());
    mu_buffer = space.new_vector();
    // The transposed Jacobian has the sparsity pattern of the Jacobian (the
    // pattern of a condensed operator is symmetric).
    transposed_jacobian.reinit(state.jacobian_matrix());
    jacobian_ready = false;
  }



  template <int dim>
  void
  AdjointSolver<dim>::solve(const std::vector<VectorType>           &r,
                            const std::function<void(unsigned int)> &level_done)
  {
    const unsigned int K     = grid.n_steps();
    const double       theta = grid.theta();
    AssertDimension(r.size(), K + 1);

    // One timer section for the sweep (see StateSolver::solve), and one
    // for building (J^n)ᵀ where that is needed.
    TimerOutput::Scope sweep_scope(timer, "adjoint: backward sweep");
    lambda[0]      = 0.;
    VectorType rhs = space.new_vector();
    // Vector operations on the owned entries directly, as in the forward
    // sweep (StateSolver::solve): Epetra's per-call cost would dominate.
    const unsigned int n_owned = rhs.locally_owned_size();
    for (unsigned int n = K; n >= 1; --n)
      {
        const double      t = grid.times()[n];
        const VectorType &u = state.state(n);
        std::copy_n(r[n].begin(), n_owned, rhs.begin());

        // (J^n)ᵀ at the U^n Newton returned. When J is the same at every step
        // and symmetric (no advection), the forward sweep's matrix and
        // preconditioner (or factorisation) serve as they are; when it is
        // constant but not symmetric, Jᵀ is built once. For a nonlinear f
        // with a frozen Jacobian, (J^n)ᵀ is the operator of a Krylov solve
        // preconditioned by a (J^m)ᵀ built at an earlier step m of this
        // sweep, as in the forward sweep (StateSolver).
        const bool constant = state.jacobian_is_constant_in_time();
        const bool frozen   = !constant && frozen_jacobian;
        const bool reuse_forward =
          constant && !spatial.has_advection() && state.has_jacobian_solver();
        if (n == K && frozen)
          jacobian_ready = false; // a new one in every sweep
        const bool build_jacobian =
          !reuse_forward &&
          (!jacobian_ready || jacobian_version != state.model_version() ||
           (!constant && !frozen));

        // F'(t_n, U^n), once: the coupling (for ϑ < 1), (J^n)ᵀ and the
        // frozen solve use it.
        Vector<double> dfdu;
        double         min_dfdu = std::numeric_limits<double>::infinity();
        if ((n < K && theta < 1.) || build_jacobian || frozen)
          min_dfdu = spatial.reaction_derivative(u, t, dfdu);

        if (n < K)
          {
            // The coupling of step n+1 to U^n, transposed, applied to
            // Λ^{n+1} (whose hanging-node values are distributed), is
            // subtracted from the right-hand side: added with both
            // coefficients negated. For ϑ = 1 it is just −M.
            spatial.add_linearized_product(
              dfdu,
              {1., -grid.step_size(n + 1) * (1. - theta)},
              Transpose::yes,
              lambda[n + 1],
              rhs);
          }
        const LinearSolver::MatrixProperties properties =
          state.jacobian_properties(grid.step_size(n), min_dfdu);
        if (build_jacobian)
          {
            {
              TimerOutput::Scope scope(timer, "adjoint: Jacobian assembly");
              transposed_jacobian = 0.;
              spatial.add_linearized_matrix(dfdu,
                                            {1., grid.step_size(n) * theta},
                                            Transpose::yes,
                                            transposed_jacobian);
            }
            TimerOutput::Scope scope(timer, "adjoint: linear solver setup");
            linear_solver.initialize(transposed_jacobian, properties);
            jacobian_ready   = true;
            jacobian_version = state.model_version();
          }
        const double norm     = rhs.l2_norm();
        VectorType  &solution = lambda[n];
        std::fill_n(solution.begin(), n_owned, 0.);
        if (norm > 0 && reuse_forward)
          state.solve_with_jacobian(solution, rhs, 1e-13 * norm);
        else if (norm > 0 && frozen)
          {
            const double k_theta = grid.step_size(n) * theta;
            linear_solver.solve(
              [&](VectorType &y, const VectorType &v) {
                spatial.linearized_action(
                  dfdu, {1., k_theta}, Transpose::yes, v, y);
              },
              solution,
              rhs,
              1e-13 * norm,
              properties.symmetric_positive_definite);
            if (linear_solver.preconditioner_is_stale())
              jacobian_ready = false;
          }
        else if (norm > 0)
          linear_solver.solve(solution, rhs, 1e-13 * norm);
        ++solves;
        space.distribute_homogeneous_constraints(solution);
        if (level_done)
          level_done(n);
      }
  }



  template <int dim>
  const typename AdjointSolver<dim>::VectorType &
  AdjointSolver<dim>::adjoint(const unsigned int n) const
  {
    return lambda[n];
  }



  template <int dim>
  void
  AdjointSolver<dim>::mu(const unsigned int n, VectorType &m) const
  {
    const unsigned int K     = grid.n_steps();
    const double       theta = grid.theta();
    m                        = 0.;
    if (n >= 1)
      m.add(grid.step_size(n) * theta, lambda[n]);
    if (n < K && theta < 1.)
      m.add(grid.step_size(n + 1) * (1. - theta), lambda[n + 1]);
  }



  template <int dim>
  void
  AdjointSolver<dim>::source_weights(
    std::vector<Vector<double>>             &weights,
    const std::function<void(unsigned int)> &wait_for_level) const
  {
    weights.resize(grid.n_steps() + 1);
    VectorType &m = mu_buffer; // made in setup(), not here (see Objective)
    for (unsigned int n = grid.n_steps() + 1; n-- > 0;)
      {
        if (wait_for_level)
          wait_for_level(n);
        mu(n, m);
        source_points.weighted_values(m, weights[n]);
      }
  }



  template <int dim>
  unsigned int
  AdjointSolver<dim>::n_linear_solves() const
  {
    return solves;
  }



  template class AdjointSolver<1>;
  template class AdjointSolver<2>;
  template class AdjointSolver<3>;
} // namespace npde
