// ---------------------------------------------------------------------------
// npde: the prediction of point measurements, and its adjoint (see
// observation_operator.h).
// ---------------------------------------------------------------------------
#include <deal.II/grid/grid_tools.h>
#include <deal.II/grid/grid_tools_cache.h>

#include <deal.II/numerics/rtree.h>

#include <npde/expression.h>
#include <npde/observation_operator.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <sstream>

namespace npde
{
  template <int dim>
  ObservationOperator<dim>::ObservationOperator(const StateSolver<dim> &state)
    : state(state)
    , evaluation(state.discretization())
  {
  }



  namespace
  {
    /// A point of the table and whether this rank owns it.
    template <int dim>
    struct Location
    {
      bool                                        owned = false;
      typename PointEvaluation<dim>::LocatedPoint point;
    };

    template <int dim>
    Point<dim>
    table_point(const ObservationTable &table, const unsigned int k)
    {
      Point<dim> p;
      for (unsigned int d = 0; d < dim; ++d)
        p[d] = table.x[k * dim + d];
      return p;
    }
  } // namespace



  // The candidates are the locally owned cells whose bounding box holds the
  // point (deal.II's R-tree of them, GridTools::Cache), or, since a curved
  // cell may bulge out of the box of its vertices, the four nearest boxes.
  // The first candidate whose MappingQ takes the point into the reference
  // cell is joined by the cells around its vertices that hold the point
  // too; of those the owner takes the cell with the smallest CellId. The same
  // point given on several rows is located once.
  template <int dim>
  std::vector<typename ObservationOperator<dim>::LocatedPoint>
  ObservationOperator<dim>::locate(const ObservationTable &table,
                                   std::vector<bool>      &owned) const
  {
    namespace bgi                              = boost::geometry::index;
    const Discretization<dim>  &discretization = state.discretization();
    const Triangulation<dim>   &tria           = discretization.triangulation();
    const Mapping<dim>         &mapping        = discretization.mapping();
    const GridTools::Cache<dim> cache(tria, mapping);
    const auto &tree = cache.get_locally_owned_cell_bounding_boxes_rtree();
    const auto &vertex_to_cells = cache.get_vertex_to_cell_map();
    using TriaCell = typename Triangulation<dim>::active_cell_iterator;

    const auto inside =
      [&](const TriaCell &cell, const Point<dim> &p, Point<dim> &reference) {
        try
          {
            reference = mapping.transform_real_to_unit_cell(cell, p);
            return GeometryInfo<dim>::is_inside_unit_cell(reference, 1e-10);
          }
        catch (const typename Mapping<dim>::ExcTransformationFailed &)
          {
            return false;
          }
      };

    std::map<std::array<double, dim>, Location<dim>> known;
    std::vector<Location<dim>>                       result(table.size());
    std::vector<unsigned int>                        found(table.size(), 0);
    for (unsigned int k = 0; k < table.size(); ++k)
      {
        const Point<dim>        p = table_point<dim>(table, k);
        std::array<double, dim> key;
        for (unsigned int d = 0; d < dim; ++d)
          key[d] = p[d];
        if (const auto it = known.find(key); it != known.end())
          {
            result[k] = it->second;
            found[k]  = it->second.owned ? 1 : 0;
            continue;
          }

        std::vector<std::pair<BoundingBox<dim>, TriaCell>> boxes;
        tree.query(bgi::intersects(p), std::back_inserter(boxes));
        std::pair<TriaCell, Point<dim>> first;
        bool                            hit = false;
        for (unsigned int pass = 0; pass < 2 && !hit; ++pass)
          {
            if (pass == 1)
              {
                boxes.clear();
                tree.query(bgi::nearest(p, 4), std::back_inserter(boxes));
              }
            for (const auto &box : boxes)
              if (inside(box.second, p, first.second))
                {
                  first.first = box.second;
                  hit         = true;
                  break;
                }
          }
        Location<dim> location;
        if (hit)
          {
            // Every cell that holds the point touches the first one at
            // a vertex of it (the vertex-to-cell map lists the coarse
            // cells at a hanging vertex too). (deal.II 9.4's
            // find_all_active_cells_around_point can return a refined
            // neighbour instead of its active children.)
            // A point well inside the first cell (1e-6 of its size from
            // every face) is in no other; most are.
            double margin = 1.;
            for (unsigned int d = 0; d < dim; ++d)
              margin =
                std::min({margin, first.second[d], 1. - first.second[d]});
            std::vector<std::pair<TriaCell, Point<dim>>> all{first};
            for (const unsigned int v : first.first->vertex_indices())
              if (margin < 1e-6)
                for (const auto &cell :
                     vertex_to_cells[first.first->vertex_index(v)])
                  {
                    Point<dim> reference;
                    if (cell != first.first && !cell->is_artificial() &&
                        std::none_of(all.begin(),
                                     all.end(),
                                     [&](const auto &a) {
                                       return a.first == cell;
                                     }) &&
                        inside(cell, p, reference))
                      all.emplace_back(cell, reference);
                  }
            const auto owner =
              std::min_element(all.begin(),
                               all.end(),
                               [](const auto &a, const auto &b) {
                                 return a.first->id() < b.first->id();
                               });
            if (owner != all.end() && owner->first->is_locally_owned())
              {
                location.owned = true;
                location.point.cell =
                  typename DoFHandler<dim>::active_cell_iterator(
                    &tria,
                    owner->first->level(),
                    owner->first->index(),
                    &discretization.dof_handler());
                location.point.reference = owner->second;
              }
          }
        known[key] = location;
        result[k]  = location;
        found[k]   = location.owned ? 1 : 0;
      }

    // Every point has exactly one owner, or lies outside the domain.
    std::vector<unsigned int> owners(table.size());
    Utilities::MPI::sum(ArrayView<const unsigned int>(found),
                        discretization.communicator(),
                        ArrayView<unsigned int>(owners));
    for (unsigned int k = 0; k < table.size(); ++k)
      if (owners[k] == 0)
        {
          std::ostringstream message;
          message << table.where(k) << ": the point ("
                  << table_point<dim>(table, k)
                  << ") lies outside the domain (of the mesh with its "
                     "mapping). Remove the line, or move the point into "
                     "the domain.";
          throw InputError(message.str());
        }

    std::vector<LocatedPoint> points(table.size());
    owned.assign(table.size(), false);
    for (unsigned int k = 0; k < table.size(); ++k)
      if (result[k].owned)
        {
          points[k] = result[k].point;
          owned[k]  = true;
        }
    return points;
  }



