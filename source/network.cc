// ---------------------------------------------------------------------------
// npde: the mean-field neural network g_θ: its parameters, creation, size
// checks and files.
//
// Nothing here computes with θ or the inputs, so this file is compiled with
// the ordinary flags. The computations, which are compiled with the kernel
// flags, are in network_kernels.cc (the input map, the plain formulas, the
// batched passes) and network_initialization.cc (the random draw).
// ---------------------------------------------------------------------------
#include <deal.II/base/utilities.h>

#include <npde/expression.h>
#include <npde/input_check.h>
#include <npde/network.h>
#include <npde/output.h>

#include <boost/lexical_cast.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace npde
{
  void
  NetworkParameters::declare_parameters(ParameterHandler  &prm,
                                        const std::string &subsection)
  {
    prm.enter_subsection(subsection);
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
                        Activation::registry().selection(),
                        "The activation function sigma. " +
                          Activation::registry().documentation());
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
  NetworkParameters::parse_parameters(ParameterHandler  &prm,
                                      const std::string &subsection)
  {
    prm.enter_subsection(subsection);
    {
      n_neurons     = prm.get_integer("Number of neurons");
      beta          = prm.get_double("Beta");
      activation    = prm.get("Activation");
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
                   const std::string &activation)
    : dim(dimension)
    , N(n_neurons)
    , beta_(beta)
    , sigma(Activation::create(activation))
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



  const Activation &
  Network::activation() const
  {
    return *sigma;
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



  void
  Network::set_parameters(const Vector<double> &parameters)
  {
    AssertDimension(parameters.size(), theta.size());
    theta = parameters;
  }



  const Vector<double> &
  Network::parameters() const
  {
    return theta;
  }



  bool
  Network::uses_product_form() const
  {
    return sigma->product_form() != nullptr;
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
        << "activation " << sigma->name() << '\n'
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
    if (!Activation::registry().has(activation))
      throw InputError(file_name + ": unknown activation '" + activation +
                       "'; use " + Activation::names_in_words() + ".");
    Network network(dim, static_cast<unsigned int>(n), beta, activation);
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
