// <linux/io_uring.h> names from kernels newer than the headers the addon may
// be built with (6.1 on the build machine), each defined here with the
// release that brought it, only where the headers lack it. The native side
// needs them to check SQEs; scripts/gen-constants.py includes this file in
// constants_uapi.cc so that TypeScript gets the same numbers.
#ifndef POSIX_SOCKETS_URING_COMPAT_H_
#define POSIX_SOCKETS_URING_COMPAT_H_

#include <linux/io_uring.h>
#include <linux/version.h>

// Linux 6.10: recv/send take several provided buffers in one CQE.
#ifndef IORING_RECVSEND_BUNDLE
#define IORING_RECVSEND_BUNDLE (1U << 4)
#endif
// Linux 6.12: the provided buffer of this CQE has room left, and the next
// CQE of its group continues in it (IOU_PBUF_RING_INC).
#ifndef IORING_CQE_F_BUF_MORE
#define IORING_CQE_F_BUF_MORE (1U << 4)
#endif
// Linux 6.12: incremental consumption of a buffer ring's buffers. An
// enumerator in the 6.12 headers, so #ifndef cannot see it: by release.
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#define IOU_PBUF_RING_INC 2
#endif

#endif  // POSIX_SOCKETS_URING_COMPAT_H_
