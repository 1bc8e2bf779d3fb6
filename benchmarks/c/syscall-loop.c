// The C side of the binding-overhead microbenchmark: the cost of a system
// call that does almost nothing, called in a tight loop from C. The same
// loops through the addon (benchmarks/micro/binding.ts) cost this plus the
// binding; the difference is what the binding adds per call.
//
//   syscall-loop [iterations]
//
// Prints one JSON line: {"recv_ns":..,"epoll_wait_ns":..,"iterations":..}.
//   recv: recv(2) on an empty non-blocking socket (it fails with EAGAIN);
//   epoll_wait: epoll_wait(2) with timeout 0 on a set whose only fd is not
//   ready.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  long iters = argc > 1 ? atol(argv[1]) : 2000000;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0) return perror("socketpair"), 1;
  int epfd = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = sv[0]};
  if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, sv[0], &ev) < 0) return perror("epoll"), 1;
  char buf[64];
  struct epoll_event out[64];
  long wouldblock = 0, empty = 0;

  // One untimed pass of each warms caches and the branch predictors.
  for (long i = 0; i < iters / 10; i++) wouldblock += recv(sv[0], buf, sizeof buf, 0) < 0 && errno == EAGAIN;
  for (long i = 0; i < iters / 10; i++) empty += epoll_wait(epfd, out, 64, 0) == 0;

  wouldblock = empty = 0;
  double t0 = now_s();
  for (long i = 0; i < iters; i++) wouldblock += recv(sv[0], buf, sizeof buf, 0) < 0 && errno == EAGAIN;
  double t1 = now_s();
  for (long i = 0; i < iters; i++) empty += epoll_wait(epfd, out, 64, 0) == 0;
  double t2 = now_s();
  if (wouldblock != iters || empty != iters) {
    fprintf(stderr, "unexpected results: %ld would-block, %ld empty\n", wouldblock, empty);
    return 1;
  }
  printf("{\"iterations\":%ld,\"recv_ns\":%.2f,\"epoll_wait_ns\":%.2f}\n", iters, (t1 - t0) / (double)iters * 1e9,
         (t2 - t1) / (double)iters * 1e9);
  return 0;
}
