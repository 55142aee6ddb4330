/*
 * rtrl.h — the C interface of librtrl, Real-Time Recurrent Learning
 * (Williams & Zipser, 1989) as a library.
 *
 * A network is a set of layers evaluated once per time step t from the input x(t);
 * every step it produces a prediction y(t) and can learn from a target y*(t) at once,
 * with the exact online gradient (no unrolling, no stored history). See
 * shared/CONTRACT.md (section 1) for the model and its formulas.
 *
 *     #include <rtrl.h>
 *
 *     rtrl_net *net = NULL;
 *     if (rtrl_net_create_elman(1, 16, 1, NULL, &net) != RTRL_OK) {
 *         fprintf(stderr, "rtrl: %s\n", rtrl_last_error());
 *         return 1;
 *     }
 *     for (t = 0; t < T; t++) {
 *         double y, loss;
 *         rtrl_net_step(net, &x[t], 1, &target[t], 1, &y, &loss);  // predict, then learn
 *     }
 *     rtrl_net_free(net);
 *
 * Build:   cc prog.c $(pkg-config --cflags --libs rtrl)
 *
 * ------------------------------------------------------------------------------------
 * CONVENTIONS (they hold for every function below unless its comment says otherwise)
 *
 * Status codes. Every function that can fail returns an rtrl_status: RTRL_OK (0) on
 *   success, a negative RTRL_ERR_* value on failure. On failure a message describing
 *   the problem (e.g. "feed: x has 3 values, the network has 2 inputs") is available
 *   from rtrl_last_error() on the same thread.
 *
 * A failed call changes nothing. A call that returns an error leaves the network (or
 *   builder) exactly as it was — weights, state, gradient buffer, optimizer state,
 *   counters. The one documented exception is RTRL_ERR_DIVERGED (see rtrl_net_learn).
 *   Out-parameters of a failed call are not written, except where stated
 *   (handles: *out = NULL; losses: *loss = NaN; sizes: the needed size).
 *
 * Handles. rtrl_net, rtrl_builder and rtrl_stream are opaque; create them with the
 *   rtrl_*_create* functions and release them with the matching rtrl_*_free, which
 *   accept NULL (a no-op). A NULL handle passed to any other function is an error
 *   (RTRL_ERR_INVALID_ARGUMENT), never a crash; a dangling or foreign pointer cannot
 *   be detected and is undefined behaviour, as with free().
 *
 * Arrays. Every array is a caller-owned buffer of doubles with an explicit length; the
 *   library reads or writes exactly that many values and never keeps the pointer after
 *   the call returns. A NULL array is accepted only where its length is 0 (or where the
 *   comment says NULL means "none"). A wrong length is RTRL_ERR_INVALID_ARGUMENT.
 *   Values are float64 whatever the network's precision (an F32 network converts).
 *
 * Strings. Names passed in are NUL-terminated UTF-8. Strings handed out (names of
 *   layers, blocks, ...) are owned by the library: those from rtrl_net_* stay valid
 *   until rtrl_net_free of that network; those from rtrl_version, rtrl_status_string
 *   for the whole life of the process; rtrl_last_error's until the next failing call
 *   on the same thread. Never free them.
 *
 * Sizes. size_t arguments larger than the library can represent are rejected with
 *   RTRL_ERR_INVALID_ARGUMENT, never truncated.
 *
 * Enums. An enum argument (or struct field) with a value not listed in this header is
 *   RTRL_ERR_INVALID_ARGUMENT.
 *
 * Booleans. int flags are false when 0 and true otherwise, unless documented as a
 *   tri-state.
 *
 * Threads. The library has no global mutable state apart from the per-thread last
 *   error. A handle may be used by one thread at a time (calls on the same handle
 *   from several threads need the caller's lock); different handles may be used from
 *   different threads concurrently. Functions taking a const handle only read it and
 *   may run concurrently with each other on the same handle, but not with a call that
 *   modifies it.
 *
 * Extensible parameter structs. rtrl_net_params and rtrl_train_params begin with
 *   size_t struct_size. Fill a struct with rtrl_net_default_params(&p, sizeof p) (or
 *   rtrl_train_default_params), which sets struct_size = sizeof p and every field to
 *   its default, then change the fields you care about. The library reads (and, for
 *   rtrl_net_get_config, writes) only the first struct_size bytes and uses its defaults
 *   for fields beyond them. New fields are only ever appended, so a program compiled
 *   against an older rtrl.h keeps working with a newer librtrl. struct_size must be the
 *   size of one of the struct's versions (LP64: rtrl_net_params 40; rtrl_train_params 80
 *   for version 1, 136 for version 2); any other value is RTRL_ERR_INVALID_ARGUMENT.
 *
 * ABI. Symbols start with rtrl_, types with rtrl_, macros with RTRL_. The shared
 *   library's SONAME is librtrl.so.0; RTRL_ABI_VERSION changes whenever a change breaks
 *   binary compatibility (bindings loading the library at run time compare it with
 *   rtrl_abi_version()).
 * ------------------------------------------------------------------------------------
 */
#ifndef RTRL_H
#define RTRL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================ version */

#define RTRL_VERSION_MAJOR 0
#define RTRL_VERSION_MINOR 1
#define RTRL_VERSION_PATCH 0
/** "MAJOR.MINOR.PATCH" of this header. */
#define RTRL_VERSION_STRING "0.1.0"
/** A single number, MAJOR * 10000 + MINOR * 100 + PATCH, for #if comparisons. */
#define RTRL_VERSION_NUMBER \
    (RTRL_VERSION_MAJOR * 10000 + RTRL_VERSION_MINOR * 100 + RTRL_VERSION_PATCH)
/** The binary interface version of this header; see rtrl_abi_version(). */
#define RTRL_ABI_VERSION 1

/* ================================================================ types */

/** A network: architecture, weights, state, sensitivities, gradient buffer, optimizer. */
typedef struct rtrl_net rtrl_net;
/** A network description being put together layer by layer; see rtrl_builder_create. */
typedef struct rtrl_builder rtrl_builder;
/** A stream learner (the ZeroMQ adapter); its functions come in a later version. */
typedef struct rtrl_stream rtrl_stream;

