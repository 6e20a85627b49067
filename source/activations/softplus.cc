// ---------------------------------------------------------------------------
// npde: the activation softplus.
//
// Instantiates the network's batched kernels for this σ (network_kernels.h)
// and registers it by name, which makes it a choice of Network/Activation
// and of network files. Compiled with the kernel flags, as every file in
// source/activations/ (CMakeLists.txt).
// ---------------------------------------------------------------------------
#include <npde/activations/softplus.h>
#include <npde/network_kernels.h>

namespace npde
{
  namespace
  {
    const Registration<Activation> registration(
      activations::Softplus::name,
      "log(1 + e^z), a smooth ReLU; evaluated point by point with exp and "
      "log1p, slower than the product form.",
      [] {
        return std::make_unique<BatchedActivation<activations::Softplus>>();
      });
  } // namespace
} // namespace npde
