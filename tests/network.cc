// ---------------------------------------------------------------------------
// The network g_θ on its own: values, gradients, scaling, seeding, files.
//
// For every activation and d = 1, 2, 3 (with the input map on for some):
// - the batched forward pass equals the plain formula, written out again in
//   this test, to 1e-13 absolute at random times and points;
// - the gradient of Σ_n Σ_q w^n_q g(t_n, x_q) from the batched backward pass
//   equals central finite differences block by block (c, w^t, w, η) to 1e-7
//   relative, and equals the sum of single-point gradients to 1e-13;
// - N^{−β}: N copies of one neuron give N^{1−β} times its value;
// - the seed: same seed, same θ; the first N neurons do not depend on the
//   width; c in (−a, a); the empirical spread of w matches s;
// - save then load gives the same θ and the same values, bitwise;
// - huge weights (|κa| > 150) are handled by the overflow guard, in the
//   values and in the gradient;
// - 1 thread and 2 threads give bitwise the same gradient.
// ---------------------------------------------------------------------------
#include <deal.II/base/multithread_info.h>

#include <npde/network.h>

#include "tests.h"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include <cstring>

using namespace npde;

// The formula, written independently of the library's implementation.
double
reference_value(const Network &net, const double t_raw, const double *x_raw)
{
  std::vector<double> th, xh;
  net.map_inputs({t_raw},
                 std::vector<double>(x_raw, x_raw + net.dimension()),
                 th,
                 xh);
  const unsigned int    N = net.n_neurons(), d = net.dimension();
  const Vector<double> &p = net.parameters();
  double                g = 0;
  for (unsigned int i = 0; i < N; ++i)
    {
      double z = p[N + i] * th[0] + p[(2 + d) * N + i];
      for (unsigned int k = 0; k < d; ++k)
        z += p[2 * N + i * d + k] * xh[k];
      const std::string sigma = net.activation().name();
      double            s     = 0;
      if (sigma == "tanh")
        s = std::tanh(z);
      else if (sigma == "sigmoid")
        s = 1. / (1. + std::exp(-z));
      else if (sigma == "softplus")
        s = std::log(1. + std::exp(z));
      else if (sigma == "relu")
        s = std::max(z, 0.);
      else
        AssertThrow(false, ExcMessage("No reference formula for " + sigma));
      g += p[i] * s;
    }
  return std::pow(double(N), -net.beta()) * g;
}



struct Batch
{
  std::vector<double>         times, points;
  std::vector<Vector<double>> weights;
};

Batch
random_batch(const unsigned int d, const unsigned int n_points, const unsigned int seed)
{
  boost::random::mt19937                           gen(seed);
  boost::random::uniform_real_distribution<double> u(-1., 1.);
  Batch                                            b;
  // An odd number of levels: the kernels take levels in pairs, and the
  // last one alone.
  b.times = {0., 0.3, 0.55, 0.8, 1.};
  for (unsigned int j = 0; j < n_points * d; ++j)
    b.points.push_back(u(gen));
  b.weights.assign(b.times.size(), Vector<double>(n_points));
  for (auto &w : b.weights)
    for (auto &x : w)
      x = u(gen);
  return b;
}

double
weighted_sum(const Network &net, const Batch &b)
{
  double J = 0;
  const unsigned int d = net.dimension();
  for (unsigned int n = 0; n < b.times.size(); ++n)
    for (unsigned int q = 0; q < b.weights[n].size(); ++q)
      J += b.weights[n][q] * reference_value(net, b.times[n], &b.points[q * d]);
  return J;
}



// Σ_n Σ_q w^n_q ∂_θ g(t_n, x_q) from the library's single-point gradient.
Vector<double>
pointwise_gradient(const Network &net, const Batch &b)
{
  const unsigned int d = net.dimension();
  Vector<double>     sum(net.n_parameters());
  for (unsigned int n = 0; n < b.times.size(); ++n)
    for (unsigned int q = 0; q < b.weights[n].size(); ++q)
      {
        Vector<double> g(net.n_parameters());
        net.add_gradient(b.times[n], &b.points[q * d], g);
        sum.add(b.weights[n][q], g);
      }
  return sum;
}



