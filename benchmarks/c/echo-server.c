// The reference TCP echo server: non-blocking sockets and one epoll (or poll)
// loop, the way a C programmer writes it. benchmarks/servers/echo-handler.ts
// is the same program through the addon, function for function, so that the
// two differ only by the binding.
//
//   echo-server <lt|et|poll> <port> [--buf N] [--nodelay] [--sndbuf N]
//               [--watch-stdin] [--idle-thread]
//
// --idle-thread starts one thread that only sleeps, so the process is
// multi-threaded as every Node process is. That alone costs the server CPU:
// the kernel then takes a reference on the file for every fd lookup (a
// single-threaded process skips it), and glibc brackets each cancellation
// point (read, write, epoll_wait) with atomic operations. The benchmark runs
// this variant to show how much of the addon's distance from C is that.
//
// Prints "ready <port>" once listening on 127.0.0.1 (port 0: an ephemeral
// port). With --watch-stdin it exits when its stdin reaches EOF, so that it
// never outlives the runner that started it.
//
// Echo rule (both modes): read once, write what was read; on a short write
// keep the rest, stop reading and wait for EPOLLOUT. LT reads once per
// wake-up and switches its interest to EPOLLOUT with epoll_ctl while a
// remainder is pending; ET registers EPOLLIN|EPOLLOUT once and reads until
// EAGAIN.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_EVENTS 1024

enum Mode { LT, ET, POLL };

struct Conn {
  char *pending;  // unsent rest of a short write, or NULL
  size_t pending_off;
  size_t pending_len;
};

static enum Mode mode;
static int epfd = -1;
static int lfd = -1;
static char *buf;
static size_t buf_size = 65536;
static int nodelay;
static int sndbuf;
static struct Conn *conns;  // indexed by fd
static size_t conns_cap;
// poll mode: the pollfd array, and each fd's slot in it
static struct pollfd *pfds;
static int *slot_of;
static int npfds;

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void ensure_conn_slot(int fd) {
  if ((size_t)fd < conns_cap) return;
  size_t cap = conns_cap ? conns_cap : 1024;
  while (cap <= (size_t)fd) cap *= 2;
  conns = realloc(conns, cap * sizeof *conns);
  slot_of = realloc(slot_of, cap * sizeof *slot_of);
  pfds = realloc(pfds, cap * sizeof *pfds);
  if (!conns || !slot_of || !pfds) die("realloc");
  memset(conns + conns_cap, 0, (cap - conns_cap) * sizeof *conns);
  conns_cap = cap;
}

// Interest changes: epoll_ctl for LT/ET, the pollfd's events for poll.
static void watch(int fd, int op, unsigned events) {
  if (mode == POLL) {
    if (op == EPOLL_CTL_ADD) {
      slot_of[fd] = npfds;
      pfds[npfds].fd = fd;
      pfds[npfds].revents = 0;
      npfds++;
    }
    if (op == EPOLL_CTL_DEL) {
      int s = slot_of[fd];
      pfds[s] = pfds[--npfds];
      slot_of[pfds[s].fd] = s;
      return;
    }
    pfds[slot_of[fd]].events = (short)((events & EPOLLIN ? POLLIN : 0) | (events & EPOLLOUT ? POLLOUT : 0));
    return;
  }
  struct epoll_event ev = {.events = events, .data.fd = fd};
  if (epoll_ctl(epfd, op, fd, &ev) < 0) die("epoll_ctl");
}

static void close_conn(int fd) {
  struct Conn *c = &conns[fd];
  free(c->pending);
  c->pending = NULL;
  watch(fd, EPOLL_CTL_DEL, 0);
  close(fd);
}

static void accept_all(void) {
  for (;;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
    if (fd < 0) return;  // EAGAIN: queue drained (EMFILE and the like: retry on the next wake-up)
    if (nodelay) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (sndbuf) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    ensure_conn_slot(fd);
    watch(fd, EPOLL_CTL_ADD, mode == ET ? EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET : EPOLLIN);
  }
}

// Keeps buf[off, len) for later: the peer is not reading fast enough.
static void keep_pending(int fd, size_t off, size_t len) {
  struct Conn *c = &conns[fd];
  c->pending = malloc(len - off);
  if (!c->pending) die("malloc");
  memcpy(c->pending, buf + off, len - off);
  c->pending_off = 0;
  c->pending_len = len - off;
  if (mode != ET) watch(fd, EPOLL_CTL_MOD, EPOLLOUT);
}