/** The result of every call that can fail. */
typedef enum rtrl_status {
    /** Success. */
    RTRL_OK = 0,
    /** A bad argument: a NULL handle or buffer, a wrong length, a non-finite value where
     *  a finite one is needed, an unknown name or enum value, an invalid size or
     *  struct_size, a delay-0 cycle, an identity connection asked to be trainable. */
    RTRL_ERR_INVALID_ARGUMENT = -1,
    /** The network would need more memory than the library allows (or than there is). */
    RTRL_ERR_OUT_OF_MEMORY = -2,
    /** A file could not be read or written (the message carries the system's reason). */
    RTRL_ERR_IO = -3,
    /** Saved bytes are truncated, damaged or not an rtrl network. */
    RTRL_ERR_CORRUPT = -4,
    /** Saved bytes come from a newer format version than this library reads. */
    RTRL_ERR_VERSION = -5,
    /** The caller's buffer is too small; the needed size was reported. */
    RTRL_ERR_BUFFER_TOO_SMALL = -6,
    /** The divergence guard refused an update (see rtrl_net_learn). */
    RTRL_ERR_DIVERGED = -7,
    /** A stream (ZeroMQ) failure; used by the stream functions. */
    RTRL_ERR_STREAM = -8,
    /** A bug in the library; please report it with rtrl_last_error()'s message. */
    RTRL_ERR_INTERNAL = -9
} rtrl_status;

/** The activation function phi of a layer: a(t) = phi(z(t)). */
typedef enum rtrl_activation {
    RTRL_ACTIVATION_IDENTITY = 0, /**< phi(z) = z */
    RTRL_ACTIVATION_LOGISTIC = 1, /**< phi(z) = 1 / (1 + exp(-z)) */
    RTRL_ACTIVATION_TANH = 2,     /**< phi(z) = tanh(z) */
    RTRL_ACTIVATION_RELU = 3,     /**< phi(z) = max(0, z), phi'(0) = 0 */
    RTRL_ACTIVATION_SOFTMAX = 4   /**< phi(z)_i = exp(z_i) / sum_j exp(z_j), over the layer */
} rtrl_activation;

/** How a connection maps its source layer onto its target layer. */
typedef enum rtrl_connection_kind {
    /** A full matrix W (n_to x n_from, row-major): z_to += W a_from. */
    RTRL_CONNECTION_DENSE = 0,
    /** An element-wise vector w (n_to == n_from): z_to += w * a_from. */
    RTRL_CONNECTION_DIAGONAL = 1,
    /** A fixed copy times a constant (n_to == n_from): z_to += scale * a_from. */
    RTRL_CONNECTION_IDENTITY = 2
} rtrl_connection_kind;

/** The rule that turns the gradient buffer g into a parameter update. */
typedef enum rtrl_optimizer {
    RTRL_OPTIMIZER_SGD = 0,      /**< theta -= eta g */
    RTRL_OPTIMIZER_MOMENTUM = 1, /**< v = mu v + g; theta -= eta v */
    RTRL_OPTIMIZER_ADAM = 2,     /**< Kingma & Ba, bias-corrected */
    /** The extended Kalman filter over all trainable parameters with the exact RTRL
     *  Jacobian H(t) = dy(t)/dtheta: A = H P H^T + r I, K = P H^T A^-1, theta += K e,
     *  P = P - K H P + q I (symmetrised each step). Updates inside rtrl_net_learn (no
     *  gradient buffer; update_every must be 1, loss MSE). Memory O(N^2), bounded by
     *  rtrl_train_params.max_covariance_entries. */
    RTRL_OPTIMIZER_EKF = 3,
    /** The decoupled EKF: one covariance block per unit's incoming weights (Puskorius &
     *  Feldkamp 1994); same rules as RTRL_OPTIMIZER_EKF, memory O(sum of block sizes^2). */
    RTRL_OPTIMIZER_DEKF = 4
} rtrl_optimizer;

/** How the sensitivities d a(t) / d theta are kept (rtrl_train_params.sensitivity). */
typedef enum rtrl_sensitivity {
    /** Exact RTRL (the default): the sensitivity matrices, O(n^4) time per step for n
     *  fully connected units. When every recurrence of the graph is element-wise
     *  (diagonal), exact RTRL keeps one sensitivity per parameter at O(N) per step. */
    RTRL_SENSITIVITY_EXACT = 0,
    /** SnAp-1 (Menick et al. 2021): for each parameter only the sensitivity of the unit it
     *  writes to. O(N) memory, O(forward pass + N) time per step. It keeps no path from a
     *  unit back to the loss through the recurrence, so only units with an error in the
     *  same step learn: in a fully recurrent network, the output units' incoming weights
     *  and biases; give it a layer that reads every recurrent unit (Elman) for the rest. */
    RTRL_SENSITIVITY_SNAP1 = 1,
    /** UORO (Tallec & Ollivier 2018): an unbiased rank-one estimate with random signs from
     *  the network's seeded generator (saved with it). O(n + N) memory and time. */
    RTRL_SENSITIVITY_UORO = 2
} rtrl_sensitivity;

/** How the output layer's trainable blocks learn. */
typedef enum rtrl_readout {
    /** Like every other parameter, by the optimizer (the default). */
    RTRL_READOUT_GRADIENT = 0,
    /** By recursive least squares with forgetting factor rls_lambda (the echo-state
     *  recipe), while the rest of the network learns by the first-order optimizer on the
     *  exact RTRL gradient. Needs an identity output layer fed by dense blocks and a bias. */
    RTRL_READOUT_RLS = 1
} rtrl_readout;

/** The loss E(t) over the output units that have a target at step t. */
typedef enum rtrl_loss {
    /** E(t) = sum_k (y*_k - y_k)^2 (no 1/2, no mean). */
    RTRL_LOSS_MSE = 0,
    /** E(t) = -sum_k y*_k log y_k; needs a softmax output layer. */
    RTRL_LOSS_CROSS_ENTROPY = 1
} rtrl_loss;

/** The floating-point type a network computes in (chosen at creation). */
typedef enum rtrl_precision {
    RTRL_PRECISION_F64 = 0,
    RTRL_PRECISION_F32 = 1
} rtrl_precision;

/**
 * How to create a network. Fill with rtrl_net_default_params() first.
 * Every field is read by the preset constructors; rtrl_builder_build reads only seed
 * and precision (a builder's layers carry their own activations).
 */
typedef struct rtrl_net_params {
    /** sizeof(rtrl_net_params) as the caller compiled it; set by rtrl_net_default_params. */
    size_t struct_size;
    /** Seed of the generator that draws the initial dense weights (SplitMix64): the same
     *  seed gives the same weights on every machine. Default 0. */
    uint64_t seed;
    /** Default RTRL_PRECISION_F64. */
    rtrl_precision precision;
    /** The hidden layer's activation; for fully_recurrent, the units' activation.
     *  Default RTRL_ACTIVATION_TANH. */
    rtrl_activation hidden_activation;
    /** The output layer's activation (elman, jordan; ignored by fully_recurrent).
     *  Default RTRL_ACTIVATION_IDENTITY. */
    rtrl_activation output_activation;
    /** jordan: the decay of the state layer, s(t) = mu s(t-1) + y(t-1); finite.
     *  Default 0.5. */
    double mu;
} rtrl_net_params;

