// ---------------------------------------------------------------------------
// npde: the program behind `npde file.prm`.
// ---------------------------------------------------------------------------
#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/timer.h>
#include <deal.II/base/utilities.h>

#include <deal.II/numerics/vector_tools.h>

#include <npde/expression.h>
#include <npde/fitting_problem.h>
#include <npde/forward_problem.h>
#include <npde/input_check.h>
#include <npde/network.h>
#include <npde/output.h>
#include <npde/output_fields.h>
#include <npde/parameter_reference.h>
#include <npde/program.h>
#include <npde/target_data.h>
#include <npde/trainer.h>

#include <boost/functional/hash.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <algorithm>
#include <cctype>
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
    prm.declare_entry("Mode",
                      "forward",
                      Patterns::Selection("forward|train"),
                      "forward: solve the PDE once (with the untrained "
                      "network if 'Network/Add to source'); train: fit the "
                      "network to 'Target data'.");
    DomainParameters::declare_parameters(prm);
    ModelParameters::declare_parameters(prm);
    TimeParameters::declare_parameters(prm);
    StateSolverParameters::declare_parameters(prm);
    OutputParameters::declare_parameters(prm);
    NetworkParameters::declare_parameters(prm);
    TargetDataParameters::declare_parameters(prm);
    OptimizerParameters::declare_parameters(prm);
    TrainerParameters::declare_parameters(prm);
    MeshAdaptationParameters::declare_parameters(prm);
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



  template <int dim>
  void
  run_forward_problem(ParameterHandler &prm, const std::string &command_line)
  {
    const MPI_Comm     comm = MPI_COMM_WORLD;
    ConditionalOStream pcout(std::cout,
                             Utilities::MPI::this_mpi_process(comm) == 0);

    OutputParameters  output_parameters;
    NetworkParameters network_parameters;
    parse_all(prm, output_parameters, network_parameters);
    const bool with_network = network_parameters.add_to_source;
    Output     output(output_parameters, comm);
    output.write_run_record(prm,
                            command_line,
                            with_network &&
                                network_parameters.initial_file.empty() ?
                              "network initialisation " +
                                std::to_string(network_parameters.seed) :
                              "");

    with_timer(
      comm, pcout, output_parameters.timing_summary, [&](TimerOutput &timer) {
        pcout << "npde: forward problem in " << dim << "D on "
              << Utilities::MPI::n_mpi_processes(comm) << " MPI rank(s)"
              << std::endl;

        {
          ForwardProblem<dim> problem(prm, comm, timer, pcout);
          {
            TimerOutput::Scope t(timer, "mesh");
            problem.domain.create_mesh();
          }
          pcout << "   Mesh: " << problem.domain.description() << std::endl;
          problem.setup_state();

          StateSolver<dim> &state = problem.state;
          pcout << "   Degrees of freedom: " << state.dof_handler().n_dofs()
                << ", time steps: " << state.n_steps()
                << ", theta = " << problem.time_parameters.theta << std::endl;

          // The (untrained) network as an additional source, evaluated at
          // the source quadrature points of every time level.
          std::unique_ptr<Network>    network;
          std::vector<Vector<double>> g_values;
          if (with_network)
            {
              network = std::make_unique<Network>(
                create_network(network_parameters, problem));
              pcout << "   Network source: N = " << network->n_neurons()
                    << ", beta = " << network->beta() << ", "
                    << activation_name(network->activation()) << ", "
                    << network->n_parameters() << " parameters" << std::endl;
              TimerOutput::Scope t(timer, "network: evaluation");
              network->evaluate(state.times(),
                                state.source_point_coordinates(),
                                g_values);
            }

          state.solve(with_network ? &g_values : nullptr);

          // Report ‖u_h‖ at the output levels and at T, and write the
          // output levels: u, and g_θ if the network is part of the source.
          FieldSources<dim> sources(state);
          sources.network = network.get();
          Functions::ZeroFunction<dim> zero;
          for (unsigned int n = 0; n <= state.n_steps(); ++n)
            if (output.is_output_level(n, state.n_steps()) ||
                n == state.n_steps())
              {
                pcout << "   t = " << std::setw(8) << std::left
                      << state.times()[n]
                      << " ||u_h||_L2 = " << std::setprecision(12)
                      << state.l2_error(n, zero) << std::setprecision(6)
                      << std::endl;
                if (output.is_output_level(n, state.n_steps()))
                  {
                    TimerOutput::Scope scope(timer, "output");
                    write_output_fields(output, sources, n);
                  }
              }

          if (network)
            on_rank_0(comm, [&]() {
              network->save(output.directory() + "/network.txt");
            });

          const auto  &stats      = state.statistics();
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
                << "   Output written to '" << output.directory() << "'"
                << std::endl;
        }
      });
  }



  namespace
  {
    /**
     * The trained source against the true one: ‖g_θ − g*‖ and ‖g*‖ in
     * L2(D × (0,T)), with the source quadrature Q_g in space and the misfit's
     * trapezoid weights in time.
     */
    template <int dim>
    std::pair<double, double>
    source_error(const StateSolver<dim> &state,
                 const TargetData<dim>  &target,
                 const Network          &network,
                 const Expression       &g_star,
                 const MPI_Comm          comm)
    {
      std::vector<Vector<double>> g;
      network.evaluate(state.times(), state.source_point_coordinates(), g);
      const auto &points = state.source_points();
      const auto &JxW    = state.source_point_weights();
      double      error = 0, norm = 0;
      for (unsigned int n = 0; n <= state.n_steps(); ++n)
        for (unsigned int q = 0; q < points.size(); ++q)
          {
            double xt[dim + 1];
            for (unsigned int d = 0; d < dim; ++d)
              xt[d] = points[q][d];
            xt[dim]         = state.times()[n];
            const double gs = g_star(xt);
            const double w  = target.time_weight(n) * JxW[q];
            error += w * (g[n][q] - gs) * (g[n][q] - gs);
            norm += w * gs * gs;
          }
      return {std::sqrt(Utilities::MPI::sum(error, comm)),
              std::sqrt(Utilities::MPI::sum(norm, comm))};
    }
  } // namespace



  namespace
  {
    // The values of the entries of one subsection of @p prm (recursively),
    // as one string, for a fingerprint.
    void
    collect_values(const boost::property_tree::ptree &node, std::string &out)
    {
      // (Spaces do not count: "D=0.01" and "D = 0.01" are the same model.
      // The derivative check does not change J.)
      for (const auto &[key, child] : node)
        if (const auto value = child.get_optional<std::string>("value"))
          {
            if (key == "Check_20reaction_20derivative")
              continue;
            std::string v = *value;
            v.erase(std::remove_if(v.begin(),
                                   v.end(),
                                   [](const unsigned char c) {
                                     return std::isspace(c);
                                   }),
                    v.end());
            out += key + '=' + v + '\n';
          }
        else
          collect_values(child, out);
    }

    // A subsection's values as a short hex string. Boost's hash_range, as
    // for the data noise (target_data.cc): the same number for the same
    // text wherever npde is built with the same Boost.
    std::string
    hash_of(const std::string &text)
    {
      std::ostringstream out;
      out << std::hex << boost::hash_range(text.begin(), text.end());
      return out.str();
    }
  } // namespace



  // What a checkpoint belongs to: the network's architecture, the
  // optimiser, and the problem (hashes of the subsections that define J;
  // the trainer adds the mesh). 'Trainer', 'Output' and the solvers' tolerances
  // may change between a run and its resumption.
  template <int dim>
  std::vector<std::pair<std::string, std::string>>
  checkpoint_fingerprint(const ParameterHandler    &prm,
                         const Network             &network,
                         const OptimizerParameters &optimizer_parameters)
  {
    std::stringstream xml;
    prm.print_parameters(xml, ParameterHandler::XML);
    boost::property_tree::ptree tree;
    boost::property_tree::read_xml(xml, tree);
    const auto &root         = tree.get_child("ParameterHandler");
    const auto  section_hash = [&](const std::string &xml_name) {
      std::string values;
      if (const auto child = root.get_child_optional(xml_name))
        collect_values(*child, values);
      return "hash:" + hash_of(values);
    };
    const std::string  methods[] = {"gradient-descent", "adam", "lbfgs"};
    std::ostringstream beta;
    beta << std::setprecision(17) << network.beta();
    return {{"dimension", std::to_string(dim)},
            {"neurons", std::to_string(network.n_neurons())},
            {"activation", activation_name(network.activation())},
            {"beta", beta.str()},
            {"input-map", network.maps_inputs() ? "true" : "false"},
            {"optimizer",
             methods[static_cast<int>(optimizer_parameters.method)] +
               (optimizer_parameters.random_features ? "+random-features" :
                                                       "")},
            {"Model", section_hash("Model")},
            {"Domain", section_hash("Domain")},
            {"Time", section_hash("Time")},
            {"Target_data", section_hash("Target_20data")}};
  }



  template <int dim>
  void
  run_training(ParameterHandler &prm, const std::string &command_line)
  {
    const MPI_Comm           comm = MPI_COMM_WORLD;
    ConditionalOStream       pcout(std::cout,
                             Utilities::MPI::this_mpi_process(comm) == 0);
    OutputParameters         output_parameters;
    NetworkParameters        network_parameters;
    TargetDataParameters     target_parameters;
    OptimizerParameters      optimizer_parameters;
    TrainerParameters        trainer_parameters;
    MeshAdaptationParameters adaptation_parameters;
    parse_all(prm,
              output_parameters,
              network_parameters,
              target_parameters,
              optimizer_parameters,
              trainer_parameters,
              adaptation_parameters);
    Output output(output_parameters, comm);
    output.write_run_record(prm,
                            command_line,
                            "network initialisation " +
                              std::to_string(network_parameters.seed) +
                              ", noise " +
                              std::to_string(target_parameters.noise_seed));

    with_timer(
      comm, pcout, output_parameters.timing_summary, [&](TimerOutput &timer) {
        pcout << "npde: training in " << dim << "D on "
              << Utilities::MPI::n_mpi_processes(comm) << " MPI rank(s)"
              << std::endl;
        FittingProblem<dim> fitting(
          prm, target_parameters, network_parameters, comm, timer, pcout);
        auto             &problem   = fitting.problem;
        auto             &target    = fitting.target;
        auto             &network   = fitting.network;
        auto             &objective = fitting.objective;
        StateSolver<dim> &state     = problem.state;

        // The true source g*, where it is known, for the output.
        const Expression *g_star = target.target_source();
        if (!(target.max_abs() > 0.))
          pcout << "   Warning: the data h are zero everywhere, so the "
                   "relative RMSE (divided by max|h|) is undefined: the "
                   "column 'rel. RMSE' and 'Trainer/Target relative RMSE' "
                   "use the RMSE itself instead."
                << std::endl;

        Trainer<dim> trainer(trainer_parameters,
                             optimizer_parameters,
                             objective,
                             network,
                             output.directory(),
                             comm,
                             pcout);
        // Each adaptation round first writes the fields on the mesh it is
        // about to change, as the series round-<r>.pvd.
        MeshAdaptation<dim> adaptation(
          adaptation_parameters, problem, target, objective, pcout);
        if (!adaptation.enabled())
          target.release_reference(); // the mesh will not change
        else
          trainer.set_mesh_adaptation(adaptation, [&](const unsigned int r) {
            TimerOutput::Scope scope(timer, "output");
            output.start_series("round-" + Utilities::int_to_string(r, 2));
            write_fitted_fields(
              output, problem, target, objective, network, g_star);
            output.start_series("solution");
          });
        trainer.set_fingerprint(
          checkpoint_fingerprint<dim>(prm, network, optimizer_parameters));
        trainer.run();
        on_rank_0(comm,
                  [&]() { network.save(output.directory() + "/network.txt"); });

        if (g_star)
          {
            const auto [error, norm] =
              source_error(state, target, network, *g_star, comm);
            if (norm > 0.)
              pcout << "\n   Relative L2 error of g_theta against g*: "
                    << error / norm << std::endl;
            else
              pcout << "\n   L2 error of g_theta against g* (g* = 0, so no "
                       "relative error): "
                    << error << std::endl;
          }
        pcout << "   Final relative RMSE: " << objective.relative_rmse()
              << "\n   Trained network: " << output.directory()
              << "/network.txt, history: " << output.directory()
              << "/history.csv" << std::endl;

        {
          TimerOutput::Scope scope(timer, "output");
          write_fitted_fields(
            output, problem, target, objective, network, g_star);
        }

        // The network is saved; a checkpoint that failed on the way is
        // still an error, since the run cannot be resumed from it.
        if (const std::string failures = trainer.checkpoint_failures();
            !failures.empty())
          throw InputError("Training finished and the trained network is in " +
                           output.directory() + "/network.txt, but " +
                           failures);
      });
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
    const unsigned int dim = prm.get_integer("Dimension");
    if (check_gradient)
      {
        const bool consistent =
          (dim == 1 ? run_gradient_check<1>(prm, command_line) :
           dim == 2 ? run_gradient_check<2>(prm, command_line) :
                      run_gradient_check<3>(prm, command_line));
        return consistent ? 0 : 1;
      }
    if (prm.get("Mode") == "train")
      {
        if (dim == 1)
          run_training<1>(prm, command_line);
        else if (dim == 2)
          run_training<2>(prm, command_line);
        else
          run_training<3>(prm, command_line);
      }
    else if (dim == 1)
      run_forward_problem<1>(prm, command_line);
    else if (dim == 2)
      run_forward_problem<2>(prm, command_line);
    else
      run_forward_problem<3>(prm, command_line);
    return 0;
  }



  template void
  run_forward_problem<1>(ParameterHandler &, const std::string &);
  template void
  run_forward_problem<2>(ParameterHandler &, const std::string &);
  template void
  run_forward_problem<3>(ParameterHandler &, const std::string &);
} // namespace npde
