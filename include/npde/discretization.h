// ---------------------------------------------------------------------------
// npde: the spatial discretisation (doc/design.md sections 2 and 8).
//
// Continuous Q_p elements on a (possibly adaptively refined, possibly
// distributed) mesh with MappingQ(p) everywhere; the hanging-node and zero
// Dirichlet constraints that define the condensed space; and the matrices
// that do not change while the mesh stays:
//
//   M_ij = ∫ φ_i φ_j,    A_ij = ∫ a ∇φ_j·∇φ_i + (b·∇φ_j) φ_i,
//
// kept per locally owned cell (so that a Jacobian is assembled without
// FEValues) and as condensed operators Cᵀ(c_M M + c_A A) built on first use
// for each coefficient pair (condensed_operators.h). Everything that has a mesh
// in it — the state solver, the adjoint, the misfits, mesh adaptation, the
// output — takes its finite-element space from here.
// ---------------------------------------------------------------------------
#ifndef npde_discretization_h
#define npde_discretization_h

#include <deal.II/base/quadrature_lib.h>
#include <deal.II/base/timer.h>

#include <deal.II/distributed/tria_base.h>

#include <deal.II/dofs/dof_handler.h>

#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/mapping_q.h>

#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/trilinos_sparse_matrix.h>
#include <deal.II/lac/trilinos_vector.h>

#include <npde/condensed_operators.h>
#include <npde/model.h>

#include <map>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

namespace npde
{
  using namespace dealii;

  template <int dim>
  class Discretization
  {
  public:
    using VectorType = TrilinosWrappers::MPI::Vector;
    using MatrixType = TrilinosWrappers::SparseMatrix;

    Discretization(const unsigned int                      degree,
                   const Model<dim>                       &model,
                   const parallel::TriangulationBase<dim> &triangulation,
                   TimerOutput                            &timer);

    /**
     * Set up for the current mesh (call both again after it changed), in two
     * steps so that a caller can check the memory a number of dofs needs
     * before the expensive part: first the dofs, the constraints and the
     * sparsity patterns; then the cell matrices (which evaluate a and b and
     * refuse a diffusion that is not positive).
     */
    void
    distribute_dofs();
    void
    assemble_cell_matrices();

    const DoFHandler<dim> &
    dof_handler() const;
    const Mapping<dim> &
    mapping() const;
    const FiniteElement<dim> &
    fe() const;
    const parallel::TriangulationBase<dim> &
    triangulation() const;
    MPI_Comm
    communicator() const;
    const IndexSet &
    locally_owned_dofs() const;
    const IndexSet &
    locally_relevant_dofs() const;

    /// The Gauss rule with p+1 points per direction: the misfit's and the
    /// reaction term's quadrature, exact for u_h² on affine cells.
    const Quadrature<dim> &
    quadrature() const;

    /// An empty distributed vector of this space's layout.
    VectorType
    new_vector() const;

    /// A copy of @p v with the ghost entries this rank's cells need.
    VectorType
    ghosted(const VectorType &v) const;

    /// Hanging-node and zero Dirichlet constraints: the condensed space.
    const AffineConstraints<double> &
    constraints() const;

    /// Constraints without any entry: for the columns of matrices that are
    /// condensed in their rows only.
    const AffineConstraints<double> &
    no_constraints() const;

    /**
     * Give the hanging dofs of the (distributed) finite-element vector @p v
     * their constrained values; nothing else changes.
     */
    void
    distribute_hanging_node_values(VectorType &v) const;

    /**
     * The same as constraints().distribute(v): zero at the Dirichlet dofs,
     * interpolated values at hanging nodes; but without the ghosted copy
     * of @p v that AffineConstraints::distribute() makes at every call,
     * which the adjoint sweep would pay at every step.
     */
    void
    distribute_homogeneous_constraints(VectorType &v) const;

    /// The owned dofs that constraints() constrains, as local indices.
    const std::vector<unsigned int> &
    constrained_local_dofs() const;

    /// The locally owned cells, in the order of the cell loop.
    unsigned int
    n_locally_owned_cells() const;

    /// The dof indices of the @p c-th locally owned cell (cell-loop order).
    void
    cell_dofs(const unsigned int                    c,
              std::vector<types::global_dof_index> &local_dofs) const;

    /// k.mass·M_c + k.op·A_c (or with A_cᵀ) of the @p c-th cell into @p local.
    void
    cell_matrix(const unsigned int         c,
                const OperatorCoefficients k,
                const Transpose            transpose,
                FullMatrix<double>        &local) const;

    /// φ_i at the points of quadrature(), (q, i): the same on every cell.
    const FullMatrix<double> &
    shape_values() const;

    /// The operators Cᵀ(c_M M + c_A A) built from the cell matrices.
    const CondensedOperators<dim> &
    operators() const;

    /// Give @p matrix the pattern of a condensed operator Cᵀ L C (J^n).
    void
    reinit_condensed_matrix(MatrixType &matrix) const;

    /// The support point of the locally owned dof @p i (slow: for messages).
    Point<dim>
    support_point(const types::global_dof_index i) const;

    /// ‖u_h − @p exact‖_{L2(D)} (@p exact at its current time).
    double
    l2_error(const VectorType &u, const Function<dim> &exact) const;

  private:
    void
    check_dirichlet_ids() const;
    void
    setup_constraints();
    void
    setup_sparsity_patterns();

    const Model<dim>                       &model;
    const parallel::TriangulationBase<dim> &tria;
    const MPI_Comm                          mpi_communicator;

    FE_Q<dim>       finite_element;
    MappingQ<dim>   mapping_q;
    QGauss<dim>     gauss;
    DoFHandler<dim> dofs;
    IndexSet        owned_dofs;
    IndexSet        relevant_dofs;

    AffineConstraints<double> hanging_node_constraints;
    AffineConstraints<double> homogeneous_constraints;
    AffineConstraints<double> empty_constraints;
    // Whether any rank has hanging nodes (distribute() is collective).
    bool has_hanging_nodes = false;
    // The owned Dirichlet dofs, by local index.
    std::vector<unsigned int> dirichlet_dofs;
    std::vector<unsigned int> constrained_dofs; // local indices, all of them

    // Per locally owned cell, in the order of the cell loop: dof indices and
    // the local mass and operator matrices. The shape values are the same on
    // every cell (FE_Q does not depend on the mapping), so one table serves
    // all.
    unsigned int                         n_local_cells = 0;
    std::vector<types::global_dof_index> cell_dof_indices;
    std::vector<FullMatrix<double>>      cell_mass;
    std::vector<FullMatrix<double>>      cell_operator;
    FullMatrix<double>                   shape_table;

    // The pattern of the condensed operator Cᵀ L C (the Jacobian's).
    DynamicSparsityPattern  condensed_sparsity;
    CondensedOperators<dim> condensed_operators;
  };
} // namespace npde

#endif
