// ---------------------------------------------------------------------------
// npde: the prediction of point measurements from the trajectory, and its
// adjoint (doc/design.md section 9).
//
// For a measurement at (t_k, x_k), n_k the level with
// t_{n_k} ≤ t_k ≤ t_{n_k+1} and s_k = (t_k − t_{n_k})/k_{n_k+1},
//
//   y_k(U) = (1 − s_k) u_h^{n_k}(x_k) + s_k u_h^{n_k+1}(x_k),
//
// and the derivative of Σ_k v_k y_k with respect to U^n is
// Σ_k v_k c_{k,n} Cᵀφ(x_k), c_{k,n_k} = 1 − s_k, c_{k,n_k+1} = s_k. The
// measurements are sorted by their interval [t_n, t_{n+1}], and one
// PointEvaluation holds them all: per level the work is the products with
// the rows of the two intervals next to it.
//
// Each point is located once per mesh (setup(), after every mesh change)
// by a CellLocator and evaluated by exactly one rank (cell_locator.h). A
// point that no rank finds lies outside the domain, and is an input error
// that names the file and the line.
// ---------------------------------------------------------------------------
#ifndef npde_observation_operator_h
#define npde_observation_operator_h

#include <npde/observation_table.h>
#include <npde/point_evaluation.h>
#include <npde/state_solver.h>

#include <functional>
#include <vector>

namespace npde
{
  using namespace dealii;

  template <int dim>
  class ObservationOperator
  {
  public:
    using VectorType = typename StateSolver<dim>::VectorType;

    explicit ObservationOperator(const StateSolver<dim> &state);

    /// Locate the points of @p table on the state's current mesh and build
    /// the evaluations (collective).
    void
    setup(const ObservationTable &table);

    /// The rows of the table that this rank evaluates, in the order of the
    /// values of predict() and add_adjoint_sources().
    const std::vector<unsigned int> &
    rows() const;

    /**
     * y_k for this rank's rows, from the state's trajectory. @p
     * wait_for_level, if given, is called with n before U^n is read (so
     * that another thread may follow the forward sweep, on one rank).
     */
    void
    predict(std::vector<double>                     &y,
            const std::function<void(unsigned int)> &wait_for_level = {}) const;

    /// (*r)[n] += Σ_k v_k c_{k,n} Cᵀφ(x_k), v in the order of rows().
    void
    add_adjoint_sources(const std::vector<double> &v,
                        std::vector<VectorType>   &r) const;

  private:
    /// The measurements of one interval [t_n, t_{n+1}] on this rank: the
    /// rows [begin, end) of the evaluation.
    struct Interval
    {
      unsigned int n, begin, end;
    };

    using LocatedPoint = typename PointEvaluation<dim>::LocatedPoint;

    /// The rows that level @p n touches (see the .cc file).
    bool
    rows_at_level(const unsigned int n,
                  unsigned int      &next,
                  unsigned int      &begin,
                  unsigned int      &start,
                  unsigned int      &end) const;

    /// The cell of each row of @p table that this rank owns (@p owned);
    /// throws if a point lies outside the domain.
    std::vector<LocatedPoint>
    locate(const ObservationTable &table, std::vector<bool> &owned) const;

    const StateSolver<dim>   &state;
    std::vector<unsigned int> local_rows;
    // s_k of each of them, in the same order.
    std::vector<double>    s;
    std::vector<Interval>  intervals;
    PointEvaluation<dim>   evaluation;
    mutable Vector<double> buffer, weights;
  };
} // namespace npde

#endif
