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
//   build/benchmarks/state_solver_benchmark [linear solver]
// ---------------------------------------------------------------------------
#include "tests.h"

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
  return 0;
}
