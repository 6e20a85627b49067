// ---------------------------------------------------------------------------
// npde: `Mode = forward`, solve the PDE once.
//
// The forward mode is the state solver on its own, as in deal.II's step-26:
// build the mesh, solve the θ-scheme from t = 0 to T, report ‖u_h‖ and write
// the trajectory at the output levels. With 'Network/Add to source', the
// untrained network g_θ adds to the source, which shows what a training run
// starts from.
// ---------------------------------------------------------------------------
#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/function.h>
#include <deal.II/base/timer.h>
#include <deal.II/base/utilities.h>

#include <npde/fitting_problem.h>
#include <npde/forward_problem.h>
#include <npde/input_check.h>
#include <npde/network.h>
#include <npde/output.h>
#include <npde/output_fields.h>
#include <npde/sampling.h>
#include <npde/run_modes.h>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <memory>
#include <vector>

namespace npde
{
  namespace
  {
    // What Newton and the linear solver did over the whole trajectory.
    template <int dim>
    void
    report_solver_statistics(const StateSolver<dim> &state,
                             const Output           &output,
                             ConditionalOStream     &pcout)
    {
      const auto  &stats      = state.statistics();
      unsigned int max_newton = 0, total_newton = 0;
      for (const unsigned int i : stats.newton_iterations)
        {
          max_newton = std::max(max_newton, i);
          total_newton += i;
        }
      pcout << "   Newton iterations per step: average "
            << double(total_newton) / state.time_grid().n_steps() << ", maximum "
            << max_newton << std::endl
            << "   Linear solves: " << stats.n_linear_solves
            << ", Jacobian assemblies: " << stats.n_jacobian_assemblies
            << std::endl
            << "   Output written to '" << output.directory() << "'"
            << std::endl;
    }



    // The run itself, once `Dimension` is known. The run record is written
    // before anything is computed, so that even a run that fails leaves the
    // parameters it failed with.
    template <int dim>
    void
    forward_run(ParameterHandler &prm, const std::string &command_line)
    {
      const MPI_Comm     comm = MPI_COMM_WORLD;
      ConditionalOStream pcout(std::cout,
                               Utilities::MPI::this_mpi_process(comm) == 0);

      OutputParameters   output_parameters;
      NetworkParameters  network_parameters;
      SamplingParameters sampling_parameters;
      parse_all(prm, output_parameters, network_parameters, sampling_parameters);
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

          ForwardProblem<dim> problem(prm, comm, timer, pcout);
          {
            TimerOutput::Scope t(timer, "mesh");
            problem.domain.create_mesh();
          }
          pcout << "   Mesh: " << problem.domain.description() << std::endl;
          problem.setup_state();

          StateSolver<dim> &state = problem.state;
          pcout << "   Degrees of freedom: " << state.discretization().dof_handler().n_dofs()
                << ", time steps: " << state.time_grid().n_steps()
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
              network->evaluate(state.time_grid().times(),
                                state.source_operators().coordinates(),
                                g_values);
            }

          state.solve(with_network ? &g_values : nullptr);

          // Report ‖u_h‖ at the output levels and at T, and write the
          // output levels: u, and g_θ if the network is part of the source.
          FieldSources<dim> sources(state);
          sources.network = network.get();
          Functions::ZeroFunction<dim> zero;
          for (unsigned int n = 0; n <= state.time_grid().n_steps(); ++n)
            if (output.is_output_level(n, state.time_grid().n_steps()) ||
                n == state.time_grid().n_steps())
              {
                pcout << "   t = " << std::setw(8) << std::left
                      << state.time_grid().times()[n]
                      << " ||u_h||_L2 = " << std::setprecision(12)
                      << state.l2_error(n, zero) << std::setprecision(6)
                      << std::endl;
                if (output.is_output_level(n, state.time_grid().n_steps()))
                  {
                    TimerOutput::Scope scope(timer, "output");
                    write_output_fields(output, sources, n);
                  }
              }

          if (network)
            on_rank_0(comm, [&]() {
              network->save(output.directory() + "/network.txt");
            });
          write_samples(sampling_parameters, problem, output.directory(), pcout);

          report_solver_statistics(state, output, pcout);
        });
    }
  } // namespace



  void
  run_forward_problem(ParameterHandler &prm, const std::string &command_line)
  {
    dispatch_dimension(prm.get_integer("Dimension"), [&](auto d) {
      forward_run<decltype(d)::value>(prm, command_line);
    });
  }
} // namespace npde
