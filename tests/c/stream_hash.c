/* Prints one FNV-1a hash over the scalar path's output for every sampler and
 * dtype (tests/cross_aarch64.sh compares it between x86-64 and aarch64). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wcinit.h"
int main(void){ size_t n = 100000; double *a = malloc(n*8); uint64_t h = 1469598103934665603ULL; wc_rng r={42,7,3}; wc_params p;
 for (int d=0; d<4; d++) for (int dt=0; dt<4; dt++) { if(d==0) wc_params_uniform(&p,-1,2); else if(d==1) wc_params_normal(&p,0.5,2); else if (d==2) wc_params_trunc_normal(&p,0,1,-2,2); else wc_params_trunc_normal(&p,0,1,30,31);
  wc_isa_set(WC_ISA_SCALAR); wc_fill_contiguous(&r,&p,dt,5,n,a); unsigned char *b=(unsigned char*)a; for(size_t i=0;i<n*wc_dtype_size(dt);i++){h^=b[i]; h*=1099511628211ULL;} }
 printf("%016llx\n",(unsigned long long)h); return 0; }
