// ---------------------------------------------------------------------------
// npde: measurements and predictions at sensors as files: a CSV table, and
// a point cloud ParaView opens over the solution.
//
// The point cloud is a series of VTU files, one per time level t_n, each
// holding the measurements whose time is nearest to t_n (a level without
// any holds no points), with the fields observed, predicted, residual
// (predicted − observed), sigma, time and set (0 training, 1 validation),
// and a PVD file that gives each its time: loaded beside solution.pvd, the
// sensors appear at the times they measured. Both are written on one rank.
// ---------------------------------------------------------------------------
#ifndef npde_point_cloud_output_h
#define npde_point_cloud_output_h

#include <deal.II/base/mpi.h>

#include <npde/observation_table.h>

#include <string>
#include <vector>

namespace npde
{
  using namespace dealii;

  /**
   * @p values, given for this rank's @p rows of a table of @p n rows, as one
   * vector in the order of the table on rank 0 (NaN where no rank gave a
   * value), and empty on the others.
   */
  std::vector<double>
  gather_in_table_order(const std::vector<unsigned int> &rows,
                        const std::vector<double>       &values,
                        const unsigned int               n,
                        const MPI_Comm                   communicator);

  template <int dim>
  class PointCloudTable
  {
  public:
    /// The rows of @p table with their @p predicted values, as the set
    /// @p set_name ("training", "validation").
    void
    add(const ObservationTable    &table,
        const std::vector<double> &predicted,
        const std::string         &set_name);

    /// t, coordinates, observed, predicted, residual, sigma, set.
    std::string
    csv() const;

    /// @p directory/@p name.pvd and @p name-NNNN.vtu, one per level of
    /// @p times.
    void
    write_series(const std::string         &directory,
                 const std::string         &name,
                 const std::vector<double> &times) const;

  private:
    struct Row
    {
      double       t;
      double       x[dim];
      double       observed, predicted, sigma;
      unsigned int set;
    };
    std::vector<Row>         rows;
    std::vector<std::string> set_names;

    std::string
    vtu(const std::vector<const Row *> &points) const;
  };
} // namespace npde

#endif
