// ---------------------------------------------------------------------------
// npde: the linear solver for Newton's Jacobian.
// ---------------------------------------------------------------------------
#include <deal.II/lac/solver_cg.h>
#include <deal.II/lac/solver_gmres.h>

#include <npde/expression.h>
#include <npde/linear_solver.h>
#include <npde/local_sparse_matrix.h>

#include <cholmod.h>

#include <algorithm>
#include <numeric>

namespace npde
{
  void
  LinearSolverParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.declare_entry(
      "Linear solver",
      "automatic",
      Patterns::Selection("automatic|cg|gmres|direct"),
      "automatic: a sparse direct factorisation (CHOLMOD's Cholesky on one "
      "rank when the matrix is symmetric positive definite, Amesos KLU "
      "otherwise, MUMPS on several ranks) when one matrix "
      "serves all time steps (a linear problem) and has at most 'Direct "
      "solver size limit' rows, or, in 1D and 2D, when it has at most a "
      "tenth of that; otherwise CG + AMG when the Jacobian is symmetric "
      "positive definite (no advection and k*theta*max(-df/du) < 1), GMRES "
      "+ AMG if not. cg, gmres and direct force one of them.");
    prm.declare_entry("Maximum linear iterations",
                      "1000",
                      Patterns::Integer(1),
                      "Iteration limit of CG and GMRES.");
    prm.declare_entry("Direct solver size limit",
                      "100000",
                      Patterns::Integer(0),
                      "The largest matrix (rows) that 'automatic' factorises "
                      "when the matrix is the same at every time step (see "
                      "'Linear solver').");
    prm.declare_entry(
      "Frozen Jacobian",
      "true",
      Patterns::Bool(),
      "For a nonlinear reaction f: true builds and factorises (or "
      "preconditions with AMG) the Jacobian once at the start of a sweep "
      "and solves each Newton step, and each adjoint step, by CG (GMRES "
      "when the Jacobian is not symmetric positive definite) on the exact "
      "Jacobian of that step, preconditioned by the frozen one: the "
      "solutions are the same to the solvers' tolerances, at a fraction of "
      "the cost. false builds and sets up the Jacobian at every Newton "
      "iteration and every adjoint step.");
    prm.declare_entry("Frozen Jacobian refresh iterations",
                      "12",
                      Patterns::Integer(1),
                      "With 'Frozen Jacobian': a linear solve that takes "
                      "more iterations than this has the Jacobian built and "
                      "set up again at the next Newton iteration (or adjoint "
                      "step), at the current iterate.");
  }



  void
  LinearSolverParameters::parse_parameters(ParameterHandler &prm)
  {
    const std::string t = prm.get("Linear solver");
    type                = (t == "cg"     ? Type::cg :
                           t == "gmres"  ? Type::gmres :
                           t == "direct" ? Type::direct :
                                           Type::automatic);
    max_iterations      = prm.get_integer("Maximum linear iterations");
    direct_limit        = prm.get_integer("Direct solver size limit");
    frozen_jacobian     = prm.get_bool("Frozen Jacobian");
    refresh_iterations  = prm.get_integer("Frozen Jacobian refresh iterations");
  }



  /**
   * CHOLMOD's sparse Cholesky factorisation LDLᵀ of a symmetric positive
   * definite matrix that lives on one MPI rank. The factor is computed once;
   * each solve is then a permutation and two sparse triangular sweeps on the
   * raw arrays of the Trilinos vectors, with CHOLMOD's work space kept from
   * one solve to the next.
   */
  class CholeskyFactorization
  {
  public:
    explicit CholeskyFactorization(const TrilinosWrappers::SparseMatrix &A)
    {
      cholmod_start(&common);
      // Simplicial for the small 2D matrices that are factorised once and
      // solved hundreds of times: its solve is about three times faster
      // than the supernodal one with the reference BLAS (measured at 861
      // rows). Supernodal for large ones, whose fill (3D) makes the dense
      // blocks worth it: it halves the factorisation at 35,937 rows.
      common.supernodal =
        (A.m() > 20000 ? CHOLMOD_SUPERNODAL : CHOLMOD_SIMPLICIAL);
      copy_lower_triangle(A);
      cholmod_sparse lower = view();
      factor               = cholmod_analyze(&lower, &common);
      factorize();
    }

    /**
     * Factorise @p A anew, which has the sparsity pattern of the matrix of
     * the constructor: the fill-reducing ordering and the symbolic analysis
     * are kept, and only the numeric factorisation runs. This is what a
     * Newton iteration, or a step of the adjoint, pays for a new Jacobian.
     * Returns false (and keeps nothing) if the pattern differs.
     */
    bool
    refactorize(const TrilinosWrappers::SparseMatrix &A)
    {
      std::vector<int> old_start, old_rows;
      old_start.swap(start);
      old_rows.swap(rows);
      copy_lower_triangle(A);
      if (start != old_start || rows != old_rows)
        return false;
      factorize();
      return true;
    }

    ~CholeskyFactorization()
    {
      cholmod_free_factor(&factor, &common);
      cholmod_free_dense(&solution, &common);
      cholmod_free_dense(&work_y, &common);
      cholmod_free_dense(&work_e, &common);
      cholmod_finish(&common);
    }

    /// False if CHOLMOD found the matrix not positive definite after all.
    bool
    succeeded() const
    {
      return positive_definite;
    }

    void
    solve(TrilinosWrappers::MPI::Vector       &x,
          const TrilinosWrappers::MPI::Vector &b)
    {
      cholmod_dense rhs;
      rhs.nrow  = b.locally_owned_size();
      rhs.ncol  = 1;
      rhs.nzmax = rhs.nrow;
      rhs.d     = rhs.nrow;
      rhs.x     = const_cast<double *>(b.begin());
      rhs.z     = nullptr;
      rhs.xtype = CHOLMOD_REAL;
      rhs.dtype = CHOLMOD_DOUBLE;
      cholmod_solve2(CHOLMOD_A,
                     factor,
                     &rhs,
                     nullptr,
                     &solution,
                     nullptr,
                     &work_y,
                     &work_e,
                     &common);
      AssertThrow(common.status == CHOLMOD_OK, ExcInternalError());
      const double *values = static_cast<const double *>(solution->x);
      std::copy(values, values + rhs.nrow, x.begin());
    }

  private:
    // The matrix is symmetric, so its lower triangle by columns is its
    // upper triangle by rows: row i, columns j ≥ i (sorted in csr).
    void
    copy_lower_triangle(const TrilinosWrappers::SparseMatrix &A)
    {
      LocalSparseMatrix csr;
      csr.reinit(A);
      AssertThrow(!csr.empty() && csr.m() == csr.n_columns &&
                    A.trilinos_matrix().RowMap().LinearMap(),
                  ExcInternalError());
      const int n = csr.m();
      start.assign(n + 1, 0);
      rows.clear();
      values.clear();
      for (int i = 0; i < n; ++i)
        {
          for (unsigned int e = csr.row_start[i]; e < csr.row_start[i + 1];
               ++e)
            if (const int j = csr.columns[e]; j >= i)
              {
                rows.push_back(j);
                values.push_back(csr.values[e]);
              }
          start[i + 1] = rows.size();
        }
    }

    cholmod_sparse
    view()
    {
      cholmod_sparse lower;
      lower.nrow   = start.size() - 1;
      lower.ncol   = start.size() - 1;
      lower.nzmax  = rows.size();
      lower.p      = start.data();
      lower.i      = rows.data();
      lower.nz     = nullptr;
      lower.x      = values.data();
      lower.z      = nullptr;
      lower.stype  = -1; // symmetric, lower triangle stored
      lower.itype  = CHOLMOD_INT;
      lower.xtype  = CHOLMOD_REAL;
      lower.dtype  = CHOLMOD_DOUBLE;
      lower.sorted = 1;
      lower.packed = 1;
      return lower;
    }

    void
    factorize()
    {
      cholmod_sparse lower = view();
      if (factor != nullptr)
        cholmod_factorize(&lower, factor, &common);
      positive_definite = factor != nullptr && common.status == CHOLMOD_OK &&
                          factor->minor == start.size() - 1;
    }

    std::vector<int>    start, rows;
    std::vector<double> values;
    cholmod_common      common;
    cholmod_factor     *factor            = nullptr;
    cholmod_dense  *solution          = nullptr;
    cholmod_dense  *work_y            = nullptr;
    cholmod_dense  *work_e            = nullptr;
    bool            positive_definite = false;
  };



  namespace
  {
    // The Amesos package of a direct solve: MUMPS on several ranks, KLU on
    // one.
    std::string
    direct_package(const TrilinosWrappers::SparseMatrix &A)
    {
      return Utilities::MPI::n_mpi_processes(A.get_mpi_communicator()) > 1 ?
               "Amesos_Mumps" :
               "Amesos_Klu";
    }



    // Amesos keeps a pointer to the matrix it factorised, and MUMPS's
    // clean-up reads it: when the caller's matrix is re-initialised on a
    // new mesh before the solver is replaced, that pointer dangles (a
    // segmentation fault on the second rank). So the direct solver
    // factorises a copy of its own. The copy is a base class listed before
    // SolverDirect: it is built before it and destroyed after it.
    struct MatrixCopy
    {
      TrilinosWrappers::SparseMatrix matrix;
    };

    class OwningSolverDirect : private MatrixCopy,
                               public TrilinosWrappers::SolverDirect
    {
    public:
      OwningSolverDirect(const TrilinosWrappers::SparseMatrix &A,
                         SolverControl                        &control)
        : MatrixCopy()
        , TrilinosWrappers::SolverDirect(
            control,
            TrilinosWrappers::SolverDirect::AdditionalData(false,
                                                           direct_package(A)))
      {
        MatrixCopy::matrix.copy_from(A);
        initialize(MatrixCopy::matrix);
      }
    };
  } // namespace



  namespace
  {
    // The InputError of a Krylov solve (by @p method) that did not converge.
    InputError
    no_convergence(const std::string                  &method,
                   const SolverControl::NoConvergence &e,
                   const double                        tolerance)
    {
      return InputError(
        "The linear solver (" + method + ") did not reach the tolerance " +
        std::to_string(tolerance) + " in " + std::to_string(e.last_step) +
        " iterations (residual " + std::to_string(e.last_residual) +
        "). Set 'State solver/Linear solver = direct', raise 'State "
        "solver/Maximum linear iterations', or use a smaller time step.");
    }
  } // namespace



  LinearSolver::LinearSolver(const LinearSolverParameters &parameters)
    : parameters(parameters)
    , chosen(parameters.type)
  {
  }



  LinearSolver::~LinearSolver() = default;



  void
  LinearSolver::initialize(const MatrixType       &matrix_,
                           const MatrixProperties &properties)
  {
    const bool spd           = properties.symmetric_positive_definite;
    const bool prefer_direct = properties.prefer_direct;
    matrix        = &matrix_;
    matrix_is_spd = spd;
    last_operator_solves = 0;
    chosen        = parameters.type;
    if (chosen == LinearSolverParameters::Type::automatic)
      chosen = (prefer_direct && matrix_.m() <= parameters.direct_limit ?
                  LinearSolverParameters::Type::direct :
                spd ? LinearSolverParameters::Type::cg :
                      LinearSolverParameters::Type::gmres);

    // A Cholesky factorisation of a matrix with the same pattern keeps its
    // ordering and symbolic analysis: only the numbers are factorised anew.
    direct.reset();
    if (chosen == LinearSolverParameters::Type::direct && spd &&
        properties.many_solves &&
        Utilities::MPI::n_mpi_processes(matrix_.get_mpi_communicator()) == 1)
      {
        if (!cholesky || !cholesky->refactorize(*matrix))
          cholesky = std::make_unique<CholeskyFactorization>(*matrix);
        if (!cholesky->succeeded())
          cholesky.reset(); // not positive definite after all: LU below
      }
    else
      cholesky.reset();
    // On several ranks, KLU would gather the matrix onto one rank and
    // factorise and solve there, serially: MUMPS factorises and solves
    // distributed, so that a second rank makes each solve faster.
    if (chosen == LinearSolverParameters::Type::direct && !cholesky)
      {
        direct = std::make_unique<OwningSolverDirect>(*matrix, direct_control);
      }
    else if (!cholesky)
      {
        TrilinosWrappers::PreconditionAMG::AdditionalData data;
        data.elliptic              = spd;
        data.higher_order_elements = properties.higher_order_elements;
        data.smoother_sweeps       = 2;
        data.aggregation_threshold = 0.02;
        amg.initialize(*matrix, data);
      }
  }



  unsigned int
  LinearSolver::solve(VectorType       &x,
                      const VectorType &b,
                      const double      tolerance)
  {
    Assert(matrix != nullptr, ExcMessage("initialize() first"));
    if (cholesky)
      {
        cholesky->solve(x, b);
        return 1;
      }
    x = 0.;
    if (chosen == LinearSolverParameters::Type::direct)
      {
        direct->solve(x, b);
        return 1;
      }

    SolverControl control(parameters.max_iterations, tolerance);
    try
      {
        if (chosen == LinearSolverParameters::Type::cg)
          {
            SolverCG<VectorType> cg(control);
            cg.solve(*matrix, x, b, amg);
          }
        else
          {
            // Right preconditioning, so that the tolerance applies to the
            // true residual and not to the preconditioned one.
            SolverGMRES<VectorType> gmres(
              control, SolverGMRES<VectorType>::AdditionalData(100, true));
            gmres.solve(*matrix, x, b, amg);
          }
      }
    catch (const SolverControl::NoConvergence &e)
      {
        throw no_convergence(method(), e, tolerance);
      }
    return control.last_step();
  }



  namespace
  {
    // deal.II's solvers ask their matrix and preconditioner for vmult():
    // this wraps an action (the operator, or the LinearSolver's own
    // preconditioner) as one.
    struct Action
    {
      LinearSolver::Operator apply;
      void
      vmult(LinearSolver::VectorType       &y,
            const LinearSolver::VectorType &x) const
      {
        apply(y, x);
      }
    };
  } // namespace



  // A factorisation of a nearby Jacobian contracts the error of CG by about
  // the relative distance of the two matrices per iteration: for
  // Allen–Cahn at the paper's step, kϑ|∂f/∂u − ∂f/∂u_frozen| is a few
  // per cent of the mass matrix, so that 1e-13 takes about ten iterations,
  // each one triangular solve and one product with the Jacobian, where a
  // new factorisation would have cost as much as twenty of them.
  unsigned int
  LinearSolver::solve(const Operator   &A,
                      VectorType       &x,
                      const VectorType &b,
                      const double      tolerance,
                      const bool        symmetric_positive_definite)
  {
    Assert(matrix != nullptr, ExcMessage("initialize() first"));
    x = 0.;
    const Action op{A};
    const Action preconditioner{[this](VectorType &y, const VectorType &r) {
      apply_preconditioner(y, r);
    }};
    SolverControl control(parameters.max_iterations, tolerance);
    try
      {
        if (symmetric_positive_definite && matrix_is_spd)
          {
            SolverCG<VectorType> cg(control);
            cg.solve(op, x, b, preconditioner);
          }
        else
          {
            SolverGMRES<VectorType> gmres(
              control, SolverGMRES<VectorType>::AdditionalData(100, true));
            gmres.solve(op, x, b, preconditioner);
          }
      }
    catch (const SolverControl::NoConvergence &e)
      {
        throw no_convergence(method(), e, tolerance);
      }
    last_operator_solves = control.last_step();
    return control.last_step();
  }



  bool
  LinearSolver::preconditioner_is_stale() const
  {
    return last_operator_solves > parameters.refresh_iterations;
  }



  void
  LinearSolver::apply_preconditioner(VectorType &x, const VectorType &b) const
  {
    if (cholesky)
      cholesky->solve(x, b);
    else if (direct)
      direct->solve(x, b);
    else
      amg.vmult(x, b);
  }



  bool
  LinearSolver::is_exact() const
  {
    return chosen == LinearSolverParameters::Type::direct;
  }



  std::string
  LinearSolver::method() const
  {
    switch (chosen)
      {
        case LinearSolverParameters::Type::cg:
          return "CG + AMG";
        case LinearSolverParameters::Type::gmres:
          return "GMRES + AMG";
        case LinearSolverParameters::Type::direct:
          return cholesky ? "direct (CHOLMOD Cholesky)" :
                 direct_package(*matrix) == "Amesos_Mumps" ? "direct (MUMPS)" :
                                                      "direct (Amesos KLU)";
        default:
          return "automatic";
      }
  }



} // namespace npde
