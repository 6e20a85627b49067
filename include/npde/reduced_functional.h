// ---------------------------------------------------------------------------
// npde: the reduced functional J(θ) as the trainer sees it.
//
// θ is the concatenation of the parameter blocks of all parametric terms
// (parametric_term.h), and J(θ) = Σ misfits + regularisation is evaluated
// through a forward and an adjoint sweep. The trainer and the optimisers see
// only this interface: a vector θ, J, ∇J, and what the functional's
// components contribute to the training history (a relative RMSE per misfit,
// the size of the mesh, later one column per trained constant). It is not a
// template on the dimension, and neither is the trainer.
// ---------------------------------------------------------------------------
#ifndef npde_reduced_functional_h
#define npde_reduced_functional_h

#include <deal.II/lac/vector.h>

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace npde
{
  using namespace dealii;

  /// A column of the training history that a component contributes.
  struct HistoryColumn
  {
    /// The name in history.csv, e.g. "relative_rmse".
    std::string name;
    /// The title in the progress line, or empty: not printed there.
    std::string title;
    /// A measure of the fit, written after the loss and not defined for a
    /// trial that failed (NaN); otherwise a property of the discretisation,
    /// written at the end of the row.
    bool measures_fit;
  };

  class ReducedFunctional
  {
  public:
    virtual ~ReducedFunctional() = default;

    /// The number of entries of θ.
    virtual unsigned int
    n_parameters() const = 0;

    /// θ as the blocks hold it now.
    virtual Vector<double>
    parameters() const = 0;

    /// Give every block its part of @p theta: the one place that writes the
    /// parameters of the terms.
    virtual void
    set_parameters(const Vector<double> &theta) = 0;

    /// J(θ). Throws an InputError when a forward solve fails.
    virtual double
    value(const Vector<double> &theta) = 0;

    /// J(θ), and ∇J(θ) into @p gradient (the same on every rank).
    virtual double
    value_and_gradient(const Vector<double> &theta,
                       Vector<double>       &gradient) = 0;

    /// The relative RMSE of the training data at the last evaluation (what
    /// `Trainer/Target relative RMSE` compares with).
    virtual double
    relative_rmse() const = 0;

    /// The learning-rate factor of each entry of θ (its block's), and
    /// which entries are trained (see ParametricTerm).
    virtual Vector<double>
    learning_rate_scales() const = 0;
    virtual std::vector<bool>
    trainable(const bool random_features) const = 0;

    /// The columns the components contribute to the history, and their
    /// values at the last evaluation (in the same order).
    virtual std::vector<HistoryColumn>
    history_columns() const = 0;
    virtual std::vector<double>
    history_values() const = 0;

    /// What a checkpoint of the current state belongs to, as (name, value)
    /// pairs without spaces (the number of dofs of the current mesh).
    virtual std::vector<std::pair<std::string, std::string>>
    fingerprint() const = 0;

    /**
     * The trainer brackets each trial point with these: begin_trial()
     * before the optimiser proposes it, end_trial() once it is accepted or
     * not. A functional that moves on between iterations (HYCO's J_P,
     * whose synthetic model takes its steps between the physical ones)
     * does so here; other evaluations (a Taylor test, the evaluation after
     * a mesh change or a resume) see the functional as it is. Nothing by
     * default.
     */
    virtual void
    begin_trial()
    {}
    virtual void
    end_trial(const bool accepted)
    {
      (void)accepted;
    }

    /// The components' own state for a checkpoint (beyond θ), and reading
    /// it back (false if the stream does not hold it).
    virtual void
    save(std::ostream &out) const = 0;
    virtual bool
    load(std::istream &in) = 0;
  };
} // namespace npde

#endif
