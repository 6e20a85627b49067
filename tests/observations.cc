// ---------------------------------------------------------------------------
// Observations: measurements at sensors as the misfit (doc/design.md
// section 9).
//
// For each case (2D with hanging nodes, backward Euler and Crank–Nicolson,
// Q1 and Q2; 3D), measurements at times between the levels, with σ that
// differ from row to row:
// - the Taylor test of J(θ) with the observation misfit: rates 2 and 1,
//   ∇J·δθ equal to a central difference to 1e-6;
// - J and the predictions equal a direct evaluation, VectorTools's point
//   values of U^n and U^{n+1} interpolated in time by hand, to 1e-12;
// - on 2 ranks, J equals that of the same problem on one rank (rank 0 on
//   MPI_COMM_SELF) to 1e-12.
// Then sampling: a forward run with a network source writes samples.csv at
// sensor points (write_samples); training from those samples starts at
// J = 0 when θ is that network's, and the samples of 2 ranks equal those of
// one to 1e-12.
// The program runs on 1 and on 2 MPI ranks (observations.mpirun=2.output).
// ---------------------------------------------------------------------------
#include <deal.II/base/mpi_remote_point_evaluation.h>

#include <deal.II/numerics/vector_tools_evaluate.h>

#include <npde/observation_operator.h>
#include <npde/observations.h>
#include <npde/sampling.h>

#include "tests.h"

#include <filesystem>
#include <fstream>
#include <limits>

using namespace npde;


// A table of M rows at times that are not time levels (t = (j + 0.37)/M·T),
// at points of a fixed pseudo-random sequence inside the unit cube, with
// h = sin(2x)cos(y)(1+t) and σ between 0.5 and 1.5; written on rank 0.
template <int dim>
void
write_observation_file(const std::string &file,
                       const unsigned int M,
                       const double       T,
                       const bool         with_values)
{
  if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    {
      std::ofstream out(file);
      out << std::setprecision(17) << "# a test table\n";
      // Columns in an unusual order, to check the header.
      out << (with_values ? "sigma,value," : "") << "t";
      for (const auto &name : coordinate_names(dim))
        out << ',' << name;
      out << '\n';
      double a = 0.1234;
      for (unsigned int j = 0; j < M; ++j)
        {
          double x[3];
          for (unsigned int d = 0; d < dim; ++d)
            {
              a    = std::fmod(a * 97.31 + 0.4142, 1.);
              x[d] = 0.02 + 0.96 * a;
            }
          const double t = (j + 0.37) / M * T;
          if (with_values)
            out << 0.5 + std::fmod(0.618 * j, 1.) << ','
                << std::sin(2 * x[0]) * std::cos(x[dim > 1 ? 1 : 0]) * (1 + t)
                << ',';
          out << t;
          for (unsigned int d = 0; d < dim; ++d)
            out << ',' << x[d];
          out << '\n';
        }
    }
  MPI_Barrier(MPI_COMM_WORLD);
}



// J_obs and the predictions computed without npde's operators: u_h^n at the
// points by VectorTools::point_values (deal.II's RemotePointEvaluation),
// interpolated in time by hand.
template <int dim>
std::pair<double, std::vector<double>>
direct_evaluation(const StateSolver<dim> &state, const ObservationTable &table)
{
  const auto             &times = state.time_grid().times();
  std::vector<Point<dim>> points(table.size());
  for (unsigned int k = 0; k < table.size(); ++k)
    for (unsigned int d = 0; d < dim; ++d)
      points[k][d] = table.x[k * dim + d];
  std::vector<std::vector<double>>           u(times.size());
  Utilities::MPI::RemotePointEvaluation<dim> evaluation;
  for (unsigned int n = 0; n < times.size(); ++n)
    u[n] = n == 0 ?
             VectorTools::point_values<1>(state.discretization().mapping(),
                                          state.discretization().dof_handler(),
                                          state.discretization().ghosted(
                                            state.state(n)),
                                          points,
                                          evaluation) :
             VectorTools::point_values<1>(evaluation,
                                          state.discretization().dof_handler(),
                                          state.discretization().ghosted(
                                            state.state(n)));
  std::vector<double> y(table.size());
  double              J = 0;
  for (unsigned int k = 0; k < table.size(); ++k)
    {
      unsigned int n = 0;
      while (n + 2 < times.size() && times[n + 1] <= table.t[k])
        ++n;
      const double s = (table.t[k] - times[n]) / (times[n + 1] - times[n]);
      y[k]           = (1 - s) * u[n][k] + s * u[n + 1][k];
      const double e = (y[k] - table.value[k]) / table.sigma[k];
      J += e * e;
    }
  return {J / (2. * table.size()), y};
}



