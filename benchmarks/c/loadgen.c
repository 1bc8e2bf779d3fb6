// Load generator for the echo benchmarks: N non-blocking TCP connections to
// 127.0.0.1:<port>, driven by one epoll loop, every echoed byte checked.
//
// Options: see usage() in options.h.
//
// Modes
//   pingpong  each connection keeps D messages of S bytes in flight; a
//             message counts when its whole echo is back.
//   stream    each connection writes S-byte chunks (64 KiB) as fast as the
//             socket takes them and drains the echo; a "message" is one chunk
//             that made the full round trip, bytes are payload echoed back
//             (the server read and wrote each of them once).
//   churn     each of N slots repeatedly connects, sends S bytes, reads the
//             echo and closes with SO_LINGER 0 (a reset, so no TIME_WAIT
//             exhausts the ephemeral ports); a message is one connection.
//   idle      opens N connections (one S-byte round trip each, so that the
//             server has accepted and registered every one), measures the
//             server's memory after --hold seconds, then runs pingpong on the
//             first K (--active) connections while the rest stay idle.
//
// Every byte echoed back is compared with the byte sent at the same stream
// offset (a per-connection pattern); a mismatch, a reset or a stall ends the
// run with {"ok":false,...} and exit status 1. The run is bounded: the
// measurement ends after warmup + duration, and --deadline (default
// warmup + duration + 30 s) aborts anything that hangs.
//
// With --server-pid the server's CPU time (utime + stime from
// /proc/<pid>/stat, and the nanosecond sum of /proc/<pid>/task/*/schedstat)
// is read at the exact start and end of the measured window.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PERIOD 4093u  // pattern period: a prime, so no message size lines up with it
#define IO_MAX 65536u
#define HIST_BUCKETS 2048

enum Mode { PINGPONG, STREAM, CHURN, IDLE };
enum State { CLOSED, CONNECTING, RUNNING };

struct Conn {
  int fd;
  enum State state;
  uint32_t seed;     // pattern start for this connection
  uint64_t sent;     // stream offset of the next byte to send
  uint64_t target;   // send up to this offset
  uint64_t recvd;    // stream offset of the next byte expected back
  uint64_t done;     // messages completed
  uint64_t issued;   // messages issued
  int want_out;      // EPOLLOUT registered
  int64_t *stamps;   // issue time of each message in flight (ring of depth)
  int64_t started;   // churn: connect time
};

static enum Mode mode = PINGPONG;
static int port, nconns = 1, depth = 1, server_pid, nactive = 0;
static size_t msg_size = 64;
static double duration = 1, warmup = 0.25, deadline_s, hold = 0.5;
static int epfd;
static struct Conn *conns;
static uint8_t ext[PERIOD + IO_MAX];
static uint8_t rbuf[IO_MAX];
static int64_t now_ns;
static int measuring, running = 1;
static uint64_t win_msgs, win_bytes;
static uint64_t hist[HIST_BUCKETS];
static uint64_t churn_seq;
static int active_limit;  // connections taking part in the traffic phase

#include "report.h"
#include "procstat.h"


#include "histogram.h"

// ---- connections ------------------------------------------------------------

static void set_out(struct Conn *c, int idx, int on) {
  if (c->want_out == on) return;
  struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.u32 = (uint32_t)idx};
  if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) fail("epoll_ctl MOD: %s", strerror(errno));
  c->want_out = on;
}

static void start_connect(int idx) {
  struct Conn *c = &conns[idx];
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) fail("socket: %s", strerror(errno));
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS)
    fail("connect: %s", strerror(errno));
  c->state = CONNECTING;
  c->seed = (uint32_t)((mode == CHURN ? churn_seq++ : (uint64_t)idx) * 977u % PERIOD);
  c->sent = c->target = c->recvd = c->done = c->issued = 0;
  c->started = now_ns;
  c->want_out = 1;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)idx};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) fail("epoll_ctl ADD: %s", strerror(errno));
}

