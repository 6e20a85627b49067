// ---------------------------------------------------------------------------
// Trainable physical constants: the exact gradient (doc/design.md section
// 10).
//
// For each case, data from a reference simulation with the true constants
// (`Target data/True constants`), the constants starting elsewhere, and
// the network in the source as well:
// - the Taylor test in a random direction that moves the network and the
//   constants together (rates 2 and 1, ∇J·δθ against a central difference
//   to 1e-6), as tests/taylor does for the network alone;
// - dJ/dθ_j of each constant alone against a central difference of J to
//   1e-6 relative;
// - a log-scaled constant stays positive however far its θ_j goes.
// The cases put constants into each of a, b, f (and ∂f/∂u), s and q_N, on
// meshes with hanging nodes, with backward Euler and Crank–Nicolson. The
// program runs on 1 and on 2 MPI ranks.
// ---------------------------------------------------------------------------
#include <npde/field_data.h>
#include <npde/objective.h>
#include <npde/physical_constants.h>
#include <npde/taylor_test.h>

#include "tests.h"

#include <limits>

using namespace npde;



template <int dim>
void
run_case(const std::string &name,
         const std::string &text,
         const bool         hanging_nodes)
{
  testing::GradientCase<dim> setting(text + "subsection Network\n set Add to "
                                            "source = true\nend\n",
                                     hanging_nodes);
  auto                      &run     = setting.run;
  auto                      &problem = *run.problem;
  auto                      &target  = *setting.target;

  Network network(dim, 8, 1., "tanh");
  network.initialize_randomly(1., 1., 3);
  Objective<dim> objective(problem,
                           create_parametric_terms(ParametricTermContext<dim>{
                             run.prm, problem, network}),
                           target,
                           run.timer);
  objective.setup();
  const Vector<double> theta       = objective.parameters();
  const unsigned int   n_constants = problem.model.trainable_constants().size();
  testing::check(theta.size() == network.n_parameters() + n_constants,
                 name + ": theta holds the constants and the network");

  testing::check_taylor_test(objective, theta, name);

  // Each constant alone (its block comes last: the kinds are in the order
  // of their names, "network source" before "physical constants").
  for (unsigned int j = 0; j < n_constants; ++j)
    {
      Vector<double> direction(theta.size());
      direction[network.n_parameters() + j] = 1.;
      const TaylorTestResult result =
        taylor_test(objective, theta, direction, 1e-2, 1, 1e-4);
      const double error =
        std::abs(result.directional_derivative - result.central_difference) /
        std::abs(result.central_difference);
      // That entry is the constant's: moving it moves the model's value.
      const std::string &constant = problem.model.trainable_constants()[j];
      Vector<double>     moved    = theta;
      moved.add(0.1, direction);
      objective.set_parameters(moved);
      const double value_moved = problem.model.constant(constant);
      objective.set_parameters(theta);
      testing::check(error < 1e-6 &&
                       value_moved != problem.model.constant(constant),
                     name + ": dJ/dtheta of '" + constant +
                       "' equals a central difference to 1e-6 relative");
    }
}



