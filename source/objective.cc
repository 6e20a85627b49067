// ---------------------------------------------------------------------------
// npde: the reduced objective J(θ) and its exact gradient.
// ---------------------------------------------------------------------------
#include <npde/objective.h>

#include <deal.II/base/multithread_info.h>

#include <npde/overlapped.h>

#include <algorithm>
#include <cmath>

namespace npde
{
  void
  ObjectiveParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Target data");
    prm.declare_entry("Tikhonov regularization",
                      "0",
                      Patterns::Double(0.),
                      "lambda in J = misfit + lambda/2 |theta|^2, theta the "
                      "network's weights (trainable physical constants are "
                      "not regularised).");
    prm.leave_subsection();
  }



  void
  ObjectiveParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Target data");
    regularization = prm.get_double("Tikhonov regularization");
    prm.leave_subsection();
  }



  template <int dim>
  Objective<dim>::Objective(ForwardProblem<dim> &problem,
                            std::vector<std::unique_ptr<ParametricTerm>> terms,
                            Misfit<dim>                                 &misfit,
                            TimerOutput                                 &timer,
                            const ObjectiveParameters &parameters)
    : parameters_(parameters)
    , problem(problem)
    , misfit(misfit)
    , timer(timer)
    , adjoint_solver(problem.state, timer)
    , terms(std::move(terms))
  {
    Assert(!this->terms.empty(), ExcMessage("J needs a parametric term."));
    mesh_change = problem.mesh_change_hooks.connect([this]() { setup(); });
  }



  namespace
  {
    std::vector<std::unique_ptr<ParametricTerm>>
    network_source_only(Network &network)
    {
      std::vector<std::unique_ptr<ParametricTerm>> terms;
      terms.push_back(std::make_unique<NetworkSource>(network));
      return terms;
    }
  } // namespace



  template <int dim>
  Objective<dim>::Objective(ForwardProblem<dim>       &problem,
                            Network                   &network,
                            Misfit<dim>               &misfit,
                            TimerOutput               &timer,
                            const ObjectiveParameters &parameters)
    : Objective(problem,
                network_source_only(network),
                misfit,
                timer,
                parameters)
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



  template <int dim>
  void
  Objective<dim>::allow_overlapped_sweeps(const bool allow)
  {
    allow_overlap = allow;
  }



  template <int dim>
  bool
  Objective<dim>::overlap_sweeps() const
  {
    // The misfit of level n needs only U^n, and the weights w^n only Λ^n
    // and Λ^{n+1}: a second thread can compute them level by level while a
    // sweep goes on. That is safe on one rank (with several, both threads
    // would need MPI at the same time) and without a reaction term (then
    // the sweeps use none of the matrices and buffers of the quadrature
    // points that the second thread's work could share with them). The sums run
    // in the same order, so the results are bitwise those computed after the
    // sweeps.
    return allow_overlap && misfit.allows_overlap() &&
           Utilities::MPI::n_mpi_processes(
             problem.domain.triangulation().get_communicator()) == 1 &&
           MultithreadInfo::n_threads() > 1 &&
           !problem.state.spatial_operator().has_reaction();
  }



  // θ → g_θ at the source points → forward sweep → misfit (and r^n).
  template <int dim>
  double
  Objective<dim>::forward(const Vector<double> &theta,
                          std::vector<typename StateSolver<dim>::VectorType> *r)
  {
    set_parameters(theta);
    {
      TimerOutput::Scope t(timer, "network: forward");
      // The sources' values at the points, summed over the terms (the
      // first term's values are taken as they are).
      for (unsigned int b = 0; b < terms.size(); ++b)
        {
          terms[b]->evaluate(problem.state.time_grid().times(),
                             problem.state.source_operators().coordinates(),
                             b == 0 ? g_values : term_values,
                             r != nullptr);
          for (unsigned int n = 0; b > 0 && n < g_values.size(); ++n)
            g_values[n] += term_values[n];
        }
    }
    // Trilinos vectors are made here, never in the second thread: making
    // one calls MPI (the Epetra communicator), which only this thread may.
    if (r != nullptr && r->size() != problem.state.time_grid().n_steps() + 1)
      r->assign(problem.state.time_grid().n_steps() + 1,
                problem.state.discretization().new_vector());
    if (!overlap_sweeps())
      {
        problem.state.solve(&g_values);
        TimerOutput::Scope t(timer, "misfit");
        last_data_misfit = misfit.value(r);
        misfit.finish_evaluation();
      }
    else
      {
        const double local = overlapped(
          [&](const auto &report) {
            problem.state.solve(&g_values,
                                [&](const unsigned int n) { report(n + 1); });
          },
          [&](const auto &wait, const auto &) {
            return misfit.local_value(r, [&](const unsigned int n) {
              wait(n + 1);
            });
          });
        TimerOutput::Scope t(timer, "misfit"); // (its time beyond the sweep)
        last_data_misfit = Utilities::MPI::sum(
          local, problem.domain.triangulation().get_communicator());
        misfit.finish_evaluation();
      }
    const Vector<double> regularized = regularized_part(theta);
    return last_data_misfit +
           0.5 * parameters_.regularization * (regularized * regularized);
  }



  template <int dim>
  void
  Objective<dim>::begin_trial()
  {
    misfit.begin_trial();
  }



  template <int dim>
  void
  Objective<dim>::end_trial(const bool accepted)
  {
    misfit.end_trial(accepted);
  }



  template <int dim>
  double
  Objective<dim>::value_and_gradient(const Vector<double> &theta,
                                     Vector<double>       &gradient)
  {
    const double   J = forward(theta, &misfit_gradient);
    Vector<double> local(n_parameters());
    // One backward pass per term, all with the same weights w^n = Bᵀμ^n.
    std::vector<std::unique_ptr<ParametricTerm::BackwardPass>> backward;
    for (const auto &term : terms)
      backward.push_back(
        term->backward_pass(problem.state.time_grid().times(),
                            problem.state.source_operators().coordinates(),
                            weights));
    if (!overlap_sweeps())
      {
        adjoint_solver.solve(misfit_gradient);
        adjoint_solver.source_weights(weights);
      }
    else
      {
        // Λ^K, Λ^{K−1}, … come in this order; μ^n needs Λ^n (the
        // (K−n+1)-th), or, for n = 0, Λ^1 (the K-th). While the second
        // thread waits for the next Λ, it starts the network's backward pass
        // on the levels whose weights it has made already; the rest is done
        // on all threads after the sweep.
        const unsigned int K = problem.state.time_grid().n_steps();
        overlapped(
          [&](const auto &report) {
            adjoint_solver.solve(misfit_gradient, [&](const unsigned int n) {
              report(K - n + 1);
            });
          },
          [&](const auto &wait, const auto &ready) {
            adjoint_solver.source_weights(weights, [&](const unsigned int n) {
              const unsigned int needed = (n == 0 ? K : K - n + 1);
              for (const auto &pass : backward)
                pass->advance(n + 1, [&]() { return ready(needed); });
              wait(needed);
            });
            return 0.;
          });
      }
    // The terms inside the operator: one pass over the trajectory each.
    for (unsigned int b = 0, offset = 0; b < terms.size(); ++b)
      {
        const unsigned int size = terms[b]->parameters().size();
        if (auto *model_term = dynamic_cast<ModelTerm<dim> *>(terms[b].get()))
          {
            TimerOutput::Scope t(timer, "constants: gradient");
            Vector<double>     block(size);
            model_term->add_adjoint_gradient(adjoint_solver, block);
            for (unsigned int i = 0; i < size; ++i)
              local[offset + i] += block[i];
          }
        offset += size;
      }
    {
      // (With overlapped sweeps: the part left after the adjoint sweep.)
      TimerOutput::Scope t(timer, "network: backward");
      // Each term's gradient into its block of θ.
      for (unsigned int b = 0, offset = 0; b < terms.size(); ++b)
        {
          Vector<double> block(terms[b]->parameters().size());
          backward[b]->add_to(block);
          for (unsigned int i = 0; i < block.size(); ++i)
            local[offset + i] += block[i];
          offset += block.size();
        }
    }
    // Every rank holds its own points' part; θ and ∇J are the same on all.
    gradient.reinit(n_parameters());
    Utilities::MPI::sum(ArrayView<const double>(local.begin(), local.size()),
                        problem.domain.triangulation().get_communicator(),
                        ArrayView<double>(gradient.begin(), gradient.size()));
    gradient.add(parameters_.regularization, regularized_part(theta));
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
    return misfit.relative_rmse(last_data_misfit);
  }



  template <int dim>
  unsigned int
  Objective<dim>::n_dofs() const
  {
    return problem.state.discretization().dof_handler().n_dofs();
  }



  // θ is the concatenation of the terms' blocks, in the order of terms.
  template <int dim>
  unsigned int
  Objective<dim>::n_parameters() const
  {
    unsigned int n = 0;
    for (const auto &term : terms)
      n += term->parameters().size();
    return n;
  }



  template <int dim>
  Vector<double>
  Objective<dim>::parameters() const
  {
    Vector<double> theta(n_parameters());
    unsigned int   offset = 0;
    for (const auto &term : terms)
      for (const double x : term->parameters())
        theta[offset++] = x;
    return theta;
  }



  template <int dim>
  void
  Objective<dim>::set_parameters(const Vector<double> &theta)
  {
    AssertDimension(theta.size(), n_parameters());
    unsigned int offset = 0;
    for (const auto &term : terms)
      {
        Vector<double> block(term->parameters().size());
        std::copy_n(theta.begin() + offset, block.size(), block.begin());
        term->set_parameters(block);
        offset += block.size();
      }
  }



  template <int dim>
  Vector<double>
  Objective<dim>::learning_rate_scales() const
  {
    Vector<double> scales(n_parameters());
    auto           entry = scales.begin();
    for (const auto &term : terms)
      entry = std::fill_n(entry,
                          term->parameters().size(),
                          term->learning_rate_scale());
    return scales;
  }



  template <int dim>
  std::vector<bool>
  Objective<dim>::trainable(const bool random_features) const
  {
    std::vector<bool> mask;
    for (const auto &term : terms)
      {
        const std::vector<bool> block = term->trainable(random_features);
        mask.insert(mask.end(), block.begin(), block.end());
      }
    return mask;
  }



  template <int dim>
  std::vector<HistoryColumn>
  Objective<dim>::history_columns() const
  {
    std::vector<HistoryColumn> columns{{"relative_rmse", "rel. RMSE", true}};
    for (const HistoryColumn &column : misfit.history_columns())
      columns.push_back(column);
    for (const auto &term : terms)
      for (const auto &[name, value] : term->reported_values())
        columns.push_back({name, name, false});
    columns.push_back({"n_dofs", "", false});
    return columns;
  }



  template <int dim>
  std::vector<double>
  Objective<dim>::history_values() const
  {
    std::vector<double> values{relative_rmse()};
    for (const double value : misfit.history_values())
      values.push_back(value);
    for (const auto &term : terms)
      for (const auto &[name, value] : term->reported_values())
        values.push_back(value);
    values.push_back(double(n_dofs()));
    return values;
  }



  // θ with the entries of the blocks that are not regularised set to zero.
  template <int dim>
  Vector<double>
  Objective<dim>::regularized_part(const Vector<double> &theta) const
  {
    Vector<double> r      = theta;
    unsigned int   offset = 0;
    for (const auto &term : terms)
      {
        const unsigned int size = term->parameters().size();
        if (!term->regularized())
          std::fill_n(r.begin() + offset, size, 0.);
        offset += size;
      }
    return r;
  }



  template <int dim>
  bool
  Objective<dim>::has_term(const std::string &name) const
  {
    return std::any_of(terms.begin(), terms.end(), [&](const auto &term) {
      return term->name() == name;
    });
  }



  template <int dim>
  std::vector<std::pair<std::string, double>>
  Objective<dim>::reported_values() const
  {
    std::vector<std::pair<std::string, double>> reported;
    for (const auto &term : terms)
      for (const auto &entry : term->reported_values())
        reported.push_back(entry);
    return reported;
  }



  template <int dim>
  std::vector<std::pair<std::string, std::string>>
  Objective<dim>::fingerprint() const
  {
    return {{"number-of-dofs", std::to_string(n_dofs())}};
  }



  template <int dim>
  void
  Objective<dim>::save(std::ostream &out) const
  {
    misfit.save(out);
  }



  template <int dim>
  bool
  Objective<dim>::load(std::istream &in)
  {
    return misfit.load(in);
  }



  template <int dim>
  const AdjointSolver<dim> &
  Objective<dim>::adjoint() const
  {
    return adjoint_solver;
  }



  template class Objective<1>;
  template class Objective<2>;
  template class Objective<3>;
} // namespace npde