template <int dim>
double
observation_J(const std::string &text,
              const MPI_Comm     comm,
              const bool         checks,
              const std::string &name)
{
  testing::Forward<dim> run(text, comm);
  auto                 &problem = *run.problem;
  testing::setup_with_hanging_nodes(problem, 0.4);
  Observations<dim> misfit(parsed<ObservationParameters>(run.prm),
                           problem,
                           run.timer,
                           run.pcout);
  misfit.setup();
  Network network(dim, 8, 1., "tanh");
  network.initialize_randomly(1., 1., 3);
  Objective<dim> objective(problem, network, misfit, run.timer);
  objective.setup();
  const Vector<double> theta = network.parameters();
  if (checks)
    testing::check_taylor_test(objective, theta, name);
  const double J = objective.value(theta);
  if (!checks)
    return J;

  const ObservationTable table = read_observation_table(
    parsed<ObservationParameters>(run.prm).observation_file,
    {dim, true, problem.time_parameters.end_time, "test"});
  const auto [J_direct, y_direct] = direct_evaluation(problem.state, table);
  testing::check(std::abs(J - J_direct) <= 1e-12 * std::abs(J_direct),
                 name + ": J equals a direct evaluation to 1e-12");
  ObservationOperator<dim> sensors(problem.state);
  sensors.setup(table);
  std::vector<double> y;
  sensors.predict(y);
  double error = 0, scale = 0;
  for (unsigned int j = 0; j < y.size(); ++j)
    {
      error = std::max(error, std::abs(y[j] - y_direct[sensors.rows()[j]]));
      scale = std::max(scale, std::abs(y_direct[sensors.rows()[j]]));
    }
  error                   = Utilities::MPI::max(error, comm);
  scale                   = Utilities::MPI::max(scale, comm);
  const unsigned int rows = Utilities::MPI::sum(y.size(), comm);
  testing::check(error <= 1e-12 * scale && rows == table.size(),
                 name + ": every row predicted once, as a direct "
                        "evaluation to 1e-12");
  return J;
}



// The J of @p text on all ranks, and on rank 0 alone.
template <int dim>
void
run_case(const std::string &name, const std::string &text)
{
  const double J     = observation_J<dim>(text, MPI_COMM_WORLD, true, name);
  double       J_one = J;
  if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    J_one = observation_J<dim>(text, MPI_COMM_SELF, false, name);
  J_one = Utilities::MPI::broadcast(MPI_COMM_WORLD, J_one, 0);
  testing::check(std::abs(J - J_one) <= 1e-12 * std::abs(J_one),
                 name + ": J on all ranks equals J on one rank to 1e-12");
}



// Samples of a forward run with a network source, read back as observations.
template <int dim>
std::vector<double>
sample(const std::string &text, const MPI_Comm comm, const std::string &dir)
{
  testing::Forward<dim> run(text, comm);
  auto                 &problem = *run.problem;
  testing::setup_with_hanging_nodes(problem, 0.4);
  Network network(dim, 8, 1., "tanh");
  network.initialize_randomly(1., 1., 3);
  std::vector<Vector<double>> g;
  network.evaluate(problem.state.time_grid().times(),
                   problem.state.source_operators().coordinates(),
                   g);
  problem.state.solve(&g);
  std::filesystem::create_directories(dir);
  write_samples(parsed<SamplingParameters>(run.prm), problem, dir, run.pcout);
  MPI_Barrier(comm);
  const ObservationTable samples = read_observation_table(
    dir + "/samples.csv",
    {dim, true, problem.time_parameters.end_time, "test"});
  return samples.value;
}



int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  testing::print_ranks();

  const std::string setting      = testing::unit_square_setting;
  const auto        observations = [](const std::string &file) {
    return "subsection Target data\n set Source = observations\n"
                  " set Observation file = " +
           file + "\nend\n";
  };
  const std::string cn_q2 = "subsection Time\n set Theta = 0.5\nend\n"
                            "subsection State solver\n"
                            " set Finite element degree = 2\nend\n";

  write_observation_file<2>("obs_2d.csv", 200, 0.5, true);
  run_case<2>("2D, backward Euler, Q1, hanging nodes",
              "set Dimension = 2\n" + setting + observations("obs_2d.csv"));
  run_case<2>("2D, Crank-Nicolson, Q2, hanging nodes",
              "set Dimension = 2\n" + setting + cn_q2 +
                observations("obs_2d.csv"));
  write_observation_file<3>("obs_3d.csv", 100, 0.5, true);
  run_case<3>("3D, Crank-Nicolson, Q1, hanging nodes",
              "set Dimension = 3\n" + setting +
                "subsection Domain\n set Global refinements = 2\nend\n"
                "subsection Time\n set Theta = 0.5\nend\n" +
                observations("obs_3d.csv"));

  // Sampling, and training from the samples at the network that made them.
  write_observation_file<2>("points_2d.csv", 150, 0.5, false);
  const std::string forward =
    "set Dimension = 2\n" + setting +
    "subsection Output\n set Sample points file = points_2d.csv\nend\n";
  const std::vector<double> values =
    sample<2>(forward, MPI_COMM_WORLD, "samples_all");
  std::vector<double> values_one = values;
  if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    values_one = sample<2>(forward, MPI_COMM_SELF, "samples_one");
  values_one        = Utilities::MPI::broadcast(MPI_COMM_WORLD, values_one, 0);
  double difference = 0, scale = 0;
  for (unsigned int k = 0; k < values.size(); ++k)
    {
      difference = std::max(difference, std::abs(values[k] - values_one[k]));
      scale      = std::max(scale, std::abs(values_one[k]));
    }
  testing::check(values.size() == 150 && difference <= 1e-12 * scale,
                 "sampling: the samples of all ranks equal those of one "
                 "rank to 1e-12");
  const double J0 = observation_J<2>("set Dimension = 2\n" + setting +
                                       observations("samples_all/samples.csv"),
                                     MPI_COMM_WORLD,
                                     false,
                                     "");
  testing::check(J0 <= 1e-26 * scale * scale,
                 "sampling: J = 0 (below 1e-26 max|h|^2) at the network that "
                 "made the samples");
  return Utilities::MPI::broadcast(MPI_COMM_WORLD, testing::exit_code(), 0);
}
