// ---------------------------------------------------------------------------
// npde: measurement noise that does not depend on the mesh or the ranks.
//
// Noisy data are h + ν·max|h|·ξ(t, x), with ξ a standard normal computed
// from a hash of (t, x, seed) by the Box–Muller transform. ξ is a function
// of the point and the seed only, not of the mesh, the order of the points
// or the partition into ranks, so the same data come out on every machine
// and any number of ranks.
// ---------------------------------------------------------------------------
#ifndef npde_noise_h
#define npde_noise_h

#include <deal.II/base/numbers.h>
#include <deal.II/base/point.h>

#include <boost/functional/hash.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>

namespace npde
{
  using namespace dealii;

  /// A standard normal that is a function of (t, x, seed) only.
  template <int dim>
  double
  hashed_normal(const double t, const Point<dim> &x, const unsigned int seed)
  {
    const auto bits = [](const double v) {
      std::uint64_t b;
      std::memcpy(&b, &v, sizeof b);
      return b;
    };
    std::size_t h1 = seed;
    boost::hash_combine(h1, bits(t));
    for (unsigned int d = 0; d < dim; ++d)
      boost::hash_combine(h1, bits(x[d]));
    std::size_t h2 = h1;
    boost::hash_combine(h2, std::size_t(0x9e3779b97f4a7c15ull));
    const double u1 = (double(h1 >> 11) + 0.5) / 9007199254740992.;
    const double u2 = (double(h2 >> 11) + 0.5) / 9007199254740992.;
    return std::sqrt(-2. * std::log(u1)) * std::cos(2. * numbers::PI * u2);
  }
} // namespace npde

#endif
