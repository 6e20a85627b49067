// ---------------------------------------------------------------------------
// The exact gradient: Taylor tests, finite differences, duality.
//
// For each case (heat and Allen–Cahn; ϑ = 1 and 1/2; Q1 and Q2; a mesh with
// hanging nodes; advection; 3D; the network at the Gauss–Lobatto nodes, where
// neighbouring cells share points) with data from a reference simulation driven
// by a known g*, and a random direction δθ:
// - |J(θ+εδθ) − J(θ)| must shrink with rate 1 and
//   |J(θ+εδθ) − J(θ) − ε∇J·δθ| with rate 2 (each rate within [1.9, 2.1],
//   resp. [0.9, 1.1]) over 5 halvings of ε;
// - ∇J·δθ must equal a central difference of J to 1e-6 relative.
// The program runs on 1 and on 2 MPI ranks (taylor.mpirun=2.output).
// ---------------------------------------------------------------------------
#include <npde/field_data.h>
#include <npde/objective.h>

#include "tests.h"

#include <limits>

using namespace npde;


const std::string &allen_cahn = testing::allen_cahn_dirichlet;



template <int dim>
void
run_case(const std::string &name,
         const std::string &text,
         const bool         hanging_nodes)
{
  testing::GradientCase<dim> setting(text, hanging_nodes);
  auto                      &problem = *setting.run.problem;

  Network network(dim, 8, 1., "tanh");
  network.initialize_randomly(1., 1., 3);
  Objective<dim> objective(problem,
                           network,
                           *setting.target,
                           setting.run.timer);
  objective.setup();

  testing::check_taylor_test(objective, network.parameters(), name);
}



int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  testing::print_ranks();

  const std::string d2   = "set Dimension = 2\n" + testing::unit_square_setting;
  const auto       &time = testing::theta_scheme;
  const auto        degree = [](const unsigned int p) {
    return "subsection State solver\n set Finite element degree = " +
           std::to_string(p) + "\nend\n";
  };

  run_case<2>("heat, backward Euler, Q1", d2 + time(1.), false);
  run_case<2>("heat, Crank-Nicolson, Q1, hanging nodes", d2 + time(0.5), true);
  run_case<2>("heat, Crank-Nicolson, Q2", d2 + time(0.5) + degree(2), false);
  run_case<2>("Allen-Cahn, backward Euler, Q1, hanging nodes",
              d2 + allen_cahn + time(1.),
              true);
  run_case<2>("Allen-Cahn, Crank-Nicolson, Q2",
              d2 + allen_cahn + time(0.5) + degree(2),
              false);
  run_case<2>("Allen-Cahn, Crank-Nicolson, Q2, hanging nodes, network at "
              "the Gauss-Lobatto nodes",
              d2 + allen_cahn + time(0.5) +
                "subsection State solver\n set Finite element degree = 2\n"
                " set Source quadrature rule = gauss-lobatto\nend\n",
              true);
  run_case<2>("heat with advection, Crank-Nicolson, Q1, hanging nodes",
              d2 + time(0.5) +
                "subsection Model\n set Advection = 1; -0.5\nend\n",
              true);
  run_case<3>("3D heat, Crank-Nicolson, Q1",
              "set Dimension = 3\n" + testing::unit_square_setting + time(0.5) +
                "subsection Domain\n set Global refinements = 2\nend\n"
                "subsection Model\n set Initial value = "
                "0.3*sin(pi*x)*sin(pi*y)*z\nend\n",
              false);
  return Utilities::MPI::broadcast(MPI_COMM_WORLD, testing::exit_code(), 0);
}
