// ---------------------------------------------------------------------------
// npde: the training history.
// ---------------------------------------------------------------------------
#include <deal.II/base/exceptions.h>

#include <npde/training_history.h>

#include <cmath>
#include <iomanip>
#include <istream>
#include <sstream>

namespace npde
{
  double
  TrainingHistory::Record::column(const std::string &name) const
  {
    for (const auto &[column_name, value] : columns)
      if (column_name == name)
        return value;
    AssertThrow(false, ExcMessage("The history has no column " + name));
    return 0;
  }



  TrainingHistory::TrainingHistory(const std::vector<HistoryColumn> &columns)
    : column_list(columns)
  {
  }



  const std::vector<HistoryColumn> &
  TrainingHistory::columns() const
  {
    return column_list;
  }



  std::vector<TrainingHistory::Record> &
  TrainingHistory::records()
  {
    return rows;
  }



  const std::vector<TrainingHistory::Record> &
  TrainingHistory::records() const
  {
    return rows;
  }



  void
  TrainingHistory::print_header(ConditionalOStream &pcout) const
  {
    pcout << "\n   iter        loss";
    for (const HistoryColumn &column : column_list)
      if (!column.title.empty())
        pcout << std::setw(12) << column.title;
    pcout << "   |grad J|   learn. rate   time (s)\n";
  }



  // A trial that was not accepted has no gradient ("-"). With a finite loss
  // it failed the line search's decrease condition (the step is shortened);
  // without one, the forward solve failed or diverged.
  void
  TrainingHistory::print(ConditionalOStream &pcout, const Record &r) const
  {
    std::ostringstream gradient_norm;
    if (std::isfinite(r.gradient_norm))
      gradient_norm << std::scientific << std::setprecision(3)
                    << r.gradient_norm;
    else
      gradient_norm << '-';
    pcout << "   " << std::setw(5) << r.iteration << std::scientific
          << std::setprecision(4) << std::setw(12) << r.loss;
    for (unsigned int c = 0; c < column_list.size(); ++c)
      if (!column_list[c].title.empty())
        pcout << std::setw(12) << r.columns[c].second;
    pcout << std::setw(11) << gradient_norm.str() << std::setprecision(3)
          << std::setw(14) << r.learning_rate << std::defaultfloat << std::fixed
          << std::setprecision(2) << std::setw(11) << r.wall_time
          << (r.accepted            ? "" :
              std::isfinite(r.loss) ? "  step shortened" :
                                      "  rejected")
          << std::defaultfloat << std::setprecision(6) << std::endl;
  }



  // The measures of the fit follow the loss, the properties of the
  // discretisation end the row.
  void
  TrainingHistory::write_rows(std::ostream &out, const char separator) const
  {
    for (const Record &r : rows)
      {
        out << r.iteration << separator << r.loss;
        for (unsigned int c = 0; c < column_list.size(); ++c)
          if (column_list[c].measures_fit)
            out << separator << r.columns[c].second;
        out << separator << r.gradient_norm << separator << r.learning_rate
            << separator << r.wall_time << separator << (r.accepted ? 1 : 0);
        for (unsigned int c = 0; c < column_list.size(); ++c)
          if (!column_list[c].measures_fit)
            out << separator << r.columns[c].second;
        out << '\n';
      }
  }



  std::string
  TrainingHistory::csv() const
  {
    std::ostringstream out;
    out << std::setprecision(17) << "iteration,loss";
    for (const HistoryColumn &column : column_list)
      if (column.measures_fit)
        out << ',' << column.name;
    out << ",gradient_norm,learning_rate,wall_time,accepted";
    for (const HistoryColumn &column : column_list)
      if (!column.measures_fit)
        out << ',' << column.name;
    out << '\n';
    write_rows(out, ',');
    return out.str();
  }



  bool
  TrainingHistory::read_row(
    std::istream                                     &in,
    const std::function<double(const std::string &)> &number,
    const std::function<double(const std::string &)> &count,
    Record                                           &r) const
  {
    // The fields in the order write_rows() writes them.
    std::vector<std::string> fields(6 + column_list.size());
    for (auto &f : fields)
      in >> f;
    if (!in)
      return false;
    std::vector<double> values(column_list.size());
    unsigned int        f = 0;
    r.iteration           = count(fields[f++]);
    r.loss                = number(fields[f++]);
    for (unsigned int c = 0; c < column_list.size(); ++c)
      if (column_list[c].measures_fit)
        values[c] = number(fields[f++]);
    r.gradient_norm = number(fields[f++]);
    r.learning_rate = number(fields[f++]);
    r.wall_time     = number(fields[f++]);
    r.accepted      = (fields[f++] == "1");
    // (The columns after `accepted` are not only counts such as n_dofs: a
    // trained constant's value is one of them.)
    for (unsigned int c = 0; c < column_list.size(); ++c)
      if (!column_list[c].measures_fit)
        values[c] = number(fields[f++]);
    r.columns.clear();
    for (unsigned int c = 0; c < column_list.size(); ++c)
      r.columns.emplace_back(column_list[c].name, values[c]);
    return true;
  }
} // namespace npde
