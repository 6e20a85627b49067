// ---------------------------------------------------------------------------
// npde: optimisers for θ (doc/design.md section 5), behind one interface.
//
// The methods live in file pairs of their own, named from the maths
// (gradient_descent, adam, lbfgs), and each registers itself by name; the
// parameter 'Optimizer/Method' chooses among the registered names. What
// they share lives here:
//
// - The protocol of a step. A step is proposed, then accepted or rejected:
//   propose() computes the trial point and keeps any new optimiser state
//   (Adam's moments, L-BFGS's pair) pending; accept() commits it, reject()
//   (non-finite loss, Newton failure, loss exploding) drops it and cuts the
//   learning rate. So a rejected step leaves no trace but the cut learning
//   rate.
// - The learning rate α, the mean-field factor N^{2β−1} it is multiplied
//   with, and its schedules (constant, plateau, step decay).
// - The mask of the trained parameters (all, or only c with random features).
// - The optimiser's part of a checkpoint (save/load).
//
// To add a method: a file pair with a class derived from Optimizer, a
// parameters class derived from OptimizerParameters::MethodParameters that
// declares and parses the method's entries (inside subsection 'Optimizer')
// and creates the optimiser, and one static OptimizerParameters::Registration
// in the .cc file. Nothing here or in the trainer changes.
// ---------------------------------------------------------------------------
#ifndef npde_optimizer_h
#define npde_optimizer_h

#include <deal.II/base/parameter_handler.h>

#include <deal.II/lac/vector.h>

