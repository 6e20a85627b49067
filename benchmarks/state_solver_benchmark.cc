// ---------------------------------------------------------------------------
// Benchmark of the forward sweep (issue: foundation).
//
// The heat and Allen–Cahn problems of the reference paper (D = (0,0.5)×(0,1),
// 64 steps, Q1) on the paper's 20×40 mesh and on two finer ones. For each it
// prints seconds per time step, Newton iterations per step, how often the
// Jacobian was assembled and the linear solver set up, and the shares of the
// sweep's time taken by assembling Jacobians and by setting up the linear
// solver (factorisation or AMG); the rest is the steps themselves: residuals
// and linear solves. For the heat equation, the matrix and the
// preconditioner must be built once.
//
// Last, the cost of the reaction term's formula itself: muparser's
// evaluation of the paper's f = (u³ − u)/ε² at the 3200 quadrature points
// of a level of the 20×40 mesh, and the least time per training iteration
// it implies. Every step of a sweep evaluates f or ∂f/∂u at all points at
// least three times (f at Newton's initial guess, ∂f/∂u for J^n, f at the
// converged U^n for Newton's test), so that 64 steps take at least
// 3 · 64 · 3200 evaluations per training iteration, whatever else is
// done: the floor that any speed target for Allen–Cahn has to clear
// (doc/results.md).
//
//   build/benchmarks/state_solver_benchmark [linear solver]
// ---------------------------------------------------------------------------
#include <npde/expression.h>

#include "tests.h"

#include <algorithm>
#include <vector>

using namespace npde;

int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  const std::string                solver = (argc > 1 ? argv[1] : "automatic");
  ConditionalOStream               pcout(std::cout,
                           Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) ==
                             0);

  // The paper's setting with g* as the known source (a forward run only).
  const std::string paper =
    testing::paper_setting(solver) +
    "subsection Model\n set Source = " + testing::paper_source + "\nend\n";
  const std::string allen_cahn = testing::paper_allen_cahn;

  pcout << "Forward sweep, 64 steps, Q1, linear solver '" << solver << "', "
        << Utilities::MPI::n_mpi_processes(MPI_COMM_WORLD) << " rank(s)\n\n"
        << std::left << std::setw(12) << "problem" << std::setw(10) << "cells"
        << std::setw(9) << "dofs" << std::setw(12) << "s/step" << std::setw(13)
        << "Newton/step" << std::setw(11) << "J builds" << std::setw(14)
        << "solver setups" << std::setw(11) << "J assembly" << std::setw(9)
        << "setup" << std::setw(9) << "steps"
        << "method" << std::endl;

  for (const bool nonlinear : {false, true})
    for (const unsigned int refinement : {0, 1, 2})
      {
        testing::Forward<2> run(
          paper + (nonlinear ? allen_cahn : "") +
          "subsection Domain\n set Global refinements = " +
          std::to_string(refinement) + "\nend\n");
        run.problem->setup();
        run.timer.reset();
        Timer wall;
        run.problem->state.solve();
        wall.stop();

        const auto &stats  = run.problem->state.statistics();
        double      newton = 0;
        for (const unsigned int i : stats.newton_iterations)
          newton += i;
        newton /= stats.newton_iterations.size();
        auto times = run.timer.get_summary_data(TimerOutput::total_wall_time);
        const double total = wall.wall_time();
        const auto   share = [&](const std::string &section) {
          return testing::rounded(100. * times[section] / total, 0) + "%";
        };
        pcout << std::setw(12) << (nonlinear ? "Allen-Cahn" : "heat")
              << std::setw(10)
              << run.problem->domain.triangulation().n_global_active_cells()
              << std::setw(9)
              << run.problem->state.discretization().dof_handler().n_dofs()
              << std::setw(12) << std::scientific << std::setprecision(2)
              << total / 64 << std::defaultfloat << std::setw(13)
              << testing::rounded(newton, 2) << std::setw(11)
              << stats.n_jacobian_assemblies << std::setw(14)
              << stats.n_solver_setups << std::setw(11)
              << share("state: Jacobian assembly") << std::setw(9)
              << share("state: linear solver setup") << std::setw(9)
              << testing::rounded(100. *
                                    (total - times["state: Jacobian assembly"] -
                                     times["state: linear solver setup"]) /
                                    total,
                                  0) +
                   "%"
              << stats.linear_solver_method << ", "
              << testing::rounded(double(stats.n_linear_iterations) /
                                    stats.n_linear_solves,
                                  1)
              << " it/solve" << std::endl;
      }

  // f through muparser at the points of one level, u varying from point to
  // point as in a sweep; the median of 21 repetitions of 20 levels.
  const Expression f("Model/Reaction",
                     "(u^3 - u)/eps^2",
                     {"x", "y", "t", "u"},
                     {{"eps", 0.32}});
  const unsigned int  n_points = 3200;
  std::vector<double> seconds;
  double              checksum = 0;
  for (unsigned int repetition = 0; repetition < 21; ++repetition)
    {
      Timer timer;
      for (unsigned int level = 0; level < 20; ++level)
        for (unsigned int q = 0; q < n_points; ++q)
          {
            const double xytu[4] = {0.25, 0.5, 0.1, 1e-4 * q + 1e-3 * level};
            checksum += f(xytu);
          }
      seconds.push_back(timer.wall_time() / (20. * n_points));
    }
  std::sort(seconds.begin(), seconds.end());
  const double per_point = seconds[seconds.size() / 2];
  pcout << "\nThe reaction f = (u^3 - u)/eps^2 through muparser: "
        << testing::rounded(1e9 * per_point, 1) << " ns per point, "
        << testing::rounded(1e6 * per_point * n_points, 1)
        << " us per level of " << n_points
        << " points;\nat least 3 evaluations per step, 64 steps: "
        << testing::rounded(1e3 * 3 * 64 * n_points * per_point, 1)
        << " ms per training iteration (checksum " << checksum << ")"
        << std::endl;
  return 0;
}
