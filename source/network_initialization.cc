// ---------------------------------------------------------------------------
// npde: the network's random initialisation from a seed.
//
// One function, in a file of its own because of its compiler flags: it is
// compiled with the kernel flags (-O3 -fopenmp-simd -march=native, see
// CMakeLists.txt), as it was when it lived in network.cc with the kernels.
// Boost's distributions compute each draw with multiply-adds (U(lo, hi):
// u·(hi − lo) + lo), which -march=native contracts into fused
// multiply-adds; without the flags a draw can differ in its last bit (c
// does for a = 0.3, for example). So the flags keep the networks that a seed
// gave before. (They also mean that a seed gives the same network only on
// machines with the same fused multiply-add support.)
// ---------------------------------------------------------------------------
#include <npde/network.h>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

namespace npde
{
  void
  Network::initialize_randomly(const double       weight_std,
                               const double       output_range,
                               const unsigned int seed)
  {
    boost::random::mt19937                           generator(seed);
    boost::random::normal_distribution<double>       normal(0., weight_std);
    boost::random::uniform_real_distribution<double> uniform(
      -output_range, output_range > 0. ? output_range : 1.);
    // (Boost's uniform_real_distribution(0, 0) never returns: it waits for
    // a draw in the empty interval [0, 0). A range of 0 means c = 0.)
    for (unsigned int i = 0; i < N; ++i)
      {
        theta[block_offset(Block::c) + i] =
          (output_range > 0. ? uniform(generator) : 0.);
        theta[block_offset(Block::w_t) + i] = normal(generator);
        for (unsigned int k = 0; k < dim; ++k)
          theta[block_offset(Block::w) + i * dim + k] = normal(generator);
        theta[block_offset(Block::eta) + i] = normal(generator);
      }
  }
} // namespace npde
