// ---------------------------------------------------------------------------
// npde: the three things `npde file.prm` can do, one source file each.
//
//   forward_run.cc     `Mode = forward`: solve the PDE once
//   training_run.cc    `Mode = train`: fit the network to the target data
//   gradient_check.cc  `--check-gradient`: the Taylor test of the gradient
//
// Each mode reads `Dimension` and hands its body to dispatch_dimension(), the
// one place where the run-time dimension becomes the template argument of
// the library's classes. What the modes share besides (the timer that does
// not hide an error, parsing several parameter structs at once) is here too.
// ---------------------------------------------------------------------------
#ifndef npde_run_modes_h
#define npde_run_modes_h

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/exceptions.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/timer.h>

#include <exception>
#include <string>
#include <type_traits>

namespace npde
{
  using namespace dealii;

  /// `Mode = forward`: solve the forward problem described by @p prm once.
  void
  run_forward_problem(ParameterHandler &prm, const std::string &command_line);

  /// `Mode = train`: fit the network to the target data (see trainer.h).
  void
  run_training(ParameterHandler &prm, const std::string &command_line);

  /**
   * `npde --check-gradient file.prm`: the Taylor test of the reduced
   * objective at the network's initial θ in a random direction. Prints the
   * remainders and rates and says whether the gradient is consistent;
   * returns that verdict.
   */
  bool
  run_gradient_check(ParameterHandler &prm, const std::string &command_line);

  /**
   * Call @p body with std::integral_constant<int, d> for the space dimension
   * @p dim (1, 2 or 3, as `Dimension` allows), and return what it returns.
   * The body is a generic lambda, so it is compiled once per dimension and
   * reads the dimension as a constant expression:
   *
   *   dispatch_dimension(dim, [&](auto d) {
   *     constexpr int dim = decltype(d)::value;
   *     ForwardProblem<dim> problem(...);
   *   });
   *
   * Instantiating the run for 1D, 2D and 3D happens here, and only here.
   */
  template <typename Body>
  decltype(auto)
  dispatch_dimension(const unsigned int dim, const Body &body)
  {
    Assert(dim >= 1 && dim <= 3, ExcIndexRange(dim, 1, 4));
    if (dim == 1)
      return body(std::integral_constant<int, 1>());
    else if (dim == 2)
      return body(std::integral_constant<int, 2>());
    else
      return body(std::integral_constant<int, 3>());
  }

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
} // namespace npde

#endif
