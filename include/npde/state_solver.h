// ---------------------------------------------------------------------------
// npde: the forward problem (DESIGN.md section 2).
//
// Continuous Q_p elements on a (possibly adaptively refined, possibly
// distributed) mesh, MappingQ(p) everywhere, the θ-scheme in time and Newton's
// method at every step. With U^n the coefficient vector at t_n, step n solves
//
//   R^n := M(U^n − U^{n−1}) + kϑ[A U^n + F^n(U^n) − G^n − S^n]
//                          + k(1−ϑ)[A U^{n−1} + F^{n−1}(U^{n−1}) − G^{n−1} −
//                          S^{n−1}] = 0
//
// with Newton's Jacobian J^n = M + kϑ(A + F'(U^n)). Everything lives in the
// condensed space of the homogeneous constraints (hanging nodes and zero
// Dirichlet values): matrices are assembled through
// AffineConstraints::distribute_local_to_global, which applies Cᵀ(·) and
// Cᵀ(·)C, and the Dirichlet values and hanging-node values of U^n are set
// afterwards. The adjoint of DESIGN.md section 4 relies on exactly this.
//
// In the time loop nothing runs over the cells (DESIGN.md section 8): the
// linear part of a residual is a product with Cᵀ(c_M M + c_A A), built once,
// and the reaction, the network's source and the misfit go through point
// matrices: Φ (values at quadrature points) and B (integrals against the
// test functions, rows condensed).
//
// The whole trajectory U^0..U^K is kept, because the adjoint sweep runs
// backwards through it.
//
// The network's source enters as values at the "source quadrature points"
// (a quadrature Q_g on every locally owned cell) for each time level:
// G^n = B g^n with the sparse coupling matrix B_{i,q} = φ_i(x_q) JxW_q
// (condensed in its rows), built once per mesh (DESIGN.md section 8). That
// is all the finite-element side and the network say to each other.
// ---------------------------------------------------------------------------
#ifndef npde_state_solver_h
#define npde_state_solver_h

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/base/timer.h>

#include <deal.II/distributed/tria_base.h>

#include <deal.II/dofs/dof_handler.h>

#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/mapping_q.h>

#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/trilinos_sparse_matrix.h>
#include <deal.II/lac/trilinos_vector.h>
#include <deal.II/lac/vector.h>

#include <npde/linear_solver.h>
#include <npde/local_sparse_matrix.h>
#include <npde/model.h>

#include <functional>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

namespace npde
{
  using namespace dealii;

  /// The parameters of subsection `Time`.
  struct TimeParameters
  {
    double       end_time = 1.;
    unsigned int n_steps  = 64;
    double       theta    = 1.;

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };

  /// The parameters of subsection `State solver`.
  struct StateSolverParameters
  {
    unsigned int           degree                    = 1;
    unsigned int           source_quadrature_points  = 0;
    bool                   source_gauss_lobatto      = false;
    unsigned int           max_newton_iterations     = 20;
    double                 newton_relative_tolerance = 1e-12;
    double                 newton_absolute_tolerance = 1e-14;
    double                 memory_limit_mb           = 8192;
    LinearSolverParameters linear_solver;

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };

  template <int dim>
  class StateSolver
  {
  public:
    using VectorType = TrilinosWrappers::MPI::Vector;
    using MatrixType = TrilinosWrappers::SparseMatrix;

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
     * Everything that is fixed for a mesh and a step size: dofs,
     * constraints, local matrices, the coupling matrix B, the known sources
     * S^n and Dirichlet values at every time level. Call again after the
     * mesh changed.
     */
    void
    setup();

    /**
     * The forward sweep: U^0 and then K Newton solves. If given,
     * @p source_at_points holds, for each time level n = 0..K, the values of
     * the network's source at source_points(); it is added to the known
     * source s. Throws an InputError when Newton does not converge.
     * @p level_done, if given, is called with n as soon as U^n is final,
     * so that another thread can already use it (Objective::forward).
     */
    void
    solve(const std::vector<Vector<double>> *source_at_points = nullptr,
          const std::function<void(unsigned int)> &level_done = {});

    /// The time levels t_0 = 0, ..., t_K = T.
    const std::vector<double> &
    times() const;

    unsigned int
    n_steps() const;

    /// U^n, distributed (no ghost entries).
    const VectorType &
    state(const unsigned int n) const;

