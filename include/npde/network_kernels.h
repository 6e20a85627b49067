// ---------------------------------------------------------------------------
// npde: the network's batched kernels, as templates on the activation.
//
// An internal header: it is included by source/network_kernels.cc (the
// passes' drivers) and by each activation's file in source/activations/,
// which instantiates the loops for its σ (BatchedActivation below). All of
// them are compiled with the kernel flags (-O3 -fopenmp-simd -march=native,
// see CMakeLists.txt), and never with -ffast-math: the overflow guard relies
// on IEEE arithmetic.
//
// The points are processed in blocks of `block_points`; a block's
// coordinates, the factors e^{κa} of one neuron, and the block's values (or
// weights) at all time levels stay in the first two cache levels while the
// loop runs over neurons and levels. Blocks are independent, so they are
// distributed over threads (TBB through deal.II); every block writes its
// own outputs (forward) or its own partial gradient (backward), and the
// partial gradients are summed in block order, so the result does not
// depend on the number of threads.
//
// The product form (activation.h) needs e^{κa} and e^{κb} to be finite and
// non-zero. A neuron whose |κa| or |κb| exceeds 150 anywhere in a block is
// evaluated there by the plain formula instead: then each denominator
// d = 1 + e^{κa}e^{κb} lies in [1, 1 + e^{300}], and a product of two of
// them, which the kernels form (below), in [1, (1 + e^{300})²], which is
// finite. (Only neurons with very large weights reach the limit; they are
// evaluated correctly, only more slowly. With a limit of 300 a product could
// overflow to ∞; the quotients would then become 0 where they are below
// e^{−109}, harmless but not exact.)
//
// Two things make the kernels fast besides the product form:
// - Divisions are the kernels' bottleneck (a few cycles each, against a
//   fraction of a cycle for a multiplication). Two levels share one:
//   with r = 1/(d_1 d_2), 1/d_1 = r d_2 and 1/d_2 = r d_1. This costs three
//   multiplications instead of a second division and rounds to a few ulp.
// - The factors e^{κa} of a neuron on a block (one per point, against one
//   division per point and level), and the e^{κb}, are computed by glibc's
//   vectorised exp (libmvec), about four times faster than the scalar
//   std::exp: see vector_exp.cc.
// ---------------------------------------------------------------------------
#ifndef npde_network_kernels_h
#define npde_network_kernels_h

#include <npde/activation.h>
#include <npde/network.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <type_traits>
#include <vector>

namespace npde
{
  namespace internal
  {
    // y[q] = exp(x[q]) for q < n by libmvec (vector_exp.cc). GCC computes
    // whole vectors with one variant and a remainder with others, which may
    // differ in the last bit; so the callers pass lengths that are multiples
    // of 8 (zero-padded), and every argument takes the same path wherever it
    // stands: the results do not depend on how the points are split into
    // blocks.
    void
    vector_exp(const double *x, double *y, const unsigned int n);
  } // namespace internal

  namespace kernels
  {
    constexpr unsigned int block_points   = 64;
    constexpr double       exponent_limit = 150.;

    // f(std::integral_constant<int, dim>()): the dimension as a
    // compile-time constant, for the kernels' templates.
    template <typename F>
    auto
    with_dimension(const unsigned int dim, const F &f)
    {
      if (dim == 1)
        return f(std::integral_constant<int, 1>());
      else if (dim == 2)
        return f(std::integral_constant<int, 2>());
      else
        return f(std::integral_constant<int, 3>());
    }

    // The inputs of a pass after the input map, the coordinates transposed
    // (x[k][q]), so that a loop over the points of a block reads them in
    // order.
    struct Inputs
    {
      unsigned int                       n_points;
      unsigned int                       n_levels;
      std::vector<double>                t; // mapped times
      std::array<std::vector<double>, 3> x; // mapped coordinates, transposed
    };

    // What the forward pass on one block reads and writes.
    struct ForwardBlock
    {
      const Network               &network;
      const Inputs                &in;
      const std::vector<double>   &b_factors;  // e^{κb_in}, neuron by neuron
      const std::vector<bool>     &level_safe; // |κb_in| small for neuron i
      unsigned int                 q0, n_q;    // the block's points
      std::vector<Vector<double>> &values;
      Network::FirstLayers        *keep;
    };

    // What one piece of the backward pass reads, and where it adds.
    struct BackwardPiece
    {
      const Network                     &network;
      const Inputs                      &in;
      const std::vector<double>         &b_factors;
      unsigned int                       q0, n_q;
      const std::vector<Vector<double>> &weights;
      unsigned int                       i;              // the neuron
      bool                               product_form;   // of layer
      const double                      *layer;          // e^{κa_iq}, or a_iq
      unsigned int                       n_begin, n_end; // the levels
      double                            *partial;        // the block's gradient
    };

