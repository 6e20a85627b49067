// ---------------------------------------------------------------------------
// npde: HYCO's synthetic model (doc/design.md section 11, doc/hyco.md).
//
// A network u_S(t, x) = N^(−β) Σ_i c_i σ(w^t_i t + w_i·x + η_i), npde's
// mean-field network with its inputs mapped onto [−1, 1], fitted to the
// same sensors as the physical model and nudged toward it at the
// interaction points G:
//
//   J_S(θ_S; u_P) = w_d J_obs(u_S) + (λ_S/2) ⟨(u_S − u_P)²⟩_G + (λ/2)‖θ_S‖²,
//
//   J_obs(u_S) = (1/(2M)) Σ_k ((u_S(t_k, x_k) − h_k)/σ_k)²,
//   ⟨v⟩_G      = (1/(K M_G)) Σ_{n=1..K} Σ_m v(t_n, x_m).
//
// There is no PDE: J_S and ∇J_S are one batched forward and one backward
// pass of the network (Network::evaluate(), add_weighted_gradient()) at the
// sensors, grouped by their times, and at G × {t_1, ..., t_K}, with u_P at
// G held fixed. The model is the same on every rank (every rank holds all
// data and computes alike), so it needs no communication.
//
// Its steps are taken by its own optimiser (`HYCO/Synthetic optimizer`).
// A step may be tentative: begin_tentative() remembers θ_S and the
// optimiser's state, and rollback() restores them bitwise (the trainer
// rejects the physical trial the steps were taken for).
// ---------------------------------------------------------------------------
#ifndef npde_synthetic_model_h
#define npde_synthetic_model_h

#include <npde/forward_problem.h>
#include <npde/network.h>
#include <npde/observation_table.h>
#include <npde/optimizer.h>

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace npde
{
  using namespace dealii;

  /// The weights of J_S (from subsection `HYCO`).
  struct SyntheticWeights
  {
    double data           = 1.; // w_d
    double interaction    = 1.; // λ_S
    double regularization = 0.; // λ
  };

  template <int dim>
  class SyntheticModel
  {
  public:
    SyntheticModel(const NetworkParameters   &network_parameters,
                   const OptimizerParameters &optimizer_parameters,
                   const SyntheticWeights    &weights,
                   const ObservationTable    &training,
                   const ObservationTable    *validation);

    /// Create the network, with the input map of @p problem's domain and
    /// time interval, and the optimiser.
    void
    setup(const ForwardProblem<dim> &problem);

    /**
     * The interaction points: u_P(@p times[n], x_m) = @p u_P[n·M_G + m]
     * at the M_G points @p points (dim coordinates each), held fixed in
     * J_S until the next call.
     */
    void
    set_interaction(const std::vector<double> &times,
                    const std::vector<double> &points,
                    const std::vector<double> &u_P);

    /// u_S at the interaction points, in the order of u_P above.
    std::vector<double>
    interaction_values() const;

    /// J_S at @p theta, and ∇J_S into @p gradient if given; also the
    /// relative RMSEs at the sensors (training, and validation unless
    /// @p with_validation is false).
    double
    value(const Vector<double> &theta,
          Vector<double>       *gradient        = nullptr,
          const bool            with_validation = true);

    /// @p n steps of the optimiser from the current θ_S.
    void
    step(const unsigned int n);

    /// Remember θ_S and the optimiser's state; rollback() returns to them.
    void
    begin_tentative();
    void
    rollback();

    /// J_S, its interaction part ⟨(u_S − u_P)²⟩_G, and the relative RMSEs
    /// of u_S at the training and validation sensors, at the last value().
    double
    last_value() const;
    double
    last_interaction() const;
    double
    training_rmse() const;
    double
    validation_rmse() const;

    const Network &
    network() const;

    /// θ_S and the optimiser's state, for a checkpoint.
    void
    save(std::ostream &out) const;
    bool
    load(std::istream &in);

  private:
    /// The rows of one table at one time: u_S is evaluated at those points
    /// with one batched pass.
    struct TimeGroup
    {
      double                    t;
      std::vector<double>       points; // dim coordinates per row
      std::vector<unsigned int> rows;
    };
    static std::vector<TimeGroup>
    group_by_time(const ObservationTable &table);

    /// Σ_k (u_S − h_k)² over @p table's rows; with @p gradient, also adds
    /// the data term's part of ∇J_S (weights w_d (u_S − h)/(σ² M)).
    double
    sensor_squares(const ObservationTable       &table,
                   const std::vector<TimeGroup> &groups,
                   Vector<double>               *gradient,
                   double                       &misfit) const;

    const NetworkParameters   network_parameters;
    const OptimizerParameters optimizer_parameters;
    const SyntheticWeights    weights;
    const ObservationTable   &training;
    const ObservationTable   *validation;
    std::vector<TimeGroup>    training_groups, validation_groups;
    double                    training_scale = 0., validation_scale = 0.;

    std::unique_ptr<Network>   model;
    std::unique_ptr<Optimizer> optimizer;

    std::vector<double> interaction_times, interaction_points, u_P;

    // The remembered state of begin_tentative().
    Vector<double> saved_theta;
    std::string    saved_optimizer;

    double J = 0., J_interaction = 0., rmse = 0., validation_rmse_ = 0.;
  };
} // namespace npde

#endif
