// ---------------------------------------------------------------------------
// npde: the network source g_θ(t, x) as a parametric term.
// ---------------------------------------------------------------------------
#include <npde/forward_problem.h>
#include <npde/network_source.h>

#include <cmath>

namespace npde
{
  NetworkSource::NetworkSource(Network &network)
    : network(network)
  {
  }



  std::string
  NetworkSource::name() const
  {
    return "network";
  }



  const Vector<double> &
  NetworkSource::parameters() const
  {
    return network.parameters();
  }



  void
  NetworkSource::set_parameters(const Vector<double> &theta)
  {
    network.set_parameters(theta);
  }



  double
  mean_field_scale(const Network &network)
  {
    return std::pow(double(network.n_neurons()), 2. * network.beta() - 1.);
  }



  double
  NetworkSource::learning_rate_scale() const
  {
    return mean_field_scale(network);
  }



  std::vector<bool>
  NetworkSource::trainable(const bool random_features) const
  {
    std::vector<bool> mask(network.n_parameters(), !random_features);
    for (unsigned int i = 0; i < network.block_size(Network::Block::c); ++i)
      mask[network.block_offset(Network::Block::c) + i] = true;
    return mask;
  }



  // If they fit in a core's second-level cache (8 bytes per point and
  // neuron; up to 1 MB), the first layers of a gradient's forward pass are
  // kept for its backward pass. Larger ones would come back from memory,
  // which costs about as much as computing the exponentials again.
  bool
  NetworkSource::keep_first_layers(const std::vector<double> &coordinates) const
  {
    const std::size_t bytes = coordinates.size() / network.dimension() *
                              network.n_neurons() * sizeof(double);
    return bytes <= (std::size_t(1) << 20);
  }



  void
  NetworkSource::evaluate(const std::vector<double>   &times,
                          const std::vector<double>   &coordinates,
                          std::vector<Vector<double>> &values,
                          const bool                   gradient_follows)
  {
    network.evaluate(times,
                     coordinates,
                     values,
                     gradient_follows && keep_first_layers(coordinates) ?
                       &first_layers :
                       nullptr);
  }



  namespace
  {
    class NetworkBackwardPass : public ParametricTerm::BackwardPass
    {
    public:
      NetworkBackwardPass(const Network                     &network,
                          const std::vector<double>         &times,
                          const std::vector<double>         &coordinates,
                          const std::vector<Vector<double>> &weights,
                          const Network::FirstLayers        *kept)
        : pass(network, times, coordinates, weights, kept)
      {
      }

      void
      advance(const unsigned int           first_final,
              const std::function<bool()> &stop) override
      {
        pass.advance(first_final, stop);
      }

      void
      add_to(Vector<double> &gradient) override
      {
        pass.add_to(gradient);
      }

    private:
      Network::BackwardPass pass;
    };
  } // namespace



  std::unique_ptr<ParametricTerm::BackwardPass>
  NetworkSource::backward_pass(const std::vector<double>         &times,
                               const std::vector<double>         &coordinates,
                               const std::vector<Vector<double>> &weights)
  {
    return std::make_unique<NetworkBackwardPass>(
      network,
      times,
      coordinates,
      weights,
      keep_first_layers(coordinates) ? &first_layers : nullptr);
  }



  // The network source is a term of every run that fits parameters: the
  // network is what npde trains. (Its entries are those of `Network`.)
  namespace
  {
    const ParametricTermRegistration network_source(
      "network source",
      "the network g_theta(t, x) added to the source term.",
      [](const auto &context) -> std::unique_ptr<ParametricTerm> {
        // A run that trains physical constants has the network in its
        // source only with 'Network/Add to source' (the constants alone
        // otherwise); any other fitting run trains the network.
        context.prm.enter_subsection("Network");
        const bool add_to_source = context.prm.get_bool("Add to source");
        context.prm.leave_subsection();
        if (!network_in_source(
              add_to_source,
              !context.problem.model.trainable_constants().empty()))
          return nullptr;
        return std::make_unique<NetworkSource>(context.network);
      });
  } // namespace
} // namespace npde
