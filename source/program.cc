// ---------------------------------------------------------------------------
// npde: the program behind `npde file.prm`.
// ---------------------------------------------------------------------------
#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/timer.h>
#include <deal.II/base/utilities.h>

#include <npde/domain.h>
#include <npde/expression.h>
#include <npde/model.h>
#include <npde/output.h>
#include <npde/program.h>
#include <npde/state_solver.h>

#include <filesystem>
#include <iomanip>
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
    DomainParameters::declare_parameters(prm);
    ModelParameters::declare_parameters(prm);
    TimeParameters::declare_parameters(prm);
    StateSolverParameters::declare_parameters(prm);
    OutputParameters::declare_parameters(prm);
  }



  void
  read_parameters(ParameterHandler &              prm,
                  const std::string &             file,
                  const std::vector<std::string> &overrides)
  {
    if (!std::filesystem::exists(file))
      throw InputError("The parameter file '" + file +
                       "' does not exist. Run 'npde --print-parameters' for "
                       "a template, or see the examples in prm/.");
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
        std::string text;
        const std::string path =
          (slash == std::string::npos ? "" : override.substr(0, slash));
        unsigned int depth = 0;
        for (const std::string &section : Utilities::split_string_list(path, '/'))
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



  namespace
  {
    // The smallest box around the mesh, the same on every rank.
    template <int dim>
    BoundingBox<dim>
    global_bounding_box(const parallel::TriangulationBase<dim> &tria)
    {
      Point<dim> lower, upper;
      for (unsigned int d = 0; d < dim; ++d)
        {
          lower[d] = std::numeric_limits<double>::max();
          upper[d] = -std::numeric_limits<double>::max();
        }
      for (const auto &cell : tria.active_cell_iterators())
        if (cell->is_locally_owned())
          for (const unsigned int v : cell->vertex_indices())
            for (unsigned int d = 0; d < dim; ++d)
              {
                lower[d] = std::min(lower[d], cell->vertex(v)[d]);
                upper[d] = std::max(upper[d], cell->vertex(v)[d]);
              }
      const MPI_Comm comm = tria.get_communicator();
      for (unsigned int d = 0; d < dim; ++d)
        {
          lower[d] = Utilities::MPI::min(lower[d], comm);
          upper[d] = Utilities::MPI::max(upper[d], comm);
        }
      return BoundingBox<dim>(std::make_pair(lower, upper));
    }
  } // namespace



  template <int dim>
  void
  run_forward_problem(ParameterHandler &prm, const std::string &command_line)
  {
    const MPI_Comm     comm = MPI_COMM_WORLD;
    ConditionalOStream pcout(std::cout,
                             Utilities::MPI::this_mpi_process(comm) == 0);

    DomainParameters      domain_parameters;
    ModelParameters       model_parameters;
    TimeParameters        time_parameters;
    StateSolverParameters state_parameters;
    OutputParameters      output_parameters;
    domain_parameters.parse_parameters(prm);
    model_parameters.parse_parameters(prm);
    time_parameters.parse_parameters(prm);
    state_parameters.parse_parameters(prm);
    output_parameters.parse_parameters(prm);

    Output output(output_parameters, comm);
    output.write_run_record(prm, command_line, "");

    TimerOutput timer(comm,
                      pcout,
                      output_parameters.timing_summary ? TimerOutput::summary :
                                                         TimerOutput::never,
                      TimerOutput::wall_times);

    pcout << "npde: forward problem in " << dim << "D on "
          << Utilities::MPI::n_mpi_processes(comm) << " MPI rank(s)"
          << std::endl;

    Domain<dim> domain(domain_parameters, comm);
    {
      TimerOutput::Scope t(timer, "mesh");
      domain.create_mesh();
    }
    pcout << "   Mesh: " << domain.description() << std::endl;

    const Model<dim> model(model_parameters);
    model.check_reaction_derivative(global_bounding_box(domain.triangulation()),
                                    time_parameters.end_time);

    StateSolver<dim> state(state_parameters,
                           time_parameters,
                           model,
                           domain.triangulation(),
                           timer,
                           pcout);
    state.setup();
    pcout << "   Degrees of freedom: " << state.dof_handler().n_dofs()
          << ", time steps: " << state.n_steps()
          << ", theta = " << time_parameters.theta << std::endl;

    state.solve();

    // Report and write the trajectory at the output levels.
    Functions::ZeroFunction<dim> zero;
    for (unsigned int n = 0; n <= state.n_steps(); ++n)
      if (output.is_output_level(n, state.n_steps()) || n == state.n_steps())
        {
          const double t = state.times()[n];
          pcout << "   t = " << std::setw(8) << std::left << t
                << " ||u_h||_L2 = " << std::setprecision(8)
                << state.l2_error(n, zero) << std::setprecision(6)
                << std::endl;
          if (output.is_output_level(n, state.n_steps()))
            {
              TimerOutput::Scope scope(timer, "output");
              const auto u = state.ghosted(state.state(n));
              output.write_time_level(
                state.dof_handler(), state.mapping(), n, t, {{"u", &u}});
            }
        }

    const auto & stats = state.statistics();
    unsigned int max_newton = 0, total_newton = 0;
    for (const unsigned int i : stats.newton_iterations)
      {
        max_newton = std::max(max_newton, i);
        total_newton += i;
      }
    pcout << "   Newton iterations per step: average "
          << double(total_newton) / state.n_steps() << ", maximum "
          << max_newton << std::endl
          << "   Linear solves: " << stats.n_linear_solves
          << ", Jacobian assemblies: " << stats.n_jacobian_assemblies
          << std::endl
          << "   Output written to '" << output.directory() << "'" << std::endl;
  }



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

    for (int i = 1; i < argc; ++i)
      {
        const std::string arg = argv[i];
        if (arg == "--print-parameters")
          {
            if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
              prm.print_parameters(std::cout,
                                   ParameterHandler::PRM |
                                     ParameterHandler::KeepDeclarationOrder);
            return 0;
          }
        else if (arg == "--help" || arg == "-h")
          {
            std::cout
              << "usage: npde [--set \"Section/Name=value\"]... file.prm\n"
                 "       npde --print-parameters\n";
            return 0;
          }
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
    switch (prm.get_integer("Dimension"))
      {
        case 1:
          run_forward_problem<1>(prm, command_line);
          break;
        case 2:
          run_forward_problem<2>(prm, command_line);
          break;
        default:
          run_forward_problem<3>(prm, command_line);
          break;
      }
    return 0;
  }



  template void
  run_forward_problem<1>(ParameterHandler &, const std::string &);
  template void
  run_forward_problem<2>(ParameterHandler &, const std::string &);
  template void
  run_forward_problem<3>(ParameterHandler &, const std::string &);
} // namespace npde
