// ---------------------------------------------------------------------------
// npde: the Taylor test of a reduced functional's gradient (see
// taylor_test.h).
// ---------------------------------------------------------------------------
#include <npde/taylor_test.h>

#include <algorithm>
#include <cmath>

namespace npde
{
  std::vector<double>
  TaylorTestResult::rates(const std::vector<double> &remainders) const
  {
    std::vector<double> r;
    for (unsigned int i = 1; i < remainders.size(); ++i)
      r.push_back(std::log(remainders[i - 1] / remainders[i]) /
                  std::log(epsilons[i - 1] / epsilons[i]));
    return r;
  }



  bool
  TaylorTestResult::rates_are_consistent() const
  {
    const std::vector<double> r = rates(first_order);
    if (r.empty())
      return false;
    const std::size_t first = (r.size() > 3 ? r.size() - 3 : 0);
    return std::all_of(r.begin() + first, r.end(), [](const double rate) {
      return rate >= 1.9; // (false for NaN)
    });
  }



  TaylorTestResult
  taylor_test(ReducedFunctional    &functional,
              const Vector<double> &theta,
              const Vector<double> &direction,
              const double          epsilon,
              const unsigned int    halvings,
              const double          fd_step)
  {
    TaylorTestResult result;
    Vector<double>   gradient;
    const double     J0 = functional.value_and_gradient(theta, gradient);
    result.directional_derivative = gradient * direction;

    for (unsigned int i = 0; i <= halvings; ++i)
      {
        const double   eps       = epsilon / std::pow(2., i);
        Vector<double> perturbed = theta;
        perturbed.add(eps, direction);
        const double J = functional.value(perturbed);
        result.epsilons.push_back(eps);
        result.zeroth_order.push_back(std::abs(J - J0));
        result.first_order.push_back(
          std::abs(J - J0 - eps * result.directional_derivative));
      }

    Vector<double> plus = theta, minus = theta;
    plus.add(fd_step, direction);
    minus.add(-fd_step, direction);
    result.central_difference =
      (functional.value(plus) - functional.value(minus)) / (2. * fd_step);
    functional.value(theta);
    return result;
  }
} // namespace npde