/**
 * How a network learns. Fill with rtrl_train_default_params() first.
 * Later versions append fields (threads, sensitivity mode, ...); see the struct rule at
 * the top of this file.
 */
typedef struct rtrl_train_params {
    /** sizeof(rtrl_train_params) as the caller compiled it; set by rtrl_train_default_params. */
    size_t struct_size;
    /** Default RTRL_OPTIMIZER_SGD. */
    rtrl_optimizer optimizer;
    /** eta, finite and >= 0. Default 0.01. */
    double learning_rate;
    /** mu of the momentum optimizer, in [0, 1). Default 0.9. */
    double momentum;
    /** Adam's beta1, in [0, 1). Default 0.9. */
    double beta1;
    /** Adam's beta2, in [0, 1). Default 0.999. */
    double beta2;
    /** Adam's epsilon, finite and > 0. Default 1e-8. */
    double eps;
    /** Gradient-norm clipping: if ||g||_2 > clip_norm then g <- g clip_norm / ||g||_2.
     *  0 switches it off (the default); otherwise finite and > 0. */
    double clip_norm;
    /** Default RTRL_LOSS_MSE. RTRL_LOSS_CROSS_ENTROPY needs a softmax output layer. */
    rtrl_loss loss;
    /** Teacher forcing: after the loss at step t, each output unit with a target has its
     *  activation replaced by the target (and its sensitivities zeroed) before step t+1.
     *  rtrl_net_output still returns the prediction. Default 0 (off). */
    int teacher_forcing;
    /** rtrl_net_learn applies the optimizer on every update_every-th call; >= 1.
     *  Default 1. */
    uint32_t update_every;
    /** The divergence guard: refuse (and count) an update that would make the loss, a
     *  parameter or the optimizer state non-finite. Default 1 (on). */
    int divergence_guard;

    /* Fields appended in version 2 of the struct (second-order learning). A caller
     * compiled against version 1 gets their defaults. */

    /** EKF/DEKF measurement noise r (R = r I), finite and > 0. Default 1. */
    double ekf_r;
    /** EKF/DEKF process noise q (Q = q I), finite and >= 0. Default 1e-6. */
    double ekf_q;
    /** EKF, DEKF and the RLS readout start their covariance at I / p0; finite and > 0.
     *  Default 0.01 (P(0) = 100 I). */
    double p0;
    /** Default RTRL_READOUT_GRADIENT. RTRL_READOUT_RLS goes with SGD, momentum or Adam. */
    rtrl_readout readout;
    /** The RLS readout's forgetting factor lambda, in (0, 1]. Default 0.999. */
    double rls_lambda;
    /** The most covariance entries EKF, DEKF or the RLS readout may hold; configuring
     *  more fails with RTRL_ERR_OUT_OF_MEMORY. Default 2^26 (512 MiB in F64). */
    uint64_t max_covariance_entries;
    /** How the sensitivities are kept. Default RTRL_SENSITIVITY_EXACT. Changing it starts
     *  the new kind of sensitivities at 0. */
    rtrl_sensitivity sensitivity;
} rtrl_train_params;

/* ================================================================ library */

/**
 * The library's version, "MAJOR.MINOR.PATCH" (equal to RTRL_VERSION_STRING of the
 * header it was built with). Never NULL; static storage.
 */
const char *rtrl_version(void);

/**
 * The library's binary interface version (RTRL_ABI_VERSION of the header it was built
 * with). A program or binding that loads librtrl at run time should refuse a library
 * whose value differs from the one it was written for.
 */
int rtrl_abi_version(void);

/**
 * A fixed English name of a status code, e.g. "RTRL_ERR_CORRUPT: corrupt data".
 * An unknown value gives "unknown rtrl_status". Never NULL; static storage.
 */
const char *rtrl_status_string(rtrl_status status);

/**
 * The message of the last failed call made on the calling thread, e.g.
 * "learn: target[1] is infinite (inf); use NaN for \"no target\"". Never NULL; "" if no
 * call has failed on this thread yet.
 *
 * Successful calls leave it unchanged, so read it right after the call that failed.
 * The pointer stays valid until the next failing call on the same thread (or the
 * thread's exit); copy the text to keep it. Each thread has its own message.
 */
const char *rtrl_last_error(void);

/**
 * Sets the number of threads the large products of the sensitivity update may use:
 * OpenBLAS's thread count for the products that go to it, and the count over which the
 * engine's own kernel splits its products of at least 2^20 multiply-adds (fully
 * recurrent layers from 32 units; its worker threads start on first use, with every
 * signal blocked, spin for 0.2 ms after each product and then sleep; the library is
 * linked with -z nodelete, so dlclose never unmaps code they run). Smaller products run
 * on the calling thread. Set 1 when your own threads already keep every core busy. Process-wide. 0 restores the default: the number of cores, or the
 * RTRL_NUM_THREADS environment variable when it is set. 1 also guarantees that no step
 * allocates (OpenBLAS allocates a small job array per multi-threaded call).
 *
 * @return RTRL_OK; RTRL_ERR_INVALID_ARGUMENT for a count outside 0..1024.
 * Thread rule: call it while no network is stepping on another thread.
 */
rtrl_status rtrl_set_num_threads(int threads);

/** The number of threads the large products use now (see rtrl_set_num_threads). */
int rtrl_num_threads(void);

/* ================================================================ parameter structs */

/**
 * Fills *params with the defaults and sets params->struct_size = struct_size.
 *
 * @param params       the struct to fill (not NULL).
 * @param struct_size  sizeof(rtrl_net_params) as the caller sees it: pass sizeof *params.
 *                     Only that many bytes are written.
 * @return RTRL_OK; RTRL_ERR_INVALID_ARGUMENT for NULL or a struct_size this library does
 *         not accept (see "Extensible parameter structs" above).
 */
rtrl_status rtrl_net_default_params(rtrl_net_params *params, size_t struct_size);

/**
 * Fills *params with the default training configuration (plain SGD, learning rate 0.01,
 * MSE, update every step, divergence guard on; see the fields) and sets
 * params->struct_size = struct_size. Same rules as rtrl_net_default_params.
 */
