// ---------------------------------------------------------------------------
// npde: the parameters of subsection `State solver` (see
// state_solver_parameters.h).
// ---------------------------------------------------------------------------
#include <npde/input_check.h>
#include <npde/state_solver_parameters.h>

namespace npde
{
  void
  StateSolverParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("State solver");
    {
      prm.declare_entry("Finite element degree",
                        "1",
                        Patterns::Integer(1, 3),
                        "p of the continuous Q_p elements; the mapping is "
                        "MappingQ(p).");
      prm.declare_entry(
        "Source quadrature points",
        "0",
        Patterns::Integer(0, 10),
        "Points per direction of the quadrature Q_g at which the network "
        "source is evaluated; 0 means p+1.");
      prm.declare_entry(
        "Source quadrature rule",
        "gauss",
        Patterns::Selection("gauss|gauss-lobatto"),
        "gauss: Gauss points, inside the cells; with p+1 points exact for a "
        "source in Q_p times a test function on affine cells. "
        "gauss-lobatto: Gauss-Lobatto points, which include the cells' "
        "vertices, and a point that neighbouring cells share is evaluated "
        "once. With p+1 points they are the nodes of the Q_p element, so the "
        "network is evaluated at the mesh's nodes, as in finite-difference "
        "codes (for Q1 this lumps the source's mass matrix: not exact for a "
        "Q1 source, but of the order of the Q1 solution). It needs at least "
        "2 points per direction.");
      prm.declare_entry("Maximum Newton iterations",
                        "20",
                        Patterns::Integer(1),
                        "Newton's iteration limit per time step.");
      prm.declare_entry("Newton relative tolerance",
                        "1e-12",
                        Patterns::Double(0.),
                        "Newton stops when ‖R^n‖ <= max(relative tolerance "
                        "* ‖R^n(U^{n-1})‖, absolute tolerance); it starts "
                        "from the extrapolation 2U^{n-1} - U^{n-2}.");
      prm.declare_entry("Newton absolute tolerance",
                        "1e-14",
                        Patterns::Double(0.),
                        "The absolute floor of Newton's test: R^n at the "
                        "initial guess can already be tiny.");
      prm.declare_entry("Memory limit (MB)",
                        "8192",
                        Patterns::Double(0.),
                        "The trajectory U^0..U^K is kept in memory; a run "
                        "that would need more than this stops at start-up.");
      LinearSolverParameters::declare_parameters(prm);
    }
    prm.leave_subsection();
  }



  void
  StateSolverParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("State solver");
    {
      degree                   = prm.get_integer("Finite element degree");
      source_quadrature_points = prm.get_integer("Source quadrature points");
      source_gauss_lobatto =
        (prm.get("Source quadrature rule") == "gauss-lobatto");
      if (source_gauss_lobatto && source_quadrature_points == 1)
        throw InputError(
          "'State solver/Source quadrature points' = 1 does not work with "
          "'State solver/Source quadrature rule' = gauss-lobatto, whose "
          "points include both ends of each cell: set 2 or more (or 0 for "
          "p+1), or use the rule gauss.");
      max_newton_iterations     = prm.get_integer("Maximum Newton iterations");
      newton_relative_tolerance = prm.get_double("Newton relative tolerance");
      newton_absolute_tolerance = prm.get_double("Newton absolute tolerance");
      memory_limit_mb           = prm.get_double("Memory limit (MB)");
      linear_solver.parse_parameters(prm);
    }
    prm.leave_subsection();
  }
} // namespace npde
