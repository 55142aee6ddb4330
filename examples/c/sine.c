/*
 * sine.c — the Williams & Zipser fully recurrent network learns to generate a sine wave.
 *
 * The network has no inputs: its units see only each other (and their biases). Unit 0 is
 * the output. During training, teacher forcing feeds the true sample back in place of the
 * output unit's activation, so the network learns the map "this sample and my state ->
 * next sample" from the real signal; real-time recurrent learning updates the weights
 * after every step. Then the teacher is switched off and the network runs free,
 * generating the wave from its own output.
 *
 *     sine [TRAIN_STEPS [FREE_STEPS]]        (defaults: 60000 and 400)
 *
 * Build: cc sine.c $(pkg-config --cflags --libs rtrl) -lm -o sine
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <rtrl.h>

#define UNITS 12
#define PERIOD 25.0
#define AMPLITUDE 0.5

static const double two_pi = 6.283185307179586;

static double wave(long t) { return AMPLITUDE * sin(two_pi * (double)t / PERIOD); }

/* Prints the failing call's message and exits. */
static void check(rtrl_status s, const char *what) {
    if (s != RTRL_OK) {
        fprintf(stderr, "sine: %s: %s (%s)\n", what, rtrl_last_error(), rtrl_status_string(s));
        exit(1);
    }
}

/* A bar of '#' for a value in [-AMPLITUDE, AMPLITUDE]. */
static void bar(double v) {
    int n = (int)((v / AMPLITUDE + 1) * 20 + 0.5), i;
    if (n < 0) n = 0;
    if (n > 40) n = 40;
    for (i = 0; i < n; i++) putchar('#');
}

int main(int argc, char **argv) {
    long train_steps = argc > 1 ? atol(argv[1]) : 60000;
    long free_steps = argc > 2 ? atol(argv[2]) : 400;
    rtrl_net *net = NULL;
    rtrl_net_params np;
    rtrl_train_params tp;
    double window = 0, squared = 0, y = 0, previous = 0, peak = 0;
    double first_crossing = -1, last_crossing = -1;
    long t, s, crossings = 0;

    check(rtrl_net_default_params(&np, sizeof np), "default params");
    np.seed = 7;
    np.hidden_activation = RTRL_ACTIVATION_TANH;
    /* 0 inputs, UNITS units, 1 output (unit 0). */
    check(rtrl_net_create_fully_recurrent(0, UNITS, 1, &np, &net), "create");

    check(rtrl_train_default_params(&tp, sizeof tp), "train params");
    tp.optimizer = RTRL_OPTIMIZER_ADAM;
    tp.learning_rate = 0.002;
    tp.teacher_forcing = 1;
    tp.clip_norm = 1.0;
    check(rtrl_net_configure(net, &tp), "configure");

    printf("rtrl %s: fully recurrent network, %d units, %zu weights; target 0.5 sin(2 pi t / %g)\n",
           rtrl_version(), UNITS, rtrl_net_num_params(net), PERIOD);
    /* Training: at step t the network predicts sample t from the forced sample t-1. */
    for (t = 1; t <= train_steps; t++) {
        double target = wave(t), loss = 0;
        if (t == train_steps * 2 / 3 + 1) { /* the last third with a smaller step size */
            tp.learning_rate = 0.0003;
            check(rtrl_net_configure(net, &tp), "configure fine-tuning");
        }
        rtrl_status st = rtrl_net_step(net, NULL, 0, &target, 1, &y, &loss);
        if (st == RTRL_ERR_DIVERGED) continue; /* refused update: nothing learned this step */
        check(st, "step");
        window += loss;
        if (t % 5000 == 0 || t == train_steps) {
            long n = t % 5000 == 0 ? 5000 : t % 5000;
            printf("step %6ld  mean squared error over the last %ld steps: %.6f\n", t, n, window / (double)n);
            window = 0;
        }
    }

    /* Free run: no targets, no teacher; the output feeds back through the weights. */
    tp.teacher_forcing = 0;
    tp.learning_rate = 0;
    check(rtrl_net_configure(net, &tp), "configure free run");
    printf("\nfree run (no teacher), %ld steps:\n", free_steps);
    for (s = 1; s <= free_steps; s++) {
        double truth = wave(train_steps + s);
        check(rtrl_net_step(net, NULL, 0, NULL, 1, &y, NULL), "free step");
        squared += (y - truth) * (y - truth);
        if (fabs(y) > peak) peak = fabs(y);
        if (s > 1 && previous < 0 && y >= 0) { /* an upward zero crossing, interpolated */
            double at = (double)(s - 1) + previous / (previous - y);
            if (first_crossing < 0) first_crossing = at;
            last_crossing = at;
            crossings++;
        }
        previous = y;
        if (s <= 2 * (long)PERIOD) {
            printf("%4ld  truth %+.3f  net %+.3f  ", s, truth, y);
            bar(y);
            putchar('\n');
        }
    }
    printf("free run: RMS error against the continued sine over %ld steps %.4f (signal RMS %.4f)\n",
           free_steps, free_steps > 0 ? sqrt(squared / (double)free_steps) : 0.0, AMPLITUDE / sqrt(2.0));
    if (crossings >= 2)
        printf("free run: period %.2f steps (target %.2f), amplitude %.3f (target %.3f)\n",
               (last_crossing - first_crossing) / (double)(crossings - 1), PERIOD, peak, AMPLITUDE);
    else
        printf("free run: the output does not oscillate (peak %.3f)\n", peak);
    rtrl_net_free(net);
    return 0;
}