static void close_reset(struct Conn *c) {
  struct linger lg = {1, 0};
  setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(c->fd);  // also removes it from the epoll set
  c->fd = -1;
  c->state = CLOSED;
}

static void issue(struct Conn *c) {
  c->stamps[c->issued % (uint64_t)depth] = now_ns;
  c->issued++;
  c->target += msg_size;
}

static void flush(struct Conn *c, int idx) {
  while (c->sent < c->target) {
    uint64_t left = c->target - c->sent;
    size_t len = left < IO_MAX ? (size_t)left : IO_MAX;
    ssize_t n = send(c->fd, ext + (c->seed + c->sent) % PERIOD, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN) {
        set_out(c, idx, 1);
        return;
      }
      fail("send on connection %d: %s", idx, strerror(errno));
    }
    c->sent += (uint64_t)n;
  }
  set_out(c, idx, 0);
}

// The traffic a connection carries once it is connected.
static void begin_traffic(struct Conn *c, int idx) {
  c->state = RUNNING;
  if (mode == STREAM) {
    c->target = UINT64_MAX;
  } else {
    int d = (mode == PINGPONG || (mode == IDLE && idx < active_limit)) ? depth : 1;
    for (int i = 0; i < d; i++) issue(c);
  }
  flush(c, idx);
}

static void on_complete(struct Conn *c, int idx, int64_t started) {
  c->done++;
  if (measuring) {
    win_msgs++;
    int64_t lat = now_ns - started;
    hist[bucket_of(lat > 0 ? (uint64_t)lat : 0)]++;
  }
  if (!running) return;
  if (mode == CHURN) {
    close_reset(c);
    start_connect(idx);
  } else if (mode == PINGPONG || (mode == IDLE && idx < active_limit)) {
    issue(c);
    flush(c, idx);
  }
}

static void on_readable(struct Conn *c, int idx) {
  for (;;) {
    ssize_t n = recv(c->fd, rbuf, IO_MAX, 0);
    if (n < 0) {
      if (errno == EAGAIN) return;
      fail("recv on connection %d: %s", idx, strerror(errno));
    }
    if (n == 0) fail("connection %d closed by the server after %" PRIu64 " bytes", idx, c->recvd);
    if (c->recvd + (uint64_t)n > c->sent) fail("connection %d: server sent bytes that were never sent to it", idx);
    const uint8_t *want = ext + (c->seed + c->recvd) % PERIOD;
    if (memcmp(rbuf, want, (size_t)n) != 0) {
      size_t i = 0;
      while (rbuf[i] == want[i]) i++;
      fail("connection %d: echoed byte %" PRIu64 " is 0x%02x, sent 0x%02x", idx, c->recvd + i, rbuf[i], want[i]);
    }
    c->recvd += (uint64_t)n;
    if (measuring) win_bytes += (uint64_t)n;
    if (mode == STREAM) {
      uint64_t chunks = c->recvd / msg_size;
      while (c->done < chunks) {
        c->done++;
        if (measuring) win_msgs++;
      }
      continue;
    }
    while (c->recvd >= (c->done + 1) * msg_size) {
      int64_t started = mode == CHURN ? c->started : c->stamps[c->done % (uint64_t)depth];
      on_complete(c, idx, started);
      if (c->state != RUNNING) return;  // churn: replaced by a new connection
    }
    if ((size_t)n < IO_MAX) return;  // drained (a new arrival wakes epoll again: LT)
  }
}

static void on_connected(struct Conn *c, int idx) {
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err) fail("connect to 127.0.0.1:%d: %s", port, strerror(err));
  begin_traffic(c, idx);
}

static void on_event(uint32_t idx, uint32_t ev) {
  struct Conn *c = &conns[idx];
  if (c->state == CONNECTING) {
    if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) on_connected(c, (int)idx);
    return;
  }
  if (c->state != RUNNING) return;
  if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(c, (int)idx);
  if (c->state == RUNNING && (ev & EPOLLOUT)) flush(c, (int)idx);
}

