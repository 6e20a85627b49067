// ---------------------------------------------------------------------------
// npde: L-BFGS with a backtracking (Armijo) line search.
// ---------------------------------------------------------------------------
#include <npde/lbfgs.h>

#include <algorithm>

namespace npde
{
  namespace
  {
    const OptimizerParameters::Registration lbfgs(
      "lbfgs",
      "L-BFGS with a backtracking line search.",
      [](ParameterHandler &prm) {
        auto parameters = std::make_unique<LBFGSParameters>();
        parameters->parse_parameters(prm);
        return parameters;
      },
      &LBFGSParameters::declare_parameters);
  } // namespace



  void
  LBFGSParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.declare_entry("L-BFGS history",
                      "10",
                      Patterns::Integer(1),
                      "How many (s, y) pairs L-BFGS keeps.");
  }



  void
  LBFGSParameters::parse_parameters(ParameterHandler &prm)
  {
    history = prm.get_integer("L-BFGS history");
  }



  bool
  LBFGSParameters::uses_learning_rate() const
  {
    return false;
  }



  std::unique_ptr<Optimizer>
  LBFGSParameters::create_optimizer(const OptimizerParameters &parameters,
                                    const Vector<double>      &scale,
                                    const std::vector<bool>   &trainable) const
  {
    return std::make_unique<LBFGS>(parameters, *this, scale, trainable);
  }



  LBFGS::LBFGS(const OptimizerParameters &parameters,
               const LBFGSParameters     &lbfgs_parameters,
               const Vector<double>      &scale,
               const std::vector<bool>   &trainable)
    : Optimizer(parameters, scale, trainable)
    , lbfgs_parameters(lbfgs_parameters)
  {
  }



  // At the start of a line search the point, its loss and gradient are
  // kept (the Armijo test and the next pair need them), and the direction
  // is the two-loop recursion's −H g. Without history H is the identity
  // scaled so that the first trial step is at most 1 long. A direction that
  // does not descend (curvature pairs of a changed landscape) throws the
  // history away.
  Vector<double>
  LBFGS::propose(const Vector<double> &theta,
                 const double          J,
                 const Vector<double> &g_full)
  {
    const Vector<double> g = masked(g_full);
    if (!in_line_search)
      {
        x                     = theta;
        fx                    = J;
        gx                    = g;
        direction             = g;
        const unsigned int  k = s_history.size();
        std::vector<double> a(k), rho(k);
        for (int i = int(k) - 1; i >= 0; --i)
          {
            rho[i] = 1. / (y_history[i] * s_history[i]);
            a[i]   = rho[i] * (s_history[i] * direction);
            direction.add(-a[i], y_history[i]);
          }
        if (k > 0)
          direction *= (s_history[k - 1] * y_history[k - 1]) /
                       (y_history[k - 1] * y_history[k - 1]);
        else
          direction *= 1. / std::max(1., g.l2_norm());
        for (unsigned int i = 0; i < k; ++i)
          {
            const double b = rho[i] * (y_history[i] * direction);
            direction.add(a[i] - b, s_history[i]);
          }
        direction *= -1.;
        if (direction * g >= 0.)
          {
            s_history.clear();
            y_history.clear();
            direction = g;
            direction *= -1. / std::max(1., g.l2_norm());
          }
        step           = 1.;
        in_line_search = true;
      }
    Vector<double> trial = x;
    trial.add(step, direction);
    return trial;
  }



  // A pair joins the history only if its curvature s·y is positive (up to
  // round-off), which keeps H positive definite.
  bool
  LBFGS::accept(const Vector<double> &theta_new,
                const double          J_new,
                const Vector<double> &g_new_full)
  {
    if (J_new > fx + 1e-4 * step * (gx * direction) && step > 1e-10)
      {
        step *= 0.5;
        return false;
      }
    Vector<double> s = theta_new, y = masked(g_new_full);
    s -= x;
    y -= gx;
    if (s * y > 1e-12 * s.l2_norm() * y.l2_norm())
      {
        s_history.push_back(s);
        y_history.push_back(y);
        if (s_history.size() > lbfgs_parameters.history)
          {
            s_history.erase(s_history.begin());
            y_history.erase(y_history.begin());
          }
      }
    in_line_search = false;
    return true;
  }



  void
  LBFGS::reject()
  {
    step *= parameters.rejection_factor;
  }



  void
  LBFGS::restart()
  {
    s_history.clear();
    y_history.clear();
    in_line_search = false;
    Optimizer::restart();
  }



  double
  LBFGS::learning_rate() const
  {
    return step;
  }



  void
  LBFGS::write_record(CheckpointRecord &record) const
  {
    record.fx             = fx;
    record.step           = step;
    record.in_line_search = in_line_search;
    record.x              = x;
    record.gx             = gx;
    record.direction      = direction;
    record.s_history      = s_history;
    record.y_history      = y_history;
  }



  void
  LBFGS::read_record(CheckpointRecord &record)
  {
    fx             = record.fx;
    step           = record.step;
    in_line_search = record.in_line_search;
    x              = std::move(record.x);
    gx             = std::move(record.gx);
    direction      = std::move(record.direction);
    s_history      = std::move(record.s_history);
    y_history      = std::move(record.y_history);
  }
} // namespace npde
