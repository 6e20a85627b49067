// ---------------------------------------------------------------------------
// npde: measurements made from a simulation (see sampling.h).
// ---------------------------------------------------------------------------
#include <npde/noise.h>
#include <npde/observation_operator.h>
#include <npde/output.h>
#include <npde/point_cloud_output.h>
#include <npde/sampling.h>

#include <cmath>
#include <iomanip>
#include <sstream>

namespace npde
{
  void
  SamplingParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Output");
    {
      prm.declare_entry("Sample points file",
                        "",
                        Patterns::Anything(),
                        "A forward run evaluates u at the points of this CSV "
                        "file (header t,x[,y[,z]], any times in [0, T]) and "
                        "writes them with a column 'value' to samples.csv in "
                        "the output directory: observations for "
                        "'Target data/Observation file'. Empty: none.");
      prm.declare_entry("Sample noise level",
                        "0",
                        Patterns::Double(0.),
                        "Relative level nu of the noise added to the "
                        "samples: value + nu*max|value|*xi, xi a standard "
                        "normal that is a function of (t, x, seed) only.");
      prm.declare_entry("Sample noise seed",
                        "1",
                        Patterns::Integer(0),
                        "The seed of the samples' noise.");
    }
    prm.leave_subsection();
  }



  void
  SamplingParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Output");
    {
      points_file = prm.get("Sample points file");
      noise_level = prm.get_double("Sample noise level");
      noise_seed  = prm.get_integer("Sample noise seed");
    }
    prm.leave_subsection();
  }



  // The values are gathered on rank 0 in the order of the file; the noise
  // is added there, from the table's (t, x) alone.
  template <int dim>
  void
  write_samples(const SamplingParameters  &parameters,
                const ForwardProblem<dim> &problem,
                const std::string         &directory,
                ConditionalOStream        &pcout)
  {
    if (parameters.points_file.empty())
      return;
    const MPI_Comm communicator =
      problem.domain.triangulation().get_communicator();
    const ObservationTable table =
      read_observation_table(parameters.points_file,
                             {dim,
                              false,
                              problem.time_parameters.end_time,
                              "Output/Sample points file"});
    ObservationOperator<dim> sensors(problem.state);
    sensors.setup(table);
    std::vector<double> y;
    sensors.predict(y);
    std::vector<double> values =
      gather_in_table_order(sensors.rows(), y, table.size(), communicator);
    if (Utilities::MPI::this_mpi_process(communicator) != 0)
      return;

    double max_abs = 0.;
    for (const double value : values)
      max_abs = std::max(max_abs, std::abs(value));
    std::ostringstream out;
    out << std::setprecision(16) << "# " << table.size()
        << " samples of u from npde";
    if (parameters.noise_level > 0.)
      out << ", noise level " << parameters.noise_level << " (seed "
          << parameters.noise_seed << ")";
    out << "\nt";
    for (const auto &name : coordinate_names(dim))
      out << ',' << name;
    out << ",value\n";
    for (unsigned int k = 0; k < table.size(); ++k)
      {
        Point<dim> x;
        for (unsigned int d = 0; d < dim; ++d)
          x[d] = table.x[k * dim + d];
        if (parameters.noise_level > 0.)
          values[k] += parameters.noise_level * max_abs *
                       hashed_normal(table.t[k], x, parameters.noise_seed);
        out << table.t[k];
        for (unsigned int d = 0; d < dim; ++d)
          out << ',' << x[d];
        out << ',' << values[k] << '\n';
      }
    write_file_atomically(directory + "/samples.csv", out.str());
    pcout << "   Samples: " << table.size() << " values at the points of '"
          << parameters.points_file << "' in " << directory << "/samples.csv"
          << std::endl;
  }



  template void
  write_samples(const SamplingParameters &,
                const ForwardProblem<1> &,
                const std::string &,
                ConditionalOStream &);
  template void
  write_samples(const SamplingParameters &,
                const ForwardProblem<2> &,
                const std::string &,
                ConditionalOStream &);
  template void
  write_samples(const SamplingParameters &,
                const ForwardProblem<3> &,
                const std::string &,
                ConditionalOStream &);
} // namespace npde
