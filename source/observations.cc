// ---------------------------------------------------------------------------
// npde: measurements at sensors and their misfit (see observations.h).
// ---------------------------------------------------------------------------
#include <npde/input_check.h>
#include <npde/observations.h>
#include <npde/output.h>
#include <npde/point_cloud_output.h>

#include <cmath>
#include <sstream>

namespace npde
{
  void
  ObservationParameters::declare_parameters(ParameterHandler &prm)
  {
    // (Inside subsection "Target data", entered by the registry's caller.)
    prm.declare_entry("Observation file",
                      "",
                      Patterns::Anything(),
                      "For 'Source = observations': a CSV file of "
                      "measurements with the header t,x[,y[,z]],value[,sigma] "
                      "(any order; lines starting with # are comments), one "
                      "measurement per line, at any time in [0, T]. sigma "
                      "(default 1) is the measurement's standard deviation.");
    prm.declare_entry("Validation file",
                      "",
                      Patterns::Anything(),
                      "For 'Source = observations': an optional second file "
                      "of the same form, held back from training. Its "
                      "relative RMSE is reported at every iteration (column "
                      "validation_rmse); it never enters J or its gradient.");
  }



  void
  ObservationParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Target data");
    observation_file = prm.get("Observation file");
    validation_file  = prm.get("Validation file");
    target_source    = prm.get("Target source");
    prm.leave_subsection();
    if (observation_file.empty())
      throw InputError("'Target data/Source = observations' needs the "
                       "measurements: set 'Target data/Observation file' to "
                       "a CSV file with the header t,x[,y[,z]],value[,sigma].");
  }



  template <int dim>
  Observations<dim>::Set::Set(const StateSolver<dim> &state)
    : sensors(state)
  {
  }



  template <int dim>
  void
  Observations<dim>::Set::read(const std::string         &file,
                               const std::string         &parameter,
                               const ForwardProblem<dim> &problem)
  {
    table = read_observation_table(
      file, {dim, true, problem.time_parameters.end_time, parameter});
    for (const double h : table.value)
      h_max = std::max(h_max, std::abs(h));
  }



  template <int dim>
  void
  Observations<dim>::Set::predict(
    const std::function<void(unsigned int)> &wait_for_level) const
  {
    sensors.predict(y, wait_for_level);
    local_squares = 0.;
    for (unsigned int j = 0; j < y.size(); ++j)
      {
        const double e = y[j] - table.value[sensors.rows()[j]];
        local_squares += e * e;
      }
  }



  template <int dim>
  void
  Observations<dim>::Set::finish(const MPI_Comm communicator)
  {
    const double squares = Utilities::MPI::sum(local_squares, communicator);
    rmse = std::sqrt(squares / table.size()) / (h_max > 0. ? h_max : 1.);
  }



  // The files are read on every rank (each rank keeps the rows it owns once
  // the points are located). g*, if the data were made with one, is only
  // for the report of the trained network.
  template <int dim>
  Observations<dim>::Observations(const ObservationParameters &parameters,
                                  const ForwardProblem<dim>   &problem,
                                  TimerOutput                 &timer,
                                  ConditionalOStream          &pcout)
    : Misfit<dim>(problem.domain.triangulation().get_communicator())
    , parameters(parameters)
    , problem(problem)
    , timer(timer)
    , training(problem.state)
  {
    training.read(parameters.observation_file,
                  "Target data/Observation file",
                  problem);
    if (!parameters.validation_file.empty())
      {
        validation = std::make_unique<Set>(problem.state);
        validation->read(parameters.validation_file,
                         "Target data/Validation file",
                         problem);
      }
    std::vector<std::string> variables = coordinate_names(dim);
    variables.push_back("t");
    g_star = std::make_unique<Expression>(
      "Target data/Target source",
      parameters.target_source,
      variables,
      parse_constants(problem.model_parameters.constants,
                      "Model/Constants",
                      dim));
    if (g_star->is_zero())
      g_star.reset();
    pcout << "   Target data: " << training.table.size()
          << " observations from '" << parameters.observation_file << "'";
    if (validation)
      pcout << ", " << validation->table.size() << " for validation from '"
            << parameters.validation_file << "'";
    pcout << std::endl;
    mesh_change = problem.mesh_change_hooks.connect([this]() { setup(); });
  }



  template <int dim>
  void
  Observations<dim>::setup()
  {
    TimerOutput::Scope t(timer, "target data");
    training.sensors.setup(training.table);
    if (validation)
      validation->sensors.setup(validation->table);
  }



  // J_obs and r^n of this rank's rows; the validation set follows the
  // training set (all levels are final by then).
  template <int dim>
  double
  Observations<dim>::local_value(
    std::vector<VectorType>                 *r,
    const std::function<void(unsigned int)> &wait_for_level) const
  {
    training.predict(wait_for_level);
    const ObservationTable          &table = training.table;
    const std::vector<unsigned int> &rows  = training.sensors.rows();
    const double                     M     = table.size();
    double                           J     = 0.;
    v.resize(rows.size());
    for (unsigned int j = 0; j < rows.size(); ++j)
      {
        const double e     = training.y[j] - table.value[rows[j]];
        const double sigma = table.sigma[rows[j]];
        J += (e / sigma) * (e / sigma);
        v[j] = e / (M * sigma * sigma);
      }
    if (r)
      {
        for (auto &r_n : *r)
          r_n = 0.;
        training.sensors.add_adjoint_sources(v, *r);
      }
    if (validation)
      validation->predict({});
    return J / (2. * M);
  }



  template <int dim>
  void
  Observations<dim>::finish_evaluation()
  {
    const MPI_Comm communicator =
      problem.domain.triangulation().get_communicator();
    training.finish(communicator);
    if (validation)
      validation->finish(communicator);
  }



  template <int dim>
  double
  Observations<dim>::relative_rmse(const double) const
  {
    return training.rmse;
  }



  template <int dim>
  std::vector<HistoryColumn>
  Observations<dim>::history_columns() const
  {
    if (!validation)
      return {};
    return {{"validation_rmse", "val. RMSE", true}};
  }



  template <int dim>
  std::vector<double>
  Observations<dim>::history_values() const
  {
    if (!validation)
      return {};
    return {validation->rmse};
  }



  template <int dim>
  double
  Observations<dim>::data_scale() const
  {
    return training.h_max;
  }



  template <int dim>
  const Expression *
  Observations<dim>::true_source() const
  {
    return g_star.get();
  }



  // The predictions of both sets, gathered on rank 0 in the order of the
  // files: a table (predictions.csv) and a point cloud per time level
  // (sensors.pvd), each measurement shown at the level nearest to its time.
  template <int dim>
  void
  Observations<dim>::write_results(const std::string &directory) const
  {
    const MPI_Comm communicator =
      problem.domain.triangulation().get_communicator();
    PointCloudTable<dim> cloud;
    const auto           add = [&](const Set &set, const std::string &name) {
      const std::vector<double> y = gather_in_table_order(set.sensors.rows(),
                                                          set.y,
                                                          set.table.size(),
                                                          communicator);
      cloud.add(set.table, y, name);
    };
    add(training, "training");
    if (validation)
      add(*validation, "validation");
    if (Utilities::MPI::this_mpi_process(communicator) == 0)
      {
        write_file_atomically(directory + "/predictions.csv", cloud.csv());
        cloud.write_series(directory,
                           "sensors",
                           problem.state.time_grid().times());
      }
  }



  namespace
  {
    const MisfitRegistration<Observations, ObservationParameters> observations(
      "observations",
      "measurements of u at sensors, read from 'Observation file' (CSV), at "
      "any times; with an optional 'Validation file' held back from "
      "training.",
      &ObservationParameters::declare_parameters);
  } // namespace



  template class Observations<1>;
  template class Observations<2>;
  template class Observations<3>;
} // namespace npde