void
check_values_and_gradients(const std::string &a,
                           const unsigned int d,
                           const bool         map)
{
  const std::string name =
    a + ", d = " + std::to_string(d) + (map ? ", inputs mapped" : "");
  Network net(d, 7, 0.75, a);
  net.initialize_randomly(1., 1., 17 + d);
  if (map)
    net.set_input_map(0., 2., std::vector<double>(d, -3.), std::vector<double>(d, 5.));
  // 150 points: more than two blocks of the kernel, the last one partial.
  const Batch b = random_batch(d, 150, 3 * d);

  std::vector<Vector<double>> values;
  net.evaluate(b.times, b.points, values);
  double value_error = 0;
  for (unsigned int n = 0; n < b.times.size(); ++n)
    for (unsigned int q = 0; q < 150; ++q)
      value_error =
        std::max(value_error,
                 std::abs(values[n][q] -
                          reference_value(net, b.times[n], &b.points[q * d])));
  testing::check(value_error < 1e-13,
                 name + ": batched values equal the formula to 1e-13");

  Vector<double> gradient(net.n_parameters());
  net.add_weighted_gradient(b.times, b.points, b.weights, gradient);
  const Vector<double> pointwise = pointwise_gradient(net, b);
  Vector<double> diff = gradient;
  diff -= pointwise;
  testing::check(diff.linfty_norm() < 1e-13 * (1. + gradient.linfty_norm()),
                 name + ": batched gradient equals the sum of pointwise ones");

  // Central differences, block by block.
  for (const auto &block : {std::make_pair(Network::Block::c, "c"),
                           std::make_pair(Network::Block::w_t, "w_t"),
                           std::make_pair(Network::Block::w, "w"),
                           std::make_pair(Network::Block::eta, "eta")})
    {
      double       err2 = 0, norm2 = 0;
      const unsigned int o = net.block_offset(block.first);
      for (unsigned int j = o; j < o + net.block_size(block.first); ++j)
        {
          Network      plus = net, minus = net;
          const double h    = 1e-6 * std::max(1., std::abs(net.parameters()[j]));
          Vector<double> theta_plus  = net.parameters(),
                         theta_minus = theta_plus;
          theta_plus[j] += h;
          theta_minus[j] -= h;
          plus.set_parameters(theta_plus);
          minus.set_parameters(theta_minus);
          const double fd = (weighted_sum(plus, b) - weighted_sum(minus, b)) / (2 * h);
          err2 += (fd - gradient[j]) * (fd - gradient[j]);
          norm2 += fd * fd;
        }
      const double rel = std::sqrt(err2 / norm2);
      testing::check(rel < 1e-7,
                     name + ": gradient of block " + block.second +
                       " equals central differences to 1e-7 relative");
    }
}