rtrl_status rtrl_train_default_params(rtrl_train_params *params, size_t struct_size);

/* ================================================================ creating networks */

/*
 * The three presets. Each creates a network with the CONTRACT's layer and block names,
 * initialised from params->seed (NULL params = all defaults), and stores it in *out.
 * On failure *out is set to NULL (when out is not NULL). The caller owns the network
 * and releases it with rtrl_net_free.
 *
 * Errors: RTRL_ERR_INVALID_ARGUMENT (NULL out, a zero or too large size, n_outputs out of
 * range, a bad params field); RTRL_ERR_OUT_OF_MEMORY (the network would exceed the
 * library's size limit of 2^31 stored values).
 */

/**
 * The Williams–Zipser fully recurrent network: one layer "units" (with bias) that sees
 * x(t) and its own activations of the previous step; y(t) is units 0..n_outputs-1.
 * Trainable blocks in flat order: "input->units", "units->units" (delay 1), "units.bias".
 *
 * @param n_inputs   m, the length of x(t) (0 allowed: a network driven by its bias).
 * @param n_units    n >= 1.
 * @param n_outputs  1 <= n_outputs <= n_units.
 * @param params     NULL for defaults; reads seed, precision, hidden_activation (the units').
 * @param out        receives the new network.
 */
rtrl_status rtrl_net_create_fully_recurrent(size_t n_inputs, size_t n_units, size_t n_outputs,
                                            const rtrl_net_params *params, rtrl_net **out);

/**
 * Elman's simple recurrent network: "hidden" (bias) sees x(t) and its own previous
 * activations; "output" (bias) reads "hidden". Trainable blocks in flat order:
 * "input->hidden", "hidden->hidden" (delay 1), "hidden.bias", "hidden->output",
 * "output.bias".
 *
 * @param params  NULL for defaults; reads seed, precision, hidden_activation,
 *                output_activation.
 */
rtrl_status rtrl_net_create_elman(size_t n_inputs, size_t n_hidden, size_t n_outputs,
                                  const rtrl_net_params *params, rtrl_net **out);

/**
 * Jordan's network: a "state" layer (identity, no bias) keeps s(t) = mu s(t-1) + y(t-1)
 * through two fixed delay-1 connections ("state->state", diagonal mu, and
 * "output->state", identity 1.0); "hidden" (bias) sees x(t) and s(t); "output" (bias)
 * reads "hidden". Trainable blocks in flat order: "input->hidden", "state->hidden",
 * "hidden.bias", "hidden->output", "output.bias".
 *
 * @param params  NULL for defaults; reads seed, precision, hidden_activation,
 *                output_activation and mu.
 */
rtrl_status rtrl_net_create_jordan(size_t n_inputs, size_t n_hidden, size_t n_outputs,
                                   const rtrl_net_params *params, rtrl_net **out);

/**
 * Releases a network and everything it owns (including every name string it handed
 * out). NULL is a no-op. The handle must not be used afterwards.
 */
void rtrl_net_free(rtrl_net *net);

/**
 * Creates an independent deep copy of a network — weights, state, sensitivities,
 * gradient buffer, optimizer state, configuration, counters — that continues exactly as
 * the original would. On failure *out = NULL.
 */
rtrl_status rtrl_net_clone(const rtrl_net *net, rtrl_net **out);

/* ================================================================ the builder */

/**
 * Starts describing a network with n_inputs values of x(t) per step (0 allowed). The
 * input is the pseudo-layer named "input". Release with rtrl_builder_free (also after
 * rtrl_builder_build, which does not consume the builder). On failure *out = NULL.
 *
 * Every builder call validates its arguments at once; a failing call leaves the builder
 * unchanged. Delay-0 cycles are detected by rtrl_builder_build.
 */
rtrl_status rtrl_builder_create(size_t n_inputs, rtrl_builder **out);

/**
 * Adds a layer, evaluated once per step: a(t) = act(z(t)).
 *
 * @param name  unique, 1 to 128 bytes of UTF-8, not "input", without whitespace, control
 *              characters, '.', '#' or '>'. Copied.
 * @param size  the number of units, >= 1.
 * @param bias  nonzero: the layer has a trainable bias block "NAME.bias", starting at 0.
 */
rtrl_status rtrl_builder_add_layer(rtrl_builder *builder, const char *name, size_t size,
                                   rtrl_activation act, int bias);

/**
 * Connects layer (or "input") `from` to layer `to`: z_to(t) += W a_from(t - delay).
 * The connection's block is named "FROM->TO" ("FROM->TO#2", "#3", ... for further
 * connections between the same pair; identity connections have no block).
 *
 * @param delay      0 (same step; the delay-0 graph must stay acyclic) or 1 (previous step).
 * @param kind       dense, diagonal (equal sizes) or identity (equal sizes).
 * @param trainable  1: part of the flat parameter vector; 0: fixed (still readable and
 *                   writable by name); -1: the kind's default (dense, diagonal: 1;
 *                   identity: 0). An identity connection asked to be trainable, or any
 *                   other value, is RTRL_ERR_INVALID_ARGUMENT.
 * @param scale      finite. dense: initial weights uniform in +-scale/sqrt(fan-in);
 *                   diagonal: every entry starts at scale; identity: the copy factor.
 *                   Use 1.0 for the usual initialisation.
 */
rtrl_status rtrl_builder_connect(rtrl_builder *builder, const char *from, const char *to,
                                 int delay, rtrl_connection_kind kind, int trainable,
                                 double scale);

/**
 * Chooses y(t): units `units[0..n_units-1]` of `layer`, in that order (distinct, in
 * range, at most the layer's size), or the whole layer when units is NULL and n_units
 * is 0. The array is copied; an n_units larger than any layer can be (2^20) is rejected
 * before it is read. Setting the output again replaces the previous choice.
 */
rtrl_status rtrl_builder_set_output(rtrl_builder *builder, const char *layer,
                                    const size_t *units, size_t n_units);

/**
 * Builds a network from the description: checks the delay-0 graph for cycles (a cycle is
 * RTRL_ERR_INVALID_ARGUMENT naming it), lays out the blocks and initialises them from
 * params->seed. Reads seed and precision of params (NULL = defaults). The builder is
 * unchanged and may be built again. On failure *out = NULL.
 */
rtrl_status rtrl_builder_build(const rtrl_builder *builder, const rtrl_net_params *params,
                               rtrl_net **out);

/** Releases a builder. NULL is a no-op. Networks built from it are independent of it. */
void rtrl_builder_free(rtrl_builder *builder);

