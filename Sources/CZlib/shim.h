// zlib, for gzip files and deflated .npz members. Imported by Sources/Shared/Data/Compression only.
#include <zlib.h>
