// ---------------------------------------------------------------------------
// npde: a Trilinos matrix of one MPI rank as plain CSR arrays.
//
// The sweeps and the misfit multiply the same few sparse matrices (Φ, B, the
// operator matrices) thousands of times per training iteration, each product
// a few thousand entries. Through Epetra, every call also pays Epetra's
// bookkeeping and a global Teuchos timer that Epetra_CrsMatrix::Multiply()
// starts and stops. That timer is not thread safe, so the products that a
// second thread makes while a sweep runs (Objective::forward) must not go
// through Epetra at all. On one rank, a copy of the matrix in three plain
// arrays avoids both. This file is compiled with the network's kernel flags
// (-O3, the host's vector instructions; see CMakeLists.txt).
// ---------------------------------------------------------------------------
#ifndef npde_local_sparse_matrix_h
#define npde_local_sparse_matrix_h

#include <deal.II/lac/trilinos_sparse_matrix.h>

#include <vector>

namespace npde
{
  using namespace dealii;

  class LocalSparseMatrix
  {
  public:
    /**
     * Copy @p A if it lives on one MPI rank; with several ranks this stays
     * empty and the caller uses @p A itself. Columns are local indices of
     * A's domain, sorted within each row.
     */
    void
    reinit(const TrilinosWrappers::SparseMatrix &A);

    bool
    empty() const;

    unsigned int
    m() const;

    /// y = A x, or y += A x.
    void
    vmult(double *y, const double *x, const bool add = false) const;

    /// y = Aᵀ x.
    void
    Tvmult(double *y, const double *x) const;

    std::vector<unsigned int> row_start;
    std::vector<unsigned int> columns;
    std::vector<double>       values;
    unsigned int              n_columns = 0;
    /// Entries per row if every row has the same number (Φ: the dofs of a
    /// cell), else 0.
    unsigned int uniform_row_length = 0;
  };
} // namespace npde

#endif