/* ================================================================ stepping and learning */

/**
 * Advances one step with input x(t): the forward pass and the sensitivity update.
 *
 * @param x   n_inputs finite values (NULL allowed when nx is 0).
 * @param nx  must equal rtrl_net_num_inputs(net).
 * @return RTRL_OK; RTRL_ERR_INVALID_ARGUMENT (NULL, wrong nx, a non-finite value);
 *         RTRL_ERR_DIVERGED when the divergence guard is on and the step drove an
 *         activation to a non-finite value (for instance a huge input into identity
 *         units): the step is undone — the network is exactly as before the call — and
 *         rtrl_net_refused_updates counts it.
 * Complexity: O(units x trainable params) per step for a dense net; no allocation.
 */
rtrl_status rtrl_net_feed(rtrl_net *net, const double *x, size_t nx);

/**
 * Copies y(t), the prediction of the last forward pass (zeros before the first feed and
 * after rtrl_net_reset_state), into y.
 *
 * @param ny  must equal rtrl_net_num_outputs(net).
 */
rtrl_status rtrl_net_output(const rtrl_net *net, double *y, size_t ny);

/**
 * Learns from the target of the current step: computes E(t) over the units whose target
 * is not NaN (NaN = "no target for this unit at this step"), adds dE(t)/dtheta to the
 * gradient buffer, applies teacher forcing if configured, and on every
 * update_every-th call applies the optimizer to the buffer and clears it.
 *
 * @param target  ny values, each finite or NaN (+-inf is an error).
 * @param ny      must equal rtrl_net_num_outputs(net).
 * @param loss    receives E(t) (0 if every target is NaN); may be NULL. On failure it
 *                receives NaN.
 * @return RTRL_OK; RTRL_ERR_INVALID_ARGUMENT; RTRL_ERR_DIVERGED when the divergence guard
 *         refused: either E(t), or the output error dE/dy in the network's precision (a
 *         target beyond an f32 network's range), is not finite (nothing was added to the
 *         buffer, nothing learned, no teacher forcing) or the update (optimizer, RLS
 *         readout or EKF) would have made a parameter non-finite (the buffer was
 *         cleared, weights and optimizer state are unchanged; teacher forcing, which
 *         follows the loss, still applies). In both cases the step's forward pass stands
 *         and rtrl_net_refused_updates counts the refusal.
 */
rtrl_status rtrl_net_learn(rtrl_net *net, const double *target, size_t ny, double *loss);

/**
 * Like rtrl_net_learn, but only adds dE(t)/dtheta to the gradient buffer (and applies
 * teacher forcing if configured): no optimizer step, no count toward update_every.
 * Returns RTRL_ERR_DIVERGED (nothing added) when E(t) or the output error is not finite and
 * the guard is on.
 */
rtrl_status rtrl_net_accumulate(rtrl_net *net, const double *target, size_t ny,
                                double *loss);

/**
 * Applies the optimizer to the gradient buffer, clears the buffer and restarts the
 * update_every count. RTRL_ERR_DIVERGED: the update was refused (buffer cleared,
 * weights and optimizer state unchanged).
 */
rtrl_status rtrl_net_apply(rtrl_net *net);

/**
 * Copies the gradient buffer (the sum of dE/dtheta since it was last applied or
 * cleared) into g.
 *
 * @param n  must equal rtrl_net_num_params(net) (g may be NULL when it is 0).
 */
rtrl_status rtrl_net_gradient(const rtrl_net *net, double *g, size_t n);

/** Clears the gradient buffer (only). */
rtrl_status rtrl_net_zero_grad(rtrl_net *net);

/**
 * feed + output + learn in one call: advances one step with x(t), writes the prediction
 * y(t) (made before learning) to y_out, then learns from target as rtrl_net_learn does.
 * x and target are validated before anything changes. The result is the same, bit for
 * bit, as the three calls; on the snap1 and diagonal paths the call is faster, making the
 * sensitivity update and the gradient in one pass over the sensitivities instead of two.
 *
 * @param x       nx finite values (NULL allowed when nx is 0).
 * @param target  ny values (finite or NaN), or NULL: no learning this step.
 * @param ny      the length of target and of y_out; must equal rtrl_net_num_outputs(net)
 *                when either is non-NULL (ignored when both are NULL).
 * @param y_out   receives y(t); may be NULL.
 * @param loss    receives E(t), or NaN without a target; may be NULL.
 * @return as rtrl_net_feed and rtrl_net_learn. With RTRL_ERR_DIVERGED either the feed was
 *         refused (nothing changed, y_out not written; see rtrl_net_feed) or the step was
 *         fed, y_out written and nothing learned (see rtrl_net_learn).
 */
rtrl_status rtrl_net_step(rtrl_net *net, const double *x, size_t nx, const double *target,
                          size_t ny, double *y_out, double *loss);

/**
 * Starts a new sequence: activations (including the remembered x(t-1) of delay-1 input
 * connections) and sensitivities back to 0. Weights, the gradient buffer, optimizer
 * state, the configuration and the step count stay.
 */
rtrl_status rtrl_net_reset_state(rtrl_net *net);

/* ================================================================ training configuration */

/**
 * Sets the training configuration. Validates every field first; then resets the
 * optimizer state (momentum's v, Adam's moments and step count) and the update_every
 * count. Weights, state and the gradient buffer stay.
 *
 * @param params  not NULL; start from rtrl_train_default_params().
 * @return RTRL_OK; RTRL_ERR_INVALID_ARGUMENT (a bad field or struct_size, an unknown
 *         enum value, cross-entropy without a softmax output layer).
 */
rtrl_status rtrl_net_configure(rtrl_net *net, const rtrl_train_params *params);

/**
 * Reads the current training configuration into *out. The caller sets out->struct_size
 * first (e.g. with rtrl_train_default_params(out, sizeof *out)); only that many bytes
 * are written.
 */
rtrl_status rtrl_net_get_config(const rtrl_net *net, rtrl_train_params *out);

/* ================================================================ parameters */

/** N, the number of trainable parameters (the length of the flat vector); 0 for NULL. */
size_t rtrl_net_num_params(const rtrl_net *net);
/** m, the length of x(t); 0 for NULL. */
size_t rtrl_net_num_inputs(const rtrl_net *net);
/** The length of y(t) and of a target; 0 for NULL. */
size_t rtrl_net_num_outputs(const rtrl_net *net);

