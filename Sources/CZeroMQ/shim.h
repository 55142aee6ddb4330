/* libzmq (Debian: libzmq3-dev, pkg-config "libzmq"). */
#ifndef RTRL_CZEROMQ_SHIM_H
#define RTRL_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