    /// A copy of @p v with the ghost entries this rank's cells need.
    VectorType
    ghosted(const VectorType &v) const;

    /// ‖u_h^n − @p exact(t_n)‖_{L2(D)} (use a zero function for ‖u_h^n‖).
    double
    l2_error(const unsigned int n, Function<dim> &exact) const;

    /**
     * ∂f/∂u(t, x_q, u_h(x_q)) at the misfit quadrature's points into
     * @p dfdu (empty without a reaction term); returns its minimum over all
     * ranks (+∞ without a reaction term). The linearisations at (t, u) below
     * take it as their F'(t, u): a caller that needs several of them at the
     * same (t, u), as the adjoint does for ϑ < 1, evaluates it once.
     */
    double
    reaction_derivative_at_points(const VectorType &u,
                                  const double      t,
                                  Vector<double>   &dfdu) const;

    /**
     * The linearisation L = c_mass·M + c_op·(A + F'), or its transpose, with
     * F' the weighted mass matrix of @p dfdu (from
     * reaction_derivative_at_points() at the point of linearisation): adds Cᵀ L v to
     * @p product (if given; @p v a distributed vector without ghosts, with
     * constrained entries distributed) and Cᵀ L C to @p matrix (if given).
     */
    void
    assemble_linearization(const Vector<double> &dfdu,
                           const double          c_mass,
                           const double          c_op,
                           const bool            transpose,
                           const VectorType     *v,
                           VectorType           *product,
                           MatrixType           *matrix) const;

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

    /// k_n = t_n − t_{n−1} for n = 1..K (entry 0 is k_1 too).
    double
    step_size(const unsigned int n) const;

    /// ϑ of the θ-scheme.
    double
    theta() const;

    /// Whether J^n is the same matrix at every step and Newton iteration.
    bool
    jacobian_is_constant_in_time() const;

    /// Whether a factorisation of J beats AMG (see 'Linear solver').
    bool
    prefers_direct_solver() const;

    /// Whether the model has advection (then J is not symmetric).
    bool
    has_advection() const;

    /// Whether the model has a reaction term f: only then does the sweep
    /// use the misfit quadrature's points (values_at_quadrature_points(),
    /// add_test_function_integrals()).
    bool
    has_reaction() const;

    /// The linear solver's parameters (the adjoint uses the same).
    const LinearSolverParameters &
    linear_solver_parameters() const;

    /// An empty distributed vector of this solver's layout.
    VectorType
    new_vector() const;

    /// The points of the misfit quadrature (Gauss, p+1 per direction) on the
    /// locally owned cells, in cell order, and their JxW values.
    const std::vector<Point<dim>> &
    quadrature_points() const;
    const std::vector<double> &
    quadrature_weights() const;

    /// u_h at quadrature_points() for the (distributed, unghosted) @p u.
    void
    values_at_quadrature_points(const VectorType &u,
                                Vector<double>   &values) const;

    /// Adds Cᵀ Σ_q values_q φ_i(x_q) JxW_q over quadrature_points() to @p out.
    void
    add_test_function_integrals(const Vector<double> &values,
                                VectorType           &out) const;

    /**
     * @p out = Cᵀ M u, with M_ij = Σ_q φ_i(x_q) φ_j(x_q) JxW_q the mass
     * matrix of quadrature_points() and quadrature_weights() (so M = ΦᵀWΦ
     * with the matrices of values_at_quadrature_points() and the weights),
     * and its rows condensed: zero at constrained dofs. TargetData writes
     * the misfit with it. Reads only data made in setup(), so another
     * thread may call it during a sweep (on one rank).
     */
    void
    mass_product(const VectorType &u, VectorType &out) const;

    /// w = Bᵀ μ: μ_h(x_q)·JxW_q at source_points(), for the network's
    /// backward pass.
    void
    source_weights(const VectorType &mu, Vector<double> &w) const;

    /// The points of Q_g on the locally owned cells, in the order of g^n.
    /// A point that several of these cells share (a Gauss–Lobatto point on
    /// a vertex, edge or face) is listed once.
    const std::vector<Point<dim>> &
    source_points() const;

    /// The same points as one flat list of Q·d coordinates (for the network).
    const std::vector<double> &
    source_point_coordinates() const;