/**
 * Copies the flat parameter vector (the trainable blocks concatenated in
 * rtrl_net_param_block order) into params.
 *
 * @param n  must equal rtrl_net_num_params(net).
 */
rtrl_status rtrl_net_get_params(const rtrl_net *net, double *params, size_t n);

/**
 * Replaces the flat parameter vector with n finite values (n == rtrl_net_num_params).
 * Optimizer state and the gradient buffer stay. A value that is not finite, or in an
 * f32 network one beyond Float's range (|v| > 3.4e38), is RTRL_ERR_INVALID_ARGUMENT and
 * nothing changes.
 */
rtrl_status rtrl_net_set_params(rtrl_net *net, const double *params, size_t n);

/** The number of trainable blocks (those in the flat vector); 0 for NULL. */
size_t rtrl_net_param_block_count(const rtrl_net *net);

/**
 * Describes trainable block `index` (0 <= index < rtrl_net_param_block_count), in
 * flat-vector order: its name ("FROM->TO", "FROM->TO#2", "LAYER.bias"), its offset in
 * the flat vector and its shape (a dense block is rows x cols row-major; a diagonal
 * block or a bias has cols 1). Any out pointer may be NULL. The name is owned by the
 * network and valid until rtrl_net_free.
 */
rtrl_status rtrl_net_param_block(const rtrl_net *net, size_t index, const char **name,
                                 size_t *offset, size_t *rows, size_t *cols);

/** The number of blocks, trainable and fixed; 0 for NULL. */
size_t rtrl_net_block_count(const rtrl_net *net);

/**
 * Describes block `index` (0 <= index < rtrl_net_block_count) among all blocks,
 * trainable or fixed, in the network's block order. *trainable receives 1 or 0. Any out
 * pointer may be NULL; the name is owned by the network.
 */
rtrl_status rtrl_net_block(const rtrl_net *net, size_t index, const char **name, size_t *rows,
                           size_t *cols, int *trainable);

/**
 * The shape of the block called `name` (trainable or fixed) and whether it is trainable.
 * Any out pointer may be NULL. Unknown name: RTRL_ERR_INVALID_ARGUMENT.
 */
rtrl_status rtrl_net_block_info(const rtrl_net *net, const char *name, size_t *rows,
                                size_t *cols, int *trainable);

/**
 * Copies the block called `name` (trainable or fixed; rows x cols values, row-major) into
 * values.
 *
 * @param n  must equal rows * cols of the block.
 */
rtrl_status rtrl_net_get_block(const rtrl_net *net, const char *name, double *values,
                               size_t n);

/**
 * Replaces the block called `name` with n == rows * cols finite values, row-major (in an
 * f32 network each within Float's range, |v| <= 3.4e38); otherwise
 * RTRL_ERR_INVALID_ARGUMENT and nothing changes.
 */
rtrl_status rtrl_net_set_block(rtrl_net *net, const char *name, const double *values,
                               size_t n);

/* ================================================================ counters and introspection */

/** The number of samples fed since creation (rtrl_net_reset_state does not change it). */
rtrl_status rtrl_net_step_count(const rtrl_net *net, uint64_t *out);

/** The number of steps and updates the divergence guard refused since creation. */
rtrl_status rtrl_net_refused_updates(const rtrl_net *net, uint64_t *out);

/**
 * The bytes the network holds now: weights, gradient buffer, optimizer and covariance
 * state, activations, sensitivities and scratch. Exact sensitivities of a network too
 * large for them are not allocated (a feed then fails with RTRL_ERR_OUT_OF_MEMORY until
 * rtrl_train_params.sensitivity selects SnAp-1 or UORO).
 */
rtrl_status rtrl_net_memory(const rtrl_net *net, size_t *bytes);

/**
 * How the sensitivities are kept now: RTRL_SENSITIVITY_EXACT (also for a diagonal graph,
 * where exact RTRL keeps one sensitivity per parameter; *diagonal is then 1),
 * RTRL_SENSITIVITY_SNAP1 or RTRL_SENSITIVITY_UORO. diagonal may be NULL.
 */
rtrl_status rtrl_net_sensitivity(const rtrl_net *net, rtrl_sensitivity *mode, int *diagonal);

/** The precision the network computes in. */
rtrl_status rtrl_net_precision(const rtrl_net *net, rtrl_precision *out);

/** The number of layers (not counting "input"); 0 for NULL. */
size_t rtrl_net_layer_count(const rtrl_net *net);

/**
 * Describes layer `index` in creation order. Any out pointer may be NULL; *bias
 * receives 1 or 0; the name is owned by the network.
 */
rtrl_status rtrl_net_layer(const rtrl_net *net, size_t index, const char **name,
                           size_t *size, rtrl_activation *act, int *bias);

/** The number of connections; 0 for NULL. */
size_t rtrl_net_connection_count(const rtrl_net *net);

/**
 * Describes connection `index` in creation order: source ("input" or a layer), target,
 * delay (0 or 1), kind, whether trainable (1 or 0), and its scale as given to
 * rtrl_builder_connect. Any out pointer may be NULL; names are owned by the network.
 */
rtrl_status rtrl_net_connection(const rtrl_net *net, size_t index, const char **from,
                                const char **to, int *delay, rtrl_connection_kind *kind,
                                int *trainable, double *scale);

/**
 * The output layer and the units of it that form y(t), in order.
 *
 * @param layer  receives the layer's name (owned by the network); may be NULL.
 * @param units  receives up to cap unit indices; may be NULL when cap is 0.
 * @param n      receives the number of output units (rtrl_net_num_outputs); may be NULL.
 * @return RTRL_OK; RTRL_ERR_BUFFER_TOO_SMALL when units is non-NULL and cap is smaller
 *         than the number of units (*n and *layer are still written, units is not);
 *         RTRL_ERR_INVALID_ARGUMENT when units is NULL but cap > 0. units = NULL with
 *         cap = 0 is the size query and succeeds.
 */
rtrl_status rtrl_net_output_units(const rtrl_net *net, const char **layer, size_t *units,
                                  size_t cap, size_t *n);

/* ================================================================ saving and loading */

/*
 * The saved form holds the whole learner: architecture, training configuration,
 * weights (trainable and fixed), optimizer state, activations, sensitivities, the
 * gradient buffer and the counters, so that a loaded network continues bit for bit as
 * the saved one would have. It is a versioned, checksummed little-endian binary format,
 * the same in a file and in a buffer, and independent of the machine.
 */

