/* Initialization rules: pure functions of shape and keyword arguments.
 * Formulas as in torch.nn.init (Glorot & Bengio 2010; He et al. 2015). */
#include <math.h>

#include "wcinit.h"

int wc_fans(int ndim, const int64_t *shape, int64_t *fan_in, int64_t *fan_out)
{
    if (ndim < 2)
        return -1;
    int64_t rf = 1;
    for (int d = 2; d < ndim; d++)
        if (__builtin_mul_overflow(rf, shape[d], &rf))
            return -2;
    if (__builtin_mul_overflow(shape[1], rf, fan_in) ||
        __builtin_mul_overflow(shape[0], rf, fan_out))
        return -2;
    return 0;
}

double wc_gain(wc_nonlinearity nl, double slope)
{
    switch (nl) {
    case WC_NL_TANH:
        return 5.0 / 3;
    case WC_NL_RELU:
        return sqrt(2.0);
    case WC_NL_LEAKY_RELU:
        return sqrt(2.0 / (1 + slope * slope));
    case WC_NL_SELU:
        return 3.0 / 4; /* torch's empirical value (pytorch/pytorch#50664) */
    default:
        return 1.0;     /* linear, conv*, conv_transpose*, sigmoid */
    }
}

double wc_xavier_std(double gain, int64_t fan_in, int64_t fan_out)
{
    return gain * sqrt(2.0 / (double)(fan_in + fan_out));
}

double wc_kaiming_std(double gain, int64_t fan)
{
    return gain / sqrt((double)fan);
}

double wc_uniform_bound(double std)
{
    return sqrt(3.0) * std;
}
