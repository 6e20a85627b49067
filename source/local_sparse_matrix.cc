// ---------------------------------------------------------------------------
// npde: a Trilinos matrix of one MPI rank as plain CSR arrays.
// ---------------------------------------------------------------------------
#include <deal.II/base/exceptions.h>
#include <deal.II/base/mpi.h>

#include <npde/local_sparse_matrix.h>

#include <Epetra_CrsMatrix.h>

#include <algorithm>

namespace npde
{
  void
  LocalSparseMatrix::reinit(const TrilinosWrappers::SparseMatrix &A)
  {
    row_start.clear();
    columns.clear();
    values.clear();
    n_columns          = 0;
    uniform_row_length = 0;
    if (A.m() == 0 ||
        Utilities::MPI::n_mpi_processes(A.get_mpi_communicator()) != 1)
      return;
    const Epetra_CrsMatrix &matrix = A.trilinos_matrix();
    AssertThrow(matrix.DomainMap().LinearMap() &&
                  matrix.DomainMap().MinMyGID() == 0,
                ExcInternalError());
    n_columns = matrix.DomainMap().NumMyElements();
    row_start.assign(1, 0);
    std::vector<std::pair<unsigned int, double>> row;
    for (int i = 0; i < matrix.NumMyRows(); ++i)
      {
        int     length;
        double *row_values;
        int    *row_columns;
        matrix.ExtractMyRowView(i, length, row_values, row_columns);
        row.clear();
        for (int e = 0; e < length; ++e)
          row.emplace_back(matrix.DomainMap().LID(
                             static_cast<int>(matrix.GCID(row_columns[e]))),
                           row_values[e]);
        std::sort(row.begin(), row.end());
        for (const auto &[j, value] : row)
          {
            columns.push_back(j);
            values.push_back(value);
          }
        row_start.push_back(columns.size());
      }

    const unsigned int first = row_start.size() > 1 ? row_start[1] : 0;
    uniform_row_length       = first;
    for (unsigned int i = 0; i + 1 < row_start.size(); ++i)
      if (row_start[i + 1] - row_start[i] != first)
        uniform_row_length = 0;
  }



  bool
  LocalSparseMatrix::empty() const
  {
    return row_start.empty();
  }



  unsigned int
  LocalSparseMatrix::m() const
  {
    return row_start.empty() ? 0 : row_start.size() - 1;
  }



  namespace
  {
    // Rows of a fixed length L (known at compile time) are fully unrolled.
    template <unsigned int L>
    void
    vmult_uniform(const unsigned int                m,
                  const unsigned int *__restrict    columns,
                  const double *__restrict          values,
                  double *__restrict                y,
                  const double *__restrict          x,
                  const bool                        add)
    {
      for (unsigned int i = 0; i < m; ++i)
        {
          double sum = 0;
          for (unsigned int e = 0; e < L; ++e)
            sum += values[i * L + e] * x[columns[i * L + e]];
          y[i] = (add ? y[i] + sum : sum);
        }
    }
  } // namespace



  void
  LocalSparseMatrix::vmult(double *y, const double *x, const bool add) const
  {
    const unsigned int  n     = m();
    const unsigned int *col   = columns.data();
    const double       *value = values.data();
    switch (uniform_row_length)
      {
        case 4:
          return vmult_uniform<4>(n, col, value, y, x, add);
        case 8:
          return vmult_uniform<8>(n, col, value, y, x, add);
        case 9:
          return vmult_uniform<9>(n, col, value, y, x, add);
        default:
          break;
      }
    const unsigned int *start = row_start.data();
    for (unsigned int i = 0; i < n; ++i)
      {
        double sum = 0;
        for (unsigned int e = start[i]; e < start[i + 1]; ++e)
          sum += value[e] * x[col[e]];
        y[i] = (add ? y[i] + sum : sum);
      }
  }



  void
  LocalSparseMatrix::Tvmult(double *y, const double *x) const
  {
    std::fill(y, y + n_columns, 0.);
    const unsigned int *start = row_start.data();
    const unsigned int *col   = columns.data();
    const double       *value = values.data();
    for (unsigned int i = 0; i + 1 < row_start.size(); ++i)
      {
        const double x_i = x[i];
        for (unsigned int e = start[i]; e < start[i + 1]; ++e)
          y[col[e]] += value[e] * x_i;
      }
  }
} // namespace npde