    // Sigma::product_form exists: the activation has the product form.
    template <typename Sigma, typename = void>
    struct has_product_form : std::false_type
    {
    };
    template <typename Sigma>
    struct has_product_form<Sigma, std::void_t<decltype(Sigma::product_form)>>
      : std::true_type
    {
    };

    // Sets e[q] = exp(κ a[q]); returns false if some |κa| is too large.
    // (A block's last entries beyond n_q are set to exp(0), so that the
    // vector exp always runs on whole blocks: the same code path for every
    // point.)
    inline bool
    product_factors(const double                            kappa,
                    const std::array<double, block_points> &a,
                    const unsigned int                      n_q,
                    std::array<double, block_points>       &e)
    {
      std::array<double, block_points> y;
      bool                             safe = true;
      for (unsigned int q = 0; q < n_q; ++q)
        {
          y[q] = kappa * a[q];
          safe = safe && std::abs(y[q]) <= exponent_limit;
        }
      if (!safe)
        return false;
      std::fill(y.begin() + n_q, y.end(), 0.);
      internal::vector_exp(y.data(), e.data(), block_points);
      return true;
    }

    // Neuron i's first layer on the block [q0, q0+n_q): a_iq = w_i·x_q + η_i,
    // and e_q = e^{κa_iq} if the product form @p form applies to the neuron
    // there (returned; never without a form). The forward pass and the
    // backward pass both start here.
    template <int dim>
    inline bool
    first_layer(const Network                    &network,
                const Inputs                     &in,
                const ProductForm                *form,
                const std::vector<bool>          &level_safe,
                const unsigned int                i,
                const unsigned int                q0,
                const unsigned int                n_q,
                std::array<double, block_points> &a,
                std::array<double, block_points> &e)
    {
      const Vector<double> &theta = network.parameters();
      const double         *w =
        theta.begin() + network.block_offset(Network::Block::w) + i * dim;
      const double eta = theta[network.block_offset(Network::Block::eta) + i];
#pragma omp simd
      for (unsigned int q = 0; q < n_q; ++q)
        {
          double z = eta;
          for (unsigned int k = 0; k < dim; ++k)
            z += w[k] * in.x[k][q0 + q];
          a[q] = z;
        }
      return form != nullptr && level_safe[i] &&
             product_factors(form->kappa, a, n_q, e);
    }



    // g^n_q for the points of one block and all levels. σ = α + γs in the
    // product form: the loops add γ c s, and the constant part α Σc is added
    // once at the end. A neuron outside the product form's limits, or an
    // activation without it, takes σ from Sigma::value, inlined.
    template <int dim, typename Sigma>
    void
    forward_block(const ForwardBlock &block)
    {
      const Network     &network = block.network;
      const Inputs      &in      = block.in;
      const unsigned int q0 = block.q0, n_q = block.n_q;
      const unsigned int N     = network.n_neurons();
      const unsigned int L     = in.n_levels;
      const auto        &theta = network.parameters();
      const double       scale = std::pow(double(N), -network.beta());
      const unsigned int o_wt  = network.block_offset(Network::Block::w_t);
      const ProductForm *form  = nullptr;
      if constexpr (has_product_form<Sigma>::value)
        form = &Sigma::product_form;

      std::array<double, block_points> a{}, e{}; // (a partial block's tail: 0)
      for (unsigned int n = 0; n < L; ++n)
        std::fill(block.values[n].begin() + q0,
                  block.values[n].begin() + q0 + n_q,
                  0.);
      double c_constant = 0;

      for (unsigned int i = 0; i < N; ++i)
        {
          const double c    = theta[i];
          const bool   safe = first_layer<dim>(
            network, in, form, block.level_safe, i, q0, n_q, a, e);
          if (block.keep != nullptr)
            {
              const std::size_t bi = std::size_t(q0 / block_points) * N + i;
              std::copy_n((safe ? e : a).begin(),
                          block_points,
                          block.keep->values.begin() + bi * block_points);
              block.keep->product_form[bi] = safe;
            }
          if constexpr (has_product_form<Sigma>::value)
            if (safe)
              {
                c_constant += form->alpha * c;
                const double cg = form->gamma * c;
                // Two levels per division (see above), then the odd one.
                unsigned int n = 0;
                for (; n + 1 < L; n += 2)
                  {
                    const double f_1   = block.b_factors[i * L + n];
                    const double f_2   = block.b_factors[i * L + n + 1];
                    double      *out_1 = block.values[n].data() + q0;
                    double      *out_2 = block.values[n + 1].data() + q0;
#pragma omp simd
                    for (unsigned int q = 0; q < n_q; ++q)
                      {
                        const double d_1 = 1. + e[q] * f_1;
                        const double d_2 = 1. + e[q] * f_2;
                        const double r   = cg / (d_1 * d_2);
                        out_1[q] += r * d_2;
                        out_2[q] += r * d_1;
                      }
                  }
                for (; n < L; ++n)
                  {
                    const double f   = block.b_factors[i * L + n];
                    double      *out = block.values[n].data() + q0;
#pragma omp simd
                    for (unsigned int q = 0; q < n_q; ++q)
                      out[q] += cg / (1. + e[q] * f);
                  }
                continue;
              }
          for (unsigned int n = 0; n < L; ++n)
            {
              const double b   = theta[o_wt + i] * in.t[n];
              double      *out = block.values[n].data() + q0;
              for (unsigned int q = 0; q < n_q; ++q)
                out[q] += c * Sigma::value(a[q] + b);
            }
        }
      for (unsigned int n = 0; n < L; ++n)
        {
          double *out = block.values[n].data() + q0;
          for (unsigned int q = 0; q < n_q; ++q)
            out[q] = scale * (out[q] + c_constant);
        }
    }



