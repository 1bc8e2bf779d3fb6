// The C io_uring echo server: the reference the addon's io_uring server
// (benchmarks/servers/addon-uring.ts) is measured against. Same design as
// liburing's examples/echo-server and proxy: one multishot accept, one
// multishot recv per connection taking provided buffers from a buffer ring
// (IORING_REGISTER_PBUF_RING), a send straight from the buffer the data
// arrived in, the buffer handed back once the send completes, and one
// io_uring_enter per batch (SINGLE_ISSUER | DEFER_TASKRUN). The kernel's
// <linux/io_uring.h> only: no liburing.
//
// Each enter submits and waits for one CQE more than the sends in flight
// whose CQE will call for nothing ("quiet": nothing queued behind it, the
// connection not closing, no recv waiting for buffers). Sends carry
// MSG_WAITALL, so one ends short only when the socket failed partway, and
// then the recv's own CQE (an error or EOF) comes too. At one connection the
// send completes inline and the same enter goes on to wait for the next
// request: one enter per echo, not two.
//
// One send in flight per connection: two sends on one stream socket may
// complete out of order (the second can go while the first waits for
// room), so the buffers received meanwhile queue behind it. When it
// completes, everything queued goes in one sendmsg (up to BATCH_MAX
// buffers): a stream arriving in 16 KiB buffers then costs one send and
// one io_uring_enter per batch, not one per buffer, which halved this
// server's throughput against epoll's 64 KiB reads before.
//
//   uring-echo-server uring <port> [--buf N] [--nodelay] [--sndbuf N] [--watch-stdin]
//
// Prints "ready <port>" once listening. --buf sets the size of each provided
// buffer (default 16 KiB, at most 64 KiB); there are 2048 of them. With
// URING_STATS=1 it prints "uring-stats batches=N cqes=M" (its io_uring_enter
// calls and the CQEs they brought) to stderr at exit.
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

enum { ACCEPT = 1, RECV, SEND, CLOSE, STDIN, SENDMSG };
#define NBUFS 2048
#define BGID 1
#define BATCH_MAX 64

static int ring_fd;
static unsigned *sq_head, *sq_tail, sq_mask, sq_entries, sq_local;
static unsigned *cq_head, *cq_tail, cq_mask;
static struct io_uring_sqe *sqes;
static struct io_uring_cqe *cqes;
static struct io_uring_buf_ring *br;
static uint8_t *bufs;
static size_t buf_size = 16384;
static unsigned br_tail, br_pending;
static unsigned send_len[NBUFS], send_off[NBUFS];
static int nodelay, sndbuf;
#define MAXFD 262144
static int next_bid[NBUFS], q_head[MAXFD], q_tail[MAXFD];
static uint8_t busy[MAXFD], closing[MAXFD];
static int starved[MAXFD], nstarved;  // recvs that saw ENOBUFS, re-armed once buffers come back
static unsigned quiet;                // sends in flight whose CQE will call for nothing (see above)
static unsigned long n_enters, n_cqes;  // URING_STATS=1 prints them at exit, as the addon's server does

// A connection's sendmsg of several queued buffers: the msghdr and iovecs
// stay here until its CQE, and `head` lists the buffers it carries (linked
// by next_bid). Allocated at a connection's first batch and kept for the
// next connection given the same fd.
struct batch {
  struct msghdr msg;
  struct iovec iov[BATCH_MAX];
  size_t total;
  int head;
};
static struct batch *batches[MAXFD];

static unsigned is_quiet(int fd) { return busy[fd] && q_head[fd] < 0 && !closing[fd]; }

static void die(const char *what) {
  perror(what);
  exit(1);
}

static int enter(unsigned to_submit, unsigned min_complete, unsigned flags) {
  return (int)syscall(__NR_io_uring_enter, ring_fd, to_submit, min_complete, flags, NULL, 0);
}

