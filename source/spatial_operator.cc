// ---------------------------------------------------------------------------
// npde: the spatial operator of the θ-scheme and its linearisation.
// ---------------------------------------------------------------------------
#include <npde/spatial_operator.h>

#include <algorithm>
#include <limits>

namespace npde
{
  template <int dim>
  SpatialOperator<dim>::SpatialOperator(
    const Discretization<dim> &discretization,
    const PointOperators<dim> &quadrature_points,
    const Model<dim>          &model)
    : discretization(discretization)
    , quadrature_points(quadrature_points)
    , model(model)
  {
  }



  template <int dim>
  void
  SpatialOperator<dim>::add_value(const VectorType          &u,
                                  const double               t,
                                  const OperatorCoefficients c,
                                  VectorType                &residual) const
  {
    discretization.operators().add_operator_product(c,
                                                    Transpose::no,
                                                    u,
                                                    residual);
    if (!model.has_reaction() || c.op == 0.)
      return;

    Vector<double> values;
    quadrature_points.values(u, values);
    const auto &points = quadrature_points.points();
    for (unsigned int q = 0; q < values.size(); ++q)
      values[q] = c.op * model.reaction(t, points[q], values[q]);
    quadrature_points.add_integrals(values, residual);
  }



  template <int dim>
  double
  SpatialOperator<dim>::reaction_derivative(const VectorType &u,
                                            const double      t,
                                            Vector<double>   &dfdu) const
  {
    double min_dfdu = std::numeric_limits<double>::infinity();
    if (!model.has_reaction())
      {
        dfdu.reinit(0);
        return min_dfdu;
      }
    quadrature_points.values(u, dfdu);
    const auto &points = quadrature_points.points();
    for (unsigned int q = 0; q < dfdu.size(); ++q)
      {
        dfdu[q]  = model.reaction_derivative(t, points[q], dfdu[q]);
        min_dfdu = std::min(min_dfdu, dfdu[q]);
      }
    return Utilities::MPI::min(min_dfdu, discretization.communicator());
  }



  template <int dim>
  void
  SpatialOperator<dim>::add_linearized_product(const Vector<double>      &dfdu,
                                               const OperatorCoefficients c,
                                               const Transpose   transpose,
                                               const VectorType &v,
                                               VectorType       &product) const
  {
    discretization.operators().add_operator_product(c, transpose, v, product);
    if (!model.has_reaction() || c.op == 0.)
      return;
    Assert(dfdu.size() == quadrature_points.points().size(),
           ExcMessage("dfdu must come from reaction_derivative()"));
    Vector<double> w;
    quadrature_points.values(v, w);
    for (unsigned int q = 0; q < w.size(); ++q)
      w[q] *= c.op * dfdu[q];
    quadrature_points.add_integrals(w, product);
  }



  // The product needs v's values at the hanging nodes (the points see
  // them); its constrained rows are set to v's entries, so that the
  // operator maps the constrained and the free entries each to themselves
  // and a Krylov method never mixes them.
  template <int dim>
  void
  SpatialOperator<dim>::linearized_action(const Vector<double>      &dfdu,
                                          const OperatorCoefficients c,
                                          const Transpose   transpose,
                                          const VectorType &v,
                                          VectorType       &y) const
  {
    const unsigned int n_owned = v.locally_owned_size();
    // (A new mesh can have as many dofs as the old one, partitioned
    // otherwise: the layout, not the size, decides.)
    if (!distributed.trilinos_partitioner().SameAs(v.trilinos_partitioner()))
      distributed.reinit(v, true);
    std::copy_n(v.begin(), n_owned, distributed.begin());
    discretization.distribute_homogeneous_constraints(distributed);
    std::fill_n(y.begin(), n_owned, 0.);
    add_linearized_product(dfdu, c, transpose, distributed, y);
    const double *const values = v.begin();
    double *const       out    = y.begin();
    for (const unsigned int i : discretization.constrained_local_dofs())
      out[i] = values[i];
  }



  // The cell matrices of M and A, plus the weighted mass matrix of F' from
  // the shape values at the quadrature's points (the same on every cell) and
  // the JxW values of the point operators, which list the points cell by
  // cell.
  template <int dim>
  void
  SpatialOperator<dim>::add_linearized_matrix(const Vector<double>      &dfdu,
                                              const OperatorCoefficients c,
                                              const Transpose transpose,
                                              MatrixType     &matrix) const
  {
    const bool reaction = model.has_reaction() && c.op != 0.;
    Assert(!reaction || dfdu.size() == quadrature_points.points().size(),
           ExcMessage("dfdu must come from reaction_derivative()"));
    const unsigned int        dpc = discretization.fe().n_dofs_per_cell();
    const unsigned int        nq  = discretization.quadrature().size();
    const FullMatrix<double> &phi = discretization.shape_values();
    const auto               &JxW = quadrature_points.JxW();
    const AffineConstraints<double> &constraints = discretization.constraints();
    FullMatrix<double>               local(dpc, dpc);
    std::vector<types::global_dof_index> local_dofs(dpc);
    for (unsigned int cell = 0; cell < discretization.n_locally_owned_cells();
         ++cell)
      {
        discretization.cell_dofs(cell, local_dofs);
        discretization.cell_matrix(cell, c, transpose, local);
        if (reaction)
          for (unsigned int q = 0; q < nq; ++q)
            {
              const double w = c.op * dfdu[cell * nq + q] * JxW[cell * nq + q];
              for (unsigned int i = 0; i < dpc; ++i)
                for (unsigned int j = 0; j < dpc; ++j)
                  local(i, j) += w * phi(q, i) * phi(q, j);
            }
        constraints.distribute_local_to_global(local, local_dofs, matrix);
      }
    matrix.compress(VectorOperation::add);
  }



  template <int dim>
  bool
  SpatialOperator<dim>::has_reaction() const
  {
    return model.has_reaction();
  }



  template <int dim>
  bool
  SpatialOperator<dim>::has_advection() const
  {
    return model.has_advection();
  }



  template class SpatialOperator<1>;
  template class SpatialOperator<2>;
  template class SpatialOperator<3>;
} // namespace npde
