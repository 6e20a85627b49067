// ---------------------------------------------------------------------------
// npde: which cell of the mesh holds a point (see cell_locator.h).
// ---------------------------------------------------------------------------
#include <deal.II/base/geometry_info.h>

#include <deal.II/numerics/rtree.h>

#include <npde/cell_locator.h>

#include <algorithm>
#include <array>
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
  // lexicographically), to round-off. The vertices are read once per cell:
  // each vertex() call goes through the cell's faces.
  template <int dim>
  CellLocator<dim>::CellLocator(const Discretization<dim> &discretization)
    : discretization(discretization)
    , cache(discretization.triangulation(), discretization.mapping())
  {
    const auto &triangulation = discretization.triangulation();
    local_index.assign(triangulation.n_active_cells(),
                       numbers::invalid_unsigned_int);
    constexpr unsigned int n_vertices = GeometryInfo<dim>::vertices_per_cell;
    cells.reserve(discretization.n_locally_owned_cells());
    for (const auto &cell : triangulation.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          local_index[cell->active_cell_index()] = cells.size();
          std::array<Point<dim>, n_vertices> x;
          for (unsigned int v = 0; v < n_vertices; ++v)
            x[v] = cell->vertex(v);
          Point<dim> low = x[0], high = x[0];
          for (unsigned int v = 1; v < n_vertices; ++v)
            for (unsigned int d = 0; d < dim; ++d)
              {
                low[d]  = std::min(low[d], x[v][d]);
                high[d] = std::max(high[d], x[v][d]);
              }
          // (The box's diagonal bounds the cell's size.)
          const double size  = low.distance(high);
          const double widen = 0.1 * size;
          for (unsigned int d = 0; d < dim; ++d)
            {
              low[d] -= widen;
              high[d] += widen;
            }
          Cell data{cell, BoundingBox<dim>({low, high}), flat(cell), {}, x[0]};
          Tensor<2, dim> A;
          for (unsigned int d = 0; d < dim; ++d)
            for (unsigned int e = 0; e < dim; ++e)
              A[e][d] = x[1u << d][e] - x[0][e];
          for (unsigned int v = 0; v < n_vertices && data.affine; ++v)
            {
              Point<dim> y = x[0];
              for (unsigned int d = 0; d < dim; ++d)
                if (v & (1u << d))
                  y += x[1u << d] - x[0];
              if (y.distance(x[v]) > 1e-12 * size)
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
    for (unsigned int d = 0; d < dim; ++d)
      buckets_per_unit[d] = n / (upper[d] - lower[d]);
    const auto index = [&](const double x, const unsigned int d) {
      const double s = (x - lower[d]) * buckets_per_unit[d];
      return std::min(n - 1, unsigned(std::max(0., s)));
    };
    // The buckets as one list (CSR): count, then fill.
    bucket_start.assign(n_buckets + 1, 0);
    for (unsigned int pass = 0; pass < 2; ++pass)
      {
        if (pass == 1)
          {
            for (unsigned int b = 0; b < n_buckets; ++b)
              bucket_start[b + 1] += bucket_start[b];
            bucket_cells.resize(bucket_start[n_buckets]);
          }
        std::vector<unsigned int> next(bucket_start.begin(),
                                       bucket_start.end() - 1);
        for (unsigned int c = 0; c < cells.size(); ++c)
          {
            unsigned int from[3] = {0, 0, 0}, to[3] = {0, 0, 0};
            const auto &[low, high] = cells[c].box.get_boundary_points();
            for (unsigned int d = 0; d < dim; ++d)
              {
                from[d] = index(low[d], d);
                to[d]   = index(high[d], d);
              }
            for (unsigned int i = from[0]; i <= to[0]; ++i)
              for (unsigned int j = from[1]; j <= to[1]; ++j)
                for (unsigned int k = from[2]; k <= to[2]; ++k)
                  {
                    const unsigned int b = i + n * (j + n * k);
                    if (pass == 0)
                      ++bucket_start[b + 1];
                    else
                      bucket_cells[next[b]++] = c;
                  }
          }
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
    const auto &[low, high] = cell.box.get_boundary_points();
    for (unsigned int d = 0; d < dim; ++d)
      if (p[d] < low[d] || p[d] > high[d])
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
            std::min(n - 1, unsigned((p[d] - lower[d]) * buckets_per_unit[d]));
        for (unsigned int e = bucket_start[b]; e < bucket_start[b + 1]; ++e)
          if (inside(cells[bucket_cells[e]], p, first.second))
            {
              first.first = cells[bucket_cells[e]].cell;
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
    if (owner.first != first.first && !owner.first->is_locally_owned())
      return false;
    located.local_cell = local_index[owner.first->active_cell_index()];
    located.cell       = typename DoFHandler<dim>::active_cell_iterator(
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
