// ---------------------------------------------------------------------------
// npde: the interface of parametric terms (doc/design.md section 6).
//
// A parametric term is a term of the PDE with parameters θ_b, one block of
// the reduced functional's θ. It owns its block. Today's kind is a source
// term g(t, x; θ_b), which the finite-element side sees only at points:
//
//   forward:   values g(t_n, x_q; θ_b) at every time level and point;
//   backward:  ∂J/∂θ_b = Σ_n Σ_q w^n_q ∂_θ g(t_n, x_q; θ_b), with the
//              adjoint's weights w^n = Bᵀμ^n (doc/design.md section 4).
//
// Both work on whole levels of points, never on one point at a time, so
// that an implementation can use batched kernels (the network's do). The
// implementation today is NetworkSource; trainable physical constants
// (doc/design.md section 10) and a closure g(t, x, u) add hooks of their
// own kind here (∂/∂p of a, b, f, s, q_N; ∂/∂u).
//
// The kinds of term are registered by name (registry.h). A run that fits
// parameters asks every registered kind for its term; a kind decides from
// its own parameters whether the run has one (the network source always,
// trainable constants when `Model/Trainable constants` names some), and
// θ is the concatenation of the blocks in the order of the kinds' names.
// ---------------------------------------------------------------------------
#ifndef npde_parametric_term_h
#define npde_parametric_term_h

#include <deal.II/base/parameter_handler.h>
#include <deal.II/lac/vector.h>

#include <npde/registry.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace npde
{
  using namespace dealii;

  class ParametricTerm
  {
  public:
    virtual ~ParametricTerm() = default;

    /// The block's name, for messages.
    virtual std::string
    name() const = 0;

    /// θ_b, the term's parameters.
    virtual const Vector<double> &
    parameters() const = 0;

    /// Set θ_b: the reduced functional is the only caller.
    virtual void
    set_parameters(const Vector<double> &theta_b) = 0;

    /**
     * The factor of the learning rate for this block's entries (the
     * network's mean-field factor N^{2β−1}, doc/design.md section 5), and
     * the entries that are trained (with @p random_features, only the
     * network's output weights c). The optimisers scale each entry's step
     * by its block's factor.
     */
    virtual double
    learning_rate_scale() const = 0;
    virtual std::vector<bool>
    trainable(const bool random_features) const = 0;

    /**
     * values[n][q] = g(t_n, x_q; θ_b) for the @p times t_n and the points
     * x_q given as one flat list of @p coordinates (Q·d numbers). With
     * @p gradient_follows, a backward pass at the same points comes next
     * (an implementation may keep what it needs for it).
     */
    virtual void
    evaluate(const std::vector<double>   &times,
             const std::vector<double>   &coordinates,
             std::vector<Vector<double>> &values,
             const bool                   gradient_follows) = 0;

    /// The weighted backward pass over all levels, which may start while
    /// the weights of later levels are still being computed.
    class BackwardPass
    {
    public:
      virtual ~BackwardPass() = default;

      /// Work, on this thread, on the levels n ≥ @p first_final (their
      /// weights are final), until @p stop returns true or nothing is left.
      virtual void
      advance(const unsigned int           first_final,
              const std::function<bool()> &stop) = 0;

      /// Finish and add Σ_n Σ_q w^n_q ∂_θ g(t_n, x_q) to @p gradient_b.
      virtual void
      add_to(Vector<double> &gradient_b) = 0;
    };

    /// A backward pass at the points of the last evaluate() with the
    /// weights @p weights (weights[n][q] = w^n_q), read as they become final.
    virtual std::unique_ptr<BackwardPass>
    backward_pass(const std::vector<double>         &times,
                  const std::vector<double>         &coordinates,
                  const std::vector<Vector<double>> &weights) = 0;

    /// Whether the Tikhonov term λ/2 |θ_b|² applies to this block (the
    /// network's weights; not the physical constants, whose θ_b is in
    /// units of their initial guesses, where |θ_b|² means nothing).
    virtual bool
    regularized() const
    {
      return true;
    }

    /// Values the term reports in the progress line and history.csv, as
    /// (column name, value) pairs (the physical constants' values).
    virtual std::vector<std::pair<std::string, double>>
    reported_values() const
    {
      return {};
    }
  };



  template <int dim>
  class AdjointSolver;

  /**
   * The second hook of a term that sits inside the PDE's operator (the
   * physical constants, doc/design.md section 10) rather than in its
   * source: its gradient is a pass over the trajectory with the adjoint's
   * μ^n, after the backward sweep.
   */
  template <int dim>
  class ModelTerm
  {
  public:
    virtual ~ModelTerm() = default;

    /// Add this rank's part of ∂J/∂θ_b to @p gradient_b.
    virtual void
    add_adjoint_gradient(const AdjointSolver<dim> &adjoint,
                         Vector<double>           &gradient_b) = 0;
  };



  class Network;
  template <int dim>
  class ForwardProblem;

  /// What a kind of parametric term may build its term from.
  template <int dim>
  struct ParametricTermContext
  {
    ParameterHandler    &prm;
    ForwardProblem<dim> &problem;
    /// The run's network, which the network source adapts.
    Network &network;
  };

  /// The kinds of parametric term. A factory returns nullptr if the run,
  /// by its parameters, has no term of its kind.
  template <int dim>
  using ParametricTermRegistry =
    Registry<ParametricTerm, const ParametricTermContext<dim> &>;

  /**
   * Registers a kind of term in the registries of dimensions 1 to 3:
   * @p factory is a generic lambda taking a ParametricTermContext<dim>.
   * Its parameters, if any, are declared once (under dimension 2), as the
   * misfits' are.
   */
  struct ParametricTermRegistration
  {
    template <typename Factory>
    ParametricTermRegistration(
      const std::string                             &name,
      const std::string                             &description,
      const Factory                                 &factory,
      const std::function<void(ParameterHandler &)> &declare_parameters = {})
    {
      ParametricTermRegistry<1>::instance().add(name, description, factory, {});
      ParametricTermRegistry<2>::instance().add(name,
                                                description,
                                                factory,
                                                declare_parameters);
      ParametricTermRegistry<3>::instance().add(name, description, factory, {});
    }
  };

  /// The parameters of every kind of term (each in its own subsection).
  void
  declare_parametric_term_parameters(ParameterHandler &prm);

  /// The terms of this run, in the order of their kinds' names.
  template <int dim>
  std::vector<std::unique_ptr<ParametricTerm>>
  create_parametric_terms(const ParametricTermContext<dim> &context);
} // namespace npde

#endif
