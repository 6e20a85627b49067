// ---------------------------------------------------------------------------
// The verdict of `npde --check-gradient` on the first-order remainder's rates
// (TaylorTestResult::rates_are_consistent), on remainders r(ε) built with
// known rates:
// - the rates that a correct gradient gave on a 3D Q1 backward-Euler case,
//   2.36, 2.22, 2.13, 2.07, 2.03 (r falls faster than ε² while the ε³ term
//   still shows): consistent; the old criterion (every rate in (1.9, 2.1))
//   called this gradient wrong;
// - rates approaching 2 from below (1.70, 1.85, 1.95, 1.98, 1.99):
//   consistent, the last three being at least 1.9;
// - the remainder of a wrong gradient, of order ε (rates 1): not consistent;
// - a remainder that stalls at round-off in the last halvings (rates 2, 2,
//   2, 0.3, 0.1): not consistent, since the last three rates decide;
// - a NaN remainder: not consistent.
// ---------------------------------------------------------------------------
#include "tests.h"

using namespace npde;

// Remainders r_0 = 1e-6 at ε_0 = 1e-2, halving ε, with the given rates.
TaylorTestResult
with_rates(const std::vector<double> &rates)
{
  TaylorTestResult result;
  double           epsilon = 1e-2, remainder = 1e-6;
  result.epsilons.push_back(epsilon);
  result.first_order.push_back(remainder);
  for (const double rate : rates)
    {
      epsilon /= 2.;
      remainder /= std::pow(2., rate);
      result.epsilons.push_back(epsilon);
      result.first_order.push_back(remainder);
    }
  return result;
}



int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);

  const auto verdict = [](const std::vector<double> &rates,
                          const bool                 expected,
                          const std::string         &what) {
    const TaylorTestResult result = with_rates(rates);
    // The rates computed back from the remainders are the given ones.
    const auto back  = result.rates(result.first_order);
    double     worst = 0;
    for (unsigned int i = 0; i < rates.size(); ++i)
      worst = std::max(worst, std::abs(back[i] - rates[i]));
    testing::check(worst < 1e-12, what + ": rates recovered to 1e-12");
    testing::check(result.rates_are_consistent() == expected,
                   what + (expected ? ": consistent" : ": not consistent"));
  };

  verdict({2.36, 2.22, 2.13, 2.07, 2.03},
          true,
          "rates approaching 2 from above (3D Q1 backward Euler)");
  verdict({1.70, 1.85, 1.95, 1.98, 1.99},
          true,
          "rates approaching 2 from below");
  verdict({1.0, 1.0, 1.0, 1.0, 1.0}, false, "a wrong gradient (rate 1)");
  verdict({2.0, 2.0, 2.0, 0.3, 0.1}, false, "a remainder that stalls");

  TaylorTestResult nan   = with_rates({2., 2., 2., 2., 2.});
  nan.first_order.back() = std::numeric_limits<double>::quiet_NaN();
  testing::check(!nan.rates_are_consistent(),
                 "a NaN remainder: not consistent");
  return testing::exit_code();
}
