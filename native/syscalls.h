// The hot system calls made directly, without glibc's cancellation wrapper.
//
// glibc makes read, write, recv, send, accept4 and epoll_wait cancellation
// points: once a process has a second thread (and Node always has), each call
// is bracketed by __pthread_enable_asynccancel/disable_asynccancel, two
// atomic operations, which a single-threaded C server skips. This addon never
// cancels a thread, so it asks the kernel directly: 10-15 ns a call, 1.3 % of
// an echo server's CPU in a profile. Each returns what the libc call would:
// the result, or -1 with errno set.
#ifndef POSIX_SOCKETS_SYSCALLS_H_
#define POSIX_SOCKETS_SYSCALLS_H_

#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "select.h"

namespace ps::sys {

inline ssize_t read(int fd, void* buf, size_t len) {
  return syscall(SYS_read, fd, buf, len);
}
inline ssize_t write(int fd, const void* buf, size_t len) {
  return syscall(SYS_write, fd, buf, len);
}
// recv(2) and send(2) are recvfrom(2) and sendto(2) without an address.
inline ssize_t recv(int fd, void* buf, size_t len, int flags) {
  return syscall(SYS_recvfrom, fd, buf, len, flags, nullptr, nullptr);
}
inline ssize_t send(int fd, const void* buf, size_t len, int flags) {
  return syscall(SYS_sendto, fd, buf, len, flags, nullptr, 0);
}
inline int accept4(int fd, sockaddr* addr, socklen_t* len, int flags) {
  return static_cast<int>(syscall(SYS_accept4, fd, addr, len, flags));
}
// epoll_wait(2) is epoll_pwait(2) without a signal mask on every
// architecture (arm64 has no epoll_wait system call at all).
inline int epoll_pwait(int epfd, epoll_event* events, int maxevents,
                       int timeout, const sigset_t* mask) {
  return static_cast<int>(syscall(SYS_epoll_pwait, epfd, events, maxevents,
                                  timeout, mask, _NSIG / 8));
}
inline int epoll_wait(int epfd, epoll_event* events, int maxevents,
                      int timeout) {
  return sys::epoll_pwait(epfd, events, maxevents, timeout, nullptr);
}

// The calls below are made directly for another reason: what the kernel does
// with the timeout. pselect6 and ppoll write the time not slept back into
// their timespec, and glibc's pselect(3) and ppoll(3) hide that behind a
// local copy, so a call retried on EINTR would sleep its whole timeout again.
// Called here with a timespec of the wrapper's own, the retry sleeps only
// what is left. epoll_pwait2 (Linux 5.11) is called directly so that the
// addon builds with a glibc older than 2.35, which brought its wrapper.
// Each takes the kernel's 64-bit timespec: on 32-bit architectures that is
// the *_time64 call.
#ifdef SYS_pselect6_time64
constexpr long kSysPselect6 = SYS_pselect6_time64;
constexpr long kSysPpoll = SYS_ppoll_time64;
#else
constexpr long kSysPselect6 = SYS_pselect6;
constexpr long kSysPpoll = SYS_ppoll;
#endif
inline int pselect6(int nfds, fd_set* r, fd_set* w, fd_set* e,
                    KernelTimespec* timeout, const sigset_t* mask) {
  // The sixth argument is a pointer to the mask and its size, since a system
  // call has only six.
  struct {
    const sigset_t* ss;
    size_t ss_len;
  } data = {mask, kSigsetSize};
  return static_cast<int>(syscall(kSysPselect6, nfds, r, w, e, timeout, &data));
}
inline int ppoll(pollfd* fds, nfds_t nfds, KernelTimespec* timeout,
                 const sigset_t* mask) {
  return static_cast<int>(
      syscall(kSysPpoll, fds, nfds, timeout, mask, kSigsetSize));
}
inline int epoll_pwait2(int epfd, epoll_event* events, int maxevents,
                        const KernelTimespec* timeout, const sigset_t* mask) {
#ifdef SYS_epoll_pwait2
  return static_cast<int>(syscall(SYS_epoll_pwait2, epfd, events, maxevents,
                                  timeout, mask, kSigsetSize));
#else
  errno = ENOSYS;  // headers older than Linux 5.11
  return -1;
#endif
}

}  // namespace ps::sys

#endif  // POSIX_SOCKETS_SYSCALLS_H_
