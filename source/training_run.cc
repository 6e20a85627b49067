// ---------------------------------------------------------------------------
// npde: `Mode = train`, fit the network to the target data.
//
// The fitting problem (forward problem, data, network, objective) is set up
// first; the trainer then runs the optimiser, with mesh adaptation between
// rounds if asked for, and checkpoints that carry a fingerprint of what they
// belong to. At the end the trained network, its error against g* where g*
// is known, and the fitted fields are written.
// ---------------------------------------------------------------------------
#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/timer.h>
#include <deal.II/base/utilities.h>

#include <npde/expression.h>
#include <npde/field_data.h>
#include <npde/fitting_problem.h>
#include <npde/input_check.h>
#include <npde/mesh_adaptation.h>
#include <npde/optimizer.h>
#include <npde/output.h>
#include <npde/output_fields.h>
#include <npde/run_modes.h>
#include <npde/trainer.h>

#include <boost/functional/hash.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace npde
{
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
                 const Network          &network,
                 const Expression       &g_star,
                 const MPI_Comm          comm)
    {
      std::vector<Vector<double>> g;
      network.evaluate(state.time_grid().times(),
                       state.source_operators().coordinates(),
                       g);
      const auto &points = state.source_operators().points();
      const auto &JxW    = state.source_operators().JxW();
      double      error = 0, norm = 0;
      for (unsigned int n = 0; n <= state.time_grid().n_steps(); ++n)
        for (unsigned int q = 0; q < points.size(); ++q)
          {
            double xt[dim + 1];
            for (unsigned int d = 0; d < dim; ++d)
              xt[d] = points[q][d];
            xt[dim]         = state.time_grid().times()[n];
            const double gs = g_star(xt);
            const double w  = state.time_grid().time_weight(n) * JxW[q];
            error += w * (g[n][q] - gs) * (g[n][q] - gs);
            norm += w * gs * gs;
          }
      return {std::sqrt(Utilities::MPI::sum(error, comm)),
              std::sqrt(Utilities::MPI::sum(norm, comm))};
    }



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



    // What a checkpoint belongs to: the network's architecture, the
    // optimiser, and the problem (hashes of the subsections that define J;
    // the trainer adds the mesh). 'Trainer', 'Output' and the solvers'
    // tolerances may change between a run and its resumption.
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
      // The method's registered name, as one word.
      const std::string method =
        Utilities::replace_in_string(optimizer_parameters.method, " ", "-");
      std::ostringstream beta;
      beta << std::setprecision(17) << network.beta();
      std::vector<std::pair<std::string, std::string>> fields = {
              {"dimension", std::to_string(dim)},
              {"neurons", std::to_string(network.n_neurons())},
              {"activation", activation_name(network.activation())},
              {"beta", beta.str()},
              {"input-map", network.maps_inputs() ? "true" : "false"},
              {"optimizer",
               method + (optimizer_parameters.random_features ?
                           "+random-features" :
                           "")},
              {"Model", section_hash("Model")},
              {"Domain", section_hash("Domain")},
              {"Time", section_hash("Time")},
              {"Target_data", section_hash("Target_20data")}};
      // (A HYCO run also belongs to its HYCO section; a plain training run
      // does not, so that the unused section may change.)
      if (prm.get("Mode") == "hyco")
        fields.emplace_back("HYCO", section_hash("HYCO"));
      return fields;
    }



    // The trained network against what is known of the truth: g* if the
    // data were made from one, and the misfit in any case.
    template <int dim>
    void
    report_trained_network(const FittingProblem<dim> &fitting,
                           const Expression          *g_star,
                           const std::string         &true_constants,
                           const Output              &output,
                           const MPI_Comm             comm,
                           ConditionalOStream        &pcout)
    {
      // The trained constants, against their true values where given.
      const auto trained = fitting.objective.reported_values();
      const auto truth =
        parse_constants(true_constants, "Target data/True constants", dim);
      if (!trained.empty())
        pcout << "\n   Trained constants:";
      for (const auto &[name, value] : trained)
        {
          pcout << "\n     " << name << " = " << std::setprecision(8) << value;
          if (truth.count(name) > 0 && truth.at(name) != 0.)
            pcout << "   (true " << truth.at(name) << ", relative error "
                  << std::abs(value - truth.at(name)) / std::abs(truth.at(name))
                  << ")";
          pcout << std::setprecision(6);
        }
      if (!trained.empty())
        pcout << std::endl;
      // (Without the network in the source there is no g_θ to compare.)
      if (g_star && fitting.objective.has_term("network"))
        {
          const auto [error, norm] =
            source_error(fitting.problem.state, fitting.network, *g_star, comm);
          if (norm > 0.)
            pcout << "\n   Relative L2 error of g_theta against g*: "
                  << error / norm << std::endl;
          else
            pcout << "\n   L2 error of g_theta against g* (g* = 0, so no "
                     "relative error): "
                  << error << std::endl;
        }
      // What 'Linear solver = automatic' chose, and how hard Newton worked,
      // in the last forward sweep.
      const auto &stats = fitting.problem.state.statistics();
      pcout << "   Linear solver: " << stats.linear_solver_method;
      if (stats.linear_solver_method.rfind("direct", 0) == 0 &&
          stats.n_linear_iterations > stats.n_linear_solves)
        pcout << " of a frozen Jacobian, preconditioning CG or GMRES on the "
                 "exact one";
      if (!stats.newton_iterations.empty())
        pcout << "; last sweep: "
              << std::accumulate(stats.newton_iterations.begin(),
                                 stats.newton_iterations.end(),
                                 0.) /
                   stats.newton_iterations.size()
              << " Newton iterations per step, " << stats.n_linear_solves
              << " linear solves with " << stats.n_linear_iterations
              << " iterations, " << stats.n_solver_setups
              << " solver set-ups";
      pcout << std::endl;
      pcout << "   Final relative RMSE: " << fitting.objective.relative_rmse()
            << "\n   "
            << (fitting.objective.has_term("network") ? "Trained network" :
                                                        "Network (not trained)")
            << ": " << output.directory()
            << "/network.txt, history: " << output.directory() << "/history.csv"
            << std::endl;
    }



    // The run itself, once `Dimension` is known, in four stages:
    // - the run record, written before anything is computed, names the
    //   seeds of the network and of the data noise, so that the run can be
    //   repeated exactly, and so that even a failed run leaves its
    //   parameters behind;
    // - the fitting problem and the trainer, with the mesh adaptation
    //   between rounds if it is enabled (otherwise the reference
    //   simulation's mesh is dropped at once: it will not be needed again)
    //   and the fingerprint that ties the checkpoints to this problem;
    // - the training itself, after which the network is saved first, since
    //   it is what the run is for;
    // - the report and the fitted fields, and last the verdict on the
    //   checkpoints.
    template <int dim>
    void
    training_run(ParameterHandler &prm, const std::string &command_line)
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
            prm, network_parameters, comm, timer, pcout);
          auto &problem   = fitting.problem;
          auto &target    = *fitting.misfit;
          auto &network   = fitting.network;
          auto &objective = fitting.objective;

          // The true source g*, where it is known, for the output.
          const Expression *g_star = target.true_source();
          if (!(target.data_scale() > 0.))
            pcout << "   Warning: the data h are zero everywhere, so the "
                     "relative RMSE (divided by max|h|) is undefined: the "
                     "column 'rel. RMSE' and 'Trainer/Target relative RMSE' "
                     "use the RMSE itself instead."
                  << std::endl;

          Trainer trainer(trainer_parameters,
                          optimizer_parameters,
                          objective,
                          output.directory(),
                          comm,
                          pcout);
          // Each adaptation round first writes the fields on the mesh it is
          // about to change, as the series round-<r>.pvd.
          MeshAdaptation<dim> adaptation(
            adaptation_parameters, problem, target, objective, pcout);
          if (!adaptation.enabled())
            target.release(); // the mesh will not change
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
          on_rank_0(comm, [&]() {
            network.save(output.directory() + "/network.txt");
          });

          prm.enter_subsection("Target data");
          const std::string true_constants = prm.get("True constants");
          prm.leave_subsection();
          report_trained_network(
            fitting, g_star, true_constants, output, comm, pcout);

          {
            TimerOutput::Scope scope(timer, "output");
            write_fitted_fields(
              output, problem, target, objective, network, g_star);
            target.write_results(output.directory());
          }

          // The network is saved; a checkpoint that failed on the way is
          // still an error, since the run cannot be resumed from it.
          if (const std::string failures = trainer.checkpoint_failures();
              !failures.empty())
            throw InputError(
              "Training finished and the trained network is in " +
              output.directory() + "/network.txt, but " + failures);
        });
    }
  } // namespace



  void
  run_training(ParameterHandler &prm, const std::string &command_line)
  {
    dispatch_dimension(prm.get_integer("Dimension"), [&](auto d) {
      training_run<decltype(d)::value>(prm, command_line);
    });
  }
} // namespace npde
