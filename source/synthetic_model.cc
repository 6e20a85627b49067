// ---------------------------------------------------------------------------
// npde: HYCO's synthetic model, the network u_S(t, x) and its functional J_S
// (see synthetic_model.h).
// ---------------------------------------------------------------------------
#include <npde/fitting_problem.h>
#include <npde/input_check.h>
#include <npde/synthetic_model.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <istream>
#include <map>
#include <ostream>
#include <sstream>

namespace npde
{
  template <int dim>
  SyntheticModel<dim>::SyntheticModel(
    const NetworkParameters   &network_parameters,
    const OptimizerParameters &optimizer_parameters,
    const SyntheticWeights    &weights,
    const ObservationTable    &training,
    const ObservationTable    *validation)
    : network_parameters(network_parameters)
    , optimizer_parameters(optimizer_parameters)
    , weights(weights)
    , training(training)
    , validation(validation)
    , training_groups(group_by_time(training))
  {
    if (validation)
      validation_groups = group_by_time(*validation);
    for (const double h : training.value)
      training_scale = std::max(training_scale, std::abs(h));
    for (unsigned int k = 0; validation && k < validation->size(); ++k)
      validation_scale = std::max(validation_scale, std::abs(validation->value[k]));
  }



  // Sensors that sample at common times (a sensor file has one row per
  // sensor and time) are evaluated time by time: one batched pass over the
  // points of each time. The groups are in the order of the times, and the
  // rows of each in the order of the table, so that the sums are the same
  // on every rank and in every run.
  template <int dim>
  std::vector<typename SyntheticModel<dim>::TimeGroup>
  SyntheticModel<dim>::group_by_time(const ObservationTable &table)
  {
    std::map<double, unsigned int> index;
    std::vector<TimeGroup>         groups;
    for (unsigned int k = 0; k < table.size(); ++k)
      {
        const auto [it, inserted] = index.emplace(table.t[k], groups.size());
        if (inserted)
          groups.push_back({table.t[k], {}, {}});
        TimeGroup &group = groups[it->second];
        group.rows.push_back(k);
        group.points.insert(group.points.end(),
                            &table.x[k * dim],
                            &table.x[k * dim] + dim);
      }
    std::sort(groups.begin(),
              groups.end(),
              [](const TimeGroup &a, const TimeGroup &b) { return a.t < b.t; });
    return groups;
  }



  // The network is made as the physical model's is (create_network()), so
  // that `Map inputs to [-1,1]` maps [0, T] and the domain's bounding box;
  // its learning rate carries the mean-field factor N^(2β−1) on every entry.
  template <int dim>
  void
  SyntheticModel<dim>::setup(const ForwardProblem<dim> &problem)
  {
    model = std::make_unique<Network>(
      create_network(network_parameters, problem));
    const double scale = std::pow(double(model->n_neurons()),
                                  2. * model->beta() - 1.);
    Vector<double> scales(model->n_parameters());
    scales = scale;
    optimizer = create_optimizer(optimizer_parameters,
                                 scales,
                                 std::vector<bool>(model->n_parameters(), true));
  }



  template <int dim>
  void
  SyntheticModel<dim>::set_interaction(const std::vector<double> &times,
                                       const std::vector<double> &points,
                                       const std::vector<double> &values)
  {
    AssertDimension(values.size(), times.size() * (points.size() / dim));
    interaction_times  = times;
    interaction_points = points;
    u_P                = values;
  }



  template <int dim>
  std::vector<double>
  SyntheticModel<dim>::interaction_values() const
  {
    std::vector<Vector<double>> u_S;
    model->evaluate(interaction_times, interaction_points, u_S);
    std::vector<double> out;
    out.reserve(u_P.size());
    for (const auto &level : u_S)
      out.insert(out.end(), level.begin(), level.end());
    return out;
  }



  // The data term at the rows of one table: u_S − h at each row, its
  // squares, and, for the training table, the backward pass with the
  // weights ∂J_S/∂u_S(t_k, x_k) = w_d (u_S − h_k)/(σ_k² M).
  template <int dim>
  double
  SyntheticModel<dim>::sensor_squares(const ObservationTable       &table,
                                      const std::vector<TimeGroup> &groups,
                                      Vector<double>               *gradient,
                                      double                       &misfit) const
  {
    const double M       = table.size();
    double       squares = 0.;
    misfit               = 0.;
    std::vector<Vector<double>> u_S, w(1);
    for (const TimeGroup &group : groups)
      {
        const std::vector<double> time(1, group.t);
        model->evaluate(time, group.points, u_S);
        w[0].reinit(group.rows.size());
        for (unsigned int i = 0; i < group.rows.size(); ++i)
          {
            const unsigned int k     = group.rows[i];
            const double       e     = u_S[0][i] - table.value[k];
            const double       sigma = table.sigma[k];
            squares += e * e;
            misfit += (e / sigma) * (e / sigma);
            w[0][i] = weights.data * e / (sigma * sigma * M);
          }
        if (gradient)
          model->add_weighted_gradient(time, group.points, w, *gradient);
      }
    misfit /= 2. * M;
    return squares;
  }



