// ---------------------------------------------------------------------------
// Benchmark of the network kernel (issue: the neural source term).
//
// The points of the reference paper's setting: a Q1 mesh of 20×40 cells on
// (0,0.5)×(0,1) with 2×2 Gauss points per cell (3200 points) and 65 time
// levels. For N = 100, 1000, 5000 it prints neuron-evaluations per second of
// - the batched forward pass (evaluate),
// - forward + backward (add_weighted_gradient), and the ratio backward/forward,
// - a naive loop with std::tanh per point and neuron,
// and, measured by the same program, the throughput of glibc's vector tanh
// alone. Each is given on 1 thread and on all threads.
//
//   build/benchmarks/network_benchmark
// ---------------------------------------------------------------------------
#include <deal.II/base/multithread_info.h>
#include <deal.II/base/timer.h>

#include <npde/network.h>

#include "tests.h"

using namespace npde;

namespace npde_benchmark
{
  void
  vector_tanh(const double *x, double *y, const std::size_t n);
}


int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc,
                                       argv,
                                       numbers::invalid_unsigned_int);
  const unsigned int               max_threads = MultithreadInfo::n_threads();

  // The points and levels of the paper's setting.
  std::vector<double> points, times;
  for (unsigned int cx = 0; cx < 20; ++cx)
    for (unsigned int cy = 0; cy < 40; ++cy)
      for (const double gx :
           {0.5 - 0.5 / std::sqrt(3.), 0.5 + 0.5 / std::sqrt(3.)})
        for (const double gy :
             {0.5 - 0.5 / std::sqrt(3.), 0.5 + 0.5 / std::sqrt(3.)})
          {
            points.push_back((cx + gx) * 0.025);
            points.push_back((cy + gy) * 0.025);
          }
  for (unsigned int n = 0; n <= 64; ++n)
    times.push_back(n / 64.);
  const unsigned int Q = points.size() / 2, L = times.size();

  // glibc's vector tanh: the same number of arguments as one forward pass at
  // N = 100, in the range the network produces.
  double tanh_rate;
  {
    const std::size_t   n = std::size_t(100) * Q * L;
    std::vector<double> x(n), y(n);
    for (std::size_t i = 0; i < n; ++i)
      x[i] = -3. + 6. * double(i % 1000) / 1000.;
    const double t = testing::best_time(3, [&]() {
      npde_benchmark::vector_tanh(x.data(), y.data(), n);
    });
    tanh_rate      = n / t;
  }

  std::cout << "Network kernel, " << Q << " points x " << L
            << " time levels, tanh, 1 thread / " << max_threads << " threads\n"
            << "glibc vector tanh alone: " << std::scientific
            << std::setprecision(2) << tanh_rate
            << " evaluations/s (1 thread)\n\n"
            << std::left << std::setw(7) << "N" << std::setw(12) << "threads"
            << std::setw(14) << "forward/s" << std::setw(16) << "fwd+bwd/s"
            << std::setw(12) << "bwd/fwd" << std::setw(14) << "naive/s"
            << std::setw(14) << "fwd/vtanh" << std::setw(14) << "fwd/naive"
            << "max |kernel - std::tanh formula|" << std::endl;

  for (const unsigned int N : {100, 1000, 5000})
    {
      Network net(2, N, 1., "tanh");
      net.initialize_randomly(1., 1., 1);
      std::vector<Vector<double>> values, weights(L, Vector<double>(Q));
      for (auto &w : weights)
        for (unsigned int q = 0; q < Q; ++q)
          w[q] = std::sin(q);
      const double evaluations = double(N) * Q * L;

      // The naive loop on the first 4 levels (it is slow); rate per evaluation.
      double naive_rate;
      double max_error = 0;
      {
        const unsigned int    L_naive = 4;
        const Vector<double> &p       = net.parameters();
        std::vector<double>   g(L_naive * Q);
        const double          t = testing::best_time(1, [&]() {
          for (unsigned int n = 0; n < L_naive; ++n)
            for (unsigned int q = 0; q < Q; ++q)
              {
                double s = 0;
                for (unsigned int i = 0; i < N; ++i)
                  s +=
                    p[i] * std::tanh(p[N + i] * times[n] +
                                     p[2 * N + 2 * i] * points[2 * q] +
                                     p[2 * N + 2 * i + 1] * points[2 * q + 1] +
                                     p[4 * N + i]);
                g[n * Q + q] = s / N;
              }
        });
        naive_rate = double(N) * Q * L_naive / t;
        net.evaluate(times, points, values);
        for (unsigned int n = 0; n < L_naive; ++n)
          for (unsigned int q = 0; q < Q; ++q)
            max_error =
              std::max(max_error, std::abs(values[n][q] - g[n * Q + q]));
      }

      for (const unsigned int threads : {1u, max_threads})
        {
          MultithreadInfo::set_thread_limit(threads);
          const unsigned int repeats = (N >= 5000 ? 2 : 5);
          const double       t_fwd   = testing::best_time(repeats, [&]() {
            net.evaluate(times, points, values);
          });
          Vector<double>     gradient(net.n_parameters());
          const double       t_both = testing::best_time(repeats, [&]() {
            net.evaluate(times, points, values);
            net.add_weighted_gradient(times, points, weights, gradient);
          });
          std::cout << std::setw(7) << N << std::setw(12) << threads
                    << std::setw(14) << evaluations / t_fwd << std::setw(16)
                    << evaluations / t_both << std::setw(12) << std::fixed
                    << std::setprecision(2) << (t_both - t_fwd) / t_fwd
                    << std::scientific << std::setw(14) << naive_rate
                    << std::fixed << std::setw(14)
                    << (evaluations / t_fwd) / tanh_rate << std::setw(14)
                    << (evaluations / t_fwd) / naive_rate << std::scientific
                    << max_error << std::endl;
        }
      MultithreadInfo::set_thread_limit(max_threads);
    }
  return 0;
}
