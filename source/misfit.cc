// ---------------------------------------------------------------------------
// npde: the interface of misfits, and their registry.
// ---------------------------------------------------------------------------
#include <npde/misfit.h>

#include <cmath>

namespace npde
{
  template <int dim>
  Misfit<dim>::Misfit(const MPI_Comm communicator)
    : communicator(communicator)
  {
  }



  template <int dim>
  double
  Misfit<dim>::value(std::vector<VectorType> *r) const
  {
    return Utilities::MPI::sum(local_value(r, {}), communicator);
  }



  template <int dim>
  void
  Misfit<dim>::begin_trial()
  {}



  template <int dim>
  void
  Misfit<dim>::end_trial(const bool)
  {}



  template <int dim>
  bool
  Misfit<dim>::allows_overlap() const
  {
    return true;
  }



  template <int dim>
  const typename Misfit<dim>::VectorType *
  Misfit<dim>::field(const unsigned int) const
  {
    return nullptr;
  }



  template <int dim>
  const Expression *
  Misfit<dim>::true_source() const
  {
    return nullptr;
  }



  template <int dim>
  void
  Misfit<dim>::release()
  {
  }



  template <int dim>
  void
  Misfit<dim>::finish_evaluation()
  {
  }



  // Data that are zero everywhere have no scale: the RMSE itself then (the
  // program warns about it).
  template <int dim>
  double
  Misfit<dim>::relative_rmse(const double value) const
  {
    const double scale = data_scale();
    return std::sqrt(value) / (scale > 0. ? scale : 1.);
  }



  template <int dim>
  std::vector<HistoryColumn>
  Misfit<dim>::history_columns() const
  {
    return {};
  }



  template <int dim>
  std::vector<double>
  Misfit<dim>::history_values() const
  {
    return {};
  }



  template <int dim>
  void
  Misfit<dim>::write_results(const std::string &) const
  {
  }



  template <int dim>
  void
  Misfit<dim>::save(std::ostream &) const
  {
  }



  template <int dim>
  bool
  Misfit<dim>::load(std::istream &)
  {
    return true;
  }



  // The choice and, inside the same subsection, every implementation's own
  // entries (the registry holds each implementation once, under dimension
  // 2; the entries do not depend on the dimension).
  void
  declare_misfit_parameters(ParameterHandler &prm)
  {
    const MisfitRegistry<2> &registry = MisfitRegistry<2>::instance();
    prm.enter_subsection("Target data");
    {
      prm.declare_entry("Source",
                        "reference simulation",
                        registry.selection(),
                        "Where the data h come from, and so which misfit "
                        "compares u with them. " +
                          registry.documentation());
      registry.declare_parameters(prm);
    }
    prm.leave_subsection();
  }



  template <int dim>
  std::unique_ptr<Misfit<dim>>
  create_misfit(ParameterHandler          &prm,
                const ForwardProblem<dim> &problem,
                TimerOutput               &timer,
                ConditionalOStream        &pcout)
  {
    prm.enter_subsection("Target data");
    const std::string name = prm.get("Source");
    prm.leave_subsection();
    return MisfitRegistry<dim>::instance().create(
      name, prm, problem, timer, pcout);
  }



  template class Misfit<1>;
  template class Misfit<2>;
  template class Misfit<3>;
  template std::unique_ptr<Misfit<1>>
  create_misfit(ParameterHandler &,
                const ForwardProblem<1> &,
                TimerOutput &,
                ConditionalOStream &);
  template std::unique_ptr<Misfit<2>>
  create_misfit(ParameterHandler &,
                const ForwardProblem<2> &,
                TimerOutput &,
                ConditionalOStream &);
  template std::unique_ptr<Misfit<3>>
  create_misfit(ParameterHandler &,
                const ForwardProblem<3> &,
                TimerOutput &,
                ConditionalOStream &);
} // namespace npde
