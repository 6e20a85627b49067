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
      "rank when one symmetric positive definite matrix serves all steps, "
      "Amesos KLU otherwise) when one matrix "
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
      LocalSparseMatrix csr;
      csr.reinit(A);
      AssertThrow(!csr.empty() && csr.m() == csr.n_columns &&
                    A.trilinos_matrix().RowMap().LinearMap(),
                  ExcInternalError());
      const int n = csr.m();

      // The matrix is symmetric, so its lower triangle by columns is its
      // upper triangle by rows: row i, columns j ≥ i (sorted in csr).
      std::vector<int>    start(n + 1, 0), rows;
      std::vector<double> values;
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
      cholmod_sparse lower;
      lower.nrow   = n;
      lower.ncol   = n;
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

      // Simplicial: for the small 2D matrices that are factorised once and
      // solved hundreds of times, its solve is about three times faster than
      // the supernodal one with the reference BLAS (measured at 861 rows).
      common.supernodal = CHOLMOD_SIMPLICIAL;
      factor            = cholmod_analyze(&lower, &common);
      if (factor != nullptr)
        cholmod_factorize(&lower, factor, &common);
      positive_definite = factor != nullptr && common.status == CHOLMOD_OK &&
                          factor->minor == static_cast<size_t>(n);
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
    cholmod_common  common;
    cholmod_factor *factor            = nullptr;
    cholmod_dense  *solution          = nullptr;
    cholmod_dense  *work_y            = nullptr;
    cholmod_dense  *work_e            = nullptr;
    bool            positive_definite = false;
  };



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
    matrix = &matrix_;
    chosen = parameters.type;
    if (chosen == LinearSolverParameters::Type::automatic)
      chosen = (prefer_direct && matrix_.m() <= parameters.direct_limit ?
                  LinearSolverParameters::Type::direct :
                spd ? LinearSolverParameters::Type::cg :
                      LinearSolverParameters::Type::gmres);

    cholesky.reset();
    direct.reset();
    if (chosen == LinearSolverParameters::Type::direct && spd &&
        properties.many_solves &&
        Utilities::MPI::n_mpi_processes(matrix_.get_mpi_communicator()) == 1)
      {
        cholesky = std::make_unique<CholeskyFactorization>(*matrix);
        if (!cholesky->succeeded())
          cholesky.reset(); // not positive definite after all: LU below
      }
    if (chosen == LinearSolverParameters::Type::direct && !cholesky)
      {
        direct = std::make_unique<TrilinosWrappers::SolverDirect>(
          direct_control,
          TrilinosWrappers::SolverDirect::AdditionalData(false, "Amesos_Klu"));
        direct->initialize(*matrix);
      }
    else
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
        throw InputError(
          "The linear solver (" + method() + ") did not reach the tolerance " +
          std::to_string(tolerance) + " in " + std::to_string(e.last_step) +
          " iterations (residual " + std::to_string(e.last_residual) +
          "). Set 'State solver/Linear solver = direct', raise 'State "
          "solver/Maximum linear iterations', or use a smaller time step.");
      }
    return control.last_step();
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
          return cholesky ? "direct (CHOLMOD Cholesky)" : "direct (Amesos KLU)";
        default:
          return "automatic";
      }
  }



} // namespace npde
