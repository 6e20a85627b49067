// ---------------------------------------------------------------------------
// npde: which cell of the mesh holds a point (see cell_locator.h).
// ---------------------------------------------------------------------------
#include <deal.II/base/geometry_info.h>

#include <deal.II/numerics/rtree.h>

#include <npde/cell_locator.h>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace npde
{
  namespace
  {
    // Whether the cell's geometry is flat: its manifold and those of its
    // faces (and, in 3D, edges) are the flat one, so that the mapping is
    // the multilinear map of its vertices.
    template <typename Cell>
    bool
    flat(const Cell &cell)
    {
      if (cell->manifold_id() != numbers::flat_manifold_id)
        return false;
      if constexpr (Cell::AccessorType::dimension > 1)
        for (const unsigned int f : cell->face_indices())
          if (cell->face(f)->manifold_id() != numbers::flat_manifold_id)
            return false;
      if constexpr (Cell::AccessorType::dimension == 3)
        for (unsigned int l = 0; l < GeometryInfo<3>::lines_per_cell; ++l)
          if (cell->line(l)->manifold_id() != numbers::flat_manifold_id)
            return false;
      return true;
    }
  } // namespace



  // A flat cell is affine if every vertex is where the affine map of the
  // vertices 0, 1, 2 (and 4) puts it (deal.II numbers vertices
  // lexicographically), to round-off.
  template <int dim>
  CellLocator<dim>::CellLocator(const Discretization<dim> &discretization)
    : discretization(discretization)
    , cache(discretization.triangulation(), discretization.mapping())
  {
    for (const auto &cell :
         discretization.triangulation().active_cell_iterators())
      if (cell->is_locally_owned())
        {
          Cell data{cell, cell->bounding_box(), false, {}, cell->vertex(0)};
          const double widen   = 0.1 * cell->diameter();
          auto        &corners = data.box.get_boundary_points();
          for (unsigned int d = 0; d < dim; ++d)
            {
              corners.first[d] -= widen;
              corners.second[d] += widen;
            }
          Tensor<2, dim> A;
          for (unsigned int d = 0; d < dim; ++d)
            {
              const Tensor<1, dim> edge =
                cell->vertex(1u << d) - cell->vertex(0);
              for (unsigned int e = 0; e < dim; ++e)
                A[e][d] = edge[e];
            }
          data.affine = flat(cell);
          for (const unsigned int v : cell->vertex_indices())
            {
              Point<dim> x = cell->vertex(0);
              for (unsigned int d = 0; d < dim; ++d)
                if (v & (1u << d))
                  x += cell->vertex(1u << d) - cell->vertex(0);
              if (x.distance(cell->vertex(v)) > 1e-12 * cell->diameter())
                data.affine = false;
            }
          if (data.affine)
            data.inverse = invert(A);
          cells.push_back(data);
        }

    if (cells.empty())
      return;
    lower = cells[0].box.get_boundary_points().first;
    upper = cells[0].box.get_boundary_points().second;
    for (const Cell &c : cells)
      for (unsigned int d = 0; d < dim; ++d)
        {
          lower[d] = std::min(lower[d], c.box.get_boundary_points().first[d]);
          upper[d] = std::max(upper[d], c.box.get_boundary_points().second[d]);
        }
    n                      = std::max(1u,
                 unsigned(std::ceil(std::pow(double(cells.size()), 1. / dim))));
    unsigned int n_buckets = 1;
    for (unsigned int d = 0; d < dim; ++d)
      n_buckets *= n;
    buckets.resize(n_buckets);
    const auto index = [&](const double x, const unsigned int d) {
      const double s = (x - lower[d]) / (upper[d] - lower[d]) * n;
      return std::min(n - 1, unsigned(std::max(0., s)));
    };
    for (unsigned int c = 0; c < cells.size(); ++c)
      {
        unsigned int from[3] = {0, 0, 0}, to[3] = {0, 0, 0};
        for (unsigned int d = 0; d < dim; ++d)
          {
            from[d] = index(cells[c].box.get_boundary_points().first[d], d);
            to[d]   = index(cells[c].box.get_boundary_points().second[d], d);
          }
        for (unsigned int i = from[0]; i <= to[0]; ++i)
          for (unsigned int j = from[1]; j <= to[1]; ++j)
            for (unsigned int k = from[2]; k <= to[2]; ++k)
              buckets[i + n * (j + n * k)].push_back(c);
      }
  }



  template <int dim>
  bool
  CellLocator<dim>::inside(const TriaCell   &cell,
                           const Point<dim> &p,
                           Point<dim>       &reference) const
  {
    try
      {
        reference =
          discretization.mapping().transform_real_to_unit_cell(cell, p);
        return GeometryInfo<dim>::is_inside_unit_cell(reference, 1e-10);
      }
    catch (const typename Mapping<dim>::ExcTransformationFailed &)
      {
        return false;
      }
  }



  template <int dim>
  bool
  CellLocator<dim>::inside(const Cell       &cell,
                           const Point<dim> &p,
                           Point<dim>       &reference) const
  {
    if (!cell.box.point_inside(p))
      return false;
    if (!cell.affine)
      return inside(cell.cell, p, reference);
    reference = Point<dim>(cell.inverse * (p - cell.origin));
    return GeometryInfo<dim>::is_inside_unit_cell(reference, 1e-10);
  }



  // The bucket's cells first; then, for a point that none of them holds,
  // the R-tree's boxes that hold it and the four nearest boxes.
  template <int dim>
  bool
  CellLocator<dim>::first_cell(const Point<dim>                &p,
                               std::pair<TriaCell, Point<dim>> &first) const
  {
    if (cells.empty())
      return false;
    bool in_box = true;
    for (unsigned int d = 0; d < dim; ++d)
      in_box = in_box && p[d] >= lower[d] && p[d] <= upper[d];
    if (in_box)
      {
        unsigned int b = 0, stride = 1;
        for (unsigned int d = 0; d < dim; ++d, stride *= n)
          b +=
            stride *
            std::min(n - 1,
                     unsigned((p[d] - lower[d]) / (upper[d] - lower[d]) * n));
        for (const unsigned int c : buckets[b])
          if (inside(cells[c], p, first.second))
            {
              first.first = cells[c].cell;
              return true;
            }
      }
    namespace bgi    = boost::geometry::index;
    const auto &tree = cache.get_locally_owned_cell_bounding_boxes_rtree();
    std::vector<std::pair<BoundingBox<dim>, TriaCell>> boxes;
    tree.query(bgi::intersects(p), std::back_inserter(boxes));
    tree.query(bgi::nearest(p, 4), std::back_inserter(boxes));
    for (const auto &box : boxes)
      if (inside(box.second, p, first.second))
        {
          first.first = box.second;
          return true;
        }
    return false;
  }



  // A point well inside the first cell (1e-6 of its size from every face)
  // is in no other, and most are. Otherwise every cell that holds it
  // touches the first one at a vertex of it (the vertex-to-cell map lists
  // the coarse cells at a hanging vertex too); they are tested with the
  // mapping. (deal.II 9.4's find_all_active_cells_around_point can return
  // a refined neighbour instead of its active children.)
  template <int dim>
  bool
  CellLocator<dim>::locate(const Point<dim> &p, LocatedPoint &located) const
  {
    std::pair<TriaCell, Point<dim>> first;
    if (!first_cell(p, first))
      return false;
    double margin = 1.;
    for (unsigned int d = 0; d < dim; ++d)
      margin = std::min({margin, first.second[d], 1. - first.second[d]});
    std::pair<TriaCell, Point<dim>> owner = first;
    if (margin < 1e-6)
      {
        const auto &vertex_to_cells = cache.get_vertex_to_cell_map();
        for (const unsigned int v : first.first->vertex_indices())
          for (const auto &cell : vertex_to_cells[first.first->vertex_index(v)])
            {
              Point<dim> reference;
              if (cell != first.first && !cell->is_artificial() &&
                  cell->id() < owner.first->id() && inside(cell, p, reference))
                owner = {cell, reference};
            }
      }
    if (!owner.first->is_locally_owned())
      return false;
    located.cell = typename DoFHandler<dim>::active_cell_iterator(
      &discretization.triangulation(),
      owner.first->level(),
      owner.first->index(),
      &discretization.dof_handler());
    located.reference = owner.second;
    return true;
  }



  template class CellLocator<1>;
  template class CellLocator<2>;
  template class CellLocator<3>;
} // namespace npde
