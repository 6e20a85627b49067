// ---------------------------------------------------------------------------
// npde: the activation ReLU.
//
// Instantiates the network's batched kernels for this σ (network_kernels.h)
// and registers it by name, which makes it a choice of Network/Activation
// and of network files. Compiled with the kernel flags, as every file in
// source/activations/ (CMakeLists.txt).
// ---------------------------------------------------------------------------
#include <npde/activations/relu.h>
#include <npde/network_kernels.h>

namespace npde
{
  namespace
  {
    const Registration<Activation> registration(
      activations::ReLU::name,
      "max(z, 0), with derivative 0 at z = 0; evaluated point by point.",
      [] { return std::make_unique<BatchedActivation<activations::ReLU>>(); });
  } // namespace
} // namespace npde