    // The contribution of neuron i and the levels [n_begin, n_end) on one
    // block to ∂/∂θ Σ_n Σ_q w_qn g(t_n, x_q), before the factor N^{−β}: into
    // partial[i] (c), partial[N+i] (w^t), partial[2N+i·d+k] (w),
    // partial[(2+d)N+i] (η). In the product form, the layer holds the
    // factors e^{κa_iq} and partial[i] gets γ Σ w s only: the part α Σ w, the
    // same for every neuron, is added once per block (BackwardPass::add_to).
    // Otherwise the layer holds the a_iq.
    //
    // For neuron i, with s = σ(z_iqn) and the weights w_qn:
    //   ∂/∂c_i    Σ w σ,             ∂/∂η_i  c_i Σ w σ',
    //   ∂/∂w^t_i  c_i Σ w σ' t_n,    ∂/∂w_i  c_i Σ_q x_q T_q,
    // with T_q = Σ_n w_qn σ'(z_iqn) summed over the levels first, so that
    // the innermost loop does not touch x. In the product form σ = α + γs
    // and σ' = δs(1 − s); the loops sum w s and w s(1 − s) (as ws − ws·s),
    // and γ, δ are applied to the sums.
    //
    // (The three parts, the two loops of the product form and the plain
    // loop, are one function because they share the sums S0, S1, S1t and
    // T, which the end of the function turns into the gradient.)
    template <int dim, typename Sigma>
    void
    backward_piece(const BackwardPiece &piece)
    {
      const Network     &network   = piece.network;
      const Inputs      &in        = piece.in;
      const auto        &weights   = piece.weights;
      const auto        &b_factors = piece.b_factors;
      const unsigned int q0 = piece.q0, n_q = piece.n_q, i = piece.i;
      const unsigned int n_end = piece.n_end;
      const unsigned int L     = in.n_levels;
      const auto        &theta = network.parameters();
      const unsigned int o_wt  = network.block_offset(Network::Block::w_t);
      const unsigned int o_w   = network.block_offset(Network::Block::w);
      const unsigned int o_eta = network.block_offset(Network::Block::eta);

      std::array<double, block_points> T;
      std::fill(T.begin(), T.begin() + n_q, 0.);
      // S0 = Σ w s (or Σ w σ), S1 = Σ w s(1 − s) (or Σ w σ'), S1t the
      // same weighted with t_n.
      double       S0 = 0, S1 = 0, S1t = 0;
      unsigned int n            = piece.n_begin;
      bool         product_form = false;
      if constexpr (has_product_form<Sigma>::value)
        product_form = piece.product_form;
      if (product_form)
        {
          const double *e = piece.layer;
          // Two levels per division (see above), then the odd one.
          for (; n + 1 < n_end; n += 2)
            {
              const double  f_1 = b_factors[i * L + n];
              const double  f_2 = b_factors[i * L + n + 1];
              const double *w_1 = weights[n].data() + q0;
              const double *w_2 = weights[n + 1].data() + q0;
              double        s0 = 0, s1_1 = 0, s1_2 = 0;
#pragma omp simd reduction(+ : s0, s1_1, s1_2)
              for (unsigned int q = 0; q < n_q; ++q)
                {
                  const double d_1  = 1. + e[q] * f_1;
                  const double d_2  = 1. + e[q] * f_2;
                  const double r    = 1. / (d_1 * d_2);
                  const double s_1  = r * d_2;
                  const double s_2  = r * d_1;
                  const double ws_1 = w_1[q] * s_1;
                  const double ws_2 = w_2[q] * s_2;
                  const double wd_1 = ws_1 - ws_1 * s_1;
                  const double wd_2 = ws_2 - ws_2 * s_2;
                  s0 += ws_1 + ws_2;
                  s1_1 += wd_1;
                  s1_2 += wd_2;
                  T[q] += wd_1 + wd_2;
                }
              S0 += s0;
              S1 += s1_1 + s1_2;
              S1t += s1_1 * in.t[n] + s1_2 * in.t[n + 1];
            }
          for (; n < n_end; ++n)
            {
              const double  f  = b_factors[i * L + n];
              const double *w  = weights[n].data() + q0;
              double        s0 = 0, s1 = 0;
#pragma omp simd reduction(+ : s0, s1)
              for (unsigned int q = 0; q < n_q; ++q)
                {
                  const double s  = 1. / (1. + e[q] * f);
                  const double ws = w[q] * s;
                  const double wd = ws - ws * s;
                  s0 += ws;
                  s1 += wd;
                  T[q] += wd;
                }
              S0 += s0;
              S1 += s1;
              S1t += s1 * in.t[n];
            }
        }
      else
        {
          // The plain formulas. Each product w σ and w σ′ is rounded before
          // it is summed: the products go through arrays, so that GCC cannot
          // contract a product and its sum into one fused multiply-add.
          // (This is what the loop computed before the activations became
          // templates, when the products sat in the branches of a switch
          // over the activations and the sums after it; the sums run over
          // q in the same order.)
          const double                    *a = piece.layer;
          std::array<double, block_points> w_sigma, w_derivative;
          for (; n < n_end; ++n)
            {
              const double  b = theta[o_wt + i] * in.t[n];
              const double *w = weights[n].data() + q0;
              for (unsigned int q = 0; q < n_q; ++q)
                {
                  const double z  = a[q] + b;
                  w_sigma[q]      = w[q] * Sigma::value(z);
                  w_derivative[q] = w[q] * Sigma::derivative(z);
                }
              double s0 = 0, s1 = 0;
              for (unsigned int q = 0; q < n_q; ++q)
                {
                  s0 += w_sigma[q];
                  s1 += w_derivative[q];
                  T[q] += w_derivative[q];
                }
              S0 += s0;
              S1 += s1;
              S1t += s1 * in.t[n];
            }
        }
      // (A vectorised sum: a piece is short, and a serial one, four cycles
      // per point and coordinate, would take a third of its time.)
      double S1x[3] = {0, 0, 0};
      for (unsigned int k = 0; k < dim; ++k)
        {
          const double *x = in.x[k].data() + q0;
          double        s = 0;
#pragma omp simd reduction(+ : s)
          for (unsigned int q = 0; q < n_q; ++q)
            s += T[q] * x[q];
          S1x[k] = s;
        }
      // c_i σ' = c_i δ s(1 − s) in the product form.
      double c = theta[i], S0_sigma = S0;
      if constexpr (has_product_form<Sigma>::value)
        if (product_form)
          {
            c        = theta[i] * Sigma::product_form.delta;
            S0_sigma = Sigma::product_form.gamma * S0;
          }
      double *const partial = piece.partial;
      partial[i] += S0_sigma;
      partial[o_wt + i] += c * S1t;
      for (unsigned int k = 0; k < dim; ++k)
        partial[o_w + i * dim + k] += c * S1x[k];
      partial[o_eta + i] += c * S1;
    }
  } // namespace kernels



