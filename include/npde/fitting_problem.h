// ---------------------------------------------------------------------------
// npde: what a run that fits the network works on.
//
// Training and `--check-gradient` both need the forward problem, its target
// data, the network and the reduced objective J(θ) over the blocks of the
// parametric terms, set up in one order: the mesh and the data first, since
// the network's input map needs the domain, and the objective last, since
// it couples the other three. The
// forward mode creates its (untrained) network the same way, through
// create_network().
// ---------------------------------------------------------------------------
#ifndef npde_fitting_problem_h
#define npde_fitting_problem_h

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/timer.h>

#include <npde/forward_problem.h>
#include <npde/misfit.h>
#include <npde/network.h>
#include <npde/objective.h>

namespace npde
{
  using namespace dealii;

  /**
   * What a run that fits the network (training, --check-gradient) works on:
   * the forward problem, its data, the network and the reduced objective,
   * set up in this order, with the mesh and the network described on pcout.
   */
  template <int dim>
  struct FittingProblem
  {
    /// The misfit is the one `Target data/Source` names (misfit.h).
    FittingProblem(ParameterHandler        &prm,
                   const NetworkParameters &network_parameters,
                   const MPI_Comm           comm,
                   TimerOutput             &timer,
                   ConditionalOStream      &pcout);

    ForwardProblem<dim>          problem;
    std::unique_ptr<Misfit<dim>> misfit;
    Network                      network;
    Objective<dim>               objective;

  private:
    /// The misfit of `Target data`, or HYCO's J_P around it (`Mode =
    /// hyco`).
    static std::unique_ptr<Misfit<dim>>
    create_fitting_misfit(ParameterHandler          &prm,
                          const ForwardProblem<dim> &problem,
                          TimerOutput               &timer,
                          ConditionalOStream        &pcout);

    /// Set up the problem and the data (the network's input map needs the
    /// domain), then create the network.
    Network
    setup_and_create_network(const NetworkParameters &network_parameters,
                             ConditionalOStream      &pcout);
  };

  /// The network of a run: loaded or drawn as the parameters say, with the
  /// input map of the problem's domain and time interval if asked for.
  template <int dim>
  Network
  create_network(const NetworkParameters   &parameters,
                 const ForwardProblem<dim> &problem);
} // namespace npde

#endif