// Publishes the local SQ tail and submits; waits for `wait` CQEs.
static void submit(unsigned wait) {
  unsigned head = __atomic_load_n(sq_head, __ATOMIC_ACQUIRE);
  __atomic_store_n(sq_tail, sq_local, __ATOMIC_RELEASE);
  n_enters++;
  if (enter(sq_local - head, wait, wait ? IORING_ENTER_GETEVENTS : 0) < 0 && wait) die("io_uring_enter");
}

static struct io_uring_sqe *get_sqe(void) {
  if (sq_local - __atomic_load_n(sq_head, __ATOMIC_ACQUIRE) == sq_entries) submit(0);
  struct io_uring_sqe *s = &sqes[sq_local++ & sq_mask];
  memset(s, 0, sizeof *s);
  return s;
}

static uint64_t data(int type, int fd, unsigned bid) { return (uint64_t)type << 56 | (uint64_t)bid << 32 | (uint32_t)fd; }

static void arm_recv(int fd) {
  struct io_uring_sqe *s = get_sqe();
  s->opcode = IORING_OP_RECV;
  s->fd = fd;
  s->ioprio = IORING_RECV_MULTISHOT;
  s->flags = IOSQE_BUFFER_SELECT;
  s->buf_group = BGID;
  s->user_data = data(RECV, fd, 0);
}

static void arm_accept(int lfd) {
  struct io_uring_sqe *s = get_sqe();
  s->opcode = IORING_OP_ACCEPT;
  s->fd = lfd;
  s->ioprio = IORING_ACCEPT_MULTISHOT;
  s->user_data = data(ACCEPT, lfd, 0);
}

static void send_buf(int fd, unsigned bid) {
  struct io_uring_sqe *s = get_sqe();
  s->opcode = IORING_OP_SEND;
  s->fd = fd;
  s->addr = (uintptr_t)(bufs + (size_t)bid * buf_size + send_off[bid]);
  s->len = send_len[bid] - send_off[bid];
  s->msg_flags = MSG_NOSIGNAL | MSG_WAITALL;
  s->user_data = data(SEND, fd, bid);
}

// The buffers queued on `fd` (up to BATCH_MAX of them), taken off its queue
// and sent in order by one sendmsg.
static void send_batch(int fd) {
  struct batch *b = batches[fd];
  if (!b && !(b = batches[fd] = calloc(1, sizeof *b))) die("calloc");
  unsigned n = 0;
  int last = -1;
  b->head = q_head[fd];
  b->total = 0;
  for (int bid = q_head[fd]; bid >= 0 && n < BATCH_MAX; bid = next_bid[bid], n++) {
    b->iov[n].iov_base = bufs + (size_t)bid * buf_size;  // a queued buffer is unsent: no offset
    b->iov[n].iov_len = send_len[bid];
    b->total += send_len[bid];
    last = bid;
  }
  q_head[fd] = next_bid[last];
  if (q_head[fd] < 0) q_tail[fd] = -1;
  next_bid[last] = -1;
  b->msg.msg_iov = b->iov;
  b->msg.msg_iovlen = n;
  struct io_uring_sqe *s = get_sqe();
  s->opcode = IORING_OP_SENDMSG;
  s->fd = fd;
  s->addr = (uintptr_t)&b->msg;
  s->len = 1;
  s->msg_flags = MSG_NOSIGNAL | MSG_WAITALL;
  s->user_data = data(SENDMSG, fd, 0);
}

static void recycle(unsigned bid) {
  struct io_uring_buf *b = &br->bufs[(br_tail + br_pending++) & (NBUFS - 1)];
  b->addr = (uintptr_t)(bufs + (size_t)bid * buf_size);
  b->len = (unsigned)buf_size;
  b->bid = (unsigned short)bid;
}

static void close_fd(int fd) {
  if (busy[fd]) {  // after the send in flight, which still names this fd
    closing[fd] = 1;
    return;
  }
  closing[fd] = 0;
  struct io_uring_sqe *s = get_sqe();
  s->opcode = IORING_OP_CLOSE;
  s->fd = fd;
  s->user_data = data(CLOSE, fd, 0);
}