  // The rows are grouped by interval (the interval of t_k = T is the last
  // one, with s = 1); an interval that no rank has a row of gets no
  // evaluation, and every rank keeps the same list of intervals, since
  // their products are collective.
  template <int dim>
  void
  ObservationOperator<dim>::setup(const ObservationTable &table)
  {
    std::vector<bool>               owned;
    const std::vector<LocatedPoint> points = locate(table, owned);
    const std::vector<double>      &times  = state.time_grid().times();
    const unsigned int              K      = state.time_grid().n_steps();

    std::vector<std::vector<unsigned int>> rows_of(K);
    for (unsigned int k = 0; k < table.size(); ++k)
      if (owned[k])
        {
          const auto after =
            std::upper_bound(times.begin(), times.end(), table.t[k]);
          const int n = int(after - times.begin()) - 1;
          rows_of[std::min<int>(std::max(n, 0), int(K) - 1)].push_back(k);
        }
    std::vector<unsigned int> local_counts(K), counts(K);
    for (unsigned int n = 0; n < K; ++n)
      local_counts[n] = rows_of[n].size();
    Utilities::MPI::sum(ArrayView<const unsigned int>(local_counts),
                        state.discretization().communicator(),
                        ArrayView<unsigned int>(counts));

    local_rows.clear();
    s.clear();
    intervals.clear();
    std::vector<LocatedPoint> sorted_points;
    for (unsigned int n = 0; n < K; ++n)
      {
        if (counts[n] == 0)
          continue;
        intervals.push_back({n, unsigned(local_rows.size()), 0});
        for (const unsigned int k : rows_of[n])
          {
            local_rows.push_back(k);
            s.push_back(std::clamp(
              (table.t[k] - times[n]) / (times[n + 1] - times[n]), 0., 1.));
            sorted_points.push_back(points[k]);
          }
        intervals.back().end = local_rows.size();
      }
    evaluation.setup(sorted_points);
  }



  template <int dim>
  const std::vector<unsigned int> &
  ObservationOperator<dim>::rows() const
  {
    return local_rows;
  }



  // Level by level: U^n ends the interval before it (weight s) and starts
  // its own (weight 1 − s).
  template <int dim>
  void
  ObservationOperator<dim>::predict(
    std::vector<double>                     &y,
    const std::function<void(unsigned int)> &wait_for_level) const
  {
    y.assign(local_rows.size(), 0.);
    const unsigned int K    = state.time_grid().n_steps();
    unsigned int       next = 0; // the first interval not yet started
    for (unsigned int n = 0; n <= K; ++n)
      {
        if (wait_for_level)
          wait_for_level(n);
        const VectorType &u = state.state(n);
        if (next > 0 && intervals[next - 1].n + 1 == n)
          {
            const Interval &I = intervals[next - 1];
            evaluation.values(u, buffer, I.begin, I.end);
            for (unsigned int j = I.begin; j < I.end; ++j)
              y[j] += s[j] * buffer[j];
          }
        if (next < intervals.size() && intervals[next].n == n)
          {
            const Interval &I = intervals[next];
            evaluation.values(u, buffer, I.begin, I.end);
            for (unsigned int j = I.begin; j < I.end; ++j)
              y[j] = (1. - s[j]) * buffer[j];
            ++next;
          }
      }
  }



  template <int dim>
  void
  ObservationOperator<dim>::add_adjoint_sources(
    const std::vector<double> &v,
    std::vector<VectorType>   &r) const
  {
    AssertDimension(v.size(), local_rows.size());
    weights.reinit(local_rows.size(), true);
    for (const Interval &I : intervals)
      {
        for (unsigned int j = I.begin; j < I.end; ++j)
          weights[j] = (1. - s[j]) * v[j];
        evaluation.add_integrals(weights, r[I.n], I.begin, I.end);
        for (unsigned int j = I.begin; j < I.end; ++j)
          weights[j] = s[j] * v[j];
        evaluation.add_integrals(weights, r[I.n + 1], I.begin, I.end);
      }
  }



  template class ObservationOperator<1>;
  template class ObservationOperator<2>;
  template class ObservationOperator<3>;
} // namespace npde
