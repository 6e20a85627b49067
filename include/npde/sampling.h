// ---------------------------------------------------------------------------
// npde: measurements made from a simulation (doc/observations.md).
//
// For tutorials, tests and the planning of an experiment: a forward run
// with `Output/Sample points file` (a CSV file with the header t,x[,y[,z]])
// evaluates its solution there, as observations are predicted (u_h at x_k,
// linear in time between the levels around t_k), and writes samples.csv
// into the output directory with a `value` column, ready to be read as
// `Target data/Observation file`. With `Output/Sample noise level` ν > 0 it
// adds ν·max|value|·ξ_k, with ξ_k a standard normal that is a function of
// (t_k, x_k) and `Output/Sample noise seed` only (noise.h), so that the
// same file comes out on every machine and any number of ranks.
// ---------------------------------------------------------------------------
#ifndef npde_sampling_h
#define npde_sampling_h

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/parameter_handler.h>

#include <npde/forward_problem.h>

#include <string>

namespace npde
{
  using namespace dealii;

  /// The sampling entries of subsection `Output`.
  struct SamplingParameters
  {
    std::string  points_file;
    double       noise_level = 0.;
    unsigned int noise_seed  = 1;

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };

  /// Write @p directory/samples.csv from the trajectory of @p problem, if
  /// @p parameters name a points file.
  template <int dim>
  void
  write_samples(const SamplingParameters  &parameters,
                const ForwardProblem<dim> &problem,
                const std::string         &directory,
                ConditionalOStream        &pcout);
} // namespace npde

#endif
