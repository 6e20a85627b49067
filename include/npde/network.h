// ---------------------------------------------------------------------------
// npde: the mean-field neural network g_θ.
//
//   g_θ(t, x) = N^{−β} Σ_{i=1..N} c_i σ(w^t_i t + w_i·x + η_i),
//   θ = (c_i, w^t_i, w_i, η_i)_{i=1..N},  β ∈ [1/2, 1],
//   σ an Activation (activation.h): tanh, sigmoid, softplus, relu, ...
//
// The parameters live in one flat vector of N(d+3) entries, in named blocks:
// first all c_i, then all w^t_i, then all w_i (neuron by neuron, d entries
// each), then all η_i. Optionally the inputs are first mapped affinely onto
// [−1, 1] (t from [t_0, t_1], each x_k from [lo_k, hi_k]); on a domain like
// (0,1000)², raw inputs with N(0,1) weights would saturate every neuron.
//
// The network knows nothing of meshes. It evaluates itself, and the gradient
// of a weighted sum of its values, on a tensor product "time levels × points",
// which is exactly what the state solver (G^n = B g^n) and the adjoint
// (∂J/∂θ = Σ_n Σ_q w^n_q ∂_θ g_θ(t_n, x_q)) need. That structure makes the
// kernel fast: with a_iq = w_i·x_q + η_i and b_in = w^t_i t_n,
//   tanh(a + b) = 1 − 2/(1 + e^{2a} e^{2b}),
// so e^{2a} is computed once per (neuron, point) and e^{2b} once per
// (neuron, level), and the inner loop over points has no transcendental
// function at all (doc/design.md section 8). The sigmoid has the same form.
//
// Where the code lives: network.cc holds the parameters, creation, checks
// and files; network_kernels.cc the passes and every other computation
// with θ or the inputs; network_initialization.cc the random draw; each
// activation's file its instantiation of the kernels (network_kernels.h).
// ---------------------------------------------------------------------------
#ifndef npde_network_h
#define npde_network_h

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>

#include <deal.II/lac/vector.h>

