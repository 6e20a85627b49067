// ---------------------------------------------------------------------------
// npde: the forward problem's time stepper (doc/design.md section 2).
//
// With U^n the coefficient vector at t_n, step n of the θ-scheme solves
//
//   R^n := M(U^n − U^{n−1}) + kϑ[A U^n + F^n(U^n) − G^n − S^n]
//          + k(1−ϑ)[A U^{n−1} + F^{n−1}(U^{n−1}) − G^{n−1} − S^{n−1}] = 0
//
// by Newton's method with the Jacobian J^n = M + kϑ(A + F'(U^n)). The solver
// is built from the pieces of doc/design.md section 6, each in a file pair of
// its own:
// - Discretization: the FE space, the constraints, M and A;
// - TimeGrid: t_n, k_n, ϑ;
// - PointOperators: Φ and B of the reaction's quadrature, and B of the
//   network's source points Q_g (G^n = B g^n, w^n = Bᵀμ^n);
// - SpatialOperator: c_M M + c_A(A + F) and its linearisation;
// - KnownTerms: S^n, u_D(t_n), U^0;
// - Trajectory: the store of U^0..U^K, which the adjoint runs back through;
// - NewtonSolver: the iteration, handed residual, Jacobian and solve.
// What stays here is the time loop itself and the Jacobian with its linear
// solver. Everything lives in the condensed space of the homogeneous
// constraints (hanging nodes and zero Dirichlet values); the adjoint of
// doc/design.md section 4 relies on exactly this. In the time loop nothing
// runs over the cells (section 8).
// ---------------------------------------------------------------------------
#ifndef npde_state_solver_h
#define npde_state_solver_h

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/timer.h>

