// ---------------------------------------------------------------------------
// npde: a table of measurements read from a CSV file (see
// observation_table.h).
// ---------------------------------------------------------------------------
#include <npde/expression.h>
#include <npde/observation_table.h>

#include <boost/algorithm/string/trim.hpp>

#include <algorithm>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace npde
{
  std::string
  ObservationTable::where(const unsigned int k) const
  {
    return "file '" + file + "', line " + std::to_string(line[k]);
  }



  namespace
  {
    std::vector<std::string>
    split_fields(const std::string &text)
    {
      std::vector<std::string> fields;
      std::istringstream       in(text);
      std::string              field;
      while (std::getline(in, field, ','))
        fields.push_back(boost::algorithm::trim_copy(field));
      // "a,b," has three fields, the last one empty.
      if (!text.empty() && text.back() == ',')
        fields.emplace_back();
      return fields;
    }

    bool
    is_comment(const std::string &text)
    {
      const std::string trimmed = boost::algorithm::trim_copy(text);
      return trimmed.empty() || trimmed[0] == '#';
    }

    // A field is a number only as a whole ("1.5x" is not 1.5).
    double
    number(const std::string &field, const std::string &where)
    {
      char *end      = nullptr;
      errno          = 0;
      const double x = std::strtod(field.c_str(), &end);
      if (field.empty() || end != field.c_str() + field.size())
        throw InputError(where + ": the field '" + field +
                         "' is not a number. Every field after the header "
                         "must be a number.");
      return x;
    }



    // The header's columns: each name once, the required ones present, no
    // other.
    std::map<std::string, unsigned int>
    read_header(const std::string            &header,
                const std::string            &where,
                const ObservationTableFormat &format)
    {
      std::vector<std::string> required = coordinate_names(format.dim);
      required.insert(required.begin(), "t");
      if (format.with_values)
        required.push_back("value");
      std::vector<std::string> allowed = required;
      if (format.with_values)
        allowed.push_back("sigma");
      std::string expected;
      for (const auto &name : allowed)
        expected += (expected.empty() ? "" : ",") + name;
      if (format.with_values)
        expected += " (sigma optional)";

      std::map<std::string, unsigned int> columns;
      const std::vector<std::string>      names = split_fields(header);
      for (unsigned int c = 0; c < names.size(); ++c)
        {
          if (std::find(allowed.begin(), allowed.end(), names[c]) ==
              allowed.end())
            throw InputError(where + ": the header names a column '" +
                             names[c] + "' that npde does not know. The " +
                             "columns are " + expected + ", in any order.");
          if (!columns.emplace(names[c], c).second)
            throw InputError(where + ": the header names the column '" +
                             names[c] + "' twice.");
        }
      for (const auto &name : required)
        if (columns.count(name) == 0)
          throw InputError(where + ": the header has no column '" + name +
                           "'. The columns are " + expected +
                           ", in any order, on the first line that is not a "
                           "comment.");
      return columns;
    }
  } // namespace



  // Line by line: the header, then one row per line, each field checked as
  // it comes so that the message can name the line.
  ObservationTable
  read_observation_table(const std::string            &file,
                         const ObservationTableFormat &format)
  {
    std::ifstream in(file);
    if (!in)
      throw InputError("Parameter '" + format.parameter + "' names the file '" +
                       file +
                       "', which cannot be opened: check the name (a "
                       "relative path is taken from the directory npde "
                       "runs in).");
    ObservationTable table;
    table.file = file;
    table.dim  = format.dim;

    std::map<std::string, unsigned int> columns;
    std::string                         text;
    unsigned int                        line = 0;
    while (std::getline(in, text))
      {
        ++line;
        if (!text.empty() && text.back() == '\r')
          text.pop_back();
        if (is_comment(text))
          continue;
        const std::string where =
          "file '" + file + "', line " + std::to_string(line);
        if (columns.empty())
          {
            columns = read_header(text, where, format);
            continue;
          }
        const std::vector<std::string> fields = split_fields(text);
        if (fields.size() != columns.size())
          throw InputError(where + ": " + std::to_string(fields.size()) +
                           " fields, but the header names " +
                           std::to_string(columns.size()) +
                           " columns. Give one number per column.");
        const auto field = [&](const std::string &name) {
          const double x = number(fields[columns.at(name)], where);
          if (!std::isfinite(x))
            throw InputError(where + ": " + name + " = " +
                             fields[columns.at(name)] +
                             " is not finite. Remove the line or give a "
                             "finite number.");
          return x;
        };
        const double t = field("t");
        if (t < 0. || t > format.end_time)
          throw InputError(where + ": t = " + fields[columns.at("t")] +
                           " lies outside [0, T] = [0, " +
                           std::to_string(format.end_time) +
                           "] ('Time/End time'). Remove the line or change "
                           "the time interval.");
        table.t.push_back(t);
        for (const auto &name : coordinate_names(format.dim))
          table.x.push_back(field(name));
        if (format.with_values)
          {
            table.value.push_back(field("value"));
            const double sigma = columns.count("sigma") ? field("sigma") : 1.;
            if (!(sigma > 0.))
              throw InputError(where +
                               ": sigma = " + fields[columns.at("sigma")] +
                               " is not positive. sigma is the standard "
                               "deviation of the measurement: give a "
                               "positive number, or leave the column out "
                               "(sigma = 1).");
            table.sigma.push_back(sigma);
          }
        table.line.push_back(line);
      }
    if (columns.empty())
      throw InputError("The file '" + file + "' (parameter '" +
                       format.parameter +
                       "') is empty: it needs a header line naming the "
                       "columns and at least one row.");
    if (table.size() == 0)
      throw InputError("The file '" + file + "' (parameter '" +
                       format.parameter +
                       "') has a header but no rows: give at least one "
                       "measurement.");
    return table;
  }
} // namespace npde
