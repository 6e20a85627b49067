// ---------------------------------------------------------------------------
// npde: what the optimisers for θ share — the common entries of subsection
// 'Optimizer', the learning rate and its schedules, the mask of trained
// parameters and the checkpoint record. The methods are in their own files.
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
  // 'Method' is chosen among the registered names, and its documentation is
  // the registered descriptions; each method declares its own entries
  // between the common ones.
  void
  OptimizerParameters::declare_parameters(ParameterHandler  &prm,
                                          const std::string &subsection)
  {
    prm.enter_subsection(subsection);
    {
      prm.declare_entry("Method",
                        "adam",
                        Registry::instance().selection(),
                        Registry::instance().documentation());
      prm.declare_entry("Learning rate",
                        "0.01",
                        Patterns::Double(0.),
                        "alpha (before the mean-field factor N^(2 beta-1)). "
                        "Not used by lbfgs, whose first trial step is 1.");
      Registry::instance().declare_parameters(prm);
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
  OptimizerParameters::refuse(const std::string &entry,
                              const double       value,
                              const std::string &why)
  {
    throw InputError("'Optimizer/" + entry +
                     "' = " + Utilities::to_string(value) + ": " + why);
  }



  void
  OptimizerParameters::parse_parameters(ParameterHandler  &prm,
                                        const std::string &subsection)
  {
    prm.enter_subsection(subsection);
    {
      method              = prm.get("Method");
      learning_rate       = prm.get_double("Learning rate");
      const std::string s = prm.get("Schedule");
      schedule            = (s == "plateau" ? Schedule::plateau :
                             s == "step"    ? Schedule::step :
                                              Schedule::constant);
      decay_factor        = prm.get_double("Decay factor");
      patience            = prm.get_integer("Patience");
      step_interval       = prm.get_integer("Step interval");
      random_features     = prm.get_bool("Random features");
      rejection_factor    = prm.get_double("Rejection factor");

      // The method parses its own entries, and refuses those of its values
      // that would make every step NaN.
      method_parameters = Registry::instance().create(method, prm);

      // What the patterns (closed intervals) cannot exclude among the
      // common entries: values that make training stand still.
      const bool steps_by_rate = method_parameters->uses_learning_rate();
      if (steps_by_rate && !(learning_rate > 0.))
        refuse("Learning rate",
               learning_rate,
               "a learning rate of 0 never changes the network. Give a "
               "positive rate (the paper's Adam uses 0.01).");
      if (steps_by_rate && schedule != Schedule::constant &&
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



  std::unique_ptr<Optimizer>
  create_optimizer(const OptimizerParameters &parameters,
                   const Vector<double>      &scale,
                   const std::vector<bool>   &trainable)
  {
    AssertThrow(parameters.method_parameters != nullptr,
                ExcMessage("The optimiser's parameters have not been parsed "
                           "(OptimizerParameters::parse_parameters())."));
    return parameters.method_parameters->create_optimizer(parameters,
                                                          scale,
                                                          trainable);
  }



  Optimizer::Optimizer(const OptimizerParameters &parameters,
                       const Vector<double>      &scale,
                       const std::vector<bool>   &trainable)
    : parameters(parameters)
    , scale(scale)
    , alpha(parameters.learning_rate)
    , trainable(trainable)
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



  void
  Optimizer::reject()
  {
    alpha *= parameters.rejection_factor;
  }



  // The schedules act on α only; a method that does not step by α (L-BFGS)
  // still counts the iteration, which is part of its checkpoint.
  void
  Optimizer::end_iteration(const double J)
  {
    ++iterations;
    if (!parameters.method_parameters->uses_learning_rate())
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
    best       = 1e300;
    since_best = 0;
  }



  double
  Optimizer::learning_rate() const
  {
    return alpha;
  }



  void
  Optimizer::write_record(CheckpointRecord &) const
  {
  }



  void
  Optimizer::read_record(CheckpointRecord &)
  {
  }



  void
  Optimizer::save_state(std::ostream &) const
  {
  }



  bool
  Optimizer::load_state(std::istream &, const unsigned int)
  {
    return true;
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



  // The record as the single class wrote it: Adam's moments were always of
  // the network's size (zero for the other methods), L-BFGS's vectors empty
  // until its first step.
  void
  Optimizer::save(std::ostream &out) const
  {
    CheckpointRecord record;
    record.m.reinit(trainable.size());
    record.v.reinit(trainable.size());
    write_record(record);
    out << std::setprecision(17) << "optimizer " << alpha << ' '
        << record.adam_steps << ' ' << record.fx << ' ' << record.step << ' '
        << record.in_line_search << ' ' << best << ' ' << since_best << ' '
        << iterations << '\n';
    write_vector(out, record.m);
    write_vector(out, record.v);
    write_vector(out, record.x);
    write_vector(out, record.gx);
    write_vector(out, record.direction);
    out << record.s_history.size() << '\n';
    for (unsigned int i = 0; i < record.s_history.size(); ++i)
      {
        write_vector(out, record.s_history[i]);
        write_vector(out, record.y_history[i]);
      }
    save_state(out);
  }



  bool
  Optimizer::load(std::istream &in, const unsigned int n_parameters)
  {
    CheckpointRecord record;
    std::string      word;
    in >> word >> alpha >> record.adam_steps >> record.fx >> record.step >>
      record.in_line_search >> best >> since_best >> iterations;
    if (word != "optimizer" || !in)
      return false;
    for (Vector<double> *vector :
         {&record.m, &record.v, &record.x, &record.gx, &record.direction})
      if (!read_vector(in, *vector, n_parameters))
        return false;
    // Pair by pair, so that a damaged count cannot allocate in advance.
    unsigned int k = 0;
    if (!(in >> k))
      return false;
    for (unsigned int i = 0; i < k; ++i)
      {
        Vector<double> s, y;
        if (!read_vector(in, s, n_parameters) ||
            !read_vector(in, y, n_parameters))
          return false;
        record.s_history.push_back(std::move(s));
        record.y_history.push_back(std::move(y));
      }
    read_record(record);
    return load_state(in, n_parameters);
  }
} // namespace npde
