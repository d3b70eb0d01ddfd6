// LAPACKE, the C interface to LAPACK (backed by OpenBLAS's LAPACK through Debian's alternatives).
// Imported by Sources/Shared/LinearAlgebra only.
#include <lapacke.h>