    /// The JxW values of Q_g at source_points() (summed over the cells that
    /// share a point).
    const std::vector<double> &
    source_point_weights() const;

    /// G += B g: adds the condensed load vector of values @p g at
    /// source_points().
    void
    add_source_vector(const Vector<double> &g, VectorType &G) const;

    /**
     * Give the hanging dofs of the (distributed) finite-element vector @p v
     * their constrained values; nothing else changes.
     */
    void
    distribute_hanging_node_values(VectorType &v) const;

    /**
     * The same as constraints().distribute(v): zero at the Dirichlet dofs,
     * interpolated values at hanging nodes; but without the ghosted copy
     * of @p v that AffineConstraints::distribute() makes at every call,
     * which the adjoint sweep would pay at every step.
     */
    void
    distribute_homogeneous_constraints(VectorType &v) const;

    /// Give @p u the Dirichlet values of t_n, then hanging-node values:
    /// the constraints every U^n satisfies.
    void
    apply_constraints(const unsigned int n, VectorType &u) const;

    /// Hanging-node and zero Dirichlet constraints: the condensed space.
    const AffineConstraints<double> &
    constraints() const;

    const DoFHandler<dim> &
    dof_handler() const;

    const Mapping<dim> &
    mapping() const;

    const Statistics &
    statistics() const;

    /// Bytes taken by the trajectory U^0..U^K on all ranks together.
    double
    trajectory_memory() const;

  private:
    /**
     * Point evaluation as sparse matrices (DESIGN.md section 8), for one
     * quadrature on the locally owned cells, whose points are numbered rank
     * by rank in the order of the cell loop:
     * - integration: B_{i,q} = φ_i(x_q) JxW_q, rows condensed (Cᵀ B), so
     *   B v is the condensed load vector of point values v;
     * - interpolation (optional): Φ_{q,i} = φ_i(x_q), so Φ u are the values
     *   of u_h at the points, constrained entries of u included.
     */
    struct PointCoupling
    {
      LocalSparseMatrix       local_integration;   // on one rank
      LocalSparseMatrix       local_interpolation; // on one rank
      IndexSet                owned_points;
      std::vector<Point<dim>> points;
      std::vector<double>     coordinates; // the points as Q·d numbers
      std::vector<double>     JxW;
      MatrixType              integration;
      MatrixType              interpolation;
      mutable VectorType      buffer; // point values, in the owned layout

      /// Copy @p values into buffer.
      const VectorType &
      to_buffer(const Vector<double> &values) const;
      /// Copy buffer into @p values.
      void
      from_buffer(Vector<double> &values) const;
    };

    void
    setup_point_coupling(const Quadrature<dim> &quadrature,
                         const bool             with_interpolation,
                         const bool             merge_shared_points,
                         PointCoupling         &coupling) const;

    /**
     * Cᵀ(c_mass·M + c_op·A), or Cᵀ(c_mass·M + c_op·A)ᵀ, with condensed rows
     * and all columns: applied to a vector u with its Dirichlet and
     * hanging-node values, it gives the linear part of the residual. Built
     * on first use for each coefficient pair and kept until the mesh
     * changes. A time loop with uniform steps needs two or three of them.
     */
    struct OperatorMatrix
    {
      std::unique_ptr<MatrixType> matrix;
      LocalSparseMatrix           local; // its CSR copy, on one rank
    };
    const OperatorMatrix &
    operator_matrix(const double c_mass,
                    const double c_op,
                    const bool   transpose) const;

    /// The dof indices of the @p c-th locally owned cell (cell-loop order).
    void
    cell_dofs(const unsigned int                    c,
              std::vector<types::global_dof_index> &local_dofs) const;

    /// c_mass·M_c + c_op·A_c (or with A_cᵀ) of the @p c-th cell into @p local.
    void
    cell_matrix(const unsigned int  c,
                const double        c_mass,
                const double        c_op,
                const bool          transpose,
                FullMatrix<double> &local) const;

    void
    setup_dofs_and_constraints();
    void
    setup_cell_data();
    void
    setup_known_sources_and_boundary_values();
    Point<dim>
    support_point(const types::global_dof_index i) const;

    /**
     * The heart of the forward problem: adds to @p residual
     *   Cᵀ[ c_mass·M u + c_op·(A u + F(t, u)) ]
     * for the distributed vector @p u: the linear part is one product with
     * operator_matrix(), only the reaction needs a loop over the cells.
     */
    void
    assemble_operator(const VectorType &u,
                      const double      t,
                      const double      c_mass,
                      const double      c_op,
                      VectorType       &residual) const;

