// CBLAS and the OpenBLAS runtime controls (core name, thread count).
// Imported by Sources/Shared/LinearAlgebra only.
#include <cblas.h>
