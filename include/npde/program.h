// ---------------------------------------------------------------------------
// npde: the program behind `npde file.prm`.
//
//   npde file.prm                   run what the file says
//   npde --set "Time/Number of steps=8" file.prm
//                                   override single parameters of the file
//   npde --print-parameters         every parameter with its documentation
//
// The parameter file is read once into a ParameterHandler in which every
// component has declared its own subsection; `Dimension` then decides which
// instantiation, 1D, 2D or 3D, runs.
// ---------------------------------------------------------------------------
#ifndef npde_program_h
#define npde_program_h

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/timer.h>

#include <npde/fitting_problem.h>
#include <npde/forward_problem.h>
#include <npde/network.h>
#include <npde/objective.h>
#include <npde/output.h>
#include <npde/output_fields.h>

#include <exception>

#include <string>
#include <vector>

namespace npde
{
  using namespace dealii;

  /// Declare the parameters of every component.
  void
  declare_parameters(ParameterHandler &prm);

  /**
   * Read @p file and then the overrides "Section/Subsection/Name=value"
   * into @p prm. Errors name the file, the line or the parameter.
   */
  void
  read_parameters(ParameterHandler               &prm,
                  const std::string              &file,
                  const std::vector<std::string> &overrides);

  /// Run the forward problem described by @p prm, in dimension dim.
  template <int dim>
  void
  run_forward_problem(ParameterHandler &prm, const std::string &command_line);

  /**
   * `npde --check-gradient file.prm`: the Taylor test of the reduced
   * objective at the network's initial θ in a random direction. Prints the
   * remainders and rates and says whether the gradient is consistent;
   * returns that verdict.
   */
  template <int dim>
  bool
  run_gradient_check(ParameterHandler &prm, const std::string &command_line);

  /// `Mode = train`: fit the network to the target data (see trainer.h).
  template <int dim>
  void
  run_training(ParameterHandler &prm, const std::string &command_line);

  /**
   * Run @p body(timer) with a TimerOutput that prints its summary (if
   * @p summary) at the end. If @p body throws, the timer is destroyed
   * quietly before the exception goes on: TimerOutput would otherwise
   * complain about an exception in flight instead of letting the error
   * message be the last thing the user sees.
   */
  template <typename Body>
  void
  with_timer(const MPI_Comm      comm,
             ConditionalOStream &pcout,
             const bool          summary,
             const Body         &body)
  {
    std::exception_ptr failure;
    {
      TimerOutput timer(comm,
                        pcout,
                        summary ? TimerOutput::summary : TimerOutput::never,
                        TimerOutput::wall_times);
      try
        {
          body(timer);
        }
      catch (...)
        {
          timer.disable_output();
          failure = std::current_exception();
        }
    }
    if (failure)
      std::rethrow_exception(failure);
  }

  /// Parse the parameter structs @p parameters, each from its subsection.
  template <typename... Parameters>
  void
  parse_all(ParameterHandler &prm, Parameters &...parameters)
  {
    (parameters.parse_parameters(prm), ...);
  }

  /// What main() calls: the command line of `npde`. Returns the exit code.
  int
  run_program(int argc, char **argv);
} // namespace npde

#endif
