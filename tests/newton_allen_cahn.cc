// ---------------------------------------------------------------------------
// Newton's method on an Allen–Cahn-type manufactured problem.
//
// f(u) = (u³ − u)/ε² with ε = 0.3 and a step k = 0.1, so that
// kϑ·max(−∂f/∂u) = 1.1 > 1: the Jacobian is indefinite somewhere and the
// automatic linear solver must pick GMRES. The test prints Newton's residual
// history of every step and checks
// - quadratic convergence: the order log(r_{k+1}/r_k)/log(r_k/r_{k−1}) is at
//   least 1.8 wherever r_{k+1} is well above the linear-solver floor (and
//   is not the last residual, which the last linear solve's tolerance
//   sets: Newton's inner solves are inexact, NewtonSolver);
// - that the discrete solution is close to the manufactured one (the error
//   is the spatial plus temporal discretisation error, ~1e-2 here).
// ---------------------------------------------------------------------------
#include "tests.h"

using namespace npde;

int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);

  const std::string   u  = "2*(1+t)*sin(pi*x)*sin(pi*y)";
  const std::string   ut = "2*sin(pi*x)*sin(pi*y)";
  testing::Forward<2> run(R"(
set Dimension = 2
subsection Domain
  set Generator name = hyper_cube
  set Generator arguments = 0 : 1 : false
  set Global refinements = 5
end
subsection Model
  set Constants = eps=0.3
  set Reaction = (u^3 - u)/eps^2
  set Reaction derivative = (3*u^2 - 1)/eps^2
  set Source = )" + ut + " + 2*pi^2*" +
                          u + " + ((" + u + ")^3 - (" + u +
                          R"())/eps^2
  set Initial value = )" + u +
                          R"(
  set Dirichlet value = 0
end
subsection Time
  set End time = 0.5
  set Number of steps = 5
end
subsection State solver
  # No factorisation, so that the automatic choice is between the iterative
  # solvers.
  set Direct solver size limit = 0
end
)");
  run.problem->setup();
  run.problem->state.solve();
  const auto &stats = run.problem->state.statistics();

  unsigned int n_orders  = 0;
  double       min_order = 1e10;
  for (unsigned int n = 0; n < stats.newton_residuals.size(); ++n)
    {
      const std::vector<double> &r = stats.newton_residuals[n];
      std::cout << "step " << n + 1 << ": " << r.size() - 1
                << " Newton iterations, r_k/r_0 =";
      for (const double x : r)
        std::cout << ' ' << std::scientific << std::setprecision(1) << x / r[0];
      std::cout << std::defaultfloat << std::endl;
      // The last residual is the floor the last linear solve was given
      // (a tenth of Newton's target), not Newton's: it is left out.
      for (unsigned int k = 1; k + 2 < r.size(); ++k)
        if (r[k + 1] > 1e-10 * r[0])
          {
            const double order =
              std::log(r[k + 1] / r[k]) / std::log(r[k] / r[k - 1]);
            min_order = std::min(min_order, order);
            ++n_orders;
          }
    }
  testing::check(stats.linear_solver_method == "GMRES + AMG",
                 "the automatic linear solver picked GMRES + AMG for the "
                 "indefinite Jacobian");
  testing::check(n_orders >= 3,
                 "at least 3 Newton iterations above the round-off floor");
  testing::check(min_order >= 1.8,
                 "Newton converges quadratically (smallest measured order " +
                   testing::rounded(min_order, 1) + " >= 1.8)");

  ExpressionFunction<2> exact(
    Expression("exact solution", u, {"x", "y", "t"}, {{"pi", numbers::PI}}));
  const double error = run.problem->state.l2_error(5, exact);
  testing::check(error < 0.05,
                 "L2 error at T against the manufactured solution is below "
                 "0.05");
  return testing::exit_code();
}
