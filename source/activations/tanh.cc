// ---------------------------------------------------------------------------
// npde: the activation tanh.
//
// Instantiates the network's batched kernels for this σ (network_kernels.h)
// and registers it by name, which makes it a choice of Network/Activation
// and of network files. Compiled with the kernel flags, as every file in
// source/activations/ (CMakeLists.txt).
// ---------------------------------------------------------------------------
#include <npde/activations/tanh.h>
#include <npde/network_kernels.h>

namespace npde
{
  namespace
  {
    const Registration<Activation> registration(
      activations::Tanh::name,
      "tanh(z), the reference paper's choice; fast, in the product form 1 - "
      "2/(1 + e^(2a) e^(2b)), with no transcendental function in the inner "
      "loops.",
      [] { return std::make_unique<BatchedActivation<activations::Tanh>>(); });
  } // namespace
} // namespace npde
