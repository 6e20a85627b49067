// ---------------------------------------------------------------------------
// npde: the time grid.
// ---------------------------------------------------------------------------
#include <npde/expression.h>
#include <npde/time_grid.h>

#include <algorithm>

namespace npde
{
  void
  TimeParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Time");
    {
      prm.declare_entry("End time",
                        "1",
                        Patterns::Double(0.,
                                         Patterns::Double::max_double_value),
                        "T: the problem is solved on (0, T].");
      prm.declare_entry("Number of steps",
                        "64",
                        Patterns::Integer(1),
                        "K: the number of time steps; there are K+1 time "
                        "levels t_n = nT/K.");
      prm.declare_entry("Theta",
                        "1",
                        Patterns::Double(0.5, 1.),
                        "The theta-scheme's parameter: 1 is backward Euler, "
                        "0.5 is Crank-Nicolson.");
    }
    prm.leave_subsection();
  }



  void
  TimeParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Time");
    {
      end_time = prm.get_double("End time");
      n_steps  = prm.get_integer("Number of steps");
      theta    = prm.get_double("Theta");
      // (The pattern cannot say "greater than 0".)
      if (!(end_time > 0.))
        throw InputError("'Time/End time' = " + prm.get("End time") +
                         ": the end time T must be greater than 0 (the "
                         "problem is solved on (0, T]).");
    }
    prm.leave_subsection();
  }



  // Uniform steps: every step uses the very same k (not t_n − t_{n−1},
  // which differs in the last bits), so that "the matrix has not changed"
  // is an exact statement.
  TimeGrid::TimeGrid(const TimeParameters &parameters)
    : theta_(parameters.theta)
  {
    const double k = parameters.end_time / parameters.n_steps;
    levels.resize(parameters.n_steps + 1);
    steps.assign(parameters.n_steps + 1, k);
    for (unsigned int n = 0; n <= parameters.n_steps; ++n)
      levels[n] = (n == parameters.n_steps ? parameters.end_time : n * k);
  }



  const std::vector<double> &
  TimeGrid::times() const
  {
    return levels;
  }



  unsigned int
  TimeGrid::n_steps() const
  {
    return levels.size() - 1;
  }



  unsigned int
  TimeGrid::n_levels() const
  {
    return levels.size();
  }



  double
  TimeGrid::step_size(const unsigned int n) const
  {
    return steps[std::max(n, 1u)];
  }



  double
  TimeGrid::theta() const
  {
    return theta_;
  }



  double
  TimeGrid::time_weight(const unsigned int n) const
  {
    const unsigned int K = n_steps();
    return 0.5 *
           ((n > 0 ? step_size(n) : 0.) + (n < K ? step_size(n + 1) : 0.));
  }
} // namespace npde