int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  testing::print_ranks();

  const std::string d2   = "set Dimension = 2\n" + testing::unit_square_setting;
  const auto       &time = testing::theta_scheme;

  // a and s: a diffusion that varies in space, a source amplitude.
  run_case<2>("heat, D in a and A in s, backward Euler, hanging nodes",
              d2 + time(1.) + R"(
subsection Model
  set Constants = D=0.05, A=1
  set Trainable constants = D, A
  set Diffusion = D*(1+0.5*x)
  set Source = A*sin(pi*x)*y
end
subsection Target data
  set True constants = D=0.04, A=1.5
end
)",
              true);

  // b and q_N: advection and a Neumann flux on two sides of the square.
  run_case<2>("heat, c in b and q in q_N, Crank-Nicolson, hanging nodes",
              d2 + time(0.5) + R"(
subsection Domain
  set Generator arguments = 0 : 1 : true
end
subsection Model
  set Constants = c=0.5, q=0.2
  set Trainable constants = c, q
  set Advection = c; -0.5*c
  set Dirichlet boundary ids = 0, 2
  set Neumann flux = q*(1+x*y)
end
subsection Target data
  set True constants = c=1, q=0.1
end
)",
              true);

  // f and ∂f/∂u: the Allen–Cahn interface width, log-scaled.
  run_case<2>("Allen-Cahn, eps in f (log-scaled), Crank-Nicolson",
              d2 + testing::allen_cahn_dirichlet + time(0.5) + R"(
subsection Model
  set Constants = eps=0.5
  set Trainable constants = eps
  set Log-scaled constants = eps
end
subsection Target data
  set True constants = eps=0.4
end
)",
              false);

  // A small constant: the difference step is relative to p, so that
  // p − 2h stays positive under the square root.
  run_case<2>("heat, K = 1e-8 under a square root in a (log-scaled)",
              d2 + time(1.) + R"(
subsection Model
  set Constants = K=1e-8
  set Trainable constants = K
  set Log-scaled constants = K
  set Diffusion = 0.04 + sqrt(K)
end
subsection Target data
  set True constants = K=4e-8
end
)",
              false);

  // The Tikhonov term is λ/2 |θ|² over the network's weights only; and a
  // trial that fails (a(x) < 0) leaves nothing behind: J at the previous θ
  // is again what it was, bit for bit.
  {
    testing::GradientCase<2> setting(d2 + R"(
subsection Model
  set Constants = D=0.05
  set Trainable constants = D
  set Diffusion = D - 0.02
end
subsection Network
  set Add to source = true
end
)",
                                     false);
    auto                    &problem = *setting.run.problem;
    Network                  network(2, 8, 1., "tanh");
    network.initialize_randomly(1., 1., 3);
    ObjectiveParameters regularization;
    regularization.regularization = 0.1;
    Objective<2> objective(problem,
                           create_parametric_terms(ParametricTermContext<2>{
                             setting.run.prm, problem, network}),
                           *setting.target,
                           setting.run.timer,
                           regularization);
    objective.setup();
    Vector<double> theta = objective.parameters();
    const double   J     = objective.value(theta);
    const double   weights =
      network.parameters() * network.parameters(); // the network's block
    testing::check(std::abs(J - objective.data_misfit() - 0.05 * weights) <=
                     1e-12 * J,
                   "Tikhonov: J = misfit + lambda/2 |network weights|^2, the "
                   "constants not regularised");
    Vector<double> bad    = theta;
    bad[theta.size() - 1] = 0.2; // D = 0.01: a(x) = -0.01
    bool rejected         = false;
    try
      {
        objective.value(bad);
      }
    catch (const InputError &)
      {
        rejected = true;
      }
    testing::check(rejected && objective.value(theta) == J,
                   "a trial with a(x) < 0 is an error, and J at the "
                   "previous theta is the same after it");
  }

  // A log-scaled constant is exp(θ_j): positive for any θ_j.
  {
    testing::Forward<2> run(d2 + R"(
subsection Model
  set Constants = D=0.05
  set Trainable constants = D
  set Log-scaled constants = D
  set Diffusion = D
end
)");
    run.problem->setup();
    PhysicalConstants<2> constants(*run.problem);
    Vector<double>       theta(1);
    theta[0] = -30.;
    constants.set_parameters(theta);
    testing::check(constants.reported_values()[0].second > 0. &&
                     run.problem->model.constant("D") ==
                       constants.reported_values()[0].second,
                   "a log-scaled constant at theta = -30 is positive (" +
                     std::to_string(constants.reported_values()[0].second >
                                    0.) +
                     ")");
  }
  return Utilities::MPI::broadcast(MPI_COMM_WORLD, testing::exit_code(), 0);
}
