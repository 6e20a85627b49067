// ---------------------------------------------------------------------------
// Benchmark of one exact gradient (issue: the discrete adjoint).
//
// The reference paper's heat and Allen–Cahn settings (Q1, 20×40 cells, 64
// steps, data from a reference simulation with g*) and a finer mesh
// (40×80), with a network of N = 100 tanh neurons. One run prints, for each:
// the time of the network's forward pass, of the forward sweep, of the
// adjoint sweep and of the network's backward pass; the linear solves of each
// sweep; and the ratios adjoint/forward and
// (forward + adjoint + network backward)/(forward incl. network evaluation).
//
//   build/benchmarks/gradient_benchmark [linear solver]
// ---------------------------------------------------------------------------
#include <deal.II/base/multithread_info.h>

#include <npde/field_data.h>
#include <npde/objective.h>

#include "tests.h"

using namespace npde;


int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  const std::string                solver = (argc > 1 ? argv[1] : "automatic");

  const std::string paper      = testing::paper_setting(solver);
  const std::string allen_cahn = testing::paper_allen_cahn;

  std::cout << "One gradient: forward sweep, adjoint sweep, network passes "
               "(N = 100, tanh), 64 steps, Q1, 1 rank, 1 thread, linear "
               "solver '"
            << solver << "'; best of 3\n\n"
            << std::left << std::setw(12) << "problem" << std::setw(8) << "dofs"
            << std::setw(11) << "net fwd" << std::setw(11) << "forward"
            << std::setw(11) << "adjoint" << std::setw(11) << "net bwd"
            << std::setw(11) << "solves F" << std::setw(11) << "solves A"
            << std::setw(13) << "adj/forward"
            << "gradient/forward" << std::endl;

  for (const bool nonlinear : {false, true})
    for (const unsigned int refinement : {0, 1})
      {
        testing::Forward<2> run(
          paper + (nonlinear ? allen_cahn : "") +
          "subsection Domain\n set Global refinements = " +
          std::to_string(refinement) + "\nend\n");
        auto &problem = *run.problem;
        problem.setup();
        TargetDataParameters target_parameters;
        target_parameters.parse_parameters(run.prm);
        FieldData<2> target(target_parameters, problem, run.timer, run.pcout);
        target.setup();
        Network network(2, 100, 1., "tanh");
        network.initialize_randomly(1., 1., 1);
        AdjointSolver<2> adjoint(problem.state, run.timer);
        adjoint.setup();

        std::vector<Vector<double>>             g, weights;
        std::vector<StateSolver<2>::VectorType> r;
        Vector<double> gradient(network.n_parameters());
        const auto    &times  = problem.state.time_grid().times();
        const auto    &points = problem.state.source_operators().coordinates();

        const double t_net_fwd =
          testing::best_time(3, [&]() { network.evaluate(times, points, g); });
        const double t_forward =
          testing::best_time(3, [&]() { problem.state.solve(&g); });
        const unsigned int solves_forward =
          problem.state.statistics().n_linear_solves;
        target.value(&r);
        const unsigned int solves_before = adjoint.n_linear_solves();
        const double       t_adjoint =
          testing::best_time(3, [&]() { adjoint.solve(r); });
        const unsigned int solves_adjoint =
          (adjoint.n_linear_solves() - solves_before) / 3;
        const double t_net_bwd = testing::best_time(3, [&]() {
          adjoint.source_weights(weights);
          network.add_weighted_gradient(times, points, weights, gradient);
        });

        std::cout << std::setw(12) << (nonlinear ? "Allen-Cahn" : "heat")
                  << std::setw(8)
                  << problem.state.discretization().dof_handler().n_dofs()
                  << std::scientific << std::setprecision(2) << std::setw(11)
                  << t_net_fwd << std::setw(11) << t_forward << std::setw(11)
                  << t_adjoint << std::setw(11) << t_net_bwd
                  << std::defaultfloat << std::setw(11) << solves_forward
                  << std::setw(11) << solves_adjoint << std::setw(13)
                  << testing::rounded(t_adjoint / t_forward)
                  << testing::rounded((t_forward + t_adjoint + t_net_bwd) /
                                      (t_forward + t_net_fwd))
                  << std::endl;
      }
  return 0;
}
