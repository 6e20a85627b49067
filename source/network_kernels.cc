// ---------------------------------------------------------------------------
// npde: the network's computations: the input map, the plain formulas, and
// the drivers of the batched passes.
//
// Everything here that touches θ or the inputs is arithmetic whose last bit
// depends on the compiler's flags (with -march=native, GCC contracts a·b + c
// into one fused multiply-add), so this file, like the kernels' templates it
// drives (network_kernels.h) and the activations that instantiate them, is
// compiled with the kernel flags -O3 -fopenmp-simd -march=native (see
// CMakeLists.txt), but never with -ffast-math: the overflow guard relies on
// IEEE arithmetic. The one exception is the exponential of the kernels'
// first layer, in vector_exp.cc.
// ---------------------------------------------------------------------------
#include <deal.II/base/parallel.h>

#include <npde/network.h>
#include <npde/network_kernels.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace npde
{
  using namespace kernels;



  void
  Network::set_input_map(const double               t_0,
                         const double               t_1,
                         const std::vector<double> &lower,
                         const std::vector<double> &upper)
  {
    AssertThrow(lower.size() == dim && upper.size() == dim,
                ExcDimensionMismatch(lower.size(), dim));
    input_map = true;
    // x̂ = x·scale + shift maps [lo, hi] onto [−1, 1].
    t_scale = 2. / (t_1 - t_0);
    t_shift = -1. - t_0 * t_scale;
    for (unsigned int k = 0; k < dim; ++k)
      {
        x_scale[k] = 2. / (upper[k] - lower[k]);
        x_shift[k] = -1. - lower[k] * x_scale[k];
      }
  }



  double
  Network::mapped_time(const double t) const
  {
    return input_map ? t * t_scale + t_shift : t;
  }



  void
  Network::map_inputs(const std::vector<double> &times,
                      const std::vector<double> &points,
                      std::vector<double>       &mapped_times,
                      std::vector<double>       &mapped_points) const
  {
    mapped_times.resize(times.size());
    for (unsigned int n = 0; n < times.size(); ++n)
      mapped_times[n] = mapped_time(times[n]);
    mapped_points = points;
    if (input_map)
      for (unsigned int j = 0; j < points.size(); ++j)
        mapped_points[j] = points[j] * x_scale[j % dim] + x_shift[j % dim];
  }



  // ------------------------------------------------------------------------
  // The plain formulas: one point, neuron by neuron, for the output of g_θ
  // as a field and for the tests. The activation is asked for σ (and σ′) on
  // chunks of neurons, so that there is one virtual call per chunk, not per
  // neuron; the sums run over the neurons in order, as one loop would.
  // ------------------------------------------------------------------------
  namespace
  {
    constexpr unsigned int chunk_neurons = 64;

    // x̂ = the point @p x after the input map.
    std::array<double, 3>
    mapped_point(const Network             &network,
                 const double              *x,
                 const bool                 input_map,
                 const std::vector<double> &x_scale,
                 const std::vector<double> &x_shift)
    {
      std::array<double, 3> xh{};
      for (unsigned int k = 0; k < network.dimension(); ++k)
        xh[k] = (input_map ? x[k] * x_scale[k] + x_shift[k] : x[k]);
      return xh;
    }

    // z_i = w^t_i t̂ + η_i + w_i·x̂ for the neurons i0 ≤ i < i0 + n.
    void
    first_layer_at(const Network               &network,
                   const double                 th,
                   const std::array<double, 3> &xh,
                   const unsigned int           i0,
                   const unsigned int           n,
                   double                      *z)
    {
      const Vector<double> &theta = network.parameters();
      const unsigned int    dim   = network.dimension();
      const unsigned int    o_wt  = network.block_offset(Network::Block::w_t);
      const unsigned int    o_w   = network.block_offset(Network::Block::w);
      const unsigned int    o_eta = network.block_offset(Network::Block::eta);
      for (unsigned int j = 0; j < n; ++j)
        {
          const unsigned int i  = i0 + j;
          double             zi = theta[o_wt + i] * th + theta[o_eta + i];
          for (unsigned int k = 0; k < dim; ++k)
            zi += theta[o_w + i * dim + k] * xh[k];
          z[j] = zi;
        }
    }
  } // namespace



  double
  Network::value(const double t, const double *x) const
  {
    const double                th = mapped_time(t);
    const std::array<double, 3> xh =
      mapped_point(*this, x, input_map, x_scale, x_shift);
    double                            g = 0;
    std::array<double, chunk_neurons> z, s;
    for (unsigned int i0 = 0; i0 < N; i0 += chunk_neurons)
      {
        const unsigned int n = std::min(chunk_neurons, N - i0);
        first_layer_at(*this, th, xh, i0, n, z.data());
        sigma->values(z.data(), s.data(), n);
        for (unsigned int j = 0; j < n; ++j)
          g += theta[i0 + j] * s[j];
      }
    return std::pow(double(N), -beta_) * g;
  }



  void
  Network::add_gradient(const double    t,
                        const double   *x,
                        Vector<double> &gradient) const
  {
    const double                scale = std::pow(double(N), -beta_);
    const double                th    = mapped_time(t);
    const std::array<double, 3> xh =
      mapped_point(*this, x, input_map, x_scale, x_shift);
    std::array<double, chunk_neurons> z, s, ds;
    for (unsigned int i0 = 0; i0 < N; i0 += chunk_neurons)
      {
        const unsigned int n = std::min(chunk_neurons, N - i0);
        first_layer_at(*this, th, xh, i0, n, z.data());
        sigma->values(z.data(), s.data(), n);
        sigma->derivatives(z.data(), ds.data(), n);
        for (unsigned int j = 0; j < n; ++j)
          {
            const unsigned int i = i0 + j;
            const double       d = scale * theta[i] * ds[j];
            gradient[block_offset(Block::c) + i] += scale * s[j];
            gradient[block_offset(Block::w_t) + i] += d * th;
            for (unsigned int k = 0; k < dim; ++k)
              gradient[block_offset(Block::w) + i * dim + k] += d * xh[k];
            gradient[block_offset(Block::eta) + i] += d;
          }
      }
  }



  // ------------------------------------------------------------------------
  // The batched passes. Their loops are templates on the activation
  // (network_kernels.h, which says how they are blocked and why they are
  // fast); this part prepares their inputs, distributes the blocks of points
  // over threads, and collects the results.
  // ------------------------------------------------------------------------
  namespace
  {
    // Calls f(block, first point, number of points) for every block of
    // points, spread over threads.
    template <typename F>
    void
    for_each_block(const unsigned int n_points, const F &f)
    {
      const unsigned int n_blocks =
        (n_points + block_points - 1) / block_points;
      parallel::apply_to_subranges(
        0u,
        n_blocks,
        [&](const unsigned int begin, const unsigned int end) {
          for (unsigned int b = begin; b < end; ++b)
            {
              const unsigned int q0  = b * block_points;
              const unsigned int n_q = std::min(block_points, n_points - q0);
              f(b, q0, n_q);
            }
        },
        1);
    }



    Inputs
    map_inputs_of(const Network             &network,
                  const std::vector<double> &times,
                  const std::vector<double> &points)
    {
      const unsigned int  dim = network.dimension();
      std::vector<double> mapped_points;
      Inputs              in;
      network.map_inputs(times, points, in.t, mapped_points);
      in.n_levels = times.size();
      in.n_points = points.size() / dim;
      for (unsigned int k = 0; k < dim; ++k)
        {
          in.x[k].resize(in.n_points);
          for (unsigned int q = 0; q < in.n_points; ++q)
            in.x[k][q] = mapped_points[q * dim + k];
        }
      return in;
    }



    // e^{κ b_in} = e^{κ w^t_i t_n} for all neurons and levels, and whether
    // every |κ b_in| of a neuron is small enough for the product form.
    void
    level_factors(const Network       &network,
                  const Inputs        &in,
                  std::vector<double> &factors,
                  std::vector<bool>   &safe)
    {
      const ProductForm *form = network.activation().product_form();
      const unsigned int N    = network.n_neurons();
      const unsigned int o_wt = network.block_offset(Network::Block::w_t);
      factors.resize(N * in.n_levels);
      safe.assign(N, true);
      if (form == nullptr)
        return;
      const double kappa = form->kappa;
      for (unsigned int i = 0; i < N; ++i)
        for (unsigned int n = 0; n < in.n_levels; ++n)
          {
            const double y = kappa * network.parameters()[o_wt + i] * in.t[n];
            // (A NaN fails the test too; an unused factor is set to e^0.)
            const bool small             = std::abs(y) <= exponent_limit;
            safe[i]                      = safe[i] && small;
            factors[i * in.n_levels + n] = small ? y : 0.;
          }
      // (In place, over a length padded to a multiple of 8: see vector_exp.)
      factors.resize((factors.size() + 7) / 8 * 8, 0.);
      internal::vector_exp(factors.data(), factors.data(), factors.size());
    }
  } // namespace



  void
  Network::evaluate(const std::vector<double>   &times,
                    const std::vector<double>   &points,
                    std::vector<Vector<double>> &values,
                    FirstLayers                 *keep) const
  {
    const Inputs in = map_inputs_of(*this, times, points);
    values.resize(in.n_levels);
    for (auto &v : values)
      if (v.size() != in.n_points)
        v.reinit(in.n_points);

    std::vector<double> factors;
    std::vector<bool>   safe;
    level_factors(*this, in, factors, safe);

    if (keep != nullptr)
      {
        const std::size_t n_blocks =
          (in.n_points + block_points - 1) / block_points;
        keep->values.resize(n_blocks * N * block_points);
        keep->product_form.resize(n_blocks * N);
      }
    for_each_block(in.n_points, [&](auto, auto q0, auto n_q) {
      sigma->forward_block({*this, in, factors, safe, q0, n_q, values, keep});
    });
  }



  // ------------------------------------------------------------------------
  // The backward pass in pieces.
  //
  // A piece is one neuron on one block of points over one chunk of about
  // `chunk_levels` time levels; the chunks are counted from the last level
  // down, the order in which the adjoint sweep makes the weights final. A
  // piece of neuron i adds only to neuron i's entries of its block's partial
  // gradient, and each (block, neuron) adds its chunks in the same order,
  // the last levels first (and α Σ w after them). advance() goes chunk by
  // chunk, each neuron by neuron; add_to() goes neuron by neuron through the
  // chunks left. So which thread computes a piece, and when, changes no
  // sum: the gradient is bitwise the same whether advance() took some
  // pieces ahead or not. (A term that mixed the neurons of a block would
  // break this.)
  //
  // A piece takes its neuron's first layer e^{κa} from the forward pass
  // (Network::FirstLayers), if the caller kept it, or computes it on the
  // block itself (about a quarter of a piece's time); add_to() then
  // computes it once for all the chunks left of a neuron.
  // ------------------------------------------------------------------------
  namespace
  {
    // Even (the levels go in pairs). Each piece costs a little on its own
    // (its sums over the block's points); with 16 levels the backward pass
    // was 10% slower than in one piece, with 32 a few per cent.
    constexpr unsigned int chunk_levels = 32;
  } // namespace

  struct Network::BackwardPass::Work
  {
    Work(const Network                     &network,
         const std::vector<double>         &times,
         const std::vector<double>         &points,
         const std::vector<Vector<double>> &weights,
         const FirstLayers                 *kept)
      : network(network)
      , weights(weights)
      , kept(kept)
      , in(map_inputs_of(network, times, points))
      , N(network.n_neurons())
      , P(network.n_parameters())
      , n_blocks((in.n_points + block_points - 1) / block_points)
      , n_chunks(std::max(1u, in.n_levels / chunk_levels))
      , partial(std::size_t(n_blocks) * P, 0.)
      , pieces_done(n_blocks, 0)
      , form(network.activation().product_form())
    {
      if (kept != nullptr)
        {
          AssertDimension(kept->product_form.size(), std::size_t(n_blocks) * N);
          AssertDimension(kept->values.size(),
                          std::size_t(n_blocks) * N * block_points);
        }
      level_factors(network, in, factors, level_safe);
    }

    // The levels of chunk j: [first_level(j), first_level(j − 1)), the
    // last chunk taking the levels left over (up to 2 chunk_levels − 1).
    unsigned int
    first_level(const unsigned int j) const
    {
      return (j + 1 == n_chunks ? 0 : in.n_levels - (j + 1) * chunk_levels);
    }

    // Neuron i's first layer on block b (e^{κa}, or a where the product
    // form does not apply): the kept one, or computed into @p scratch; and
    // whether the product form applies.
    std::pair<bool, const double *>
    first_layer_of(const unsigned int                b,
                   const unsigned int                i,
                   std::array<double, block_points> &scratch) const
    {
      if (kept != nullptr)
        {
          const std::size_t bi = std::size_t(b) * N + i;
          return {kept->product_form[bi] != 0,
                  kept->values.data() + bi * block_points};
        }
      const unsigned int q0  = b * block_points;
      const unsigned int n_q = std::min(block_points, in.n_points - q0);
      std::array<double, block_points> a{}; // (a partial block's tail: 0)
      const bool is_product = with_dimension(network.dimension(), [&](auto d) {
        return first_layer<decltype(d)::value>(
          network, in, form, level_safe, i, q0, n_q, a, scratch);
      });
      if (!is_product)
        scratch = a;
      return {is_product, scratch.data()};
    }

    // Neuron i's chunk j on block b, with its first layer. (A virtual
    // call into the activation's instantiation of the loops: advance() and
    // add_to() then run the very same code, and the same contractions into
    // fused multiply-adds, which the bitwise invariance above needs.)
    void
    piece(const unsigned int                     b,
          const unsigned int                     i,
          const unsigned int                     j,
          const std::pair<bool, const double *> &layer)
    {
      const unsigned int q0      = b * block_points;
      const unsigned int n_q     = std::min(block_points, in.n_points - q0);
      const unsigned int n_begin = first_level(j);
      const unsigned int n_end   = (j == 0 ? in.n_levels : first_level(j - 1));
      double *const      out     = partial.data() + std::size_t(b) * P;
      network.activation().backward_piece({network,
                                           in,
                                           factors,
                                           q0,
                                           n_q,
                                           weights,
                                           i,
                                           layer.first,
                                           layer.second,
                                           n_begin,
                                           n_end,
                                           out});
    }

    const Network                     &network;
    const std::vector<Vector<double>> &weights;
    const FirstLayers *const           kept;
    const Inputs                       in;
    const unsigned int                 N, P, n_blocks, n_chunks;
    std::vector<double>                factors;
    std::vector<bool>                  level_safe;
    std::vector<double>                partial;     // block by block
    std::vector<unsigned int>          pieces_done; // of each block, in order
    const ProductForm *const           form;        // or nullptr
  };



  Network::BackwardPass::BackwardPass(
    const Network                     &network,
    const std::vector<double>         &times,
    const std::vector<double>         &points,
    const std::vector<Vector<double>> &weights,
    const FirstLayers                 *kept)
    : work(std::make_unique<Work>(network, times, points, weights, kept))
  {
  }



  Network::BackwardPass::~BackwardPass() = default;



  void
  Network::BackwardPass::advance(const unsigned int           first_final,
                                 const std::function<bool()> &stop)
  {
    Work &w = *work;
    // The chunks whose levels are all final, from the last one down; in
    // each, every block's pieces up to the end of the chunk.
    std::array<double, block_points> scratch;
    for (unsigned int j = 0; j < w.n_chunks && w.first_level(j) >= first_final;
         ++j)
      for (unsigned int b = 0; b < w.n_blocks; ++b)
        for (unsigned int &k = w.pieces_done[b]; k < (j + 1) * w.N; ++k)
          {
            if (stop())
              return;
            const unsigned int i = k % w.N;
            w.piece(b, i, j, w.first_layer_of(b, i, scratch));
          }
  }



  void
  Network::BackwardPass::add_to(Vector<double> &gradient)
  {
    Work &w = *work;
    AssertDimension(w.weights.size(), w.in.n_levels);
    AssertDimension(gradient.size(), w.P);
    // (α is used only where the product form applies, so only with a form.)
    const double alpha = (w.form != nullptr ? w.form->alpha : 0.);

    for_each_block(
      w.in.n_points,
      [&](const unsigned int b, const unsigned int q0, const unsigned int n_q) {
        // Neuron by neuron, its chunks left, in the order above.
        const unsigned int done = w.pieces_done[b];
        double            *out  = w.partial.data() + std::size_t(b) * w.P;
        double             W    = 0; // Σ_n Σ_q w_qn: α Σ w
        for (unsigned int n = 0; n < w.in.n_levels; ++n)
          {
            const double *weight = w.weights[n].data() + q0;
#pragma omp simd reduction(+ : W)
            for (unsigned int q = 0; q < n_q; ++q)
              W += weight[q];
          }
        std::array<double, block_points> scratch;
        for (unsigned int i = 0; i < w.N; ++i)
          {
            const auto layer = w.first_layer_of(b, i, scratch);
            for (unsigned int j = done / w.N + (i < done % w.N); j < w.n_chunks;
                 ++j)
              w.piece(b, i, j, layer);
            if (layer.first)
              out[i] += alpha * W;
          }
        w.pieces_done[b] = w.n_chunks * w.N;
      });

    // The partial gradients in block order: the same sum for any number of
    // threads.
    const double scale = std::pow(double(w.N), -w.network.beta());
    for (unsigned int b = 0; b < w.n_blocks; ++b)
      for (unsigned int j = 0; j < w.P; ++j)
        gradient[j] += scale * w.partial[std::size_t(b) * w.P + j];
  }



  void
  Network::add_weighted_gradient(const std::vector<double>         &times,
                                 const std::vector<double>         &points,
                                 const std::vector<Vector<double>> &weights,
                                 Vector<double> &gradient) const
  {
    BackwardPass(*this, times, points, weights).add_to(gradient);
  }


} // namespace npde
