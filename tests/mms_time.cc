// ---------------------------------------------------------------------------
// Temporal convergence of the θ-scheme.
//
// u = cos(2t)·(x + 2y + xy) lies in the Q1 space at every time and is
// harmonic, so the Galerkin solution is exactly g_n·ψ with g_n from the
// θ-scheme applied to g' = −2 sin(2t): the only error left is the time
// error. Backward Euler (ϑ = 1) must converge with rate 1, Crank–Nicolson
// (ϑ = 1/2) with rate 2, each within ±0.15.
// ---------------------------------------------------------------------------
#include "tests.h"

using namespace npde;

int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);

  const std::string u       = "cos(2*t)*(x + 2*y + x*y)";
  const std::string problem = R"(
set Dimension = 2
subsection Domain
  set Generator name = hyper_cube
  set Generator arguments = 0 : 1 : false
  set Global refinements = 2
end
subsection Model
  set Source = -2*sin(2*t)*(x + 2*y + x*y)
  set Dirichlet value = )" + u +
                              R"(
  set Initial value = )" + u + R"(
end
subsection Time
  set End time = 1
end
)";

  for (const double theta : {1., 0.5})
    {
      const std::string name =
        (theta == 1. ? "backward Euler" : "Crank-Nicolson");
      std::vector<double>             errors;
      const std::vector<unsigned int> steps = {16, 32, 64, 128};
      for (const unsigned int K : steps)
        {
          testing::Forward<2> run(
            problem + "subsection Time\n set Theta = " + std::to_string(theta) +
            "\n set Number of steps = " + std::to_string(K) + "\nend\n");
          run.problem->setup();
          run.problem->state.solve();
          ExpressionFunction<2> exact(
            Expression("exact solution", u, {"x", "y", "t"}, {}));
          errors.push_back(run.problem->state.l2_error(K, exact));
          std::cout << name << ": K = " << K << ", L2 error " << std::scientific
                    << std::setprecision(2) << errors.back()
                    << std::defaultfloat << std::endl;
        }
      for (unsigned int i = 1; i < errors.size(); ++i)
        testing::check_rate(testing::rate(errors[i - 1], errors[i]),
                            theta == 1. ? 1. : 2.,
                            0.15,
                            name + ", K = " + std::to_string(steps[i - 1]) +
                              " -> " + std::to_string(steps[i]));
    }
  return testing::exit_code();
}
