// ---------------------------------------------------------------------------
// Benchmark of the observation misfit (issue: observations).
//
// On the reference paper's heat setting (Q1, 20×40 cells, 861 dofs, 64
// steps) with a network of N = 100, for M = 10², 10⁴ and 10⁶ measurements
// at random points and times:
// - set-up: locating the points and building the interval evaluations
//   (Observations::setup, what a mesh change costs), against one forward
//   sweep of a training iteration (with the network's source);
// - cost: one evaluation of J_obs with r^n (local_value with r, what a
//   training iteration spends on the misfit), against one training
//   iteration (J and ∇J: forward, adjoint, network passes).
// Each figure is the best of 5 runs. The target: for M = 10⁴ the misfit
// costs at most 10 % of an iteration and its set-up at most a forward
// sweep.
//
//   build/benchmarks/observation_benchmark [M ...]
// ---------------------------------------------------------------------------
#include <npde/observations.h>

#include "tests.h"

#include <fstream>
#include <random>

using namespace npde;

int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  std::cout << "The observation misfit on the paper's heat setting (861 "
               "dofs, 64 steps, N = 100), 1 rank, 1 thread; best of 5\n\n"
            << std::left << std::setw(10) << "M" << std::setw(13) << "set-up"
            << std::setw(15) << "forward sweep" << std::setw(11) << "ratio"
            << std::setw(14) << "misfit + r" << std::setw(12) << "iteration"
            << "share" << std::endl;
  // Optionally only some of the sizes, e.g. for a profiler.
  std::vector<unsigned int> sizes = {100u, 10000u, 1000000u};
  if (argc > 1)
    {
      sizes.clear();
      for (int a = 1; a < argc; ++a)
        sizes.push_back(std::stoul(argv[a]));
    }
  for (const unsigned int M : sizes)
    {
      const std::string file = "observation_benchmark.csv";
      {
        std::mt19937                           gen(1);
        std::uniform_real_distribution<double> x(0., 0.5), y(0., 1.), t(0., 1.);
        std::ofstream                          out(file);
        out << std::setprecision(17) << "t,x,y,value\n";
        for (unsigned int k = 0; k < M; ++k)
          out << t(gen) << ',' << x(gen) << ',' << y(gen) << ",0.01\n";
      }
      testing::Forward<2> run(testing::paper_setting() +
                              "subsection Target data\n set Source = "
                              "observations\n set Observation file = " +
                              file + "\nend\n");
      auto               &problem = *run.problem;
      problem.setup();
      Observations<2> misfit(parsed<ObservationParameters>(run.prm),
                             problem,
                             run.timer,
                             run.pcout);
      Network         network(2, 100, 2. / 3., "tanh");
      network.initialize_randomly(1., 1., 1);
      Objective<2> objective(problem, network, misfit, run.timer);
      const double setup = testing::best_time(5, [&]() { misfit.setup(); });
      objective.setup();
      const Vector<double> theta = network.parameters();
      Vector<double>       gradient;
      const double         iteration = testing::best_time(5, [&]() {
        objective.value_and_gradient(theta, gradient);
      });
      // A training iteration's forward sweep: with the network's source at
      // the source points of every level (G^n = B g^n).
      std::vector<Vector<double>> g_values;
      network.evaluate(problem.state.time_grid().times(),
                       problem.state.source_operators().coordinates(),
                       g_values);
      const double sweep =
        testing::best_time(5, [&]() { problem.state.solve(&g_values); });
      std::vector<StateSolver<2>::VectorType> r(
        problem.state.time_grid().n_steps() + 1,
        problem.state.discretization().new_vector());
      const double cost =
        testing::best_time(5, [&]() { misfit.local_value(&r, {}); });
      std::cout << std::setw(10) << M << std::scientific << std::setprecision(2)
                << std::setw(13) << setup << std::setw(15) << sweep
                << std::defaultfloat << std::setprecision(3) << std::setw(11)
                << setup / sweep << std::scientific << std::setprecision(2)
                << std::setw(14) << cost << std::setw(12) << iteration
                << std::defaultfloat << std::setprecision(3)
                << 100. * cost / iteration << " %" << std::endl;
    }
}
