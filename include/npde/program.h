// ---------------------------------------------------------------------------
// npde: the program behind `npde file.prm`.
//
//   npde file.prm                   run what the file says
//   npde --set "Time/Number of steps=8" file.prm
//                                   override single parameters of the file
//   npde --check-gradient file.prm  the Taylor test of the adjoint gradient
//   npde --print-parameters         every parameter with its documentation
//
// The parameter file is read once into a ParameterHandler in which every
// component has declared its own subsection; `Mode` and the option
// --check-gradient then decide which run mode (run_modes.h) runs, and the
// mode reads `Dimension`.
// ---------------------------------------------------------------------------
#ifndef npde_program_h
#define npde_program_h

#include <deal.II/base/parameter_handler.h>

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

  /// What main() calls: the command line of `npde`. Returns the exit code.
  int
  run_program(int argc, char **argv);
} // namespace npde

#endif
