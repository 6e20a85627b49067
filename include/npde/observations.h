// ---------------------------------------------------------------------------
// npde: measurements at sensors and their misfit (doc/design.md section 9,
// doc/observations.md): the misfit "observations" of misfit.h.
//
//   J_obs = (1/(2M)) Σ_k ((y_k(U) − h_k)/σ_k)²,
//
// with y_k the prediction of observation_operator.h (u_h at x_k, linear in
// time between the levels around t_k), and
//
//   r^n = Σ_k (1/M) ((y_k − h_k)/σ_k²) c_{k,n} Cᵀφ(x_k).
//
// The relative RMSE is sqrt((1/M) Σ_k (y_k − h_k)²) / max_k |h_k|. A
// validation set (a second file) is predicted at every evaluation and its
// relative RMSE reported; it never enters J or ∇J. At the end of a run the
// predictions go to predictions.csv, and the sensors, as points with the
// fields observed, predicted and residual, to sensors.pvd.
// ---------------------------------------------------------------------------
#ifndef npde_observations_h
#define npde_observations_h

#include <npde/misfit.h>
#include <npde/observation_operator.h>

#include <memory>
#include <string>

namespace npde
{
  using namespace dealii;

  /// The entries of subsection `Target data` that observations use.
  struct ObservationParameters
  {
    std::string observation_file;
    std::string validation_file;
    /// g*, if known (for the report only).
    std::string target_source;

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };

  template <int dim>
  class Observations : public Misfit<dim>
  {
  public:
    using VectorType = typename StateSolver<dim>::VectorType;

    Observations(const ObservationParameters &parameters,
                 const ForwardProblem<dim>   &problem,
                 TimerOutput                 &timer,
                 ConditionalOStream          &pcout);

    /// Locate the sensors on the current mesh (again after a mesh change).
    void
    setup() override;

    double
    local_value(
      std::vector<VectorType>                 *r,
      const std::function<void(unsigned int)> &wait_for_level) const override;

    /// max |h| of the training set.
    double
    data_scale() const override;
    const Expression *
    true_source() const override;

    /// The sums over the ranks behind the relative RMSEs.
    void
    finish_evaluation() override;
    double
    relative_rmse(const double value) const override;
    /// validation_rmse, with a validation file.
    std::vector<HistoryColumn>
    history_columns() const override;
    std::vector<double>
    history_values() const override;

    /// predictions.csv and sensors.pvd (on rank 0).
    void
    write_results(const std::string &directory) const override;

  private:
    /// One file of measurements, located on the mesh, with the predictions
    /// of the last evaluation on this rank.
    struct Set
    {
      explicit Set(const StateSolver<dim> &state);

      ObservationTable            table;
      ObservationOperator<dim>    sensors;
      double                      h_max = 0.;
      mutable std::vector<double> y;
      // Σ_k (y_k − h_k)² on this rank, and the relative RMSE of all ranks.
      mutable double local_squares = 0.;
      double         rmse          = 0.;

      void
      read(const std::string         &file,
           const std::string         &parameter,
           const ForwardProblem<dim> &problem);
      /// Predict and sum the squares on this rank.
      void
      predict(const std::function<void(unsigned int)> &wait_for_level) const;
      /// The relative RMSE over all ranks.
      void
      finish(const MPI_Comm communicator);
    };

    const ObservationParameters        parameters;
    const ForwardProblem<dim>         &problem;
    TimerOutput                       &timer;
    Set                                training;
    std::unique_ptr<Set>               validation;
    std::unique_ptr<Expression>        g_star;
    mutable std::vector<double>        v; // work space of r^n
    boost::signals2::scoped_connection mesh_change;
  };
} // namespace npde

#endif