static void pump(int timeout_ms) {
  struct epoll_event evs[1024];
  int n = epoll_wait(epfd, evs, 1024, timeout_ms);
  if (n < 0 && errno != EINTR) fail("epoll_wait: %s", strerror(errno));
  now_ns = mono_ns();
  for (int i = 0; i < n; i++) on_event(evs[i].data.u32, evs[i].events);
}

static int ms_until(int64_t t) {
  int64_t d = (t - now_ns) / 1000000;
  return d < 0 ? 0 : d > 100 ? 100 : (int)d;
}

// Runs traffic on the active connections for warmup + duration, measuring the
// second part. Prints the result fields (without braces).
static void traffic_phase(int64_t hard_deadline) {
  int64_t t_warm = now_ns + (int64_t)(warmup * 1e9);
  int64_t t_end = t_warm + (int64_t)(duration * 1e9);
  struct Cpu c0 = {-1, -1}, c1;
  double l0 = 0;
  int64_t w0 = 0, last_progress = now_ns;
  uint64_t last_bytes = 0;
  while (now_ns < t_end) {
    pump(ms_until(measuring ? t_end : t_warm));
    if (!measuring && now_ns >= t_warm) {
      measuring = 1;
      c0 = read_cpu(server_pid);
      l0 = self_cpu_s();
      w0 = mono_ns();
    }
    uint64_t total = 0;
    for (int i = 0; i < active_limit; i++) total += conns[i].recvd;
    if (total != last_bytes) {
      last_bytes = total;
      last_progress = now_ns;
    } else if (now_ns - last_progress > 5000000000LL) {
      fail("stalled: no echoed byte for 5 s (a server that drops data?)");
    }
    if (now_ns > hard_deadline) fail("hard deadline reached");
  }
  c1 = read_cpu(server_pid);
  int64_t w1 = mono_ns();
  double loadgen_cpu = self_cpu_s() - l0;
  running = 0;
  double win = (double)(w1 - w0) / 1e9;
  long clk = sysconf(_SC_CLK_TCK);
  double cpu_stat = c0.ticks >= 0 && c1.ticks >= 0 ? (double)(c1.ticks - c0.ticks) / (double)clk : -1;
  double cpu_sched = c0.ns >= 0 && c1.ns >= 0 ? (double)(c1.ns - c0.ns) / 1e9 : -1;
  uint64_t total = 0;
  for (int b = 0; b < HIST_BUCKETS; b++) total += hist[b];
  emit("\"window_s\":%.6f,\"messages\":%" PRIu64 ",\"bytes\":%" PRIu64
         ",\"msgs_per_s\":%.1f,\"bytes_per_s\":%.1f,"
         "\"latency_us\":{\"count\":%" PRIu64 ",\"p50\":%.2f,\"p99\":%.2f,\"p999\":%.2f},"
         "\"server_cpu\":{\"pid\":%d,\"ticks\":%lld,\"clk_tck\":%ld,\"stat_s\":%.4f,\"sched_s\":%.6f},"
         "\"loadgen_cpu_s\":%.4f",
         win, win_msgs, win_bytes, (double)win_msgs / win, (double)win_bytes / win, total,
         mode == STREAM ? 0 : percentile(0.50) / 1e3, mode == STREAM ? 0 : percentile(0.99) / 1e3,
         mode == STREAM ? 0 : percentile(0.999) / 1e3, server_pid,
         c0.ticks >= 0 && c1.ticks >= 0 ? c1.ticks - c0.ticks : -1, clk, cpu_stat, cpu_sched, loadgen_cpu);
}

#include "options.h"

