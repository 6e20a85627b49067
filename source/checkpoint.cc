// ---------------------------------------------------------------------------
// npde: the checkpoint file.
// ---------------------------------------------------------------------------
#include <deal.II/base/utilities.h>

#include <npde/checkpoint.h>
#include <npde/expression.h>

#include <boost/lexical_cast.hpp>

#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>

namespace npde
{
  std::string
  checkpoint_text(const Fingerprint       &fingerprint,
                  const unsigned int       iteration,
                  const Vector<double>    &theta,
                  const Optimizer         &optimizer,
                  const ReducedFunctional &functional,
                  const TrainingHistory   &history)
  {
    std::ostringstream out;
    out << std::setprecision(17) << "npde-checkpoint 3\nbelongs-to "
        << fingerprint.size() << '\n';
    for (const auto &field : fingerprint)
      out << field.first << ' ' << field.second << '\n';
    out << "iteration " << iteration << "\ntheta " << theta.size();
    for (const double x : theta)
      out << ' ' << x;
    out << '\n';
    optimizer.save(out);
    functional.save(out);
    out << "history " << history.records().size() << '\n';
    history.write_rows(out, ' ');
    return out.str();
  }



  // Field by field: the version, what the checkpoint belongs to, θ, the
  // optimiser's state and the history. A damaged count cannot make it
  // allocate more than the file holds (the history is read record by
  // record), and every field must be a number as a whole.
  void
  read_checkpoint_file(const std::string  &file,
                       const Fingerprint  &fingerprint,
                       ConditionalOStream &pcout,
                       unsigned int       &iteration,
                       Vector<double>     &theta,
                       Optimizer          &optimizer,
                       ReducedFunctional  &functional,
                       TrainingHistory    &history)
  {
    std::ifstream in(file);
    std::string   word;
    unsigned int  version = 0, n = 0;
    const auto    damaged = [&]() {
      return InputError("The checkpoint '" + file +
                        "' is damaged (it ends early or holds something "
                           "that is not a number). Remove it, or set "
                           "'Trainer/Resume = false', to start afresh.");
    };
    in >> word >> version;
    if (!in)
      throw damaged();
    if (version != 2 && version != 3)
      throw InputError("The checkpoint '" + file + "' has format version " +
                       std::to_string(version) +
                       ", this npde reads 2 and 3. "
                       "Remove it or set 'Trainer/Resume = false'.");
    // What the checkpoint belongs to, field by field against this run.
    // Version 2 (earlier npde) records nothing of it: it is still resumed,
    // with only the number of parameters checked, as before.
    const bool   recorded = (version == 3);
    unsigned int n_fields = 0;
    if (recorded)
      in >> word >> n_fields;
    else
      pcout << "   Warning: the checkpoint '" << file
            << "' was written by an earlier npde (format 2) and does not "
               "record which run it belongs to: make sure the parameters "
               "are those it was written with."
            << std::endl;
    if (!in || (recorded && word != "belongs-to") || n_fields > 100)
      throw damaged();
    std::map<std::string, std::string> theirs;
    for (unsigned int i = 0; i < n_fields; ++i)
      {
        std::string key, value;
        if (!(in >> key >> value))
          throw damaged();
        theirs[key] = value;
      }
    // (Compared once the whole file has been read, so that a damaged file
    // is reported as damaged; or as soon as θ's size shows it is another
    // network.)
    const auto check_belongs_here = [&]() {
      if (!recorded)
        return;
      for (const auto &[key, value] : fingerprint)
        {
          const auto it = theirs.find(key);
          if (it != theirs.end() && it->second == value)
            continue;
          // A subsection is recorded as a hash of its values, which says
          // nothing to a user: name the subsection instead.
          const std::string difference =
            value.rfind("hash:", 0) == 0 ?
              "the parameters of the subsection '" +
                Utilities::replace_in_string(key, "_", " ") +
                "' differ from those it was written with" :
              "its " + key + " is " +
                (it == theirs.end() ? "not recorded" : it->second) +
                ", this run's is " + value;
          throw InputError(
            "The checkpoint '" + file +
            "' belongs to another run: " + difference +
            ". Resume only with the parameters the checkpoint was written "
            "with (the number of iterations may change), or remove it, or "
            "set 'Trainer/Resume = false', to start afresh.");
        }
    };
    in >> word >> iteration >> word >> n;
    if (!in)
      throw damaged();
    if (n != theta.size())
      check_belongs_here();
    if (n != theta.size())
      throw InputError("The checkpoint '" + file +
                       "' does not fit this network (" + std::to_string(n) +
                       " parameters instead of " +
                       std::to_string(theta.size()) +
                       "). Remove it or set 'Trainer/Resume = false'.");
    for (double &x : theta)
      in >> x;
    if (!in || !optimizer.load(in, theta.size()) || !functional.load(in))
      throw damaged();

    // The history, record by record (a damaged count cannot make it
    // allocate more than the file holds). Each field must be a number as a
    // whole: Boost's lexical_cast checks that, and reads back the "nan" that
    // operator<< writes for NaN, which operator>> does not.
    const auto number = [&](const std::string &s) {
      try
        {
          return boost::lexical_cast<double>(s);
        }
      catch (const boost::bad_lexical_cast &)
        {
          throw damaged();
        }
    };
    const auto count = [&](const std::string &s) {
      const double value = number(s);
      if (!(value >= 0 && value == std::floor(value) && value < 4294967296.))
        throw damaged();
      return value;
    };
    unsigned int n_records = 0;
    in >> word >> n_records;
    if (!in || word != "history")
      throw damaged();
    history.records().clear();
    for (unsigned int i = 0; i < n_records; ++i)
      {
        TrainingHistory::Record r;
        if (!history.read_row(in, number, count, r))
          throw damaged();
        history.records().push_back(r);
      }
    check_belongs_here();
  }
} // namespace npde
