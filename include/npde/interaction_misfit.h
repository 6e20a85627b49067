// ---------------------------------------------------------------------------
// npde: HYCO, hybrid-cooperative learning (Liverani, Steynberg, Zuazua;
// doc/design.md section 11, doc/hyco.md): the physical model's functional
//
//   J_P(θ_P; θ_S) = w_d J_obs(u_P) + (λ_P/2) ⟨(u_P − u_S)²⟩_G + Tikhonov,
//
// as a misfit of misfit.h. The data part w_d J_obs is the misfit that
// `Target data/Source = observations` makes (observations.h), wrapped; the
// interaction part compares u_P with the synthetic model's values
// u_S(t_n, x_m) at the interaction points G, at every level n = 1..K, as
// observations whose "measurements" are u_S: an ObservationOperator on
// the rows (t_n, x_m), so the adjoint right-hand side is section 9's,
//
//   r^n += (λ_P/(K M_G)) Σ_m (u_P(t_n, x_m) − u_S(t_n, x_m)) Cᵀφ(x_m).
//
// The misfit also owns the synthetic model (synthetic_model.h) and runs
// the epoch of section 11 between the physical steps: when the trainer
// begins the trial that starts an epoch (begin_trial()), the evaluation of
// that trial, right after its forward sweep, draws the epoch's interaction
// points, takes `Synthetic steps per epoch` steps of J_S with u_P at G
// held fixed, and then evaluates J_P with u_S held fixed; the optimiser's
// physical step follows from that gradient. The synthetic steps are
// tentative until the trainer accepts the trial (end_trial()); a rejected
// trial takes them back. Any other evaluation (a Taylor test, the one after
// a mesh change or a resume) sees u_S as it is.
// ---------------------------------------------------------------------------
#ifndef npde_interaction_misfit_h
#define npde_interaction_misfit_h

#include <npde/misfit.h>
#include <npde/observation_operator.h>
#include <npde/output.h>
#include <npde/synthetic_model.h>

#include <memory>
#include <string>
#include <vector>

namespace npde
{
  using namespace dealii;

  /// The entries of subsection `HYCO`, with the synthetic model's network
  /// and optimiser in subsections of their own.
  struct HycoParameters
  {
    double       data_weight           = 1.;
    double       physical_interaction  = 1.;
    double       synthetic_interaction = 1.;
    double       synthetic_regularization = 0.;
    unsigned int n_interaction_points  = 100;
    std::string  interaction_region;
    bool         redraw_points = true;
    unsigned int seed          = 1;
    unsigned int synthetic_steps = 1;
    unsigned int physical_steps  = 1;
    std::string  parameter_groups;
    unsigned int error_every = 1;

    NetworkParameters   network;
    OptimizerParameters optimizer;

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };

  template <int dim>
  class InteractionMisfit : public Misfit<dim>
  {
  public:
    using VectorType = typename StateSolver<dim>::VectorType;

    /// J_P around @p data (the observations of `Target data`), with the
    /// parameters of subsection `HYCO` (and `Target data`, `Output`) in
    /// @p prm.
    InteractionMisfit(ParameterHandler            &prm,
                      std::unique_ptr<Misfit<dim>> data,
                      const ForwardProblem<dim>   &problem,
                      TimerOutput                 &timer,
                      ConditionalOStream          &pcout);

    /// The data's set-up, and at the first call the synthetic model and the
    /// truth (a simulation with `Target data/True constants`, if given).
    void
    setup() override;

    /// J_P (see above), with the epoch's synthetic steps first if due.
    double
    value(std::vector<VectorType> *r = nullptr) const override;
    /// Not used: J_P needs all ranks at once (allows_overlap() is false).
    double
    local_value(
      std::vector<VectorType>                 *r,
      const std::function<void(unsigned int)> &wait_for_level) const override;
    bool
    allows_overlap() const override;

    double
    data_scale() const override;
    void
    finish_evaluation() override;
    /// The physical model's relative RMSE at the sensors.
    double
    relative_rmse(const double value) const override;
    /// The data's columns, then the epoch, J_S, ⟨(u_P − u_S)²⟩_G, u_S's
    /// RMSEs and, with the truth known, the parameter error and the
    /// relative L2 errors of u_P and u_S.
    std::vector<HistoryColumn>
    history_columns() const override;
    std::vector<double>
    history_values() const override;

    /// The data's results, the synthetic network, and the series hyco.pvd
    /// (u_P, u_S, u_P − u_S, the truth) and interaction_points.pvd.
    void
    write_results(const std::string &directory) const override;

    const VectorType *
    field(const unsigned int n) const override;
    const Expression *
    true_source() const override;
    void
    release() override;

    void
    begin_trial() override;
    void
    end_trial(const bool accepted) override;

    /// The epoch, the synthetic model's θ_S and optimiser state.
    void
    save(std::ostream &out) const override;
    bool
    load(std::istream &in) override;

    /// The synthetic model (for tests and the report).
    SyntheticModel<dim> &
    synthetic() const;
    /// The epochs completed so far.
    unsigned int
    epoch() const;
    /// u_P at the current interaction points, all rows on every rank, in
    /// the order of SyntheticModel::set_interaction().
    std::vector<double>
    physical_at_interaction_points() const;

  private:
    /// Draw the M_G points of epoch @p e in the region, inside D.
    std::vector<double>
    draw_points(const unsigned int e) const;
    /// The rows (t_n, x_m), n = 1..K, of the points @p x, located.
    void
    set_points(const std::vector<double> &x) const;
    /// The points of epoch @p e, set as the rows; and the levels t_1..t_K.
    std::vector<double>
    use_points(const unsigned int e) const;
    std::vector<double>
    levels() const;
    /// The epoch @p e: its points, the synthetic steps, u_S at G.
    void
    start_epoch(const unsigned int e) const;
    /// The truth's errors and the parameter error, if due.
    void
    report_errors(const bool always = false) const;
    double
    parameter_error() const;

    const HycoParameters          parameters;
    std::unique_ptr<Misfit<dim>>  data;
    const ForwardProblem<dim>    &problem;
    TimerOutput                  &timer;
    ConditionalOStream           &pcout;
    const OutputParameters        output_parameters;
    const std::map<std::string, double> true_constants;
    ObservationTable              training, validation;
    std::string                   target_source;
    bool                          initialized = false;
    std::unique_ptr<SyntheticModel<dim>> synthetic_model;

    // The region of the interaction points.
    Point<dim> lower, upper;

    // The state of the epochs. J_P is evaluated in the const value() of the
    // misfit interface, and the epoch moves on there: these are mutable.
    mutable ObservationTable         points, committed_points;
    mutable ObservationOperator<dim> interaction;
    mutable bool                     located = false;
    mutable std::vector<double>      u_S, committed_u_S, u_P;
    mutable bool                     started = false, due = false,
                 tentative                   = false;
    mutable unsigned int current_epoch = 0, committed_epoch = 0,
                         steps_in_epoch = 0;
    mutable double       data_part = 0., interaction_part = 0.;

    // The truth (u at the support points of the owned dofs, every level),
    // ∫φ_i for the nodal L2 norms, and the last errors.
    std::vector<VectorType>    truth;
    VectorType                 nodal_weights;
    std::vector<double>        support_points;
    mutable double             u_P_error = std::nan(""), u_S_error = std::nan("");
    boost::signals2::scoped_connection mesh_change;

    /// ∫φ_i and the support points of the owned dofs, and the truth.
    void
    make_nodal_data();
  };
} // namespace npde

#endif