int main(int argc, char **argv) {
  parse_options(argc, argv);
  if (port <= 0 || nconns <= 0 || depth <= 0 || msg_size == 0 || duration <= 0 || warmup < 0) usage();
  if (deadline_s <= 0) deadline_s = warmup + duration + hold + 30;
  signal(SIGPIPE, SIG_IGN);
  signal(SIGALRM, on_alarm);
  alarm((unsigned)ceil(deadline_s) + 1);  // the last resort if the loop itself is stuck
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (mode == STREAM && msg_size < 4096) msg_size = 65536;

  uint32_t x = 2463534242u;  // xorshift: a byte pattern with no short period
  for (unsigned i = 0; i < PERIOD; i++) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    ext[i] = (uint8_t)(x >> 11);
  }
  for (unsigned i = PERIOD; i < sizeof ext; i++) ext[i] = ext[i - PERIOD];

  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) fail("epoll_create1: %s", strerror(errno));
  conns = calloc((size_t)nconns, sizeof *conns);
  if (!conns) fail("out of memory");
  for (int i = 0; i < nconns; i++) {
    conns[i].fd = -1;
    conns[i].stamps = calloc((size_t)depth, sizeof(int64_t));
    if (!conns[i].stamps) fail("out of memory");
  }
  now_ns = mono_ns();
  int64_t t_start = now_ns;
  int64_t hard_deadline = t_start + (int64_t)(deadline_s * 1e9);

  emit("{\"ok\":true,\"mode\":\"%s\",\"conns\":%d,\"size\":%zu,\"depth\":%d,",
         mode == PINGPONG ? "pingpong" : mode == STREAM ? "stream" : mode == CHURN ? "churn" : "idle", nconns,
         msg_size, depth);

  if (mode != IDLE) {
    active_limit = nconns;
    for (int i = 0; i < nconns; i++) start_connect(i);
    traffic_phase(hard_deadline);
    printf("%s}\n", result);
    return 0;
  }

  // idle: connect everything (bounded number of handshakes in flight, below
  // the listen backlog), one round trip each, then hold.
  long rss0 = read_status_kb(server_pid, "VmRSS"), sock0 = sockstat_tcp_mem(), slab0 = meminfo_kb("Slab");
  active_limit = 0;
  int next = 0;
  for (;;) {
    int inflight = 0, ready = 0;
    for (int i = 0; i < next; i++) {
      if (conns[i].state == CONNECTING || (conns[i].state == RUNNING && conns[i].done == 0)) inflight++;
      else ready++;
    }
    if (ready == nconns) break;
    while (next < nconns && inflight < 512) {
      start_connect(next++);
      inflight++;
    }
    pump(10);
    if (now_ns > hard_deadline) fail("hard deadline reached while connecting (%d of %d ready)", ready, nconns);
  }
  double connect_s = (double)(now_ns - t_start) / 1e9;
  fprintf(stderr, "connected %d\n", nconns);
  int64_t t_hold = now_ns + (int64_t)(hold * 1e9);
  while (now_ns < t_hold) pump(ms_until(t_hold));  // nothing should arrive: the connections are idle
  long rss1 = read_status_kb(server_pid, "VmRSS"), sock1 = sockstat_tcp_mem(), slab1 = meminfo_kb("Slab");
  emit("\"idle\":{\"connect_s\":%.3f,\"rss_kb_before\":%ld,\"rss_kb_after\":%ld,"
         "\"sockstat_pages_before\":%ld,\"sockstat_pages_after\":%ld,\"slab_kb_before\":%ld,\"slab_kb_after\":%ld,"
         "\"page_size\":%ld},",
         connect_s, rss0, rss1, sock0, sock1, slab0, slab1, sysconf(_SC_PAGESIZE));
  if (nactive > nconns) nactive = nconns;
  active_limit = nactive;
  emit("\"active\":%d,", nactive);
  if (nactive > 0) {
    // Each active connection goes on from where its first round trip left
    // it (offset S, one message done), so the pattern check carries on.
    for (int i = 0; i < nactive; i++) {
      for (int d = 0; d < depth; d++) issue(&conns[i]);
      flush(&conns[i], i);
    }
    traffic_phase(hard_deadline);
  } else {
    emit("\"window_s\":0,\"messages\":0");
  }
  printf("%s}\n", result);
  return 0;
}