#include <npde/registry.h>

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace npde
{
  using namespace dealii;

  class Optimizer;

  /// The parameters of subsection `Optimizer`: the entries every method
  /// shares, and the method's own ones in a polymorphic object.
  struct OptimizerParameters
  {
    /**
     * The entries of one method (Adam's β₁, β₂, ε; the length of L-BFGS's
     * history), parsed by that method's own file, and the optimiser they
     * make. The registry creates one from the parameter file; it is not
     * changed after parsing, so OptimizerParameters can share it between
     * copies and still behave as a value.
     */
    class MethodParameters
    {
    public:
      virtual ~MethodParameters() = default;

      /// Whether the method steps by the learning rate α (and so follows
      /// the schedule). L-BFGS does not: its line search chooses the step.
      virtual bool
      uses_learning_rate() const
      {
        return true;
      }

      virtual std::unique_ptr<Optimizer>
      create_optimizer(const OptimizerParameters &parameters,
                       const Vector<double>      &scale,
                       const std::vector<bool>   &trainable) const = 0;
    };

    /// The methods by name. An entry's factory parses the method's entries
    /// from a ParameterHandler standing in subsection `Optimizer`.
    using Registry = npde::Registry<MethodParameters, ParameterHandler &>;
    using Registration =
      npde::Registration<MethodParameters, ParameterHandler &>;

    enum class Schedule
    {
      constant,
      plateau,
      step
    };
    /// The registered name of the method ('Optimizer/Method').
    std::string                             method = "adam";
    std::shared_ptr<const MethodParameters> method_parameters;
    double                                  learning_rate = 0.01;
    Schedule                                schedule      = Schedule::constant;
    double                                  decay_factor  = 0.95;
    unsigned int                            patience      = 100;
    unsigned int                            step_interval = 100;
    bool                                    random_features  = false;
    double                                  rejection_factor = 0.5;

    /// Declare and parse the entries in @p subsection of the current one
    /// (`Optimizer`; HYCO's synthetic model uses `HYCO/Synthetic
    /// optimizer`).
    static void
    declare_parameters(ParameterHandler  &prm,
                       const std::string &subsection = "Optimizer");
    void
    parse_parameters(ParameterHandler  &prm,
                     const std::string &subsection = "Optimizer");

    /// Refuse the value of 'Optimizer/@p entry' at parse time, saying
    /// @p why (for what the entry's pattern cannot exclude).
    [[noreturn]] static void
    refuse(const std::string &entry,
           const double       value,
           const std::string &why);
  };



  class Optimizer
  {
  public:
    /**
     * @p scale holds each entry's factor of the learning rate for gradient
     * descent and Adam (N^{2β−1}, the mean-field factor, for the network's
     * entries); @p trainable masks the parameters that are
     * trained (all, or only c in random-feature mode).
     */
    Optimizer(const OptimizerParameters &parameters,
              const Vector<double>      &scale,
              const std::vector<bool>   &trainable);

    virtual ~Optimizer() = default;

    /// The next trial point from θ with loss J and gradient g.
    virtual Vector<double>
    propose(const Vector<double> &theta,
            const double          J,
            const Vector<double> &g) = 0;

    /**
     * The trial was evaluated: J_new, g_new. Returns true if it is accepted
     * (always for gradient descent and Adam; the Armijo condition for
     * L-BFGS, which otherwise halves its step and wants another trial).
     */
    virtual bool
    accept(const Vector<double> &theta_new,
           const double          J_new,
           const Vector<double> &g_new) = 0;

    /// A trial failed (non-finite, Newton, explosion): cut the learning rate
    /// by 'Rejection factor'.
    virtual void
    reject();

    /// Called once per accepted iteration with the loss: the schedule.
    virtual void
    end_iteration(const double J);

    /**
     * The objective has changed (a mesh adaptation round): forget what
     * belongs to the old one. The plateau schedule forgets its best loss;
     * L-BFGS also drops its (s, y) history and any line search, since its
     * curvature pairs mix gradients of two objectives. Adam keeps its
     * moments and every learning rate is kept.
     */
    virtual void
    restart();

    /// The current learning rate α (for L-BFGS: the current step length).
    virtual double
    learning_rate() const;

    /// The gradient with the masked (untrained) entries set to zero.
    Vector<double>
    masked(const Vector<double> &g) const;

    void
    save(std::ostream &out) const;
    /// Read what save() wrote, for a network of @p n_parameters; false if
    /// the stream does not hold such a state (a damaged checkpoint).
    bool
    load(std::istream &in, const unsigned int n_parameters);

  protected:
    /**
     * The optimiser's part of a checkpoint, whose layout was fixed when the
     * three methods were one class: one record for all of them, holding
     * Adam's and L-BFGS's state side by side. Each method fills the fields
     * that are its own and leaves the others at these defaults, so the files
     * stay the same and earlier checkpoints resume. A method added later
     * keeps its state in save_state()/load_state() instead.
     */
    struct CheckpointRecord
    {
      // Adam
      unsigned int   adam_steps = 0;
      Vector<double> m, v;
      // L-BFGS
      double                      fx = 0, step = 1.;
      bool                        in_line_search = false;
      Vector<double>              x, gx, direction;
      std::vector<Vector<double>> s_history, y_history;
    };

    /// Put the method's state into @p record (for save()).
    virtual void
    write_record(CheckpointRecord &record) const;
    /// Take the method's state from a @p record that load() has read.
    virtual void
    read_record(CheckpointRecord &record);

    /// State of a method beyond the record, written after it; none by
    /// default.
    virtual void
    save_state(std::ostream &out) const;
    virtual bool
    load_state(std::istream &in, const unsigned int n_parameters);

    const OptimizerParameters parameters;
    const Vector<double>      scale;
    double                    alpha;

  private:
    std::vector<bool> trainable;
    // The schedules: the best loss so far, the iterations since, and all
    // iterations.
    double       best       = 1e300;
    unsigned int since_best = 0, iterations = 0;
  };



  /// The optimiser 'Optimizer/Method' names, with its parameters.
  std::unique_ptr<Optimizer>
  create_optimizer(const OptimizerParameters &parameters,
                   const Vector<double>      &scale,
                   const std::vector<bool>   &trainable);
} // namespace npde

#endif
