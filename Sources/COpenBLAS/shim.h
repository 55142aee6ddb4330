/* OpenBLAS's CBLAS interface (Debian: libopenblas-dev, pkg-config "openblas"). */
#ifndef RTRL_COPENBLAS_SHIM_H
#define RTRL_COPENBLAS_SHIM_H
#include <cblas.h>
/* Thread control, declared by OpenBLAS's cblas.h; repeated here for other CBLAS headers. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
int openblas_get_num_procs(void);
char *openblas_get_corename(void);
#endif
