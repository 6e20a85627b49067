// ---------------------------------------------------------------------------
// The gradient on 2 ranks and on 1, and the discrete duality identity.
//
// The heat equation (Crank–Nicolson, direct solver) on a mesh with hanging
// nodes, with data from a reference simulation on a finer mesh and a finer
// time grid (evaluated at the training points by RemotePointEvaluation) plus
// 2% noise. Checked:
// - J and ∇J on 2 ranks equal J and ∇J on 1 rank to 1e-10 relative (the
//   noise is a function of the point, not of the partition);
// - duality: for a direction δθ in the c block (g is linear in c, so
//   δg = g with c replaced by δc exactly), the tangent-linear trajectory δU
//   (the forward problem with zero initial and boundary values and source δg)
//   satisfies Σ_n ⟨r^n, δU^n⟩ = ∇J·δθ to 1e-12 relative.
// ---------------------------------------------------------------------------
#include <npde/field_data.h>
#include <npde/objective.h>

#include "tests.h"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>

using namespace npde;

const std::string problem_text = testing::small_heat_problem() + R"(
subsection Time
  set End time = 0.5
  set Theta = 0.5
end
subsection State solver
  set Linear solver = direct
end
subsection Target data
  set Reference extra refinements = 1
  set Reference time refinement = 2
  set Noise level = 0.02
end
)";

// A forward problem on the locally refined mesh.
struct Setup
{
  Setup(const std::string &text, const MPI_Comm comm)
    : run(text, comm)
  {
    testing::setup_with_hanging_nodes(*run.problem, 0.2);
  }
  testing::Forward<2> run;
};



// J and ∇J at the network's initial θ; with a tangent-linear check if asked.
std::pair<double, Vector<double>>
gradient(const MPI_Comm comm, const bool check_duality)
{
  Setup                setup(problem_text, comm);
  auto                &problem = *setup.run.problem;
  TargetDataParameters target_parameters;
  target_parameters.parse_parameters(setup.run.prm);
  FieldData<2> target(target_parameters,
                      problem,
                      setup.run.timer,
                      setup.run.pcout);
  target.setup();

  Network network(2, 20, 1., "tanh");
  network.initialize_randomly(1., 1., 5);
  Objective<2> objective(problem, network, target, setup.run.timer);
  objective.setup();
  const Vector<double> theta = network.parameters();
  Vector<double>       grad;
  const double         J = objective.value_and_gradient(theta, grad);

  if (check_duality)
    {
      // δθ in the c block only.
      Vector<double>                             direction(theta.size());
      boost::random::mt19937                     gen(11);
      boost::random::normal_distribution<double> normal;
      for (unsigned int i = 0; i < network.n_neurons(); ++i)
        direction[i] = normal(gen);

      // δg: the network with c replaced by δc.
      Network        dg_network = network;
      Vector<double> dg_theta   = network.parameters();
      for (unsigned int i = 0; i < network.n_neurons(); ++i)
        dg_theta[i] = direction[i];
      dg_network.set_parameters(dg_theta);
      std::vector<Vector<double>> dg;
      dg_network.evaluate(problem.state.time_grid().times(),
                          problem.state.source_operators().coordinates(),
                          dg);

      // δU: the same forward problem, homogeneous, driven by δg.
      Setup tangent(problem_text + R"(
subsection Model
  set Initial value = 0
  set Dirichlet value = 0
  set Source = 0
end
)",
                    comm);
      tangent.run.problem->state.solve(&dg);

      std::vector<StateSolver<2>::VectorType> r;
      target.value(&r);
      double pairing = 0;
      for (unsigned int n = 0; n <= problem.state.time_grid().n_steps(); ++n)
        pairing += r[n] * tangent.run.problem->state.state(n);
      const double derivative = grad * direction;
      const double rel = std::abs(pairing - derivative) / std::abs(derivative);
      testing::check(rel < 1e-12,
                     "duality: sum_n <r^n, dU^n> equals grad J . dtheta to "
                     "1e-12 relative");
    }
  return {J, grad};
}



int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  const unsigned int rank = Utilities::MPI::this_mpi_process(MPI_COMM_WORLD);

  const auto parallel = gradient(MPI_COMM_WORLD, true);

  MPI_Comm self;
  MPI_Comm_split(MPI_COMM_WORLD, rank == 0 ? 0 : MPI_UNDEFINED, 0, &self);
  if (rank == 0)
    {
      const auto serial = gradient(self, false);
      MPI_Comm_free(&self);
      Vector<double> d = parallel.second;
      d -= serial.second;
      std::cout << "ranks: " << Utilities::MPI::n_mpi_processes(MPI_COMM_WORLD)
                << ", J = " << std::setprecision(6) << parallel.first
                << std::endl;
      testing::check(std::abs(parallel.first - serial.first) <=
                       1e-10 * std::abs(serial.first),
                     "J on 2 ranks equals J on 1 rank to 1e-10 relative");
      testing::check(d.l2_norm() <= 1e-10 * serial.second.l2_norm(),
                     "grad J on 2 ranks equals grad J on 1 rank to 1e-10 "
                     "relative");
    }
  return Utilities::MPI::broadcast(MPI_COMM_WORLD, testing::exit_code(), 0);
}