    /// Assemble J^n at @p u and set up the linear solver for it.
    void
    assemble_jacobian(const VectorType &u,
                      const double      t,
                      const double      k);

    /**
     * Newton's method for R^n(U^n) = 0 from the initial guess @p u; R^n(u)
     * is @p known plus the part that depends on u. With @p residual_given,
     * newton_residual holds R^n(u) already.
     */
    void
    newton_solve(const unsigned int n,
                 const VectorType  &known,
                 VectorType        &u,
                 const bool         residual_given = false);

    const StateSolverParameters             parameters;
    const TimeParameters                    time_parameters;
    const Model<dim>                       &model;
    const parallel::TriangulationBase<dim> &triangulation;
    const MPI_Comm                          communicator;
    TimerOutput                            &timer;
    ConditionalOStream                     &pcout;

    FE_Q<dim>       fe;
    MappingQ<dim>   mapping_q;
    QGauss<dim>     quadrature;
    Quadrature<dim> source_quadrature;
    DoFHandler<dim> dofs;
    IndexSet        locally_owned_dofs;
    IndexSet        locally_relevant_dofs;

    AffineConstraints<double> hanging_node_constraints;
    AffineConstraints<double> homogeneous_constraints;
    // For the columns of the matrices that are condensed in their rows only.
    AffineConstraints<double> no_constraints;

    // Per locally owned cell, in the order of the cell loop: dof indices and
    // the local mass and operator matrices. The shape values are the same on
    // every cell (FE_Q does not depend on the mapping), so one table serves
    // all.
    unsigned int                         n_local_cells = 0;
    std::vector<types::global_dof_index> cell_dof_indices;
    std::vector<FullMatrix<double>>      cell_mass;
    std::vector<FullMatrix<double>>      cell_operator;
    FullMatrix<double>                   shape_values;

    // The pattern of operator_matrix(), and the matrices built so far.
    DynamicSparsityPattern operator_sparsity;
    mutable std::map<std::tuple<double, double, bool>, OperatorMatrix>
      operators;
    // operator_matrix(1, 0, false), made in setup(): a map lookup during a
    // sweep could meet an insertion by the sweep's thread.
    const OperatorMatrix *mass_operator = nullptr;

    /// dst += operator_matrix(c_mass, c_op, transpose)·src, through the CSR
    /// copy on one rank.
    void
    add_operator_product(const double      c_mass,
                         const double      c_op,
                         const bool        transpose,
                         const VectorType &src,
                         VectorType       &dst) const;

    // Q_g for the network's source (G = B g, w = Bᵀ μ), and the misfit
    // quadrature (Gauss, p+1 points per direction), which the reaction
    // term uses too.
    PointCoupling source_coupling;
    PointCoupling misfit_coupling;

    std::vector<double> time_levels;
    std::vector<double> step_sizes; // k_n = t_n − t_{n−1}; entry 0 unused
    std::vector<VectorType> known_sources; // S^n, empty if s = q_N = 0
    std::vector<std::vector<std::pair<unsigned int, double>>>
      boundary_values; // u_D(t_n) at the owned Dirichlet dofs, local index
    // Whether u_D(t_n) = u_D(t_{n−1}) at the Dirichlet dofs (entry 0 false).
    std::vector<bool> same_boundary_values;
    // Whether any rank has hanging nodes.
    bool has_hanging_nodes = false;

    MatrixType           jacobian;
    mutable LinearSolver linear_solver;
    bool                 jacobian_is_constant = false;
    double               jacobian_step        = -1.;

    std::vector<VectorType> trajectory;
    VectorType              initial_state; // U^0, the same for every θ
    VectorType              newton_residual, newton_update; // work space
    Statistics              stats;

    /// Work space of add_product(): deal.II's vmult_add() would allocate a
    /// Trilinos vector at every call, hundreds of times per sweep.
    mutable VectorType product_buffer;

    /// dst += A·src, with A's rows in the layout of the dofs (through
    /// Epetra: with several ranks).
    void
    add_product(const MatrixType &A,
                const VectorType &src,
                VectorType       &dst) const;
  };
} // namespace npde

#endif
