// The arguments that select.cc's and epoll.cc's waits share: a timeout as a
// struct of seconds and a fraction (timeval, timespec), and a signal mask.
#ifndef POSIX_SOCKETS_SELECT_H_
#define POSIX_SOCKETS_SELECT_H_

#include <signal.h>

#include <cstdint>

#include "common.h"

namespace ps {

// The kernel's struct __kernel_timespec: 64-bit seconds and nanoseconds on
// every architecture. On 64-bit Linux it is struct timespec; 32-bit
// architectures take it in the *_time64 calls (see syscalls.h).
struct KernelTimespec {
  int64_t tv_sec;
  int64_t tv_nsec;
};

// The size of the kernel's sigset_t, which the mask-taking system calls want
// as their sigsetsize argument: 8 bytes, where glibc's sigset_t is 128.
constexpr size_t kSigsetSize = _NSIG / 8;

// A timeout argument: null or undefined (*present = false: block, C's NULL)
// or an object { tv_sec, <frac> } with <frac> "tv_usec" or "tv_nsec". Any
// integer is taken (a negative or an oversized fraction is the kernel's
// EINVAL); a missing field or a non-integer is a TypeError.
bool ArgTimeout(napi_env env, napi_value v, const char* name, const char* frac,
                bool* present, int64_t* sec, int64_t* fraction);

// A signal mask argument: null or undefined (*out = nullptr: the mask stays
// as it is, C's NULL), or an array of signal numbers that becomes a sigset_t
// by sigemptyset(3) and sigaddset(3), the whole mask of the calling thread
// for the wait. A number sigaddset refuses (outside 1..64, or one of the two
// that glibc keeps for itself) is a RangeError. Reading the elements may run
// the caller's code: read it before any buffer pointer is taken.
bool ArgSigmask(napi_env env, napi_value v, sigset_t* set,
                const sigset_t** out);

}  // namespace ps

#endif  // POSIX_SOCKETS_SELECT_H_
