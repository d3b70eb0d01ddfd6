// libzmq. Imported by the ZeroMQ transport in Sources/Shared/Wire only.
#include <zmq.h>
