// ---------------------------------------------------------------------------
// npde: the training history.
//
// One row per iteration: iteration, loss, the reduced functional's measures
// of the fit (the relative RMSE; later one column per misfit or trained
// constant), gradient norm, learning rate, wall time, accepted, and the
// functional's properties of the discretisation (the number of dofs). The
// columns come from the functional (ReducedFunctional::history_columns());
// this class writes the rows as history.csv, as the checkpoint's history
// block, and as the progress line, and reads them back.
// ---------------------------------------------------------------------------
#ifndef npde_training_history_h
#define npde_training_history_h

#include <deal.II/base/conditional_ostream.h>

#include <npde/reduced_functional.h>

#include <functional>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace npde
{
  using namespace dealii;

  class TrainingHistory
  {
  public:
    /// One row.
    struct Record
    {
      unsigned int iteration;
      double       loss;
      double       gradient_norm;
      double       learning_rate;
      double       wall_time;
      bool         accepted;
      /// The reduced functional's columns (name, value), in its order.
      std::vector<std::pair<std::string, double>> columns;

      /// The value of the column @p name (e.g. "relative_rmse", "n_dofs").
      double
      column(const std::string &name) const;
    };

    explicit TrainingHistory(const std::vector<HistoryColumn> &columns);

    const std::vector<HistoryColumn> &
    columns() const;

    std::vector<Record> &
    records();
    const std::vector<Record> &
    records() const;

    /// The progress line's header, and one record as a progress line.
    void
    print_header(ConditionalOStream &pcout) const;
    void
    print(ConditionalOStream &pcout, const Record &record) const;

    /// The rows, one per line, the fields separated by @p separator.
    void
    write_rows(std::ostream &out, const char separator) const;

    /// history.csv: a header line with the column names, then the rows.
    std::string
    csv() const;

    /**
     * Read one row as write_rows() wrote it with spaces, each field checked
     * by @p number (any double, NaN included) or @p count (a non-negative
     * integer), which throw on a field that is neither. Returns false if the
     * stream ended early.
     */
    bool
    read_row(std::istream                                     &in,
             const std::function<double(const std::string &)> &number,
             const std::function<double(const std::string &)> &count,
             Record                                           &record) const;

  private:
    const std::vector<HistoryColumn> column_list;
    std::vector<Record>              rows;
  };
} // namespace npde

#endif