// Returns 0 when the connection was closed.
static int on_readable(int fd) {
  for (;;) {
    ssize_t n = read(fd, buf, buf_size);
    if (n > 0) {
      ssize_t w = write(fd, buf, (size_t)n);
      if (w < 0) {
        if (errno != EAGAIN) {
          close_conn(fd);
          return 0;
        }
        w = 0;
      }
      if (w < n) {
        keep_pending(fd, (size_t)w, (size_t)n);
        return 1;
      }
      if (mode != ET) return 1;  // LT: one read per wake-up; the kernel wakes us again for the rest
      continue;
    }
    if (n < 0 && errno == EAGAIN) return 1;
    close_conn(fd);  // EOF or an error such as ECONNRESET
    return 0;
  }
}

// Returns 0 when the connection was closed.
static int on_writable(int fd) {
  struct Conn *c = &conns[fd];
  ssize_t w = write(fd, c->pending + c->pending_off, c->pending_len - c->pending_off);
  if (w < 0) {
    if (errno == EAGAIN) return 1;
    close_conn(fd);
    return 0;
  }
  c->pending_off += (size_t)w;
  if (c->pending_off < c->pending_len) return 1;
  free(c->pending);
  c->pending = NULL;
  if (mode != ET) {
    watch(fd, EPOLL_CTL_MOD, EPOLLIN);
    return 1;
  }
  return on_readable(fd);  // ET: the EPOLLIN edges that came meanwhile were ignored; drain now
}

static void on_event(int fd, unsigned ev) {
  if (fd == lfd) {
    accept_all();
    return;
  }
  if (fd == 0) exit(0);  // --watch-stdin: the runner went away or told us to stop
  if (ev & (EPOLLERR | EPOLLHUP)) {
    close_conn(fd);
    return;
  }
  if (conns[fd].pending) {
    // Back-pressure: no reading until the rest is written. ET also reports
    // EPOLLOUT edges when nothing is pending; those need no work.
    if (ev & EPOLLOUT) on_writable(fd);
    return;
  }
  if (ev & (EPOLLIN | EPOLLRDHUP)) on_readable(fd);
}

static void *sleep_forever(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: echo-server <lt|et|poll> <port> [--buf N] [--nodelay] [--sndbuf N] [--watch-stdin] [--idle-thread]\n");
    return 2;
  }
  mode = !strcmp(argv[1], "et") ? ET : !strcmp(argv[1], "poll") ? POLL : LT;
  if (strcmp(argv[1], "lt") && strcmp(argv[1], "et") && strcmp(argv[1], "poll")) {
    fprintf(stderr, "unknown mode %s\n", argv[1]);
    return 2;
  }
  int port = atoi(argv[2]);
  int watch_stdin = 0;
  int idle_thread = 0;
  for (int i = 3; i < argc; i++) {
    if (!strcmp(argv[i], "--buf") && i + 1 < argc) buf_size = (size_t)atol(argv[++i]);
    else if (!strcmp(argv[i], "--sndbuf") && i + 1 < argc) sndbuf = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--nodelay")) nodelay = 1;
    else if (!strcmp(argv[i], "--watch-stdin")) watch_stdin = 1;
    else if (!strcmp(argv[i], "--idle-thread")) idle_thread = 1;
    else {
      fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  pthread_t idle;
  if (idle_thread && pthread_create(&idle, NULL, sleep_forever, NULL) != 0) {
    perror("pthread_create");
    return 1;
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  signal(SIGPIPE, SIG_IGN);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  buf = malloc(buf_size);
  if (!buf) die("malloc");

  lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (lfd < 0) die("socket");
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
  if (listen(lfd, SOMAXCONN) < 0) die("listen");
  socklen_t salen = sizeof sa;
  getsockname(lfd, (struct sockaddr *)&sa, &salen);

  ensure_conn_slot(lfd);
  if (mode != POLL) {
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) die("epoll_create1");
  }
  watch(lfd, EPOLL_CTL_ADD, EPOLLIN);
  if (watch_stdin) watch(0, EPOLL_CTL_ADD, EPOLLIN);
  printf("ready %d\n", ntohs(sa.sin_port));
  fflush(stdout);

  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    if (mode == POLL) {
      int n = poll(pfds, (nfds_t)npfds, -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        die("poll");
      }
      // Walk every slot: poll's cost grows with all fds, not the ready ones.
      // A slot handled (or closed) this pass may move; walk downwards so that
      // the slot a close fills from the end was visited already.
      for (int s = npfds - 1; s >= 0 && n > 0; s--) {
        if (s >= npfds || !pfds[s].revents) continue;
        short re = pfds[s].revents;
        pfds[s].revents = 0;
        n--;
        unsigned ev = (re & POLLIN ? EPOLLIN : 0) | (re & POLLOUT ? EPOLLOUT : 0) |
                      (re & POLLERR ? EPOLLERR : 0) | (re & (POLLHUP | POLLNVAL) ? EPOLLHUP : 0);
        on_event(pfds[s].fd, ev);
      }
      continue;
    }
    int n = epoll_wait(epfd, events, MAX_EVENTS, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) on_event(events[i].data.fd, events[i].events);
  }
}