int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, numbers::invalid_unsigned_int);

  for (const std::string a : {"tanh", "sigmoid", "softplus", "relu"})
    for (const unsigned int d : {1, 2, 3})
      check_values_and_gradients(a, d, d == 2);

  // N^{−β}: N identical neurons.
  for (const double beta : {0.5, 0.75, 1.})
    {
      Network one(2, 1, beta, "tanh");
      one.initialize_randomly(1., 1., 5);
      const double x[2] = {0.3, -0.2};
      bool         ok   = true;
      for (const unsigned int N : {4, 16, 64})
        {
          Network        many(2, N, beta, "tanh");
          Vector<double> theta = many.parameters();
          for (unsigned int i = 0; i < N; ++i)
            for (const auto block : {Network::Block::c,
                                     Network::Block::w_t,
                                     Network::Block::eta})
              theta[many.block_offset(block) + i] =
                one.parameters()[one.block_offset(block)];
          for (unsigned int i = 0; i < N; ++i)
            for (unsigned int k = 0; k < 2; ++k)
              theta[many.block_offset(Network::Block::w) + 2 * i + k] =
                one.parameters()[one.block_offset(Network::Block::w) + k];
          many.set_parameters(theta);
          const double expected = std::pow(double(N), 1. - beta) * one.value(0.4, x);
          ok = ok && std::abs(many.value(0.4, x) - expected) <= 1e-14 * std::abs(expected);
        }
      testing::check(ok,
                     "N copies of a neuron give N^(1-beta) times its value, beta = " +
                       testing::rounded(beta));
    }

  // Seeding.
  {
    Network a(2, 10, 1., "tanh"), b(2, 10, 1., "tanh"), c(2, 10, 1., "tanh"),
      wide(2, 20, 1., "tanh");
    a.initialize_randomly(1., 1., 42);
    b.initialize_randomly(1., 1., 42);
    c.initialize_randomly(1., 1., 43);
    wide.initialize_randomly(1., 1., 42);
    testing::check(std::memcmp(a.parameters().begin(),
                               b.parameters().begin(),
                               sizeof(double) * a.n_parameters()) == 0,
                   "the same seed gives the same parameters, bitwise");
    testing::check(a.parameters() != c.parameters(),
                   "another seed gives other parameters");
    bool nested = true;
    for (const auto block : {Network::Block::c,
                             Network::Block::w_t,
                             Network::Block::w,
                             Network::Block::eta})
      for (unsigned int j = 0; j < a.block_size(block); ++j)
        nested = nested && a.parameters()[a.block_offset(block) + j] ==
                             wide.parameters()[wide.block_offset(block) + j];
    testing::check(nested,
                   "the first 10 neurons of a 20-neuron network are the "
                   "10-neuron network with the same seed");

    Network big(3, 20000, 1., "tanh");
    big.initialize_randomly(2.5, 0.3, 7);
    double c_max = 0, w2 = 0;
    for (unsigned int i = 0; i < 20000; ++i)
      c_max = std::max(c_max, std::abs(big.parameters()[i]));
    const unsigned int o = big.block_offset(Network::Block::w);
    for (unsigned int j = o; j < o + big.block_size(Network::Block::w); ++j)
      w2 += big.parameters()[j] * big.parameters()[j];
    const double w_std = std::sqrt(w2 / big.block_size(Network::Block::w));
    testing::check(c_max < 0.3, "c lies in (-a, a) for a = 0.3");
    testing::check(std::abs(w_std - 2.5) < 0.05,
                   "the spread of w is s = 2.5 (measured " +
                     testing::rounded(w_std, 1) + ")");
  }

  // Save and load.
  {
    Network net(2, 50, 0.6, "sigmoid");
    net.initialize_randomly(1.3, 0.7, 11);
    net.set_input_map(0., 0.5, {0., 0.}, {0.5, 1.});
    net.save("network.txt");
    const Network loaded = Network::load("network.txt");
    const Batch   b      = random_batch(2, 100, 1);
    std::vector<Vector<double>> v1, v2;
    net.evaluate(b.times, b.points, v1);
    loaded.evaluate(b.times, b.points, v2);
    bool same_values = true;
    for (unsigned int n = 0; n < v1.size(); ++n)
      same_values = same_values && std::memcmp(v1[n].begin(),
                                               v2[n].begin(),
                                               sizeof(double) * v1[n].size()) == 0;
    testing::check(loaded.n_neurons() == 50 && loaded.beta() == 0.6 &&
                     loaded.activation().name() == "sigmoid" &&
                     loaded.maps_inputs() &&
                     std::memcmp(net.parameters().begin(),
                                 loaded.parameters().begin(),
                                 sizeof(double) * net.n_parameters()) == 0,
                   "save then load gives the same architecture and "
                   "parameters, bitwise");
    testing::check(same_values, "save then load gives the same values, bitwise");
  }

  // The overflow guard: weights so large that e^{2a} would overflow (spread
  // 400), and one saturated neuron (η = w^t = 100, so 2a ≈ 200 and 2b up to
  // 200) whose e^{2a}, e^{2b} are finite but beyond the kernels' limit of
  // e^{150}: it takes the plain formula, in both passes.
  for (const double weight_std : {1., 400.})
  {
    const std::string name =
      (weight_std == 1. ? std::string("a saturated neuron") :
                          "weights of spread " + testing::rounded(weight_std, 0));
    Network net(2, 5, 1., "tanh");
    net.initialize_randomly(weight_std, 1., 3);
    if (weight_std == 1.)
      {
        Vector<double> theta                         = net.parameters();
        theta[net.block_offset(Network::Block::w_t)] = 100.;
        theta[net.block_offset(Network::Block::eta)] = 100.;
        net.set_parameters(theta);
      }
    const Batch b = random_batch(2, 70, 2);
    std::vector<Vector<double>> values;
    net.evaluate(b.times, b.points, values);
    double err = 0;
    for (unsigned int n = 0; n < b.times.size(); ++n)
      for (unsigned int q = 0; q < 70; ++q)
        err = std::max(err, std::abs(values[n][q] - reference_value(net, b.times[n], &b.points[2 * q])));
    testing::check(err < 1e-13,
                   name + ": values are finite and equal the formula");

    Vector<double> gradient(net.n_parameters());
    net.add_weighted_gradient(b.times, b.points, b.weights, gradient);
    Vector<double> pointwise = pointwise_gradient(net, b);
    pointwise -= gradient;
    testing::check(std::isfinite(gradient.l2_norm()) &&
                     pointwise.linfty_norm() < 1e-13 * (1. + gradient.linfty_norm()),
                   name + ": the batched gradient is finite and equals the "
                          "sum of pointwise ones");
  }

  // Determinism across thread counts.
  {
    Network net(2, 300, 1., "tanh");
    net.initialize_randomly(1., 1., 9);
    const Batch    b = random_batch(2, 2000, 4);
    Vector<double> g1(net.n_parameters()), g2(net.n_parameters());
    MultithreadInfo::set_thread_limit(1);
    net.add_weighted_gradient(b.times, b.points, b.weights, g1);
    MultithreadInfo::set_thread_limit(2);
    net.add_weighted_gradient(b.times, b.points, b.weights, g2);
    testing::check(std::memcmp(g1.begin(), g2.begin(), sizeof(double) * g1.size()) == 0,
                   "1 and 2 threads give the same gradient, bitwise");
  }

  // The backward pass in pieces (Network::BackwardPass), as the overlapped
  // adjoint sweep runs it: 97 levels (three chunks, the last one longer),
  // 150 points (three blocks, the last one partial) and a saturated neuron
  // (the plain formula). However many pieces advance() takes ahead, in one
  // call or several, and with or without the forward pass's first layers,
  // the gradient must be bitwise that of add_weighted_gradient(), and that
  // must be the sum of the pointwise gradients.
  {
    Network net(2, 7, 0.5, "tanh");
    net.initialize_randomly(1., 1., 5);
    Vector<double> theta                             = net.parameters();
    theta[net.block_offset(Network::Block::w_t) + 3] = 100.;
    theta[net.block_offset(Network::Block::eta) + 3] = 100.;
    net.set_parameters(theta);
    Batch                  b = random_batch(2, 150, 8);
    boost::random::mt19937 gen(11);
    boost::random::uniform_real_distribution<double> u(-1., 1.);
    b.times.clear();
    b.weights.assign(97, Vector<double>(150));
    for (unsigned int n = 0; n <= 96; ++n)
      {
        b.times.push_back(n / 96.);
        for (auto &x : b.weights[n])
          x = u(gen);
      }

    Vector<double> reference(net.n_parameters());
    net.add_weighted_gradient(b.times, b.points, b.weights, reference);
    Vector<double> pointwise = pointwise_gradient(net, b);
    pointwise -= reference;
    testing::check(pointwise.linfty_norm() <
                     1e-13 * (1. + reference.linfty_norm()),
                   "97 levels: the batched gradient equals the sum of "
                   "pointwise ones");

    std::vector<Vector<double>> values;
    Network::FirstLayers        kept;
    net.evaluate(b.times, b.points, values, &kept);
    // (first final level, pieces to take) for the successive advance() calls.
    const std::vector<std::vector<std::pair<unsigned int, unsigned int>>>
         schedules = {{},
                      {{97, 100}},
                      {{65, 5}},
                      {{65, 1000}},
                      {{65, 5}, {33, 30}, {0, 2}},
                      {{0, 13}},
                      {{0, 100000}}};
    bool same      = true;
    for (const auto *first_layers : {(Network::FirstLayers *)nullptr, &kept})
      for (const auto &schedule : schedules)
        {
          Network::BackwardPass pass(
            net, b.times, b.points, b.weights, first_layers);
          for (const auto &[first_final, pieces] : schedule)
            {
              unsigned int taken = 0;
              pass.advance(first_final, [&]() { return taken++ >= pieces; });
            }
          Vector<double> gradient(net.n_parameters());
          pass.add_to(gradient);
          same = same && std::memcmp(gradient.begin(),
                                     reference.begin(),
                                     sizeof(double) * gradient.size()) == 0;
        }
    testing::check(same,
                   "the backward pass in pieces gives the same gradient, "
                   "bitwise, however many pieces were taken ahead, with and "
                   "without the kept first layers");
  }

  // The activations come from their registry: it knows the four above, and
  // a name it does not know is refused with the names it knows.
  {
    const std::vector<std::string> names = Activation::registry().names();
    testing::check(
      names == std::vector<std::string>{"relu", "sigmoid", "softplus", "tanh"},
      "the registry holds relu, sigmoid, softplus and tanh");
    std::string message;
    try
      {
        Network unknown(2, 3, 1., "swish");
      }
    catch (const InputError &error)
      {
        message = error.what();
      }
    testing::check(message.find("'swish'") != std::string::npos &&
                     message.find("relu, sigmoid, softplus or tanh") !=
                       std::string::npos,
                   "an unknown activation is refused with the known names");
  }
  return testing::exit_code();
}
