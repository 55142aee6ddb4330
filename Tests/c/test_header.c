/*
 * test_header.c — compiled (not run) by check_header.sh as C99, C11, C++11 and C++17 with
 * gcc and clang, -Wall -Wextra -pedantic -Werror: rtrl.h must be clean in every mode,
 * idempotent, self-contained (no other include needed before it), and declare every
 * function with the types below.
 */
#include "rtrl.h"
#include "rtrl.h" /* included twice: the guard works */

typedef rtrl_status (*create_fn)(size_t, size_t, size_t, const rtrl_net_params *, rtrl_net **);

int rtrl_header_test(void);

int rtrl_header_test(void) {
    rtrl_net *net = NULL;
    rtrl_builder *builder = NULL;
    rtrl_stream *stream = NULL;
    rtrl_net_params np;
    rtrl_train_params tp;
    rtrl_status s = RTRL_OK;
    rtrl_activation a = RTRL_ACTIVATION_SOFTMAX;
    rtrl_connection_kind k = RTRL_CONNECTION_IDENTITY;
    rtrl_optimizer o = RTRL_OPTIMIZER_ADAM;
    rtrl_loss l = RTRL_LOSS_CROSS_ENTROPY;
    rtrl_precision p = RTRL_PRECISION_F32;
    create_fn creators[3];
    const void *functions[] = {0};
    int version = RTRL_VERSION_NUMBER + RTRL_ABI_VERSION;
    const char *text = RTRL_VERSION_STRING;

    creators[0] = rtrl_net_create_fully_recurrent;
    creators[1] = rtrl_net_create_elman;
    creators[2] = rtrl_net_create_jordan;
    (void)creators;
    (void)functions;
    (void)stream;
    np.struct_size = sizeof np;
    tp.struct_size = sizeof tp;
    (void)np;
    (void)tp;
    if (s == RTRL_ERR_INTERNAL || a == RTRL_ACTIVATION_IDENTITY || k == RTRL_CONNECTION_DENSE ||
        o == RTRL_OPTIMIZER_SGD || l == RTRL_LOSS_MSE || p == RTRL_PRECISION_F64)
        return 1;
    (void)rtrl_builder_create;
    (void)net;
    (void)builder;
    return version + (text[0] == '0');
}