  // J_S and its gradient: the sensors of the training set, the interaction
  // points at the levels t_1..t_K with u_P fixed, and the Tikhonov term. The
  // validation set is only predicted.
  template <int dim>
  double
  SyntheticModel<dim>::value(const Vector<double> &theta,
                             Vector<double>       *gradient,
                             const bool            with_validation)
  {
    model->set_parameters(theta);
    if (gradient)
      {
        gradient->reinit(theta.size());
        gradient->add(weights.regularization, theta);
      }
    double       data_misfit = 0.;
    const double squares =
      sensor_squares(training, training_groups, gradient, data_misfit);
    rmse = std::sqrt(squares / training.size()) /
           (training_scale > 0. ? training_scale : 1.);
    if (validation && with_validation)
      {
        double unused = 0.;
        validation_rmse_ =
          std::sqrt(sensor_squares(*validation, validation_groups, nullptr, unused) /
                    validation->size()) /
          (validation_scale > 0. ? validation_scale : 1.);
      }

    J_interaction = 0.;
    if (!u_P.empty())
      {
        std::vector<Vector<double>> u_S, w;
        model->evaluate(interaction_times, interaction_points, u_S);
        const double n_values = u_P.size();
        w.resize(u_S.size());
        for (unsigned int n = 0; n < u_S.size(); ++n)
          {
            w[n].reinit(u_S[n].size());
            for (unsigned int m = 0; m < u_S[n].size(); ++m)
              {
                const double e = u_S[n][m] - u_P[n * u_S[n].size() + m];
                J_interaction += e * e;
                w[n][m] = weights.interaction * e / n_values;
              }
          }
        J_interaction /= n_values;
        if (gradient && weights.interaction != 0.)
          model->add_weighted_gradient(interaction_times,
                                       interaction_points,
                                       w,
                                       *gradient);
      }
    J = weights.data * data_misfit + 0.5 * weights.interaction * J_interaction +
        0.5 * weights.regularization * (theta * theta);
    return J;
  }



  // One step is one evaluation of J_S and ∇J_S at θ_S and the optimiser's
  // proposal from there (gradient descent and Adam accept every proposal).
  // The reported values are those of the last step's evaluation.
  // A step that makes θ_S or J_S non-finite stops the run: the synthetic
  // model's learning rate is too large.
  template <int dim>
  void
  SyntheticModel<dim>::step(const unsigned int n)
  {
    for (unsigned int i = 0; i < n; ++i)
      {
        const Vector<double> theta = model->parameters();
        Vector<double>       gradient;
        // (The validation set is predicted at the last step only: it is
        // reported, never used.)
        const double J_S = value(theta, &gradient, i + 1 == n);
        if (!std::isfinite(J_S) || !std::isfinite(gradient.l2_norm()))
          throw InputError(
            "HYCO: the synthetic model's loss J_S or its gradient is not "
            "finite (J_S = " +
            std::to_string(J_S) +
            "): lower 'HYCO/Synthetic optimizer/Learning rate' or the "
            "weights 'HYCO/Data weight' and 'HYCO/Synthetic interaction "
            "weight'.");
        const Vector<double> trial = optimizer->propose(theta, J_S, gradient);
        optimizer->accept(trial, J_S, gradient);
        optimizer->end_iteration(J_S);
        model->set_parameters(trial);
      }
  }



  template <int dim>
  void
  SyntheticModel<dim>::begin_tentative()
  {
    saved_theta = model->parameters();
    std::ostringstream out;
    optimizer->save(out);
    saved_optimizer = out.str();
  }



  template <int dim>
  void
  SyntheticModel<dim>::rollback()
  {
    model->set_parameters(saved_theta);
    std::istringstream in(saved_optimizer);
    const bool         ok = optimizer->load(in, model->n_parameters());
    (void)ok;
    Assert(ok, ExcInternalError());
  }



  template <int dim>
  double
  SyntheticModel<dim>::last_value() const
  {
    return J;
  }



  template <int dim>
  double
  SyntheticModel<dim>::last_interaction() const
  {
    return J_interaction;
  }



  template <int dim>
  double
  SyntheticModel<dim>::training_rmse() const
  {
    return rmse;
  }



  template <int dim>
  double
  SyntheticModel<dim>::validation_rmse() const
  {
    return validation ? validation_rmse_ : std::nan("");
  }



  template <int dim>
  const Network &
  SyntheticModel<dim>::network() const
  {
    return *model;
  }



  // θ_S with 17 digits (bitwise on reading), then the optimiser's state.
  template <int dim>
  void
  SyntheticModel<dim>::save(std::ostream &out) const
  {
    const Vector<double> &theta = model->parameters();
    out << std::setprecision(17) << "synthetic " << theta.size() << '\n';
    for (const double x : theta)
      out << x << '\n';
    optimizer->save(out);
  }



  template <int dim>
  bool
  SyntheticModel<dim>::load(std::istream &in)
  {
    std::string  word;
    unsigned int n = 0;
    if (!(in >> word >> n) || word != "synthetic" || n != model->n_parameters())
      return false;
    Vector<double> theta(n);
    for (double &x : theta)
      if (!(in >> x))
        return false;
    model->set_parameters(theta);
    return optimizer->load(in, n);
  }



  template class SyntheticModel<1>;
  template class SyntheticModel<2>;
  template class SyntheticModel<3>;
} // namespace npde
