// ---------------------------------------------------------------------------
// npde: the reduced objective J(θ) and its exact gradient.
// ---------------------------------------------------------------------------
#include <npde/objective.h>

#include <cmath>

namespace npde
{
  template <int dim>
  Objective<dim>::Objective(ForwardProblem<dim> &problem,
                            Network             &network,
                            TargetData<dim>     &target,
                            TimerOutput         &timer)
    : problem(problem)
    , network(network)
    , target(target)
    , timer(timer)
    , adjoint_solver(problem.state, timer)
  {
  }



  template <int dim>
  void
  Objective<dim>::setup()
  {
    adjoint_solver.setup();
    misfit_gradient.clear(); // the layout may have changed with the mesh
  }



  template <int dim>
  double
  Objective<dim>::value(const Vector<double> &theta)
  {
    return forward(theta, nullptr);
  }



  // θ → g_θ at the source points → forward sweep → misfit (and r^n).
  template <int dim>
  double
  Objective<dim>::forward(const Vector<double> &theta,
                          std::vector<typename StateSolver<dim>::VectorType> *r)
  {
    network.parameters() = theta;
    {
      TimerOutput::Scope t(timer, "network: forward");
      network.evaluate(problem.state.times(),
                       problem.state.source_point_coordinates(),
                       g_values);
    }
    problem.state.solve(&g_values);
    {
      TimerOutput::Scope t(timer, "misfit");
      last_data_misfit = target.misfit(r);
    }
    return last_data_misfit + 0.5 * target.regularization() * (theta * theta);
  }



  template <int dim>
  double
  Objective<dim>::value_and_gradient(const Vector<double> &theta,
                                     Vector<double>       &gradient)
  {
    const double J = forward(theta, &misfit_gradient);
    adjoint_solver.solve(misfit_gradient);
    adjoint_solver.source_weights(weights);
    Vector<double> local(network.n_parameters());
    {
      TimerOutput::Scope t(timer, "network: backward");
      network.add_weighted_gradient(problem.state.times(),
                                    problem.state.source_point_coordinates(),
                                    weights,
                                    local);
    }
    // Every rank holds its own points' part; θ and ∇J are the same on all.
    gradient.reinit(network.n_parameters());
    Utilities::MPI::sum(ArrayView<const double>(local.begin(), local.size()),
                        problem.domain.triangulation().get_communicator(),
                        ArrayView<double>(gradient.begin(), gradient.size()));
    gradient.add(target.regularization(), theta);
    return J;
  }



  template <int dim>
  double
  Objective<dim>::data_misfit() const
  {
    return last_data_misfit;
  }



  template <int dim>
  double
  Objective<dim>::relative_rmse() const
  {
    return std::sqrt(last_data_misfit) / target.max_abs();
  }



  template <int dim>
  unsigned int
  Objective<dim>::n_dofs() const
  {
    return problem.state.dof_handler().n_dofs();
  }



  template <int dim>
  const AdjointSolver<dim> &
  Objective<dim>::adjoint() const
  {
    return adjoint_solver;
  }



  std::vector<double>
  TaylorTestResult::rates(const std::vector<double> &remainders) const
  {
    std::vector<double> r;
    for (unsigned int i = 1; i < remainders.size(); ++i)
      r.push_back(std::log(remainders[i - 1] / remainders[i]) /
                  std::log(epsilons[i - 1] / epsilons[i]));
    return r;
  }



  template <int dim>
  TaylorTestResult
  taylor_test(Objective<dim>       &objective,
              const Vector<double> &theta,
              const Vector<double> &direction,
              const double          epsilon,
              const unsigned int    halvings,
              const double          fd_step)
  {
    TaylorTestResult result;
    Vector<double>   gradient;
    const double     J0 = objective.value_and_gradient(theta, gradient);
    result.directional_derivative = gradient * direction;

    for (unsigned int i = 0; i <= halvings; ++i)
      {
        const double   eps       = epsilon / std::pow(2., i);
        Vector<double> perturbed = theta;
        perturbed.add(eps, direction);
        const double J = objective.value(perturbed);
        result.epsilons.push_back(eps);
        result.zeroth_order.push_back(std::abs(J - J0));
        result.first_order.push_back(
          std::abs(J - J0 - eps * result.directional_derivative));
      }

    Vector<double> plus = theta, minus = theta;
    plus.add(fd_step, direction);
    minus.add(-fd_step, direction);
    result.central_difference =
      (objective.value(plus) - objective.value(minus)) / (2. * fd_step);
    objective.value(theta);
    return result;
  }



  template class Objective<1>;
  template class Objective<2>;
  template class Objective<3>;
  template TaylorTestResult
  taylor_test(Objective<1> &,
              const Vector<double> &,
              const Vector<double> &,
              double,
              unsigned int,
              double);
  template TaylorTestResult
  taylor_test(Objective<2> &,
              const Vector<double> &,
              const Vector<double> &,
              double,
              unsigned int,
              double);
  template TaylorTestResult
  taylor_test(Objective<3> &,
              const Vector<double> &,
              const Vector<double> &,
              double,
              unsigned int,
              double);
} // namespace npde
