// ---------------------------------------------------------------------------
// npde: the activation σ = the logistic sigmoid.
//
// Instantiates the network's batched kernels for this σ (network_kernels.h)
// and registers it by name, which makes it a choice of Network/Activation
// and of network files. Compiled with the kernel flags, as every file in
// source/activations/ (CMakeLists.txt).
// ---------------------------------------------------------------------------
#include <npde/activations/sigmoid.h>
#include <npde/network_kernels.h>

namespace npde
{
  namespace
  {
    const Registration<Activation> registration(
      activations::Sigmoid::name,
      "the logistic sigmoid 1/(1 + e^(-z)); fast, in the product form, as "
      "tanh.",
      [] {
        return std::make_unique<BatchedActivation<activations::Sigmoid>>();
      });
  } // namespace
} // namespace npde
