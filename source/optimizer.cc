// ---------------------------------------------------------------------------
// npde: optimisers for θ.
// ---------------------------------------------------------------------------
#include <npde/expression.h>
#include <npde/optimizer.h>

#include <deal.II/base/utilities.h>

#include <cmath>
#include <iomanip>
#include <istream>
#include <ostream>

namespace npde
{
  void
  OptimizerParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Optimizer");
    {
      prm.declare_entry("Method",
                        "adam",
                        Patterns::Selection("gradient descent|adam|lbfgs"),
                        "gradient descent: theta -= alpha N^(2 beta-1) grad J "
                        "(the paper's gradient flow); adam: Adam with the "
                        "learning rate alpha N^(2 beta-1) (the paper's "
                        "experiments); lbfgs: L-BFGS with a backtracking "
                        "line search.");
      prm.declare_entry("Learning rate",
                        "0.01",
                        Patterns::Double(0.),
                        "alpha (before the mean-field factor N^(2 beta-1)). "
                        "Not used by lbfgs, whose first trial step is 1.");
      prm.declare_entry("Adam beta1", "0.9", Patterns::Double(0., 1.), "");
      prm.declare_entry("Adam beta2", "0.999", Patterns::Double(0., 1.), "");
      prm.declare_entry("Adam epsilon", "1e-8", Patterns::Double(0.), "");
      prm.declare_entry("L-BFGS history",
                        "10",
                        Patterns::Integer(1),
                        "How many (s, y) pairs L-BFGS keeps.");
      prm.declare_entry("Schedule",
                        "constant",
                        Patterns::Selection("constant|plateau|step"),
                        "Learning-rate schedule: plateau multiplies alpha by "
                        "'Decay factor' when the loss has not improved for "
                        "'Patience' iterations (the paper: 0.95, 100); step "
                        "multiplies it every 'Step interval' iterations.");
      prm.declare_entry("Decay factor", "0.95", Patterns::Double(0., 1.), "");
      prm.declare_entry("Patience", "100", Patterns::Integer(1), "");
      prm.declare_entry("Step interval", "100", Patterns::Integer(1), "");
      prm.declare_entry("Random features",
                        "false",
                        Patterns::Bool(),
                        "Train only the output weights c; w, w^t and eta keep "
                        "their initial values.");
      prm.declare_entry(
        "Rejection factor",
        "0.5",
        Patterns::Double(0., 1.),
        "A rejected step (non-finite loss, Newton failure, "
        "exploding loss) multiplies the learning rate by this.");
    }
    prm.leave_subsection();
  }



  void
  OptimizerParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Optimizer");
    {
      const std::string m = prm.get("Method");
      method        = (m == "gradient descent" ? Method::gradient_descent :
                       m == "lbfgs"            ? Method::lbfgs :
                                                 Method::adam);
      learning_rate = prm.get_double("Learning rate");
      adam_beta1    = prm.get_double("Adam beta1");
      adam_beta2    = prm.get_double("Adam beta2");
      adam_epsilon  = prm.get_double("Adam epsilon");
      lbfgs_history = prm.get_integer("L-BFGS history");
      const std::string s = prm.get("Schedule");
      schedule            = (s == "plateau" ? Schedule::plateau :
                             s == "step"    ? Schedule::step :
                                              Schedule::constant);
      decay_factor        = prm.get_double("Decay factor");
      patience            = prm.get_integer("Patience");
      step_interval       = prm.get_integer("Step interval");
      random_features     = prm.get_bool("Random features");
      rejection_factor    = prm.get_double("Rejection factor");

      // What the patterns (closed intervals) cannot exclude: values that
      // make every step NaN (β = 1 divides by 1 − β^t = 0, ε = 0 divides
      // 0 by 0 where a gradient entry is 0) or that make training stand
      // still.
      const auto refuse = [](const std::string &name,
                             const double       value,
                             const std::string &why) {
        throw InputError("'Optimizer/" + name +
                         "' = " + Utilities::to_string(value) + ": " + why);
      };
      if (method == Method::adam)
        {
          if (adam_beta1 >= 1.)
            refuse("Adam beta1",
                   adam_beta1,
                   "it must be less than 1 (the bias correction divides by "
                   "1 - beta1^t). The usual value is 0.9.");
          if (adam_beta2 >= 1.)
            refuse("Adam beta2",
                   adam_beta2,
                   "it must be less than 1 (the bias correction divides by "
                   "1 - beta2^t). The usual value is 0.999.");
          if (!(adam_epsilon > 0.))
            refuse("Adam epsilon",
                   adam_epsilon,
                   "it must be greater than 0 (it keeps Adam's step finite "
                   "where a gradient entry is 0). The usual value is 1e-8.");
        }
      if (method != Method::lbfgs && !(learning_rate > 0.))
        refuse("Learning rate",
               learning_rate,
               "a learning rate of 0 never changes the network. Give a "
               "positive rate (the paper's Adam uses 0.01).");
      if (method != Method::lbfgs && schedule != Schedule::constant &&
          !(decay_factor > 0.))
        refuse("Decay factor",
               decay_factor,
               "the schedule would set the learning rate to 0 and training "
               "would stop. Give a factor in (0, 1], e.g. 0.95.");
      if (!(rejection_factor > 0. && rejection_factor < 1.))
        refuse("Rejection factor",
               rejection_factor,
               "a rejected step must cut the learning rate to a smaller, "
               "positive one: give a factor in (0, 1), e.g. 0.5.");
    }
    prm.leave_subsection();
  }



  Optimizer::Optimizer(const OptimizerParameters &parameters,
                       const double               scale,
                       const std::vector<bool>   &trainable)
    : parameters(parameters)
    , scale(scale)
    , trainable(trainable)
    , alpha(parameters.learning_rate)
    , m(trainable.size())
    , v(trainable.size())
  {
  }



  Vector<double>
  Optimizer::masked(const Vector<double> &g) const
  {
    Vector<double> h = g;
    for (unsigned int j = 0; j < h.size(); ++j)
      if (!trainable[j])
        h[j] = 0.;
    return h;
  }



  Vector<double>
  Optimizer::propose(const Vector<double> &theta,
                     const double          J,
                     const Vector<double> &g_full)
  {
    const Vector<double> g     = masked(g_full);
    Vector<double>       trial = theta;
    switch (parameters.method)
      {
        case OptimizerParameters::Method::gradient_descent:
          trial.add(-alpha * scale, g);
          break;

        case OptimizerParameters::Method::adam:
          {
            const double b1 = parameters.adam_beta1, b2 = parameters.adam_beta2;
            m_trial = m;
            v_trial = v;
            m_trial.sadd(b1, 1. - b1, g);
            for (unsigned int j = 0; j < g.size(); ++j)
              v_trial[j] = b2 * v[j] + (1. - b2) * g[j] * g[j];
            const unsigned int t = adam_steps + 1;
            const double c1 = 1. - std::pow(b1, t), c2 = 1. - std::pow(b2, t);
            for (unsigned int j = 0; j < g.size(); ++j)
              trial[j] -=
                alpha * scale * (m_trial[j] / c1) /
                (std::sqrt(v_trial[j] / c2) + parameters.adam_epsilon);
            break;
          }

        case OptimizerParameters::Method::lbfgs:
          {
            if (!in_line_search)
              {
                // The two-loop recursion: direction = −H g.
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
                    // Not a descent direction: start afresh.
                    s_history.clear();
                    y_history.clear();
                    direction = g;
                    direction *= -1. / std::max(1., g.l2_norm());
                  }
                step           = 1.;
                in_line_search = true;
              }
            trial = x;
            trial.add(step, direction);
            break;
          }
      }
    return trial;
  }



  bool
  Optimizer::accept(const Vector<double> &theta_new,
                    const double          J_new,
                    const Vector<double> &g_new_full)
  {
    switch (parameters.method)
      {
        case OptimizerParameters::Method::gradient_descent:
          return true;
        case OptimizerParameters::Method::adam:
          m = m_trial;
          v = v_trial;
          ++adam_steps;
          return true;
        default:
          {
            // Armijo: sufficient decrease along the direction.
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
                if (s_history.size() > parameters.lbfgs_history)
                  {
                    s_history.erase(s_history.begin());
                    y_history.erase(y_history.begin());
                  }
              }
            in_line_search = false;
            return true;
          }
      }
  }



  void
  Optimizer::reject()
  {
    if (parameters.method == OptimizerParameters::Method::lbfgs)
      step *= parameters.rejection_factor;
    else
      alpha *= parameters.rejection_factor;
  }



  void
  Optimizer::end_iteration(const double J)
  {
    ++iterations;
    if (parameters.method == OptimizerParameters::Method::lbfgs)
      return;
    if (parameters.schedule == OptimizerParameters::Schedule::plateau)
      {
        if (J < best * (1. - 1e-4))
          {
            best       = J;
            since_best = 0;
          }
        else if (++since_best > parameters.patience)
          {
            alpha *= parameters.decay_factor;
            since_best = 0;
          }
      }
    else if (parameters.schedule == OptimizerParameters::Schedule::step &&
             iterations % parameters.step_interval == 0)
      alpha *= parameters.decay_factor;
  }



  void
  Optimizer::restart()
  {
    s_history.clear();
    y_history.clear();
    in_line_search = false;
    best           = 1e300;
    since_best     = 0;
  }



  double
  Optimizer::learning_rate() const
  {
    return parameters.method == OptimizerParameters::Method::lbfgs ? step :
                                                                     alpha;
  }



  namespace
  {
    void
    write_vector(std::ostream &out, const Vector<double> &v)
    {
      out << v.size();
      for (const double x : v)
        out << ' ' << x;
      out << '\n';
    }

    // A vector of size 0 or @p size (a damaged file cannot make it allocate
    // more); false if it cannot be read.
    bool
    read_vector(std::istream &in, Vector<double> &v, const unsigned int size)
    {
      unsigned int n = 0;
      if (!(in >> n) || (n != 0 && n != size))
        return false;
      v.reinit(n);
      for (double &x : v)
        in >> x;
      return static_cast<bool>(in);
    }
  } // namespace



  void
  Optimizer::save(std::ostream &out) const
  {
    out << std::setprecision(17) << "optimizer " << alpha << ' ' << adam_steps
        << ' ' << fx << ' ' << step << ' ' << in_line_search << ' ' << best
        << ' ' << since_best << ' ' << iterations << '\n';
    write_vector(out, m);
    write_vector(out, v);
    write_vector(out, x);
    write_vector(out, gx);
    write_vector(out, direction);
    out << s_history.size() << '\n';
    for (unsigned int i = 0; i < s_history.size(); ++i)
      {
        write_vector(out, s_history[i]);
        write_vector(out, y_history[i]);
      }
  }



  bool
  Optimizer::load(std::istream &in, const unsigned int n_parameters)
  {
    std::string word;
    in >> word >> alpha >> adam_steps >> fx >> step >> in_line_search >> best >>
      since_best >> iterations;
    if (word != "optimizer" || !in)
      return false;
    for (Vector<double> *vector : {&m, &v, &x, &gx, &direction})
      if (!read_vector(in, *vector, n_parameters))
        return false;
    // Pair by pair, so that a damaged count cannot allocate in advance.
    unsigned int k = 0;
    if (!(in >> k))
      return false;
    s_history.clear();
    y_history.clear();
    for (unsigned int i = 0; i < k; ++i)
      {
        Vector<double> s, y;
        if (!read_vector(in, s, n_parameters) ||
            !read_vector(in, y, n_parameters))
          return false;
        s_history.push_back(std::move(s));
        y_history.push_back(std::move(y));
      }
    return true;
  }
} // namespace npde
