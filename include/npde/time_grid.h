// ---------------------------------------------------------------------------
// npde: the time grid (doc/design.md section 2).
//
// The time levels t_n = nT/K, n = 0..K, the step sizes k_n = t_n − t_{n−1},
// the θ-scheme's ϑ and the misfit's time weights ω_n = (k_n + k_{n+1})/2 (the
// trapezoid rule: k/2 at both ends, k inside). The forward sweep, the adjoint,
// the misfits, mesh adaptation and the output all take their times from here,
// so that a non-uniform grid later changes one file.
// ---------------------------------------------------------------------------
#ifndef npde_time_grid_h
#define npde_time_grid_h

#include <deal.II/base/parameter_handler.h>

#include <vector>

namespace npde
{
  using namespace dealii;

  /// The parameters of subsection `Time`.
  struct TimeParameters
  {
    double       end_time = 1.;
    unsigned int n_steps  = 64;
    double       theta    = 1.;

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };

  class TimeGrid
  {
  public:
    explicit TimeGrid(const TimeParameters &parameters);

    /// The time levels t_0 = 0, ..., t_K = T.
    const std::vector<double> &
    times() const;

    /// K: the number of steps (there are K + 1 levels).
    unsigned int
    n_steps() const;

    /// K + 1.
    unsigned int
    n_levels() const;

    /// k_n = t_n − t_{n−1} for n = 1..K (n = 0 gives k_1 too).
    double
    step_size(const unsigned int n) const;

    /// ϑ of the θ-scheme.
    double
    theta() const;

    /// ω_n, the trapezoid weight of level n: (k_n + k_{n+1})/2 with
    /// k_0 = k_{K+1} = 0.
    double
    time_weight(const unsigned int n) const;

  private:
    double              theta_;
    std::vector<double> levels;
    std::vector<double> steps; // k_n; entry 0 is k_1
  };
} // namespace npde

#endif