// Sends `bid` now, or queues it behind the send in flight.
static void echo(int fd, unsigned bid) {
  if (!busy[fd]) {
    busy[fd] = 1;
    send_buf(fd, bid);
    return;
  }
  next_bid[bid] = -1;
  if (q_tail[fd] >= 0) next_bid[q_tail[fd]] = (int)bid;
  else q_head[fd] = (int)bid;
  q_tail[fd] = (int)bid;
}

// The send in flight is done: the next queued buffer, or all of them in one
// sendmsg, if any.
static void send_done(int fd, int failed) {
  if (!failed && q_head[fd] >= 0 && q_head[fd] != q_tail[fd]) {
    send_batch(fd);
    return;
  }
  while (q_head[fd] >= 0) {
    unsigned bid = (unsigned)q_head[fd];
    q_head[fd] = next_bid[bid];
    if (q_head[fd] < 0) q_tail[fd] = -1;
    if (!failed) {
      send_buf(fd, bid);
      return;
    }
    recycle(bid);
  }
  busy[fd] = 0;
  if (closing[fd]) close_fd(fd);
}

static void handle(const struct io_uring_cqe *c, int lfd) {
  int type = (int)(c->user_data >> 56), fd = (int)(uint32_t)c->user_data;
  unsigned bid = (unsigned)(c->user_data >> 32) & 0xffff;
  unsigned was_quiet = type == ACCEPT ? 0 : is_quiet(fd);
  switch (type) {
    case ACCEPT:
      if (c->res >= 0) {
        int one = 1;
        if (nodelay) setsockopt(c->res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (sndbuf) setsockopt(c->res, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
        arm_recv(c->res);
      }
      if (!(c->flags & IORING_CQE_F_MORE)) arm_accept(lfd);
      break;
    case RECV:
      if (c->res > 0) {
        unsigned b = c->flags >> IORING_CQE_BUFFER_SHIFT;
        send_len[b] = (unsigned)c->res;
        send_off[b] = 0;
        echo(fd, b);
        if (!(c->flags & IORING_CQE_F_MORE)) arm_recv(fd);
      } else if (c->res == -ENOBUFS) {
        starved[nstarved++] = fd;  // every buffer is in flight: sends will hand some back
      } else if (!(c->flags & IORING_CQE_F_MORE)) {
        close_fd(fd);  // EOF or an error
      }
      break;
    case SEND:
      if (c->res > 0 && send_off[bid] + (unsigned)c->res < send_len[bid]) {
        send_off[bid] += (unsigned)c->res;  // a short send: the rest
        send_buf(fd, bid);
      } else {
        recycle(bid);
        send_done(fd, c->res < 0);
      }
      break;
    case SENDMSG: {
      // MSG_WAITALL: short only when the socket failed partway, as above.
      struct batch *b = batches[fd];
      for (int next, bid = b->head; bid >= 0; bid = next) {
        next = next_bid[bid];
        recycle((unsigned)bid);
      }
      send_done(fd, c->res < (int)b->total);
      break;
    }
    case STDIN:
      exit(0);  // --watch-stdin: the runner went away or told us to stop
  }
  if (type != ACCEPT) quiet += is_quiet(fd) - was_quiet;  // every change above is to this fd's state
}

static void print_stats(void) {
  fprintf(stderr, "uring-stats batches=%lu cqes=%lu\n", n_enters, n_cqes);
}

int main(int argc, char **argv) {
  if (argc < 3 || strcmp(argv[1], "uring")) {
    fprintf(stderr, "usage: uring-echo-server uring <port> [--buf N] [--nodelay] [--sndbuf N] [--watch-stdin]\n");
    return 2;
  }
  int port = atoi(argv[2]), watch_stdin = 0;
  for (int i = 3; i < argc; i++) {
    if (!strcmp(argv[i], "--buf") && i + 1 < argc) buf_size = (size_t)atol(argv[++i]);
    else if (!strcmp(argv[i], "--sndbuf") && i + 1 < argc) sndbuf = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--nodelay")) nodelay = 1;
    else if (!strcmp(argv[i], "--watch-stdin")) watch_stdin = 1;
    else {
      fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (buf_size > 65536) buf_size = 65536;

  struct io_uring_params p = {0};
  p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
  p.cq_entries = 8192;
  ring_fd = (int)syscall(__NR_io_uring_setup, 1024, &p);
  if (ring_fd < 0) die("io_uring_setup");
  size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  if (cq_len > sq_len) sq_len = cq_len;  // IORING_FEAT_SINGLE_MMAP
  uint8_t *rings = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring_fd, IORING_OFF_SQ_RING);
  sqes = mmap(NULL, p.sq_entries * sizeof *sqes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring_fd, IORING_OFF_SQES);
  if (rings == MAP_FAILED || sqes == MAP_FAILED) die("mmap");
  sq_head = (unsigned *)(rings + p.sq_off.head);
  sq_tail = (unsigned *)(rings + p.sq_off.tail);
  sq_mask = *(unsigned *)(rings + p.sq_off.ring_mask);
  sq_entries = p.sq_entries;
  unsigned *array = (unsigned *)(rings + p.sq_off.array);
  for (unsigned i = 0; i < sq_entries; i++) array[i] = i;
  sq_local = *sq_tail;
  cq_head = (unsigned *)(rings + p.cq_off.head);
  cq_tail = (unsigned *)(rings + p.cq_off.tail);
  cq_mask = *(unsigned *)(rings + p.cq_off.ring_mask);
  cqes = (struct io_uring_cqe *)(rings + p.cq_off.cqes);

  br = mmap(NULL, NBUFS * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  bufs = mmap(NULL, NBUFS * buf_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (br == MAP_FAILED || bufs == MAP_FAILED) die("mmap");
  struct io_uring_buf_reg reg = {.ring_addr = (uintptr_t)br, .ring_entries = NBUFS, .bgid = BGID};
  if (syscall(__NR_io_uring_register, ring_fd, IORING_REGISTER_PBUF_RING, &reg, 1) < 0) die("IORING_REGISTER_PBUF_RING");
  for (unsigned i = 0; i < NBUFS; i++) recycle(i);
  memset(q_head, 0xff, sizeof q_head);
  memset(q_tail, 0xff, sizeof q_tail);

  int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) || listen(lfd, SOMAXCONN)) die("listen");
  socklen_t len = sizeof sa;
  getsockname(lfd, (struct sockaddr *)&sa, &len);
  arm_accept(lfd);
  if (watch_stdin) {
    struct io_uring_sqe *s = get_sqe();
    s->opcode = IORING_OP_POLL_ADD;
    s->fd = 0;
    s->poll32_events = POLLIN;
    s->user_data = data(STDIN, 0, 0);
  }
  const char *stats = getenv("URING_STATS");
  if (stats && !strcmp(stats, "1")) atexit(print_stats);
  printf("ready %d\n", ntohs(sa.sin_port));
  fflush(stdout);

  for (;;) {
    if (br_pending) {
      br_tail += br_pending;
      br_pending = 0;
      __atomic_store_n(&br->tail, (unsigned short)br_tail, __ATOMIC_RELEASE);
      while (nstarved > 0) arm_recv(starved[--nstarved]);
    }
    submit(nstarved > 0 ? 1 : quiet + 1);  // a starved recv waits for any buffer back
    unsigned head = *cq_head, tail = __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE);
    n_cqes += tail - head;
    for (; head != tail; head++) handle(&cqes[head & cq_mask], lfd);
    __atomic_store_n(cq_head, head, __ATOMIC_RELEASE);
  }
}
