// ---------------------------------------------------------------------------
// npde: the forward problem's time stepper, θ-scheme + Newton.
// ---------------------------------------------------------------------------
#include <npde/input_check.h>
#include <npde/state_solver.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace npde
{
  namespace
  {
    // Q_g as the parameters say: n points per direction (0 means p+1), Gauss
    // or Gauss–Lobatto.
    template <int dim>
    Quadrature<dim>
    source_rule(const StateSolverParameters &parameters)
    {
      const unsigned int n = (parameters.source_quadrature_points > 0 ?
                                parameters.source_quadrature_points :
                                parameters.degree + 1);
      if (parameters.source_gauss_lobatto)
        return QGaussLobatto<dim>(n);
      return QGauss<dim>(n);
    }
  } // namespace



  template <int dim>
  StateSolver<dim>::StateSolver(
    const StateSolverParameters            &parameters,
    const TimeParameters                   &time_parameters,
    const Model<dim>                       &model,
    const parallel::TriangulationBase<dim> &triangulation,
    TimerOutput                            &timer,
    ConditionalOStream                     &pcout)
    : parameters(parameters)
    , model(model)
    , timer(timer)
    , pcout(pcout)
    , grid(time_parameters)
    , space(parameters.degree, model, triangulation, timer)
    , source_quadrature(source_rule<dim>(parameters))
    , quadrature_points(space)
    , source_points(space)
    , spatial(space, quadrature_points, model)
    , known(space, quadrature_points, grid, model)
    , trajectory(std::make_unique<InMemoryTrajectory>())
    , newton({parameters.max_newton_iterations,
              parameters.newton_relative_tolerance,
              parameters.newton_absolute_tolerance})
    , linear_solver(parameters.linear_solver)
  {
    make_newton_callbacks();
  }



  // The order matters only for the memory check: the trajectory is the big
  // memory item of npde, so its size is said, and checked against the
  // limit, as soon as the number of dofs is known and before anything
  // expensive is built.
  template <int dim>
  void
  StateSolver<dim>::setup()
  {
    TimerOutput::Scope t(timer, "state: setup");

    space.distribute_dofs();
    space.reinit_condensed_matrix(jacobian);
    newton_residual = space.new_vector();
    newton_update   = space.new_vector();

    const double megabytes = trajectory_memory() / 1048576.;
    pcout << "   Trajectory: " << grid.n_levels() << " time levels x "
          << space.dof_handler().n_dofs() << " dofs = " << megabytes << " MB"
          << std::endl;
    if (megabytes > parameters.memory_limit_mb)
      throw InputError(
        "The trajectory U^0..U^K needs " + std::to_string(megabytes) +
        " MB, more than 'State solver/Memory limit (MB)' = " +
        std::to_string(parameters.memory_limit_mb) +
        ". Use fewer time steps or a coarser mesh, or raise the limit.");

    space.assemble_cell_matrices();
    source_points.setup(
      source_quadrature,
      {/*with_interpolation=*/false,
       /*merge_shared_points=*/parameters.source_gauss_lobatto});
    quadrature_points.setup(space.quadrature(),
                            {/*with_interpolation=*/true,
                             /*merge_shared_points=*/false});
    known.setup();
    trajectory->reinit(grid.n_levels(),
                       space.locally_owned_dofs(),
                       space.communicator());
    jacobian_is_constant = model.reaction_derivative_is_constant();
    jacobian_step        = -1.;
    ++version;
  }



  template <int dim>
  void
  StateSolver<dim>::model_changed(const bool operator_changed,
                                  const bool sources_changed)
  {
    TimerOutput::Scope t(timer, "state: model change");
    if (operator_changed)
      space.assemble_cell_matrices();
    if (sources_changed)
      known.update_sources();
    jacobian_step = -1.;
    ++version;
  }



  template <int dim>
  unsigned int
  StateSolver<dim>::model_version() const
  {
    return version;
  }



  // The sweep. Its vector operations work on the locally owned entries
  // directly (every vector here has the same owned layout): an Epetra
  // assignment or update costs more than the arithmetic on a 1000-dof
  // level, and this loop runs K times per forward solve. One timer section
  // covers the whole sweep: a section per step would cost a getrusage()
  // call each time, more than some of the steps' kernels.
  template <int dim>
  void
  StateSolver<dim>::solve(const std::vector<Vector<double>> *source_at_points,
                          const std::function<void(unsigned int)> &level_done)
  {
    AssertThrow(source_at_points == nullptr ||
                  source_at_points->size() == grid.n_levels(),
                ExcDimensionMismatch(source_at_points->size(),
                                     grid.n_levels()));
    stats = Statistics();

    TimerOutput::Scope scope(timer, "state: time stepping");
    trajectory->level(0) = known.initial_state();
    if (level_done)
      level_done(0);

    const unsigned int n_owned = known.initial_state().locally_owned_size();

    // S^n + G^n of one level, computed once: step n uses levels n−1 and n.
    const auto level_sources = [&](const unsigned int n, VectorType &out) {
      if (known.has_source())
        std::copy_n(known.source(n).begin(), n_owned, out.begin());
      else
        std::fill_n(out.begin(), n_owned, 0.);
      if (source_at_points != nullptr)
        source_points.add_integrals((*source_at_points)[n], out);
    };
    VectorType sources_old = space.new_vector();
    VectorType sources_new = space.new_vector();
    level_sources(0, sources_old);

    // A Jacobian that is the same at every step is factorised before the
    // first one, so that every call of solve() takes the same path through
    // every step (and gives the same bits): see known_part_of_residual().
    if (jacobian_is_constant && grid.n_levels() > 1 &&
        jacobian_step != grid.step_size(1))
      assemble_jacobian(trajectory->level(0),
                        grid.times()[1],
                        grid.step_size(1));

    // A frozen Jacobian is built anew in every sweep, at the first Newton
    // iterate of step 1: a sweep does not depend on the one before it, and
    // a resumed run takes the same path as an uninterrupted one.
    frozen_ready = false;

    VectorType known_part = space.new_vector();
    for (unsigned int n = 1; n < grid.n_levels(); ++n)
      {
        level_sources(n, sources_new);
        const bool linear_step =
          known_part_of_residual(n, sources_old, sources_new, known_part);
        sources_old.swap(sources_new);

        // Newton starts from U^{n−1} with the Dirichlet values of t_n, or
        // from a better guess (initial_guess()). Either way, Newton's
        // residual holds R^n at the start already.
        const double k = grid.step_size(n);
        current        = {n, grid.times()[n], k, k * grid.theta(), &known_part};
        VectorType &u  = trajectory->level(n);
        std::copy_n(trajectory->level(n - 1).begin(), n_owned, u.begin());
        double reference_norm = -1.;
        if (!linear_step)
          {
            known.apply_constraints(n, u);
            reference_norm = initial_guess(n, u);
          }
        newton_solve(n, u, reference_norm);
        if (level_done)
          level_done(n);
      }
    stats.linear_solver_method = linear_solver.method();
  }



  // The part of R^n that does not depend on U^n:
  //   −M U^{n−1} + k(1−ϑ)[A U^{n−1} + F^{n−1}(U^{n−1}) − G^{n−1} − S^{n−1}]
  //   − kϑ(G^n + S^n).
  //
  // A problem affine in u whose Jacobian is factorised already, with the
  // Dirichlet values of t_{n−1}, is a "linear step": Newton starts from
  // U^{n−1} itself, and its first residual
  //   R^n(U^{n−1}) = known + (M + kϑA) U^{n−1}
  //                = kA U^{n−1} − kϑ(G^n + S^n) − k(1−ϑ)(G^{n−1} + S^{n−1})
  // takes one product (with kA) instead of two; it goes straight into
  // Newton's residual. Its one exact Newton step is then the whole time
  // step. Returns whether step n is such a step.
  template <int dim>
  bool
  StateSolver<dim>::known_part_of_residual(const unsigned int n,
                                           const VectorType  &sources_old,
                                           const VectorType  &sources_new,
                                           VectorType        &known_part)
  {
    const double k           = grid.step_size(n);
    const double theta       = grid.theta();
    const bool   linear_step = !model.has_reaction() && jacobian_is_constant &&
                             jacobian_step == k && linear_solver.is_exact() &&
                             known.same_boundary_values(n);
    VectorType &sum = (linear_step ? newton_residual : known_part);
    {
      const unsigned int n_owned = sum.locally_owned_size();
      const double       a = -k * (1. - theta), b = -k * theta;
      const double      *old_values = sources_old.begin();
      const double      *new_values = sources_new.begin();
      double *const      out        = sum.begin();
      for (unsigned int i = 0; i < n_owned; ++i)
        out[i] = a * old_values[i] + b * new_values[i];
    }
    const VectorType &u_old = trajectory->level(n - 1);
    if (linear_step)
      space.operators().add_operator_product({0., k},
                                             Transpose::no,
                                             u_old,
                                             sum);
    else
      spatial.add_value(u_old,
                        grid.times()[n - 1],
                        {-1., k * (1. - theta)},
                        known_part);
    return linear_step;
  }



  // Step n's Newton problem for the NewtonSolver:
  //   R^n(v) = known + Cᵀ[M v + kϑ(A v + F(t_n, v))],
  // the Jacobian J^n assembled at the iterate unless it is the same at every
  // step and already there, and the constraints of t_n. The callbacks are
  // made once (they capture only `this` and read the step from `current`),
  // and the work vectors are members, so that a step allocates nothing.
  template <int dim>
  void
  StateSolver<dim>::make_newton_callbacks()
  {
    newton_callbacks.residual = [this](const VectorType &v,
                                       VectorType       &residual) {
      const VectorType &known_part = *current.known_part;
      std::copy_n(known_part.begin(),
                  known_part.locally_owned_size(),
                  residual.begin());
      spatial.add_value(v, current.t, {1., current.k_theta}, residual);
      return residual.l2_norm();
    };
    newton_callbacks.setup_jacobian = [this](const VectorType &v) {
      if (uses_frozen_jacobian())
        {
          newton_min_dfdu =
            spatial.reaction_derivative(v, current.t, newton_dfdu);
          if (!frozen_ready)
            assemble_jacobian(newton_dfdu, newton_min_dfdu, current.k);
        }
      else if (!jacobian_is_constant || jacobian_step != current.k)
        assemble_jacobian(v, current.t, current.k);
    };
    newton_callbacks.solve_with_jacobian =
      [this](VectorType &x, const VectorType &b, const double tolerance) {
        if (uses_frozen_jacobian())
          return solve_with_frozen_jacobian(x, b, tolerance);
        return linear_solver.solve(x, b, tolerance);
      };
    newton_callbacks.apply_constraints = [this](VectorType &v) {
      known.apply_constraints(current.n, v);
    };
    newton_callbacks.step_is_exact = [this]() {
      return jacobian_is_constant && linear_solver.is_exact();
    };
  }



  // The extrapolation 2U^{n−1} − U^{n−2} is a second-order guess of U^n,
  // against the first-order U^{n−1}: its residual is smaller by about a
  // factor k, which saves a Newton iteration (or, for an iterative linear
  // solver, the iterations of that many digits). It is a function of the
  // sweep alone, so that every sweep, and a resumed run, takes the same
  // path (the previous training iteration's U^n, closer still, would make
  // a resumed run depend on the trajectory of the iteration before it).
  // Newton's relative tolerance still refers to the residual at U^{n−1},
  // which this returns: the better guess must not make the test stricter.
  // Step 1 keeps U^{n−1}, and so does a step whose extrapolation leaves
  // the values where f is defined (f = u^1.5 and a u that was about to
  // reach 0): R^n is not finite there, and U^{n−1} is still a valid start.
  // On return newton_residual holds R^n(u) at the chosen u, so Newton
  // does not evaluate it again.
  template <int dim>
  double
  StateSolver<dim>::initial_guess(const unsigned int n, VectorType &u)
  {
    const double reference = newton_callbacks.residual(u, newton_residual);
    if (n < 2 || !std::isfinite(reference))
      return reference;
    const unsigned int n_owned = u.locally_owned_size();
    const double      *older   = trajectory->level(n - 2).begin();
    const double      *old     = trajectory->level(n - 1).begin();
    double *const      guess   = u.begin();
    for (unsigned int i = 0; i < n_owned; ++i)
      guess[i] = 2. * old[i] - older[i];
    known.apply_constraints(n, u);
    // newton_update is free until Newton's first solve: it keeps R^n(U^{n−1}).
    newton_update.swap(newton_residual);
    if (const double at_guess = newton_callbacks.residual(u, newton_residual);
        !std::isfinite(at_guess))
      {
        std::copy_n(old, n_owned, guess);
        known.apply_constraints(n, u);
        newton_update.swap(newton_residual);
      }
    return reference;
  }



  template <int dim>
  void
  StateSolver<dim>::newton_solve(const unsigned int n,
                                 VectorType        &u,
                                 const double       reference_norm)
  {
    const NewtonSolver::Result result = newton.solve(newton_callbacks,
                                                     u,
                                                     newton_residual,
                                                     newton_update,
                                                     reference_norm);
    stats.n_linear_solves += result.linear_solves;
    stats.n_linear_iterations += result.linear_iterations;
    if (!result.converged)
      throw newton_failure(n, result);
    stats.newton_iterations.push_back(result.iterations);
    stats.newton_residuals.push_back(result.residuals);
  }



  // What a user can do about a Newton failure depends on why: a residual
  // that is not finite points at f (or the network source), one that does
  // not fall fast enough at the step size or the iteration limit.
  template <int dim>
  InputError
  StateSolver<dim>::newton_failure(const unsigned int          n,
                                   const NewtonSolver::Result &result) const
  {
    std::ostringstream message;
    message << "Newton's method did not converge at time step " << n
            << " (t = " << grid.times()[n] << "): the residual is "
            << result.norm << " after " << result.iterations
            << " iterations, but the target "
            << "is " << result.target << ". Residual history:";
    for (const double r : result.residuals)
      message << ' ' << r;
    if (!std::isfinite(result.norm) && model.has_reaction())
      message << ". The residual is not finite: 'Model/Reaction' = \""
              << model.formula("Model/Reaction")
              << "\" or its derivative is not finite at the iterate (is "
                 "f defined for every value u takes?), or the network "
                 "source is. Check where they are defined, or use a "
                 "smaller time step ('Time/Number of steps')";
    else if (!std::isfinite(result.norm))
      message << ". The residual is not finite: the network source is "
                 "not finite (the known inputs were checked at start-up)";
    else
      message << ". Use a smaller time step ('Time/Number of steps'), "
                 "raise 'State solver/Maximum Newton iterations', or "
                 "check 'Model/Reaction' and 'Model/Reaction "
                 "derivative'";
    message << '.';
    return InputError(message.str());
  }



  template <int dim>
  void
  StateSolver<dim>::assemble_jacobian(const VectorType &u,
                                      const double      t,
                                      const double      k)
  {
    Vector<double> dfdu;
    double         min_dfdu;
    {
      TimerOutput::Scope scope(timer, "state: Jacobian assembly");
      min_dfdu = spatial.reaction_derivative(u, t, dfdu);
    }
    assemble_jacobian(dfdu, min_dfdu, k);
  }



  template <int dim>
  void
  StateSolver<dim>::assemble_jacobian(const Vector<double> &dfdu,
                                      const double          min_dfdu,
                                      const double          k)
  {
    const LinearSolver::MatrixProperties properties =
      jacobian_properties(k, min_dfdu);
    {
      TimerOutput::Scope scope(timer, "state: Jacobian assembly");
      jacobian = 0.;
      spatial.add_linearized_matrix(dfdu,
                                    {1., k * grid.theta()},
                                    Transpose::no,
                                    jacobian);
      ++stats.n_jacobian_assemblies;
    }
    TimerOutput::Scope scope(timer, "state: linear solver setup");
    linear_solver.initialize(jacobian, properties);
    ++stats.n_solver_setups;
    jacobian_step = k;
    frozen_ready  = true;
  }



  template <int dim>
  bool
  StateSolver<dim>::uses_frozen_jacobian() const
  {
    return !jacobian_is_constant && parameters.linear_solver.frozen_jacobian;
  }



  // CG needs both the operator J^n and the preconditioner to be symmetric
  // positive definite (the LinearSolver knows the latter); otherwise GMRES.
  // A solve that took many iterations says that the iterate has moved far
  // from where the Jacobian was frozen: the next Newton iteration builds it
  // anew, there.
  template <int dim>
  unsigned int
  StateSolver<dim>::solve_with_frozen_jacobian(VectorType       &x,
                                               const VectorType &b,
                                               const double      tolerance)
  {
    const bool spd =
      jacobian_properties(current.k, newton_min_dfdu).symmetric_positive_definite;
    const unsigned int iterations = linear_solver.solve(
      [this](VectorType &y, const VectorType &v) {
        spatial.linearized_action(
          newton_dfdu, {1., current.k_theta}, Transpose::no, v, y);
      },
      x,
      b,
      tolerance,
      spd);
    if (linear_solver.preconditioner_is_stale())
      frozen_ready = false;
    return iterations;
  }



  // J is SPD without advection as long as kϑ·max(−∂f/∂u) < 1 (doc/design.md
  // section 4); the same holds for its transpose.
  template <int dim>
  LinearSolver::MatrixProperties
  StateSolver<dim>::jacobian_properties(const double k,
                                        const double min_dfdu) const
  {
    const double                   k_theta = k * grid.theta();
    LinearSolver::MatrixProperties properties;
    properties.symmetric_positive_definite =
      !model.has_advection() &&
      (!std::isfinite(min_dfdu) || k_theta * std::max(0., -min_dfdu) < 1.);
    properties.higher_order_elements = space.fe().degree > 1;
    properties.prefer_direct         = prefers_direct_solver();
    properties.many_solves =
      jacobian_is_constant || parameters.linear_solver.frozen_jacobian;
    return properties;
  }



  template <int dim>
  double
  StateSolver<dim>::l2_error(const unsigned int n, Function<dim> &exact) const
  {
    exact.set_time(grid.times()[n]);
    return space.l2_error(trajectory->level(n), exact);
  }



  template <int dim>
  const typename StateSolver<dim>::VectorType &
  StateSolver<dim>::state(const unsigned int n) const
  {
    return static_cast<const Trajectory &>(*trajectory).level(n);
  }



  template <int dim>
  unsigned int
  StateSolver<dim>::solve_with_jacobian(VectorType       &x,
                                        const VectorType &b,
                                        const double      tolerance) const
  {
    return linear_solver.solve(x, b, tolerance);
  }



  template <int dim>
  bool
  StateSolver<dim>::prefers_direct_solver() const
  {
    return jacobian_is_constant ||
           (dim < 3 && space.dof_handler().n_dofs() <=
                         parameters.linear_solver.direct_limit / 10);
  }



  template <int dim>
  bool
  StateSolver<dim>::has_jacobian_solver() const
  {
    return jacobian_step > 0;
  }

  template <int dim>
  const typename StateSolver<dim>::MatrixType &
  StateSolver<dim>::jacobian_matrix() const
  {
    return jacobian;
  }

  template <int dim>
  bool
  StateSolver<dim>::jacobian_is_constant_in_time() const
  {
    return jacobian_is_constant;
  }

  template <int dim>
  const LinearSolverParameters &
  StateSolver<dim>::linear_solver_parameters() const
  {
    return parameters.linear_solver;
  }

  template <int dim>
  const typename StateSolver<dim>::Statistics &
  StateSolver<dim>::statistics() const
  {
    return stats;
  }

  template <int dim>
  double
  StateSolver<dim>::trajectory_memory() const
  {
    return trajectory->memory(grid.n_levels(), space.dof_handler().n_dofs());
  }

  template <int dim>
  const TimeGrid &
  StateSolver<dim>::time_grid() const
  {
    return grid;
  }

  template <int dim>
  const Discretization<dim> &
  StateSolver<dim>::discretization() const
  {
    return space;
  }

  template <int dim>
  const PointOperators<dim> &
  StateSolver<dim>::quadrature_operators() const
  {
    return quadrature_points;
  }

  template <int dim>
  const PointOperators<dim> &
  StateSolver<dim>::source_operators() const
  {
    return source_points;
  }

  template <int dim>
  const SpatialOperator<dim> &
  StateSolver<dim>::spatial_operator() const
  {
    return spatial;
  }

  template <int dim>
  const KnownTerms<dim> &
  StateSolver<dim>::known_terms() const
  {
    return known;
  }



  template class StateSolver<1>;
  template class StateSolver<2>;
  template class StateSolver<3>;
} // namespace npde
