// ---------------------------------------------------------------------------
// npde: the interface of misfits (doc/design.md sections 3 and 6).
//
// A misfit is a term J_m(U^0, ..., U^K) of the objective: it knows the data
// and how the trajectory is compared with them, and nothing of the
// parameters. The objective asks it for J_m and, for a gradient, for the
// adjoint's right-hand sides
//
//   r^n = ∂J_m/∂U^n   (condensed vectors of the state's space, n = 0..K).
//
// Implementations register themselves by the name the parameter
// `Target data/Source` gives (registry.h): FieldData (data h at every
// point of the domain: "reference simulation" and "expression") and
// Observations (measurements at sensors, doc/design.md section 9); the next
// is HYCO's interaction term (section 11). A misfit is set up on the state
// solver's mesh and again after every mesh change (setup(), the mesh-change
// hook).
// ---------------------------------------------------------------------------
#ifndef npde_misfit_h
#define npde_misfit_h

#include <npde/expression.h>
#include <npde/forward_problem.h>
#include <npde/reduced_functional.h>
#include <npde/registry.h>

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace npde
{
  using namespace dealii;

  template <int dim>
  class Misfit
  {
  public:
    using VectorType = typename StateSolver<dim>::VectorType;

    virtual ~Misfit() = default;

    /// Set up on the state solver's current mesh: at the start and after
    /// every mesh change.
    virtual void
    setup() = 0;

    /// J_m for the trajectory the state solver holds, summed over all
    /// ranks, and, if @p r is given, r^n = ∂J_m/∂U^n into (*r)[n].
    virtual double
    value(std::vector<VectorType> *r = nullptr) const;

    /**
     * This rank's part of value(), without MPI communication, so that
     * another thread may run it while the forward sweep goes on (on one
     * rank): @p wait_for_level, if given, is called with n before U^n is
     * read.
     */
    virtual double
    local_value(
      std::vector<VectorType>                 *r,
      const std::function<void(unsigned int)> &wait_for_level) const = 0;

    /// The scale of the data: max |h| (the paper's relative RMSE divides
    /// by it).
    virtual double
    data_scale() const = 0;

    /**
     * Called on every rank after each evaluation of J_m (value(), or the
     * objective's sum of local_value()): a misfit whose reports need sums
     * over the ranks makes them here. Nothing by default.
     */
    virtual void
    finish_evaluation();

    /**
     * The relative RMSE at the last evaluation, whose J_m was @p value: by
     * default sqrt(J_m)/data_scale() (the paper's definition for field
     * data), or the RMSE itself for data that are zero everywhere.
     */
    virtual double
    relative_rmse(const double value) const;

    /// Columns of the training history beyond the relative RMSE (a
    /// validation set's RMSE), and their values at the last evaluation.
    virtual std::vector<HistoryColumn>
    history_columns() const;
    virtual std::vector<double>
    history_values() const;

    /// Write what the misfit has to say about the fit at the last
    /// evaluation into @p directory, at the end of a training run
    /// (observations: the predictions at the sensors). Nothing by default.
    virtual void
    write_results(const std::string &directory) const;

    /// The data as a finite-element field h^n, for the output and for
    /// mesh adaptation's `Include data`; nullptr if the data are no field.
    virtual const VectorType *
    field(const unsigned int n) const;

    /// The source g* the data were made with, if known (else nullptr).
    virtual const Expression *
    true_source() const;

    /// Free what is kept only for later mesh changes: called when the mesh
    /// will not change again.
    virtual void
    release();

    /// The trainer's bracket around each trial point (see
    /// ReducedFunctional::begin_trial()); nothing by default.
    virtual void
    begin_trial();
    virtual void
    end_trial(const bool accepted);

    /// Whether local_value() may follow the forward sweep on a second
    /// thread (Objective::overlap_sweeps()); true by default.
    virtual bool
    allows_overlap() const;

    /**
     * The misfit's own state for a checkpoint (written after the
     * optimiser's), and reading it back; false if the stream does not hold
     * it. Data that are read from the parameters again on a resume (field
     * data) have none: the defaults write and read nothing, so that such a
     * checkpoint is byte for byte what it was before misfits had a state.
     */
    virtual void
    save(std::ostream &out) const;
    virtual bool
    load(std::istream &in);

  protected:
    /// The communicator of @p problem's mesh, for value().
    explicit Misfit(const MPI_Comm communicator);

  private:
    MPI_Comm communicator;
  };



  /// The registry of misfits, by the name of `Target data/Source`: a factory
  /// reads its own parameters from @p prm (at the top level).
  template <int dim>
  using MisfitRegistry = Registry<Misfit<dim>,
                                  ParameterHandler &,
                                  const ForwardProblem<dim> &,
                                  TimerOutput &,
                                  ConditionalOStream &>;

  /// Registers the implementation @p Implementation (a template on dim) for
  /// dimensions 1, 2 and 3 under @p name: one static object per name.
  template <template <int> class Implementation, typename Parameters>
  struct MisfitRegistration
  {
    MisfitRegistration(
      const std::string                             &name,
      const std::string                             &description,
      const std::function<void(ParameterHandler &)> &declare_parameters = {})
    {
      add<1>(name, description, declare_parameters);
      add<2>(name, description, declare_parameters);
      add<3>(name, description, declare_parameters);
    }

  private:
    template <int dim>
    static void
    add(const std::string                             &name,
        const std::string                             &description,
        const std::function<void(ParameterHandler &)> &declare_parameters)
    {
      MisfitRegistry<dim>::instance().add(
        name,
        description,
        [](ParameterHandler          &prm,
           const ForwardProblem<dim> &problem,
           TimerOutput               &timer,
           ConditionalOStream        &pcout) {
          return std::unique_ptr<Misfit<dim>>(
            std::make_unique<Implementation<dim>>(
              parsed<Parameters>(prm), problem, timer, pcout));
        },
        // Each implementation's parameters are declared once.
        dim == 2 ? declare_parameters :
                   std::function<void(ParameterHandler &)>());
    }
  };

  /// Declare `Target data/Source` and every misfit's own parameters.
  void
  declare_misfit_parameters(ParameterHandler &prm);

  /// The misfit that `Target data/Source` in @p prm names.
  template <int dim>
  std::unique_ptr<Misfit<dim>>
  create_misfit(ParameterHandler          &prm,
                const ForwardProblem<dim> &problem,
                TimerOutput               &timer,
                ConditionalOStream        &pcout);
} // namespace npde

#endif