#include <npde/activation.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace npde
{
  using namespace dealii;

  /// The parameters of subsection `Network`.
  struct NetworkParameters
  {
    unsigned int n_neurons    = 100;
    double       beta         = 1.;
    std::string  activation   = "tanh";
    bool         map_inputs   = false;
    double       weight_std   = 1.;
    double       output_range = 1.;
    unsigned int seed         = 1;
    std::string  initial_file;
    bool         add_to_source = false;

    /// Declare and parse the entries in @p subsection of the current one
    /// (`Network`; HYCO's synthetic model uses `HYCO/Synthetic network`).
    static void
    declare_parameters(ParameterHandler  &prm,
                       const std::string &subsection = "Network");
    void
    parse_parameters(ParameterHandler  &prm,
                     const std::string &subsection = "Network");
  };

  class Network
  {
  public:
    /// The blocks of the parameter vector, in their order.
    enum class Block
    {
      c,
      w_t,
      w,
      eta
    };

    /// A network with θ = 0; @p activation is a registered name.
    Network(const unsigned int dimension,
            const unsigned int n_neurons,
            const double       beta,
            const std::string &activation);

    /**
     * A network as the parameters say: loaded from `Initial network file` if
     * that is given, otherwise initialised randomly from the seed.
     */
    static Network
    create(const unsigned int       dimension,
           const NetworkParameters &parameters,
           const MPI_Comm           comm = MPI_COMM_SELF);

    /**
     * Check, before anything is allocated, that a network of @p n_neurons
     * neurons in dimension @p dimension can be held: N(d+3) parameters must
     * fit an unsigned int, and the few parameter-sized vectors that training
     * keeps must fit into the memory. Throws an InputError that names
     * @p where (the parameter or the file the size came from). Collective
     * on @p comm, whose ranks must all check the same network (create() and
     * load() pass theirs on).
     */
    static void
    check_size(const unsigned int dimension,
               const double       n_neurons,
               const std::string &where,
               const MPI_Comm     comm = MPI_COMM_SELF);

    /**
     * Draw θ reproducibly from @p seed: neuron by neuron, c_i ~ U(−a, a),
     * then w^t_i, w_i (d entries), η_i ~ N(0, s²), with Boost.Random's
     * mt19937 and distributions (portable across platforms). Neuron by
     * neuron means that the first N neurons of a larger network with the same
     * seed are those of the network with N neurons.
     */
    void
    initialize_randomly(const double       weight_std,
                        const double       output_range,
                        const unsigned int seed);

    /**
     * Map the inputs affinely onto [−1, 1]: t ∈ [t_0, t_1] and x_k ∈
     * [lower_k, upper_k]. Without a call, the inputs are used as they are.
     */
    void
    set_input_map(const double               t_0,
                  const double               t_1,
                  const std::vector<double> &lower,
                  const std::vector<double> &upper);

    unsigned int
    dimension() const;
    unsigned int
    n_neurons() const;
    unsigned int
    n_parameters() const;
    double
    beta() const;
    const Activation &
    activation() const;
    bool
    maps_inputs() const;

    /// The offset of @p block in the parameter vector, and its size.
    unsigned int
    block_offset(const Block block) const;
    unsigned int
    block_size(const Block block) const;

    /// θ. Training sets it only through the reduced functional
    /// (NetworkSource::set_parameters()).
    void
    set_parameters(const Vector<double> &parameters);
    const Vector<double> &
    parameters() const;

    /// g_θ(t, x) by the plain formula with std::tanh etc.
    double
    value(const double t, const double *x) const;

    /// ∂g_θ(t, x)/∂θ by the plain formula, added to @p gradient.
    void
    add_gradient(const double    t,
                 const double   *x,
                 Vector<double> &gradient) const;

    /**
     * The first layer of each neuron on each block of points, as a forward
     * pass computes it (e^{κa_iq} in the product form, a_iq otherwise): a
     * backward pass with the same θ, times and points can take it from
     * here instead of computing it again.
     */
    struct FirstLayers
    {
      std::vector<double>        values;
      std::vector<unsigned char> product_form;
    };

    /**
     * The batched forward pass: @p values[n][q] = g_θ(@p times[n], x_q) for
     * the points @p points (Q·d coordinates, point by point). With @p keep,
     * the first layers are kept there, 8 bytes per point and neuron.
     */
    void
    evaluate(const std::vector<double>   &times,
             const std::vector<double>   &points,
             std::vector<Vector<double>> &values,
             FirstLayers                 *keep = nullptr) const;

    /**
     * The batched backward pass: adds
     *   ∂/∂θ Σ_n Σ_q @p weights[n][q] g_θ(@p times[n], x_q)
     * to @p gradient. Deterministic: the same result for any number of
     * threads.
     */
    void
    add_weighted_gradient(const std::vector<double>         &times,
                          const std::vector<double>         &points,
                          const std::vector<Vector<double>> &weights,
                          Vector<double>                    &gradient) const;

    /**
     * The batched backward pass of add_weighted_gradient() in pieces, for a
     * caller whose weights become final level by level, from the last level
     * down, as the adjoint sweep makes them: advance() works on the levels
     * that are final while the sweep goes on (on another thread), add_to()
     * does what is left, on all threads, and adds the gradient. The result
     * is bitwise the same however much advance() did beforehand.
     *
     * The object keeps references to @p weights and @p kept, and reads
     * @p weights[n] only once level n is final; the network's parameters
     * must not change while it lives. @p kept, if given, are the first
     * layers of a forward pass with the same θ, times and points.
     */
    class BackwardPass
    {
    public:
      BackwardPass(const Network                     &network,
                   const std::vector<double>         &times,
                   const std::vector<double>         &points,
                   const std::vector<Vector<double>> &weights,
                   const FirstLayers                 *kept = nullptr);
      ~BackwardPass();

      /**
       * Work, on this thread, on the levels n ≥ @p first_final (their
       * weights are final), until there is nothing more to do there or
       * @p stop returns true; it is asked between pieces of a few
       * microseconds.
       */
      void
      advance(const unsigned int           first_final,
              const std::function<bool()> &stop);

      /// Finish the pass on all threads and add the gradient to @p gradient
      /// (once: a second call would add it again).
      void
      add_to(Vector<double> &gradient);

    private:
      struct Work;
      std::unique_ptr<Work> work;
    };

    /**
     * Save the architecture, the input map and θ in npde's documented text
     * format (doc/network-format.md), written to a temporary file and
     * renamed. Every number is written with 17 significant digits, so that
     * load() gives back the same doubles bitwise.
     */
    void
    save(const std::string &file_name) const;

    static Network
    load(const std::string &file_name, const MPI_Comm comm = MPI_COMM_SELF);

    /// The inputs after the input map: t̂_n, and x̂ (Q·d coordinates).
    void
    map_inputs(const std::vector<double> &times,
               const std::vector<double> &points,
               std::vector<double>       &mapped_times,
               std::vector<double>       &mapped_points) const;

    /// Whether the inner loops use the product form (tanh, sigmoid).
    bool
    uses_product_form() const;

  private:
    unsigned int dim;
    unsigned int N;
    double       beta_;
    // (Shared between copies: an activation has no state.)
    std::shared_ptr<const Activation> sigma;
    Vector<double>                    theta;
    bool                              input_map = false;
    double                            t_shift = 0., t_scale = 1.;
    std::vector<double>               x_shift, x_scale;

    // t and x after the input map.
    double
    mapped_time(const double t) const;
  };
} // namespace npde

#endif
