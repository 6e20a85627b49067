// ---------------------------------------------------------------------------
// npde: Adam with the mean-field learning rate α N^{2β−1}.
// ---------------------------------------------------------------------------
#include <npde/adam.h>

#include <cmath>

namespace npde
{
  namespace
  {
    const OptimizerParameters::Registration adam(
      "adam",
      "Adam with the learning rate alpha N^(2 beta-1) (the paper's "
      "experiments).",
      [](ParameterHandler &prm) {
        auto parameters = std::make_unique<AdamParameters>();
        parameters->parse_parameters(prm);
        return parameters;
      },
      &AdamParameters::declare_parameters);
  } // namespace



  void
  AdamParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.declare_entry("Adam beta1", "0.9", Patterns::Double(0., 1.), "");
    prm.declare_entry("Adam beta2", "0.999", Patterns::Double(0., 1.), "");
    prm.declare_entry("Adam epsilon", "1e-8", Patterns::Double(0.), "");
  }



  // The closed intervals of the patterns admit values that make every step
  // NaN: β = 1 divides by 1 − β^t = 0, and ε = 0 divides 0 by 0 where a
  // gradient entry is 0.
  void
  AdamParameters::parse_parameters(ParameterHandler &prm)
  {
    beta1   = prm.get_double("Adam beta1");
    beta2   = prm.get_double("Adam beta2");
    epsilon = prm.get_double("Adam epsilon");
    if (beta1 >= 1.)
      OptimizerParameters::refuse(
        "Adam beta1",
        beta1,
        "it must be less than 1 (the bias correction divides by "
        "1 - beta1^t). The usual value is 0.9.");
    if (beta2 >= 1.)
      OptimizerParameters::refuse(
        "Adam beta2",
        beta2,
        "it must be less than 1 (the bias correction divides by "
        "1 - beta2^t). The usual value is 0.999.");
    if (!(epsilon > 0.))
      OptimizerParameters::refuse(
        "Adam epsilon",
        epsilon,
        "it must be greater than 0 (it keeps Adam's step finite "
        "where a gradient entry is 0). The usual value is 1e-8.");
  }



  std::unique_ptr<Optimizer>
  AdamParameters::create_optimizer(const OptimizerParameters &parameters,
                                   const Vector<double>      &scale,
                                   const std::vector<bool>   &trainable) const
  {
    return std::make_unique<Adam>(parameters, *this, scale, trainable);
  }



  Adam::Adam(const OptimizerParameters &parameters,
             const AdamParameters      &adam_parameters,
             const Vector<double>      &scale,
             const std::vector<bool>   &trainable)
    : Optimizer(parameters, scale, trainable)
    , adam_parameters(adam_parameters)
    , m(trainable.size())
    , v(trainable.size())
  {
  }



  // The trial's moments are computed from the committed ones, and t is the
  // number of accepted steps plus this one.
  Vector<double>
  Adam::propose(const Vector<double> &theta,
                const double,
                const Vector<double> &g_full)
  {
    const Vector<double> g     = masked(g_full);
    Vector<double>       trial = theta;
    const double         b1 = adam_parameters.beta1, b2 = adam_parameters.beta2;
    m_trial = m;
    v_trial = v;
    m_trial.sadd(b1, 1. - b1, g);
    for (unsigned int j = 0; j < g.size(); ++j)
      v_trial[j] = b2 * v[j] + (1. - b2) * g[j] * g[j];
    const unsigned int t  = adam_steps + 1;
    const double       c1 = 1. - std::pow(b1, t), c2 = 1. - std::pow(b2, t);
    for (unsigned int j = 0; j < g.size(); ++j)
      trial[j] -= alpha * scale[j] * (m_trial[j] / c1) /
                  (std::sqrt(v_trial[j] / c2) + adam_parameters.epsilon);
    return trial;
  }



  bool
  Adam::accept(const Vector<double> &, const double, const Vector<double> &)
  {
    m = m_trial;
    v = v_trial;
    ++adam_steps;
    return true;
  }



  void
  Adam::write_record(CheckpointRecord &record) const
  {
    record.adam_steps = adam_steps;
    record.m          = m;
    record.v          = v;
  }



  void
  Adam::read_record(CheckpointRecord &record)
  {
    adam_steps = record.adam_steps;
    m          = std::move(record.m);
    v          = std::move(record.v);
  }
} // namespace npde
