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
// ---------------------------------------------------------------------------
#ifndef npde_parametric_term_h
#define npde_parametric_term_h

#include <deal.II/lac/vector.h>

#include <functional>
#include <memory>
#include <string>
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
     * The factor of the learning rate for this block (the network's
     * mean-field factor N^{2β−1}, doc/design.md section 5), and the entries
     * that are trained (with @p random_features, only the network's output
     * weights c).
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
  };
} // namespace npde

#endif
