// ---------------------------------------------------------------------------
// npde: the parameters of subsection `State solver`: the finite element,
// the quadrature of the network source, Newton's tolerances, the memory
// limit of the trajectory and the linear solver's entries.
// ---------------------------------------------------------------------------
#ifndef npde_state_solver_parameters_h
#define npde_state_solver_parameters_h

#include <deal.II/base/parameter_handler.h>

#include <npde/linear_solver.h>

namespace npde
{
  using namespace dealii;

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
} // namespace npde

#endif