/**
 * Saves the network to the file at `path`, atomically: the bytes go to a temporary file
 * in the same directory, which is flushed and renamed over `path`, so after a crash the
 * file holds either its old contents or the new ones.
 *
 * @return RTRL_OK; RTRL_ERR_INVALID_ARGUMENT (NULL); RTRL_ERR_IO (with the system's
 *         reason in the message). The network is never changed.
 */
rtrl_status rtrl_net_save(const rtrl_net *net, const char *path);

/**
 * Loads a network saved by rtrl_net_save (or rtrl_net_save_to_buffer) from a file.
 * On failure *out = NULL.
 *
 * @return RTRL_OK; RTRL_ERR_INVALID_ARGUMENT (NULL); RTRL_ERR_IO (cannot open or read,
 *         not a regular file); RTRL_ERR_CORRUPT (truncated, damaged, not a network, or
 *         describing a network larger than the library allows); RTRL_ERR_VERSION
 *         (written by a newer library).
 */
rtrl_status rtrl_net_load(const char *path, rtrl_net **out);

/**
 * The exact number of bytes rtrl_net_save_to_buffer writes for the network in its
 * current state. Complexity: serialises the network (O(its size)).
 */
rtrl_status rtrl_net_save_size(const rtrl_net *net, size_t *size);

/**
 * Writes the saved form into buf.
 *
 * @param buf      cap bytes (NULL allowed when cap is 0, as a size query).
 * @param written  receives the number of bytes written; on RTRL_ERR_BUFFER_TOO_SMALL,
 *                 the number needed. May be NULL.
 * @return RTRL_OK; RTRL_ERR_BUFFER_TOO_SMALL (nothing written to buf);
 *         RTRL_ERR_INVALID_ARGUMENT.
 */
rtrl_status rtrl_net_save_to_buffer(const rtrl_net *net, void *buf, size_t cap,
                                    size_t *written);

/**
 * Loads a network from len bytes at buf (as written by rtrl_net_save_to_buffer or
 * rtrl_net_save). The bytes are only read during the call. On failure *out = NULL.
 *
 * @return as rtrl_net_load, without RTRL_ERR_IO.
 */
rtrl_status rtrl_net_load_from_buffer(const void *buf, size_t len, rtrl_net **out);

/* ================================================================ the stream adapter */

/*
 * The ZeroMQ stream adapter (the engine of the rtrl-stream program), embedded: it
 * receives samples (wire format v1, docs/wire-format.md) on one socket, keeps one network
 * per topic, predicts before it learns from each sample, and publishes the predictions
 * on another socket. See docs/operations.md for every setting.
 *
 *     rtrl_stream_params p;
 *     rtrl_stream *s = NULL;
 *     rtrl_stream_default_params(&p, sizeof p);
 *     p.input_endpoint = "@tcp://127.0.0.1:5555";
 *     p.input_pattern = RTRL_STREAM_PULL;
 *     p.settings_json = "{\"preset\": \"elman\", \"hidden\": 16, \"forecast\": true}";
 *     if (rtrl_stream_create(&p, &s) != RTRL_OK) { ... rtrl_last_error() ... }
 *     rtrl_stream_run(s, 0, 0, NULL);      // blocks until rtrl_stream_stop(s)
 *     rtrl_stream_free(s);
 */

/** How the adapter receives samples. */
typedef enum rtrl_stream_input {
    /** A SUB socket (connects by default), filtered by topic prefixes. */
    RTRL_STREAM_SUB = 0,
    /** A PULL socket (binds by default). */
    RTRL_STREAM_PULL = 1
} rtrl_stream_input;

/** How the adapter sends predictions. */
typedef enum rtrl_stream_output {
    /** A PUB socket (binds by default). */
    RTRL_STREAM_PUB = 0,
    /** A PUSH socket (binds by default). */
    RTRL_STREAM_PUSH = 1
} rtrl_stream_output;

/** Why rtrl_stream_run returned. */
typedef enum rtrl_stream_stop_reason {
    /** rtrl_stream_stop was called (the checkpoints were written). */
    RTRL_STREAM_STOPPED = 0,
    /** max_messages input messages were handled. */
    RTRL_STREAM_MESSAGE_LIMIT = 1,
    /** timeout_seconds passed. */
    RTRL_STREAM_TIMEOUT = 2
} rtrl_stream_stop_reason;

/**
 * How to create an adapter. Fill with rtrl_stream_default_params() first; the
 * struct_size rule of the other parameter structs applies (LP64: 56 bytes).
 * Strings are copied by rtrl_stream_create; they need not outlive the call.
 */
typedef struct rtrl_stream_params {
    size_t struct_size;
    /** czmq-style endpoint: "@tcp://host:port" binds, ">tcp://host:port" connects; a
     *  plain endpoint uses the pattern's default (SUB connects, PULL binds). NULL: the
     *  default, tcp://127.0.0.1:5555. */
    const char *input_endpoint;
    /** Default RTRL_STREAM_SUB. */
    rtrl_stream_input input_pattern;
    /** The output endpoint (PUB and PUSH bind by default). NULL: tcp://127.0.0.1:5556. */
    const char *output_endpoint;
    /** Default RTRL_STREAM_PUB. */
    rtrl_stream_output output_pattern;
    /** NULL, or a JSON object with any other settings, keyed by rtrl-stream's long option
     *  names — e.g. {"preset": "jordan", "hidden": 16, "optimizer": "adam",
     *  "learning-rate": 0.001, "forecast": true, "topic": ["sensor/"], "max-streams": 100,
     *  "checkpoint-dir": "/var/lib/rtrl", "stats-every": 10} (`rtrl-stream --help` lists
     *  them). Applied after the fields above. */
    const char *settings_json;
    /** Where the adapter writes its log and stats lines: a file descriptor, or -1 for
     *  silence (the default). */
    int log_fd;
} rtrl_stream_params;

/** Counters of an adapter (rtrl_stream_stats). struct_size rule as above (LP64: 112). */
typedef struct rtrl_stream_counters {
    size_t struct_size;
    /** Input messages received (valid or not). */
    uint64_t messages;
    /** Predictions published. */
    uint64_t predictions;
    /** Live streams (topics with a network). */
    uint64_t streams;
    /** Messages dropped as malformed. */
    uint64_t malformed;
    /** Gaps and repeats in the per-topic sequence numbers. */
    uint64_t gaps;
    uint64_t repeats;
    /** Messages refused (a new topic past max-streams, ...). */
    uint64_t refused;
    /** Steps and updates the networks' divergence guard refused. */
    uint64_t refused_updates;
    /** Checkpoint files written, and failed writes. */
    uint64_t checkpoints_written;
    uint64_t checkpoint_errors;
    /** The running prequential mean squared error over every stream (NaN before any). */
    double mse;
    /** Input messages per second over the last stats interval. */
    double messages_per_second;
    /** Seconds since the adapter was created. */
    double uptime;
} rtrl_stream_counters;

