// ---------------------------------------------------------------------------
// npde: the program behind `npde file.prm` (see program.h): the parameters
// of every component in one ParameterHandler, and the command line that
// reads them and picks the run mode.
// ---------------------------------------------------------------------------
#include <deal.II/base/mpi.h>
#include <deal.II/base/utilities.h>

#include <npde/domain.h>
#include <npde/expression.h>
#include <npde/field_data.h>
#include <npde/input_check.h>
#include <npde/interaction_misfit.h>
#include <npde/mesh_adaptation.h>
#include <npde/misfit.h>
#include <npde/model.h>
#include <npde/network.h>
#include <npde/optimizer.h>
#include <npde/output.h>
#include <npde/parameter_reference.h>
#include <npde/program.h>
#include <npde/sampling.h>
#include <npde/run_modes.h>
#include <npde/state_solver.h>
#include <npde/trainer.h>

#include <filesystem>
#include <iostream>

namespace npde
{
  void
  declare_parameters(ParameterHandler &prm)
  {
    prm.declare_entry("Dimension",
                      "2",
                      Patterns::Integer(1, 3),
                      "The space dimension d of the domain D.");
    prm.declare_entry("Mode",
                      "forward",
                      Patterns::Selection("forward|train|hyco"),
                      "forward: solve the PDE once (with the untrained "
                      "network if 'Network/Add to source'); train: fit the "
                      "network to 'Target data'; hyco: train the physical "
                      "model and a synthetic one together on the sensors "
                      "(subsection HYCO, doc/hyco.md).");
    DomainParameters::declare_parameters(prm);
    ModelParameters::declare_parameters(prm);
    TimeParameters::declare_parameters(prm);
    StateSolverParameters::declare_parameters(prm);
    OutputParameters::declare_parameters(prm);
    SamplingParameters::declare_parameters(prm);
    NetworkParameters::declare_parameters(prm);
    declare_parametric_term_parameters(prm);
    declare_misfit_parameters(prm);
    ObjectiveParameters::declare_parameters(prm);
    OptimizerParameters::declare_parameters(prm);
    TrainerParameters::declare_parameters(prm);
    MeshAdaptationParameters::declare_parameters(prm);
    HycoParameters::declare_parameters(prm);
  }



  void
  read_parameters(ParameterHandler               &prm,
                  const std::string              &file,
                  const std::vector<std::string> &overrides)
  {
    if (!std::filesystem::exists(file))
      throw InputError("The parameter file '" + file +
                       "' does not exist. Run 'npde --print-parameters' for "
                       "a template, or see the examples in prm/.");
    if (!std::filesystem::is_regular_file(file))
      throw InputError("The parameter file '" + file +
                       "' is not a file (a directory?). Give the path of a "
                       "parameter file, e.g. prm/heat.prm.");
    try
      {
        prm.parse_input(file, "", false, true);
      }
    catch (const std::exception &e)
      {
        throw InputError("Error in the parameter file '" + file +
                         "': " + user_message(e) +
                         " Run 'npde --print-parameters' to see every "
                         "parameter, its section and its allowed values.");
      }

    // "Section/Sub/Name=value" becomes the text of a small parameter file.
    for (const std::string &override : overrides)
      {
        const auto equal = override.find('=');
        const auto slash = override.rfind('/', equal);
        if (equal == std::string::npos)
          throw InputError("The option --set \"" + override +
                           "\" is not of the form \"Section/Name=value\".");
        std::string       text;
        const std::string path =
          (slash == std::string::npos ? "" : override.substr(0, slash));
        unsigned int depth = 0;
        for (const std::string &section :
             Utilities::split_string_list(path, '/'))
          {
            text += "subsection " + section + "\n";
            ++depth;
          }
        const std::string name =
          override.substr(slash == std::string::npos ? 0 : slash + 1,
                          equal - (slash == std::string::npos ? 0 : slash + 1));
        text += "set " + name + " = " + override.substr(equal + 1) + "\n";
        for (unsigned int d = 0; d < depth; ++d)
          text += "end\n";
        try
          {
            prm.parse_input_from_string(text, "--set", false);
          }
        catch (const std::exception &e)
          {
            throw InputError("Error in the option --set \"" + override +
                             "\": " + user_message(e));
          }
      }
  }



  // The options come first and may stand anywhere; --print-parameters and
  // --help answer at once, without a parameter file. Otherwise the one
  // parameter file is read, with the --set overrides on top, and handed to
  // the run mode it asks for.
  int
  run_program(int argc, char **argv)
  {
    std::string              file;
    std::vector<std::string> overrides;
    std::string              command_line = argv[0];
    for (int i = 1; i < argc; ++i)
      command_line += std::string(" ") + argv[i];

    ParameterHandler prm;
    declare_parameters(prm);
    bool check_gradient = false;

    for (int i = 1; i < argc; ++i)
      {
        const std::string arg = argv[i];
        if (arg == "--print-parameters")
          {
            const bool markdown =
              (i + 1 < argc && std::string(argv[i + 1]) == "markdown");
            if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) != 0)
              return 0;
            if (markdown)
              print_parameter_reference(prm, std::cout);
            else
              prm.print_parameters(std::cout,
                                   ParameterHandler::PRM |
                                     ParameterHandler::KeepDeclarationOrder);
            return 0;
          }
        else if (arg == "--help" || arg == "-h")
          {
            std::cout
              << "usage: npde [--set \"Section/Name=value\"]... file.prm\n"
                 "       npde --check-gradient [--set ...] file.prm\n"
                 "       npde --print-parameters [markdown]\n";
            return 0;
          }
        else if (arg == "--check-gradient")
          check_gradient = true;
        else if (arg == "--set" && i + 1 < argc)
          overrides.emplace_back(argv[++i]);
        else if (!arg.empty() && arg[0] == '-')
          throw InputError("Unknown option '" + arg +
                           "'. Run 'npde --help' for the usage.");
        else if (file.empty())
          file = arg;
        else
          throw InputError("More than one parameter file given: '" + file +
                           "' and '" + arg + "'.");
      }
    if (file.empty())
      throw InputError("No parameter file given. Usage: npde file.prm; "
                       "'npde --print-parameters' prints every parameter.");

    read_parameters(prm, file, overrides);
    if (check_gradient)
      return run_gradient_check(prm, command_line) ? 0 : 1;
    if (prm.get("Mode") == "train" || prm.get("Mode") == "hyco")
      run_training(prm, command_line);
    else
      run_forward_problem(prm, command_line);
    return 0;
  }
} // namespace npde