#include <npde/discretization.h>
#include <npde/expression.h>
#include <npde/known_terms.h>
#include <npde/linear_solver.h>
#include <npde/newton_solver.h>
#include <npde/point_operators.h>
#include <npde/spatial_operator.h>
#include <npde/state_solver_parameters.h>
#include <npde/time_grid.h>
#include <npde/trajectory.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace npde
{
  using namespace dealii;

  template <int dim>
  class StateSolver
  {
  public:
    using VectorType = typename Discretization<dim>::VectorType;
    using MatrixType = typename Discretization<dim>::MatrixType;

    /// What the last forward sweep did.
    struct Statistics
    {
      /// Newton iterations of steps 1..K (entry n−1 is step n).
      std::vector<unsigned int> newton_iterations;
      /// Newton's residual norms ‖R^n‖ of steps 1..K, one list per step.
      std::vector<std::vector<double>> newton_residuals;
      unsigned int                     n_linear_solves       = 0;
      unsigned int                     n_linear_iterations   = 0;
      unsigned int                     n_jacobian_assemblies = 0;
      unsigned int                     n_solver_setups       = 0;
      /// The linear solver last used, e.g. "CG + AMG".
      std::string linear_solver_method;
    };

    StateSolver(const StateSolverParameters            &parameters,
                const TimeParameters                   &time_parameters,
                const Model<dim>                       &model,
                const parallel::TriangulationBase<dim> &triangulation,
                TimerOutput                            &timer,
                ConditionalOStream                     &pcout);

    /**
     * Everything that is fixed for a mesh and a step size: the pieces above
     * in their order, with the trajectory's memory said (and checked
     * against the limit) before it is allocated. Call again after the mesh
     * changed.
     */
    void
    setup();

    /**
     * The model's constants changed (PhysicalConstants): rebuild the cell
     * matrices of a and b if @p operator_changed, the known sources S^n if
     * @p sources_changed, and the Jacobian in any case, before the next
     * sweep.
     */
    void
    model_changed(const bool operator_changed, const bool sources_changed);

    /// How many times the model changed since the last setup(): what the
    /// adjoint's Jacobians were built for.
    unsigned int
    model_version() const;

    /**
     * The forward sweep: U^0 and then K Newton solves. If given,
     * @p source_at_points holds, for each time level n = 0..K, the values of
     * the network's source at source_operators().points(); it is added to
     * the known source s. Throws an InputError when Newton does not
     * converge. @p level_done, if given, is called with n as soon as U^n is
     * final, so that another thread can already use it (Objective::forward).
     */
    void
    solve(const std::vector<Vector<double>>       *source_at_points = nullptr,
          const std::function<void(unsigned int)> &level_done       = {});

    /// U^n of the last sweep, distributed (no ghost entries).
    const VectorType &
    state(const unsigned int n) const;

    /// ‖u_h^n − @p exact(t_n)‖_{L2(D)} (use a zero function for ‖u_h^n‖).
    double
    l2_error(const unsigned int n, Function<dim> &exact) const;

    /// The pieces.
    const TimeGrid &
    time_grid() const;
    const Discretization<dim> &
    discretization() const;
    /// Φ and B of discretization().quadrature(): the reaction's and the
    /// misfit's points.
    const PointOperators<dim> &
    quadrature_operators() const;
    /// B of the network's source quadrature Q_g. A point that several
    /// locally owned cells share (a Gauss–Lobatto point on a vertex, edge or
    /// face) is listed once.
    const PointOperators<dim> &
    source_operators() const;
    const SpatialOperator<dim> &
    spatial_operator() const;
    const KnownTerms<dim> &
    known_terms() const;

    /**
     * Solve J x = b with the Jacobian and preconditioner (or factorisation)
     * of the last forward sweep, to the residual norm @p tolerance. The
     * adjoint uses this when J is constant and symmetric: then (J^n)ᵀ = J
     * and nothing needs to be built again. Returns the iterations.
     */
    unsigned int
    solve_with_jacobian(VectorType       &x,
                        const VectorType &b,
                        const double      tolerance) const;

    /// Whether solve_with_jacobian() can be used.
    bool
    has_jacobian_solver() const;

    /// The Jacobian matrix (for its sparsity pattern).
    const MatrixType &
    jacobian_matrix() const;

    /// Whether J^n is the same matrix at every step and Newton iteration.
    bool
    jacobian_is_constant_in_time() const;

    /// What the linear solver is told of a Jacobian (or its transpose) at
    /// step size @p k, given min ∂f/∂u over the points (+∞ without f).
    LinearSolver::MatrixProperties
    jacobian_properties(const double k, const double min_dfdu) const;

    /// The linear solver's parameters (the adjoint uses the same).
    const LinearSolverParameters &
    linear_solver_parameters() const;

    const Statistics &
    statistics() const;

    /// Bytes taken by the trajectory U^0..U^K on all ranks together.
    double
    trajectory_memory() const;

  private:
    /// Whether a factorisation of J beats AMG (see 'Linear solver').
    bool
    prefers_direct_solver() const;

    /// Assemble J^n at @p u and set up the linear solver for it.
    void
    assemble_jacobian(const VectorType &u, const double t, const double k);

    /// The same from the point values @p dfdu of ∂f/∂u (and their minimum).
    void
    assemble_jacobian(const Vector<double> &dfdu,
                      const double          min_dfdu,
                      const double          k);

    /// Whether Newton solves with a frozen Jacobian as preconditioner (see
    /// 'Frozen Jacobian'): a nonlinear f, and the parameter set.
    bool
    uses_frozen_jacobian() const;

    /// Newton's linear solve with the frozen Jacobian as preconditioner and
    /// the exact J^n at the iterate (newton_dfdu) as operator.
    unsigned int
    solve_with_frozen_jacobian(VectorType       &x,
                               const VectorType &b,
                               const double      tolerance);

    /// The part of R^n that does not depend on U^n, into @p known (or, for
    /// a linear step, R^n(U^{n−1}) into newton_residual); see solve().
    bool
    known_part_of_residual(const unsigned int n,
                           const VectorType  &sources_old,
                           const VectorType  &sources_new,
                           VectorType        &known);

    /// The NewtonSolver's callbacks for the step in `current`.
    void
    make_newton_callbacks();

    /// Replace U^{n−1} in @p u by a better initial guess of U^n (the step
    /// in `current`), with R^n at it in newton_residual; returns
    /// ‖R^n(U^{n−1})‖, the reference of Newton's relative tolerance.
    double
    initial_guess(const unsigned int n, VectorType &u);

    /// Newton's method for step n (in `current`) from the initial guess
    /// @p u, whose residual newton_residual holds.
    void
    newton_solve(const unsigned int n,
                 VectorType        &u,
                 const double       reference_norm);

    /// The InputError of a Newton solve that failed at step n.
    InputError
    newton_failure(const unsigned int          n,
                   const NewtonSolver::Result &result) const;

    const StateSolverParameters parameters;
    const Model<dim>           &model;
    TimerOutput                &timer;
    ConditionalOStream         &pcout;

    TimeGrid                    grid;
    Discretization<dim>         space;
    Quadrature<dim>             source_quadrature;
    PointOperators<dim>         quadrature_points;
    PointOperators<dim>         source_points;
    SpatialOperator<dim>        spatial;
    KnownTerms<dim>             known;
    std::unique_ptr<Trajectory> trajectory;
    NewtonSolver                newton;

    MatrixType           jacobian;
    mutable LinearSolver linear_solver;
    bool                 jacobian_is_constant = false;
    unsigned int         version              = 0;
    double               jacobian_step        = -1.;

    VectorType newton_residual, newton_update; // work space
    // With a frozen Jacobian: ∂f/∂u at Newton's iterate and its minimum,
    // and whether the frozen Jacobian of this sweep is set up (and still
    // good).
    Vector<double> newton_dfdu;
    double         newton_min_dfdu = 0.;
    bool           frozen_ready    = false;
    // The step Newton works on, and its callbacks.
    struct CurrentStep
    {
      unsigned int      n;
      double            t, k, k_theta;
      const VectorType *known_part;
    } current = {0, 0., 0., 0., nullptr};
    NewtonSolver::Callbacks newton_callbacks;
    Statistics              stats;
  };
} // namespace npde

#endif