/** Fills *params with the defaults (struct_size = struct_size, endpoints NULL = the
 *  defaults, SUB in, PUB out, no settings, log_fd -1). */
rtrl_status rtrl_stream_default_params(rtrl_stream_params *params, size_t struct_size);

/**
 * Creates an adapter: checks every setting, creates the template network, binds and
 * connects the sockets, and loads every checkpoint of the checkpoint directory (if one
 * is set). On failure *out = NULL.
 *
 * @return RTRL_OK; RTRL_ERR_INVALID_ARGUMENT (a bad setting or JSON); RTRL_ERR_IO (a
 *         directory or key file); RTRL_ERR_CORRUPT / RTRL_ERR_VERSION (a checkpoint or
 *         key file); RTRL_ERR_STREAM (a ZeroMQ call, e.g. an endpoint in use).
 */
rtrl_status rtrl_stream_create(const rtrl_stream_params *params, rtrl_stream **out);

/**
 * Runs the adapter on the calling thread until rtrl_stream_stop (then writes the
 * checkpoints), until max_messages input messages have been handled (0: no limit), or
 * until timeout_seconds have passed (<= 0: none). May be called again after it returns.
 * Bad messages are counted, never returned as errors.
 *
 * @param reason  receives why it returned; may be NULL.
 * @return RTRL_OK; RTRL_ERR_INVALID_ARGUMENT (NULL, or run already active on another
 *         thread); RTRL_ERR_STREAM (the input socket failed).
 * Thread rule: one rtrl_stream_run per adapter at a time; rtrl_stream_stop and
 * rtrl_stream_stats may be called from other threads meanwhile.
 */
rtrl_status rtrl_stream_run(rtrl_stream *stream, uint64_t max_messages, double timeout_seconds,
                            rtrl_stream_stop_reason *reason);

/**
 * Asks the running (or the next) rtrl_stream_run to return RTRL_STREAM_STOPPED after the
 * message in hand. Safe from any thread and, with a valid handle, from a signal handler
 * (it sets a flag and writes one byte to a pipe; nothing else).
 *
 * @return RTRL_OK; RTRL_ERR_INVALID_ARGUMENT for NULL.
 */
rtrl_status rtrl_stream_stop(rtrl_stream *stream);

/**
 * Copies the adapter's counters into *out (the caller sets out->struct_size, e.g. with
 * sizeof). Safe from any thread while rtrl_stream_run is active (a snapshot at most
 * about 50 ms old).
 */
rtrl_status rtrl_stream_stats(const rtrl_stream *stream, rtrl_stream_counters *out);

/**
 * Releases an adapter: closes its sockets (waiting up to the linger time for queued
 * predictions) without writing checkpoints (rtrl_stream_stop, or a run that returned
 * RTRL_STREAM_STOPPED, writes them). NULL is a no-op. Must not be called while
 * rtrl_stream_run is active.
 */
void rtrl_stream_free(rtrl_stream *stream);

/* ================================================================ stream sharding */

/*
 * Many rtrl-stream adapters, on one machine or many, can share the streams: adapter I of N
 * (rtrl-stream --shard I/N) takes the streams whose id hashes to I. A publisher sends the
 * samples of stream `stream_id` on the topic rtrl_shard_topic(stream_id, N) =
 * "s" + the shard index as four decimal digits + "/" + stream_id (e.g. "s0002/sensor-7"),
 * where the shard index is the 32-bit FNV-1a hash of the stream id's bytes (offset basis
 * 2166136261, prime 16777619) modulo N. Each adapter subscribes to its prefix "sIIII/", so
 * ZeroMQ filters at the publisher and every sample reaches exactly one adapter. The
 * functions are pure (no state, any thread); Python's rtrl.stream.shard_topic and
 * rtrl-stream compute the same. See docs/operations.md ("Sharding").
 */

/** The most shards a deployment may have (shard indices 0 ... RTRL_SHARD_MAX - 1). */
#define RTRL_SHARD_MAX 10000
/** The length of every shard prefix: "s", four digits, "/". */
#define RTRL_SHARD_PREFIX_LENGTH 6
/** The longest stream id rtrl_shard_of and rtrl_shard_topic accept, in bytes (a topic has
 *  at most 255). */
#define RTRL_SHARD_MAX_STREAM_ID_LENGTH (255 - RTRL_SHARD_PREFIX_LENGTH)
/** A buffer of this many bytes holds any shard topic with its terminating NUL. */
#define RTRL_SHARD_TOPIC_CAPACITY 256

/**
 * The shard (0 ... n_shards - 1) of the stream `stream_id`: FNV-1a-32 of its bytes modulo
 * n_shards.
 *
 * @param stream_id  NUL-terminated UTF-8, 1 to RTRL_SHARD_MAX_STREAM_ID_LENGTH bytes.
 * @param n_shards   1 ... RTRL_SHARD_MAX.
 * @param shard      receives the shard index.
 * @return RTRL_OK; RTRL_ERR_INVALID_ARGUMENT (NULL, not UTF-8, an empty or too long id, a
 *         shard count out of range); *shard is then not written.
 */
rtrl_status rtrl_shard_of(const char *stream_id, uint32_t n_shards, uint32_t *shard);

/**
 * Writes the topic of stream `stream_id` among n_shards shards, "sIIII/" + stream_id, as
 * a NUL-terminated string into out.
 *
 * @param stream_id  as rtrl_shard_of.
 * @param n_shards   as rtrl_shard_of.
 * @param out        cap bytes; at least strlen(stream_id) + RTRL_SHARD_PREFIX_LENGTH + 1
 *                   (RTRL_SHARD_TOPIC_CAPACITY always suffices). NULL with cap 0 is a
 *                   size query.
 * @param len        receives the topic's length in bytes, without the NUL (also for the
 *                   size query and with RTRL_ERR_BUFFER_TOO_SMALL); may be NULL.
 * @return RTRL_OK (also for the size query); RTRL_ERR_BUFFER_TOO_SMALL (out not written);
 *         RTRL_ERR_INVALID_ARGUMENT (as rtrl_shard_of, or out NULL with cap > 0).
 */
rtrl_status rtrl_shard_topic(const char *stream_id, uint32_t n_shards, char *out, size_t cap,
                             size_t *len);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* RTRL_H */
