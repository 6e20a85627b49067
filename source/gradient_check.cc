// ---------------------------------------------------------------------------
// npde: `npde --check-gradient file.prm`, the Taylor test for users.
//
// After changing the physics, the activation or the data, a user can check
// that the gradient the adjoint delivers is the gradient of the objective
// the forward problem defines, as with dolfin-adjoint's taylor_test: in a
// random direction δθ, |J(θ+εδθ) − J(θ) − ε∇J·δθ| must fall like ε², four
// times as fast as ε halves, while |J(θ+εδθ) − J(θ)| falls like ε.
// ---------------------------------------------------------------------------
#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/timer.h>
#include <deal.II/base/utilities.h>

#include <npde/fitting_problem.h>
#include <npde/objective.h>
#include <npde/output.h>
#include <npde/output_fields.h>
#include <npde/run_modes.h>
#include <npde/taylor_test.h>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>

#include <cmath>
#include <iomanip>
#include <iostream>
#include <string>

namespace npde
{
  namespace
  {
    // The remainders of the Taylor test and their rates as a table, J(θ),
    // and ∇J·δθ against a central difference of J. Returns the relative
    // difference of the last two.
    template <int dim>
    double
    print_taylor_table(const TaylorTestResult &result,
                       Objective<dim>         &objective,
                       const Vector<double>   &theta,
                       ConditionalOStream     &pcout)
    {
      const auto rates0 = result.rates(result.zeroth_order);
      const auto rates1 = result.rates(result.first_order);

      const double J = objective.value(theta);
      pcout << "\n   J(theta) = " << std::setprecision(10) << J
            << ", relative RMSE " << objective.relative_rmse()
            << std::setprecision(6) << "\n\n"
            << "   epsilon     |J(th+e*d)-J(th)|  rate   "
               "|J(th+e*d)-J(th)-e*dJ.d|  rate\n";
      for (unsigned int i = 0; i < result.epsilons.size(); ++i)
        {
          pcout << "   " << std::scientific << std::setprecision(3)
                << result.epsilons[i] << "   " << result.zeroth_order[i]
                << "          " << std::fixed << std::setprecision(2)
                << (i > 0 ? rates0[i - 1] : 0.) << "   " << std::scientific
                << std::setprecision(3) << result.first_order[i]
                << "                 " << std::fixed << std::setprecision(2);
          if (i > 0)
            pcout << rates1[i - 1];
          else
            pcout << "  - ";
          pcout << std::endl;
        }
      const double fd_error =
        std::abs(result.directional_derivative - result.central_difference) /
        std::abs(result.central_difference);
      pcout << std::scientific << std::setprecision(10)
            << "\n   grad J . d           = " << result.directional_derivative
            << "\n   central difference   = " << result.central_difference
            << std::setprecision(2) << "  (relative difference " << fd_error
            << ")" << std::defaultfloat << std::setprecision(6) << std::endl;

      return fd_error;
    }



    // The run itself, once `Dimension` is known.
    template <int dim>
    bool
    gradient_check(ParameterHandler &prm, const std::string &command_line)
    {
      const MPI_Comm     comm = MPI_COMM_WORLD;
      ConditionalOStream pcout(std::cout,
                               Utilities::MPI::this_mpi_process(comm) == 0);
      OutputParameters   output_parameters;
      NetworkParameters  network_parameters;
      parse_all(prm, output_parameters, network_parameters);
      Output output(output_parameters, comm);
      output.write_run_record(prm,
                              command_line,
                              "network initialisation " +
                                std::to_string(network_parameters.seed) +
                                ", direction " +
                                std::to_string(network_parameters.seed + 1));

      bool consistent = false;
      with_timer(
        comm, pcout, output_parameters.timing_summary, [&](TimerOutput &timer) {
          pcout
            << "npde --check-gradient: Taylor test of the adjoint gradient in "
            << dim << "D on " << Utilities::MPI::n_mpi_processes(comm)
            << " MPI rank(s)" << std::endl;
          FittingProblem<dim> fitting(
            prm, network_parameters, comm, timer, pcout);
          auto &objective = fitting.objective;
          auto &network   = fitting.network;
          fitting.misfit->release(); // the mesh does not change

          // A random direction, the same on every rank.
          const Vector<double>   theta = network.parameters();
          Vector<double>         direction(theta.size());
          boost::random::mt19937 generator(network_parameters.seed + 1);
          boost::random::normal_distribution<double> normal;
          for (auto &d : direction)
            d = normal(generator);

          const TaylorTestResult result =
            taylor_test(objective, theta, direction, 1e-2, 5, 1e-5);
          const double fd_error =
            print_taylor_table(result, objective, theta, pcout);

          consistent = result.rates_are_consistent() && fd_error < 1e-6;
          pcout
            << "\n   "
            << (consistent ?
                  "The gradient is consistent: the first-order remainder "
                  "converges with rate 2 (at least 1.9 over the last three "
                  "halvings) and the directional derivative matches a "
                  "central difference." :
                  "The gradient is NOT consistent with the objective: a rate "
                  "of the last three halvings is below 1.9 or the central "
                  "difference disagrees. If you "
                  "changed the physics, check 'Model/Reaction derivative'; "
                  "if Newton's tolerance is loose, tighten it.")
            << std::endl;

          // What the user can look at in ParaView, at θ.
          TimerOutput::Scope scope(timer, "output");
          write_fitted_fields(output,
                              fitting.problem,
                              *fitting.misfit,
                              objective,
                              network,
                              nullptr);
        });
      return consistent;
    }
  } // namespace



  bool
  run_gradient_check(ParameterHandler &prm, const std::string &command_line)
  {
    return dispatch_dimension(prm.get_integer("Dimension"), [&](auto d) {
      return gradient_check<decltype(d)::value>(prm, command_line);
    });
  }
} // namespace npde
