// ---------------------------------------------------------------------------
// npde: measurements and predictions at sensors as files (see
// point_cloud_output.h).
// ---------------------------------------------------------------------------
#include <deal.II/base/utilities.h>

#include <npde/expression.h>
#include <npde/output.h>
#include <npde/point_cloud_output.h>

#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

namespace npde
{
  std::vector<double>
  gather_in_table_order(const std::vector<unsigned int> &rows,
                        const std::vector<double>       &values,
                        const unsigned int               n,
                        const MPI_Comm                   communicator)
  {
    std::vector<std::pair<unsigned int, double>> mine(rows.size());
    for (unsigned int j = 0; j < rows.size(); ++j)
      mine[j] = {rows[j], values[j]};
    const auto all = Utilities::MPI::gather(communicator, mine, 0);
    if (Utilities::MPI::this_mpi_process(communicator) != 0)
      return {};
    std::vector<double> result(n, std::numeric_limits<double>::quiet_NaN());
    for (const auto &rank : all)
      for (const auto &[row, value] : rank)
        result[row] = value;
    return result;
  }



  template <int dim>
  void
  PointCloudTable<dim>::add(const ObservationTable    &table,
                            const std::vector<double> &predicted,
                            const std::string         &set_name)
  {
    const unsigned int set = set_names.size();
    set_names.push_back(set_name);
    for (unsigned int k = 0; k < table.size(); ++k)
      {
        Row row;
        row.t = table.t[k];
        for (unsigned int d = 0; d < dim; ++d)
          row.x[d] = table.x[k * dim + d];
        row.observed  = table.value[k];
        row.predicted = predicted[k];
        row.sigma     = table.sigma[k];
        row.set       = set;
        rows.push_back(row);
      }
  }



  template <int dim>
  std::string
  PointCloudTable<dim>::csv() const
  {
    std::ostringstream out;
    out << std::setprecision(16) << "t";
    for (const auto &name : coordinate_names(dim))
      out << ',' << name;
    out << ",observed,predicted,residual,sigma,set\n";
    for (const Row &row : rows)
      {
        out << row.t;
        for (unsigned int d = 0; d < dim; ++d)
          out << ',' << row.x[d];
        out << ',' << row.observed << ',' << row.predicted << ','
            << row.predicted - row.observed << ',' << row.sigma << ','
            << set_names[row.set] << '\n';
      }
    return out.str();
  }



  // The VTU of one level: points in 3D (VTK's points always are), one
  // vertex cell per point, and the fields as point data.
  template <int dim>
  std::string
  PointCloudTable<dim>::vtu(const std::vector<const Row *> &points) const
  {
    std::ostringstream out;
    out << std::setprecision(16);
    const std::size_t n = points.size();
    out << "<?xml version=\"1.0\"?>\n"
        << "<VTKFile type=\"UnstructuredGrid\" version=\"0.1\" "
           "byte_order=\"LittleEndian\">\n<UnstructuredGrid>\n"
        << "<Piece NumberOfPoints=\"" << n << "\" NumberOfCells=\"" << n
        << "\">\n<Points>\n<DataArray type=\"Float64\" "
           "NumberOfComponents=\"3\" format=\"ascii\">\n";
    for (const Row *row : points)
      {
        for (unsigned int d = 0; d < 3; ++d)
          out << (d < dim ? row->x[d] : 0.) << (d < 2 ? ' ' : '\n');
      }
    out << "</DataArray>\n</Points>\n<Cells>\n"
        << "<DataArray type=\"Int64\" Name=\"connectivity\" "
           "format=\"ascii\">\n";
    for (std::size_t i = 0; i < n; ++i)
      out << i << '\n';
    out << "</DataArray>\n<DataArray type=\"Int64\" Name=\"offsets\" "
           "format=\"ascii\">\n";
    for (std::size_t i = 0; i < n; ++i)
      out << i + 1 << '\n';
    out << "</DataArray>\n<DataArray type=\"UInt8\" Name=\"types\" "
           "format=\"ascii\">\n";
    for (std::size_t i = 0; i < n; ++i)
      out << "1\n"; // VTK_VERTEX
    out << "</DataArray>\n</Cells>\n<PointData Scalars=\"residual\">\n";
    const auto field = [&](const std::string &name, const auto &value) {
      out << "<DataArray type=\"Float64\" Name=\"" << name
          << "\" format=\"ascii\">\n";
      for (const Row *row : points)
        out << value(*row) << '\n';
      out << "</DataArray>\n";
    };
    field("observed", [](const Row &r) { return r.observed; });
    field("predicted", [](const Row &r) { return r.predicted; });
    field("residual", [](const Row &r) { return r.predicted - r.observed; });
    field("sigma", [](const Row &r) { return r.sigma; });
    field("time", [](const Row &r) { return r.t; });
    field("set", [](const Row &r) { return double(r.set); });
    out << "</PointData>\n</Piece>\n</UnstructuredGrid>\n</VTKFile>\n";
    return out.str();
  }



  template <int dim>
  void
  PointCloudTable<dim>::write_series(const std::string         &directory,
                                     const std::string         &name,
                                     const std::vector<double> &times) const
  {
    std::vector<std::vector<const Row *>> at_level(times.size());
    for (const Row &row : rows)
      {
        unsigned int nearest = 0;
        for (unsigned int n = 1; n < times.size(); ++n)
          if (std::abs(times[n] - row.t) < std::abs(times[nearest] - row.t))
            nearest = n;
        at_level[nearest].push_back(&row);
      }
    std::ostringstream pvd;
    pvd << std::setprecision(16) << "<?xml version=\"1.0\"?>\n"
        << "<VTKFile type=\"Collection\" version=\"0.1\">\n<Collection>\n";
    for (unsigned int n = 0; n < times.size(); ++n)
      {
        const std::string file =
          name + "-" + Utilities::int_to_string(n, 4) + ".vtu";
        write_file_atomically(directory + "/" + file, vtu(at_level[n]));
        pvd << "<DataSet timestep=\"" << times[n] << "\" file=\"" << file
            << "\"/>\n";
      }
    pvd << "</Collection>\n</VTKFile>\n";
    write_file_atomically(directory + "/" + name + ".pvd", pvd.str());
  }



  template class PointCloudTable<1>;
  template class PointCloudTable<2>;
  template class PointCloudTable<3>;
} // namespace npde
