// ---------------------------------------------------------------------------
// npde: the linear solver for Newton's Jacobian J = M + kϑ(A + F'(U)).
//
// J is symmetric positive definite when there is no advection and
// kϑ·max(−∂f/∂u) < 1 (then F' ≥ −max(−∂f/∂u)·M, so J ≥ (1 − kϑ max(−f'))M
// + kϑA). Allen–Cahn's F' is negative for |u| < 1/√3, so with a large step J
// can be indefinite. `automatic` picks CG + AMG for SPD matrices and
// right-preconditioned GMRES + AMG otherwise; `direct` factorises J with
// Amesos (KLU) and is the robust choice for small problems; on one MPI rank
// a symmetric positive definite matrix is factorised by CHOLMOD's simplicial
// Cholesky instead. For the paper's 861 unknowns one CHOLMOD solve takes
// about 14 µs against about 35 µs for Amesos KLU (LU, twice the triangular
// work, plus Epetra's copies in and out), and a training iteration makes 128
// of them. The
// preconditioner (or factorisation) is kept until initialize() is called
// again, so a matrix that does not change is set up once.
// ---------------------------------------------------------------------------
#ifndef npde_linear_solver_h
#define npde_linear_solver_h

#include <deal.II/base/parameter_handler.h>

#include <deal.II/lac/solver_control.h>
#include <deal.II/lac/trilinos_precondition.h>
#include <deal.II/lac/trilinos_solver.h>
#include <deal.II/lac/trilinos_sparse_matrix.h>
#include <deal.II/lac/trilinos_vector.h>

#include <functional>
#include <memory>
#include <string>

namespace npde
{
  using namespace dealii;

  /// Parameters of the linear solver, declared inside `State solver`.
  struct LinearSolverParameters
  {
    enum class Type
    {
      automatic,
      cg,
      gmres,
      direct
    };
    Type         type           = Type::automatic;
    unsigned int max_iterations = 1000;
    /// In automatic mode, a matrix that serves every time step is factorised
    /// when it has at most this many rows.
    unsigned int direct_limit = 100000;
    /// For a nonlinear f: Newton's and the adjoint's linear systems are
    /// solved with the exact Jacobian as an operator and a factorisation
    /// (or AMG) of a Jacobian built earlier in the sweep as preconditioner.
    bool frozen_jacobian = true;
    /// The frozen Jacobian is built anew when a solve took more iterations.
    unsigned int refresh_iterations = 12;

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };

  class CholeskyFactorization;

  class LinearSolver
  {
  public:
    using VectorType = TrilinosWrappers::MPI::Vector;
    using MatrixType = TrilinosWrappers::SparseMatrix;

    explicit LinearSolver(const LinearSolverParameters &parameters);

    ~LinearSolver();

    /// What the solver is told of a matrix.
    struct MatrixProperties
    {
      /// Whether the matrix is symmetric positive definite (CG, CHOLMOD).
      bool symmetric_positive_definite = false;
      /// Whether the elements are of degree > 1 (an AMG setting).
      bool higher_order_elements = false;
      /**
       * Whether a sparse factorisation pays off (in automatic mode, up to
       * the size limit): when the same matrix serves all time steps of a
       * linear problem, each solve is then two triangular sweeps, exact to
       * round-off; and for small 1D and 2D problems a factorisation is
       * cheaper than an AMG setup.
       */
      bool prefer_direct = false;
      /**
       * Whether the matrix serves many solves (the same Jacobian at every
       * step): only then is an SPD matrix on one rank factorised by
       * CHOLMOD, whose solves are cheaper than KLU's but whose factorisation
       * (with its ordering) costs more. For Allen–Cahn, with a new Jacobian
       * at every Newton iteration, CHOLMOD made a step 2.6 times slower
       * (state_solver_benchmark, 861 dofs).
       */
      bool many_solves = false;
    };

    /// Set up the preconditioner (or the factorisation) for @p matrix,
    /// which must stay alive and unchanged until the next call.
    void
    initialize(const MatrixType &matrix, const MatrixProperties &properties);

    /**
     * Solve matrix·x = b until the residual norm is below @p tolerance, from
     * x = 0. Returns the number of iterations (1 for the direct solver).
     */
    unsigned int
    solve(VectorType &x, const VectorType &b, const double tolerance);

    /// y = A x for a matrix that is given by its action only.
    using Operator = std::function<void(VectorType &y, const VectorType &x)>;

    /**
     * Solve A x = b for an operator @p A that is close to the matrix of
     * initialize(), until the residual norm is below @p tolerance, from
     * x = 0: CG when A (@p symmetric_positive_definite) and the matrix of
     * initialize() are both symmetric positive definite, right-
     * preconditioned GMRES otherwise, with what initialize() set up (the
     * factorisation or AMG of the nearby matrix) as the preconditioner.
     * This is how a Newton step uses a Jacobian factorised at another
     * iterate, step or time: the operator is the exact Jacobian, so the
     * step is the exact Newton step to the tolerance, and the factorisation
     * only makes it cheap. Returns the iterations.
     */
    unsigned int
    solve(const Operator   &A,
          VectorType       &x,
          const VectorType &b,
          const double      tolerance,
          const bool        symmetric_positive_definite);

    /**
     * Whether the last solve() with an operator took more iterations than
     * 'Frozen Jacobian refresh iterations': the matrix of initialize() has
     * drifted too far from the operators it preconditions, and the caller
     * should initialize() a new one.
     */
    bool
    preconditioner_is_stale() const;

    /// Whether solve() is exact to round-off (a factorisation) rather than
    /// iterative.
    bool
    is_exact() const;

    /// The method in use, e.g. "CG + AMG".
    std::string
    method() const;

  private:
    /// What initialize() set up, applied once: x = P⁻¹ b.
    void
    apply_preconditioner(VectorType &x, const VectorType &b) const;

    const LinearSolverParameters                    parameters;
    const MatrixType                               *matrix = nullptr;
    LinearSolverParameters::Type                    chosen;
    TrilinosWrappers::PreconditionAMG               amg;
    SolverControl                                   direct_control;
    std::unique_ptr<TrilinosWrappers::SolverDirect> direct;
    std::unique_ptr<CholeskyFactorization>          cholesky;
    // Whether the matrix of initialize() is symmetric positive definite,
    // and the iterations of the last solve() with an operator.
    bool         matrix_is_spd        = false;
    unsigned int last_operator_solves = 0;
  };
} // namespace npde

#endif