  /**
   * The Activation of a scalar σ: the kernels' loops, compiled around the
   * inline functions of @p Sigma, which provides
   *   static constexpr const char *name;
   *   static double value(double z);       // σ(z)
   *   static double derivative(double z);  // σ′(z)
   * and, if σ has the product form,
   *   static constexpr ProductForm product_form;
   * Each activation's .cc file creates this class for its Sigma (in a
   * Registration), and so instantiates the kernels for it there.
   */
  template <typename Sigma>
  class BatchedActivation : public Activation
  {
  public:
    std::string
    name() const override
    {
      return Sigma::name;
    }

    const ProductForm *
    product_form() const override
    {
      if constexpr (kernels::has_product_form<Sigma>::value)
        return &Sigma::product_form;
      else
        return nullptr;
    }

    void
    values(const double *z, double *sigma, const unsigned int n) const override
    {
      for (unsigned int j = 0; j < n; ++j)
        sigma[j] = Sigma::value(z[j]);
    }

    void
    derivatives(const double      *z,
                double            *derivative,
                const unsigned int n) const override
    {
      for (unsigned int j = 0; j < n; ++j)
        derivative[j] = Sigma::derivative(z[j]);
    }

    void
    forward_block(const kernels::ForwardBlock &block) const override
    {
      kernels::with_dimension(block.network.dimension(), [&](auto d) {
        kernels::forward_block<decltype(d)::value, Sigma>(block);
      });
    }

    void
    backward_piece(const kernels::BackwardPiece &piece) const override
    {
      kernels::with_dimension(piece.network.dimension(), [&](auto d) {
        kernels::backward_piece<decltype(d)::value, Sigma>(piece);
      });
    }
  };
} // namespace npde

#endif
