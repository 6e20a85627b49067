// ---------------------------------------------------------------------------
// npde: the network source g_θ(t, x) as a parametric term.
//
// The mean-field network of network.h as the source term of the PDE: its
// parameters θ are the block, its batched kernels give the values at a
// level's points and the weighted backward pass. The network knows nothing
// of meshes; this adaptor knows nothing of them either (it gets points).
// ---------------------------------------------------------------------------
#ifndef npde_network_source_h
#define npde_network_source_h

#include <npde/network.h>
#include <npde/parametric_term.h>

namespace npde
{
  using namespace dealii;

  class NetworkSource : public ParametricTerm
  {
  public:
    explicit NetworkSource(Network &network);

    std::string
    name() const override;
    const Vector<double> &
    parameters() const override;
    void
    set_parameters(const Vector<double> &theta) override;
    /// N^{2β−1}.
    double
    learning_rate_scale() const override;
    /// All, or with @p random_features only c.
    std::vector<bool>
    trainable(const bool random_features) const override;
    void
    evaluate(const std::vector<double>   &times,
             const std::vector<double>   &coordinates,
             std::vector<Vector<double>> &values,
             const bool                   gradient_follows) override;
    std::unique_ptr<BackwardPass>
    backward_pass(const std::vector<double>         &times,
                  const std::vector<double>         &coordinates,
                  const std::vector<Vector<double>> &weights) override;

  private:
    /// Whether a gradient's forward pass keeps the network's first layers
    /// for the points of @p coordinates.
    bool
    keep_first_layers(const std::vector<double> &coordinates) const;

    Network &network;
    // The network's first layers from the forward pass of a gradient, for
    // its backward pass, if keep_first_layers().
    Network::FirstLayers first_layers;
  };

  /// The mean-field factor N^{2β−1} of the learning rate.
  double
  mean_field_scale(const Network &network);
  /**
   * Whether a fitting run has the network in its source: always, unless it
   * trains physical constants ('Model/Trainable constants') and
   * 'Network/Add to source' is false, when the constants are trained alone.
   */
  inline bool
  network_in_source(const bool add_to_source, const bool trains_constants)
  {
    return add_to_source || !trains_constants;
  }
} // namespace npde

#endif
