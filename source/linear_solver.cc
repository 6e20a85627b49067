// ---------------------------------------------------------------------------
// npde: the linear solver for Newton's Jacobian.
// ---------------------------------------------------------------------------
#include <deal.II/lac/solver_cg.h>
#include <deal.II/lac/solver_gmres.h>

#include <npde/expression.h>
#include <npde/linear_solver.h>

namespace npde
{
  void
  LinearSolverParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.declare_entry(
      "Linear solver",
      "automatic",
      Patterns::Selection("automatic|cg|gmres|direct"),
      "automatic: a sparse direct factorisation (Amesos KLU) when one matrix "
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



  LinearSolver::LinearSolver(const LinearSolverParameters &parameters)
    : parameters(parameters)
    , chosen(parameters.type)
  {
  }



  void
  LinearSolver::initialize(const MatrixType &matrix_,
                           const bool        spd,
                           const bool        higher_order,
                           const bool        prefer_direct)
  {
    matrix = &matrix_;
    chosen = parameters.type;
    if (chosen == LinearSolverParameters::Type::automatic)
      chosen = (prefer_direct && matrix_.m() <= parameters.direct_limit ?
                  LinearSolverParameters::Type::direct :
                spd ? LinearSolverParameters::Type::cg :
                      LinearSolverParameters::Type::gmres);

    if (chosen == LinearSolverParameters::Type::direct)
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
        data.higher_order_elements = higher_order;
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
          return "direct (Amesos KLU)";
        default:
          return "automatic";
      }
  }



} // namespace npde
