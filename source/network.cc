// ---------------------------------------------------------------------------
// npde: the mean-field neural network g_θ and its fast batched kernels.
//
// This file is compiled with -O3, -march=native and -fopenmp-simd (see
// CMakeLists.txt), but never with -ffast-math: the overflow guard below
// relies on IEEE arithmetic. The one exception is the exponential of the
// kernels' first layer, in vector_exp.cc.
// ---------------------------------------------------------------------------
#include <deal.II/base/parallel.h>
#include <deal.II/base/utilities.h>

#include <npde/expression.h>
#include <npde/input_check.h>
#include <npde/network.h>
#include <npde/output.h>

#include <boost/lexical_cast.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace npde
{
  std::string
  activation_name(const Activation activation)
  {
    switch (activation)
      {
        case Activation::tanh:
          return "tanh";
        case Activation::sigmoid:
          return "sigmoid";
        case Activation::softplus:
          return "softplus";
        default:
          return "relu";
      }
  }



  namespace
  {
    Activation
    parse_activation(const std::string &name, const std::string &where)
    {
      for (const Activation a : {Activation::tanh,
                                 Activation::sigmoid,
                                 Activation::softplus,
                                 Activation::relu})
        if (activation_name(a) == name)
          return a;
      throw InputError(where + ": unknown activation '" + name +
                       "'; use tanh, sigmoid, softplus or relu.");
    }
  } // namespace



  void
  NetworkParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Network");
    {
      prm.declare_entry("Number of neurons",
                        "100",
                        Patterns::Integer(1),
                        "N, the width of the hidden layer.");
      prm.declare_entry("Beta",
                        "1",
                        Patterns::Double(0.5, 1.),
                        "The mean-field exponent: g = N^(-beta) sum_i c_i "
                        "sigma(...), beta in [1/2, 1].");
      prm.declare_entry("Activation",
                        "tanh",
                        Patterns::Selection("tanh|sigmoid|softplus|relu"),
                        "The activation function sigma.");
      prm.declare_entry("Map inputs to [-1,1]",
                        "false",
                        Patterns::Bool(),
                        "Map t from [0, T] and x from the bounding box of the "
                        "mesh affinely onto [-1, 1] before the first layer. "
                        "Off in the reference paper's examples.");
      prm.declare_entry("Weight standard deviation",
                        "1",
                        Patterns::Double(0.),
                        "s: w^t, w and eta are drawn from N(0, s^2).");
      prm.declare_entry("Output weight range",
                        "1",
                        Patterns::Double(0.),
                        "a: c is drawn from U(-a, a).");
      prm.declare_entry("Random seed",
                        "1",
                        Patterns::Integer(0),
                        "The seed of the initialisation; the same seed gives "
                        "the same network on every machine.");
      prm.declare_entry("Initial network file",
                        "",
                        Patterns::Anything(),
                        "If not empty, load the network from this file "
                        "(written by npde) instead of drawing it; its "
                        "architecture replaces the entries above.");
      prm.declare_entry("Add to source",
                        "false",
                        Patterns::Bool(),
                        "In a forward run, add the (untrained) network "
                        "g_theta to the known source s, and write it as the "
                        "field g_theta beside u.");
    }
    prm.leave_subsection();
  }



  void
  NetworkParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Network");
    {
      n_neurons     = prm.get_integer("Number of neurons");
      beta          = prm.get_double("Beta");
      activation    = parse_activation(prm.get("Activation"), "Network");
      map_inputs    = prm.get_bool("Map inputs to [-1,1]");
      weight_std    = prm.get_double("Weight standard deviation");
      output_range  = prm.get_double("Output weight range");
      seed          = prm.get_integer("Random seed");
      initial_file  = prm.get("Initial network file");
      add_to_source = prm.get_bool("Add to source");
    }
    prm.leave_subsection();
  }



  Network::Network(const unsigned int dimension,
                   const unsigned int n_neurons,
                   const double       beta,
                   const Activation   activation)
    : dim(dimension)
    , N(n_neurons)
    , beta_(beta)
    , sigma(activation)
    , theta(n_neurons * (dimension + 3))
    , x_shift(dimension, 0.)
    , x_scale(dimension, 1.)
  {
    AssertThrow(dimension >= 1 && dimension <= 3,
                ExcMessage("The network's dimension must be 1, 2 or 3."));
  }



  Network
  Network::create(const unsigned int       dimension,
                  const NetworkParameters &p,
                  const MPI_Comm           comm)
  {
    if (!p.initial_file.empty())
      {
        Network network = load(p.initial_file, comm);
        if (network.dimension() != dimension)
          throw InputError(
            "Network/Initial network file: '" + p.initial_file +
            "' holds a network for " + std::to_string(network.dimension()) +
            "D inputs, but the problem is " + std::to_string(dimension) + "D.");
        return network;
      }
    check_size(dimension, p.n_neurons, "'Network/Number of neurons'", comm);
    Network network(dimension, p.n_neurons, p.beta, p.activation);
    network.initialize_randomly(p.weight_std, p.output_range, p.seed);
    return network;
  }



  // θ, the gradient, a trial θ and its gradient, two vectors of optimiser
  // state (Adam's moments, or L-BFGS's newest pair) and the first layer's
  // values that the backward pass keeps: at least eight vectors of P
  // doubles while training.
  void
  Network::check_size(const unsigned int dimension,
                      const double       n_neurons,
                      const std::string &where,
                      const MPI_Comm     comm)
  {
    const double n_parameters = n_neurons * (dimension + 3.);
    const double needed       = 8. * 8. * n_parameters;
    if (n_parameters > double(std::numeric_limits<int>::max()))
      throw InputError(
        where + ": " + Utilities::to_string(n_neurons) +
        " neurons give N(d+3) = " + Utilities::to_string(n_parameters) +
        " parameters, more than npde can index (2^31 - 1). "
        "Use fewer neurons.");
    // (Collective on @p comm, whose ranks all create the network: they
    // decide alike.)
    const double available = available_memory(comm);
    if (needed > available)
      throw InputError(where + ": " + Utilities::to_string(n_neurons) +
                       " neurons give " + Utilities::to_string(n_parameters) +
                       " parameters, and the vectors of that size that "
                       "training keeps need at least " +
                       memory_string(needed) + ", but this process may use " +
                       memory_string(available) + ". Use fewer neurons.");
  }



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



  unsigned int
  Network::dimension() const
  {
    return dim;
  }



  unsigned int
  Network::n_neurons() const
  {
    return N;
  }



  unsigned int
  Network::n_parameters() const
  {
    return theta.size();
  }



  double
  Network::beta() const
  {
    return beta_;
  }



  Activation
  Network::activation() const
  {
    return sigma;
  }



  bool
  Network::maps_inputs() const
  {
    return input_map;
  }



  unsigned int
  Network::block_offset(const Block block) const
  {
    switch (block)
      {
        case Block::c:
          return 0;
        case Block::w_t:
          return N;
        case Block::w:
          return 2 * N;
        default:
          return (2 + dim) * N;
      }
  }



  unsigned int
  Network::block_size(const Block block) const
  {
    return block == Block::w ? dim * N : N;
  }



  Vector<double> &
  Network::parameters()
  {
    return theta;
  }



  const Vector<double> &
  Network::parameters() const
  {
    return theta;
  }



  bool
  Network::uses_product_form() const
  {
    return sigma == Activation::tanh || sigma == Activation::sigmoid;
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



  namespace
  {
    inline double
    sigma_value(const Activation a, const double z)
    {
      switch (a)
        {
          case Activation::tanh:
            return std::tanh(z);
          case Activation::sigmoid:
            return 1. / (1. + std::exp(-z));
          case Activation::softplus:
            // log(1 + e^z) without overflow for large z.
            return z > 0 ? z + std::log1p(std::exp(-z)) :
                           std::log1p(std::exp(z));
          default:
            return z > 0 ? z : 0.;
        }
    }

    inline double
    sigma_derivative(const Activation a, const double z)
    {
      switch (a)
        {
          case Activation::tanh:
            {
              const double s = std::tanh(z);
              return 1. - s * s;
            }
          case Activation::sigmoid:
            {
              const double s = 1. / (1. + std::exp(-z));
              return s * (1. - s);
            }
          case Activation::softplus:
            return 1. / (1. + std::exp(-z));
          default:
            return z > 0 ? 1. : 0.;
        }
    }
  } // namespace



  double
  Network::value(const double t, const double *x) const
  {
    const double th = mapped_time(t);
    double       g  = 0;
    for (unsigned int i = 0; i < N; ++i)
      {
        double z = theta[block_offset(Block::w_t) + i] * th +
                   theta[block_offset(Block::eta) + i];
        for (unsigned int k = 0; k < dim; ++k)
          z += theta[block_offset(Block::w) + i * dim + k] *
               (input_map ? x[k] * x_scale[k] + x_shift[k] : x[k]);
        g += theta[i] * sigma_value(sigma, z);
      }
    return std::pow(double(N), -beta_) * g;
  }



  void
  Network::add_gradient(const double    t,
                        const double   *x,
                        Vector<double> &gradient) const
  {
    const double scale = std::pow(double(N), -beta_);
    const double th    = mapped_time(t);
    for (unsigned int i = 0; i < N; ++i)
      {
        double xh[3];
        double z = theta[block_offset(Block::w_t) + i] * th +
                   theta[block_offset(Block::eta) + i];
        for (unsigned int k = 0; k < dim; ++k)
          {
            xh[k] = (input_map ? x[k] * x_scale[k] + x_shift[k] : x[k]);
            z += theta[block_offset(Block::w) + i * dim + k] * xh[k];
          }
        const double ds = scale * theta[i] * sigma_derivative(sigma, z);
        gradient[block_offset(Block::c) + i] += scale * sigma_value(sigma, z);
        gradient[block_offset(Block::w_t) + i] += ds * th;
        for (unsigned int k = 0; k < dim; ++k)
          gradient[block_offset(Block::w) + i * dim + k] += ds * xh[k];
        gradient[block_offset(Block::eta) + i] += ds;
      }
  }



  // ------------------------------------------------------------------------
  // The batched kernels.
  //
  // The points are processed in blocks of `block_points`; a block's
  // coordinates, the factors e^{2a} of one neuron, and the block's values (or
  // weights) at all time levels stay in the first two cache levels while the
  // loop runs over neurons and levels. Blocks are independent, so they are
  // distributed over threads (TBB through deal.II); every block writes its
  // own outputs (forward) or its own partial gradient (backward), and the
  // partial gradients are summed in block order, so the result does not
  // depend on the number of threads.
  //
  // The product form needs e^{κa} and e^{κb} (κ = 2 for tanh, −1 for the
  // sigmoid) to be finite and non-zero. A neuron whose |κa| or |κb| exceeds
  // 150 anywhere in a block is evaluated there by the plain formula instead:
  // then each denominator d = 1 + e^{κa}e^{κb} lies in [1, 1 + e^{300}], and
  // a product of two of them, which the kernels form (below), in
  // [1, (1 + e^{300})²], which is finite. (Only neurons with very large
  // weights reach the limit; they are evaluated correctly, only more slowly.
  // With a limit of 300 a product could overflow to ∞; the quotients would
  // then become 0 where they are below e^{−109}, harmless but not exact.)
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
  // ------------------------------------------------------------------------
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

  namespace
  {
    constexpr unsigned int block_points   = 64;
    constexpr double       exponent_limit = 150.;

    // With s = 1/(1 + e^{κa} e^{κb}), σ = α + γs and σ' = δs(1 − s):
    // tanh: κ = 2, α = 1, γ = −2, δ = 4; sigmoid: κ = −1, α = 0, γ = δ = 1.
    struct ProductForm
    {
      explicit ProductForm(const Activation a)
        : kappa(a == Activation::tanh ? 2. : -1.)
        , alpha(a == Activation::tanh ? 1. : 0.)
        , gamma(a == Activation::tanh ? -2. : 1.)
        , delta(a == Activation::tanh ? 4. : 1.)
      {
      }
      double kappa, alpha, gamma, delta;
    };

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

    // Calls f(dim, block, first point, number of points) for every block of
    // points, spread over threads, with the dimension as a compile-time
    // constant.
    template <typename F>
    void
    for_each_block(const unsigned int dim,
                   const unsigned int n_points,
                   const F           &f)
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
              with_dimension(dim, [&](auto d) { f(d, b, q0, n_q); });
            }
        },
        1);
    }

    struct Inputs
    {
      unsigned int                       n_points;
      unsigned int                       n_levels;
      std::vector<double>                t; // mapped times
      std::array<std::vector<double>, 3> x; // mapped coordinates, transposed
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
    // and e_q = e^{κa_iq} if the product form applies to the neuron there
    // (returned). The forward pass and the backward pass both start here.
    template <int dim>
    inline bool
    first_layer(const Network                    &network,
                const Inputs                     &in,
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
      return network.uses_product_form() && level_safe[i] &&
             product_factors(ProductForm(network.activation()).kappa,
                             a,
                             n_q,
                             e);
    }
  } // namespace



  namespace
  {
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



    // g^n_q for the points of [q0, q0+n_q) and all levels.
    template <int dim>
    void
    forward_block(const Network               &network,
                  const Inputs                &in,
                  const std::vector<double>   &b_factors,
                  const std::vector<bool>     &level_safe,
                  const unsigned int           q0,
                  const unsigned int           n_q,
                  std::vector<Vector<double>> &values,
                  Network::FirstLayers        *keep)
    {
      const unsigned int    N       = network.n_neurons();
      const unsigned int    L       = in.n_levels;
      const Vector<double> &theta   = network.parameters();
      const Activation      sigma   = network.activation();
      const double          scale   = std::pow(double(N), -network.beta());
      const unsigned int    o_wt    = network.block_offset(Network::Block::w_t);

      std::array<double, block_points> a{}, e{}; // (a partial block's tail: 0)
      for (unsigned int n = 0; n < L; ++n)
        std::fill(values[n].begin() + q0, values[n].begin() + q0 + n_q, 0.);
      // σ = α + γs: the constant part α·Σc is added once at the end.
      const ProductForm form(sigma);
      double            c_constant = 0;

      for (unsigned int i = 0; i < N; ++i)
        {
          const double c = theta[i];
          const bool   safe =
            first_layer<dim>(network, in, level_safe, i, q0, n_q, a, e);
          if (keep != nullptr)
            {
              const std::size_t bi = std::size_t(q0 / block_points) * N + i;
              std::copy_n((safe ? e : a).begin(),
                          block_points,
                          keep->values.begin() + bi * block_points);
              keep->product_form[bi] = safe;
            }
          if (safe)
            {
              c_constant += form.alpha * c;
              const double cg = form.gamma * c;
              // Two levels per division (see above), then the odd one.
              unsigned int n = 0;
              for (; n + 1 < L; n += 2)
                {
                  const double f_1   = b_factors[i * L + n];
                  const double f_2   = b_factors[i * L + n + 1];
                  double      *out_1 = values[n].data() + q0;
                  double      *out_2 = values[n + 1].data() + q0;
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
                  const double f   = b_factors[i * L + n];
                  double      *out = values[n].data() + q0;
#pragma omp simd
                  for (unsigned int q = 0; q < n_q; ++q)
                    out[q] += cg / (1. + e[q] * f);
                }
            }
          else
            for (unsigned int n = 0; n < L; ++n)
              {
                const double b   = theta[o_wt + i] * in.t[n];
                double      *out = values[n].data() + q0;
                for (unsigned int q = 0; q < n_q; ++q)
                  out[q] += c * sigma_value(sigma, a[q] + b);
              }
        }
      for (unsigned int n = 0; n < L; ++n)
        {
          double *out = values[n].data() + q0;
          for (unsigned int q = 0; q < n_q; ++q)
            out[q] = scale * (out[q] + c_constant);
        }
    }



    // The contribution of neuron i and the levels [n_begin, n_end) on one
    // block to ∂/∂θ Σ_n Σ_q w_qn g(t_n, x_q), before the factor N^{−β}: into
    // partial[i] (c), partial[N+i] (w^t), partial[2N+i·d+k] (w),
    // partial[(2+d)N+i] (η). In the product form, @p layer holds the factors
    // e^{κa_iq} and partial[i] gets γ Σ w s only: the part α Σ w, the same
    // for every neuron, is added once per block (BackwardPass::add_to).
    // Otherwise @p layer holds the a_iq.
    //
    // For neuron i, with s = σ(z_iqn) and the weights w_qn:
    //   ∂/∂c_i    Σ w σ,             ∂/∂η_i  c_i Σ w σ',
    //   ∂/∂w^t_i  c_i Σ w σ' t_n,    ∂/∂w_i  c_i Σ_q x_q T_q,
    // with T_q = Σ_n w_qn σ'(z_iqn) summed over the levels first, so that
    // the innermost loop does not touch x. In the product form σ = α + γs
    // and σ' = δs(1 − s); the loops sum w s and w s(1 − s) (as ws − ws·s),
    // and γ, δ are applied to the sums.
    template <int dim>
    void
    backward_piece(const Network                     &network,
                   const Inputs                      &in,
                   const std::vector<double>         &b_factors,
                   const unsigned int                 q0,
                   const unsigned int                 n_q,
                   const std::vector<Vector<double>> &weights,
                   const unsigned int                 i,
                   const bool                         product_form,
                   const double                      *layer,
                   const unsigned int                 n_begin,
                   const unsigned int                 n_end,
                   double                            *partial)
    {
      const unsigned int    L     = in.n_levels;
      const Vector<double> &theta = network.parameters();
      const Activation      sigma = network.activation();
      const ProductForm     form(sigma);
      const unsigned int    o_wt  = network.block_offset(Network::Block::w_t);
      const unsigned int    o_w   = network.block_offset(Network::Block::w);
      const unsigned int    o_eta = network.block_offset(Network::Block::eta);

      std::array<double, block_points> T;
      std::fill(T.begin(), T.begin() + n_q, 0.);
      // S0 = Σ w s (or Σ w σ), S1 = Σ w s(1 − s) (or Σ w σ'), S1t the
      // same weighted with t_n.
      double       S0 = 0, S1 = 0, S1t = 0;
      unsigned int n = n_begin;
      if (product_form)
        {
          const double *e = layer;
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
          const double *a = layer;
          for (; n < n_end; ++n)
            {
              const double  b  = theta[o_wt + i] * in.t[n];
              const double *w  = weights[n].data() + q0;
              double        s0 = 0, s1 = 0;
              for (unsigned int q = 0; q < n_q; ++q)
                {
                  const double z  = a[q] + b;
                  const double ws = w[q] * sigma_derivative(sigma, z);
                  s0 += w[q] * sigma_value(sigma, z);
                  s1 += ws;
                  T[q] += ws;
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
      const double c = theta[i] * (product_form ? form.delta : 1.);
      partial[i] += (product_form ? form.gamma * S0 : S0);
      partial[o_wt + i] += c * S1t;
      for (unsigned int k = 0; k < dim; ++k)
        partial[o_w + i * dim + k] += c * S1x[k];
      partial[o_eta + i] += c * S1;
    }



    // e^{κ b_in} = e^{κ w^t_i t_n} for all neurons and levels, and whether
    // every |κ b_in| of a neuron is small enough for the product form.
    void
    level_factors(const Network       &network,
                  const Inputs        &in,
                  std::vector<double> &factors,
                  std::vector<bool>   &safe)
    {
      const unsigned int N     = network.n_neurons();
      const double       kappa = ProductForm(network.activation()).kappa;
      const unsigned int o_wt  = network.block_offset(Network::Block::w_t);
      factors.resize(N * in.n_levels);
      safe.assign(N, true);
      if (!network.uses_product_form())
        return;
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
    for_each_block(dim, in.n_points, [&](auto d, auto, auto q0, auto n_q) {
      forward_block<decltype(d)::value>(
        *this, in, factors, safe, q0, n_q, values, keep);
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
          network, in, level_safe, i, q0, n_q, a, scratch);
      });
      if (!is_product)
        scratch = a;
      return {is_product, scratch.data()};
    }

    // Neuron i's chunk j on block b, with its first layer. (Not inlined:
    // advance() and add_to() then run the very same code, and the same
    // contractions into fused multiply-adds, which the bitwise invariance
    // above needs.)
    [[gnu::noinline]] void
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
      with_dimension(network.dimension(), [&](auto d) {
        backward_piece<decltype(d)::value>(network,
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
                                           out);
      });
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
    const double alpha = ProductForm(w.network.activation()).alpha;

    for_each_block(w.network.dimension(),
                   w.in.n_points,
                   [&](auto,
                       const unsigned int b,
                       const unsigned int q0,
                       const unsigned int n_q) {
                     // Neuron by neuron, its chunks left, in the order above.
                     const unsigned int done = w.pieces_done[b];
                     double *out = w.partial.data() + std::size_t(b) * w.P;
                     double  W   = 0; // Σ_n Σ_q w_qn: α Σ w
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
                         for (unsigned int j = done / w.N + (i < done % w.N);
                              j < w.n_chunks;
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



  void
  Network::save(const std::string &file_name) const
  {
    std::ostringstream out;
    out << std::setprecision(17);
    out << "npde-network 1\n"
        << "dimension " << dim << '\n'
        << "neurons " << N << '\n'
        << "beta " << beta_ << '\n'
        << "activation " << activation_name(sigma) << '\n'
        << "input-map " << (input_map ? "true" : "false") << '\n'
        << "t-map " << t_scale << ' ' << t_shift << '\n'
        << "x-map";
    for (unsigned int k = 0; k < dim; ++k)
      out << ' ' << x_scale[k] << ' ' << x_shift[k];
    out << '\n';
    const std::pair<Block, const char *> blocks[] = {{Block::c, "c"},
                                                     {Block::w_t, "w_t"},
                                                     {Block::w, "w"},
                                                     {Block::eta, "eta"}};
    for (const auto &block : blocks)
      {
        out << "block " << block.second << ' ' << block_size(block.first)
            << '\n';
        for (unsigned int j = 0; j < block_size(block.first); ++j)
          out << theta[block_offset(block.first) + j] << '\n';
      }
    out << "end\n";
    write_file_atomically(file_name, out.str());
  }



  // The file is read word by word, and each field is checked as it comes:
  // a number must be a number as a whole (Boost's lexical_cast) and finite,
  // the sizes are checked before anything is allocated, and a message says
  // which field is wrong.
  Network
  Network::load(const std::string &file_name, const MPI_Comm comm)
  {
    std::ifstream in(file_name);
    if (!in)
      throw InputError("Could not open the network file '" + file_name +
                       "'. Give the path of a file written by npde.");
    const auto shown = [](const double x) {
      std::ostringstream out;
      out << x;
      return out.str();
    };
    const auto fail = [&](const std::string &what) {
      return InputError("The network file '" + file_name +
                        "' is not a valid npde network file: " + what +
                        ". See doc/network-format.md for the format.");
    };
    const auto next_word = [&](const std::string &field) {
      std::string word;
      if (!(in >> word))
        throw fail("it ends before the field '" + field + "'");
      return word;
    };
    const auto expect = [&](const std::string &keyword) {
      const std::string word = next_word(keyword);
      if (word != keyword)
        throw fail("expected '" + keyword + "', found '" + word + "'");
    };
    const auto number = [&](const std::string &field) {
      const std::string word = next_word(field);
      double            value;
      try
        {
          value = boost::lexical_cast<double>(word);
        }
      catch (const boost::bad_lexical_cast &)
        {
          throw fail("the field '" + field + "' is '" + word +
                     "', not a number");
        }
      if (!std::isfinite(value))
        throw fail("the field '" + field + "' is '" + word +
                   "', not a finite number");
      return value;
    };
    // (A double, so that a neuron count too large for an unsigned int
    // still reaches check_size() and its message.)
    const auto count =
      [&](const std::string &field, const double lower, const double upper) {
        const double value = number(field);
        if (!(value == std::floor(value) && value >= lower && value <= upper))
          throw fail("the field '" + field + "' is " + shown(value) +
                     ", not an integer in [" + shown(lower) + ", " +
                     shown(upper) + "]");
        return value;
      };

    expect("npde-network");
    const unsigned int version = count("npde-network (the version)", 1, 1e9);
    if (version != 1)
      throw fail("unknown version " + std::to_string(version));
    expect("dimension");
    const unsigned int dim = count("dimension", 1, 3);
    expect("neurons");
    const double n = count("neurons", 1, 1e18);
    check_size(dim, n, "The network file '" + file_name + "'", comm);
    expect("beta");
    const double beta = number("beta");
    if (!(beta >= 0.5 && beta <= 1.))
      throw fail("the field 'beta' is " + shown(beta) +
                 ", but beta must lie in [1/2, 1]");
    expect("activation");
    const std::string activation = next_word("activation");
    Network           network(dim,
                    static_cast<unsigned int>(n),
                    beta,
                    parse_activation(activation, file_name));
    expect("input-map");
    const std::string input_map = next_word("input-map");
    if (input_map != "true" && input_map != "false")
      throw fail("the field 'input-map' is '" + input_map +
                 "', but must be 'true' or 'false'");
    network.input_map = (input_map == "true");
    expect("t-map");
    network.t_scale = number("t-map (scale)");
    network.t_shift = number("t-map (shift)");
    expect("x-map");
    for (unsigned int k = 0; k < dim; ++k)
      {
        network.x_scale[k] = number("x-map (scale)");
        network.x_shift[k] = number("x-map (shift)");
      }
    for (const auto &block : {std::make_pair(Block::c, "c"),
                              std::make_pair(Block::w_t, "w_t"),
                              std::make_pair(Block::w, "w"),
                              std::make_pair(Block::eta, "eta")})
      {
        expect("block");
        expect(block.second);
        const unsigned int expected = network.block_size(block.first);
        const unsigned int size =
          count(std::string("block ") + block.second + " (its size)", 0, 4e9);
        if (size != expected)
          throw fail(std::string("block ") + block.second + " has " +
                     std::to_string(size) + " entries instead of " +
                     std::to_string(expected));
        for (unsigned int j = 0; j < size; ++j)
          network.theta[network.block_offset(block.first) + j] =
            number(std::string("block ") + block.second + ", entry " +
                   std::to_string(j));
      }
    expect("end");
    return network;
  }
} // namespace npde
