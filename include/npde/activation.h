// ---------------------------------------------------------------------------
// npde: the activation σ of the network, an extension point.
//
// An activation is a scalar function σ with its derivative σ′, but the
// network never asks for σ at one point through a virtual call: the batched
// kernels run over blocks of 64 points × all neurons × all time levels, and
// a call per point would cost more than the arithmetic. So the interface
// below works on whole blocks. Its one implementation is the class template
// BatchedActivation<Sigma> (network_kernels.h), which compiles the kernels'
// loops around the inline σ and σ′ of a small struct Sigma. Each activation
// is such a struct (include/npde/activations/<name>.h) and one .cc file
// that instantiates the kernels for it and registers it by name
// (source/activations/<name>.cc, compiled with the kernel flags).
//
// The product form. Some activations are, with s = 1/(1 + e^{κa} e^{κb})
// for z = a + b,
//   σ(z) = α + γ s,   σ′(z) = δ s (1 − s)
// (tanh: κ = 2, α = 1, γ = −2, δ = 4; the sigmoid: κ = −1, α = 0,
// γ = δ = 1). With a_iq = w_i·x_q + η_i and b_in = w^t_i t_n, the kernels
// keep e^{κa_iq} once per mesh and e^{κb_in} once per level, and their inner
// loops have no transcendental function at all (doc/design.md section 8). An
// activation that has the form says so with a ProductForm; the others go
// through σ and σ′ point by point, inlined into the loops.
// ---------------------------------------------------------------------------
#ifndef npde_activation_h
#define npde_activation_h

#include <npde/registry.h>

#include <memory>
#include <string>

namespace npde
{
  namespace kernels
  {
    struct ForwardBlock;
    struct BackwardPiece;
  } // namespace kernels

  /// The constants of σ = α + γs, σ′ = δs(1 − s), s = 1/(1 + e^{κa}e^{κb}).
  /// (α here is not the learning rate.) The kernels multiply by them without
  /// rounding: every constant of today's activations is 0, ±1 or ±2^k.
  struct ProductForm
  {
    double kappa, alpha, gamma, delta;
  };

  class Activation
  {
  public:
    virtual ~Activation() = default;

    /// The name, as parameter files and network files spell it.
    virtual std::string
    name() const = 0;

    /// The constants of the product form, or nullptr if σ has none.
    virtual const ProductForm *
    product_form() const = 0;

    /// σ(z_j) and σ′(z_j) for j < n, by the plain formulas (for
    /// Network::value and Network::add_gradient: many neurons, one point).
    virtual void
    values(const double *z, double *sigma, const unsigned int n) const = 0;
    virtual void
    derivatives(const double      *z,
                double            *derivative,
                const unsigned int n) const = 0;

    /// The forward pass on one block of points: all neurons, all levels.
    virtual void
    forward_block(const kernels::ForwardBlock &block) const = 0;

    /// One piece of the backward pass: one neuron on one block of points,
    /// over a range of levels.
    virtual void
    backward_piece(const kernels::BackwardPiece &piece) const = 0;

    /// The registry of the activations: each one's file adds itself.
    static Registry<Activation> &
    registry();

    /// The activation called @p name; an InputError lists the known ones.
    static std::shared_ptr<const Activation>
    create(const std::string &name);

    /// "relu, sigmoid, softplus or tanh": the names, for messages.
    static std::string
    names_in_words();
  };

  /// The name of @p activation (a shorthand for its name()).
  std::string
  activation_name(const Activation &activation);
} // namespace npde

#endif
